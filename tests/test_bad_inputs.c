/*
 * test_bad_inputs: every row of the table "Bad inputs" in docs/reliability.md, run as it is
 * written there. The test writes the files the rows name (FILES below) into a fresh
 * directory, runs each row's command in it and checks the exit code and that stderr holds
 * the message verbatim; a failing command must leave no results behind (res, t.jsonl,
 * s.json, nor their temporary siblings). So the table cannot rot: change a message and the
 * doc must change with it.
 */
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define DOC SOURCE_DIR "/docs/reliability.md"
#define SECTION "## Bad inputs"

struct file {
	const char *name;
	const char *bytes;
	size_t len; /* 0: strlen(bytes) */
};

#define TRACE_HEADER "{\"hypercap_trace\": 1}\n"
#define CALL(model, usage) \
	"{\"type\": \"llm_call\", \"model\": \"" model "\", \"usage\": {" usage "}}\n"
#define USAGE(in) "\"gen_ai.usage.input_tokens\": " in ", \"gen_ai.usage.output_tokens\": 5"

static const struct file FILES[] = {
	{ "malformed.json", "{\"name\": \"x\",", 0 },
	{ "truncated.json", "{\"name\": \"x\", \"iterations\": 10, \"self_modification\": "
			    "{\"model\": \"gpt-4o\", \"ca", 0 },
	{ "nan.json", "{\"name\": \"x\", \"iterations\": NaN}", 0 },
	{ "infinity.json", "{\"name\": \"x\", \"iterations\": 1e999}", 0 },
	{ "wrong-type.json", "{\"name\": \"x\", \"iterations\": \"ten\"}", 0 },
	{ "not-utf8.json", "{\"name\": \"caf\xe9\"}", 0 },
	{ "nul.json", "{\"name\": \"x\"}\0{}", 16 },
	{ "empty.json", "", 0 },
	{ "negative-price.json", "{\"hypercap_prices\": 1, \"date\": \"2026-01-01\", \"source\": "
				 "\"test\", \"models\": [{\"name\": \"m\", \"provider\": \"p\", "
				 "\"input\": -1, \"output\": 1}]}", 0 },
	{ "file", "a regular file\n", 0 },
	{ "header.jsonl", TRACE_HEADER, 0 },
	{ "newer.jsonl", "{\"hypercap_trace\": 2, \"source\": \"a newer hypercap\"}\n", 0 },
	{ "cut.jsonl", TRACE_HEADER CALL("gpt-4o", USAGE("10"))
		       "{\"type\": \"llm_call\", \"model\": \"gpt-4o\", \"usage\": {\"gen_ai.usa",
	  0 },
	{ "nan.jsonl", TRACE_HEADER CALL("gpt-4o", USAGE("NaN")), 0 },
	{ "negative.jsonl", TRACE_HEADER CALL("gpt-4o", USAGE("-10")), 0 },
	{ "huge.jsonl", TRACE_HEADER CALL("gpt-4o", USAGE("1e300")), 0 },
	{ "wrong-type.jsonl", TRACE_HEADER CALL("gpt-4o", USAGE("\"10\"")), 0 },
	{ "not-utf8.jsonl", TRACE_HEADER CALL("gpt-4o\xff", USAGE("10")), 0 },
	{ "unknown-model.jsonl", TRACE_HEADER CALL("gpt-4oo", USAGE("10")), 0 },
	{ "openai.jsonl", "{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": 10, "
			  "\"completion_tokens\": 5}}\n", 0 },
	{ "openai-not-utf8.jsonl", "{\"model\": \"gpt-4o\xff\", \"usage\": {\"prompt_tokens\": "
				   "10, \"completion_tokens\": 5}}\n", 0 },
	{ "openai-wrong-type.jsonl", "{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": "
				     "\"ten\", \"completion_tokens\": 5}}\n", 0 },
	{ "unterminated.csv", "model,prompt_tokens,completion_tokens\n\"gpt-4o,1,2\n", 0 },
	{ "stray.csv", "model,prompt_tokens,completion_tokens\ngpt-4o,1\"0,2\n", 0 },
	/* input leniency (issue 13) */
	{ "twice.jsonl", TRACE_HEADER "{\"type\": \"llm_call\", \"model\": \"gpt-4o\", \"model\": "
			 "\"gpt-4o-mini\", \"usage\": {" USAGE("10") "}}\n", 0 },
	{ "nul-escape.jsonl", TRACE_HEADER CALL("gpt-4o\\u0000evil", USAGE("10")), 0 },
	{ "openai-twice.jsonl", "{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": 10, "
				"\"completion_tokens\": 5, \"prompt_tokens\": 1}}\n", 0 },
	{ "eur.json", "{\"hypercap_prices\": 1, \"date\": \"2026-01-01\", \"source\": \"test\", "
		      "\"currency\": \"EUR\", \"models\": [{\"name\": \"m\", \"provider\": \"p\", "
		      "\"input\": 1, \"output\": 1}]}", 0 },
	{ "twice-price.json", "{\"hypercap_prices\": 1, \"date\": \"2026-01-01\", \"source\": "
			      "\"test\", \"models\": [{\"name\": \"m\", \"provider\": \"p\", "
			      "\"input\": 1, \"output\": 1, \"input\": 0.01}]}", 0 },
	{ "nul-escape.json", "{\"name\": \"x\\u0000y\", \"iterations\": 1}", 0 },
	{ "header-only.csv", "model,prompt_tokens,completion_tokens\n", 0 },
};

