/*
 * hypercap import and hypercap replay end to end: the built binary (HYPERCAP_BIN) on the
 * real DGM logs and the fixtures, its exit codes, messages and files.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "tests/check_main.h"

#define FIX SOURCE_DIR "/tests/fixtures/"

static char workdir[256];

struct result {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

static char *path_in(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", workdir, name);
	return buf[k];
}

/* Runs hypercap with the NULL-terminated arguments in workdir, SOURCE_DATE_EPOCH=0. */
static struct result run(const char *arg, ...)
{
	const char *argv[32] = { HYPERCAP_BIN };
	size_t n = 1;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	char out[300], err[300];
	snprintf(out, sizeof(out), "%s/.stdout", workdir);
	snprintf(err, sizeof(err), "%s/.stderr", workdir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0 || chdir(workdir))
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		setenv("SOURCE_DATE_EPOCH", "0", 1);
		execv(HYPERCAP_BIN, (char *const *)argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	struct result r = { WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err) };
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static double json_at(const cJSON *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	const cJSON *v = root;
	for (char *tok = strtok(buf, "/"); tok; tok = strtok(NULL, "/"))
		v = cJSON_GetObjectItemCaseSensitive(v, tok);
	ck_assert_msg(cJSON_IsNumber(v), "summary.json has no number at %s", path);
	return v->valuedouble;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static int exists(const char *name)
{
	struct stat st;
	return stat(path_in(name), &st) == 0;
}

static void setup(void)
{
	snprintf(workdir, sizeof(workdir), "/tmp/hypercap-replay-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	ck_assert_int_eq(system(cmd), 0);
}

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
	struct result r = run("import", "dgm", SHARED_DIR "/data/dgm-polyglot-initial", "-o",
			      "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "255 llm_call, 59 eval_task, 1 archive_add"));
	result_free(&r);
	char *trace = slurp(path_in("t.jsonl"));
	ck_assert_ptr_nonnull(strstr(trace, "\"created\":\"1970-01-01T00:00:00Z\"}\n"));
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
	ck_assert_double_eq_tol(json_at(s, "cost_usd/api"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd/total"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd/by_model/o3-mini"), 1.4075204, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd/by_iteration/0"), 1.4075204, 1e-9);
	ck_assert_double_eq(json_at(s, "tokens/total"), 643294);
	ck_assert_double_eq(json_at(s, "tokens/input"), 410728);
	ck_assert_double_eq(json_at(s, "tokens/cache_read"), 122856);
	ck_assert_double_eq(json_at(s, "tokens/output"), 232566);
	ck_assert_double_eq(json_at(s, "tokens/reasoning"), 166592);
	ck_assert_double_eq(json_at(s, "tokens/by_role/evaluate"), 643294);
	ck_assert_double_eq(json_at(s, "tokens/by_domain/polyglot"), 643294);
	ck_assert_double_eq(json_at(s, "calls/unknown_usage"), 0);
	ck_assert_double_eq(json_at(s, "evaluation/tasks"), 59);
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
	ck_assert_double_eq_tol(json_at(s, "cost_usd/api"), 1.92225, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "cost_usd/estimated"), 0.007, 1e-12);
	ck_assert_double_eq(json_at(s, "calls/unknown_usage"), 1);
	ck_assert_double_eq(json_at(s, "iterations"), 10);
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
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return check_run(s);
}
