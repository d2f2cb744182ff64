/*
 * import dgm on run output: DGM's (tests/fixtures/dgm-run/) and DGM-H's
 * (tests/fixtures/dgmh-run/), built from the two repositories' writer code (see
 * tests/fixtures/README.md) by scripts/make_run_fixtures.py, which also prints the estimated
 * counts from Python's len() of each logged text (ceil(chars / 4)); reported counts are the
 * usages it wrote; byte counts are taken here from the fixture files themselves.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "import/dgm_logs.h"
#include "import/import.h"
#include "tests/check_main.h"

#define FIX SOURCE_DIR "/tests/fixtures/"
#define DGM FIX "dgm-run/"
#define DGMH FIX "dgmh-run/"
#define MAX_RECORDS 64

#define C1 "20250512_103512_004211"
#define C2 "20250512_103514_873002"
#define C3 "20250512_121907_310556"
#define C4 "20250512_121909_002817"

struct imported {
	size_t n;
	struct trace_record v[MAX_RECORDS];
};

static char out_path[64];

static int import_into(const char *dir, struct imported *im, struct hc_err *err)
{
	struct trace_writer w;
	struct import_stats st = { 0 };
	struct trace_reader r;
	snprintf(out_path, sizeof(out_path), "/tmp/hypercap-runs-%d.jsonl", (int)getpid());
	ck_assert_int_eq(trace_writer_open(&w, out_path, "dgm", "2026-07-24T00:00:00Z", err), 0);
	int rc = import_kind_find("dgm")->run(dir, &w, &st, err);
	if (rc) {
		trace_writer_abort(&w);
		return rc;
	}
	ck_assert_int_eq(trace_writer_commit(&w, err), 0);
	ck_assert_int_eq(trace_reader_open(&r, out_path, 0, err), 0);
	im->n = 0;
	while ((rc = trace_reader_next(&r, &im->v[im->n], err)) == 1)
		ck_assert_uint_lt(++im->n, MAX_RECORDS);
	ck_assert_int_eq(rc, 0);
	trace_reader_close(&r);
	unlink(out_path);
	return 0;
}

static size_t count(const struct imported *im, enum trace_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < im->n; i++)
		n += im->v[i].kind == k;
	return n;
}

static const struct trace_archive_add *node(const struct imported *im, const char *name)
{
	for (size_t i = 0; i < im->n; i++)
		if (im->v[i].kind == TRACE_ARCHIVE_ADD && !strcmp(im->v[i].u.add.node, name))
			return &im->v[i].u.add;
	return NULL;
}

/* The calls of node in role: their number and usage; their estimated flags must agree. */
static size_t calls_of(const struct imported *im, const char *nd, const char *role,
		       struct usage *sum, int *estimated)
{
	size_t n = 0;
	memset(sum, 0, sizeof(*sum));
	*estimated = -1;
	for (size_t i = 0; i < im->n; i++) {
		const struct trace_llm_call *c = &im->v[i].u.call;
		if (im->v[i].kind != TRACE_LLM_CALL || (nd && strcmp(c->node, nd)) ||
		    strcmp(c->role, role))
			continue;
		ck_assert_int_eq(c->has_usage, 1);
		ck_assert(*estimated < 0 || *estimated == c->estimated);
		*estimated = c->estimated;
		if (c->estimated)
			ck_assert_str_eq(c->estimate_method, "chars/4");
		usage_add(sum, &c->usage);
		n++;
	}
	return n;
}

static long long tree_sum;

static int add_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		tree_sum += st->st_size;
	return 0;
}

/* Bytes of every file under path, counted here independently of the importer. */
static long long tree_bytes(const char *path)
{
	tree_sum = 0;
	ck_assert_int_eq(nftw(path, add_file, 16, FTW_PHYS), 0);
	return tree_sum;
}

