/*
 * hypercap sweep end to end: the rows and their order, zip groups, a point against a plain
 * `simulate` with the point's seed and assignments, determinism, and bad grids.
 */
#include <math.h>
#include "model/forecast.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define N_METRICS 7
#define N_PARTS 9
/* The first column of part k's figures, after `first` columns of point, seed and axes. */
#define PART_COLUMN(first, k) ((first) + 4 * N_METRICS + 4 * (k))

static const char *const metrics[N_METRICS] = {
	"tokens_total", "tokens_self_modify", "tokens_evaluate", "cost_usd_total",
	"wall_time_hours", "archive_bytes", "io_bytes",
};

static const char *const parts[N_PARTS] = {
	"api_usd", "self_hosted_usd", "storage_usd", "compute_usd", "monthly_api_usd",
	"monthly_self_hosted_usd", "monthly_storage_usd", "monthly_compute_usd", "monthly_total_usd",
};

/* Field k (from 0) of line n (0: the header) of a CSV without commas inside quotes. */
static void field(const char *csv, int n, int k, char *buf, size_t size)
{
	const char *p = csv;
	for (int i = 0; i < n; i++) {
		p = strchr(p, '\n');
		ck_assert_msg(p != NULL, "no line %d in\n%s", n, csv);
		p++;
	}
	for (int i = 0; i < k; i++) {
		p = strpbrk(p, ",\n");
		ck_assert_msg(p && *p == ',', "no field %d on line %d", k, n);
		p++;
	}
	size_t len = strcspn(p, ",\n");
	ck_assert_uint_lt(len, size);
	memcpy(buf, p, len);
	buf[len] = '\0';
}

static double number_at(const char *csv, int n, int k)
{
	char buf[64], *end;
	field(csv, n, k, buf, sizeof(buf));
	double v = strtod(buf, &end);
	ck_assert_msg(*buf && !*end, "line %d field %d: '%s' is not a number", n, k, buf);
	return v;
}

static void assert_field(const char *csv, int n, int k, const char *want)
{
	char buf[128];
	field(csv, n, k, buf, sizeof(buf));
	ck_assert_msg(!strcmp(buf, want), "line %d field %d: got '%s', want '%s'", n, k, buf,
		      want);
}

static char *sweep_ok(const char *grid, const char *runs, const char *out)
{
	struct result r = run("sweep", grid, "--runs", runs, "--threads", "2", "--out", out,
			      "--quiet", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	result_free(&r);
	char name[64];
	snprintf(name, sizeof(name), "%s/sweep.csv", out);
	char *csv = slurp(path_in(name));
	ck_assert_ptr_nonnull(csv);
	return csv;
}

START_TEST(help_and_usage)
{
	struct result r = run("sweep", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap sweep GRID.json"));
	ck_assert_ptr_nonnull(strstr(r.out, "zip"));
	result_free(&r);
	r = run("sweep", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "expected a grid file"));
	result_free(&r);
	r = run("--help", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "sweep"));
	result_free(&r);
}
END_TEST

