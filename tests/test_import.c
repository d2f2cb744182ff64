/*
 * The importers: each on its fixture (tests/fixtures/<kind>/) with the counts worked out by
 * hand, and dgm on the real DGM logs in data/dgm-polyglot-initial/ against their published totals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "import/import.h"
#include "tests/check_main.h"

#define FIX SOURCE_DIR "/tests/fixtures/"

struct imported {
	size_t n[TRACE_KIND_COUNT];
	struct trace_llm_call calls[8];
	struct usage sum;
	double sandbox_seconds;
	struct trace_eval_task first_task;
	long long artifact_bytes;
	size_t pass, fail;
	struct trace_archive_add add;
	struct import_stats st;
};

static char out_path[64];

/* Imports source with kind into a temporary trace and reads it back. */
static int import_and_read(const char *kind, const char *source, struct imported *im,
			   struct hc_err *err)
{
	struct trace_writer w;
	memset(im, 0, sizeof(*im));
	snprintf(out_path, sizeof(out_path), "/tmp/hypercap-import-%d.jsonl", (int)getpid());
	ck_assert_int_eq(trace_writer_open(&w, out_path, kind, "2026-07-24T00:00:00Z", err), 0);
	int rc = import_kind_find(kind)->run(source, &w, &im->st, err);
	if (rc) {
		trace_writer_abort(&w);
		return rc;
	}
	ck_assert_int_eq(trace_writer_commit(&w, err), 0);
	struct trace_reader r;
	struct trace_record rec;
	ck_assert_int_eq(trace_reader_open(&r, out_path, 0, err), 0);
	while ((rc = trace_reader_next(&r, &rec, err)) == 1) {
		if (rec.kind == TRACE_LLM_CALL) {
			if (im->n[TRACE_LLM_CALL] < 8)
				im->calls[im->n[TRACE_LLM_CALL]] = rec.u.call;
			if (rec.u.call.has_usage)
				usage_add(&im->sum, &rec.u.call.usage);
		} else if (rec.kind == TRACE_EVAL_TASK) {
			if (!im->n[TRACE_EVAL_TASK])
				im->first_task = rec.u.task;
			if (!isnan(rec.u.task.sandbox_seconds))
				im->sandbox_seconds += rec.u.task.sandbox_seconds;
			im->artifact_bytes += rec.u.task.artifact_bytes;
			im->pass += !strcmp(rec.u.task.result, "pass");
			im->fail += !strcmp(rec.u.task.result, "fail");
		} else {
			im->add = rec.u.add;
		}
		im->n[rec.kind]++;
	}
	ck_assert_int_eq(rc, 0);
	trace_reader_close(&r);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

START_TEST(dgm_real_logs_match_published_totals)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("dgm", SOURCE_DIR "/data/dgm-polyglot-initial", &im,
					 &err), 0);
	/* data/README.md, counted independently of this code */
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 255);
	ck_assert_int_eq(im.sum.calls, 255);
	ck_assert_int_eq(im.sum.input, 410728);
	ck_assert_int_eq(im.sum.cache_read, 122856);
	ck_assert_int_eq(im.sum.output, 232566);
	ck_assert_int_eq(im.sum.reasoning, 166592);
	ck_assert_int_eq(usage_total(&im.sum), 643294);
	ck_assert_int_eq(im.sum.cache_write, 0);
	/* 59 tasks: 9 resolved, 48 unresolved, 2 empty patches (their predictions' eval_result) */
	ck_assert_int_eq(im.n[TRACE_EVAL_TASK], 59);
	ck_assert_int_eq(im.pass, 9);
	ck_assert_int_eq(im.fail, 50);
	ck_assert_int_eq(im.n[TRACE_ARCHIVE_ADD], 1);
	ck_assert_str_eq(im.add.node, "initial");
	ck_assert_double_eq(im.add.score, 0.142);
	ck_assert_int_eq(im.add.artifact_bytes, im.artifact_bytes);
	/* the first call of the first task in byte order (cpp__all-your-base.md) */
	ck_assert_str_eq(im.calls[0].task, "cpp__all-your-base");
	ck_assert_str_eq(im.calls[0].model, "o3-mini-2025-01-31");
	ck_assert_str_eq(im.calls[0].domain, "polyglot");
	ck_assert_str_eq(im.calls[0].role, "evaluate");
	ck_assert_int_eq(im.calls[0].usage.input, 929);
	ck_assert_double_eq(im.calls[0].start_time, 1746843437);
	ck_assert(im.sandbox_seconds > 0);
	/* its span: the docker log's first line (02:13:28,746 UTC on 2025-05-10) to its last
	 * (02:19:27,414), around its calls; the test run from 02:18:46,724 to 02:18:50,109 */
	ck_assert_str_eq(im.first_task.task, "cpp__all-your-base");
	ck_assert_double_eq(im.first_task.start_time, 1746843208.746);
	ck_assert_double_eq(im.first_task.end_time, 1746843567.414);
	ck_assert_double_eq(im.first_task.sandbox_seconds, 3.385);
	/* deterministic: a second import gives the same bytes */
	char *first = slurp(out_path);
	ck_assert_int_eq(import_and_read("dgm", SOURCE_DIR "/data/dgm-polyglot-initial", &im,
					 &err), 0);
	char *second = slurp(out_path);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	unlink(out_path);
}
END_TEST

