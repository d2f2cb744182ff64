/*
 * calendar: a forecast laid on a calendar (docs/costs.md, "Monthly burn"). costs.parallel_runs
 * lanes start runs by costs.schedule: cadence, a run every 730 / costs.runs_per_month hours
 * but never before the lane's previous run ends, so every max(730 / runs_per_month, W) hours
 * (its period), W the run's wall time; back-to-back, a run every W hours; at-once, one run at
 * the start. Cadence and back-to-back lanes start runs for CALENDAR_START_HOURS. A run's
 * tokens and dollars are spread evenly over its wall time; a calendar month holds what falls
 * in it. Every run on the calendar is the replication being laid out, so figures are means
 * (and P10 / P50 / P90) over replications.
 */
#ifndef MODEL_CALENDAR_H
#define MODEL_CALENDAR_H

#include <stddef.h>
#include <time.h>
#include "base/hc_err.h"

struct forecast;

#define CALENDAR_HOURS_PER_MONTH 730.0     /* 8,760 / 12: a month of the steady state */
#define CALENDAR_START_HOURS 8760.0        /* runs started in the first year are laid out */
#define CALENDAR_MAX_MONTHS 1200           /* the horizon ends after 100 years at most */

#include "model/scenario.h"

/* A cadence lane's hours between starts: max(730 / runs_per_month, wall_hours); INFINITY for
 * 0 runs. */
double calendar_period_hours(double runs_per_month, double wall_hours);

/*
 * The share of a 730-hour month a lane is busy: cadence, wall_hours · runs_per_month / 730
 * (above 1 the schedule cannot be kept and runs start later than it says); back-to-back, 1
 * (0 for runs of no wall time); at-once, min(1, wall_hours / 730), the month the runs start.
 */
double calendar_busy_share(const struct cost_params *cp, double wall_hours);

/*
 * Runs' worth one lane holds in a 730-hour month of its steady state: cadence, 730 / period;
 * back-to-back, 730 / wall_hours (0 for runs of no wall time); at-once, a month while the
 * runs go, min(1, 730 / wall_hours).
 */
double calendar_monthly_runs(const struct cost_params *cp, double wall_hours);

/* One calendar month (UTC) of the horizon: sums over the lanes, means over replications. */
struct calendar_month {
	int year, month;            /* month 1 to 12 */
	double hours;               /* of the month on the calendar (the first starts at start) */
	double runs_active;         /* loops running, on average over the month's hours */
	double tokens, usd_api, usd_self_hosted, usd_storage, usd_compute, usd_total;
	/* across replications */
	double tokens_p10, tokens_p50, tokens_p90, usd_p10, usd_p50, usd_p90;
};

struct calendar {
	struct calendar_month *month; /* n */
	size_t n;
};

#define CALENDAR_INIT { NULL, 0 }

/*
 * Lays f's replications (f->per_rep) on the calendar that starts at start (UTC seconds, the
 * runs' first start): every run started in the first CALENDAR_START_HOURS (at-once: the
 * runs started at start), one row per calendar month until the last of them ends (at least
 * the months of the first year but for at-once, at most CALENDAR_MAX_MONTHS). HC_ERUNTIME
 * when memory runs out.
 */
int calendar_build(struct calendar *c, const struct forecast *f, time_t start,
		   struct hc_err *err);
void calendar_release(struct calendar *c);

#endif
