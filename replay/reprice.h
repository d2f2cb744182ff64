/*
 * reprice: the exact cost of a recorded trace at a price sheet's rates, no simulation.
 *
 * Every llm_call with usage is priced with price_cost (model/prices.h) at its model's rates;
 * a call whose usage is unknown is counted, never priced as 0; estimated counts are priced
 * and also totalled apart, so they are never silently mixed with reported ones. Totals are
 * kept overall and by role, model, domain and iteration; eval_task and archive_add records
 * add evaluation and archive totals. Memory grows with the number of distinct groups only.
 */
#ifndef REPLAY_REPRICE_H
#define REPLAY_REPRICE_H

#include <stddef.h>
#include "model/prices.h"
#include "model/usage.h"
#include "trace/trace.h"

enum reprice_dim { REPRICE_ROLE, REPRICE_MODEL, REPRICE_DOMAIN, REPRICE_ITERATION,
		   REPRICE_DIM_COUNT };

/* "role", "model", "domain", "iteration" */
const char *reprice_dim_name(enum reprice_dim d);

struct reprice_group {
	char name[TRACE_STR_MAX]; /* "unknown" when the trace does not say */
	struct usage usage;       /* calls with usage */
	double cost;              /* USD */
	size_t unknown_usage;     /* calls without usage */
};

struct reprice_groups {
	struct reprice_group *v;
	size_t n, cap;
};

struct reprice {
	const struct price_sheet *ps;
	size_t calls;          /* llm_call records */
	size_t unknown_usage;  /* of them, without usage: not priced */
	size_t estimated;      /* of them, with estimated counts */
	struct usage total;    /* every call with usage, estimated ones included */
	double cost;
	struct usage estimated_usage;
	double estimated_cost;
	struct reprice_groups by[REPRICE_DIM_COUNT];
	long max_iteration;    /* -1 when no record names one */
	/* over the start and end times of the calls and evaluation tasks; NAN when none */
	double first_time, last_time;
	/* eval_task records */
	size_t tasks, task_pass, task_fail, task_error, task_unknown;
	double sandbox_seconds; /* sum over tasks that give it */
	long long task_artifact_bytes;
	/* archive_add records */
	size_t nodes;
	long long archive_bytes; /* patch + artifact bytes */
};

void reprice_init(struct reprice *rp, const struct price_sheet *ps);
void reprice_release(struct reprice *rp);

/* Called for each llm_call: its trace line, the price used (NULL without usage), its cost. */
typedef int (*reprice_call_fn)(void *ctx, long line, const struct trace_llm_call *c,
			       const struct price *p, double cost_usd, struct hc_err *err);

/*
 * Adds one record. For an llm_call, *price and *cost are set to the price used and the USD
 * (NULL and NAN without usage). HC_EINPUT when the model is not in the sheet (naming the
 * closest names) or the sheet lacks a rate the usage needs.
 */
int reprice_add(struct reprice *rp, const struct trace_record *rec, const struct price **price,
		double *cost, struct hc_err *err);

/*
 * Reads the whole trace, adding every record and calling fn (may be NULL) for every call;
 * errors are prefixed with the trace's path and line. Groups end up sorted by name
 * (iterations numerically, "unknown" last).
 */
int reprice_trace(struct reprice *rp, struct trace_reader *r, reprice_call_fn fn, void *ctx,
		  struct hc_err *err);

#endif