START_TEST(dgm_bad_directory)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("dgm", FIX "openai", &im, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "openai': no DGM or DGM-H layout's file"), "%s", err.msg);
	ck_assert_int_eq(import_and_read("dgm", FIX "openai/responses.jsonl", &im, &err),
			 HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "responses.jsonl': not a directory"), "%s", err.msg);
	unlink(out_path);
}
END_TEST

START_TEST(openai_chat_responses_and_batch)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("openai", FIX "openai/responses.jsonl", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 4);
	ck_assert_int_eq(im.st.skipped, 1); /* the expired batch request */
	const struct trace_llm_call *c = im.calls;
	ck_assert_int_eq(c[0].usage.input, 1200);
	ck_assert_int_eq(c[0].usage.cache_read, 1024);
	ck_assert_int_eq(c[0].usage.output, 300);
	ck_assert_str_eq(c[0].status, "stop");
	ck_assert_int_eq(c[1].usage.reasoning, 64);
	ck_assert_int_eq(c[1].usage.output, 90);
	ck_assert_str_eq(c[1].role, "evaluate");
	ck_assert_int_eq(c[1].iteration, 3);
	ck_assert_str_eq(c[2].model, "gpt-4o-mini");
	ck_assert_int_eq(c[2].usage.output, 16384);
	/* the Batch API output line is marked, to be priced at batch rates */
	ck_assert_int_eq(c[2].batch, 1);
	ck_assert_int_eq(c[0].batch + c[1].batch + c[3].batch, 0);
	ck_assert_str_eq(c[0].service_tier, "flex"); /* priced at flex rates where given */
	ck_assert_str_eq(c[1].service_tier, "");
	ck_assert_int_eq(c[3].has_usage, 0); /* usage: null is unknown, not zero */
	ck_assert_int_eq(im.sum.input, 1200 + 858 + 50);
	unlink(out_path);
}
END_TEST

START_TEST(anthropic_input_adds_cache_counts_once)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("anthropic", FIX "anthropic/messages.jsonl", &im, &err),
			 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 3);
	ck_assert_int_eq(im.st.skipped, 1);
	/* input_tokens 20 + cache reads 30000 + cache writes 1500 */
	ck_assert_int_eq(im.calls[0].usage.input, 31520);
	ck_assert_int_eq(im.calls[0].usage.cache_read, 30000);
	ck_assert_int_eq(im.calls[0].usage.cache_write, 1500);
	/* usage.cache_creation.ephemeral_1h_input_tokens: 500 of them to the 1-hour cache */
	ck_assert_int_eq(im.calls[0].usage.cache_write_1h, 500);
	ck_assert_int_eq(im.calls[0].batch + im.calls[1].batch, 0);
	ck_assert_int_eq(im.calls[2].batch, 1); /* a Message Batches result */
	ck_assert_str_eq(im.calls[0].service_tier, "standard"); /* usage.service_tier */
	ck_assert_int_eq(im.calls[1].usage.input, 1000);
	ck_assert_int_eq(im.calls[2].usage.input, 7 + 993);
	ck_assert_str_eq(im.calls[2].model, "claude-opus-4-5-20251101");
	ck_assert_int_eq(im.sum.output, 400 + 50 + 64000);
	unlink(out_path);
}
END_TEST