static long long file_bytes(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(dgm_run_counts_and_lineage)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	ck_assert_msg(import_into(DGM, &im, &err) == 0, "%s", err.msg);
	/* initial 3 calls; children 3 + 3, 2 + 0, 4 + 3, 2 + 2 (self_evo.md + evaluation) */
	ck_assert_uint_eq(count(&im, TRACE_LLM_CALL), 22);
	ck_assert_uint_eq(count(&im, TRACE_EVAL_TASK), 8);
	/* C2 made an empty patch: never compiled, never archived, but paid for */
	ck_assert_uint_eq(count(&im, TRACE_ARCHIVE_ADD), 4);
	ck_assert_ptr_null(node(&im, C2));
	const struct trace_archive_add *a = node(&im, "initial");
	ck_assert_str_eq(a->parent, "");
	ck_assert_int_eq(a->iteration, 0);
	ck_assert_int_eq(a->patch_bytes, 0);
	ck_assert_double_eq(a->score, 0.5);
	a = node(&im, C1);
	ck_assert_str_eq(a->parent, "initial");
	ck_assert_int_eq(a->iteration, 1);
	ck_assert_double_eq(a->score, 1);
	a = node(&im, C3);
	ck_assert_str_eq(a->parent, C1);
	ck_assert_int_eq(a->iteration, 2);
	/* the screen's score is the one DGM selects on, not overall_performance_deep's 0.5 */
	ck_assert_double_eq(a->score, 1);
	a = node(&im, C4);
	ck_assert_str_eq(a->parent, "initial");
	ck_assert_int_eq(a->iteration, 2);
	ck_assert_double_eq(a->score, 0);
}
END_TEST

START_TEST(dgm_run_sizes_from_the_files)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	ck_assert_msg(import_into(DGM, &im, &err) == 0, "%s", err.msg);
	static const char *const nodes[] = { C1, C3, C4 };
	for (size_t i = 0; i < 3; i++) {
		char p[256];
		const struct trace_archive_add *a = node(&im, nodes[i]);
		snprintf(p, sizeof(p), DGM "%s/model_patch.diff", nodes[i]);
		ck_assert_int_eq(a->patch_bytes, file_bytes(p));
		ck_assert_int_gt(a->patch_bytes, 0);
		snprintf(p, sizeof(p), DGM "%s/predictions", nodes[i]);
		ck_assert_int_eq(a->artifact_bytes, tree_bytes(p));
	}
	ck_assert_int_eq(node(&im, "initial")->artifact_bytes,
			 tree_bytes(DGM "initial/predictions"));
	/* a task's artifacts: its five files, fewer for an empty patch (never tested) */
	long long empty = 0;
	for (size_t i = 0; i < im.n; i++) {
		const struct trace_eval_task *t = &im.v[i].u.task;
		if (im.v[i].kind == TRACE_EVAL_TASK && !strcmp(t->node, C4) &&
		    !strcmp(t->task, "python__bowling")) {
			ck_assert_str_eq(t->result, "fail");
			ck_assert(isnan(t->sandbox_seconds));
			empty = t->artifact_bytes;
		}
	}
	ck_assert_int_eq(empty,
			 file_bytes(DGM C4 "/predictions/" C4 "_0/python__bowling.md") +
			 file_bytes(DGM C4 "/predictions/" C4 "_0/python__bowling.json") +
			 file_bytes(DGM C4 "/predictions/" C4 "_0/python__bowling_docker.log"));
}
END_TEST

START_TEST(dgm_run_estimates_only_the_claude_logs)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	struct usage u;
	int est;
	ck_assert_msg(import_into(DGM, &im, &err) == 0, "%s", err.msg);
	/* the evaluations print OpenAI Responses: reported, as the fixture's usages sum */
	ck_assert_uint_eq(calls_of(&im, NULL, "evaluate", &u, &est), 11);
	ck_assert_int_eq(est, 0);
	ck_assert_int_eq(u.input, 19168);
	ck_assert_int_eq(u.cache_read, 8704);
	ck_assert_int_eq(u.output, 2962);
	ck_assert_int_eq(u.reasoning, 2192);
	/* self_evo.md: one call per assistant message, ceil(len / 4) of Python's strings */
	ck_assert_uint_eq(calls_of(&im, NULL, "self_modify", &u, &est), 11);
	ck_assert_int_eq(est, 1);
	ck_assert_int_eq(u.input, 2249);
	ck_assert_int_eq(u.output, 292);
	ck_assert_uint_eq(calls_of(&im, C1, "self_modify", &u, &est), 3);
	ck_assert_int_eq(u.input, 153 + 214 + 273);
	ck_assert_int_eq(u.output, 36 + 40 + 28);
	/* C2's last reply had no text (None): an output of 0 */
	ck_assert_uint_eq(calls_of(&im, C2, "self_modify", &u, &est), 2);
	ck_assert_int_eq(u.input, 153 + 197);
	ck_assert_int_eq(u.output, 31 + 0);
	for (size_t i = 0; i < im.n; i++)
		if (im.v[i].kind == TRACE_LLM_CALL && im.v[i].u.call.estimated)
			ck_assert_str_eq(im.v[i].u.call.model,
					 "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0");
}
END_TEST

