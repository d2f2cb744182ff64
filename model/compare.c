/* compare: variants against a base on common random numbers. Contracts in compare.h. */
#include <stdlib.h>
#include "model/compare.h"
#include "sim/stats.h"

static const char *const names[COMPARE_METRICS] = {
	[COMPARE_TOKENS] = "tokens",
	[COMPARE_API] = "api_usd",
	[COMPARE_SELF_HOSTED] = "self_hosted_usd",
	[COMPARE_STORAGE] = "storage_usd",
	[COMPARE_COMPUTE] = "compute_usd",
	[COMPARE_TOTAL] = "total_usd",
	[COMPARE_WALL_HOURS] = "wall_hours",
	[COMPARE_MONTHLY_API] = "monthly_api_usd",
	[COMPARE_MONTHLY_SELF_HOSTED] = "monthly_self_hosted_usd",
	[COMPARE_MONTHLY_STORAGE] = "monthly_storage_usd",
	[COMPARE_MONTHLY_COMPUTE] = "monthly_compute_usd",
	[COMPARE_MONTHLY_TOTAL] = "monthly_total_usd",
};

/* The per-run figure a monthly one multiplies. */
static const enum compare_metric per_run[COMPARE_METRICS] = {
	[COMPARE_MONTHLY_API] = COMPARE_API,
	[COMPARE_MONTHLY_SELF_HOSTED] = COMPARE_SELF_HOSTED,
	[COMPARE_MONTHLY_STORAGE] = COMPARE_STORAGE,
	[COMPARE_MONTHLY_COMPUTE] = COMPARE_COMPUTE,
	[COMPARE_MONTHLY_TOTAL] = COMPARE_TOTAL,
};

const char *compare_metric_name(enum compare_metric m)
{
	return names[m];
}

int compare_metric_is_count(enum compare_metric m)
{
	return m == COMPARE_TOKENS;
}

double compare_rep_value(const struct forecast *f, unsigned i, enum compare_metric m)
{
	const struct forecast_rep *r = &f->per_rep[i];
	if (m >= COMPARE_MONTHLY_API && m < COMPARE_METRICS)
		return compare_rep_value(f, i, per_run[m]) * forecast_rep_runs_per_month(f, i);
	switch (m) {
	case COMPARE_TOKENS:
		return r->metric[METRIC_TOKENS_TOTAL];
	case COMPARE_API:
		return r->cost_api;
	case COMPARE_SELF_HOSTED:
		return r->cost_self_hosted;
	case COMPARE_STORAGE:
		return r->cost_storage;
	case COMPARE_COMPUTE:
		return r->cost_compute;
	case COMPARE_TOTAL:
		return r->metric[METRIC_COST_TOTAL];
	case COMPARE_WALL_HOURS:
	default:
		return r->metric[METRIC_WALL_HOURS];
	}
}

/* One metric: the means, then the paired differences into diff (sorted by the quantiles). */
static void delta_one(const struct forecast *base, const struct forecast *variant,
		      enum compare_metric m, double *diff, struct compare_delta *d)
{
	double sum_b = 0, sum_v = 0, sum_d = 0;
	for (unsigned i = 0; i < base->runs; i++) {
		double b = compare_rep_value(base, i, m);
		double v = compare_rep_value(variant, i, m);
		diff[i] = v - b;
		sum_b += b;
		sum_v += v;
		sum_d += diff[i];
	}
	d->base_mean = sum_b / base->runs;
	d->variant_mean = sum_v / base->runs;
	d->mean = sum_d / base->runs;
	d->p10 = stats_quantile(diff, base->runs, 0.10);
	d->p90 = stats_quantile(diff, base->runs, 0.90);
}

void compare_spread(const struct forecast *f, enum compare_metric m, double *scratch,
		    struct compare_spread *s)
{
	double sum = 0;
	for (unsigned i = 0; i < f->runs; i++) {
		scratch[i] = compare_rep_value(f, i, m);
		sum += scratch[i];
	}
	s->mean = sum / f->runs;
	s->p10 = stats_quantile(scratch, f->runs, 0.10);
	s->p50 = stats_quantile(scratch, f->runs, 0.50);
	s->p90 = stats_quantile(scratch, f->runs, 0.90);
}

int compare_deltas(const struct forecast *base, const struct forecast *variant,
		   struct compare_delta d[COMPARE_METRICS], struct hc_err *err)
{
	if (base->runs == 0 || variant->runs != base->runs || variant->seed != base->seed)
		return hc_err_set(err, HC_ERUNTIME, "compare: the variant's replications (%u, "
				  "seed %llu) are not the base's (%u, seed %llu)", variant->runs,
				  (unsigned long long)variant->seed, base->runs,
				  (unsigned long long)base->seed);
	double *diff = malloc(base->runs * sizeof(*diff));
	if (!diff)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (int m = 0; m < COMPARE_METRICS; m++)
		delta_one(base, variant, (enum compare_metric)m, diff, &d[m]);
	free(diff);
	return 0;
}
