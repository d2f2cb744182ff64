/*
 * dgm_logs: see dgm_logs.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/lines.h"
#include "import/dgm_logs.h"

/* Nesting deeper than this is not a message history: refused, so the stack stays small. */
#define PY_DEPTH_MAX 64

long long dgm_log_tokens(size_t chars)
{
	return (long long)((chars + DGM_LOG_CHARS_PER_TOKEN - 1) / DGM_LOG_CHARS_PER_TOKEN);
}

void dgm_log_init(struct dgm_log *log, struct trace_writer *w)
{
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	*log = (struct dgm_log){ .w = w, .tmpl = rec.u.call };
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- Response(...) printed by OpenAI's Python library: reported counts ---- */

/* The quoted value after key (e.g. "model='") at or after from, into dst; -1 when absent. */
static int quoted(const char *from, const char *key, char *dst, size_t size)
{
	const char *p = strstr(from, key);
	if (!p)
		return -1;
	p += strlen(key);
	const char *q = strchr(p, '\'');
	if (!q || (size_t)(q - p) >= size)
		return -1;
	memcpy(dst, p, (size_t)(q - p));
	dst[q - p] = '\0';
	return 0;
}

/* The whole number after key inside [from, end); -1 when absent. */
static int count_in(const char *from, const char *end, const char *key, int64_t *out)
{
	const char *p = strstr(from, key);
	if (!p || p >= end)
		return -1;
	char *stop;
	errno = 0;
	long long v = strtoll(p + strlen(key), &stop, 10);
	if (stop == p + strlen(key) || errno)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parses the Response starting at resp (the text "Response(id='") into c. HC_EINPUT with a
 * message (the caller adds FILE:LINE) when a part is missing.
 */
static int parse_response(const char *resp, struct trace_llm_call *c, struct hc_err *err)
{
	char num[64];
	const char *usage = strstr(resp, "usage=ResponseUsage(");
	const char *none = strstr(resp, "usage=None");
	const char *end = NULL;
	if (quoted(resp, "Response(id='", c->id, sizeof(c->id)))
		return hc_err_set(err, HC_EINPUT, "Response(...): id: missing or longer than %d "
				  "bytes", TRACE_STR_MAX - 1);
	if (quoted(resp, "model='", c->model, sizeof(c->model)))
		return hc_err_set(err, HC_EINPUT, "Response(...) '%s': model='...': missing",
				  c->id);
	const char *at = strstr(resp, "created_at=");
	if (at) {
		char *stop;
		snprintf(num, sizeof(num), "%.40s", at + strlen("created_at="));
		c->start_time = strtod(num, &stop);
		if (stop == num)
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': created_at: got "
					  "'%.20s'; allowed: Unix seconds", c->id, num);
	}
	if (usage && (!none || usage < none)) {
		int64_t total;
		struct usage *u = &c->usage;
		end = strstr(usage, "total_tokens=");
		if (!end || count_in(usage, end, "input_tokens=", &u->input) ||
		    count_in(usage, end, "cached_tokens=", &u->cache_read) ||
		    count_in(usage, end, "output_tokens=", &u->output) ||
		    count_in(usage, end, "reasoning_tokens=", &u->reasoning) ||
		    count_in(end, end + 1, "total_tokens=", &total))
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: got "
					  "'%.120s'; allowed: ResponseUsage(input_tokens=N, "
					  "input_tokens_details=InputTokensDetails("
					  "cached_tokens=N), output_tokens=N, "
					  "output_tokens_details="
					  "OutputTokensDetails(reasoning_tokens=N), "
					  "total_tokens=N)",
					  c->id, usage);
		if (total != u->input + u->output)
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: "
					  "total_tokens=%lld is not input_tokens + output_tokens = "
					  "%lld", c->id, (long long)total,
					  (long long)(u->input + u->output));
		u->calls = 1;
		c->has_usage = 1;
	} else if (none) {
		end = none;
	} else {
		return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: missing; allowed: "
				  "usage=ResponseUsage(...) or usage=None on the same line", c->id);
	}
	/* The response's own status is the last one before its usage (output items have theirs). */
	const char *status = NULL;
	for (const char *p = resp; (p = strstr(p, " status='")) && p < end; p++)
		status = p;
	if (status)
		quoted(status, " status='", c->status, sizeof(c->status));
	return 0;
}

static int put_response(struct dgm_log *log, const char *resp, struct hc_err *err)
{
	struct trace_record rec = { .kind = TRACE_LLM_CALL, .u.call = log->tmpl };
	struct trace_llm_call *c = &rec.u.call;
	c->model[0] = '\0';
	strcpy(c->provider, "openai");
	int rc = parse_response(resp, c, err);
	if (!rc && !(rc = trace_writer_put(log->w, &rec, err)))
		log->reported++;
	return rc;
}

