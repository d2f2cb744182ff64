/*
 * plan: budget to plan (docs/plan.md). The largest whole value of one scenario field (e.g.
 * iterations) whose P90 cost, and with a deadline P90 wall time, stay within limits: found by
 * doubling from the lowest value until a point fails, then bisecting between the last point
 * that passed and the first that failed. Every point is a forecast with the same seed, so
 * the points share their random numbers and cost grows smoothly with the field. The search
 * assumes cost and wall time do not fall as the field grows; each point tried is kept, so the
 * table shows whether that held.
 */
#ifndef MODEL_PLAN_H
#define MODEL_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "base/hc_err.h"
#include "model/prices.h"
#include "sim/replicate.h"

#define PLAN_MAX_POINTS 64

struct plan_request {
	const char *scenario;         /* a path, or NULL for the embedded default */
	const char *const *sets;      /* --set assignments applied first */
	size_t n_sets;
	const char *field;            /* a --set path to a whole-number field */
	double budget_usd;
	double deadline_hours;        /* 0: none */
	unsigned lo, hi;              /* the values searched */
	unsigned runs, threads;
	uint64_t seed;
	const struct replicate_progress *progress; /* each point's replications; NULL: none */
};

struct plan_point {
	unsigned value;
	double cost_p90, cost_mean, wall_p90, tokens_mean;
	int fits;
};

struct plan_result {
	struct plan_point points[PLAN_MAX_POINTS]; /* in the order tried */
	size_t n;
	int found;                    /* 0: even lo does not fit */
	unsigned best;                /* the largest value that fits */
	char scenario_name[96];
};

int plan_search(const struct plan_request *rq, const struct price_sheet *ps,
		struct plan_result *out, struct hc_err *err);

#endif
