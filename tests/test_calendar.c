/*
 * test_calendar: a forecast laid on calendar months against closed forms. A lane of runs of
 * wall time W started every P = max(730 / runs_per_month, W) hours holds, in a month of H
 * hours wholly inside its runs' span, H / P runs' worth of tokens and dollars; back-to-back,
 * P = W; at-once, one run a lane, split between the months it spans by their hours.
 */
#include <check.h>
#include <math.h>
#include <time.h>

#include "model/calendar.h"
#include "model/forecast.h"
#include "model/scenario.h"
#include "tests/check_main.h"

#define JAN_2027 1798761600 /* 2027-01-01T00:00:00Z */

/* A forecast of one replication (or two, the second costing twice as much), by hand. */
static void fake(struct forecast *f, struct scenario *sc, struct forecast_rep *rep,
		 unsigned runs, double wall_hours, double runs_per_month, double parallel)
{
	sc->costs.runs_per_month = runs_per_month;
	sc->costs.parallel_runs = parallel;
	for (unsigned r = 0; r < runs; r++) {
		rep[r].metric[METRIC_WALL_HOURS] = wall_hours;
		rep[r].metric[METRIC_TOKENS_TOTAL] = 1e6 * (r + 1);
		rep[r].metric[METRIC_COST_TOTAL] = 100 * (r + 1);
		rep[r].cost_api = 60 * (r + 1);
		rep[r].cost_compute = 40 * (r + 1);
	}
	f->sc = sc;
	f->runs = runs;
	f->per_rep = rep;
}

static void build(struct calendar *c, const struct forecast *f)
{
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(calendar_build(c, f, JAN_2027, &err), 0);
}

/* A 111-day run, one a month on one lane: the lane is busy 3.65 months a month, so a run
 * starts every 111 days and January holds 744 / (111 · 24) of its cost, not the whole. */
START_TEST(test_long_run_per_month)
{
	struct scenario sc = { 0 };
	struct forecast_rep rep[1] = { 0 };
	struct forecast f = { 0 };
	struct calendar c = CALENDAR_INIT;
	double w = 111 * 24;
	fake(&f, &sc, rep, 1, w, 1, 1);
	ck_assert_double_eq_tol(calendar_busy_share(&sc.costs, w), w / 730, 1e-12);
	ck_assert_double_eq_tol(calendar_period_hours(1, w), w, 1e-12);
	build(&c, &f);
	ck_assert_int_eq(c.month[0].year, 2027);
	ck_assert_int_eq(c.month[0].month, 1);
	ck_assert_double_eq_tol(c.month[0].hours, 744, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_total, 100 * 744 / w, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_api, 60 * 744 / w, 1e-9);
	ck_assert_double_eq_tol(c.month[0].tokens, 1e6 * 744 / w, 1e-6);
	ck_assert_double_eq_tol(c.month[1].usd_total, 100 * 672 / w, 1e-9); /* February */
	ck_assert_double_eq_tol(c.month[0].runs_active, 1, 1e-12);
	/* runs start until hour 8,760: at 0, W, 2W, 3W; the last ends at 4W = 444 days */
	ck_assert_uint_eq(c.n, 15); /* 2027-01 to 2028-03 */
	double sum = 0;
	for (size_t i = 0; i < c.n; i++)
		sum += c.month[i].usd_total;
	ck_assert_double_eq_tol(sum, 4 * 100, 1e-6);
	calendar_release(&c);
}
END_TEST

/* A run of 100 hours, one a month (every 730 hours), on 2 lanes: January's 744 hours hold
 * the first run and 14 hours of the second on each lane: 2 · 1.14 runs. Two replications
 * costing 100 and 200: the mean is 150 a run, P10 and P90 within the two. */
START_TEST(test_short_runs_two_lanes)
{
	struct scenario sc = { 0 };
	struct forecast_rep rep[2] = { 0 };
	struct forecast f = { 0 };
	struct calendar c = CALENDAR_INIT;
	fake(&f, &sc, rep, 2, 100, 1, 2);
	build(&c, &f);
	ck_assert_double_eq_tol(c.month[0].usd_total, 2 * 1.14 * 150, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_compute, 2 * 1.14 * 60, 1e-9);
	ck_assert_double_eq_tol(c.month[0].runs_active, 2 * 114.0 / 744, 1e-12);
	ck_assert_double_eq_tol(c.month[0].usd_p10, 2 * 1.14 * 110, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_p90, 2 * 1.14 * 190, 1e-9);
	ck_assert_uint_eq(c.n, 12); /* the twelfth run starts at hour 8,030 and ends in Dec. */
	calendar_release(&c);
}
END_TEST

/* Back-to-back, a run of W = 100 hours and $100 on one lane, runs_per_month ignored: a run
 * every 100 hours, so a 730-hour month holds cost · 730 / W = $730 and January's 744 hours
 * $744; runs start until hour 8,760 (88 of them), the last ends at hour 8,800, in 2028-01. */