static void write_files(void)
{
	for (size_t i = 0; i < sizeof(FILES) / sizeof(FILES[0]); i++) {
		const struct file *f = &FILES[i];
		FILE *out = fopen(path_in(f->name), "wb");
		ck_assert_ptr_nonnull(out);
		size_t len = f->len ? f->len : strlen(f->bytes);
		ck_assert_uint_eq(fwrite(f->bytes, 1, len, out), len);
		fclose(out);
	}
	/* paper.json: the paper preset, which the --set rows change */
	char *paper = slurp(SOURCE_DIR "/data/scenarios/hyperagents-paper.json");
	ck_assert_ptr_nonnull(paper);
	write_file("paper.json", paper);
	free(paper);
}

/* The text between the first pair of backticks in cell, copied into buf; 0 when none. */
static int backticked(const char *cell, char *buf, size_t size)
{
	const char *a = strchr(cell, '`'), *b = a ? strchr(a + 1, '`') : NULL;
	if (!b || (size_t)(b - a - 1) >= size)
		return 0;
	snprintf(buf, size, "%.*s", (int)(b - a - 1), a + 1);
	return 1;
}

/* Splits a row "| kind | `cmd` | exit | `message` |" into its four cells (modifies line). */
static int split_row(char *line, char *cells[4])
{
	int n = 0;
	char *p = line + 1;
	while (n < 4) {
		char *bar = strstr(p, " |");
		if (!bar)
			return 0;
		*bar = '\0';
		cells[n++] = p;
		p = bar + 2;
	}
	return 1;
}

/* Runs "hypercap ARGS" (split on spaces) in workdir. */
static struct result run_command(const char *cmd)
{
	char buf[1024], *argv[32];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", cmd);
	char *save = NULL;
	for (char *a = strtok_r(buf, " ", &save); a && n < 31; a = strtok_r(NULL, " ", &save))
		argv[n++] = a;
	ck_assert_msg(n > 1 && !strcmp(argv[0], "hypercap"), "not a hypercap command: %s", cmd);
	argv[n] = NULL;
	/* run() takes its arguments as a NULL-terminated list */
	return run(argv[1], n > 2 ? argv[2] : NULL, n > 3 ? argv[3] : NULL, n > 4 ? argv[4] : NULL,
		   n > 5 ? argv[5] : NULL, n > 6 ? argv[6] : NULL, n > 7 ? argv[7] : NULL,
		   n > 8 ? argv[8] : NULL, n > 9 ? argv[9] : NULL, n > 10 ? argv[10] : NULL, NULL);
}

/* Removes what a successful row wrote, so that the next row starts from the same files. */
static void remove_results(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cd '%s' && rm -rf res res.tmp-* t.jsonl t.jsonl.tmp-* "
		 "s.json s.json.tmp-*", workdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(every_row_of_the_table)
{
	char *doc = slurp(DOC);
	ck_assert_ptr_nonnull(doc);
	char *at = strstr(doc, SECTION);
	ck_assert_msg(at != NULL, "%s has no section '%s'", DOC, SECTION);
	write_files();
	int rows = 0;
	char *save = NULL;
	for (char *line = strtok_r(at, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line != at && !strncmp(line, "## ", 3))
			break; /* the next section */
		char *cells[4], cmd[512], want[1024];
		if (strncmp(line, "| ", 2) || !split_row(line, cells) ||
		    !backticked(cells[1], cmd, sizeof(cmd)))
			continue; /* not a row, or the header */
		ck_assert_msg(backticked(cells[3], want, sizeof(want)), "row '%s': no message",
			      cmd);
		int code = atoi(cells[2]);
		struct result r = run_command(cmd);
		ck_assert_msg(r.status == code, "%s: exit %d, the table says %d; stderr: %s", cmd,
			      r.status, code, r.err);
		ck_assert_msg(strstr(r.err, want), "%s: stderr\n%s\nlacks the table's\n%s", cmd,
			      r.err, want);
		if (code) {
			ck_assert_msg(!count_prefixed("res") && !count_prefixed("t.jsonl") &&
				      !count_prefixed("s.json"), "%s failed but left results", cmd);
		}
		result_free(&r);
		remove_results();
		rows++;
	}
	ck_assert_int_ge(rows, 30);
	free(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bad_inputs");
	TCase *tc = tcase_create("bad_inputs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_row_of_the_table);
	suite_add_tcase(s, tc);
	return check_run(s);
}
