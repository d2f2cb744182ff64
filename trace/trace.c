/*
 * trace: see trace.h and docs/trace-format.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "base/utf8.h"
#include "trace/trace.h"

/* Token counts above this are refused: no call is near it, and doubles stay exact. */
#define TRACE_MAX_TOKENS 1e12
#define TRACE_MAX_ITERATION 1e9

static const char *const kind_names[TRACE_KIND_COUNT] = { "llm_call", "eval_task",
							   "archive_add" };

static const char *const results[] = { "pass", "fail", "error", "unknown" };

const char *trace_kind_name(enum trace_kind k)
{
	return kind_names[k];
}

void trace_record_init(struct trace_record *rec, enum trace_kind kind)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	switch (kind) {
	case TRACE_LLM_CALL:
		rec->u.call.start_time = rec->u.call.end_time = NAN;
		rec->u.call.iteration = -1;
		rec->u.call.retries = -1;
		break;
	case TRACE_EVAL_TASK:
		rec->u.task.sandbox_seconds = NAN;
		rec->u.task.start_time = rec->u.task.end_time = NAN;
		rec->u.task.artifact_bytes = -1;
		break;
	default:
		rec->u.add.iteration = -1;
		rec->u.add.score = NAN;
		rec->u.add.patch_bytes = rec->u.add.artifact_bytes = -1;
		break;
	}
}

int trace_set_str(char *dst, const char *src, const char *what, struct hc_err *err)
{
	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	/* one pass, byte by byte: the values are short, and strlen then memcpy cost the reader
	 * a tenth of its time */
	size_t n = 0;
	unsigned char high = 0;
	while (n < TRACE_STR_MAX && (dst[n] = src[n]) != '\0')
		high |= (unsigned char)src[n++];
	if (n == TRACE_STR_MAX) {
		dst[0] = '\0';
		return hc_err_set(err, HC_EINPUT, "%s: got '%.40s...' (%zu bytes); allowed: a "
				  "string of at most %d bytes", what, src, strlen(src),
				  TRACE_STR_MAX - 1);
	}
	/* A trace is JSON: its strings are UTF-8, whatever the source's bytes were. ASCII (no
	 * byte with its high bit set) needs no more look. */
	const char *bad = high & 0x80 ? utf8_invalid(dst, n) : NULL;
	if (bad) {
		unsigned char byte = (unsigned char)*bad;
		size_t at = (size_t)(bad - dst) + 1;
		dst[0] = '\0';
		return hc_err_set(err, HC_EINPUT, "%s: byte 0x%02x at %zu is not UTF-8; allowed: "
				  "UTF-8 text", what, byte, at);
	}
	return 0;
}

/* ---- checking a record: the rules the reader and the writer share ---- */

static int check_count(const char *what, int64_t v, struct hc_err *err)
{
	if (v < 0 || (double)v > TRACE_MAX_TOKENS)
		return hc_err_set(err, HC_EINPUT, "%s: got %lld; allowed: a whole number from 0 "
				  "to %.0f", what, (long long)v, TRACE_MAX_TOKENS);
	return 0;
}

static int check_usage(const struct usage *u, struct hc_err *err)
{
	if (check_count("usage.gen_ai.usage.input_tokens", u->input, err) ||
	    check_count("usage.gen_ai.usage.output_tokens", u->output, err) ||
	    check_count("usage.gen_ai.usage.cache_read.input_tokens", u->cache_read, err) ||
	    check_count("usage.gen_ai.usage.cache_creation.input_tokens", u->cache_write, err) ||
	    check_count("usage.gen_ai.usage.reasoning.output_tokens", u->reasoning, err) ||
	    check_count("usage." TRACE_USAGE_CACHE_1H, u->cache_write_1h, err))
		return HC_EINPUT;
	if (u->cache_read + u->cache_write > u->input)
		return hc_err_set(err, HC_EINPUT, "usage: cache reads %lld + cache writes %lld "
				  "exceed input %lld; allowed: input counts cache reads and writes "
				  "(OpenTelemetry convention)", (long long)u->cache_read,
				  (long long)u->cache_write, (long long)u->input);
	if (u->cache_write_1h > u->cache_write)
		return hc_err_set(err, HC_EINPUT, "usage: 1-hour cache writes %lld exceed cache "
				  "writes %lld; allowed: cache writes count the 1-hour ones",
				  (long long)u->cache_write_1h, (long long)u->cache_write);
	if (u->reasoning > u->output)
		return hc_err_set(err, HC_EINPUT, "usage: reasoning %lld exceeds output %lld; "
				  "allowed: output counts reasoning (OpenTelemetry convention)",
				  (long long)u->reasoning, (long long)u->output);
	return 0;
}

static int check_time(const char *what, double t, struct hc_err *err)
{
	if (!isnan(t) && (!isfinite(t) || t < 0))
		return hc_err_set(err, HC_EINPUT, "%s: got %g; allowed: Unix seconds >= 0", what,
				  t);
	return 0;
}

static int check_iteration(long it, struct hc_err *err)
{
	if (it < -1 || it > TRACE_MAX_ITERATION)
		return hc_err_set(err, HC_EINPUT, "iteration: got %ld; allowed: a whole number "
				  "from 0 to %.0f", it, TRACE_MAX_ITERATION);
	return 0;
}

static int check_bytes(const char *what, long long v, struct hc_err *err)
{
	if (v < -1)
		return hc_err_set(err, HC_EINPUT, "%s: got %lld; allowed: a whole number >= 0",
				  what, v);
	return 0;
}