/* Two axes of 2 and 3 values: 6 rows, the last axis fastest, the header in column order. */
START_TEST(rows_in_documented_order)
{
	write_file("grid.json", "{\"set\": {\"iterations\": 4},\n"
				"\"grid\": {\"children_per_iteration\": [1, 2],\n"
				"\"domains.paper_review.full_tasks\": [30, 60, 90]}}\n");
	char *csv = sweep_ok("grid.json", "2", "res");
	ck_assert_uint_eq(count_lines(csv), 7);
	assert_field(csv, 0, 0, "point");
	assert_field(csv, 0, 1, "seed");
	assert_field(csv, 0, 2, "\"children_per_iteration\"");
	assert_field(csv, 0, 3, "\"domains.paper_review.full_tasks\"");
	static const char *const stat[] = { "mean", "p10", "p50", "p90" };
	for (int m = 0; m < N_METRICS; m++)
		for (int s = 0; s < 4; s++) {
			char want[64];
			snprintf(want, sizeof(want), "%s_%s", metrics[m], stat[s]);
			assert_field(csv, 0, 4 + 4 * m + s, want);
		}
	static const int children[] = { 1, 1, 1, 2, 2, 2 }, tasks[] = { 30, 60, 90, 30, 60, 90 };
	for (int p = 0; p < 6; p++) {
		ck_assert_double_eq(number_at(csv, p + 1, 0), p);
		ck_assert_double_eq(number_at(csv, p + 1, 2), children[p]);
		ck_assert_double_eq(number_at(csv, p + 1, 3), tasks[p]);
		assert_field(csv, p + 1, 1, "1"); /* every point: the --seed */
	}
	for (int k = 0; k < N_PARTS; k++)
		for (int s = 0; s < 4; s++) {
			char want[64];
			snprintf(want, sizeof(want), "%s_%s", parts[k], stat[s]);
			assert_field(csv, 0, PART_COLUMN(4, k) + s, want);
		}
	/* more evaluation tasks cost more tokens: the values reached the scenario */
	ck_assert_double_lt(number_at(csv, 1, 4 + 4 * 2), number_at(csv, 3, 4 + 4 * 2));
	cJSON *g = load_json("res/grid.json");
	ck_assert_double_eq(json_at(g, "points"), 6);
	ck_assert_double_eq(json_at(g, "runs"), 2);
	ck_assert_double_eq(json_at(g, "set.iterations"), 4);
	cJSON_Delete(g);
	free(csv);
}
END_TEST

/* A zip group's lists advance together: 3 pairs × 2 grid values = 6 points, never crossed. */
START_TEST(zip_lists_advance_together)
{
	write_file("grid.json", "{\"set\": {\"iterations\": 3},\n"
				"\"zip\": [{\"domains.paper_review.screen_tasks\": [5, 10, 20],\n"
				"  \"domains.paper_review.model\": [\"gpt-4o\", \"claude-sonnet-4-5\","
				" \"gpt-4o\"]}],\n"
				"\"grid\": {\"children_per_iteration\": [1, 2]}}\n");
	char *csv = sweep_ok("grid.json", "1", "res");
	ck_assert_uint_eq(count_lines(csv), 7);
	/* "grid" comes before "zip" whatever the file's order */
	assert_field(csv, 0, 2, "\"children_per_iteration\"");
	assert_field(csv, 0, 3, "\"domains.paper_review.screen_tasks\"");
	assert_field(csv, 0, 4, "\"domains.paper_review.model\"");
	static const int screen[] = { 5, 10, 20 };
	static const char *const model[] = { "\"gpt-4o\"", "\"claude-sonnet-4-5\"", "\"gpt-4o\"" };
	for (int p = 0; p < 6; p++) {
		ck_assert_double_eq(number_at(csv, p + 1, 2), 1 + p / 3);
		ck_assert_double_eq(number_at(csv, p + 1, 3), screen[p % 3]);
		assert_field(csv, p + 1, 4, model[p % 3]);
	}
	free(csv);
}
END_TEST

