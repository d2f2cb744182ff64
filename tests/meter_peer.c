/*
 * meter_peer: the meter's counterparts in tests and benchmarks, on 127.0.0.1 only.
 *
 *   meter_peer upstream LEDGER   a fake provider on a free port (printed on stdout as
 *                                "PORT\n"): OpenAI Chat Completions, Responses, embeddings
 *                                and Anthropic Messages, streamed or not, in the shapes the
 *                                providers document. Each answer's usage is appended to
 *                                LEDGER in hypercap's convention, computed here on its own,
 *                                with what the request looked like (key present, tags leaked)
 *   meter_peer client N [--model M] [--ignore-term] [--per-iteration K --pace-ms P]
 *                                N chat requests for model M (default gpt-4o-mini; 0: until
 *                                killed) to $OPENAI_BASE_URL, one after the other; a 429 is
 *                                waited out. --ignore-term makes SIGTERM harmless, for the
 *                                budget stop's SIGKILL path. --per-iteration K tags them as a
 *                                loop's evaluation calls, K an iteration (to
 *                                $HYPERCAP_PROXY_URL/hc/iteration=I/...), P ms apart
 *
 * Request knobs of the upstream: "max_tokens" sets the output count; the header
 * X-Test-Delay-Ms pauses that long between stream events; X-Test-Wait-Ms pauses that long
 * after the ledger line is written, before the status and headers are sent; X-Test-Bad-Utf8
 * puts bytes that are not UTF-8 into a chat answer's id and finish_reason; X-Test-Pad-Bytes:
 * N puts N bytes 'x'
 * into a whole chat answer's content; a request body's "x_test_usage": [input, cache reads,
 * cache writes, output, reasoning] (hypercap's convention) sets the answer's usage, for the
 * replay of a recorded trace; the path /v1/fail answers 500, and
 * /v1/fail-billed answers 500 with a usage of 10 input and 2 output tokens. The free
 * endpoints (GET /v1/models, the token counts /v1/messages/count_tokens and
 * /v1/responses/input_tokens) answer without a ledger line. A Responses request with
 * "background": true is answered "queued" without usage; GET /v1/responses/{id} then answers
 * "in_progress" the first time and "completed" with the usage (and its ledger line, once)
 * every later time.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <microhttpd.h>

static FILE *ledger;
static pthread_mutex_t ledger_lock = PTHREAD_MUTEX_INITIALIZER;
static long answer_seq;

struct req {
	char *body;
	size_t len;
	int started;
};

/* An answer: events sent one per reader call, with a pause between them. */
struct stream {
	char **events;
	size_t n, next, off;
	size_t len; /* of the event being sent: strlen once, not per piece of a long one */
	long delay_ms;
};

struct counts {
	long in, cache_read, cache_write, out, reasoning;
};

