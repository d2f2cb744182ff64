/*
 * test_cli_priors: simulate with priors end to end: a bad prior exits 3 naming the path;
 * sensitivity.csv is the same bytes with 1 and 2 threads and agrees with summary.json and the
 * console; without priors (or with --sensitivity-runs 0) there is none; the embedded scenario on
 * a fleet gives the same bytes with 1 and 16 threads.
 */
#include "tests/cli_harness.h"
#include "tests/check_main.h"

#define PAPER "plain.json"
/* a small loop without priors of its own; the tests add them with --set */
#define PLAIN_JSON "{\"name\": \"plain\", \"iterations\": 4, \"evaluation\": \"full\"," \
	" \"self_modification\": {\"model\": \"claude-sonnet-4-5\", \"calls\": 3," \
	"  \"prompt_tokens\": 5000, \"output_tokens\": 200}," \
	" \"domains\": [{\"name\": \"robotics_reward\", \"model\": \"claude-sonnet-4-5\"," \
	"  \"screen_tasks\": 1, \"full_tasks\": 3, \"sandbox_gpus\": 1," \
	"  \"sandbox_seconds\": {\"dist\": \"lognormal\", \"mean\": 1800, \"cv\": 0.3}," \
	"  \"task\": {\"calls\": 1, \"prompt_tokens\": 700, \"output_tokens\": 300}}]," \
	" \"costs\": {\"sim_gpu_hour_usd\": 2.79}}"
#define GPU_PRIOR "costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 1, \"high\": 4}"
#define SIM_PRIOR "domains.robotics_reward.sandbox_seconds.mean={\"prior\": \"triangular\", " \
		  "\"low\": 600, \"mode\": 1800, \"high\": 2700}"

START_TEST(bad_prior_exits_3_with_the_path)
{
	write_file(PAPER, PLAIN_JSON);
	struct result r = run("simulate", PAPER, "--set", "iterations={\"prior\": \"uniform\", "
			      "\"low\": 1, \"high\": 9}", "--out", "o", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "iterations: a uniform prior cannot be given here"), "%s",
		      r.err);
	ck_assert(!exists("o"));
	result_free(&r);
}
END_TEST

/* A choice whose value the model's provider refuses: exit 3 before anything runs. */
START_TEST(prior_value_the_provider_refuses_exits_3)
{
	write_file(PAPER, PLAIN_JSON);
	struct result r = run("simulate", PAPER, "--set", "self_modification.caching={\"prior\": "
			      "\"choice\", \"values\": {\"off\": 0.5, \"automatic\": 0.5}}",
			      "--out", "o", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "the value \"automatic\" of the prior at "
			     "self_modification.caching: plain.json: self_modification.model: "
			     "model 'claude-sonnet-4-5' (anthropic) with caching \"automatic\""),
		      "%s", r.err);
	ck_assert(!exists("o"));
	result_free(&r);
	/* validate checks the same, and counts the assumed fields of a good one */
	r = run("validate", PAPER, "--set", "self_modification.caching={\"prior\": \"choice\", "
		"\"values\": {\"off\": 0.5, \"automatic\": 0.5}}", NULL);
	ck_assert_int_eq(r.status, 3);
	result_free(&r);
	r = run("validate", PAPER, "--set", GPU_PRIOR, NULL);
	ck_assert_msg(r.status == 0 && strstr(r.out, "; 1 assumed field (priors)\n"), "%s%s",
		      r.out, r.err);
	result_free(&r);
}
END_TEST

static char *simulate_threads(const char *threads, const char *out)
{
	write_file(PAPER, PLAIN_JSON);
	struct result r = run("simulate", PAPER, "--set", "iterations=3", "--set", GPU_PRIOR,
			      "--set", SIM_PRIOR, "--runs", "6", "--seed", "11", "--threads",
			      threads, "--out", out, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "2 assumed fields"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "costs.sim_gpu_hour_usd"), "%s", r.out);
	result_free(&r);
	char name[64];
	snprintf(name, sizeof(name), "%s/sensitivity.csv", out);
	return slurp(path_in(name));
}

START_TEST(sensitivity_csv_same_on_any_threads)
{
	char *one = simulate_threads("1", "t1"), *two = simulate_threads("2", "t2");
	ck_assert_ptr_nonnull(one);
	ck_assert_str_eq(one, two);
	ck_assert_uint_eq(count_lines(one), 3); /* header and one row a prior */
	cJSON *sum = load_json("t1/summary.json");
	const cJSON *priors = cJSON_GetObjectItemCaseSensitive(sum, "priors");
	ck_assert_int_eq(cJSON_GetArraySize(priors), 2);
	ck_assert_double_eq(json_at(sum, "sensitivity.replications"), 6);
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(sum, "sensitivity"), "rows");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	cJSON_Delete(sum);
	free(one);
	free(two);
}
END_TEST

/*
 * The embedded scenario (priors) with its domains on a reserved H100 fleet: every replication
 * sizes the fleet from its own draw on its own thread (model/loop.c, resolve_fleets), loading
 * the serving sheet there. The same seed gives the same bytes on 1 thread and on 16.
 */
static void simulate_fleet(const char *threads, const char *out)
{
	struct result r = run("simulate", "--runs", "16", "--seed", "5", "--threads", threads,
			      "--set", "fleets=[{\"name\": \"h100\", \"pricing\": \"reserved\"}]",
			      "--set", "domains.paper_review.fleet=h100", "--set",
			      "domains.robotics_reward.fleet=h100", "--out", out, "--quiet", NULL);
	ck_assert_msg(r.status == 0, "--threads %s: exit %d: %s", threads, r.status, r.err);
	result_free(&r);
}

START_TEST(fleet_priors_same_bytes_any_threads)
{
	static const char *const files[] = { "summary.json", "montecarlo.csv", "sensitivity.csv" };
	simulate_fleet("1", "f1");
	for (int k = 0; k < 3; k++) {
		char out[16];
		snprintf(out, sizeof(out), "f16-%d", k);
		simulate_fleet("16", out);
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			assert_same_file("f1", out, files[i], "between 1 and 16 threads");
	}
}
END_TEST

START_TEST(no_priors_no_sensitivity)
{
	write_file(PAPER, PLAIN_JSON);
	struct result r = run("simulate", PAPER, "--set", "iterations=2", "--runs", "3", "--out",
			      "plain", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	ck_assert(exists("plain/summary.json") && !exists("plain/sensitivity.csv"));
	r = run("simulate", PAPER, "--set", "iterations=2", "--set", GPU_PRIOR, "--runs", "3",
		"--sensitivity-runs", "0", "--out", "off", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	ck_assert(exists("off/summary.json") && !exists("off/sensitivity.csv"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli_priors");
	TCase *tc = tcase_create("cli_priors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bad_prior_exits_3_with_the_path);
	tcase_add_test(tc, prior_value_the_provider_refuses_exits_3);
	tcase_add_test(tc, sensitivity_csv_same_on_any_threads);
	tcase_add_test(tc, no_priors_no_sensitivity);
	tcase_add_test(tc, fleet_priors_same_bytes_any_threads);
	suite_add_tcase(s, tc);
	return check_run(s);
}