/* Both times valid, and end not before start when both are known. */
static int check_span(double start, double end, struct hc_err *err)
{
	if (check_time("start_time", start, err) || check_time("end_time", end, err))
		return HC_EINPUT;
	if (!isnan(start) && !isnan(end) && end < start)
		return hc_err_set(err, HC_EINPUT, "end_time: got %.3f; allowed: a time not before "
				  "start_time %.3f", end, start);
	return 0;
}

static int check_call(const struct trace_llm_call *c, struct hc_err *err)
{
	if (check_span(c->start_time, c->end_time, err) || check_iteration(c->iteration, err))
		return HC_EINPUT;
	if (c->retries < -1)
		return hc_err_set(err, HC_EINPUT, "retries: got %ld; allowed: a whole number >= 0",
				  c->retries);
	if (c->has_usage && check_usage(&c->usage, err))
		return HC_EINPUT;
	if (c->estimated && !c->has_usage)
		return hc_err_set(err, HC_EINPUT, "estimated: got true without usage; allowed: "
				  "estimated only on a call with usage");
	if (c->estimated && !c->estimate_method[0])
		return hc_err_set(err, HC_EINPUT, "estimate_method: missing; allowed: a name of "
				  "how the counts were estimated, required with \"estimated\": true");
	if (!c->estimated && c->estimate_method[0])
		return hc_err_set(err, HC_EINPUT, "estimate_method: got '%s' on counts that are "
				  "not estimated; allowed: only with \"estimated\": true",
				  c->estimate_method);
	return 0;
}

static int check_task(const struct trace_eval_task *t, struct hc_err *err)
{
	size_t i;
	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (!strcmp(t->result, results[i]))
			break;
	if (i == sizeof(results) / sizeof(results[0]))
		return hc_err_set(err, HC_EINPUT, "result: got '%s'; allowed: pass, fail, error, "
				  "unknown", t->result);
	if (!isnan(t->sandbox_seconds) && (!isfinite(t->sandbox_seconds) ||
					   t->sandbox_seconds < 0))
		return hc_err_set(err, HC_EINPUT, "sandbox_seconds: got %g; allowed: seconds >= 0",
				  t->sandbox_seconds);
	if (check_span(t->start_time, t->end_time, err))
		return HC_EINPUT;
	return check_bytes("artifact_bytes", t->artifact_bytes, err);
}

static int check_add(const struct trace_archive_add *a, struct hc_err *err)
{
	if (!a->node[0])
		return hc_err_set(err, HC_EINPUT, "node: missing; allowed: the node's name");
	if (!isnan(a->score) && !(a->score >= 0 && a->score <= 1))
		return hc_err_set(err, HC_EINPUT, "score: got %g; allowed: a number from 0 to 1",
				  a->score);
	if (check_iteration(a->iteration, err) || check_bytes("patch_bytes", a->patch_bytes, err))
		return HC_EINPUT;
	return check_bytes("artifact_bytes", a->artifact_bytes, err);
}

static int check_record(const struct trace_record *rec, struct hc_err *err)
{
	switch (rec->kind) {
	case TRACE_LLM_CALL:
		return check_call(&rec->u.call, err);
	case TRACE_EVAL_TASK:
		return check_task(&rec->u.task, err);
	default:
		return check_add(&rec->u.add, err);
	}
}

/* ---- parsing ---- */

/*
 * A record's members matched to the keys of its kind in one pass (members_index), then read
 * by index. cJSON's lookup scans the members from the first for every key asked, and with
 * about 20 keys per record that made key comparisons a fifth of the reader's time
 * (docs/performance.md). Each member is compared first with the key after the one matched
 * last, which is its key when the line came from trace_writer (the tables below are in the
 * order it writes), so a record costs about one strcmp per member; members in another order
 * are found too, with more comparisons. A key given twice is found on the way (unknown keys
 * are compared only when there are two or more: the meter's recorded bodies); unknown keys
 * are otherwise ignored.
 */
struct keyset {
	const char *const *names;
	size_t n;
};

#define KEYSET(names) { names, sizeof(names) / sizeof(names[0]) }
#define MEMBERS_MAX 20

/* "type" first in every record's set: it is the first member of every line written */
enum { CALL_TYPE, CALL_ID, CALL_START_TIME, CALL_END_TIME, CALL_RUN, CALL_ITERATION, CALL_NODE,
       CALL_PARENT, CALL_ROLE, CALL_DOMAIN, CALL_TASK, CALL_PROVIDER, CALL_MODEL, CALL_STATUS,
       CALL_RETRIES, CALL_USAGE, CALL_ESTIMATED, CALL_ESTIMATE_METHOD, CALL_BATCH,
       CALL_SERVICE_TIER };
static const char *const call_keys[] = {
	"type", "id", "start_time", "end_time", "run", "iteration", "node", "parent", "role",
	"domain", "task", "provider", "model", "status", "retries", "usage", "estimated",
	"estimate_method", "batch", "service_tier",
};
enum { USAGE_INPUT, USAGE_OUTPUT, USAGE_CACHE_READ, USAGE_CACHE_WRITE, USAGE_REASONING,
       USAGE_CACHE_WRITE_1H };
static const char *const usage_keys[] = {
	"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
	"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
	"gen_ai.usage.reasoning.output_tokens", TRACE_USAGE_CACHE_1H,
};
enum { TASK_TYPE, TASK_NODE, TASK_DOMAIN, TASK_TASK, TASK_RESULT, TASK_START_TIME,
       TASK_END_TIME, TASK_SANDBOX_SECONDS, TASK_ARTIFACT_BYTES };
static const char *const task_keys[] = {
	"type", "node", "domain", "task", "result", "start_time", "end_time", "sandbox_seconds",
	"artifact_bytes",
};
enum { ADD_TYPE, ADD_NODE, ADD_PARENT, ADD_ITERATION, ADD_SCORE, ADD_PATCH_BYTES,
       ADD_ARTIFACT_BYTES };