static void add_event(struct stream *s, cJSON *o, const char *event_name)
{
	char *json = cJSON_PrintUnformatted(o);
	size_t n = strlen(json) + (event_name ? strlen(event_name) : 0) + 32;
	char *text = malloc(n);
	if (event_name)
		snprintf(text, n, "event: %s\ndata: %s\n\n", event_name, json);
	else
		snprintf(text, n, "data: %s\n\n", json);
	free(json);
	cJSON_Delete(o);
	s->events = realloc(s->events, (s->n + 1) * sizeof(char *));
	s->events[s->n++] = text;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	(void)pos;
	if (s->next == s->n)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (s->off == 0 && s->next > 0 && s->delay_ms > 0) {
		struct timespec ts = { s->delay_ms / 1000, (s->delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	const char *e = s->events[s->next];
	if (s->off == 0)
		s->len = strlen(e);
	size_t n = s->len - s->off;
	if (n > max)
		n = max;
	memcpy(buf, e + s->off, n);
	s->off += n;
	if (s->off == s->len) {
		s->off = 0;
		s->next++;
	}
	return (ssize_t)n;
}

static void free_stream(void *cls)
{
	struct stream *s = cls;
	for (size_t i = 0; i < s->n; i++)
		free(s->events[i]);
	free(s->events);
	free(s);
}

static void write_ledger(const char *path, int stream, const struct counts *c, int key_seen,
			 int tag_leak, int gzip_asked)
{
	pthread_mutex_lock(&ledger_lock);
	fprintf(ledger, "{\"path\":\"%s\",\"stream\":%s,\"input\":%ld,\"cache_read\":%ld,"
		"\"cache_write\":%ld,\"output\":%ld,\"reasoning\":%ld,\"key_seen\":%s,"
		"\"tag_leak\":%s,\"encoding_asked\":%s}\n", path, stream ? "true" : "false", c->in,
		c->cache_read, c->cache_write, c->out, c->reasoning, key_seen ? "true" : "false",
		tag_leak ? "true" : "false", gzip_asked ? "true" : "false");
	fflush(ledger);
	pthread_mutex_unlock(&ledger_lock);
}

/* The counts a replayed call asks for ("x_test_usage"); 0 when the request names none. */
static int recorded_counts(const cJSON *a, struct counts *c)
{
	if (cJSON_GetArraySize(a) != 5)
		return 0;
	long v[5];
	for (int i = 0; i < 5; i++)
		v[i] = (long)cJSON_GetArrayItem(a, i)->valuedouble;
	*c = (struct counts){ v[0], v[1], v[2], v[3], v[4] };
	return 1;
}

static cJSON *chat_usage(const struct counts *c)
{
	cJSON *u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "prompt_tokens", (double)c->in);
	cJSON_AddNumberToObject(u, "completion_tokens", (double)c->out);
	cJSON_AddNumberToObject(u, "total_tokens", (double)(c->in + c->out));
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(u, "prompt_tokens_details"),
				"cached_tokens", (double)c->cache_read);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(u, "completion_tokens_details"),
				"reasoning_tokens", (double)c->reasoning);
	return u;
}

static cJSON *responses_usage(const struct counts *c)
{
	cJSON *u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "input_tokens", (double)c->in);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(u, "input_tokens_details"),
				"cached_tokens", (double)c->cache_read);
	cJSON_AddNumberToObject(u, "output_tokens", (double)c->out);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(u, "output_tokens_details"),
				"reasoning_tokens", (double)c->reasoning);
	cJSON_AddNumberToObject(u, "total_tokens", (double)(c->in + c->out));
	return u;
}

/* Anthropic's own convention: input_tokens without the cache parts. */
static cJSON *anthropic_usage(const struct counts *c, long output)
{
	cJSON *u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "input_tokens", (double)(c->in - c->cache_read -
							      c->cache_write));
	cJSON_AddNumberToObject(u, "cache_creation_input_tokens", (double)c->cache_write);
	cJSON_AddNumberToObject(u, "cache_read_input_tokens", (double)c->cache_read);
	cJSON_AddNumberToObject(u, "output_tokens", (double)output);
	return u;
}

static cJSON *chat_chunk(const char *model, const char *id, const char *content,
			 const char *finish)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
	cJSON_AddNumberToObject(o, "created", 1763700000);
	cJSON_AddStringToObject(o, "model", model);
	cJSON *choices = cJSON_AddArrayToObject(o, "choices");
	if (content || finish) {
		cJSON *ch = cJSON_CreateObject();
		cJSON_AddNumberToObject(ch, "index", 0);
		cJSON *d = cJSON_AddObjectToObject(ch, "delta");
		if (content)
			cJSON_AddStringToObject(d, "content", content);
		if (finish)
			cJSON_AddStringToObject(ch, "finish_reason", finish);
		else
			cJSON_AddNullToObject(ch, "finish_reason");
		cJSON_AddItemToArray(choices, ch);
	}
	return o;
}

