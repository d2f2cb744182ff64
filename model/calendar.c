/* calendar: a forecast's runs laid on calendar months (model/calendar.h) */
#include "base/civil.h"
#include "model/calendar.h"

#include <math.h>
#include <stdlib.h>
#include "model/forecast.h"
#include "sim/stats.h"

double calendar_period_hours(double runs_per_month, double wall_hours)
{
	if (runs_per_month <= 0)
		return INFINITY;
	return fmax(CALENDAR_HOURS_PER_MONTH / runs_per_month, wall_hours);
}

double calendar_busy_share(const struct cost_params *cp, double wall_hours)
{
	switch (cp->schedule) {
	case SCHEDULE_BACK_TO_BACK:
		return wall_hours > 0;
	case SCHEDULE_AT_ONCE:
		return fmin(1, wall_hours / CALENDAR_HOURS_PER_MONTH);
	default:
		return wall_hours * cp->runs_per_month / CALENDAR_HOURS_PER_MONTH;
	}
}

double calendar_monthly_runs(const struct cost_params *cp, double wall_hours)
{
	switch (cp->schedule) {
	case SCHEDULE_BACK_TO_BACK:
		return wall_hours > 0 ? CALENDAR_HOURS_PER_MONTH / wall_hours : 0;
	case SCHEDULE_AT_ONCE:
		return fmin(1, CALENDAR_HOURS_PER_MONTH / wall_hours);
	default:
		return CALENDAR_HOURS_PER_MONTH / calendar_period_hours(cp->runs_per_month,
									 wall_hours);
	}
}

/* One lane of one replication: n runs of w hours, one every p hours from hour 0. */
struct lane {
	double p, w, n;
};

static struct lane lane_of(const struct forecast *f, unsigned rep)
{
	const struct cost_params *cp = &f->sc->costs;
	double w = f->per_rep[rep].metric[METRIC_WALL_HOURS];
	switch (cp->schedule) {
	case SCHEDULE_BACK_TO_BACK:
		return (struct lane){ w, w, w > 0 ? ceil(CALENDAR_START_HOURS / w) : 0 };
	case SCHEDULE_AT_ONCE:
		return (struct lane){ INFINITY, w, 1 };
	default: {
		double p = calendar_period_hours(cp->runs_per_month, w);
		return (struct lane){ p, w, isinf(p) ? 0 : ceil(CALENDAR_START_HOURS / p) };
	}
	}
}

/* The runs' share of a run in hours [0, t): whole runs ended, plus the part of one going. */
static double runs_before(const struct lane *l, double t)
{
	if (t <= 0 || l->n == 0)
		return 0;
	double k = floor(t / l->p);
	if (k >= l->n)
		return l->n;
	if (l->w <= 0)
		return k + 1; /* a run of no wall time falls where it starts */
	double into = k > 0 ? t - k * l->p : t; /* at-once: p is infinite */
	return k + fmin(into, l->w) / l->w;
}

static double lane_end(const struct lane *l)
{
	if (l->n == 0)
		return 0;
	return l->n > 1 ? (l->n - 1) * l->p + l->w : l->w;
}

/* Hours from start to the first instant of month i of the calendar (month 0: start's). */
static double month_edge(time_t start, long i)
{
	struct tm tm;
	gmtime_r(&start, &tm);
	long m = tm.tm_mon + i;
	long y = tm.tm_year + 1900L + m / 12;
	double at = (double)civil_days(y, m % 12 + 1, 1) * 86400;
	return i == 0 ? 0 : (at - (double)start) / 3600;
}

static size_t horizon_months(const struct forecast *f, time_t start)
{
	double end = f->sc->costs.schedule == SCHEDULE_AT_ONCE ? 0 : CALENDAR_START_HOURS;
	for (unsigned r = 0; r < f->runs; r++) {
		struct lane l = lane_of(f, r);
		end = fmax(end, lane_end(&l));
	}
	size_t n = 1;
	while (n < CALENDAR_MAX_MONTHS && month_edge(start, (long)n) < end)
		n++;
	return n;
}

/* Month row mo, hours [a, b): the replications' shares, summed into means and quantiles. */
static void fill_month(struct calendar_month *mo, const struct forecast *f, double a,
		       double b, double *tok, double *usd)
{
	double lanes = f->sc->costs.parallel_runs, busy = 0;
	for (unsigned r = 0; r < f->runs; r++) {
		const struct forecast_rep *k = &f->per_rep[r];
		struct lane l = lane_of(f, r);
		double share = (runs_before(&l, b) - runs_before(&l, a)) * lanes / f->runs;
		busy += share * l.w;
		mo->usd_api += k->cost_api * share;
		mo->usd_self_hosted += k->cost_self_hosted * share;
		mo->usd_storage += k->cost_storage * share;
		mo->usd_compute += k->cost_compute * share;
		tok[r] = k->metric[METRIC_TOKENS_TOTAL] * share * f->runs;
		usd[r] = k->metric[METRIC_COST_TOTAL] * share * f->runs;
		mo->tokens += tok[r] / f->runs;
	}
	mo->hours = b - a;
	mo->runs_active = busy / mo->hours;
	mo->usd_total = mo->usd_api + mo->usd_self_hosted + mo->usd_storage + mo->usd_compute;
	mo->tokens_p10 = stats_quantile(tok, f->runs, 0.10);
	mo->tokens_p50 = stats_quantile(tok, f->runs, 0.50);
	mo->tokens_p90 = stats_quantile(tok, f->runs, 0.90);
	mo->usd_p10 = stats_quantile(usd, f->runs, 0.10);
	mo->usd_p50 = stats_quantile(usd, f->runs, 0.50);
	mo->usd_p90 = stats_quantile(usd, f->runs, 0.90);
}

int calendar_build(struct calendar *c, const struct forecast *f, time_t start,
		   struct hc_err *err)
{
	size_t n = horizon_months(f, start);
	double *tok = malloc(f->runs * sizeof(*tok)), *usd = malloc(f->runs * sizeof(*usd));
	c->month = calloc(n, sizeof(*c->month));
	if (!tok || !usd || !c->month) {
		free(tok);
		free(usd);
		calendar_release(c);
		return hc_err_set(err, HC_ERUNTIME, "out of memory for a calendar of %zu months", n);
	}
	struct tm tm;
	gmtime_r(&start, &tm);
	for (size_t i = 0; i < n; i++) {
		struct calendar_month *mo = &c->month[i];
		long m = tm.tm_mon + (long)i;
		mo->year = (int)(tm.tm_year + 1900L + m / 12);
		mo->month = (int)(m % 12) + 1;
		fill_month(mo, f, month_edge(start, (long)i), month_edge(start, (long)i + 1), tok,
			   usd);
	}
	c->n = n;
	free(tok);
	free(usd);
	return 0;
}

void calendar_release(struct calendar *c)
{
	free(c->month);
	c->month = NULL;
	c->n = 0;
}