static const char *const add_keys[] = {
	"type", "node", "parent", "iteration", "score", "patch_bytes", "artifact_bytes",
};
enum { HEADER_VERSION, HEADER_SOURCE, HEADER_CREATED, HEADER_LOOP };
static const char *const header_keys[] = { "hypercap_trace", "source", "created", "loop" };

static const struct keyset call_set = KEYSET(call_keys), usage_set = KEYSET(usage_keys),
			   task_set = KEYSET(task_keys), add_set = KEYSET(add_keys),
			   header_set = KEYSET(header_keys);

struct members {
	const struct keyset *ks;
	const cJSON *val[MEMBERS_MAX];
};

_Static_assert(sizeof(call_keys) / sizeof(call_keys[0]) <= MEMBERS_MAX, "MEMBERS_MAX");

/* The index of name in ks, trying from `from` on and then from the start; ks->n if absent. */
static size_t keyset_find(const struct keyset *ks, const char *name, size_t from)
{
	for (size_t i = 0; i < ks->n; i++) {
		size_t k = (from + i) % ks->n;
		if (ks->names[k][0] == name[0] && !strcmp(ks->names[k], name))
			return k;
	}
	return ks->n;
}

/* Indexes obj's members by ks; returns the first whose key an earlier member has, or NULL. */
static const cJSON *members_index(struct members *m, const struct keyset *ks, const cJSON *obj)
{
	size_t next = 0, unknown = 0;
	const cJSON *dup = NULL;
	memset(m, 0, sizeof(*m));
	m->ks = ks;
	for (const cJSON *c = obj->child; c; c = c->next) {
		size_t k = c->string ? keyset_find(ks, c->string, next) : ks->n;
		if (k == ks->n) {
			unknown++;
			continue;
		}
		if (m->val[k] && !dup)
			dup = c;
		if (!m->val[k])
			m->val[k] = c;
		next = k + 1;
	}
	return dup || unknown < 2 ? dup : jsonfile_duplicate_key(obj);
}

/* HC_EINPUT naming the key given twice, prefix (e.g. "usage.") before it. */
static int duplicate(const char *prefix, const cJSON *dup, struct hc_err *err)
{
	return hc_err_set(err, HC_EINPUT, "%s%s: given twice; allowed: each key once", prefix,
			  dup->string);
}

/* The value of key k, or NULL when absent or null (both mean unknown). */
static const cJSON *field(const struct members *m, int k)
{
	const cJSON *v = m->val[k];
	return cJSON_IsNull(v) ? NULL : v;
}

static const char *key_name(const struct members *m, int k)
{
	return m->ks->names[k];
}

static int bad_type(const char *prefix, const char *key, const cJSON *v, const char *allowed,
		    struct hc_err *err)
{
	char got[80];
	return hc_err_set(err, HC_EINPUT, "%s%s: got %s; allowed: %s", prefix, key,
			  json_describe(v, got, sizeof(got)), allowed);
}

static int get_str(const struct members *obj, int key, char *dst, struct hc_err *err)
{
	const cJSON *v = field(obj, key);
	if (!v) {
		dst[0] = '\0';
		return 0;
	}
	if (!cJSON_IsString(v))
		return bad_type("", key_name(obj, key), v, "a string", err);
	return trace_set_str(dst, v->valuestring, key_name(obj, key), err);
}

/* A whole number; leaves *out alone when the key is absent. */
static int get_int(const struct members *obj, const char *prefix, int key, int64_t *out,
		   struct hc_err *err)
{
	const cJSON *v = field(obj, key);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > 9e15)
		return bad_type(prefix, key_name(obj, key), v, "a whole number from -9e15 to 9e15",
				err);
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int get_long(const struct members *obj, int key, long *out, struct hc_err *err)
{
	int64_t v = *out;
	if (get_int(obj, "", key, &v, err))
		return HC_EINPUT;
	if (v > 2147483647 || v < -1)
		return bad_type("", key_name(obj, key), field(obj, key), "a whole number >= 0",
				err);
	*out = (long)v;
	return 0;
}

static int get_num(const struct members *obj, int key, double *out, struct hc_err *err)
{
	const cJSON *v = field(obj, key);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v))
		return bad_type("", key_name(obj, key), v, "a number", err);
	*out = v->valuedouble;
	return 0;
}

static int parse_usage(struct trace_llm_call *c, const struct members *obj,
		       struct hc_err *err)
{
	const cJSON *uo = field(obj, CALL_USAGE);
	static const char *const p = "usage.";
	struct members um, *u = &um;
	if (!uo)
		return 0;
	if (!cJSON_IsObject(uo))
		return bad_type("", "usage", uo, "an object of gen_ai.usage.* counts", err);
	const cJSON *dup = members_index(u, &usage_set, uo);
	if (dup)
		return duplicate(p, dup, err);
	for (int i = USAGE_INPUT; i <= USAGE_OUTPUT; i++)
		if (!field(u, i))
			return hc_err_set(err, HC_EINPUT, "usage.%s: missing; allowed: a whole "
					  "number (required in usage)", key_name(u, i));
	struct usage *s = &c->usage;
	memset(s, 0, sizeof(*s));
	s->calls = 1;
	if (get_int(u, p, USAGE_INPUT, &s->input, err) ||
	    get_int(u, p, USAGE_OUTPUT, &s->output, err) ||
	    get_int(u, p, USAGE_CACHE_READ, &s->cache_read, err) ||
	    get_int(u, p, USAGE_CACHE_WRITE, &s->cache_write, err) ||
	    get_int(u, p, USAGE_REASONING, &s->reasoning, err) ||
	    get_int(u, p, USAGE_CACHE_WRITE_1H, &s->cache_write_1h, err))
		return HC_EINPUT;
	c->has_usage = 1;
	return 0;
}

