/*
 * usage_parse: see usage_parse.h. The shapes are the providers' documented ones; FACTS §2 has
 * the token conventions.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "base/utf8.h"
#include "import/import.h"
#include "import/usage_parse.h"

void usage_parse_result_init(struct usage_parse_result *r)
{
	memset(r, 0, sizeof(*r));
}

/* The convention's bounds (model/usage.h): cached parts within the input, reasoning within
 * the output. An answer that breaks them cannot be priced as it stands. */
static int usage_bounds(const struct usage *u, struct hc_err *err)
{
	if (u->cache_read + u->cache_write > u->input)
		return hc_err_set(err, HC_EINPUT, "usage: %lld cached input tokens above %lld input "
				  "tokens; allowed: at most the input", (long long)u->cache_read,
				  (long long)u->input);
	if (u->cache_write_1h > u->cache_write)
		return hc_err_set(err, HC_EINPUT, "usage: %lld 1-hour cache writes above %lld cache "
				  "writes; allowed: at most the cache writes",
				  (long long)u->cache_write_1h, (long long)u->cache_write);
	if (u->reasoning > u->output)
		return hc_err_set(err, HC_EINPUT, "usage: %lld reasoning tokens above %lld output "
				  "tokens; allowed: at most the output", (long long)u->reasoning,
				  (long long)u->output);
	return 0;
}

int usage_parse_openai_chat(const cJSON *usage, struct usage *u, struct hc_err *err)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens_details");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens_details");
	memset(u, 0, sizeof(*u));
	u->calls = 1;
	return import_count(usage, "usage", "prompt_tokens", &u->input, err) ||
	       import_count(usage, "usage", "completion_tokens", &u->output, err) ||
	       import_count(in, "usage.prompt_tokens_details", "cached_tokens", &u->cache_read,
			    err) ||
	       import_count(out, "usage.completion_tokens_details", "reasoning_tokens",
			    &u->reasoning, err) ||
	       usage_bounds(u, err);
}

int usage_parse_openai_responses(const cJSON *usage, struct usage *u, struct hc_err *err)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(usage, "input_tokens_details");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(usage, "output_tokens_details");
	memset(u, 0, sizeof(*u));
	u->calls = 1;
	return import_count(usage, "usage", "input_tokens", &u->input, err) ||
	       import_count(usage, "usage", "output_tokens", &u->output, err) ||
	       import_count(in, "usage.input_tokens_details", "cached_tokens", &u->cache_read,
			    err) ||
	       import_count(out, "usage.output_tokens_details", "reasoning_tokens",
			    &u->reasoning, err) ||
	       usage_bounds(u, err);
}

/*
 * Anthropic's counts, as sent: input_tokens excludes both cache parts; cache_creation splits
 * the cache writes by lifetime (ephemeral_5m_input_tokens, ephemeral_1h_input_tokens).
 */
struct anthropic_counts {
	int64_t plain, cache_read, cache_write, output, cache_write_1h;
};

static int anthropic_counts(const cJSON *usage, struct anthropic_counts *a, struct hc_err *err)
{
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(usage, "cache_creation");
	return import_count(usage, "usage", "input_tokens", &a->plain, err) ||
	       import_count(usage, "usage", "output_tokens", &a->output, err) ||
	       import_count(usage, "usage", "cache_read_input_tokens", &a->cache_read, err) ||
	       import_count(usage, "usage", "cache_creation_input_tokens", &a->cache_write, err) ||
	       import_count(split, "usage.cache_creation", "ephemeral_1h_input_tokens",
			    &a->cache_write_1h, err);
}

static void anthropic_to_usage(const struct anthropic_counts *a, struct usage *u)
{
	memset(u, 0, sizeof(*u));
	u->calls = 1;
	u->input = a->plain + a->cache_read + a->cache_write;
	u->cache_read = a->cache_read;
	u->cache_write = a->cache_write;
	u->cache_write_1h = a->cache_write_1h;
	u->output = a->output; /* thinking is not reported apart: reasoning stays 0 */
}

int usage_parse_anthropic(const cJSON *usage, struct usage *u, struct hc_err *err)
{
	struct anthropic_counts a = { 0, 0, 0, 0, 0 };
	if (anthropic_counts(usage, &a, err))
		return HC_EINPUT;
	anthropic_to_usage(&a, u);
	return usage_bounds(u, err);
}

void usage_parse_copy_str(char *dst, const char *src)
{
	size_t n = strlen(src);
	char *text = n < TRACE_STR_MAX ? utf8_repair(src, n, &n) : NULL;
	if (text && n < TRACE_STR_MAX)
		memcpy(dst, text, n + 1);
	free(text);
}