/* Puts pad bytes 'x' into the content of a whole chat answer (one event). */
static void pad_content(struct stream *s, size_t pad)
{
	static const char at[] = "\"content\":\"";
	char *old = s->events[0], *p = strstr(old, at);
	if (!pad || !p)
		return;
	size_t head = (size_t)(p - old) + strlen(at), n = strlen(old);
	char *text = malloc(n + pad + 1);
	memcpy(text, old, head);
	memset(text + head, 'x', pad);
	memcpy(text + head + pad, old + head, n - head + 1);
	free(old);
	s->events[0] = text;
}

static void chat(struct stream *s, const cJSON *rq, const char *model, const char *id,
		 const char *finish, size_t pad, const struct counts *c, int stream)
{
	static const char *const words[] = { "Hello", " from", " the", " fake", " upstream" };
	if (!stream) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "object", "chat.completion");
		cJSON_AddNumberToObject(o, "created", 1763700000);
		cJSON_AddStringToObject(o, "model", model);
		cJSON *ch = cJSON_CreateObject();
		cJSON_AddNumberToObject(ch, "index", 0);
		cJSON *msg = cJSON_AddObjectToObject(ch, "message");
		cJSON_AddStringToObject(msg, "role", "assistant");
		cJSON_AddStringToObject(msg, "content", "Hello from the fake upstream");
		cJSON_AddStringToObject(ch, "finish_reason", finish);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), ch);
		cJSON_AddItemToObject(o, "usage", chat_usage(c));
		s->events = malloc(sizeof(char *));
		s->events[0] = cJSON_PrintUnformatted(o);
		s->n = 1;
		cJSON_Delete(o);
		pad_content(s, pad);
		return;
	}
	const cJSON *so = cJSON_GetObjectItem(rq, "stream_options");
	int include_usage = cJSON_IsTrue(cJSON_GetObjectItem(so, "include_usage"));
	for (int i = 0; i < 5; i++) {
		cJSON *o = chat_chunk(model, id, words[i], NULL);
		if (include_usage)
			cJSON_AddNullToObject(o, "usage");
		add_event(s, o, NULL);
	}
	cJSON *fin = chat_chunk(model, id, NULL, "stop");
	if (include_usage)
		cJSON_AddNullToObject(fin, "usage");
	add_event(s, fin, NULL);
	if (include_usage) {
		cJSON *o = chat_chunk(model, id, NULL, NULL);
		cJSON_AddItemToObject(o, "usage", chat_usage(c));
		add_event(s, o, NULL);
	}
	s->events = realloc(s->events, (s->n + 1) * sizeof(char *));
	s->events[s->n++] = strdup("data: [DONE]\n\n");
}

static cJSON *response_object(const char *model, const char *id, const char *status,
			      const struct counts *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "response");
	cJSON_AddNumberToObject(o, "created_at", 1763700000);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "model", model);
	cJSON_AddArrayToObject(o, "output");
	if (c)
		cJSON_AddItemToObject(o, "usage", responses_usage(c));
	else
		cJSON_AddNullToObject(o, "usage");
	return o;
}

static void responses(struct stream *s, const char *model, const char *id,
		      const struct counts *c, int stream)
{
	if (!stream) {
		cJSON *o = response_object(model, id, "completed", c);
		s->events = malloc(sizeof(char *));
		s->events[0] = cJSON_PrintUnformatted(o);
		s->n = 1;
		cJSON_Delete(o);
		return;
	}
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "response.created");
	cJSON_AddNumberToObject(ev, "sequence_number", 0);
	cJSON_AddItemToObject(ev, "response", response_object(model, id, "in_progress", NULL));
	add_event(s, ev, "response.created");
	for (int i = 0; i < 3; i++) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "type", "response.output_text.delta");
		cJSON_AddNumberToObject(ev, "sequence_number", i + 1);
		cJSON_AddStringToObject(ev, "delta", "word ");
		add_event(s, ev, "response.output_text.delta");
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "response.completed");
	cJSON_AddNumberToObject(ev, "sequence_number", 4);
	cJSON_AddItemToObject(ev, "response", response_object(model, id, "completed", c));
	add_event(s, ev, "response.completed");
}

