/*
 * project: the final bill of a run that is still going, projected from its first iterations
 * (docs/metering.md, "Live forecast").
 *
 * The records of iterations 0 .. upto (and those with no iteration) are the run so far: they
 * are priced as they are added (what was spent) and fitted (fit/fit.h) onto a base scenario.
 * The fitted scenario, run for the whole run's iterations, gives per replication the API
 * dollars, tokens and hours of iterations upto + 1 .. last; the projection of the whole run is
 * what was spent plus that remainder, with P10 / P50 / P90 across replications. From
 * iteration 1 on, each replication's remainder is scaled by the run's own level: the mean
 * dollars (tokens) of a resample of the done iterations 1 .. upto over the simulated mean of
 * those iterations, so that the band holds both the model's spread and the uncertainty of the
 * level the run has shown (docs/metering.md, "Live forecast"). The expected end comes from
 * the run's own pace (project_expected_end), not the model's hours left. Records of
 * later iterations (the one in progress) are left out: the remainder stands for them.
 *
 * Ownership as docs/development.md says: the caller allocates struct project, project_release
 * frees what it holds; the config's base and prices are borrowed and must outlive it.
 */
#ifndef FIT_PROJECT_H
#define FIT_PROJECT_H

#include <stddef.h>
#include <stdint.h>
#include "base/hc_err.h"
#include "fit/fit.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "trace/trace.h"
#include "trace/tracestore.h"

#define PROJECT_RUNS 20 /* replications of the remainder when the config says 0 */

struct project_config {
	const struct scenario *base;      /* what the run so far does not inform */
	const struct price_sheet *prices; /* prices the records and the remainder */
	unsigned last_iteration;          /* the run's last iteration (the scenario's iterations) */
	unsigned runs;                    /* replications; 0: PROJECT_RUNS */
	unsigned threads;                 /* 0: one a core */
	uint64_t seed;
};

/* P10 / P50 / P90 across replications. */
struct project_band {
	double p10, p50, p90;
};

struct projection {
	long upto;               /* iterations 0 .. upto were fitted */
	unsigned last_iteration;
	unsigned runs;
	size_t calls, unpriced;  /* records of the run so far; of them, not priced */
	double spent_usd;        /* the run so far, priced */
	double spent_tokens;
	double elapsed_hours;    /* first call's start to last call's end, so far */
	struct project_band usd;        /* the whole run: spent + the remainder */
	struct project_band tokens;
	struct project_band hours_left; /* the remainder's wall time, as the model times it */
	double seconds_per_iteration;   /* the run's pace: the median of iterations 1 .. upto's
					 * durations (end to end); NAN before iteration 1 */
	double upto_end;                /* Unix seconds iteration upto's last call ended; NAN
					 * when none says */
};

struct project {
	struct project_config cfg;
	long upto;
	struct fit fit;
	size_t calls, unpriced;
	double spent_usd, spent_tokens;
	double first_start, last_end;
	double *iter_usd, *iter_tokens; /* per iteration 0 .. upto */
	double *iter_end;               /* per iteration: its calls' last end, NAN when none */
};

/*
 * Starts a projection from iterations 0 .. upto (upto < cfg->last_iteration). HC_ERUNTIME out
 * of memory (p then needs no release).
 */
int project_init(struct project *p, const struct project_config *cfg, long upto,
		 struct hc_err *err);

/*
 * Adds one record of the run, in file order; records of iterations after upto are ignored.
 * Errors as fit_add's.
 */
int project_add(struct project *p, const struct trace_record *rec, struct hc_err *err);

/*
 * Fits, runs the remainder and fills *out. HC_EINPUT when the run so far informs no fit
 * (fit_build's message) or its fitted scenario cannot run with the sheet; may run once.
 */
int project_finish(struct project *p, struct projection *out, struct hc_err *err);

void project_release(struct project *p);

/*
 * A run's trace followed as it grows (the meter's projector): project_follow_read reads only
 * the whole lines appended since its last call (bad records skipped) and keeps their records
 * in memory (trace/tracestore.h: about 160 bytes a record, 220 with a call id of its own);
 * project_follow_run projects from all of them, as project_add of every record of the file,
 * read again whole, would. A last line without its newline is a record still being written:
 * it waits for its newline. A trace replaced, or cut shorter than what was read, is read
 * again from its start.
 */
struct project_follow {
	char path[4096];
	struct trace_store records;
	struct trace_mark mark; /* where reading stopped */
};

void project_follow_init(struct project_follow *fw, const char *path);

/* Reads what was appended. Errors as trace_reader_resume's; fw then holds nothing. */
int project_follow_read(struct project_follow *fw, struct hc_err *err);

/* The projection from iterations 0 .. upto of the records read: project_init .. finish. */
int project_follow_run(const struct project_follow *fw, const struct project_config *cfg,
		       long upto, struct projection *out, struct hc_err *err);

void project_follow_release(struct project_follow *fw);

/*
 * The projected guard's rule (docs/metering.md, "The guard that looks ahead"): 1 when the
 * projection's P90 passes budget_usd and it was made from iteration project_guard_first or
 * later: a tenth of the run, and at least iteration 1. Before that the level rests on too few
 * iterations (from iteration 0 alone nothing of the children is known at all), and a run
 * whose first iterations happen to be dear would be stopped for nothing.
 */
long project_guard_first(unsigned last_iteration);

int project_guard_trips(const struct projection *p, double budget_usd);

/*
 * When the run is expected to end (Unix seconds; docs/metering.md, "Live forecast"): at its
 * observed pace, upto_end + seconds_per_iteration x (last_iteration - upto), and *from says
 * "pace"; before a pace is known (from iteration 0 alone), made_at + the P50 of the model's
 * hours left, and *from says "model".
 */
double project_expected_end(const struct projection *p, double made_at, const char **from);

/* The iteration a record belongs to: the call's or archive_add's, -1 when it names none. */
long project_record_iteration(const struct trace_record *rec);

#endif
