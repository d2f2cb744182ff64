/*
 * usage_parse: reading the token usage out of provider answers, as the meter sees them on the
 * wire. Pure functions over bytes; no I/O, no allocation beyond what a parser owns.
 *
 * Shapes read (docs/metering.md lists the fields):
 * - OpenAI Chat Completions: a "chat.completion" body, or a stream of "chat.completion.chunk"
 *   events whose last one carries "usage" (sent when the request set
 *   stream_options.include_usage);
 * - OpenAI Responses: a "response" body, or the "response.completed" (also
 *   "response.incomplete", "response.failed") event of a stream;
 * - OpenAI embeddings: a "list" body with usage.prompt_tokens;
 * - Anthropic Messages: a "message" body, or the stream's "message_start" (input and cache
 *   counts) and "message_delta" (cumulative output; newer versions repeat the input counts).
 * Counts are converted to hypercap's convention (model/usage.h): Anthropic's input_tokens
 * excludes cache reads and writes, so input is their sum. An answer whose usage cannot be
 * read leaves has_usage 0: the caller records it as unknown, never guessed.
 *
 * The importers share the per-provider usage readers below.
 */
#ifndef IMPORT_USAGE_PARSE_H
#define IMPORT_USAGE_PARSE_H

#include <stddef.h>
#include "model/usage.h"
#include "trace/trace.h"

struct cJSON;

/*
 * What an answer said about itself; strings "" when absent (or longer than a trace allows),
 * bytes that are not UTF-8 replaced by U+FFFD.
 */
struct usage_parse_result {
	int has_usage;
	struct usage usage; /* calls = 1 when has_usage */
	char provider[16];  /* "openai" or "anthropic"; "" when the shape was not recognised */
	char model[TRACE_STR_MAX];
	char id[TRACE_STR_MAX];
	char status[TRACE_STR_MAX]; /* finish_reason, stop_reason or the response's status */
	char service_tier[TRACE_STR_MAX]; /* OpenAI's service_tier, Anthropic's usage.service_tier */
};

void usage_parse_result_init(struct usage_parse_result *r);


/* Copies src, repaired as above, into dst (TRACE_STR_MAX); dst is left as it was when the
 * result does not fit. */
void usage_parse_copy_str(char *dst, const char *src);

/*
 * The service tier a body (or stream event) states into dst (TRACE_STR_MAX): OpenAI's
 * top-level "service_tier" ("default", "flex", "priority", ...) or Anthropic's
 * usage.service_tier ("standard", "priority", "batch"); dst is left as it was without one.
 */
void usage_parse_service_tier(char *dst, const struct cJSON *body);

/* The usage objects of each API into u (hypercap convention); HC_EINPUT naming the field. */
int usage_parse_openai_chat(const struct cJSON *usage, struct usage *u, struct hc_err *err);
int usage_parse_openai_responses(const struct cJSON *usage, struct usage *u,
				 struct hc_err *err);
int usage_parse_anthropic(const struct cJSON *usage, struct usage *u, struct hc_err *err);

/*
 * A whole (non-streamed) answer body of len bytes. Returns 0 with *out filled (has_usage 0
 * when the body is not JSON or has no readable usage); never fails.
 */
int usage_parse_body(const char *buf, size_t len, struct usage_parse_result *out);

/*
 * A whole answer read in pieces of any size in bounded memory: the body is kept as its
 * skeleton, the same JSON with every string longer than BODY_STR_KEEP bytes emptied and every
 * array cut to its first element, which keeps what usage_parse_body reads (the top-level
 * usage, model, id, object, type, status, stop_reason and choices[0]) and drops the content,
 * however long. A skeleton above BODY_SKELETON_MAX bytes, or nested deeper than
 * BODY_DEPTH_MAX, is given up: its usage is unknown.
 */
#define BODY_STR_KEEP 256
#define BODY_SKELETON_MAX (1u << 20)
#define BODY_DEPTH_MAX 64

struct body_scan {
	char *out; /* the skeleton */
	size_t len, cap;
	char str[BODY_STR_KEEP]; /* the string being read, up to BODY_STR_KEEP bytes */
	size_t str_len;
	int in_string, escape, str_long;
	size_t depth, skip_depth; /* skip_depth > 0: inside an array past its first element */
	unsigned char array[BODY_DEPTH_MAX + 1]; /* whether each open level is an array */
	int given_up;
};

void body_scan_init(struct body_scan *s);

/* Feeds len bytes of the body. 0, or HC_ERUNTIME when out of memory. */
int body_scan_feed(struct body_scan *s, const char *buf, size_t len);

/* The result, as usage_parse_body would give for the whole body. */
void body_scan_finish(struct body_scan *s, struct usage_parse_result *out);

void body_scan_release(struct body_scan *s);

/* Bytes of one event's data above which the event is skipped (its usage then unknown). */
#define SSE_EVENT_MAX (16u << 20)

/*
 * A server-sent event stream parser, fed the stream in pieces of any size. Lines end in LF,
 * CRLF or CR; "data:" lines of an event are joined with LF; a blank line ends the event, whose
 * data is read as JSON ("[DONE]" and other non-JSON data are skipped).
 */
struct sse_parser {
	char *line; /* the line being read */
	size_t line_len, line_cap;
	char *data; /* the data of the event being read */
	size_t data_len, data_cap;
	int data_lines;
	int overflow; /* the event is over SSE_EVENT_MAX: skipped */
	int long_line; /* the line being read is over the limit: dropped up to its end */
	int after_cr; /* the last byte was CR: a following LF ends nothing */
	size_t events; /* events read */
	struct usage_parse_result res;
	int anthropic_input; /* message_start gave the input counts */
};

void sse_init(struct sse_parser *p);

/* Feeds len bytes of the stream. 0, or HC_ERUNTIME when out of memory. */
int sse_feed(struct sse_parser *p, const char *buf, size_t len);

/* Ends the stream (an event not closed by a blank line still counts) and gives the result. */
void sse_finish(struct sse_parser *p, struct usage_parse_result *out);

void sse_release(struct sse_parser *p);

#endif