/* One call whose counts are estimated from the characters of its prompt and its reply. */
static int put_estimate(struct dgm_log *log, size_t prompt_chars, size_t reply_chars,
			struct hc_err *err)
{
	struct trace_record rec = { .kind = TRACE_LLM_CALL, .u.call = log->tmpl };
	struct trace_llm_call *c = &rec.u.call;
	if (!c->model[0]) {
		log->unpriced++;
		return trace_writer_put(log->w, &rec, err);
	}
	c->has_usage = 1;
	c->usage = (struct usage){ .calls = 1, .input = dgm_log_tokens(prompt_chars),
				   .output = dgm_log_tokens(reply_chars) };
	c->estimated = 1;
	strcpy(c->estimate_method, DGM_LOG_METHOD);
	log->estimated++;
	return trace_writer_put(log->w, &rec, err);
}

/* ---- Python literals printed with repr() ---- */

struct py {
	const char *p, *end;
	int depth;
};

/* A string's text between its quotes (escapes left in) and its length in characters. */
struct py_val {
	char kind; /* 's' string, '[' list or tuple, '{' dict, 'a' anything else */
	const char *s;
	size_t len, chars;
};

static int py_at(const struct py *s, char c)
{
	return s->p < s->end && *s->p == c;
}

static void py_ws(struct py *s)
{
	while (s->p < s->end && strchr(" \t\r\n", *s->p))
		s->p++;
}

static int py_is(const struct py_val *v, const char *word)
{
	return v->kind == 's' && v->len == strlen(word) && !memcmp(v->s, word, v->len);
}

/* A string literal ('...' or "...", as repr writes them) at s->p. */
static int py_str(struct py *s, struct py_val *v)
{
	char quote = *s->p++;
	v->kind = 's';
	v->s = s->p;
	v->chars = 0;
	while (s->p < s->end && *s->p != quote) {
		size_t step = 1;
		if (*s->p == '\\') {
			char e = s->end - s->p > 1 ? s->p[1] : '\0';
			step = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
			if ((size_t)(s->end - s->p) < step)
				return -1;
		}
		/* a UTF-8 continuation byte belongs to the character before it */
		v->chars += ((unsigned char)*s->p & 0xC0) != 0x80;
		s->p += step;
	}
	if (s->p >= s->end)
		return -1;
	v->len = (size_t)(s->p - v->s);
	s->p++;
	return 0;
}

/* None, True, a number, ...: up to the next delimiter. */
static int py_atom(struct py *s, struct py_val *v)
{
	v->kind = 'a';
	v->s = s->p;
	while (s->p < s->end && !strchr(",:]})[{( \t\r\n'\"", *s->p))
		s->p++;
	v->len = (size_t)(s->p - v->s);
	return v->len ? 0 : -1;
}

static int py_value(struct py *s, int counted, size_t *text, struct py_val *v);

/* After an item: a comma, or the closing bracket (left for the caller). */
static int py_next(struct py *s, char close)
{
	py_ws(s);
	if (py_at(s, ','))
		s->p++;
	else if (!py_at(s, close))
		return -1;
	return 0;
}

static int py_items(struct py *s, char close, int counted, size_t *text)
{
	struct py_val item;
	for (s->p++;; ) {
		py_ws(s);
		if (py_at(s, close)) {
			s->p++;
			return 0;
		}
		if (py_value(s, counted, text, &item) || py_next(s, close))
			return -1;
	}
}

/* A dict: only the value of a 'text' key is counted. */
static int py_dict(struct py *s, size_t *text)
{
	struct py_val key, val;
	for (s->p++;; ) {
		py_ws(s);
		if (py_at(s, '}')) {
			s->p++;
			return 0;
		}
		if (py_value(s, 0, text, &key))
			return -1;
		py_ws(s);
		if (!py_at(s, ':'))
			return -1;
		s->p++;
		if (py_value(s, py_is(&key, "text"), text, &val) || py_next(s, '}'))
			return -1;
	}
}

/*
 * The value at s->p. With counted, its strings (and those of its lists) add their characters
 * to *text; inside a dict only a 'text' key's value does.
 */
static int py_value(struct py *s, int counted, size_t *text, struct py_val *v)
{
	int rc;
	py_ws(s);
	if (s->p >= s->end || ++s->depth > PY_DEPTH_MAX)
		return -1;
	v->kind = *s->p == '{' ? '{' : '[';
	if (*s->p == '\'' || *s->p == '"') {
		rc = py_str(s, v);
		if (!rc && counted)
			*text += v->chars;
	} else if (*s->p == '[' || *s->p == '(') {
		rc = py_items(s, *s->p == '[' ? ']' : ')', counted, text);
	} else if (*s->p == '{') {
		rc = py_dict(s, text);
	} else {
		rc = py_atom(s, v);
	}
	s->depth--;
	return rc;
}

/* One {'role': ..., 'content': ...} message: is it the assistant's, and its characters. */
static int py_message(struct py *s, int *assistant, size_t *chars)
{
	struct py_val key, val;
	size_t ignored = 0;
	*assistant = 0;
	*chars = 0;
	for (s->p++;; ) {
		py_ws(s);
		if (py_at(s, '}')) {
			s->p++;
			return 0;
		}
		if (py_value(s, 0, &ignored, &key))
			return -1;
		py_ws(s);
		if (!py_at(s, ':'))
			return -1;
		s->p++;
		int content = py_is(&key, "content");
		if (py_value(s, content, content ? chars : &ignored, &val) || py_next(s, '}'))
			return -1;
		if (py_is(&key, "role"))
			*assistant = py_is(&val, "assistant");
	}
}