/* Copies the string at obj.key into dst (TRACE_STR_MAX) when it is one and fits. */
static void take_str(char *dst, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsString(v))
		usage_parse_copy_str(dst, v->valuestring);
}

void usage_parse_service_tier(char *dst, const cJSON *body)
{
	take_str(dst, body, "service_tier");
	take_str(dst, cJSON_GetObjectItemCaseSensitive(body, "usage"), "service_tier");
}

static int is_str(const cJSON *obj, const char *key, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && !strcmp(v->valuestring, want);
}

enum shape { SHAPE_NONE, SHAPE_CHAT, SHAPE_RESPONSES, SHAPE_ANTHROPIC };

/* Which usage object a body carries: by its "object" or "type", else by the usage's keys. */
static enum shape body_shape(const cJSON *body, const cJSON *usage)
{
	if (is_str(body, "type", "message"))
		return SHAPE_ANTHROPIC;
	if (is_str(body, "object", "response"))
		return SHAPE_RESPONSES;
	if (cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens"))
		return SHAPE_CHAT; /* chat.completion, text_completion, embeddings' list */
	if (cJSON_GetObjectItemCaseSensitive(usage, "cache_creation_input_tokens") ||
	    cJSON_GetObjectItemCaseSensitive(usage, "cache_read_input_tokens"))
		return SHAPE_ANTHROPIC;
	if (cJSON_GetObjectItemCaseSensitive(usage, "input_tokens"))
		return SHAPE_RESPONSES;
	return SHAPE_NONE;
}

/* The outcome a body states: the first choice's finish_reason, stop_reason or status. */
static void body_status(char *dst, const cJSON *body)
{
	const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body, "choices"),
						 0);
	take_str(dst, choice, "finish_reason");
	take_str(dst, body, "stop_reason");
	take_str(dst, body, "status");
}

/* Reads a parsed body into r; leaves has_usage 0 when its usage is absent or malformed. */
static void read_body(const cJSON *body, struct usage_parse_result *r)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(body, "usage");
	enum shape shape = body_shape(body, usage);
	take_str(r->model, body, "model");
	take_str(r->id, body, "id");
	body_status(r->status, body);
	usage_parse_service_tier(r->service_tier, body);
	if (shape != SHAPE_NONE)
		strcpy(r->provider, shape == SHAPE_ANTHROPIC ? "anthropic" : "openai");
	if (!cJSON_IsObject(usage))
		return;
	int rc = shape == SHAPE_CHAT	  ? usage_parse_openai_chat(usage, &r->usage, NULL) :
		 shape == SHAPE_RESPONSES ? usage_parse_openai_responses(usage, &r->usage, NULL) :
		 shape == SHAPE_ANTHROPIC ? usage_parse_anthropic(usage, &r->usage, NULL) :
					    HC_EINPUT;
	r->has_usage = rc == 0;
}

int usage_parse_body(const char *buf, size_t len, struct usage_parse_result *out)
{
	usage_parse_result_init(out);
	cJSON *body = cJSON_ParseWithLength(buf, len);
	if (cJSON_IsObject(body))
		read_body(body, out);
	cJSON_Delete(body);
	return 0;
}

/* ---- a whole body in pieces ---- */

void body_scan_init(struct body_scan *s)
{
	memset(s, 0, sizeof(*s));
}

void body_scan_release(struct body_scan *s)
{
	free(s->out);
	memset(s, 0, sizeof(*s));
}

