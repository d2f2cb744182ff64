/*
 * compare: variants of a scenario against a base, on common random numbers at the level of
 * the replication (docs/compare.md). Every variant runs with the base's master seed, so its
 * replication i draws from the seed the base's replication i draws from; the difference of
 * each replication's figures is paired, and a variant identical to the base gives exactly 0.
 *
 * Not yet: one random stream per component. A replication's draws come from one stream in
 * the order the loop asks for them, so a change in one place can shift the draws elsewhere.
 */
#ifndef MODEL_COMPARE_H
#define MODEL_COMPARE_H

#include "base/hc_err.h"
#include "model/forecast.h"

/*
 * The figures compared: a replication's tokens, the parts of its bill, its wall time, then
 * the parts of its bill per 730-hour month of the calendar's steady state (each part times
 * forecast_rep_runs_per_month, as summary.json's monthly.cost_usd).
 */
enum compare_metric {
	COMPARE_TOKENS,
	COMPARE_API,
	COMPARE_SELF_HOSTED,
	COMPARE_STORAGE,
	COMPARE_COMPUTE,
	COMPARE_TOTAL,
	COMPARE_WALL_HOURS,
	COMPARE_MONTHLY_API,
	COMPARE_MONTHLY_SELF_HOSTED,
	COMPARE_MONTHLY_STORAGE,
	COMPARE_MONTHLY_COMPUTE,
	COMPARE_MONTHLY_TOTAL,
	COMPARE_METRICS
};

/* One figure of a variant against the base, over the paired replications. */
struct compare_delta {
	double base_mean, variant_mean;
	double mean;            /* mean of (variant - base), replication by replication */
	double p10, p90;        /* of the same paired differences */
};

/* One figure across a forecast's replications: the mean and the type-7 quantiles. */
struct compare_spread {
	double mean, p10, p50, p90;
};

/* The metric's name in compare.csv, compare.json and sweep.csv: "tokens", "api_usd", ...,
 * "wall_hours", "monthly_api_usd", ..., "monthly_total_usd". */
const char *compare_metric_name(enum compare_metric m);
/* 1 for a count (tokens), which compare.csv writes as a whole number; 0 for dollars, hours. */
int compare_metric_is_count(enum compare_metric m);
/* The metric's value in replication i of f (f->per_rep and, for monthly figures, f->sc). */
double compare_rep_value(const struct forecast *f, unsigned i, enum compare_metric m);
/* The metric's mean and P10 / P50 / P90 over f's replications; scratch holds f->runs. */
void compare_spread(const struct forecast *f, enum compare_metric m, double *scratch,
		    struct compare_spread *s);

/*
 * Fills d[0..COMPARE_METRICS) with variant against base, pairing replication i of each.
 * Both forecasts must have the same runs and seed (forecast_run with the same arguments but
 * the scenario): HC_ERUNTIME otherwise, or when memory runs out.
 */
int compare_deltas(const struct forecast *base, const struct forecast *variant,
		   struct compare_delta d[COMPARE_METRICS], struct hc_err *err);

#endif
