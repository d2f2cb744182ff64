/*
 * usage_parse: the providers' documented answer shapes, whole and streamed, with the counts
 * worked out by hand; every stream is also fed split at every byte boundary and one byte at a
 * time, which must not change the result.
 */
#include <stdlib.h>
#include <string.h>
#include "base/utf8.h"
#include "import/usage_parse.h"
#include "tests/check_main.h"

/* OpenAI Chat Completions with stream_options.include_usage: the last chunk has the usage. */
static const char chat_stream[] =
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
	"\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],"
	"\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
	"\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
	": a comment line\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
	"\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":300,"
	"\"prompt_tokens_details\":{\"cached_tokens\":1024},"
	"\"completion_tokens_details\":{\"reasoning_tokens\":128}}}\n\n"
	"data: [DONE]\n\n";

/* The same stream without include_usage: no usage anywhere. */
static const char chat_stream_no_usage[] =
	"data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
	"\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}"
	"\n\ndata: [DONE]\n\n";

/* OpenAI Responses: response.completed carries the whole response with its usage. */
static const char responses_stream[] =
	"event: response.created\r\n"
	"data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"object\":"
	"\"response\",\"status\":\"in_progress\",\"model\":\"o4-mini\",\"usage\":null}}\r\n\r\n"
	"event: response.output_text.delta\r\n"
	"data: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\r\n\r\n"
	"event: response.completed\r\n"
	"data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"object\":"
	"\"response\",\"status\":\"completed\",\"model\":\"o4-mini\",\"usage\":{"
	"\"input_tokens\":500,\"input_tokens_details\":{\"cached_tokens\":100},"
	"\"output_tokens\":90,\"output_tokens_details\":{\"reasoning_tokens\":64}}}}\r\n\r\n";

/*
 * Anthropic Messages: message_start has the input side (input_tokens EXCLUDES the cache
 * parts), message_delta the cumulative output. Data split over two data: lines, joined by LF.
 */