static int parse_call(struct trace_llm_call *c, const struct members *o, struct hc_err *err)
{
	const cJSON *est = field(o, CALL_ESTIMATED), *batch = field(o, CALL_BATCH);
	if (get_str(o, CALL_ID, c->id, err) || get_num(o, CALL_START_TIME, &c->start_time, err) ||
	    get_num(o, CALL_END_TIME, &c->end_time, err) || get_str(o, CALL_RUN, c->run, err) ||
	    get_long(o, CALL_ITERATION, &c->iteration, err) ||
	    get_str(o, CALL_NODE, c->node, err) || get_str(o, CALL_PARENT, c->parent, err) ||
	    get_str(o, CALL_ROLE, c->role, err) || get_str(o, CALL_DOMAIN, c->domain, err) ||
	    get_str(o, CALL_TASK, c->task, err) || get_str(o, CALL_PROVIDER, c->provider, err) ||
	    get_str(o, CALL_MODEL, c->model, err) || get_str(o, CALL_STATUS, c->status, err) ||
	    get_long(o, CALL_RETRIES, &c->retries, err) || parse_usage(c, o, err) ||
	    get_str(o, CALL_ESTIMATE_METHOD, c->estimate_method, err) ||
	    get_str(o, CALL_SERVICE_TIER, c->service_tier, err))
		return HC_EINPUT;
	if (est && !cJSON_IsBool(est))
		return bad_type("", "estimated", est, "true or false", err);
	c->estimated = cJSON_IsTrue(est);
	if (batch && !cJSON_IsBool(batch))
		return bad_type("", "batch", batch, "true or false", err);
	c->batch = cJSON_IsTrue(batch);
	return 0;
}

static int parse_task(struct trace_eval_task *t, const struct members *o, struct hc_err *err)
{
	int64_t bytes = -1;
	if (get_str(o, TASK_NODE, t->node, err) || get_str(o, TASK_DOMAIN, t->domain, err) ||
	    get_str(o, TASK_TASK, t->task, err) || get_str(o, TASK_RESULT, t->result, err) ||
	    get_num(o, TASK_START_TIME, &t->start_time, err) ||
	    get_num(o, TASK_END_TIME, &t->end_time, err) ||
	    get_num(o, TASK_SANDBOX_SECONDS, &t->sandbox_seconds, err) ||
	    get_int(o, "", TASK_ARTIFACT_BYTES, &bytes, err))
		return HC_EINPUT;
	if (!t->result[0])
		strcpy(t->result, "unknown");
	t->artifact_bytes = bytes;
	return 0;
}

static int parse_add(struct trace_archive_add *a, const struct members *o, struct hc_err *err)
{
	int64_t patch = -1, art = -1;
	if (get_str(o, ADD_NODE, a->node, err) || get_str(o, ADD_PARENT, a->parent, err) ||
	    get_long(o, ADD_ITERATION, &a->iteration, err) ||
	    get_num(o, ADD_SCORE, &a->score, err) ||
	    get_int(o, "", ADD_PATCH_BYTES, &patch, err) ||
	    get_int(o, "", ADD_ARTIFACT_BYTES, &art, err))
		return HC_EINPUT;
	a->patch_bytes = patch;
	a->artifact_bytes = art;
	return 0;
}

static int parse_object(struct trace_record *rec, const cJSON *obj, struct hc_err *err)
{
	static const struct keyset *const sets[] = { &call_set, &task_set, &add_set };
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
	struct members o;
	int k;
	if (!cJSON_IsString(type))
		return bad_type("", "type", type, "llm_call, eval_task, archive_add", err);
	for (k = 0; k < TRACE_KIND_COUNT; k++)
		if (!strcmp(type->valuestring, kind_names[k]))
			break;
	if (k == TRACE_KIND_COUNT)
		return bad_type("", "type", type, "llm_call, eval_task, archive_add", err);
	trace_record_init(rec, (enum trace_kind)k);
	const cJSON *dup = members_index(&o, sets[k], obj);
	if (dup)
		return duplicate("", dup, err);
	int rc = k == TRACE_LLM_CALL  ? parse_call(&rec->u.call, &o, err) :
		 k == TRACE_EVAL_TASK ? parse_task(&rec->u.task, &o, err) :
					parse_add(&rec->u.add, &o, err);
	return rc ? rc : check_record(rec, err);
}

/* Parses text as one JSON object; a message naming the column when it is not one. */
static cJSON *parse_line(const char *text, size_t len, struct hc_err *err)
{
	const char *bad = utf8_invalid(text, len);
	if (bad) {
		hc_err_set(err, HC_EINPUT, "not UTF-8 text at column %zu; allowed: one JSON object "
			   "per line", (size_t)(bad - text) + 1);
		return NULL;
	}
	bad = jsonfile_nul_escape(text, len);
	if (bad) {
		/* cJSON would end the string there: "gpt-4o\u0000evil" would read as gpt-4o */
		hc_err_set(err, HC_EINPUT, "\\u0000 (a NUL character) in a string at column %zu; "
			   "allowed: strings without NUL", (size_t)(bad - text) + 1);
		return NULL;
	}
	const char *end = NULL;
	cJSON *o = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!o) {
		const char *at = cJSON_GetErrorPtr();
		size_t col = at && at >= text && at <= text + len ? (size_t)(at - text) + 1 : 1;
		hc_err_set(err, HC_EINPUT, "malformed JSON at column %zu: got '%.30s'; allowed: "
			   "one JSON object per line", col, text + col - 1);
		return NULL;
	}
	while (end && (size_t)(end - text) < len && strchr(" \t\r", *end))
		end++;
	if (!cJSON_IsObject(o) || (end && (size_t)(end - text) < len)) {
		cJSON_Delete(o);
		hc_err_set(err, HC_EINPUT, "got '%.30s'; allowed: one JSON object per line", text);
		return NULL;
	}
	return o;
}

