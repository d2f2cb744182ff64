/*
 * hypercap import and hypercap replay end to end: the built binary (HYPERCAP_BIN) on the
 * real DGM logs and the fixtures, its exit codes, messages and files.
 */
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define FIX SOURCE_DIR "/tests/fixtures/"

START_TEST(help_and_usage_errors)
{
	struct result r = run("import", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap import KIND SOURCE -o TRACE.jsonl"));
	ck_assert_ptr_nonnull(strstr(r.out, "litellm"));
	result_free(&r);
	r = run("replay", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap replay TRACE"));
	result_free(&r);
	r = run("--help", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "import"));
	ck_assert_ptr_nonnull(strstr(r.out, "replay"));
	result_free(&r);
	r = run("import", "csv", "x", "-o", "t.jsonl", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "kind 'csv'"));
	result_free(&r);
	r = run("import", "openai", FIX "openai/responses.jsonl", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "-o TRACE.jsonl is required"));
	result_free(&r);
	r = run("replay", NULL);
	ck_assert_int_eq(r.status, 2);
	result_free(&r);
}
END_TEST

START_TEST(dgm_import_then_replay)
{
	struct result r = run("import", "dgm", SOURCE_DIR "/data/dgm-polyglot-initial", "-o",
			      "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "255 llm_call, 59 eval_task, 1 archive_add"));
	result_free(&r);
	char *trace = slurp(path_in("t.jsonl"));
	ck_assert_ptr_nonnull(strstr(trace, "\"created\":\"1970-01-01T00:00:00Z\","
					    "\"loop\":\"dgm\"}\n"));
	ck_assert_int_eq(count_lines(trace), 1 + 255 + 59 + 1);
	free(trace);

	r = run("replay", "t.jsonl", "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "1.41"));
	result_free(&r);
	char *text = slurp(path_in("res/summary.json"));
	cJSON *s = cJSON_Parse(text);
	free(text);
	ck_assert_ptr_nonnull(s);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.api"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.total"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_model.o3-mini"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.by_iteration.0"), 1.4075204, 1e-9);
	ck_assert_double_eq(json_at(s, "tokens.total"), 643294);
	ck_assert_double_eq(json_at(s, "tokens.input"), 410728);
	ck_assert_double_eq(json_at(s, "tokens.cache_read"), 122856);
	ck_assert_double_eq(json_at(s, "tokens.output"), 232566);
	ck_assert_double_eq(json_at(s, "tokens.reasoning"), 166592);
	ck_assert_double_eq(json_at(s, "tokens.by_role.evaluate"), 643294);
	ck_assert_double_eq(json_at(s, "tokens.by_domain.polyglot"), 643294);
	ck_assert_double_eq(json_at(s, "calls.unknown_usage"), 0);
	ck_assert_double_eq(json_at(s, "evaluation.tasks"), 59);
	cJSON_Delete(s);
	char *csv = slurp(path_in("res/calls.csv"));
	ck_assert_int_eq(count_lines(csv), 256);
	ck_assert_ptr_nonnull(strstr(csv, "\"o3-mini-2025-01-31\",\"o3-mini\""));
	free(csv);
}
END_TEST

START_TEST(bad_trace_exits_3_and_leaves_nothing)
{
	struct result r = run("replay", FIX "trace/bad-record.jsonl", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "bad-record.jsonl:3: usage.gen_ai.usage.input_tokens: got -5"),
		      "%s", r.err);
	ck_assert_int_eq(exists("res"), 0);
	result_free(&r);
	r = run("replay", FIX "trace/bad-record.jsonl", "--out", "res", "--skip-bad", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "skipped 2 bad records"));
	result_free(&r);
	r = run("replay", FIX "trace/truncated.jsonl", "--out", "res2", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "truncated.jsonl:3: the last line is cut short"));
	ck_assert_str_eq(r.out, "");
	result_free(&r);
	r = run("replay", FIX "trace/unknown-model.jsonl", "--out", "res3", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "closest: 'gpt-4o'"));
	ck_assert_int_eq(exists("res3"), 0);
	result_free(&r);
	r = run("import", "anthropic", FIX "openai/nope.jsonl", "-o", "x.jsonl", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_int_eq(exists("x.jsonl"), 0);
	result_free(&r);
}
END_TEST

START_TEST(replay_reports_unknown_usage)
{
	struct result r = run("replay", FIX "trace/priced.jsonl", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "1 of 5 calls have no usage"));
	ck_assert_ptr_nonnull(strstr(r.out, "1.92"));
	result_free(&r);
	char *text = slurp(path_in("res/summary.json"));
	cJSON *s = cJSON_Parse(text);
	free(text);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.api"), 1.92225, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.estimated"), 0.007, 1e-12);
	ck_assert_double_eq(json_at(s, "calls.unknown_usage"), 1);
	ck_assert_double_eq(json_at(s, "iterations"), 10);
	cJSON_Delete(s);
}
END_TEST

/* Row `row` (0: the header) of a CSV without quoted commas, as a NUL-separated copy. */
static char *csv_row(const char *path, int row)
{
	char *text = slurp(path_in(path));
	char *line = text;
	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < row && line; i++)
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
	ck_assert_msg(line && *line, "%s has no row %d", path, row);
	char *copy = strndup(line, strcspn(line, "\n"));
	free(text);
	return copy;
}

/*
 * priced.jsonl: calls a (10,000 + 2,000 tokens) and b (105,000) of iteration 1 in the first
 * hour; c (1,200,000) and d (no usage) of iteration 2 without times; e (3,000) of iteration
 * 10 in the second hour. c alone costs 500,000 × 1.10 + 500,000 × 0.55 + 200,000 × 4.40
 * per million at o3-mini's rates: USD 1.705 of the 1.92225.
 */