/* Appends n bytes to the skeleton, unless inside a skipped array element. */
static int emit(struct body_scan *s, const char *p, size_t n)
{
	if (s->skip_depth || s->given_up)
		return 0;
	if (s->len + n > BODY_SKELETON_MAX) {
		s->given_up = 1;
		return 0;
	}
	if (s->len + n > s->cap) {
		size_t cap = array_capacity(s->cap, s->len + n, 1024, 1);
		char *o = cap ? realloc(s->out, cap) : NULL;
		if (!o)
			return HC_ERUNTIME;
		s->out = o;
		s->cap = cap;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
	return 0;
}

/* Inside a string: up to its closing quote; returns the bytes taken. */
static size_t scan_string(struct body_scan *s, const char *buf, size_t len, int *rc)
{
	size_t i = 0;
	for (; i < len; i++) {
		if (s->str_long && !s->escape) { /* dropped: on to its next quote or backslash */
			const char *end = buf + len, *q = memchr(buf + i, '"', len - i);
			const char *b = memchr(buf + i, '\\', (size_t)((q ? q : end) - buf) - i);
			i = (size_t)((b ? b : q ? q : end) - buf);
			if (i == len)
				break;
		}
		char c = buf[i];
		if (s->escape) {
			s->escape = 0;
		} else if (c == '\\') {
			s->escape = 1;
		} else if (c == '"') {
			s->in_string = 0;
			if (s->str_long)
				*rc = emit(s, "\"\"", 2);
			s->str[s->str_len++] = '"';
			if (!s->str_long)
				*rc = emit(s, s->str, s->str_len);
			return i + 1;
		}
		if (s->str_len + 2 > sizeof(s->str)) /* room for the closing quote */
			s->str_long = 1;
		else if (!s->str_long)
			s->str[s->str_len++] = c;
	}
	return i;
}

/* One byte outside strings: structure, or a piece of a number or literal. */
static int scan_byte(struct body_scan *s, char c)
{
	switch (c) {
	case ' ': case '\t': case '\n': case '\r': /* a run as one space: 1 2 stays two numbers */
		return s->len && s->out[s->len - 1] == ' ' ? 0 : emit(s, " ", 1);
	case '"':
		s->in_string = 1;
		s->str_long = 0;
		s->str[0] = '"';
		s->str_len = 1;
		return 0;
	case '{': case '[':
		if (++s->depth > BODY_DEPTH_MAX) {
			s->given_up = 1;
			return 0;
		}
		s->array[s->depth] = c == '[';
		return emit(s, &c, 1);
	case '}': case ']':
		if (s->skip_depth == s->depth)
			s->skip_depth = 0; /* the array whose later elements were skipped ends */
		if (s->depth)
			s->depth--;
		return emit(s, &c, 1);
	case ',':
		if (!s->skip_depth && s->depth && s->depth <= BODY_DEPTH_MAX &&
		    s->array[s->depth]) {
			s->skip_depth = s->depth; /* its first element is kept, the rest skipped */
			return 0;
		}
		return emit(s, &c, 1);
	default:
		return emit(s, &c, 1);
	}
}

int body_scan_feed(struct body_scan *s, const char *buf, size_t len)
{
	size_t i = 0;
	int rc = 0;
	while (i < len && !rc && !s->given_up) {
		if (s->in_string)
			i += scan_string(s, buf + i, len - i, &rc);
		else
			rc = scan_byte(s, buf[i++]);
	}
	return rc;
}

void body_scan_finish(struct body_scan *s, struct usage_parse_result *out)
{
	if (s->given_up || !s->len)
		usage_parse_result_init(out);
	else
		usage_parse_body(s->out, s->len, out);
}

/* ---- server-sent events ---- */

void sse_init(struct sse_parser *p)
{
	memset(p, 0, sizeof(*p));
	usage_parse_result_init(&p->res);
}

void sse_release(struct sse_parser *p)
{
	free(p->line);
	free(p->data);
	p->line = p->data = NULL;
	p->line_cap = p->data_cap = 0;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = array_capacity(*cap, need, 256, 1);
	char *b = n ? realloc(*buf, n) : NULL;
	if (!b)
		return HC_ERUNTIME;
	*buf = b;
	*cap = n;
	return 0;
}

/*
 * Anthropic's stream: message_start carries the input counts (and output 1), message_delta
 * the cumulative output and, in newer versions, the input counts again. The usage is known
 * once a message_delta came and some event gave the input.
 */
static void anthropic_event(struct sse_parser *p, const cJSON *ev)
{
	struct usage_parse_result *r = &p->res;
	const cJSON *usage;
	if (is_str(ev, "type", "message_start")) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ev, "message");
		take_str(r->model, msg, "model");
		take_str(r->id, msg, "id");
		usage_parse_service_tier(r->service_tier, msg);
		usage = cJSON_GetObjectItemCaseSensitive(msg, "usage");
		strcpy(r->provider, "anthropic");
		struct anthropic_counts c = { 0, 0, 0, 0, 0 };
		if (cJSON_IsObject(usage) && !anthropic_counts(usage, &c, NULL)) {
			anthropic_to_usage(&c, &r->usage);
			p->anthropic_input = 1;
		}
		return;
	}
	/* message_delta */
	take_str(r->status, cJSON_GetObjectItemCaseSensitive(ev, "delta"), "stop_reason");
	usage = cJSON_GetObjectItemCaseSensitive(ev, "usage");
	struct anthropic_counts c = { r->usage.input - r->usage.cache_read - r->usage.cache_write,
				      r->usage.cache_read, r->usage.cache_write, -1,
				      r->usage.cache_write_1h };
	if (!cJSON_IsObject(usage) || anthropic_counts(usage, &c, NULL) || c.output < 0)
		return;
	if (cJSON_GetObjectItemCaseSensitive(usage, "input_tokens"))
		p->anthropic_input = 1;
	anthropic_to_usage(&c, &r->usage);
	r->has_usage = p->anthropic_input;
}

