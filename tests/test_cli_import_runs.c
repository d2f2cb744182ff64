/*
 * hypercap import dgm and hypercap replay end to end on run output: the built binary
 * (HYPERCAP_BIN) on tests/fixtures/dgm-run/ and tests/fixtures/dgmh-run/. Costs are worked by
 * hand from the fixtures' token counts (tests/test_import_runs.c) at the embedded sheet.
 */
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define FIX SOURCE_DIR "/tests/fixtures/"

static cJSON *replay_summary(const char *source, const char *expect_counts)
{
	struct result r = run("import", "dgm", source, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, expect_counts), "%s", r.out);
	result_free(&r);
	r = run("replay", "t.jsonl", "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	return load_json("res/summary.json");
}

START_TEST(dgm_run_import_then_replay)
{
	cJSON *s = replay_summary(FIX "dgm-run", "22 llm_call, 8 eval_task, 4 archive_add");
	ck_assert_double_eq(json_at(s, "calls.total"), 22);
	ck_assert_double_eq(json_at(s, "calls.estimated"), 11);
	ck_assert_double_eq(json_at(s, "calls.unknown_usage"), 0);
	/* o3-mini: (19168 - 8704) x $1.10 + 8704 x $0.55 + 2962 x $4.40 per million */
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_model.o3-mini"), 0.0293304, 1e-12);
	/* Claude 3.5 Sonnet on Bedrock, estimated: 2249 x $3 + 292 x $15 per million */
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_model.claude-3-5-sonnet"), 0.011127, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.estimated"), 0.011127, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.api"), 0.0293304 + 0.011127, 1e-12);
	ck_assert_double_eq(json_at(s, "tokens.by_role.self_modify"), 2249 + 292);
	ck_assert_double_eq(json_at(s, "tokens.by_role.evaluate"), 19168 + 2962);
	ck_assert_double_eq(json_at(s, "archive.nodes"), 4);
	ck_assert_double_eq(json_at(s, "iterations"), 2);
	ck_assert_double_eq(json_at(s, "evaluation.tasks"), 8);
	cJSON_Delete(s);
}
END_TEST

START_TEST(dgmh_run_import_then_replay)
{
	cJSON *s = replay_summary(FIX "dgmh-run", "16 llm_call, 10 eval_task, 4 archive_add");
	ck_assert_double_eq(json_at(s, "calls.total"), 16);
	ck_assert_double_eq(json_at(s, "calls.estimated"), 16);
	/* meta agent at Claude Sonnet 4.5: 941 x $3 + 161 x $15; task agent at gpt-4o:
	 * 546 x $2.50 + 164 x $10, per million */
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_model.claude-sonnet-4-5"), 0.005238, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_model.gpt-4o"), 0.003005, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.estimated"), 0.008243, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_domain.paper_review"), 0.003005, 1e-12);
	ck_assert_double_eq(json_at(s, "archive.nodes"), 4);
	ck_assert_double_eq(json_at(s, "iterations"), 3);
	cJSON_Delete(s);
}
END_TEST

START_TEST(malformed_run_exits_3_and_leaves_nothing)
{
	ck_assert_int_eq(mkdir(path_in("run"), 0755), 0);
	/* no comma after the children: line 6 */
	write_file("run/dgm_metadata.jsonl",
		   "{\n  \"generation\": 0,\n  \"children\": [\n"
		   "    \"20250512_103512_004211\"\n  ]\n  \"archive\": []\n}\n");
	struct result r = run("import", "dgm", "run", "-o", "t.jsonl", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "run/dgm_metadata.jsonl:6: not JSON near '\"archive\": []'; "
			      "allowed"), "%s", r.err);
	ck_assert_int_eq(exists("t.jsonl"), 0);
	ck_assert_int_eq(count_prefixed("t.jsonl"), 0);
	result_free(&r);
	r = run("import", "dgm", FIX "trace", "-o", "t.jsonl", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "no DGM or DGM-H layout's file"));
	result_free(&r);
	r = run("import", "--help", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "dgm_metadata.jsonl"));
	ck_assert_ptr_nonnull(strstr(r.out, "archive.jsonl"));
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli_import_runs");
	TCase *tc = tcase_create("cli_import_runs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dgm_run_import_then_replay);
	tcase_add_test(tc, dgmh_run_import_then_replay);
	tcase_add_test(tc, malformed_run_exits_3_and_leaves_nothing);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return check_run(s);
}