static const char anthropic_stream[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
	"\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":25,"
	"\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":3000,"
	"\"cache_creation\":{\"ephemeral_5m_input_tokens\":600,"
	"\"ephemeral_1h_input_tokens\":400},\"output_tokens\":1}}}\n\n"
	"event: ping\ndata: {\"type\":\"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\n"
	"data: \"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
	"\"usage\":{\"output_tokens\":412}}\n\n"
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static void feed_whole(const char *s, struct usage_parse_result *r)
{
	struct sse_parser p;
	sse_init(&p);
	ck_assert_int_eq(sse_feed(&p, s, strlen(s)), 0);
	sse_finish(&p, r);
	sse_release(&p);
}

static int same_result(const struct usage_parse_result *a, const struct usage_parse_result *b)
{
	const struct usage *x = &a->usage, *y = &b->usage;
	return a->has_usage == b->has_usage && x->calls == y->calls && x->input == y->input &&
	       x->cache_read == y->cache_read && x->cache_write == y->cache_write &&
	       x->output == y->output && x->reasoning == y->reasoning &&
	       !strcmp(a->provider, b->provider) && !strcmp(a->model, b->model) &&
	       !strcmp(a->id, b->id) && !strcmp(a->status, b->status);
}

/* Feeding s split at every boundary, and byte by byte, gives want. */
static void check_splits(const char *s, const struct usage_parse_result *want)
{
	size_t n = strlen(s);
	for (size_t cut = 0; cut <= n; cut++) {
		struct sse_parser p;
		struct usage_parse_result r;
		sse_init(&p);
		ck_assert_int_eq(sse_feed(&p, s, cut), 0);
		ck_assert_int_eq(sse_feed(&p, s + cut, n - cut), 0);
		sse_finish(&p, &r);
		sse_release(&p);
		ck_assert_msg(same_result(&r, want), "split at byte %zu changed the result",
			      cut);
	}
	struct sse_parser p;
	struct usage_parse_result r;
	sse_init(&p);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(sse_feed(&p, s + i, 1), 0);
	sse_finish(&p, &r);
	sse_release(&p);
	ck_assert_msg(same_result(&r, want), "byte-by-byte feeding changed the result");
}

static void assert_usage(const struct usage_parse_result *r, long in, long cr, long cw, long out,
			 long reasoning)
{
	ck_assert_int_eq(r->has_usage, 1);
	ck_assert_int_eq(r->usage.calls, 1);
	ck_assert_int_eq(r->usage.input, in);
	ck_assert_int_eq(r->usage.cache_read, cr);
	ck_assert_int_eq(r->usage.cache_write, cw);
	ck_assert_int_eq(r->usage.output, out);
	ck_assert_int_eq(r->usage.reasoning, reasoning);
}

START_TEST(chat_stream_final_usage_chunk)
{
	struct usage_parse_result r;
	feed_whole(chat_stream, &r);
	assert_usage(&r, 1200, 1024, 0, 300, 128);
	ck_assert_str_eq(r.provider, "openai");
	ck_assert_str_eq(r.model, "gpt-4o");
	ck_assert_str_eq(r.id, "chatcmpl-1");
	ck_assert_str_eq(r.status, "stop");
	check_splits(chat_stream, &r);
}
END_TEST

START_TEST(chat_stream_without_usage_is_unknown)
{
	struct usage_parse_result r;
	feed_whole(chat_stream_no_usage, &r);
	ck_assert_int_eq(r.has_usage, 0);
	ck_assert_str_eq(r.model, "gpt-4o");
	ck_assert_str_eq(r.status, "stop");
}
END_TEST

START_TEST(responses_stream_completed_event)
{
	struct usage_parse_result r;
	feed_whole(responses_stream, &r);
	assert_usage(&r, 500, 100, 0, 90, 64);
	ck_assert_str_eq(r.model, "o4-mini");
	ck_assert_str_eq(r.id, "resp_1");
	ck_assert_str_eq(r.status, "completed");
	check_splits(responses_stream, &r);
}
END_TEST

START_TEST(anthropic_stream_start_and_delta)
{
	struct usage_parse_result r;
	feed_whole(anthropic_stream, &r);
	/* input = 25 + 3000 cache reads + 1000 cache writes */
	assert_usage(&r, 4025, 3000, 1000, 412, 0);
	ck_assert_int_eq(r.usage.cache_write_1h, 400); /* kept through message_delta */
	ck_assert_str_eq(r.provider, "anthropic");
	ck_assert_str_eq(r.model, "claude-sonnet-4-5");
	ck_assert_str_eq(r.status, "end_turn");
	check_splits(anthropic_stream, &r);
}
END_TEST

START_TEST(anthropic_delta_repeating_input_counts)
{
	/* newer API versions repeat the (final) input counts in message_delta */
	static const char s[] =
		"data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\","
		"\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
		"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
		"\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":7,"
		"\"output_tokens\":30}}\n\n";
	struct usage_parse_result r;
	feed_whole(s, &r);
	assert_usage(&r, 19, 7, 0, 30, 0);
	ck_assert_str_eq(r.status, "max_tokens");
}
END_TEST

START_TEST(anthropic_stream_cut_before_delta_is_unknown)
{
	static const char s[] =
		"data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\","
		"\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
		"data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}\n\n";
	struct usage_parse_result r;
	feed_whole(s, &r);
	ck_assert_int_eq(r.has_usage, 0);
}
END_TEST

START_TEST(stream_without_final_blank_line)
{
	static const char s[] =
		"data: {\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[],"
		"\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";
	struct usage_parse_result r;
	feed_whole(s, &r);
	assert_usage(&r, 3, 0, 0, 4, 0);
}
END_TEST

START_TEST(bodies_of_each_api)
{
	static const char chat[] =
		"{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
		"\"service_tier\":\"priority\","
		"\"choices\":[{\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":10,"
		"\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":2}}}";
	static const char resp[] =
		"{\"id\":\"r1\",\"object\":\"response\",\"status\":\"incomplete\",\"model\":\"o3\","
		"\"usage\":{\"input_tokens\":40,\"output_tokens\":9,"
		"\"output_tokens_details\":{\"reasoning_tokens\":8}}}";
	static const char msg[] =
		"{\"id\":\"m1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\",\"stop_reason\":"
		"\"tool_use\",\"usage\":{\"input_tokens\":3,\"cache_read_input_tokens\":50,"
		"\"cache_creation_input_tokens\":20,\"cache_creation\":{"
		"\"ephemeral_5m_input_tokens\":5,\"ephemeral_1h_input_tokens\":15},"
		"\"output_tokens\":6}}";
	static const char emb[] =
		"{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"embedding\":[0.1]}],"
		"\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,"
		"\"total_tokens\":8}}";
	struct usage_parse_result r;
	usage_parse_body(chat, strlen(chat), &r);
	assert_usage(&r, 10, 2, 0, 5, 0);
	ck_assert_str_eq(r.status, "length");
	ck_assert_str_eq(r.service_tier, "priority");
	usage_parse_body(resp, strlen(resp), &r);
	assert_usage(&r, 40, 0, 0, 9, 8);
	ck_assert_str_eq(r.status, "incomplete");
	usage_parse_body(msg, strlen(msg), &r);
	assert_usage(&r, 73, 50, 20, 6, 0);
	ck_assert_int_eq(r.usage.cache_write_1h, 15);
	ck_assert_str_eq(r.provider, "anthropic");
	ck_assert_str_eq(r.status, "tool_use");
	usage_parse_body(emb, strlen(emb), &r);
	assert_usage(&r, 8, 0, 0, 0, 0);
	ck_assert_str_eq(r.model, "text-embedding-3-small");
}
END_TEST