START_TEST(otel_llm_spans_only)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("otel", FIX "otel/spans.json", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 2);
	ck_assert_int_eq(im.st.skipped, 1); /* invoke_agent: its usage is its child's */
	const struct trace_llm_call *c = im.calls;
	ck_assert_str_eq(c[0].model, "gpt-4o-2024-08-06");
	ck_assert_str_eq(c[0].provider, "openai");
	ck_assert_double_eq(c[0].start_time, 1746843464);
	ck_assert_double_eq(c[0].end_time, 1746843466.5);
	ck_assert_int_eq(c[0].usage.input, 5000);
	ck_assert_int_eq(c[0].usage.cache_read, 4096);
	ck_assert_int_eq(c[0].usage.output, 700);
	ck_assert_str_eq(c[0].role, "self_modify");
	ck_assert_int_eq(c[0].iteration, 4);
	ck_assert_str_eq(c[0].status, "ok");
	ck_assert_str_eq(c[1].provider, "anthropic");
	ck_assert_str_eq(c[1].status, "error");
	ck_assert_int_eq(c[1].usage.cache_write, 1000);
	ck_assert_int_eq(c[1].usage.cache_write_1h, 400); /* hypercap.usage.cache_creation_1h */
	ck_assert_str_eq(c[0].service_tier, "flex"); /* openai.response.service_tier */
	unlink(out_path);
}
END_TEST

/* Traceloop's Anthropic count (cache excluded from input), the Anthropic SDK's cache_write. */
START_TEST(otel_anthropic_input_counts_cache_once)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("otel", FIX "otel/anthropic-cache.json", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 3);
	const struct trace_llm_call *c = im.calls;
	ck_assert_int_eq(c[0].usage.input, 12 + 9000 + 300); /* cache_read_input_tokens ... */
	ck_assert_int_eq(c[0].usage.cache_read, 9000);
	ck_assert_int_eq(c[0].usage.cache_write, 300);
	ck_assert_int_eq(c[1].usage.input, 50 + 2000 + 500); /* cache counts above input */
	ck_assert_int_eq(c[1].usage.cache_write, 500);       /* cache_write.input_tokens */
	ck_assert_int_eq(c[2].usage.input, 5000);            /* the conventions' count */
	ck_assert_int_eq(c[2].usage.cache_read, 4000);
	unlink(out_path);
}
END_TEST

/* OpenInference's llm.token_count.* and the Vercel AI SDK's ai.usage.*, once imported as 0. */
START_TEST(otel_openinference_and_vercel_spans)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("otel", FIX "otel/openinference-vercel.json", &im, &err),
			 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 5);
	ck_assert_int_eq(im.st.skipped, 2); /* the AGENT span, ai.generateText around its steps */
	const struct trace_llm_call *c = im.calls;
	ck_assert_str_eq(c[0].model, "o3-2025-04-16"); /* llm.model_name */
	ck_assert_str_eq(c[0].provider, "openai");
	ck_assert_int_eq(c[0].usage.input, 3000);
	ck_assert_int_eq(c[0].usage.cache_read, 1024);
	ck_assert_int_eq(c[0].usage.output, 900);
	ck_assert_int_eq(c[0].usage.reasoning, 640);
	ck_assert_str_eq(c[1].provider, "anthropic");
	ck_assert_int_eq(c[1].usage.input, 8000); /* OpenInference counts the cache in */
	ck_assert_int_eq(c[1].usage.cache_write, 1500);
	ck_assert_str_eq(c[2].model, "gpt-4o-mini"); /* ai.model.id */
	ck_assert_str_eq(c[2].provider, "openai");   /* ai.model.provider "openai.chat" */
	ck_assert_int_eq(c[2].usage.input, 600);     /* ai.usage.promptTokens */
	ck_assert_int_eq(c[3].usage.output, 200);    /* ai.usage.completionTokens */
	ck_assert_str_eq(c[4].provider, "anthropic");
	ck_assert_int_eq(c[4].usage.input, 4000);    /* ai.usage.inputTokens */
	ck_assert_int_eq(c[4].usage.cache_read, 3000);
	ck_assert_int_eq(c[4].usage.output, 500);
	ck_assert_int_eq(c[4].usage.reasoning, 120);
	ck_assert_int_eq(c[4].has_usage, 1);
	unlink(out_path);
}
END_TEST