START_TEST(test_back_to_back)
{
	struct scenario sc = { 0 };
	struct forecast_rep rep[1] = { 0 };
	struct forecast f = { 0 };
	struct calendar c = CALENDAR_INIT;
	fake(&f, &sc, rep, 1, 100, 0.5, 1);
	sc.costs.schedule = SCHEDULE_BACK_TO_BACK;
	ck_assert_double_eq_tol(calendar_monthly_runs(&sc.costs, 100) * 100, 100 * 730 / 100.0,
				1e-9);
	ck_assert_double_eq(calendar_busy_share(&sc.costs, 100), 1);
	build(&c, &f);
	ck_assert_double_eq_tol(c.month[0].usd_total, 744, 1e-9);
	ck_assert_double_eq_tol(c.month[1].usd_total, 672, 1e-9);
	ck_assert_double_eq_tol(c.month[5].runs_active, 1, 1e-12);
	ck_assert_uint_eq(c.n, 13);
	ck_assert_double_eq_tol(c.month[12].usd_total, 40, 1e-9); /* hours 8,760 to 8,800 */
	double sum = 0;
	for (size_t i = 0; i < c.n; i++)
		sum += c.month[i].usd_total;
	ck_assert_double_eq_tol(sum, 88 * 100, 1e-6);
	calendar_release(&c);
}
END_TEST

/* The third replication of test_at_once: $900 ($500 API, $400 compute), 9M tokens. */
static void skew(struct forecast_rep *k)
{
	k->metric[METRIC_COST_TOTAL] = 900;
	k->metric[METRIC_TOKENS_TOTAL] = 9e6;
	k->cost_api = 500;
	k->cost_compute = 400;
}

/* At once, 2 runs of W = 1,000 hours started at --start and no more: January's 744 hours
 * hold 0.744 of each, February the other 0.256, and nothing after. Three replications
 * costing $100, $200 and $900 (tokens 1M, 2M, 9M): the mean is $400 a run, the median $200.
 * The steady state is a 730-hour month while the runs go: 730 / 1,000 of a run per lane. */
START_TEST(test_at_once)
{
	struct scenario sc = { 0 };
	struct forecast_rep rep[3] = { 0 };
	struct forecast f = { 0 };
	struct calendar c = CALENDAR_INIT;
	fake(&f, &sc, rep, 3, 1000, 5, 2);
	skew(&rep[2]);
	sc.costs.schedule = SCHEDULE_AT_ONCE;
	ck_assert_double_eq_tol(calendar_monthly_runs(&sc.costs, 1000), 0.73, 1e-12);
	ck_assert_double_eq_tol(calendar_monthly_runs(&sc.costs, 100), 1, 1e-12);
	ck_assert_double_eq_tol(calendar_busy_share(&sc.costs, 1000), 1, 1e-12);
	ck_assert_double_eq_tol(calendar_busy_share(&sc.costs, 73), 0.1, 1e-12);
	build(&c, &f);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_double_eq_tol(c.month[0].usd_total, 2 * 0.744 * 400, 1e-9);
	ck_assert_double_eq_tol(c.month[1].usd_total, 2 * 0.256 * 400, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_api, 2 * 0.744 * (60 + 120 + 500) / 3.0, 1e-9);
	ck_assert_double_eq_tol(c.month[0].usd_p50, 2 * 0.744 * 200, 1e-9);
	ck_assert_double_eq_tol(c.month[1].tokens_p50, 2 * 0.256 * 2e6, 1e-6);
	ck_assert_double_eq_tol(c.month[0].runs_active, 2, 1e-12);
	ck_assert_double_eq_tol(c.month[1].runs_active, 2 * 256.0 / 672, 1e-12);
	calendar_release(&c);
}
END_TEST

/* No runs a month: a year of empty months, nothing divided by zero. */
START_TEST(test_no_runs)
{
	struct scenario sc = { 0 };
	struct forecast_rep rep[1] = { 0 };
	struct forecast f = { 0 };
	struct calendar c = CALENDAR_INIT;
	fake(&f, &sc, rep, 1, 10, 0, 1);
	ck_assert(isinf(calendar_period_hours(0, 10)));
	build(&c, &f);
	ck_assert_uint_eq(c.n, 12);
	ck_assert_double_eq(c.month[11].usd_total, 0);
	ck_assert_double_eq(c.month[11].runs_active, 0);
	calendar_release(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("calendar");
	check_add(s, "long_run_per_month", test_long_run_per_month, 10);
	check_add(s, "short_runs_two_lanes", test_short_runs_two_lanes, 10);
	check_add(s, "back_to_back", test_back_to_back, 10);
	check_add(s, "at_once", test_at_once, 10);
	check_add(s, "no_runs", test_no_runs, 10);
	return check_run(s);
}
