/*
 * fitboot: the uncertainty of a fit, by a bootstrap over the trace's tasks and sessions
 * (docs/fit.md, "The fit's own uncertainty").
 *
 * The trace's units are its evaluation tasks (every call of role evaluate and every eval_task
 * record of one (node, domain, task), together) and its self-modification sessions (the calls
 * of role self_modify of one (run, node, domain, task)); other records (archive_add, calls of
 * other roles or without usage) are no unit and are kept once in every resample. A resample draws, with
 * replacement, as many tasks as each (node, domain) evaluated from that node's tasks of that
 * domain (so every node keeps its task count), and as many self-modification sessions of each
 * domain the calls name (most name none) as the trace has from them; a unit drawn c times is added c times, its copies made distinct
 * tasks by a suffix "#1", "#2"... on the task. Each resample is fitted again (fit_build on the
 * same base), and gets the full fit's models and eval_workers, which a resample's duplicated
 * task spans cannot tell.
 *
 * Resample b draws from random stream b of the seed rng_stream_seed(seed, FITBOOT_STREAM), a
 * stream no replication uses, so the same seed gives the same resamples. The trace is read
 * once: its records are kept in memory (trace/tracestore.h: about 160 bytes a record, 220 with
 * a call id of its own, and the distinct names once) and every resample is drawn from them, so
 * a trace a recorder appends to meanwhile is resampled as it was read.
 */
#ifndef FIT_FITBOOT_H
#define FIT_FITBOOT_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"
#include "fit/fit.h"
#include "model/scenario.h"

#define FITBOOT_DEFAULT 200
#define FITBOOT_MAX 10000
#define FITBOOT_STREAM (UINT64_C(1) << 63)

/* One fitted figure over the resamples. */
struct fitboot_spread {
	char path[FIT_PATH_MAX]; /* a field's path, or "<session kind>.tokens_per_session" */
	double fitted;           /* the full fit's: a distribution's mean, or a number */
	double p10, p50, p90;    /* over the resamples that fitted it (R's type 7) */
	size_t n;                /* those resamples */
};

struct fitboot {
	unsigned resamples;
	size_t tasks, sessions;        /* the units: evaluation tasks, self-modification sessions */
	struct scenario *variants;     /* resamples, each the scenario fitted to resample b */
	struct fitboot_spread *spread; /* n_spread, in the full fit's report order */
	size_t n_spread;
};

#define FITBOOT_INIT { 0, 0, 0, NULL, NULL, 0 }

/* What the resamples are refitted with: the full fit's inputs. */
struct fitboot_input {
	const char *trace;             /* the trace file */
	int skip_bad;                  /* as the full fit read it */
	const struct scenario *base;
	const char *name;              /* the fitted scenario's name */
	const char *const *sets;       /* --set assignments applied to every resample's tree */
	size_t n_sets;
};

/*
 * Fits resamples resamples of in->trace (1 .. FITBOOT_MAX) and fills b: their scenarios, with
 * in->sets applied and the models and eval_workers of full (the full fit's scenario, its sets
 * applied), and the spread of every number and distribution mean the full fit's summary
 * lists, and of each session kind's tokens (input + output) per session. Errors as
 * fit_trace's and fit_build's, prefixed with the resample; b is then empty.
 */
int fitboot_run(struct fitboot *b, const struct fitboot_input *in, const struct fit_summary *fs,
		const struct scenario *full, unsigned resamples, uint64_t seed,
		struct hc_err *err);

void fitboot_release(struct fitboot *b);

/*
 * A fitted scenario tree with the assignments applied, parsed into sc (scenario_apply_set,
 * scenario_from_json; tree is not changed).
 */
int fitboot_scenario(struct scenario *sc, const cJSON *tree, const char *const *sets,
		     size_t n_sets, struct hc_err *err);

/*
 * The report's "bootstrap": resamples, units (tasks, self_modification_sessions) and
 * spread.<path> (fitted, p10, p50, p90, n). Caller deletes; NULL out of memory.
 */
cJSON *fitboot_report(const struct fitboot *b);

#endif