/* gen_ai.usage.prompt_tokens and completion_tokens: usage, with a warning, not calls without. */
START_TEST(otel_older_names_read_with_a_warning)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("otel", FIX "otel/older-names.json", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 2);
	const struct trace_llm_call *c = im.calls;
	ck_assert_int_eq(c[0].has_usage, 1);
	ck_assert_int_eq(c[0].usage.input, 1200);
	ck_assert_int_eq(c[0].usage.output, 300);
	ck_assert_int_eq(c[1].usage.input, 20 + 5000); /* Traceloop's Anthropic count */
	ck_assert_int_eq(im.st.noted, 2);
	ck_assert_msg(strstr(im.st.noted_what, "gen_ai.usage.prompt_tokens"), "%s",
		      im.st.noted_what);
	unlink(out_path);
}
END_TEST

/* Two instrumentations on one call nest two spans: the call is counted once, the inner span. */
START_TEST(otel_nested_spans_of_one_call_count_once)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("otel", FIX "otel/nested.json", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 4);
	ck_assert_int_eq(im.st.skipped, 2);
	ck_assert_str_eq(im.st.skipped_what,
			 "spans that are not LLM calls or repeat a child span's call");
	const struct trace_llm_call *c = im.calls;
	ck_assert_str_eq(c[0].id, "f505"); /* its child's usage differs: another call */
	ck_assert_str_eq(c[1].id, "f502"); /* in a later document than its parent f501 */
	ck_assert_int_eq(c[1].usage.input, 9312);
	ck_assert_str_eq(c[2].id, "f504"); /* gpt-4o-2024-08-06 under gpt-4o */
	ck_assert_str_eq(c[3].id, "f506");
	unlink(out_path);
}
END_TEST

START_TEST(litellm_spend_log_csv)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	ck_assert_int_eq(import_and_read("litellm", FIX "litellm/spend-logs.csv", &im, &err), 0);
	ck_assert_int_eq(im.n[TRACE_LLM_CALL], 5);
	ck_assert_int_eq(im.st.skipped, 2); /* the embedding, the MCP tool call without a model */
	ck_assert_str_eq(im.st.skipped_what,
			 "rows that are not completions (call_type) or have no model");
	const struct trace_llm_call *c = im.calls;
	ck_assert_str_eq(c[0].id, "chatcmpl-a1");
	ck_assert_int_eq(c[0].usage.input, 3000);
	ck_assert_int_eq(c[0].usage.cache_read, 2000);
	ck_assert_int_eq(c[0].usage.cache_write, 500);
	/* prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens */
	ck_assert_int_eq(c[0].usage.cache_write_1h, 200);
	ck_assert_str_eq(c[0].role, "self_modify");
	ck_assert_int_eq(c[0].iteration, 7);
	ck_assert_double_eq_tol(c[0].start_time, 1746843208.799, 1e-6);
	ck_assert_double_eq_tol(c[0].end_time - c[0].start_time, 2.321, 1e-6);
	ck_assert_int_eq(c[1].usage.reasoning, 128);
	ck_assert_double_eq_tol(c[1].end_time - c[1].start_time, 4.5, 1e-6);
	/* a batch job's row (call_type aretrieve_batch) is marked for batch rates */
	ck_assert_int_eq(c[0].batch + c[1].batch, 0);
	ck_assert_int_eq(c[2].batch, 1);
	/* cache_hit True: LiteLLM answered from its cache; unbilled, its tags still read */
	ck_assert_str_eq(c[3].status, "cache_hit");
	ck_assert_int_eq(c[3].has_usage, 1);
	ck_assert_int_eq(usage_total(&c[3].usage), 0);
	ck_assert_int_eq(c[3].usage.cache_read + c[3].usage.cache_write, 0);
	ck_assert_int_eq(c[3].iteration, 8);
	ck_assert_str_eq(c[0].status, "success");
	/* an older row: the cache counts in metadata.additional_usage_values */
	ck_assert_int_eq(c[4].usage.input, 2000);
	ck_assert_int_eq(c[4].usage.cache_read, 1500);
	ck_assert_int_eq(c[4].usage.cache_write, 400);
	unlink(out_path);
}
END_TEST

START_TEST(bad_sources_name_the_line)
{
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hypercap-bad-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": 3, \"completion_tokens\": 1}}\n"
	      "{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": -3, \"completion_tokens\": 1}}\n",
	      f);
	fclose(f);
	ck_assert_int_eq(import_and_read("openai", path, &im, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ":2: usage.prompt_tokens: got -3"), "%s", err.msg);
	f = fopen(path, "w");
	fputs("request_id,model,prompt_tokens\nx,gpt-4o,3\n", f);
	fclose(f);
	ck_assert_int_eq(import_and_read("litellm", path, &im, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ":1: column 'completion_tokens': missing"), "%s", err.msg);
	f = fopen(path, "w");
	fputs("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"attributes\": [{\"key\": "
	      "\"gen_ai.usage.input_tokens\", \"value\": {\"intValue\": \"x\"}}]}]}]}]}\n", f);
	fclose(f);
	ck_assert_int_eq(import_and_read("otel", path, &im, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ":1: resourceSpans[0].scopeSpans[0].spans[0]: "
				      "gen_ai.usage.input_tokens: got"), "%s", err.msg);
	unlink(path);
	unlink(out_path);
}
END_TEST