int trace_record_parse(struct trace_record *rec, const char *text, size_t len,
		       const char *origin, long line, struct hc_err *err)
{
	cJSON *o = parse_line(text, len, err);
	int rc = o ? parse_object(rec, o, err) : HC_EINPUT;
	cJSON_Delete(o);
	return rc ? hc_err_prefix(err, "%s:%ld", origin, line) : 0;
}

/* ---- reading ---- */

/*
 * Reads the next line without its newline (nor a \r before it) into *text: 1, 0 at the end,
 * or negative (a line over TRACE_LINE_MAX, or a read error). *complete says whether it ended
 * with a newline.
 */
static int read_line(struct trace_reader *r, char **text, size_t *n, int *complete,
		     struct hc_err *err)
{
	int rc = lines_next(&r->lines, text, n, complete, err);
	r->line = r->lines.line;
	if ((rc == 1 && *complete) || rc == HC_EINPUT) {
		r->done.offset = r->lines.consumed;
		r->done.line = r->line;
	}
	while (rc == 1 && *n > 0 && (*text)[*n - 1] == '\r')
		(*text)[--*n] = '\0';
	return rc;
}

static int blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

static int parse_header(struct trace_reader *r, const char *text, size_t len,
			struct hc_err *err)
{
	cJSON *o = parse_line(text, len, err);
	if (!o)
		return hc_err_prefix(err, "%s:1: not a hypercap trace", r->path);
	struct members m;
	const cJSON *dup = members_index(&m, &header_set, o);
	const cJSON *v = m.val[HEADER_VERSION];
	char got[80];
	int rc = 0;
	if (dup) {
		rc = duplicate("", dup, err);
		hc_err_prefix(err, "%s:1", r->path);
	} else if (!v) {
		rc = hc_err_set(err, HC_EINPUT, "%s:1: not a hypercap trace: the first line has no "
				"\"hypercap_trace\" key (see docs/trace-format.md; 'hypercap "
				"import' converts other logs)", r->path);
	} else if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
		   v->valuedouble < 1) {
		rc = hc_err_set(err, HC_EINPUT, "%s:1: hypercap_trace: got %s; allowed: %d",
				r->path, json_describe(v, got, sizeof(got)), TRACE_VERSION);
	} else if (v->valuedouble > TRACE_VERSION) {
		rc = hc_err_set(err, HC_EINPUT, "%s:1: hypercap_trace: got %.0f; allowed: %d "
				"(the trace was written by a newer hypercap; this one reads "
				"format %d)", r->path, v->valuedouble, TRACE_VERSION,
				TRACE_VERSION);
	} else {
		const cJSON *src = field(&m, HEADER_SOURCE), *created = field(&m, HEADER_CREATED);
		const cJSON *loop = field(&m, HEADER_LOOP);
		r->header.version = (int)v->valuedouble;
		if (src && !cJSON_IsString(src))
			rc = bad_type("", "source", src, "a string", err);
		else if (created && !cJSON_IsString(created))
			rc = bad_type("", "created", created, "a string (ISO 8601 time)", err);
		else if (loop && !cJSON_IsString(loop))
			rc = bad_type("", "loop", loop, "a string (\"dgm\", \"dgm-h\")", err);
		else if (loop)
			rc = trace_set_str(r->header.loop, loop->valuestring, "loop", err);
		if (rc)
			hc_err_prefix(err, "%s:1", r->path);
		else {
			snprintf(r->header.source, sizeof(r->header.source), "%s",
				 src ? src->valuestring : "");
			snprintf(r->header.created, sizeof(r->header.created), "%s",
				 created ? created->valuestring : "");
		}
	}
	cJSON_Delete(o);
	return rc;
}

int trace_reader_open(struct trace_reader *r, const char *path, int skip_bad,
		      struct hc_err *err)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->skip_bad = skip_bad;
	r->f = fopen(path, "r");
	if (!r->f)
		return hc_err_set(err, errno == ENOENT ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	if (!fstat(fileno(r->f), &st)) {
		r->done.dev = st.st_dev;
		r->done.ino = st.st_ino;
	}
	lines_init(&r->lines, r->f, r->path, TRACE_LINE_MAX);
	int complete;
	char *text;
	size_t n;
	int rc = read_line(r, &text, &n, &complete, err);
	if (rc == 0)
		rc = hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: a hypercap trace (a "
				"header line, then records)", path);
	else if (rc == 1)
		rc = parse_header(r, text, n, err);
	if (rc)
		trace_reader_close(r);
	return rc;
}

/* Counts a bad record when skip_bad (0: read on), else returns rc. err holds its message. */
static int bad_record(struct trace_reader *r, int rc, struct hc_err *err)
{
	if (!r->skip_bad)
		return rc;
	if (!r->n_skipped++ && err)
		snprintf(r->first_skipped, sizeof(r->first_skipped), "%s", err->msg);
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct trace_record *rec, struct hc_err *err)
{
	int complete, rc;
	char *text;
	size_t n;
	while ((rc = read_line(r, &text, &n, &complete, err)) != 0) {
		if (rc == HC_EINPUT && !bad_record(r, rc, err))
			continue; /* a line over the limit, skipped */
		if (rc < 0)
			return rc;
		if (!complete && r->whole_lines)
			return 0; /* still being written: left for a later reader */
		if (blank(text))
			continue;
		cJSON *o = parse_line(text, n, err);
		if (!o && !complete) {
			/* A last line cut short by an interrupted writer. */
			r->truncated_line = r->line;
			return 0;
		}
		rc = o ? parse_object(rec, o, err) : HC_EINPUT;
		cJSON_Delete(o);
		if (!rc) {
			r->n_records[rec->kind]++;
			return 1;
		}
		hc_err_prefix(err, "%s:%ld", r->path, r->line);
		if ((rc = bad_record(r, rc, err)) != 0)
			return rc;
	}
	return 0;
}