static cJSON *message_object(const char *model, const char *id, const struct counts *c,
			     long output, int done)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "type", "message");
	cJSON_AddStringToObject(o, "role", "assistant");
	cJSON_AddStringToObject(o, "model", model);
	cJSON *content = cJSON_AddArrayToObject(o, "content");
	if (done) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "text");
		cJSON_AddStringToObject(b, "text", "Hello from the fake upstream");
		cJSON_AddItemToArray(content, b);
		cJSON_AddStringToObject(o, "stop_reason", "end_turn");
	} else {
		cJSON_AddNullToObject(o, "stop_reason");
	}
	cJSON_AddNullToObject(o, "stop_sequence");
	cJSON_AddItemToObject(o, "usage", anthropic_usage(c, output));
	return o;
}

static void messages(struct stream *s, const char *model, const char *id,
		     const struct counts *c, int stream)
{
	if (!stream) {
		cJSON *o = message_object(model, id, c, c->out, 1);
		s->events = malloc(sizeof(char *));
		s->events[0] = cJSON_PrintUnformatted(o);
		s->n = 1;
		cJSON_Delete(o);
		return;
	}
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "message_start");
	cJSON_AddItemToObject(ev, "message", message_object(model, id, c, 1, 0));
	add_event(s, ev, "message_start");
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "content_block_start");
	cJSON_AddNumberToObject(ev, "index", 0);
	cJSON *b = cJSON_AddObjectToObject(ev, "content_block");
	cJSON_AddStringToObject(b, "type", "text");
	cJSON_AddStringToObject(b, "text", "");
	add_event(s, ev, "content_block_start");
	for (int i = 0; i < 3; i++) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "type", "content_block_delta");
		cJSON_AddNumberToObject(ev, "index", 0);
		cJSON *d = cJSON_AddObjectToObject(ev, "delta");
		cJSON_AddStringToObject(d, "type", "text_delta");
		cJSON_AddStringToObject(d, "text", "word ");
		add_event(s, ev, "content_block_delta");
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "content_block_stop");
	cJSON_AddNumberToObject(ev, "index", 0);
	add_event(s, ev, "content_block_stop");
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "message_delta");
	cJSON *d = cJSON_AddObjectToObject(ev, "delta");
	cJSON_AddStringToObject(d, "stop_reason", "end_turn");
	cJSON_AddNullToObject(d, "stop_sequence");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(ev, "usage"), "output_tokens",
				(double)c->out);
	add_event(s, ev, "message_delta");
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "message_stop");
	add_event(s, ev, "message_stop");
}

static void embeddings(struct stream *s, const char *model, const struct counts *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "object", "list");
	cJSON *item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "object", "embedding");
	cJSON_AddNumberToObject(item, "index", 0);
	float v[3] = { 0.25f, -0.5f, 0.125f };
	cJSON_AddItemToObject(item, "embedding", cJSON_CreateFloatArray(v, 3));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "data"), item);
	cJSON_AddStringToObject(o, "model", model);
	cJSON *u = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(u, "prompt_tokens", (double)c->in);
	cJSON_AddNumberToObject(u, "total_tokens", (double)c->in);
	s->events = malloc(sizeof(char *));
	s->events[0] = cJSON_PrintUnformatted(o);
	s->n = 1;
	cJSON_Delete(o);
}

/* Background responses, by id (answer_seq - 1); under ledger_lock. */
#define BACKGROUND_MAX 64
static struct background {
	char model[64];
	struct counts c;
	int polls;
} backgrounds[BACKGROUND_MAX];

struct seen {
	int key, tag, gzip, bad_utf8;
	long delay_ms, wait_ms;
	size_t pad;
};

