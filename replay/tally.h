/*
 * tally: a trace's calls summed per iteration and per hour, for replay's iterations.csv and
 * timeseries.csv (docs/replay.md, "Results"). One pass, in memory proportional to the
 * iterations, hours and models, not to the calls.
 */
#ifndef REPLAY_TALLY_H
#define REPLAY_TALLY_H

#include <stddef.h>
#include "base/hc_err.h"
#include "base/strtab.h"
#include "model/usage.h"
#include "trace/trace.h"

/* Above this many hours from the first to the last, only hours with calls are rows. */
#define TALLY_MAX_SPAN_HOURS 100000

enum tally_role { TALLY_SELF_MODIFY, TALLY_EVALUATE, TALLY_OTHER, TALLY_ROLES };

/* "self_modify", "evaluate", "other" */
const char *tally_role_name(enum tally_role r);

struct tally_iteration {
	long iteration;
	size_t calls[TALLY_ROLES];
	double tokens[TALLY_ROLES];   /* input + output of the calls with usage */
	struct usage usage;           /* the calls with usage */
	double cost_usd;
	size_t without_usage;
};

struct tally_hour {
	long long hour;               /* Unix time / 3600, rounded down */
	double tokens[TALLY_ROLES];
	double calls;
	double cost_usd;
};

struct tally {
	struct strtab iteration_keys, hour_keys, models, cell_keys;
	struct tally_iteration *iterations;
	size_t n_iterations, cap_iterations;
	struct tally_hour *hours;
	size_t n_hours, cap_hours;
	double *model_tokens;         /* by cell "hour id, model id" */
	size_t cap_cells;
	size_t without_iteration;     /* calls in no iteration row */
	size_t without_time;          /* calls in no hour row */
};

void tally_init(struct tally *t);
void tally_release(struct tally *t);

/* Adds a call with its cost (NAN without usage). HC_ERUNTIME when memory runs out. */
int tally_add(struct tally *t, const struct trace_llm_call *c, const char *model, double cost,
	      struct hc_err *err);

/* Sorts the iterations by number and the hours by time; call once, after the last add. */
void tally_sort(struct tally *t);

/* Tokens of model id in hour row h, after tally_sort. */
double tally_model_tokens(const struct tally *t, size_t h, size_t model);

#endif