int trace_reader_resume(struct trace_reader *r, const char *path, const struct trace_mark *from,
			int skip_bad, int *restarted, struct hc_err *err)
{
	struct stat st;
	*restarted = 0;
	int rc = trace_reader_open(r, path, skip_bad, err);
	if (rc)
		return rc;
	r->whole_lines = 1;
	if (!from->offset)
		return 0;
	if (fstat(fileno(r->f), &st) || st.st_dev != from->dev || st.st_ino != from->ino ||
	    st.st_size < from->offset) {
		*restarted = 1;
		return 0;
	}
	if (fseeko(r->f, (off_t)from->offset, SEEK_SET)) {
		rc = hc_err_set(err, HC_ERUNTIME, "cannot seek in '%s': %s", path, strerror(errno));
		trace_reader_close(r);
		return rc;
	}
	lines_release(&r->lines);
	lines_init(&r->lines, r->f, r->path, TRACE_LINE_MAX);
	r->lines.line = r->line = from->line;
	r->lines.consumed = from->offset;
	r->done = *from;
	return 0;
}

void trace_reader_close(struct trace_reader *r)
{
	if (r->f)
		fclose(r->f);
	lines_release(&r->lines);
	r->f = NULL;
}

/* ---- writing ---- */

static void add_str(cJSON *o, const char *key, const char *s)
{
	if (s[0])
		cJSON_AddStringToObject(o, key, s);
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (!isnan(v))
		cJSON_AddNumberToObject(o, key, v);
}

static void add_count(cJSON *o, const char *key, long long v)
{
	if (v >= 0)
		cJSON_AddNumberToObject(o, key, (double)v);
}

static void call_to_json(cJSON *o, const struct trace_llm_call *c)
{
	add_str(o, "id", c->id);
	add_num(o, "start_time", c->start_time);
	add_num(o, "end_time", c->end_time);
	add_str(o, "run", c->run);
	add_count(o, "iteration", c->iteration);
	add_str(o, "node", c->node);
	add_str(o, "parent", c->parent);
	add_str(o, "role", c->role);
	add_str(o, "domain", c->domain);
	add_str(o, "task", c->task);
	add_str(o, "provider", c->provider);
	add_str(o, "model", c->model);
	add_str(o, "status", c->status);
	add_count(o, "retries", c->retries);
	if (c->has_usage) {
		cJSON *u = cJSON_AddObjectToObject(o, "usage");
		const struct usage *s = &c->usage;
		cJSON_AddNumberToObject(u, "gen_ai.usage.input_tokens", (double)s->input);
		cJSON_AddNumberToObject(u, "gen_ai.usage.output_tokens", (double)s->output);
		cJSON_AddNumberToObject(u, "gen_ai.usage.cache_read.input_tokens",
					(double)s->cache_read);
		cJSON_AddNumberToObject(u, "gen_ai.usage.cache_creation.input_tokens",
					(double)s->cache_write);
		cJSON_AddNumberToObject(u, "gen_ai.usage.reasoning.output_tokens",
					(double)s->reasoning);
		if (s->cache_write_1h) /* written when there are some: older traces stay alike */
			cJSON_AddNumberToObject(u, TRACE_USAGE_CACHE_1H,
						(double)s->cache_write_1h);
	}
	if (c->batch)
		cJSON_AddTrueToObject(o, "batch");
	add_str(o, "service_tier", c->service_tier);
	if (c->estimated) {
		cJSON_AddTrueToObject(o, "estimated");
		add_str(o, "estimate_method", c->estimate_method);
	}
}

cJSON *trace_record_to_json(const struct trace_record *rec)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "type", kind_names[rec->kind]);
	if (rec->kind == TRACE_LLM_CALL) {
		call_to_json(o, &rec->u.call);
	} else if (rec->kind == TRACE_EVAL_TASK) {
		const struct trace_eval_task *t = &rec->u.task;
		add_str(o, "node", t->node);
		add_str(o, "domain", t->domain);
		add_str(o, "task", t->task);
		add_str(o, "result", t->result);
		add_num(o, "start_time", t->start_time);
		add_num(o, "end_time", t->end_time);
		add_num(o, "sandbox_seconds", t->sandbox_seconds);
		add_count(o, "artifact_bytes", t->artifact_bytes);
	} else {
		const struct trace_archive_add *a = &rec->u.add;
		add_str(o, "node", a->node);
		add_str(o, "parent", a->parent);
		add_count(o, "iteration", a->iteration);
		add_num(o, "score", a->score);
		add_count(o, "patch_bytes", a->patch_bytes);
		add_count(o, "artifact_bytes", a->artifact_bytes);
	}
	return o;
}

static int write_json_line(struct trace_writer *w, cJSON *o, struct hc_err *err)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	int failed = fputs(text, w->file.f) < 0 || fputc('\n', w->file.f) == EOF;
	free(text);
	if (failed)
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", w->file.tmp,
				  strerror(errno));
	return 0;
}

int trace_writer_open(struct trace_writer *w, const char *path, const char *source,
		      const char *created, struct hc_err *err)
{
	memset(w, 0, sizeof(*w));
	w->header.version = TRACE_VERSION;
	snprintf(w->header.source, sizeof(w->header.source), "%s", source);
	snprintf(w->header.created, sizeof(w->header.created), "%s", created);
	return atomicfile_open(&w->file, path, err);
}

