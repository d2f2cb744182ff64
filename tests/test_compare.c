/*
 * compare: the paired deltas against hand arithmetic, and hypercap compare end to end: a
 * variant identical to the base gives exactly 0, a longer retention raises storage dollars
 * and nothing else, the bytes do not depend on the thread count, and usage errors.
 */
#include "model/compare.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

static const char *const names[COMPARE_METRICS] = {
	"tokens", "api_usd", "self_hosted_usd", "storage_usd", "compute_usd", "total_usd",
	"wall_hours", "monthly_api_usd", "monthly_self_hosted_usd", "monthly_storage_usd",
	"monthly_compute_usd", "monthly_total_usd",
};

/* Variant v's figure at path ("storage_usd.delta_mean") in compare.json. */
static double figure(const cJSON *root, int v, const char *path)
{
	const cJSON *variants = cJSON_GetObjectItemCaseSensitive(root, "variants");
	const cJSON *item = cJSON_GetArrayItem(variants, v);
	ck_assert_ptr_nonnull(item);
	return json_at(cJSON_GetObjectItemCaseSensitive(item, "metrics"), path);
}

/*
 * Paired differences 1, 2, 3, 4, 5: mean 3; type-7 quantiles 1 + 0.4 = 1.4 and 4 + 0.6.
 * Monthly: 2 runs a month in each of 3 lanes, the runs (100 h) shorter than the 365-hour
 * period, so 730 / 365 · 3 = 6 runs a month: every monthly figure is 6 times the run's.
 */
/* How many times needle occurs in s. */
static int count_substr(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

START_TEST(deltas_by_hand)
{
	struct forecast_rep b[5], v[5];
	memset(b, 0, sizeof(b));
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 5; i++) {
		b[i].cost_storage = i + 1;
		v[i].cost_storage = 2 * (i + 1);
		b[i].metric[METRIC_WALL_HOURS] = v[i].metric[METRIC_WALL_HOURS] = 100;
	}
	struct scenario sc;
	memset(&sc, 0, sizeof(sc));
	sc.costs.runs_per_month = 2;
	sc.costs.parallel_runs = 3;
	struct forecast fb = { .sc = &sc, .runs = 5, .seed = 9, .per_rep = b };
	struct forecast fv = { .sc = &sc, .runs = 5, .seed = 9, .per_rep = v };
	struct compare_delta d[COMPARE_METRICS];
	ck_assert_int_eq(compare_deltas(&fb, &fv, d, NULL), 0);
	ck_assert_double_eq_tol(d[COMPARE_STORAGE].base_mean, 3, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_STORAGE].variant_mean, 6, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_STORAGE].mean, 3, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_STORAGE].p10, 1.4, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_STORAGE].p90, 4.6, 1e-12);
	ck_assert(d[COMPARE_API].mean == 0 && d[COMPARE_API].p90 == 0);
	ck_assert_double_eq_tol(d[COMPARE_MONTHLY_STORAGE].base_mean, 18, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_MONTHLY_STORAGE].mean, 18, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_MONTHLY_STORAGE].p10, 6 * 1.4, 1e-12);
	ck_assert_double_eq_tol(d[COMPARE_MONTHLY_STORAGE].p90, 6 * 4.6, 1e-12);
	ck_assert(d[COMPARE_MONTHLY_API].mean == 0 && d[COMPARE_MONTHLY_TOTAL].mean == 0);
	struct compare_spread spread;
	double scratch[5];
	compare_spread(&fv, COMPARE_STORAGE, scratch, &spread);
	/* 2, 4, 6, 8, 10: mean 6, P10 2 + 0.4 · 2, P50 6, P90 8 + 0.6 · 2 */
	ck_assert_double_eq_tol(spread.mean, 6, 1e-12);
	ck_assert_double_eq_tol(spread.p10, 2.8, 1e-12);
	ck_assert_double_eq_tol(spread.p50, 6, 1e-12);
	ck_assert_double_eq_tol(spread.p90, 9.2, 1e-12);
	fv.seed = 10;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(compare_deltas(&fb, &fv, d, &err), HC_ERUNTIME);
	ck_assert_ptr_nonnull(strstr(err.msg, "seed 10"));
}
END_TEST