static enum MHD_Result see_header(void *cls, enum MHD_ValueKind kind, const char *name,
				  const char *value)
{
	struct seen *s = cls;
	(void)kind;
	if (!strcasecmp(name, "authorization") || !strcasecmp(name, "x-api-key"))
		s->key = value && strlen(value) > 8;
	if (!strncasecmp(name, "x-hypercap", 10))
		s->tag = 1;
	if (!strcasecmp(name, "x-test-delay-ms") && value)
		s->delay_ms = atol(value);
	if (!strcasecmp(name, "x-test-wait-ms") && value)
		s->wait_ms = atol(value);
	if (!strcasecmp(name, "x-test-bad-utf8"))
		s->bad_utf8 = 1;
	if (!strcasecmp(name, "x-test-pad-bytes") && value)
		s->pad = (size_t)atol(value);
	if (!strcasecmp(name, "accept-encoding") && value && strstr(value, "gzip"))
		s->gzip = 1;
	return MHD_YES;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status,
				 const char *type, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* GET /v1/responses/fake_N of a background response: in progress, then completed. */
static enum MHD_Result retrieve(struct MHD_Connection *conn, const char *url,
				const struct seen *seen)
{
	long n = 0;
	if (sscanf(url, "/v1/responses/fake_%ld", &n) != 1 || n < 1 || n > BACKGROUND_MAX ||
	    !backgrounds[n - 1].model[0])
		return send_text(conn, 404, "application/json",
				 "{\"error\":{\"message\":\"no such response\"}}");
	struct background *b = &backgrounds[n - 1];
	pthread_mutex_lock(&ledger_lock);
	int polls = ++b->polls;
	pthread_mutex_unlock(&ledger_lock);
	if (polls == 2)
		write_ledger(url, 0, &b->c, seen->key, seen->tag, seen->gzip);
	char id[32];
	snprintf(id, sizeof(id), "fake_%ld", n);
	cJSON *o = response_object(b->model, id, polls == 1 ? "in_progress" : "completed",
				   polls == 1 ? NULL : &b->c);
	char *text = cJSON_PrintUnformatted(o);
	enum MHD_Result rc = send_text(conn, 200, "application/json", text);
	free(text);
	cJSON_Delete(o);
	return rc;
}

/* Keeps a background response's counts (by its id) and answers it queued. */
static void queue_background(struct stream *s, const char *model, const char *id,
			     const struct counts *c)
{
	long n = 0;
	if (sscanf(id, "fake_%ld", &n) == 1 && n >= 1 && n <= BACKGROUND_MAX) {
		struct background *b = &backgrounds[n - 1];
		snprintf(b->model, sizeof(b->model), "%s", model);
		b->c = *c;
	}
	cJSON *o = response_object(model, id, "queued", NULL);
	s->events = malloc(sizeof(char *));
	s->events[0] = cJSON_PrintUnformatted(o);
	s->n = 1;
	cJSON_Delete(o);
}

static enum MHD_Result send_stream(struct MHD_Connection *conn, struct stream *s, int stream,
				   const char *id)
{
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
								   read_stream, s, free_stream);
	MHD_add_response_header(r, "Content-Type",
				stream ? "text/event-stream" : "application/json");
	MHD_add_response_header(r, "x-request-id", id);
	enum MHD_Result rc = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result answer(struct MHD_Connection *conn, const char *url, struct req *q)
{
	struct seen seen = { 0, 0, 0, 0, 0, 0, 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, see_header, &seen);
	if (!strcmp(url, "/v1/fail"))
		return send_text(conn, 500, "application/json",
				 "{\"error\":{\"message\":\"fake failure\",\"type\":\"server_error\"}}");
	if (!strcmp(url, "/v1/fail-billed")) { /* an error answer that bills its usage */
		struct counts c = { 10, 0, 0, 2, 0 };
		write_ledger(url, 0, &c, seen.key, seen.tag, seen.gzip);
		return send_text(conn, 500, "application/json",
				 "{\"error\":{\"message\":\"fake failure after the model ran\","
				 "\"type\":\"server_error\"},\"model\":\"fake-model\",\"usage\":"
				 "{\"prompt_tokens\":10,\"completion_tokens\":2}}");
	}
	if (!strcmp(url, "/v1/models"))
		return send_text(conn, 200, "application/json", "{\"object\":\"list\",\"data\":[]}");
	if (!strcmp(url, "/v1/messages/count_tokens")) /* free: not in the ledger */
		return send_text(conn, 200, "application/json", "{\"input_tokens\":42}");
	if (!strcmp(url, "/v1/responses/input_tokens"))
		return send_text(conn, 200, "application/json",
				 "{\"object\":\"response.input_tokens\",\"input_tokens\":42}");
	if (!strncmp(url, "/v1/responses/", 14))
		return retrieve(conn, url, &seen);
	cJSON *rq = cJSON_ParseWithLength(q->body ? q->body : "", q->len);
	const cJSON *m = cJSON_GetObjectItem(rq, "model");
	const cJSON *mt = cJSON_GetObjectItem(rq, "max_tokens");
	const cJSON *mo = cJSON_GetObjectItem(rq, "max_output_tokens");
	const char *model = cJSON_IsString(m) ? m->valuestring : "gpt-4o-mini";
	int stream = cJSON_IsTrue(cJSON_GetObjectItem(rq, "stream"));
	struct counts c;
	c.in = 20 + (long)(q->len % 101);
	c.cache_read = c.in / 4;
	c.cache_write = 0;
	c.out = cJSON_IsNumber(mt) ? (long)mt->valuedouble :
		cJSON_IsNumber(mo) ? (long)mo->valuedouble : 7;
	c.reasoning = c.out / 3;
	int replayed = recorded_counts(cJSON_GetObjectItem(rq, "x_test_usage"), &c);
	char id[64];
	pthread_mutex_lock(&ledger_lock);
	snprintf(id, sizeof(id), "fake_%ld%s", ++answer_seq, seen.bad_utf8 ? "\xff" : "");
	pthread_mutex_unlock(&ledger_lock);
	struct stream *s = calloc(1, sizeof(*s));
	s->delay_ms = seen.delay_ms;
	if (!strcmp(url, "/v1/chat/completions")) {
		chat(s, rq, model, id, seen.bad_utf8 ? "stop\xfe" : "stop", seen.pad, &c, stream);
	} else if (!strcmp(url, "/v1/responses") &&
		   cJSON_IsTrue(cJSON_GetObjectItem(rq, "background"))) {
		queue_background(s, model, id, &c);
		cJSON_Delete(rq);
		return send_stream(conn, s, 0, id);
	} else if (!strcmp(url, "/v1/responses")) {
		responses(s, model, id, &c, stream);
	} else if (!strcmp(url, "/v1/messages")) {
		if (!replayed)
			c.cache_write = 5;
		c.reasoning = 0; /* Anthropic does not report it */
		messages(s, model, id, &c, stream);
	} else if (!strcmp(url, "/v1/embeddings")) {
		c.cache_read = c.out = c.reasoning = 0;
		stream = 0;
		embeddings(s, model, &c);
	} else {
		cJSON_Delete(rq);
		free_stream(s);
		return send_text(conn, 404, "application/json",
				 "{\"error\":{\"message\":\"no such path\",\"type\":\"not_found\"}}");
	}
	int include_usage = !stream || strcmp(url, "/v1/chat/completions") ||
			    cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(rq,
						"stream_options"), "include_usage"));
	cJSON_Delete(rq);
	if (include_usage)
		write_ledger(url, stream, &c, seen.key, seen.tag, seen.gzip);
	else
		write_ledger(url, stream, &(struct counts){ -1, 0, 0, 0, 0 }, seen.key, seen.tag,
			     seen.gzip);
	if (seen.wait_ms > 0) /* the model "thinks": billed already, nothing sent yet */
		nanosleep(&(struct timespec){ seen.wait_ms / 1000, (seen.wait_ms % 1000) * 1000000L },
			  NULL);
	return send_stream(conn, s, stream, id);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **ctx)
{
	struct req *q = *ctx;
	(void)cls, (void)method, (void)version;
	if (!q) {
		*ctx = calloc(1, sizeof(struct req));
		return MHD_YES;
	}
	if (*upload_size) {
		q->body = realloc(q->body, q->len + *upload_size + 1);
		memcpy(q->body + q->len, upload, *upload_size);
		q->len += *upload_size;
		q->body[q->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(conn, url, q);
}

static void on_done(void *cls, struct MHD_Connection *c, void **ctx,
		    enum MHD_RequestTerminationCode toe)
{
	struct req *q = *ctx;
	(void)cls, (void)c, (void)toe;
	if (q) {
		free(q->body);
		free(q);
	}
	*ctx = NULL;
}

static int upstream(const char *ledger_path)
{
	ledger = fopen(ledger_path, "a");
	if (!ledger)
		return 1;
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
			MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_CONNECTION_LIMIT, 512u,
		MHD_OPTION_END);
	if (!d)
		return 1;
	printf("%u\n", MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	fflush(stdout);
	for (;;)
		pause(); /* until SIGTERM or SIGKILL */
}

static size_t discard(char *p, size_t s, size_t n, void *cls)
{
	(void)p, (void)cls;
	return s * n;
}

struct client_opts {
	const char *model;
	int ignore_term;
	long per_iteration, pace_ms; /* 0: untagged, no pause */
};

/* Request i's URL: $OPENAI_BASE_URL's, or tagged as iteration i / per_iteration's task. */
static void client_url(char *url, size_t size, const struct client_opts *o, long i)
{
	const char *proxy = getenv("HYPERCAP_PROXY_URL");
	if (!o->per_iteration || !proxy) {
		snprintf(url, size, "%s/chat/completions", getenv("OPENAI_BASE_URL"));
		return;
	}
	long it = i / o->per_iteration;
	snprintf(url, size, "%s/hc/iteration=%ld/node=n%ld/role=evaluate/domain=d/task=t%ld"
		 "/v1/chat/completions", proxy, it, it, i % o->per_iteration);
}

static int client(long n, const struct client_opts *o)
{
	char url[512], body[256];
	if (!getenv("OPENAI_BASE_URL"))
		return 2;
	if (o->ignore_term)
		signal(SIGTERM, SIG_IGN);
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "Authorization: Bearer sk-test-CLIENTSECRET0123456789");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	snprintf(body, sizeof(body), "{\"model\":\"%s\",\"max_tokens\":50}", o->model);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
	for (long i = 0; n == 0 || i < n; i++) {
		long code = 0;
		client_url(url, sizeof(url), o, i);
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		if (code == 429 || o->pace_ms)
			nanosleep(&(struct timespec){ 0, code == 429 ? 50000000L
							  : o->pace_ms * 1000000L }, NULL);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "upstream"))
		return upstream(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "client")) {
		struct client_opts o = { "gpt-4o-mini", 0, 0, 0 };
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--ignore-term"))
				o.ignore_term = 1;
			else if (!strcmp(argv[i], "--model") && i + 1 < argc)
				o.model = argv[++i];
			else if (!strcmp(argv[i], "--per-iteration") && i + 1 < argc)
				o.per_iteration = atol(argv[++i]);
			else if (!strcmp(argv[i], "--pace-ms") && i + 1 < argc)
				o.pace_ms = atol(argv[++i]) % 1000;
		}
		return client(atol(argv[2]), &o);
	}
	fprintf(stderr, "usage: meter_peer upstream LEDGER | client N [--model M] "
		"[--ignore-term] [--per-iteration K] [--pace-ms P]\n");
	return 2;
}