int trace_writer_set_loop(struct trace_writer *w, const char *loop, struct hc_err *err)
{
	if (w->header_written)
		return hc_err_set(err, HC_ERUNTIME, "the trace's loop is set after its header "
				  "was written");
	return trace_set_str(w->header.loop, loop, "loop", err);
}

/* The header line, before the first record or at commit. */
static int write_header_once(struct trace_writer *w, struct hc_err *err)
{
	if (w->header_written)
		return 0;
	cJSON *h = cJSON_CreateObject();
	if (h) {
		cJSON_AddNumberToObject(h, "hypercap_trace", TRACE_VERSION);
		cJSON_AddStringToObject(h, "source", w->header.source);
		cJSON_AddStringToObject(h, "created", w->header.created);
		if (w->header.loop[0])
			cJSON_AddStringToObject(h, "loop", w->header.loop);
	}
	int rc = write_json_line(w, h, err);
	w->header_written = !rc;
	return rc;
}

int trace_writer_put(struct trace_writer *w, const struct trace_record *rec,
		     struct hc_err *err)
{
	if (check_record(rec, err))
		return hc_err_prefix(err, "record %zu (%s)",
				     w->n_records[0] + w->n_records[1] + w->n_records[2] + 1,
				     kind_names[rec->kind]);
	int rc = write_header_once(w, err);
	if (!rc)
		rc = write_json_line(w, trace_record_to_json(rec), err);
	if (!rc)
		w->n_records[rec->kind]++;
	return rc;
}

int trace_writer_commit(struct trace_writer *w, struct hc_err *err)
{
	if (write_header_once(w, err)) {
		trace_writer_abort(w);
		return err ? err->code : HC_ERUNTIME;
	}
	return atomicfile_commit(&w->file, err);
}

void trace_writer_abort(struct trace_writer *w)
{
	atomicfile_abort(&w->file);
}

/* ---- appending ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Queues o (deleted) as one line: it is written with the lines before it that wait. */
static int queue_json_line(struct trace_appender *a, cJSON *o, struct hc_err *err)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	size_t n = strlen(text);
	if (a->pending_len + n + 1 > TRACE_PENDING_MAX) {
		free(text);
		a->lost++;
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %zu records (%zu bytes) "
				  "already wait to be written; this one is lost", a->path,
				  a->n_pending, a->pending_len);
	}
	if (a->pending_len + n + 1 > a->pending_cap) {
		size_t cap = array_capacity(a->pending_cap, a->pending_len + n + 1, 4096, 1);
		char *p = cap ? realloc(a->pending, cap) : NULL;
		if (!p) {
			free(text);
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		}
		a->pending = p;
		a->pending_cap = cap;
	}
	memcpy(a->pending + a->pending_len, text, n);
	a->pending[a->pending_len + n] = '\n';
	a->pending_len += n + 1;
	a->n_pending++;
	free(text);
	return 0;
}

/* Writes the header line into the empty file; cut back to empty when it fails. */
static int write_header(struct trace_appender *a, struct hc_err *err)
{
	cJSON *h = cJSON_CreateObject();
	if (h) {
		cJSON_AddNumberToObject(h, "hypercap_trace", TRACE_VERSION);
		cJSON_AddStringToObject(h, "source", a->header.source);
		cJSON_AddStringToObject(h, "created", a->header.created);
		if (a->header.loop[0])
			cJSON_AddStringToObject(h, "loop", a->header.loop);
	}
	char *text = h ? cJSON_PrintUnformatted(h) : NULL;
	cJSON_Delete(h);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	size_t n = strlen(text);
	text[n] = '\n'; /* the NUL's place: written with its length, not as a string */
	int failed = write_all(a->fd, text, n + 1);
	int e = errno;
	free(text);
	if (!failed)
		return 0;
	if (ftruncate(a->fd, 0))
		e = errno;
	return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", a->path, strerror(e));
}

/*
 * A last line [keep, size) without its newline: a record whose write was cut before its end
 * is removed (its size in dropped), a whole record that lacks only the newline is kept and
 * gets it.
 */
static int end_last_line(struct trace_appender *a, off_t keep, off_t size, struct hc_err *err)
{
	size_t n = (size_t)(size - keep);
	char *text = malloc(n + 1);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	int whole = pread(a->fd, text, n, keep) == (ssize_t)n;
	if (whole) {
		struct trace_record rec;
		text[n] = '\0';
		whole = !trace_record_parse(&rec, text, n, a->path, 0, NULL);
	}
	free(text);
	if (whole) {
		if (write_all(a->fd, "\n", 1))
			return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", a->path,
					  strerror(errno));
		a->newline_added = 1;
		return 0;
	}
	a->dropped = (long long)n;
	if (ftruncate(a->fd, keep))
		return hc_err_set(err, HC_ERUNTIME, "cannot truncate '%s': %s", a->path,
				  strerror(errno));
	return 0;
}

/* Finds the last newline, reading backwards in blocks, and ends the line after it. */
static int end_partial_line(struct trace_appender *a, off_t size, struct hc_err *err)
{
	char buf[4096];
	off_t end = size;
	while (end > 0) {
		size_t n = end < (off_t)sizeof(buf) ? (size_t)end : sizeof(buf);
		if (pread(a->fd, buf, n, end - (off_t)n) != (ssize_t)n)
			return hc_err_set(err, HC_ERUNTIME, "cannot read '%s': %s", a->path,
					  strerror(errno));
		size_t i = n;
		while (i > 0 && buf[i - 1] != '\n')
			i--;
		if (i > 0) {
			off_t keep = end - (off_t)n + (off_t)i;
			return keep < size ? end_last_line(a, keep, size, err) : 0;
		}
		end -= (off_t)n;
	}
	return hc_err_set(err, HC_EINPUT, "%s:1: not a hypercap trace: no complete line",
			  a->path);
}