/* One event's data, parsed as JSON. */
static void sse_event(struct sse_parser *p, const char *data, size_t len)
{
	cJSON *ev = cJSON_ParseWithLength(data, len);
	struct usage_parse_result *r = &p->res;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	const char *t = cJSON_IsString(type) ? type->valuestring : "";
	p->events++;
	if (!cJSON_IsObject(ev)) {
		cJSON_Delete(ev);
		return;
	}
	if (!strcmp(t, "message_start") || !strcmp(t, "message_delta")) {
		anthropic_event(p, ev);
	} else if (!strncmp(t, "response.", 9)) {
		const cJSON *resp = cJSON_GetObjectItemCaseSensitive(ev, "response");
		strcpy(r->provider, "openai");
		if (!strcmp(t, "response.completed") || !strcmp(t, "response.incomplete") ||
		    !strcmp(t, "response.failed"))
			read_body(resp, r);
		else if (cJSON_IsObject(resp))
			take_str(r->model, resp, "model"), take_str(r->id, resp, "id");
	} else if (is_str(ev, "object", "chat.completion.chunk") ||
		   is_str(ev, "object", "text_completion")) {
		const cJSON *usage = cJSON_GetObjectItemCaseSensitive(ev, "usage");
		const cJSON *choice = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(ev, "choices"), 0);
		strcpy(r->provider, "openai");
		take_str(r->model, ev, "model");
		take_str(r->id, ev, "id");
		take_str(r->status, choice, "finish_reason");
		usage_parse_service_tier(r->service_tier, ev);
		if (cJSON_IsObject(usage))
			r->has_usage = !usage_parse_openai_chat(usage, &r->usage, NULL);
	}
	cJSON_Delete(ev);
}

static void end_event(struct sse_parser *p)
{
	if (p->data_lines && !p->overflow)
		sse_event(p, p->data, p->data_len);
	p->data_len = 0;
	p->data_lines = 0;
	p->overflow = 0;
}

/* One whole line (without its end): a field of the event, or the blank line ending it. */
static int end_line(struct sse_parser *p)
{
	const char *s = p->line;
	size_t n = p->line_len;
	p->line_len = 0;
	if (n == 0) {
		end_event(p);
		return 0;
	}
	if (n < 5 || memcmp(s, "data:", 5) || p->overflow)
		return 0; /* comments, event:, id:, retry: carry no usage */
	s += 5, n -= 5;
	if (n && *s == ' ')
		s++, n--;
	size_t need = p->data_len + (p->data_lines ? 1 : 0) + n;
	if (need > SSE_EVENT_MAX) {
		p->overflow = 1;
		return 0;
	}
	if (grow(&p->data, &p->data_cap, need + 1))
		return HC_ERUNTIME;
	if (p->data_lines++)
		p->data[p->data_len++] = '\n';
	memcpy(p->data + p->data_len, s, n);
	p->data_len += n;
	return 0;
}

int sse_feed(struct sse_parser *p, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (p->after_cr && buf[i] == '\n') {
			p->after_cr = 0;
			i++;
			continue;
		}
		p->after_cr = 0;
		size_t j = i;
		while (j < len && buf[j] != '\n' && buf[j] != '\r')
			j++;
		size_t n = j - i;
		if (!p->long_line && p->line_len + n > SSE_EVENT_MAX + 8) {
			p->overflow = 1; /* a line too long to be kept: its event is skipped */
			p->long_line = 1;
			p->line_len = 0;
		} else if (n && !p->long_line) {
			if (grow(&p->line, &p->line_cap, p->line_len + n))
				return HC_ERUNTIME;
			memcpy(p->line + p->line_len, buf + i, n);
			p->line_len += n;
		}
		if (j == len)
			break;
		p->after_cr = buf[j] == '\r';
		if (p->long_line)
			p->long_line = 0; /* its end: not a blank line */
		else if (end_line(p))
			return HC_ERUNTIME;
		i = j + 1;
	}
	return 0;
}

void sse_finish(struct sse_parser *p, struct usage_parse_result *out)
{
	if (p->line_len)
		end_line(p);
	end_event(p);
	*out = p->res;
}