START_TEST(identical_variant_is_exactly_zero)
{
	struct result r = run("compare", "--set", "iterations=5", "--variant", "same",
			      "--variant", "same-again", "--set", "iterations=5", "--runs", "6",
			      "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "same-again"));
	ck_assert_ptr_nonnull(strstr(r.out, "the API is cheaper (API $"));
	ck_assert_ptr_nonnull(strstr(r.out, "a month), as for the base\n"));
	result_free(&r);
	cJSON *root = load_json("res/compare.json");
	char path[64];
	for (int v = 0; v < 2; v++) {
		for (int m = 0; m < COMPARE_METRICS; m++) {
			snprintf(path, sizeof(path), "%s.base_mean", names[m]);
			double base = figure(root, v, path);
			snprintf(path, sizeof(path), "%s.delta_mean", names[m]);
			ck_assert_msg(figure(root, v, path) == 0, "%d %s", v, path);
			snprintf(path, sizeof(path), "%s.delta_p10", names[m]);
			ck_assert_msg(figure(root, v, path) == 0, "%d %s", v, path);
			snprintf(path, sizeof(path), "%s.delta_p90", names[m]);
			ck_assert_msg(figure(root, v, path) == 0, "%d %s", v, path);
			snprintf(path, sizeof(path), "%s.variant_mean", names[m]);
			ck_assert_msg(figure(root, v, path) == base, "%d %s", v, path);
		}
	}
	ck_assert_double_eq_tol(figure(root, 0, "tokens.base_mean"), 4e6, 3e6);
	cJSON_Delete(root);
	/* the report draws every bar of both variants, each of width 0 */
	char *html = slurp(path_in("res/report.html"));
	ck_assert_ptr_nonnull(html);
	ck_assert_int_eq(count_substr(html, "<rect class=\"delta\""), 2 * 10);
	ck_assert_int_eq(count_substr(html, "width=\"0.00\""), 20);
	free(html);
}
END_TEST

START_TEST(retention_raises_storage_only)
{
	struct result r = run("compare", "--set", "iterations=5", "--set",
			      "costs.retention_months=1", "--variant", "keep-a-year", "--set",
			      "costs.retention_months=12", "--runs", "6", "--out", "res", "--quiet",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "");
	result_free(&r);
	cJSON *root = load_json("res/compare.json");
	double storage = figure(root, 0, "storage_usd.delta_mean");
	ck_assert_double_gt(storage, 0);
	ck_assert_double_gt(figure(root, 0, "storage_usd.delta_p10"), 0);
	ck_assert_double_eq_tol(figure(root, 0, "total_usd.delta_mean"), storage, 1e-12);
	ck_assert_double_eq_tol(figure(root, 0, "storage_usd.variant_mean") -
				figure(root, 0, "storage_usd.base_mean"), storage, 1e-12);
	ck_assert_double_gt(figure(root, 0, "monthly_storage_usd.delta_p10"), 0);
	/* the crossover of each: the same monthly volume, as the tokens do not move */
	const cJSON *variant = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "variants"), 0);
	ck_assert_double_gt(json_at(root, "crossover.at_scenario_volume.tokens_per_month"), 0);
	ck_assert(json_at(root, "crossover.at_scenario_volume.tokens_per_month") ==
		  json_at(variant, "crossover.at_scenario_volume.tokens_per_month"));
	ck_assert_double_eq_tol(figure(root, 0, "monthly_total_usd.delta_mean"),
				figure(root, 0, "monthly_storage_usd.delta_mean"), 1e-12);
	static const char *const unmoved[] = { "tokens", "api_usd", "compute_usd", "wall_hours",
					       "monthly_api_usd", "monthly_compute_usd" };
	char path[64];
	for (size_t i = 0; i < sizeof(unmoved) / sizeof(unmoved[0]); i++) {
		snprintf(path, sizeof(path), "%s.delta_mean", unmoved[i]);
		ck_assert_msg(figure(root, 0, path) == 0, "%s", path);
	}
	cJSON_Delete(root);
	char *csv = slurp(path_in("res/compare.csv"));
	ck_assert_ptr_nonnull(strstr(csv, "index,variant,metric,base_mean,variant_mean,"
				      "delta_mean,delta_p10,delta_p90\n1,\"keep-a-year\",tokens,"));
	ck_assert_uint_eq(count_lines(csv), 1 + COMPARE_METRICS);
	free(csv);
}
END_TEST

