/*
 * test_series: timeseries.csv, archive.csv and montecarlo.csv (reports/series.c) against
 * hand-built timelines and against the totals summary.json reports.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/forecast.h"
#include "model/prices.h"
#include "reports/series.h"
#include "tests/check_main.h"
#include "tests/scenario_text.h"

static struct price_sheet ps;

static void load_sheet(void)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_msg(price_sheet_load(&ps, NULL, &err) == 0, "embedded sheet: %s", err.msg);
}

static void release_sheet(void)
{
	price_sheet_release(&ps);
}

/*
 * One task of three calls (prompt 1000, output 100: inputs 1000, 1100, 1200), each taking
 * 1800 s (time to first token), on 2 workers, gpt-4o limited to 10 requests a minute. Calls
 * start at 0, 1800 and 3600 s; the run ends at 5400 s.
 */
static const char *const SLOW =
	"{ 'name': 'slow', 'iterations': 0, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 1,"
	"    'prompt_tokens': 10, 'output_tokens': 10 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'screen_tasks': 1, 'full_tasks': 1,"
	"      'eval_workers': 2, 'sandbox_seconds': 0,"
	"      'task': { 'calls': 3, 'prompt_tokens': 1000, 'output_tokens': 100 } } ],"
	"  'models': [ { 'name': 'gpt-4o', 'ttft_seconds': 1800, 'decode_tokens_per_second': 1e9,"
	"                'requests_per_minute': 10 } ] }";

/* A small loop with two children per iteration, for the archive and Monte Carlo files. */
static const char *const LOOP =
	"{ 'name': 'loop', 'iterations': 6, 'children_per_iteration': 2, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 2,"
	"    'prompt_tokens': 100, 'output_tokens': { 'dist': 'exponential', 'mean': 50 },"
	"    'patch_bytes': { 'dist': 'exponential', 'mean': 5000 } },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'screen_tasks': 1, 'full_tasks': 3,"
	"      'task': { 'calls': 1, 'prompt_tokens': 100, 'output_tokens': 10 } } ] }";

/* The whole output of writer as a string (caller frees). */
static char *write_to_string(int (*writer)(FILE *, const struct forecast *),
			     const struct forecast *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(writer(out, f), 0);
	fclose(out);
	return buf;
}

/* Cell (row, col) of CSV text without quoted commas, as a number; NAN when empty. */
static double cell(const char *csv, int row, int col)
{
	const char *p = csv;
	for (int r = 0; r < row; r++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	for (int c = 0; c < col; c++) {
		p += strcspn(p, ",\n");
		ck_assert_int_eq(*p, ',');
		p++;
	}
	return *p == ',' || *p == '\n' ? NAN : strtod(p, NULL);
}

static int lines(const char *csv)
{
	int n = 0;
	for (; *csv; csv++)
		n += *csv == '\n';
	return n;
}

static void forecast(struct forecast *f, const struct scenario *sc, unsigned runs)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_msg(forecast_run(f, sc, &ps, runs, 2, 3, NULL, NULL, &err) == 0,
		      "forecast: %s", err.msg);
}

