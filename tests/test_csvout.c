/*
 * csvout: text from outside cannot run as a spreadsheet formula (OWASP's CSV injection rule),
 * numbers stay numbers, and counts keep every digit; then replay's calls.csv end to end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/csvout.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

/* A row in memory, its first cell "x" written: csvout's calls add cells, cells_end reads it. */
struct cells {
	char *buf;
	size_t len;
	FILE *out;
};

static FILE *cells_begin(struct cells *c)
{
	c->buf = NULL;
	c->out = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->out);
	fputc('x', c->out);
	return c->out;
}

/* The row written, which the caller frees. */
static char *cells_end(struct cells *c)
{
	fclose(c->out);
	return c->buf;
}

static void assert_text(const char *cell, const char *want)
{
	struct cells c;
	csvout_text(cells_begin(&c), cell);
	char *got = cells_end(&c);
	ck_assert_msg(!strcmp(got, want), "'%s': got %s, want %s", cell, got, want);
	free(got);
}

START_TEST(formula_text_gets_a_quote_mark)
{
	assert_text("=HYPERLINK(\"http://x\",\"y\")", "x,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_text("+1+cmd|' /C calc'!A0", "x,\"'+1+cmd|' /C calc'!A0\"");
	assert_text("-2+3", "x,\"'-2+3\"");
	assert_text("@SUM(A1)", "x,\"'@SUM(A1)\"");
	assert_text("\t=1", "x,\"'\t=1\"");
	assert_text("\r=1", "x,\"'\r=1\"");
}
END_TEST

START_TEST(plain_text_is_left_as_it_is)
{
	assert_text("gpt-4o", "x,\"gpt-4o\"");
	assert_text("a=b, \"c\"", "x,\"a=b, \"\"c\"\"\"");
	assert_text(" =1", "x,\" =1\"");
	assert_text("", "x,\"\"");
	assert_text(NULL, "x,");
}
END_TEST

/* Numbers are never guarded: a negative number is written as one. */
START_TEST(numbers_are_not_guarded)
{
	struct cells c;
	FILE *out = cells_begin(&c);
	csvout_num(out, -2.5, "%.10g");
	csvout_num(out, NAN, "%.10g");
	char *got = cells_end(&c);
	ck_assert_str_eq(got, "x,-2.5,");
	free(got);
}
END_TEST

/* %.10g writes 17234567891 as 1.723456789e+10: its last digit lost. */
START_TEST(counts_keep_every_digit)
{
	struct cells c;
	FILE *out = cells_begin(&c);
	csvout_num(out, 17234567891.0, "%.10g");
	csvout_num(out, 9007199254740992.0, "%.10g");
	csvout_num(out, -12345678901.0, "%.10g");
	csvout_num(out, 1234567890.0, "%.10g");
	csvout_num(out, 0.25, "%.10g");
	csvout_num(out, 1e-7, "%.3g");
	char *got = cells_end(&c);
	ck_assert_str_eq(got, "x,17234567891,9007199254740992,-12345678901,1234567890,0.25,1e-07");
	free(got);
}
END_TEST

/* A trace's task and model names reach calls.csv guarded. */
START_TEST(replay_guards_trace_text)
{
	write_file("t.jsonl",
		   "{\"hypercap_trace\": 1, \"source\": \"test\", \"created\": \"2026-07-24T00:00:00Z\"}\n"
		   "{\"type\": \"llm_call\", \"id\": \"@a\", \"start_time\": 1000, \"iteration\": 1, "
		   "\"role\": \"evaluate\", \"task\": \"=HYPERLINK(\\\"http://x\\\")\", "
		   "\"model\": \"gpt-4o\", \"usage\": {\"gen_ai.usage.input_tokens\": 10, "
		   "\"gen_ai.usage.output_tokens\": 2}}\n");
	struct result r = run("replay", "t.jsonl", "--out", "res", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	char *calls = slurp(path_in("res/calls.csv"));
	ck_assert_ptr_nonnull(calls);
	ck_assert_msg(strstr(calls, ",\"'@a\",") && strstr(calls, ",\"'=HYPERLINK(\"\"http://x\"\")\","),
		      "%s", calls);
	ck_assert_ptr_null(strstr(calls, ",\"=HYPERLINK"));
	free(calls);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csvout");
	check_add(s, "formula_text_gets_a_quote_mark", formula_text_gets_a_quote_mark, 10);
	check_add(s, "plain_text_is_left_as_it_is", plain_text_is_left_as_it_is, 10);
	check_add(s, "numbers_are_not_guarded", numbers_are_not_guarded, 10);
	check_add(s, "counts_keep_every_digit", counts_keep_every_digit, 10);
	TCase *tc = tcase_create("replay_guards_trace_text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, replay_guards_trace_text);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return check_run(s);
}