#define LITELLM_META "model,prompt_tokens,completion_tokens,metadata\ngpt-4o,1,2,"

/* Inputs that used to be read leniently: a key given twice, \u0000, a CSV header alone. */
START_TEST(lenient_inputs_are_refused)
{
	static const struct {
		const char *kind, *text, *want;
	} cases[] = {
		/* the first of two keys won: 1 input token instead of 10 */
		{ "openai", "{\"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": 1, "
		  "\"completion_tokens\": 5, \"prompt_tokens\": 10}}\n",
		  ":1: usage.prompt_tokens: given twice; allowed: each key once" },
		{ "anthropic", "\n{\"model\": \"claude-sonnet-4-5\", \"model\": \"x\", \"usage\": "
		  "{\"input_tokens\": 1, \"output_tokens\": 1}}\n", ":2: model: given twice" },
		/* cJSON cut the name at \u0000: priced as gpt-4o */
		{ "openai", "{\"model\": \"gpt-4o\\u0000evil\", \"usage\": {\"prompt_tokens\": 1, "
		  "\"completion_tokens\": 5}}\n", ":1:18: \\u0000 (a NUL character) in a string; "
		  "allowed: strings without NUL" },
		{ "otel", "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"spanId\": \"a\", "
		  "\"spanId\": \"b\"}]}]}]}\n",
		  ":1: resourceSpans[0].scopeSpans[0].spans[0].spanId: given twice" },
		{ "otel", "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"attributes\": ["
		  "{\"key\": \"gen_ai.usage.input_tokens\", \"value\": {\"intValue\": 1}}, "
		  "{\"key\": \"gen_ai.usage.output_tokens\", \"value\": {\"intValue\": 1}}, "
		  "{\"key\": \"gen_ai.usage.input_tokens\", \"value\": {\"intValue\": 9}}]}]}]}]}\n",
		  "spans[0].attributes: 'gen_ai.usage.input_tokens' given twice" },
		{ "otel", "\n{\"resourceSpans\": [{\"x\": \"\\u0000\"}]}\n", ":2: \\u0000" },
		{ "litellm", "model,prompt_tokens,completion_tokens\n",
		  ": a header row and no spend-log rows" },
		{ "litellm", "model,prompt_tokens,completion_tokens,model\ngpt-4o,1,2,o3\n",
		  ":1: column 'model': given twice; allowed: each column once" },
		{ "litellm", LITELLM_META "\"{\"\"a\"\": \"\"x\\u0000\"\"}\"\n",
		  ": row 2: metadata: \\u0000" },
		{ "litellm", LITELLM_META "\"{\"\"usage_object\"\": {"
		  "\"\"cache_read_input_tokens\"\": 1, \"\"cache_read_input_tokens\"\": 0}}\"\n",
		  ": row 2: metadata: usage_object.cache_read_input_tokens: given twice" },
		{ "litellm", LITELLM_META "\"{\"\"additional_usage_values\"\": {"
		  "\"\"cache_read_input_tokens\"\": -1}}\"\n",
		  ": row 2: metadata.additional_usage_values.cache_read_input_tokens: got -1" },
		{ "litellm", "model,prompt_tokens,completion_tokens,cache_hit\ngpt-4o,1,2,yes\n",
		  ": row 2: cache_hit: got 'yes'; allowed: True, False, None or empty" },
	};
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hypercap-lenient-%d", (int)getpid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(cases[i].text, f);
		fclose(f);
		int rc = import_and_read(cases[i].kind, path, &im, &err);
		ck_assert_msg(rc == HC_EINPUT, "case %zu: got %d", i, rc);
		ck_assert_msg(strstr(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
	}
	unlink(path);
}
END_TEST

/* A provider log or CSV row over LINES_MAX is refused without being held whole. */
START_TEST(over_long_lines_are_refused)
{
	static const struct {
		const char *kind, *head, *tail, *want;
	} cases[] = {
		{ "openai", "{\"model\": \"", "\"}\n", ":1: a line longer than 16 MiB" },
		{ "litellm", "model,prompt_tokens,completion_tokens\n\"", "\",1,2\n",
		  ": row 2: longer than 16 MiB; allowed: rows of at most 16 MiB" },
	};
	struct hc_err err = HC_ERR_INIT;
	struct imported im;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hypercap-long-%d", (int)getpid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(cases[i].head, f);
		for (size_t n = 0; n <= (size_t)16 << 20; n += 4096)
			fprintf(f, "%4096d", 0);
		fputs(cases[i].tail, f);
		fclose(f);
		ck_assert_int_eq(import_and_read(cases[i].kind, path, &im, &err), HC_EINPUT);
		ck_assert_msg(strstr(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
	}
	unlink(path);
}
END_TEST

START_TEST(time_parse)
{
	double t;
	ck_assert_int_eq(import_time_parse("1970-01-01T00:00:00Z", &t), 0);
	ck_assert_double_eq(t, 0);
	ck_assert_int_eq(import_time_parse("2025-05-10 02:13:28.799", &t), 0);
	ck_assert_double_eq_tol(t, 1746843208.799, 1e-6);
	ck_assert_int_eq(import_time_parse("2025-05-10T04:13:28.799+02:00", &t), 0);
	ck_assert_double_eq_tol(t, 1746843208.799, 1e-6);
	ck_assert_int_eq(import_time_parse("2000-02-29T12:00:00Z", &t), 0);
	ck_assert_double_eq(t, 951825600);
	ck_assert_int_eq(import_time_parse("2025-13-01T00:00:00Z", &t), HC_EINPUT);
	ck_assert_int_eq(import_time_parse("yesterday", &t), HC_EINPUT);
	ck_assert_int_eq(import_time_parse("2025-05-10T02:13:28Zjunk", &t), HC_EINPUT);
}
END_TEST

/* Days the calendar does not have are refused, leap days where the year has one kept. */
START_TEST(time_parse_refuses_impossible_dates)
{
	static const char *const bad[] = { "2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z",
		"1900-02-29 00:00:00", "2025-04-31T12:00:00Z", "2025-06-31T12:00:00Z",
		"2025-05-10T02:13:28+24:00", "2025-05-10T02:13:28-05:60" };
	double t;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(import_time_parse(bad[i], &t) == HC_EINPUT, "%s accepted", bad[i]);
	ck_assert_int_eq(import_time_parse("2024-02-29T00:00:00Z", &t), 0);
	ck_assert_double_eq(t, 1709164800); /* date -u -d 2024-02-29 +%s */
	ck_assert_int_eq(import_time_parse("2025-12-31T23:59:60Z", &t), 0);
	ck_assert_int_eq(import_time_parse("2025-05-10T02:13:28-23:59", &t), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("import");
	check_add(s, "dgm_real_logs_match_published_totals", dgm_real_logs_match_published_totals,
		  60);
	check_add(s, "dgm_bad_directory", dgm_bad_directory, 10);
	check_add(s, "openai_chat_responses_and_batch", openai_chat_responses_and_batch, 10);
	check_add(s, "anthropic_input_adds_cache_counts_once",
		  anthropic_input_adds_cache_counts_once, 10);
	check_add(s, "otel_llm_spans_only", otel_llm_spans_only, 10);
	check_add(s, "otel_anthropic_input_counts_cache_once",
		  otel_anthropic_input_counts_cache_once, 10);
	check_add(s, "otel_openinference_and_vercel_spans", otel_openinference_and_vercel_spans,
		  10);
	check_add(s, "otel_older_names_read_with_a_warning", otel_older_names_read_with_a_warning,
		  10);
	check_add(s, "otel_nested_spans_of_one_call_count_once",
		  otel_nested_spans_of_one_call_count_once, 10);
	check_add(s, "litellm_spend_log_csv", litellm_spend_log_csv, 10);
	check_add(s, "bad_sources_name_the_line", bad_sources_name_the_line, 10);
	check_add(s, "time_parse", time_parse, 10);
	check_add(s, "time_parse_refuses_impossible_dates", time_parse_refuses_impossible_dates, 10);
	check_add(s, "lenient_inputs_are_refused", lenient_inputs_are_refused, 10);
	check_add(s, "over_long_lines_are_refused", over_long_lines_are_refused, 60);
	return check_run(s);
}