START_TEST(replay_writes_iterations_and_hours)
{
	struct result r = run("replay", FIX "trace/priced.jsonl", "--out", "res", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	char *row = csv_row("res/iterations.csv", 0);
	ck_assert_str_eq(row, "replication,iteration,calls,self_modify_calls,self_modify_tokens,"
			 "evaluate_calls,evaluate_tokens,other_calls,other_tokens,input_tokens,"
			 "cache_read_tokens,cache_write_tokens,output_tokens,reasoning_tokens,"
			 "cost_usd,calls_without_usage");
	free(row);
	row = csv_row("res/iterations.csv", 1);
	ck_assert_str_eq(row, "0,1,2,2,117000,0,0,0,0,110000,84000,15000,7000,0,0.21025,0");
	free(row);
	row = csv_row("res/iterations.csv", 2);
	ck_assert_str_eq(row, "0,2,2,0,0,2,1200000,0,0,1000000,500000,0,200000,150000,1.705,1");
	free(row);
	row = csv_row("res/iterations.csv", 3);
	ck_assert_str_eq(row, "0,10,1,0,0,1,3000,0,0,2000,0,0,1000,0,0.007,0");
	free(row);
	row = csv_row("res/timeseries.csv", 1);
	ck_assert_str_eq(row, "0,1970-01-01T00:00:00Z,2,117000,0,0,12000,105000,0,0.21025,"
			 "0.21025");
	free(row);
	row = csv_row("res/timeseries.csv", 2);
	ck_assert_str_eq(row, "1,1970-01-01T01:00:00Z,1,0,3000,0,0,0,3000,0.007,0.21725");
	free(row);
	cJSON *s = load_json("res/summary.json");
	ck_assert_double_eq(json_at(s, "calls_without_start_time"), 2);
	ck_assert_double_eq(json_at(s, "calls_without_iteration"), 0);
	cJSON_Delete(s);
}
END_TEST

/*
 * report.html of a re-timed replay says both wall times, each labelled: the recorded one
 * spans the tasks too (2000 to 2070 in retime-loop.jsonl: 70 s), the re-timed one with one
 * child at a time (retime.wall_hours: 100 s) beside it, in the headline and in the section.
 */
START_TEST(replay_report_labels_both_wall_times)
{
	struct result r = run("replay", FIX "trace/retime-loop.jsonl", "--retime", "--children",
			      "1", "--out", "rl", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON *s = load_json("rl/summary.json");
	ck_assert_double_eq_tol(json_at(s, "wall_time_hours") * 3600, 70, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 100, 1e-9);
	cJSON_Delete(s);
	char *html = slurp(path_in("rl/report.html"));
	ck_assert_ptr_nonnull(html);
	ck_assert_ptr_nonnull(strstr(html, "Recorded wall time 70 seconds (first to last time in "
				     "the trace); <b>re-timed: 100 seconds</b>"));
	ck_assert_ptr_nonnull(strstr(html, "<h2 id=\"retime\">Re-timing</h2>"));
	ck_assert_ptr_nonnull(strstr(html, "<tr><th>wall time</th><td class=\"n\">70 seconds"
				     "</td><td class=\"n\">100 seconds</td><td class=\"n\">"
				     "+42.9%</td></tr>"));
	free(html);
}
END_TEST

/* Hours without calls between the first and the last are rows of zeros. */
START_TEST(replay_hours_without_calls_are_zeros)
{
	write_file("gap.jsonl", "{\"hypercap_trace\": 1}\n"
		   "{\"type\": \"llm_call\", \"start_time\": 7300, \"model\": \"gpt-4o\", "
		   "\"role\": \"meta\", \"usage\": {\"gen_ai.usage.input_tokens\": 100, "
		   "\"gen_ai.usage.output_tokens\": 0}}\n"
		   "{\"type\": \"llm_call\", \"start_time\": 18000, \"model\": \"gpt-4o\", "
		   "\"role\": \"meta\", \"usage\": {\"gen_ai.usage.input_tokens\": 100, "
		   "\"gen_ai.usage.output_tokens\": 0}}\n");
	struct result r = run("replay", "gap.jsonl", "--out", "res", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	char *text = slurp(path_in("res/timeseries.csv"));
	ck_assert_str_eq(text, "hour,hour_start_utc,calls,self_modify_tokens,evaluate_tokens,"
			 "other_tokens,\"gpt-4o_tokens\",api_usd,api_usd_cumulative\n"
			 "0,1970-01-01T02:00:00Z,1,0,0,100,100,0.00025,0.00025\n"
			 "1,1970-01-01T03:00:00Z,0,0,0,0,0,0,0.00025\n"
			 "2,1970-01-01T04:00:00Z,0,0,0,0,0,0,0.00025\n"
			 "3,1970-01-01T05:00:00Z,1,0,0,100,100,0.00025,0.0005\n");
	free(text);
	text = slurp(path_in("res/iterations.csv"));
	ck_assert_int_eq(count_lines(text), 1);
	free(text);
	cJSON *s = load_json("res/summary.json");
	ck_assert_double_eq(json_at(s, "calls_without_iteration"), 2);
	cJSON_Delete(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli_replay");
	TCase *tc = tcase_create("cli_replay");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, help_and_usage_errors);
	tcase_add_test(tc, dgm_import_then_replay);
	tcase_add_test(tc, bad_trace_exits_3_and_leaves_nothing);
	tcase_add_test(tc, replay_reports_unknown_usage);
	tcase_add_test(tc, replay_writes_iterations_and_hours);
	tcase_add_test(tc, replay_hours_without_calls_are_zeros);
	tcase_add_test(tc, replay_report_labels_both_wall_times);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return check_run(s);
}
