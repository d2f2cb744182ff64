/* plan: the largest value of one scenario field that fits a budget. Contracts in plan.h. */
#include <stdio.h>
#include <string.h>
#include "model/forecast.h"
#include "model/plan.h"
#include "model/scenario.h"

/* Forecasts the scenario with field = value and records the point. */
static int try_value(const struct plan_request *rq, const struct price_sheet *ps,
		     unsigned value, struct plan_result *out, struct hc_err *err)
{
	const char *sets[260];
	char assignment[300];
	struct scenario sc;
	struct forecast f;
	if (out->n == PLAN_MAX_POINTS || rq->n_sets + 1 > sizeof(sets) / sizeof(sets[0]))
		return hc_err_set(err, HC_ERUNTIME, "plan: too many points or --set options");
	memcpy(sets, rq->sets, rq->n_sets * sizeof(*sets));
	snprintf(assignment, sizeof(assignment), "%s=%u", rq->field, value);
	sets[rq->n_sets] = assignment;
	if (scenario_load(&sc, rq->scenario, sets, rq->n_sets + 1, err))
		return hc_err_prefix(err, "--vary %s=%u", rq->field, value);
	int rc = forecast_run(&f, &sc, ps, rq->runs, rq->threads, rq->seed, rq->progress,
			      FORECAST_DROP, err);
	if (rc) {
		hc_err_prefix(err, "--vary %s=%u", rq->field, value); /* e.g. over a limit */
	} else {
		struct plan_point *p = &out->points[out->n++];
		p->value = value;
		p->cost_p90 = f.metrics[METRIC_COST_TOTAL].p90;
		p->cost_mean = f.mean.cost_total;
		p->wall_p90 = f.metrics[METRIC_WALL_HOURS].p90;
		p->tokens_mean = f.mean.total.total;
		p->fits = p->cost_p90 <= rq->budget_usd &&
			  (rq->deadline_hours <= 0 || p->wall_p90 <= rq->deadline_hours);
		snprintf(out->scenario_name, sizeof(out->scenario_name), "%s", sc.name);
		forecast_release(&f);
	}
	scenario_release(&sc);
	return rc;
}

static int last_fits(const struct plan_result *out)
{
	return out->points[out->n - 1].fits;
}

int plan_search(const struct plan_request *rq, const struct price_sheet *ps,
		struct plan_result *out, struct hc_err *err)
{
	memset(out, 0, sizeof(*out));
	if (try_value(rq, ps, rq->lo, out, err))
		return err ? err->code : HC_ERUNTIME;
	if (!last_fits(out))
		return 0;
	unsigned good = rq->lo, bad = 0;
	int have_bad = 0;
	/* doubling: lo, 2·max(lo, 1), ... until a point fails or hi is reached */
	while (!have_bad && good < rq->hi) {
		unsigned next = good ? good * 2 : 1;
		if (next > rq->hi || next < good)
			next = rq->hi;
		if (try_value(rq, ps, next, out, err))
			return err ? err->code : HC_ERUNTIME;
		if (last_fits(out))
			good = next;
		else
			bad = next, have_bad = 1;
	}
	while (have_bad && bad - good > 1) {
		unsigned mid = good + (bad - good) / 2;
		if (try_value(rq, ps, mid, out, err))
			return err ? err->code : HC_ERUNTIME;
		if (last_fits(out))
			good = mid;
		else
			bad = mid;
	}
	out->found = 1;
	out->best = good;
	return 0;
}