/* A body fed to body_scan split at every boundary gives what usage_parse_body gives whole. */
static void check_scan_splits(const char *body)
{
	size_t n = strlen(body);
	struct usage_parse_result want, r;
	usage_parse_body(body, n, &want);
	for (size_t cut = 0; cut <= n; cut++) {
		struct body_scan s;
		body_scan_init(&s);
		ck_assert_int_eq(body_scan_feed(&s, body, cut), 0);
		ck_assert_int_eq(body_scan_feed(&s, body + cut, n - cut), 0);
		body_scan_finish(&s, &r);
		body_scan_release(&s);
		ck_assert_msg(same_result(&r, &want), "split at byte %zu changed the result of %s",
			      cut, body);
	}
}

/*
 * The meter reads a whole answer through body_scan, in bounded memory: the same result as the
 * whole body for every API, and the usage of an answer whose content and arrays are far larger
 * than what it keeps (issue 13, item 15).
 */
START_TEST(body_scan_keeps_a_bounded_skeleton)
{
	static const char *const bodies[] = {
		"{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
		"\"choices\":[{\"index\":0,\"message\":"
		"{\"content\":\"a \\\"quoted\\\" [x, y] {z}\\\\\"},"
		"\"finish_reason\":\"length\"},{\"finish_reason\":\"stop\"}],\"usage\":"
		"{\"prompt_tokens\":10,\"completion_tokens\":5,\"prompt_tokens_details\":"
		"{\"cached_tokens\":2}}}",
		"{\"id\":\"r1\",\"object\":\"response\",\"status\":\"incomplete\",\"model\":\"o3\","
		"\"output\":[[1,2],[3]],\"usage\":{\"input_tokens\":40,\"output_tokens\":9,"
		"\"output_tokens_details\":{\"reasoning_tokens\":8}}}",
		"{\"id\":\"m1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\","
		"\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":3,"
		"\"cache_read_input_tokens\":50,"
		"\"cache_creation_input_tokens\":20,\"output_tokens\":6}}",
		"{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,0.2]},{\"embedding\":[0.3]}],"
		"\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8}}",
		"", "not json", "[1,2]", "{\"usage\":{\"prompt_tokens\":", "{\"a\":\"\\u00e9\"}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		check_scan_splits(bodies[i]);

	/* 8 MiB of content and 100,000 embeddings: kept as a few hundred bytes */
	static const char head[] = "{\"id\":\"c2\",\"object\":\"chat.completion\","
				   "\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":\"";
	static const char mid[] = "\"},\"finish_reason\":\"stop\"}],\"data\":[";
	static const char tail[] = "],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}";
	struct body_scan s;
	struct usage_parse_result r;
	char chunk[4096];
	memset(chunk, 'x', sizeof(chunk));
	body_scan_init(&s);
	ck_assert_int_eq(body_scan_feed(&s, head, strlen(head)), 0);
	for (int i = 0; i < 2048; i++)
		ck_assert_int_eq(body_scan_feed(&s, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(body_scan_feed(&s, mid, strlen(mid)), 0);
	for (int i = 0; i < 100000; i++)
		ck_assert_int_eq(body_scan_feed(&s, i ? ",[0.5,-0.25]" : "[0.5,-0.25]",
						i ? 12 : 11), 0);
	ck_assert_int_eq(body_scan_feed(&s, tail, strlen(tail)), 0);
	ck_assert_uint_lt(s.cap, 4096);
	body_scan_finish(&s, &r);
	body_scan_release(&s);
	assert_usage(&r, 7, 0, 0, 3, 0);
	ck_assert_str_eq(r.status, "stop");
	ck_assert_str_eq(r.model, "gpt-4o");
}
END_TEST

START_TEST(unreadable_bodies_are_unknown)
{
	static const char *const bodies[] = {
		"", "not json", "[1,2]", "{\"error\":{\"message\":\"bad\",\"type\":\"x\"}}",
		"{\"object\":\"chat.completion\",\"usage\":{\"prompt_tokens\":-4}}",
		"{\"object\":\"chat.completion\",\"usage\":{\"prompt_tokens\":\"12\"}}",
		"{\"object\":\"chat.completion\",\"usage\":null}",
		/* found by fuzz_meter_usage: cached and reasoning parts above their totals */
		"{\"object\":\"response\",\"usage\":{\"input_tokensens_det\":200,"
		"\"input_tokens_details\":{\"cached_tokens\":100},\"output_tokens\":50}}",
		"{\"object\":\"chat.completion\",\"usage\":{\"prompt_tokens\":10,"
		"\"completion_tokens\":5,\"completion_tokens_details\":{\"reasoning_tokens\":6}}}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct usage_parse_result r;
		usage_parse_body(bodies[i], strlen(bodies[i]), &r);
		ck_assert_msg(!r.has_usage, "body %zu gave a usage", i);
	}
}
END_TEST

/* Bytes that are not UTF-8 become U+FFFD, each on its own; valid text is left as it is. */
START_TEST(utf8_repair_replaces_bad_bytes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "gpt-4o", "gpt-4o" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "gpt\xff", "gpt\xef\xbf\xbd" },
		{ "caf\xc3", "caf\xef\xbf\xbd" },               /* a character cut at the end */
		{ "\xc0\xaf!", "\xef\xbf\xbd\xef\xbf\xbd!" },   /* an overlong slash */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		char *out = utf8_repair(cases[i].in, strlen(cases[i].in), &n);
		ck_assert_str_eq(out, cases[i].out);
		ck_assert_uint_eq(n, strlen(cases[i].out));
		free(out);
	}
	struct usage_parse_result r;
	static const char body[] = "{\"object\":\"chat.completion\",\"id\":\"x\xfe\",\"model\":"
				   "\"m\xff\",\"usage\":{\"prompt_tokens\":3,"
				   "\"completion_tokens\":1}}";
	usage_parse_body(body, strlen(body), &r);
	ck_assert_str_eq(r.model, "m\xef\xbf\xbd");
	ck_assert_str_eq(r.id, "x\xef\xbf\xbd");
	ck_assert_int_eq(r.has_usage, 1);
}
END_TEST

START_TEST(overlong_event_is_skipped)
{
	/* an event over SSE_EVENT_MAX is dropped whole; the one after it still counts */
	size_t big = SSE_EVENT_MAX + 100;
	char *s = malloc(big + 400);
	ck_assert_ptr_nonnull(s);
	strcpy(s, "data: {\"object\":\"chat.completion.chunk\",\"usage\":{\"prompt_tokens\":1,"
		  "\"completion_tokens\":1},\"pad\":\"");
	size_t n = strlen(s);
	memset(s + n, 'x', big);
	strcpy(s + n + big, "\"}\n\ndata: {\"object\":\"chat.completion.chunk\",\"model\":\"m\","
			    "\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}\n\n");
	struct usage_parse_result r;
	feed_whole(s, &r);
	free(s);
	assert_usage(&r, 2, 0, 0, 3, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usage_parse");
	check_add(s, "chat_stream_final_usage_chunk", chat_stream_final_usage_chunk, 60);
	check_add(s, "chat_stream_without_usage_is_unknown", chat_stream_without_usage_is_unknown,
		  10);
	check_add(s, "responses_stream_completed_event", responses_stream_completed_event, 60);
	check_add(s, "anthropic_stream_start_and_delta", anthropic_stream_start_and_delta, 60);
	check_add(s, "anthropic_delta_repeating_input_counts",
		  anthropic_delta_repeating_input_counts, 10);
	check_add(s, "anthropic_stream_cut_before_delta_is_unknown",
		  anthropic_stream_cut_before_delta_is_unknown, 10);
	check_add(s, "stream_without_final_blank_line", stream_without_final_blank_line, 10);
	check_add(s, "bodies_of_each_api", bodies_of_each_api, 10);
	check_add(s, "unreadable_bodies_are_unknown", unreadable_bodies_are_unknown, 10);
	check_add(s, "utf8_repair_replaces_bad_bytes", utf8_repair_replaces_bad_bytes, 10);
	check_add(s, "body_scan_keeps_a_bounded_skeleton", body_scan_keeps_a_bounded_skeleton, 30);
	check_add(s, "overlong_event_is_skipped", overlong_event_is_skipped, 30);
	return check_run(s);
}