START_TEST(dgmh_run_counts_and_lineage)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	ck_assert_msg(import_into(DGMH, &im, &err) == 0, "%s", err.msg);
	/* 3 + 4 + 3 task-agent logs, 3 + 2 + 1 meta-agent replies */
	ck_assert_uint_eq(count(&im, TRACE_LLM_CALL), 16);
	ck_assert_uint_eq(count(&im, TRACE_EVAL_TASK), 10);
	ck_assert_uint_eq(count(&im, TRACE_ARCHIVE_ADD), 4);
	const struct trace_archive_add *a = node(&im, "initial");
	ck_assert_str_eq(a->parent, "");
	ck_assert_int_eq(a->iteration, 0);
	ck_assert_int_eq(a->patch_bytes, 0);
	/* the initial node counts as staged: 1/2 correct times 10/100 */
	ck_assert_double_eq_tol(a->score, 0.05, 1e-15);
	a = node(&im, "1");
	ck_assert_str_eq(a->parent, "initial");
	ck_assert_int_eq(a->iteration, 1);
	ck_assert_double_eq_tol(a->score, 2.0 / 3, 1e-15); /* full evaluation: unscaled */
	a = node(&im, "2");
	ck_assert_str_eq(a->parent, "1");
	ck_assert_int_eq(a->iteration, 2);
	ck_assert_double_eq(a->score, 0);
	a = node(&im, "3");
	ck_assert_str_eq(a->parent, "1");
	ck_assert_int_eq(a->iteration, 3);
	ck_assert(isnan(a->score)); /* no patch, never evaluated */
	size_t pass = 0, fail = 0;
	for (size_t i = 0; i < im.n; i++)
		if (im.v[i].kind == TRACE_EVAL_TASK) {
			pass += !strcmp(im.v[i].u.task.result, "pass");
			fail += !strcmp(im.v[i].u.task.result, "fail");
		}
	ck_assert_uint_eq(pass, 4);
	ck_assert_uint_eq(fail, 6);
}
END_TEST

START_TEST(dgmh_run_sizes_and_estimates)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	struct usage u;
	int est;
	ck_assert_msg(import_into(DGMH, &im, &err) == 0, "%s", err.msg);
	static const char *const gens[] = { "1", "2", "3" };
	for (size_t i = 0; i < 3; i++) {
		char p[256];
		snprintf(p, sizeof(p), DGMH "gen_%s/agent_output/model_patch.diff", gens[i]);
		ck_assert_int_eq(node(&im, gens[i])->patch_bytes, file_bytes(p));
	}
	ck_assert_int_eq(node(&im, "3")->patch_bytes, 0);
	ck_assert_int_eq(node(&im, "initial")->artifact_bytes,
			 tree_bytes(DGMH "gen_initial/paper_review_eval") +
			 tree_bytes(DGMH "gen_initial/paper_review_eval_val"));
	ck_assert_int_eq(node(&im, "1")->artifact_bytes,
			 tree_bytes(DGMH "gen_1/paper_review_eval") +
			 tree_bytes(DGMH "gen_1/paper_review_eval_val"));
	ck_assert_int_eq(node(&im, "3")->artifact_bytes, 0);
	/* every DGM-H log is text: all estimated */
	ck_assert_uint_eq(calls_of(&im, NULL, "self_modify", &u, &est), 6);
	ck_assert_int_eq(est, 1);
	ck_assert_int_eq(u.input, 941);
	ck_assert_int_eq(u.output, 161);
	ck_assert_uint_eq(calls_of(&im, "1", "self_modify", &u, &est), 3);
	ck_assert_int_eq(u.input, 98 + 181 + 271);
	ck_assert_int_eq(u.output, 41 + 36 + 21);
	ck_assert_uint_eq(calls_of(&im, NULL, "evaluate", &u, &est), 10);
	ck_assert_int_eq(est, 1);
	ck_assert_int_eq(u.input, 546);
	ck_assert_int_eq(u.output, 164);
	for (size_t i = 0; i < im.n; i++) {
		const struct trace_llm_call *c = &im.v[i].u.call;
		if (im.v[i].kind == TRACE_LLM_CALL)
			ck_assert_str_eq(c->model, !strcmp(c->role, "evaluate") ?
					 "gpt-4o" : "anthropic/claude-sonnet-4-5-20250929");
	}
}
END_TEST