/*
 * A logged Claude conversation: every assistant message is a call whose prompt is every
 * message before it. Returns the column of a syntax error, or 0.
 */
static long import_conversation(struct dgm_log *log, const char *line, size_t len, int *rc,
				struct hc_err *err)
{
	struct py s = { line + 1, line + len, 0 };
	size_t context = 0;
	*rc = 0;
	for (;;) {
		py_ws(&s);
		if (py_at(&s, ']')) {
			s.p++;
			break;
		}
		int assistant;
		size_t chars;
		if (!py_at(&s, '{') || py_message(&s, &assistant, &chars) || py_next(&s, ']'))
			return s.p - line + 1;
		if (assistant && (*rc = put_estimate(log, context, chars, err)))
			return 0;
		context += chars;
	}
	py_ws(&s);
	return s.p == s.end ? 0 : s.p - line + 1;
}

/* ---- DGM-H's chat_with_agent: Input / Output / Tool output lines ---- */

struct chat {
	size_t context; /* characters of the conversation before the pending message */
	size_t pending; /* characters of the user message the next call is sent */
	int tools;      /* tool outputs in it, joined by "\n\n" */
};

static const char exceeded[] = "Error: Output context exceeded. Please try again.";

/* The text of a line "PREFIX'...'": its characters, or -1 when it is not one string. */
static long long logged_text(const char *text, size_t len)
{
	struct py s = { text, text + len, 0 };
	struct py_val v;
	/* a reply without text (content None) is logged as None */
	if (len == 4 && !memcmp(text, "None", 4))
		return 0;
	if (!py_at(&s, '\'') && !py_at(&s, '"'))
		return -1;
	if (py_str(&s, &v) || s.p != s.end)
		return -1;
	return (long long)v.chars;
}

static void chat_user(struct chat *ch, size_t chars)
{
	ch->pending += (ch->tools ? 2 : 0) + chars;
	ch->tools++;
}

/* One line of a chat log; 1 when it was not a line of one; -1 when its text is malformed. */
static int chat_line(struct dgm_log *log, struct chat *ch, const char *line, size_t len,
		     int *rc, struct hc_err *err)
{
	static const char *const prefixes[] = { "Input: ", "Output: ", "Tool output: " };
	size_t k;
	*rc = 0;
	if (len == strlen(exceeded) && !memcmp(line, exceeded, len)) {
		chat_user(ch, len);
		return 0;
	}
	for (k = 0; k < 3 && !starts_with(line, prefixes[k]); k++)
		;
	if (k == 3)
		return 1;
	size_t skip = strlen(prefixes[k]);
	long long chars = logged_text(line + skip, len - skip);
	if (chars < 0)
		return -1;
	if (k == 0) {
		*ch = (struct chat){ 0, (size_t)chars, 0 };
	} else if (k == 2) {
		chat_user(ch, (size_t)chars);
	} else {
		*rc = put_estimate(log, ch->context + ch->pending, (size_t)chars, err);
		ch->context += ch->pending + (size_t)chars;
		ch->pending = 0;
		ch->tools = 0;
	}
	return 0;
}

static int import_line(struct dgm_log *log, struct chat *ch, const char *path, long line_no,
		       char *line, size_t len, struct hc_err *err)
{
	int rc = 0;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (starts_with(line, "Response(id='") ||
	    starts_with(line, "Tool Response: Response(id='")) {
		rc = put_response(log, strstr(line, "Response(id='"), err);
	} else if (starts_with(line, "[{'role': ")) {
		long col = import_conversation(log, line, len, &rc, err);
		if (col)
			return hc_err_set(err, HC_EINPUT, "%s:%ld:%ld: got '%.30s'; allowed: "
					  "the repr of a message history, [{'role': ..., "
					  "'content': ...}, ...]", path, line_no, col,
					  line + col - 1);
	} else if (log->chat_lines && chat_line(log, ch, line, len, &rc, err) < 0) {
		return hc_err_set(err, HC_EINPUT, "%s:%ld: got '%.40s'; allowed: Input:, Output: "
				  "or Tool output: followed by one Python string literal", path,
				  line_no, line);
	}
	return rc ? hc_err_prefix(err, "%s:%ld", path, line_no) : 0;
}

int dgm_log_import(struct dgm_log *log, const char *path, struct hc_err *err)
{
	struct lines lines;
	char *text;
	size_t n;
	int complete;
	struct chat ch = { 0, 0, 0 };
	int rc = lines_open(&lines, path, LINES_MAX, err);
	if (rc)
		return rc;
	while ((rc = lines_next(&lines, &text, &n, &complete, err)) == 1) {
		rc = import_line(log, &ch, path, lines.line, text, n, err);
		if (rc)
			break;
	}
	lines_release(&lines);
	return rc;
}