START_TEST(threads_do_not_change_bytes)
{
	static const char *const threads[] = { "1", "3" }, *const outs[] = { "a", "b" };
	for (int i = 0; i < 2; i++) {
		struct result r = run("compare", "--set", "iterations=5", "--variant", "two",
				      "--set", "children_per_iteration=2", "--runs", "7",
				      "--threads", threads[i], "--seed", "5", "--out", outs[i],
				      "--quiet", NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		result_free(&r);
	}
	static const char *const files[] = { "compare.csv", "compare.json" };
	for (int k = 0; k < 2; k++) {
		char pa[64], pb[64];
		snprintf(pa, sizeof(pa), "a/%s", files[k]);
		snprintf(pb, sizeof(pb), "b/%s", files[k]);
		char *a = slurp(path_in(pa)), *b = slurp(path_in(pb));
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
}
END_TEST

/* A variants file gives the same bytes as the same variants on the command line. */
START_TEST(variants_file_equals_options)
{
	write_file("variants.json", "[{\"name\": \"keep-a-year\", \"_why\": \"storage\",\n"
				    "  \"set\": {\"costs.retention_months\": 12}},\n"
				    " {\"name\": \"no-cache\", \"set\": {\"self_modification.caching\": "
				    "\"off\", \"children_per_iteration\": 2}}]\n");
	struct result r = run("compare", "--set", "iterations=4", "--set",
			      "costs.retention_months=1", "--variants", "variants.json", "--variant",
			      "same", "--runs", "3", "--out", "a", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("compare", "--set", "iterations=4", "--set", "costs.retention_months=1",
		"--variant", "keep-a-year", "--set", "costs.retention_months=12", "--variant",
		"no-cache", "--set", "self_modification.caching=\"off\"", "--set",
		"children_per_iteration=2", "--variant", "same", "--runs", "3", "--out", "b",
		"--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	static const char *const files[] = { "a/compare.csv", "b/compare.csv", "a/compare.json",
					     "b/compare.json" };
	for (int k = 0; k < 4; k += 2) {
		char *a = slurp(path_in(files[k])), *b = slurp(path_in(files[k + 1]));
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	cJSON *root = load_json("a/compare.json");
	ck_assert_double_gt(figure(root, 0, "storage_usd.delta_mean"), 0);
	ck_assert_double_gt(figure(root, 1, "api_usd.delta_mean"), 0);
	ck_assert(figure(root, 2, "total_usd.delta_mean") == 0);
	cJSON_Delete(root);
}
END_TEST

/* A bad variants file: exit 3, the file and the JSON path in the message, nothing written. */
START_TEST(bad_variants_files_exit_3)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[{\"name\": \"a\",}]", "variants.json:1:" },
		{ "{\"name\": \"a\"}", "variants.json: the top level: got {\"name\":\"a\"}; allowed: "
		  "a list of 1 to" },
		{ "[]", "variants.json: the top level: got []" },
		{ "[{\"set\": {}}]", "variants.json: [0].name: got nothing; allowed: a name of 1" },
		{ "[{\"name\": \"a\"}, {\"name\": \"a\"}]",
		  "variants.json: [1].name: got \"a\", the name of [0]" },
		{ "[{\"name\": \"x\"}]", "variants.json: [0].name: got \"x\", also given by --variant" },
		{ "[{\"name\": \"a\", \"sett\": {}}]", "variants.json: [0].sett: unknown key" },
		{ "[{\"name\": \"a\", \"set\": [1]}]", "variants.json: [0].set: got [1]; allowed: "
		  "an object" },
		{ "[{\"name\": \"a\", \"set\": {\"iterations=2\": 1}}]",
		  "variants.json: [0].set.iterations=2: got the path" },
		{ "[{\"name\": \"a\"}, {\"name\": \"b\", \"set\": {\"iterations\": -2}}]",
		  "variants.json: [1].set: variant 'b': embedded:hyperagents-paper.json: iterations: "
		  "got -2; allowed:" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file("variants.json", cases[i].text);
		struct result r = run("compare", "--variants", "variants.json", "--variant", "x",
				      "--runs", "1", "--out", "res", NULL);
		ck_assert_msg(r.status == 3, "case %zu: exit %d: %s", i, r.status, r.err);
		ck_assert_msg(strstr(r.err, cases[i].want), "case %zu: '%s' not in: %s", i,
			      cases[i].want, r.err);
		ck_assert_int_eq(exists("res"), 0);
		result_free(&r);
	}
}
END_TEST

START_TEST(usage_and_input_errors)
{
	struct result r = run("compare", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap compare [BASE.json] --variant"));
	result_free(&r);
	r = run("compare", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "at least one --variant NAME, or --variants FILE"));
	result_free(&r);
	r = run("compare", "--variant", "x", "--variant", "x", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "variant 'x' given twice"));
	result_free(&r);
	r = run("compare", "--variant", "bad", "--set", "iterations=-3", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "variant 'bad'"), "%s", r.err);
	ck_assert_int_eq(exists("res"), 0);
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, deltas_by_hand);
	tcase_add_test(tc, identical_variant_is_exactly_zero);
	tcase_add_test(tc, retention_raises_storage_only);
	tcase_add_test(tc, threads_do_not_change_bytes);
	tcase_add_test(tc, variants_file_equals_options);
	tcase_add_test(tc, bad_variants_files_exit_3);
	tcase_add_test(tc, usage_and_input_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