/* ---- bad input: a scratch directory per test ---- */

static char scratch[64];

static void put(const char *name, const char *text)
{
	char p[256], dir[320];
	snprintf(p, sizeof(p), "%s/%s", scratch, name);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", p);
	ck_assert_int_eq(system(dir), 0);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void scratch_new(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hypercap-runs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void scratch_free(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

static void expect_error(const char *what)
{
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	ck_assert_int_eq(import_into(scratch, &im, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, what), "'%s' not in: %s", what, err.msg);
}

START_TEST(layout_detection)
{
	scratch_new();
	expect_error("no DGM or DGM-H layout's file; allowed: a directory with exactly one of "
		     "dgm_metadata.jsonl (DGM run output), archive.jsonl (DGM-H run output) or "
		     "metadata.json (DGM evaluation directory)");
	put("archive.jsonl", "");
	put("dgm_metadata.jsonl", "");
	expect_error("more than one layout's file");
	scratch_free();
}
END_TEST

START_TEST(dgm_metadata_stream_errors_name_the_line)
{
	scratch_new();
	/* the second generation breaks on its fourth line, line 11 of the file */
	put("dgm_metadata.jsonl",
	    "{\n  \"generation\": 0,\n  \"children\": [],\n  \"archive\": [\n"
	    "    \"initial\"\n  ]\n}\n{\n  \"generation\": 1,\n  \"children\": [\n"
	    "    \"a\",,\n  ]\n}\n");
	expect_error("dgm_metadata.jsonl:11: not JSON near ',");
	put("dgm_metadata.jsonl", "{\"generation\": 0, \"children\": [], \"archive\": []}\n"
	    "\n{\"generation\": -1, \"children\": [], \"archive\": []}\n");
	expect_error("dgm_metadata.jsonl:3: generation: got -1; allowed: a whole number >= 0");
	put("dgm_metadata.jsonl",
	    "{\"generation\": 0, \"children\": [\"../etc\"], \"archive\": []}");
	expect_error("dgm_metadata.jsonl:1: children[0]: got \"../etc\"");
	/* a key given twice (the first won), \u0000 (the string was cut there) */
	put("dgm_metadata.jsonl", "{\"generation\": 0, \"children\": [], \"archive\": []}\n"
	    "{\"generation\": 1, \"children\": [], \"archive\": [], \"generation\": 2}\n");
	expect_error("dgm_metadata.jsonl:2: generation: given twice; allowed: each key once");
	put("dgm_metadata.jsonl", "{\"generation\": 0, \"children\": [], \"archive\": []}\n"
	    "{\"generation\": 1, \"children\": [\"c\\u0000../x\"], \"archive\": []}\n");
	expect_error("dgm_metadata.jsonl:2: \\u0000 (a NUL character) in a string");
	scratch_free();
}
END_TEST

START_TEST(dgm_child_errors_name_the_file)
{
	scratch_new();
	put("dgm_metadata.jsonl", "{\"generation\": 0, \"children\": [\"c\"], \"archive\": "
				  "[\"initial\", \"c\"]}\n");
	put("initial/metadata.json", "{\"run_id\": \"initial\"}");
	put("initial/predictions/initial_0/.keep", "");
	put("c/metadata.json", "{\"run_id\": \"c\", \"parent_commit\": \"initial\"}");
	put("c/self_evo.md", "Task to improve\n[{'role': 'user', 'content': [{'type': 'text', "
			     "'text': 'unterminated}]}]\n");
	expect_error("/c/self_evo.md:2:");
	/* a line over LINES_MAX is refused, never held whole */
	size_t big = ((size_t)16 << 20) + 2;
	char *line = malloc(big + 1);
	ck_assert_ptr_nonnull(line);
	memset(line, 'x', big);
	line[big] = '\0';
	put("c/self_evo.md", line);
	free(line);
	expect_error("/c/self_evo.md:1: a line longer than 16 MiB");
	/* DGM's manualtools path logs Input: and Output: raw, not repr(): not DGM-H's lines */
	put("c/self_evo.md", "Input: I have uploaded a code repository\nOutput: <tool_use>\n");
	struct hc_err err = HC_ERR_INIT;
	static struct imported im;
	ck_assert_msg(import_into(scratch, &im, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(count(&im, TRACE_LLM_CALL), 0);
	ck_assert_uint_eq(count(&im, TRACE_ARCHIVE_ADD), 2);
	put("c/self_evo.md", "");
	put("c/metadata.json", "{\"run_id\": \"c\", \"parent_commit\": \"initial\", "
			       "\"overall_performance\": {\"accuracy_score\": \"high\"}}");
	expect_error("/c/metadata.json: overall_performance.accuracy_score: got \"high\"");
	put("c/metadata.json", "{\"run_id\": \"d\", \"parent_commit\": \"initial\"}");
	expect_error("/c/metadata.json: run_id: got \"d\"; allowed: 'c'");
	scratch_free();
}
END_TEST

START_TEST(dgmh_errors_name_the_file_and_line)
{
	scratch_new();
	put("gen_initial/.keep", "");
	put("archive.jsonl", "{\"current_genid\": \"initial\", \"archive\": [\"initial\"]}\n"
			     "{\"current_genid\": 1, \"archive\": [\"initial\", 1]\n");
	expect_error("archive.jsonl:2: got '{\"current_genid\": 1");
	put("archive.jsonl", "{\"current_genid\": \"initial\", \"archive\": [\"initial\"]}\n"
			     "{\"current_genid\": -2, \"archive\": [\"initial\", -2]}\n");
	expect_error("archive.jsonl:2: current_genid: got -2");
	put("archive.jsonl", "{\"current_genid\": \"initial\", \"archive\": [\"initial\"], "
			     "\"archive\": []}\n");
	expect_error("archive.jsonl:1: archive: given twice; allowed: each key once");
	put("archive.jsonl", "{\"current_genid\": \"initial\\u0000x\", \"archive\": "
			     "[\"initial\"]}\n");
	expect_error("archive.jsonl:1: got '{\"current_genid");
	put("archive.jsonl", "{\"current_genid\": \"initial\", \"archive\": [\"initial\"]}\n");
	put("gen_initial/paper_review_eval/report.json", "{\"overall_accuracy\": \"high\"}");
	expect_error("gen_initial/paper_review_eval/report.json: overall_accuracy: got \"high\"");
	put("gen_initial/paper_review_eval/report.json", "{\"overall_accuracy\": 0.5}");
	put("gen_initial/paper_review_eval/agent_evals/chat_history_q1.md",
	    "Input: 'review this'\nOutput: 'accept\n");
	expect_error("agent_evals/chat_history_q1.md:2: got 'Output: 'accept'");
	scratch_free();
}
END_TEST

START_TEST(estimate_rounds_up)
{
	ck_assert_int_eq(dgm_log_tokens(0), 0);
	ck_assert_int_eq(dgm_log_tokens(1), 1);
	ck_assert_int_eq(dgm_log_tokens(4), 1);
	ck_assert_int_eq(dgm_log_tokens(5), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("import_runs");
	check_add(s, "dgm_run_counts_and_lineage", dgm_run_counts_and_lineage, 10);
	check_add(s, "dgm_run_sizes_from_the_files", dgm_run_sizes_from_the_files, 10);
	check_add(s, "dgm_run_estimates_only_the_claude_logs",
		  dgm_run_estimates_only_the_claude_logs, 10);
	check_add(s, "dgmh_run_counts_and_lineage", dgmh_run_counts_and_lineage, 10);
	check_add(s, "dgmh_run_sizes_and_estimates", dgmh_run_sizes_and_estimates, 10);
	check_add(s, "layout_detection", layout_detection, 10);
	check_add(s, "dgm_metadata_stream_errors_name_the_line",
		  dgm_metadata_stream_errors_name_the_line, 10);
	check_add(s, "dgm_child_errors_name_the_file", dgm_child_errors_name_the_file, 10);
	check_add(s, "dgmh_errors_name_the_file_and_line", dgmh_errors_name_the_file_and_line, 10);
	check_add(s, "estimate_rounds_up", estimate_rounds_up, 10);
	return check_run(s);
}