/*
 * Opens a->path for appending: an existing trace is checked (its header) and its last line
 * ended; a missing or empty one gets the header. a->fd stays -1 when it fails.
 */
static int appender_open_path(struct trace_appender *a, struct hc_err *err)
{
	struct stat st;
	if (stat(a->path, &st) == 0 && st.st_size > 0) {
		/* an existing trace: its header must be one this reader accepts */
		struct trace_reader r;
		memset(&r, 0, sizeof(r));
		int rc = trace_reader_open(&r, a->path, 0, err);
		trace_reader_close(&r);
		if (rc)
			return hc_err_prefix(err, "cannot append");
	}
	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (a->fd < 0)
		return hc_err_set(err, HC_ERUNTIME, "cannot open '%s': %s", a->path,
				  strerror(errno));
	int rc = fstat(a->fd, &st) ? hc_err_set(err, HC_ERUNTIME, "cannot open '%s': %s",
						a->path, strerror(errno)) :
		 st.st_size > 0 ? end_partial_line(a, st.st_size, err) :
				  write_header(a, err);
	if (!rc && fstat(a->fd, &st))
		rc = hc_err_set(err, HC_ERUNTIME, "cannot open '%s': %s", a->path,
				strerror(errno));
	if (rc) {
		close(a->fd);
		a->fd = -1;
		return rc;
	}
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	a->good = st.st_size;
	a->dirty = 1;
	return 0;
}

/*
 * The file at a->path is still the one open: not deleted, not renamed away, not replaced.
 * Otherwise it is opened again (a new trace when missing) and counted in reopened.
 */
static int appender_check_path(struct trace_appender *a, struct hc_err *err)
{
	struct stat fst, pst;
	if (a->fd >= 0) {
		if (fstat(a->fd, &fst) == 0 && fst.st_nlink > 0 && stat(a->path, &pst) == 0 &&
		    pst.st_dev == a->dev && pst.st_ino == a->ino)
			return 0;
		fdatasync(a->fd); /* what went there stays there */
		close(a->fd);
		a->fd = -1;
		a->reopened++;
	}
	return appender_open_path(a, err);
}

/*
 * Writes the lines that wait, in one write(2) when the kernel takes them whole. A short or
 * failed write (a full disk, a file size limit) is cut back to the last whole line, so that
 * no record is torn and none is glued to the next; the lines stay queued for the next try.
 */
static int appender_flush(struct trace_appender *a, struct hc_err *err)
{
	if (!a->pending_len)
		return 0;
	if (appender_check_path(a, err))
		return HC_ERUNTIME;
	if (write_all(a->fd, a->pending, a->pending_len)) {
		int e = errno;
		if (ftruncate(a->fd, a->good))
			e = errno;
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s; %zu records wait to "
				  "be written again", a->path, strerror(e), a->n_pending);
	}
	a->dirty = 1;
	a->good += (off_t)a->pending_len;
	a->n_records += a->n_pending;
	a->pending_len = a->n_pending = 0;
	return 0;
}

int trace_appender_open(struct trace_appender *a, const char *path,
			const struct trace_header *h, struct hc_err *err)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (strlen(path) >= sizeof(a->path))
		return hc_err_set(err, HC_EUSAGE, "--trace: the path is too long");
	snprintf(a->path, sizeof(a->path), "%s", path);
	a->header = *h;
	return appender_open_path(a, err);
}

int trace_appender_put(struct trace_appender *a, const struct trace_record *rec, cJSON *extra,
		       struct hc_err *err)
{
	if (check_record(rec, err)) {
		cJSON_Delete(extra);
		return hc_err_prefix(err, "record %zu (%s)", a->n_records + a->n_pending + 1,
				     kind_names[rec->kind]);
	}
	cJSON *o = trace_record_to_json(rec);
	while (o && extra && extra->child) {
		cJSON *item = cJSON_DetachItemViaPointer(extra, extra->child);
		cJSON_AddItemToObject(o, item->string, item);
	}
	cJSON_Delete(extra);
	int rc = queue_json_line(a, o, err);
	return rc ? rc : appender_flush(a, err);
}

int trace_appender_sync(struct trace_appender *a, struct hc_err *err)
{
	int rc = appender_flush(a, err);
	if (rc || a->fd < 0 || !a->dirty)
		return rc;
	a->dirty = 0;
	if (fdatasync(a->fd))
		return hc_err_set(err, HC_ERUNTIME, "cannot sync '%s': %s", a->path,
				  strerror(errno));
	return 0;
}

int trace_appender_close(struct trace_appender *a, struct hc_err *err)
{
	struct hc_err last = HC_ERR_INIT;
	if (a->fd < 0 && !a->pending_len)
		return 0;
	int rc = trace_appender_sync(a, &last);
	if (a->n_pending || a->lost) {
		a->lost += a->n_pending;
		rc = hc_err_set(err, HC_ERUNTIME, "%zu records could not be written to '%s' and "
				"are lost%s%s%s", a->lost, a->path, last.msg[0] ? " (the last "
				"error: " : "", last.msg, last.msg[0] ? ")" : "");
	} else if (rc) {
		rc = hc_err_set(err, rc, "%s", last.msg);
	}
	if (a->fd >= 0 && close(a->fd) && !rc)
		rc = hc_err_set(err, HC_ERUNTIME, "cannot close '%s': %s", a->path,
				strerror(errno));
	free(a->pending);
	a->pending = NULL;
	a->pending_len = a->pending_cap = a->n_pending = 0;
	a->fd = -1;
	return rc;
}