START_TEST(test_timeseries_hours)
{
	struct scenario sc;
	struct forecast f;

	scenario_text(&sc, SLOW, NULL);
	forecast(&f, &sc, 1);
	ck_assert_double_eq_tol(f.reps[0].wall_seconds, 5400, 1e-6);
	char *csv = write_to_string(series_write_timeseries, &f);
	const char *header = "hour,self_modify_tokens,evaluate_tokens,"
			     "\"claude-sonnet-4-5_tokens\",\"gpt-4o_tokens\",api_usd,"
			     "api_usd_cumulative,eval_workers_utilisation,eval_workers_queue,"
			     "\"api:claude-sonnet-4-5_utilisation\",\"api:claude-sonnet-4-5_queue\","
			     "\"api:gpt-4o_utilisation\",\"api:gpt-4o_queue\"\n";
	ck_assert_msg(!strncmp(csv, header, strlen(header)), "header: %s", csv);
	ck_assert_int_eq(lines(csv), 3);                 /* the header and two hours */
	ck_assert_double_eq(cell(csv, 1, 2), 1100 + 1200); /* calls at 0 and 1800 s */
	ck_assert_double_eq(cell(csv, 2, 2), 1300);
	ck_assert_double_eq(cell(csv, 1, 4), 2300);
	ck_assert_double_eq(cell(csv, 1, 3), 0);         /* no self-modification */
	const struct price *p = f.models.prices[f.models.domain[0]];
	double usd0 = (2100 * p->input + 200 * p->output) / 1e6;
	ck_assert_double_eq_tol(cell(csv, 1, 5), usd0, 1e-9);
	ck_assert_double_eq_tol(cell(csv, 2, 6), f.mean.cost_api, 1e-9);
	/* one of two workers busy all along; nobody waits */
	ck_assert_double_eq_tol(cell(csv, 1, 7), 0.5, 1e-9);
	ck_assert_double_eq_tol(cell(csv, 2, 7), 0.5, 1e-6);
	ck_assert_double_eq(cell(csv, 1, 8), 0);
	ck_assert(isnan(cell(csv, 1, 9)));               /* claude: no limit */
	/* 2 requests of 10 a minute over 60 minutes, then 1 over the last 30 */
	ck_assert_double_eq_tol(cell(csv, 1, 11), 2.0 / 600, 1e-12);
	ck_assert_double_eq_tol(cell(csv, 2, 11), 1.0 / 300, 1e-9);
	ck_assert_double_eq(cell(csv, 1, 12), 0);
	free(csv);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/* A rate limit of one request a minute makes the second and third calls wait. */
START_TEST(test_timeseries_queue)
{
	struct scenario sc;
	struct forecast f;

	scenario_text(&sc, SLOW, "models.gpt-4o.ttft_seconds=0", "models.gpt-4o.requests_per_minute=1",
		      NULL);
	forecast(&f, &sc, 1);
	/* the bucket starts full (one request); calls 2 and 3 wait 60 s each */
	ck_assert_double_eq_tol(f.reps[0].wall_seconds, 120, 1e-6);
	char *csv = write_to_string(series_write_timeseries, &f);
	ck_assert_int_eq(lines(csv), 2);
	ck_assert_double_eq_tol(cell(csv, 1, 12), (60 + 60) / 120.0, 1e-6);
	ck_assert_double_eq_tol(cell(csv, 1, 11), 3 / (1 * 120.0 / 60), 1e-6);
	free(csv);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_archive_csv)
{
	struct scenario sc;
	struct forecast f;

	scenario_text(&sc, LOOP, NULL);
	forecast(&f, &sc, 5);
	struct series_archive a;
	ck_assert_int_eq(series_archive_init(&a, &f), 0);
	for (unsigned rep = 0; rep < f.runs; rep++)
		series_archive_add(&a, rep, &f.reps[rep]);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(series_write_archive(out, &a), 0);
	fclose(out);
	series_archive_release(&a);
	char *csv = buf;
	ck_assert_int_eq(lines(csv), 1 + 7);
	for (int it = 0; it <= 6; it++) {
		ck_assert_double_eq(cell(csv, 1 + it, 0), it);
		ck_assert_double_eq(cell(csv, 1 + it, 1), 1 + 2 * it);
		ck_assert(cell(csv, 1 + it, 3) <= cell(csv, 1 + it, 2) + 1e-6);
		ck_assert(cell(csv, 1 + it, 4) >= cell(csv, 1 + it, 2) - 1e-6);
		/* nodes and bytes, means of counts, are whole numbers (docs/output.md) */
		static const int counts[] = { 1, 2, 3, 4, 7, 8 };
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
			double v = cell(csv, 1 + it, counts[k]);
			ck_assert_msg(v == floor(v), "row %d column %d: %.17g", it, counts[k], v);
		}
	}
	/* the last row is the run's end: the archive's bytes and all checkout I/O */
	ck_assert_double_eq_tol(cell(csv, 7, 2), f.mean.archive_bytes, 1e-6 * f.mean.archive_bytes);
	ck_assert_double_eq_tol(cell(csv, 7, 8), f.mean.io_bytes, 1e-6 * f.mean.io_bytes);
	ck_assert_double_eq_tol(cell(csv, 7, 5), f.mean.max_depth, 1e-9);
	free(csv);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_montecarlo_csv)
{
	struct scenario sc;
	struct forecast f;

	scenario_text(&sc, LOOP, NULL);
	forecast(&f, &sc, 5);
	char *csv = write_to_string(series_write_montecarlo, &f);
	ck_assert_int_eq(lines(csv), 1 + 5);
	double mean = 0;
	for (int rep = 0; rep < 5; rep++) {
		double total = cell(csv, 1 + rep, 4);
		double parts = cell(csv, 1 + rep, 8) + cell(csv, 1 + rep, 9) +
			       cell(csv, 1 + rep, 10) + cell(csv, 1 + rep, 11);
		ck_assert_double_eq_tol(total, parts, 1e-6 * total);
		mean += total / 5;
		for (int m = 0; m < METRIC_COUNT; m++) { /* tokens and bytes: whole numbers */
			double v = cell(csv, 1 + rep, 1 + m);
			if (metric_is_count((enum metric)m))
				ck_assert_msg(v == floor(v), "%s: %.17g", metric_name(m), v);
		}
	}
	ck_assert_double_eq_tol(mean, f.mean.cost_total, 1e-6 * mean);
	free(csv);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, load_sheet, release_sheet);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("series");

	add(s, "timeseries_hours", test_timeseries_hours);
	add(s, "timeseries_queue", test_timeseries_queue);
	add(s, "archive_csv", test_archive_csv);
	add(s, "montecarlo_csv", test_montecarlo_csv);
	return check_run(s);
}