/* Point 3 equals `simulate --seed 7` with the point's assignments: common random numbers. */
START_TEST(point_equals_plain_simulate)
{
	write_file("grid.json", "{\"set\": {\"iterations\": 5},\n"
				"\"grid\": {\"domains.paper_review.full_tasks\": [20, 40],\n"
				"\"children_per_iteration\": [1, 2]}}\n");
	struct result r = run("sweep", "grid.json", "--runs", "3", "--seed", "7", "--out", "res",
			      "--quiet", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	result_free(&r);
	char *csv = slurp(path_in("res/sweep.csv"));
	ck_assert_ptr_nonnull(csv);
	assert_field(csv, 4, 1, "7");
	r = run("simulate", "--runs", "3", "--seed", "7", "--set", "iterations=5", "--set",
		"domains.paper_review.full_tasks=40", "--set", "children_per_iteration=2",
		"--out", "plain", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	result_free(&r);
	cJSON *s = load_json("plain/summary.json");
	static const char *const stat[] = { "mean", "p10", "p50", "p90" };
	for (int m = 0; m < N_METRICS; m++)
		for (int k = 0; k < 4; k++) {
			char key[96];
			snprintf(key, sizeof(key), "quantiles.%s.%s", metrics[m], stat[k]);
			double want = json_at(s, key), got = number_at(csv, 4, 4 + 4 * m + k);
			/* counts (tokens, bytes) as whole numbers: rounded, never 1.2e+10 */
			int count = metric_is_count((enum metric)m);
			if (count)
				ck_assert_msg(got == floor(got), "%s: %.17g", key, got);
			ck_assert_msg(fabs(got - want) <= (count ? 0.5 : 1e-9 * fabs(want)),
				      "%s: sweep %.17g, simulate %.17g", key, got, want);
		}
	/* the parts of the bill against summary.json's means; monthly: times monthly.runs,
	 * the same in every replication here (the runs are far shorter than their period) */
	static const char *const cost_keys[] = { "cost_usd.api", "cost_usd.self_hosted",
						 "cost_usd.storage", "cost_usd.compute" };
	double runs_per_month = json_at(s, "monthly.runs"), sum = 0;
	for (int k = 0; k < 4; k++) {
		double want = json_at(s, cost_keys[k]), got = number_at(csv, 4, PART_COLUMN(4, k));
		ck_assert_msg(fabs(got - want) <= 1e-9 * fabs(want), "%s: sweep %.17g, simulate "
			      "%.17g", cost_keys[k], got, want);
		double monthly = number_at(csv, 4, PART_COLUMN(4, 4 + k));
		ck_assert_msg(fabs(monthly - want * runs_per_month) <= 1e-9 * fabs(monthly) + 1e-12,
			      "monthly %s: %.17g, %.17g x %.17g", cost_keys[k], monthly, want,
			      runs_per_month);
		sum += monthly;
	}
	double total = number_at(csv, 4, PART_COLUMN(4, 8));
	ck_assert_double_eq_tol(total, json_at(s, "monthly.cost_usd"), 1e-9 * total);
	ck_assert_double_eq_tol(sum, total, 1e-9 * total);
	cJSON_Delete(s);
	free(csv);
}
END_TEST

/*
 * Common random numbers: keeping the archive 12 months instead of 1 raises the storage
 * dollars, per run and per month, at every quantile, and leaves every other figure of the
 * row identical to the last digit (retention draws nothing).
 */
START_TEST(retention_moves_storage_only)
{
	write_file("grid.json", "{\"set\": {\"iterations\": 5},\n"
				"\"grid\": {\"costs.retention_months\": [1, 12]}}\n");
	char *csv = sweep_ok("grid.json", "6", "res");
	ck_assert_uint_eq(count_lines(csv), 3);
	const int first = 3, storage = 2, monthly_storage = 6, monthly_total = 8;
	for (int k = 0; k < N_PARTS; k++) {
		int moved = k == storage || k == monthly_storage || k == monthly_total;
		for (int s = 0; s < 4; s++) {
			int c = PART_COLUMN(first, k) + s;
			double one = number_at(csv, 1, c), twelve = number_at(csv, 2, c);
			if (moved)
				ck_assert_msg(twelve > one, "%s[%d]: %.17g <= %.17g", parts[k], s,
					      twelve, one);
			else
				ck_assert_msg(twelve == one, "%s[%d]: %.17g != %.17g", parts[k], s,
					      twelve, one);
		}
	}
	/* of the metrics, only the total cost moves */
	for (int m = 0; m < N_METRICS; m++)
		for (int s = 0; s < 4; s++) {
			int c = first + 4 * m + s;
			double one = number_at(csv, 1, c), twelve = number_at(csv, 2, c);
			if (m == 3)
				ck_assert_double_gt(twelve, one);
			else
				ck_assert_msg(twelve == one, "%s[%d]", metrics[m], s);
		}
	free(csv);
}
END_TEST

/* Same seed, same bytes for any thread count; another seed, other figures. */
START_TEST(deterministic)
{
	write_file("grid.json", "{\"scenario\": \"sub/../preset.json\", \"set\": {\"iterations\": 3},"
				" \"grid\": {\"children_per_iteration\": [1, 2]}}");
	char *preset = slurp(SOURCE_DIR "/data/scenarios/dgm-polyglot.json");
	ck_assert_ptr_nonnull(preset);
	write_file("preset.json", preset);
	free(preset);
	ck_assert_int_eq(mkdir(path_in("sub"), 0755), 0);
	struct result r = run("sweep", "grid.json", "--runs", "4", "--threads", "1", "--out", "a",
			      "--quiet", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	result_free(&r);
	r = run("sweep", "grid.json", "--runs", "4", "--threads", "3", "--out", "b", "--quiet",
		NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	r = run("sweep", "grid.json", "--runs", "4", "--seed", "2", "--out", "c", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	char *a = slurp(path_in("a/sweep.csv")), *b = slurp(path_in("b/sweep.csv"));
	char *c = slurp(path_in("c/sweep.csv"));
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	cJSON *g = load_json("a/grid.json");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(g, "scenario");
	ck_assert_str_eq(sc->valuestring, "sub/../preset.json");
	cJSON_Delete(g);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* Each bad grid: exit 3, a message with the file, the JSON path or line, nothing written. */
START_TEST(bad_grids_exit_3)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"grid\": {\"iterations\": [1,}}", "grid.json:1:" },
		{ "[1, 2]", "grid.json: the top level: got [1,2]; allowed: an object" },
		{ "{\"grid\": {\"iterations\": [1]}, \"grdi\": {}}",
		  "grid.json: grdi: unknown key; allowed: scenario, set, grid, zip" },
		{ "{\"grid\": {\"iterations\": 5}}",
		  "grid.json: grid.iterations: got 5; allowed: a non-empty list" },
		{ "{\"grid\": {\"iterations\": []}}", "grid.json: grid.iterations: got []" },
		{ "{\"set\": {\"iterations\": 2}}", "grid.json: got no list of values" },
		{ "{\"grid\": {\"iterations=2\": [1]}}", "grid.json: grid.iterations=2: got the path" },
		{ "{\"grid\": {\"iterations\": [2, 3]}, \"zip\": [{\"iterations\": [4]}]}",
		  "grid.json: zip[0].iterations: the path is also in grid" },
		{ "{\"zip\": [{\"iterations\": [2, 3], \"children_per_iteration\": [1]}]}",
		  "grid.json: zip[0].children_per_iteration: got 1 values; allowed: as many as "
		  "zip[0].iterations (2)" },
		{ "{\"grid\": {\"iterations\": [2, -1]}}",
		  "grid.json: grid.iterations[1]: embedded:hyperagents-paper.json: iterations: got -1" },
		{ "{\"grid\": {\"iterations\": [2]}, \"set\": {\"evaluation\": \"sometimes\"}}",
		  "grid.json: set: embedded:hyperagents-paper.json: evaluation: got \"sometimes\"" },
		{ "{\"grid\": {\"domains.nowhere.full_tasks\": [2]}}",
		  "grid.json: grid.domains.nowhere.full_tasks[0]: --set domains.nowhere.full_tasks: "
		  "no element 'nowhere.full_tasks'" },
		{ "{\"scenario\": \"missing.json\", \"grid\": {\"iterations\": [2]}}",
		  "grid.json: scenario: cannot open './missing.json'" },
		{ "{\"grid\": {\"iterations\": [2]}, \"zip\": [{\"self_modification.model\": "
		  "[\"claude-sonnet-4-5\", \"no-such-model\"]}]}",
		  "grid.json: zip[0], value [1] of each list: " },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file("grid.json", cases[i].text);
		struct result r = run("sweep", "./grid.json", "--runs", "1", "--out", "res", NULL);
		ck_assert_msg(r.status == 3, "case %zu: exit %d: %s", i, r.status, r.err);
		ck_assert_msg(strstr(r.err, cases[i].want), "case %zu: '%s' not in: %s", i,
			      cases[i].want, r.err);
		ck_assert_int_eq(exists("res"), 0);
		ck_assert_int_eq(count_prefixed("res."), 0);
		result_free(&r);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, help_and_usage);
	tcase_add_test(tc, rows_in_documented_order);
	tcase_add_test(tc, zip_lists_advance_together);
	tcase_add_test(tc, point_equals_plain_simulate);
	tcase_add_test(tc, retention_moves_storage_only);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, bad_grids_exit_3);
	suite_add_tcase(s, tc);
	return check_run(s);
}
