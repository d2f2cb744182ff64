/*
 * import otel: OpenTelemetry trace exports in OTLP/JSON ({"resourceSpans": [{"scopeSpans":
 * [{"spans": [...]}]}]}), one document or several one after another (the collector's file
 * exporter writes one per line). A span is an LLM call when its gen_ai.operation.name is
 * chat, text_completion or generate_content, or, without an operation name, when it has
 * gen_ai.usage.* attributes. Agent and tool spans are skipped: their usage, when they carry
 * any, sums their children's and would count it twice.
 *
 * The GenAI semantic conventions already count cached tokens in gen_ai.usage.input_tokens
 * and reasoning in gen_ai.usage.output_tokens, hypercap's convention. Emitters that write
 * other names (OpenInference, the Vercel AI SDK, Traceloop, the conventions' older names)
 * are read by usage_names[]; Anthropic's count, input without its cache, is normalised.
 *
 * The whole file is read into memory (up to jsonfile's limit) and its spans are converted
 * twice: the first pass keeps each call that has a parent span, the second writes every call
 * but those whose child span is the same call (two instrumentations on one call), wherever
 * in the file the child is.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "import/import.h"

/* An LLM call with usage whose span has a parent: what tells that the parent repeats it. */
struct otel_call {
	char trace[TRACE_STR_MAX], parent[TRACE_STR_MAX], model[TRACE_STR_MAX];
	int64_t input, output;
};

struct otel {
	const char *path;
	const char *text;
	struct trace_writer *w;
	struct import_stats *st;
	char where[160]; /* JSON path of the span in messages */
	size_t doc;      /* offset of the current document, for its line number */
	int writing;     /* 0: the first pass, collecting calls; 1: the second, writing them */
	struct otel_call *calls; /* the first pass's calls with a parent, by (trace, parent) */
	size_t n_calls, cap_calls;
	size_t repeats;  /* spans dropped because a child span describes the same call */
};

static const cJSON *attr(const cJSON *span, const char *key)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(span, "attributes")) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
		if (cJSON_IsString(k) && !strcmp(k->valuestring, key))
			return cJSON_GetObjectItemCaseSensitive(a, "value");
	}
	return NULL;
}

static const char *attr_str(const cJSON *span, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(attr(span, key), "stringValue");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An int64 as OTLP/JSON writes it: a decimal string, or a plain number. */
static int otlp_int(const cJSON *v, int64_t *out)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 9e15 &&
	    v->valuedouble == (double)(int64_t)v->valuedouble) {
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring[0] >= '0' && v->valuestring[0] <= '9') {
		char *end;
		unsigned long long u = strtoull(v->valuestring, &end, 10);
		if (!*end && u <= INT64_MAX) {
			*out = (int64_t)u;
			return 0;
		}
	}
	return -1;
}

/* The usage fields, as usage_read indexes them. */
enum usage_field {
	U_INPUT, U_OUTPUT, U_CACHE_READ, U_CACHE_WRITE, U_REASONING, U_CACHE_1H, U_FIELDS
};

/* Flags of a usage name. */
#define U_EXCLUSIVE 1 /* Anthropic's count: input excludes cache reads and writes */
#define U_OLDER 2     /* a name the conventions dropped: read with a warning */

/*
 * Every name an emitter gives a usage count, the first of a field's names on a span winning:
 * the GenAI conventions' first, then the names real emitters write.
 */
static const struct usage_name {
	enum usage_field field;
	const char *key;
	int flags;
} usage_names[] = {
	{ U_INPUT, "gen_ai.usage.input_tokens", 0 },
	{ U_INPUT, "gen_ai.usage.prompt_tokens", U_OLDER }, /* before semconv 1.27 */
	{ U_INPUT, "llm.token_count.prompt", 0 },  /* OpenInference */
	{ U_INPUT, "ai.usage.inputTokens", 0 },    /* the Vercel AI SDK from version 5 */
	{ U_INPUT, "ai.usage.promptTokens", 0 },   /* the Vercel AI SDK before */
	{ U_OUTPUT, "gen_ai.usage.output_tokens", 0 },
	{ U_OUTPUT, "gen_ai.usage.completion_tokens", U_OLDER },
	{ U_OUTPUT, "llm.token_count.completion", 0 },
	{ U_OUTPUT, "ai.usage.outputTokens", 0 },
	{ U_OUTPUT, "ai.usage.completionTokens", 0 },
	{ U_CACHE_READ, "gen_ai.usage.cache_read.input_tokens", 0 },
	/* Traceloop's (OpenLLMetry's) Anthropic spans: Anthropic's own field names and count */
	{ U_CACHE_READ, "gen_ai.usage.cache_read_input_tokens", U_EXCLUSIVE },
	{ U_CACHE_READ, "llm.token_count.prompt_details.cache_read", 0 },
	{ U_CACHE_READ, "ai.usage.cachedInputTokens", 0 },
	{ U_CACHE_WRITE, "gen_ai.usage.cache_creation.input_tokens", 0 },
	{ U_CACHE_WRITE, "gen_ai.usage.cache_write.input_tokens", 0 }, /* Anthropic SDK's spans */
	{ U_CACHE_WRITE, "gen_ai.usage.cache_creation_input_tokens", U_EXCLUSIVE },
	{ U_CACHE_WRITE, "llm.token_count.prompt_details.cache_write", 0 },
	{ U_REASONING, "gen_ai.usage.reasoning.output_tokens", 0 },
	{ U_REASONING, "llm.token_count.completion_details.reasoning", 0 },
	{ U_REASONING, "ai.usage.reasoningTokens", 0 },
	{ U_CACHE_1H, TRACE_USAGE_CACHE_1H, 0 },
};

#define N_USAGE_NAMES (sizeof(usage_names) / sizeof(usage_names[0]))

static int usage_attr(struct otel *o, const cJSON *v, const char *key, int64_t *out,
		      struct hc_err *err)
{
	const cJSON *iv = cJSON_GetObjectItemCaseSensitive(v, "intValue");
	char got[80];
	if (otlp_int(iv, out))
		return hc_err_set(err, HC_EINPUT, "%s: %s: got %s; allowed: {\"intValue\": a whole "
				  "number >= 0}", o->where, key, json_describe(v, got, sizeof(got)));
	return 0;
}

/*
 * The span's usage counts into *u; seen[f] set to the usage_names index + 1 of field f's name
 * and *flags to the flags of the names read.
 */
static int usage_read(struct otel *o, const cJSON *span, struct usage *u,
		      size_t seen[U_FIELDS], int *flags, struct hc_err *err)
{
	int64_t *dst[] = { &u->input, &u->output, &u->cache_read, &u->cache_write,
			   &u->reasoning, &u->cache_write_1h };
	*flags = 0;
	for (size_t i = 0; i < N_USAGE_NAMES; i++) {
		const struct usage_name *n = &usage_names[i];
		const cJSON *v = seen[n->field] ? NULL : attr(span, n->key);
		if (!v)
			continue;
		if (usage_attr(o, v, n->key, dst[n->field], err))
			return HC_EINPUT;
		seen[n->field] = i + 1;
		*flags |= n->flags;
	}
	return 0;
}

/*
 * Anthropic counts input without its cache reads and writes; the GenAI conventions, and
 * hypercap, with them. An Anthropic span is read the Anthropic way when it names its cache
 * counts as Anthropic's API does (Traceloop's spans) or when its cache counts exceed its
 * input, the one reading in which its numbers hold. Otherwise it follows the conventions.
 */
static void usage_normalise(struct usage *u, const char *provider, int flags)
{
	if (strcmp(provider, "anthropic"))
		return;
	if ((flags & U_EXCLUSIVE) || u->cache_read + u->cache_write > u->input)
		u->input += u->cache_read + u->cache_write;
}

static double nanos_to_seconds(const cJSON *v)
{
	int64_t ns;
	if (otlp_int(v, &ns) || ns == 0)
		return NAN;
	return (double)(ns / 1000000000) + (double)(ns % 1000000000) / 1e9;
}

/* The first attribute key the span gives twice, or NULL: which value counts would be a guess. */
static const char *attr_twice(const cJSON *span)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(span, "attributes"), *a, *b;
	cJSON_ArrayForEach(a, attrs) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
		for (b = attrs->child; cJSON_IsString(k) && b != a; b = b->next) {
			const cJSON *j = cJSON_GetObjectItemCaseSensitive(b, "key");
			if (cJSON_IsString(j) && !strcmp(j->valuestring, k->valuestring))
				return k->valuestring;
		}
	}
	return NULL;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

/*
 * An LLM call: a GenAI span of an inference operation, an OpenInference span of kind LLM, the
 * Vercel AI SDK's doGenerate or doStream span (its ai.generateText span around them sums their
 * steps' usage), or, without any of these, a span with usage counts.
 */
static int is_llm_span(const cJSON *span)
{
	const char *op = attr_str(span, "gen_ai.operation.name");
	const char *kind = attr_str(span, "openinference.span.kind");
	const char *ai_op = attr_str(span, "ai.operationId");
	if (op)
		return !strcmp(op, "chat") || !strcmp(op, "text_completion") ||
		       !strcmp(op, "generate_content");
	if (kind)
		return !strcmp(kind, "LLM");
	if (ai_op)
		return ends_with(ai_op, ".doGenerate") || ends_with(ai_op, ".doStream");
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(span, "attributes")) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
		if (cJSON_IsString(k) && !strncmp(k->valuestring, "gen_ai.usage.", 13))
			return 1;
	}
	for (size_t i = 0; i < N_USAGE_NAMES; i++)
		if (attr(span, usage_names[i].key))
			return 1;
	return 0;
}

/* The value of the first of keys (NULL-terminated) the span has, or NULL. */
static const char *attr_first(const cJSON *span, const char *const *keys)
{
	const char *v = NULL;
	for (; !v && *keys; keys++)
		v = attr_str(span, *keys);
	return v;
}

/* The model, provider, service tier and id: the GenAI conventions' names first. */
static int span_names(struct trace_llm_call *c, const cJSON *span, struct hc_err *err)
{
	static const char *const models[] = { "gen_ai.response.model", "gen_ai.request.model",
		"llm.response.model_name", "llm.model_name", "ai.response.model", "ai.model.id",
		NULL };
	/* gen_ai.system: the name before semconv 1.37 */
	static const char *const providers[] = { "gen_ai.provider.name", "gen_ai.system",
		"llm.provider", "llm.system", NULL };
	static const char *const tiers[] = { "openai.response.service_tier",
		"gen_ai.openai.response.service_tier", NULL };
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(span, "spanId");
	const char *provider = attr_first(span, providers);
	int vercel = !provider;
	if (vercel)
		provider = attr_str(span, "ai.model.provider");
	if (trace_set_str(c->model, attr_first(span, models), "gen_ai.response.model", err) ||
	    trace_set_str(c->provider, provider, "gen_ai.provider.name", err) ||
	    trace_set_str(c->service_tier, attr_first(span, tiers),
			  "openai.response.service_tier", err) ||
	    (cJSON_IsString(id) && trace_set_str(c->id, id->valuestring, "spanId", err)))
		return HC_EINPUT;
	if (vercel) /* the Vercel AI SDK's "anthropic.messages", "openai.chat" */
		c->provider[strcspn(c->provider, ".")] = '\0';
	return 0;
}

/* hypercap.role, hypercap.iteration, ... attributes, as import_call_metadata reads them. */
static int hypercap_attrs(struct trace_llm_call *c, const cJSON *span, struct hc_err *err)
{
	cJSON *meta = cJSON_CreateObject();
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(span, "attributes")) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "value");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "stringValue");
		int64_t n;
		if (!cJSON_IsString(k) || strncmp(k->valuestring, "hypercap.", 9))
			continue;
		if (cJSON_IsString(s))
			cJSON_AddStringToObject(meta, k->valuestring + 9, s->valuestring);
		else if (!otlp_int(cJSON_GetObjectItemCaseSensitive(v, "intValue"), &n))
			cJSON_AddNumberToObject(meta, k->valuestring + 9, (double)n);
	}
	int rc = import_call_metadata(c, meta, err);
	cJSON_Delete(meta);
	return rc;
}

static void span_status(struct trace_llm_call *c, const cJSON *span)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(span, "status"), "code");
	if ((cJSON_IsNumber(code) && code->valueint == 2) ||
	    (cJSON_IsString(code) && !strcmp(code->valuestring, "STATUS_CODE_ERROR")))
		strcpy(c->status, "error");
	else if ((cJSON_IsNumber(code) && code->valueint == 1) ||
		 (cJSON_IsString(code) && !strcmp(code->valuestring, "STATUS_CODE_OK")))
		strcpy(c->status, "ok");
}

/* The usage counts in hypercap's convention, or none when the span has none. */
static int span_usage(struct otel *o, const cJSON *span, struct trace_llm_call *c,
		      struct hc_err *err)
{
	struct usage *u = &c->usage;
	size_t seen[U_FIELDS] = { 0 };
	int flags;
	if (usage_read(o, span, u, seen, &flags, err))
		return HC_EINPUT;
	int in = seen[U_INPUT] != 0, out = seen[U_OUTPUT] != 0;
	int other = seen[U_CACHE_READ] || seen[U_CACHE_WRITE] || seen[U_REASONING] ||
		    seen[U_CACHE_1H];
	if (in != out || (other && !in)) {
		size_t f = 0;
		while (!seen[f]) /* one is: the output, the input or a part of either */
			f++;
		return hc_err_set(err, HC_EINPUT, "%s: %s without an %s count; allowed: both an "
				  "input and an output count, or no usage", o->where,
				  usage_names[seen[f] - 1].key, in ? "output" : "input");
	}
	usage_normalise(u, c->provider, flags);
	if (flags & U_OLDER) {
		o->st->noted += o->writing;
		snprintf(o->st->noted_what, sizeof(o->st->noted_what), "spans with the older "
			 "gen_ai.usage.prompt_tokens/completion_tokens, read as input/output");
	}
	if (in) {
		u->calls = 1;
		c->has_usage = 1;
	}
	return 0;
}

static const char *span_str(const cJSON *span, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(span, key);
	return cJSON_IsString(v) && strlen(v->valuestring) < TRACE_STR_MAX ? v->valuestring : "";
}

static int call_cmp(const void *a, const void *b)
{
	const struct otel_call *x = a, *y = b;
	int d = strcmp(x->trace, y->trace);
	return d ? d : strcmp(x->parent, y->parent);
}

/* Keeps a call whose span has a parent, for repeats_child. */
static int call_collect(struct otel *o, const cJSON *span, const struct trace_llm_call *c,
			struct hc_err *err)
{
	const char *trace = span_str(span, "traceId"), *parent = span_str(span, "parentSpanId");
	if (!c->has_usage || !*trace || !*parent)
		return 0;
	struct otel_call *v = array_room(o->calls, o->n_calls, &o->cap_calls, sizeof(*v));
	if (!v)
		return hc_err_set(err, HC_ERUNTIME, "%s: out of memory", o->where);
	o->calls = v;
	v += o->n_calls++;
	strcpy(v->trace, trace);
	strcpy(v->parent, parent);
	strcpy(v->model, c->model);
	v->input = c->usage.input;
	v->output = c->usage.output;
	return 0;
}

/* Whether a and b name one model, one perhaps the other's dated snapshot (gpt-4o-2024-08-06). */
static int same_model(const char *a, const char *b)
{
	size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
	return !strncmp(a, b, n) && (a[n] == b[n] || a[n] == '-' || b[n] == '-');
}

/*
 * Whether a child span of this one is the same LLM call: same model, same input and output.
 * Two instrumentations on one call (OpenInference or Traceloop around the SDK's own spans)
 * nest two spans; the innermost is kept.
 */
static int repeats_child(const struct otel *o, const cJSON *span,
			 const struct trace_llm_call *c)
{
	struct otel_call key = { .input = 0 }; /* trace and parent compared, the rest zero */
	snprintf(key.trace, sizeof(key.trace), "%s", span_str(span, "traceId"));
	snprintf(key.parent, sizeof(key.parent), "%s", span_str(span, "spanId"));
	if (!c->has_usage || !*key.trace || !*key.parent || !o->n_calls)
		return 0;
	const struct otel_call *hit = bsearch(&key, o->calls, o->n_calls, sizeof(key), call_cmp);
	if (!hit)
		return 0;
	while (hit > o->calls && !call_cmp(hit - 1, &key))
		hit--;
	for (; hit < o->calls + o->n_calls && !call_cmp(hit, &key); hit++)
		if (same_model(hit->model, c->model) && hit->input == c->usage.input &&
		    hit->output == c->usage.output)
			return 1;
	return 0;
}

static int one_span(struct otel *o, const cJSON *span, struct hc_err *err)
{
	if (!is_llm_span(span)) {
		o->st->skipped += o->writing;
		snprintf(o->st->skipped_what, sizeof(o->st->skipped_what),
			 "spans that are not LLM calls");
		return 0;
	}
	const char *twice = attr_twice(span);
	if (twice)
		return hc_err_set(err, HC_EINPUT, "%s.attributes: '%.60s' given twice; allowed: "
				  "each attribute key once", o->where, twice);
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	struct trace_llm_call *c = &rec.u.call;
	if (span_names(c, span, err) || hypercap_attrs(c, span, err))
		return hc_err_prefix(err, "%s", o->where);
	c->start_time = nanos_to_seconds(cJSON_GetObjectItemCaseSensitive(span,
									   "startTimeUnixNano"));
	c->end_time = nanos_to_seconds(cJSON_GetObjectItemCaseSensitive(span, "endTimeUnixNano"));
	span_status(c, span);
	if (span_usage(o, span, c, err))
		return HC_EINPUT;
	if (!o->writing)
		return call_collect(o, span, c, err);
	if (repeats_child(o, span, c)) {
		o->repeats++;
		o->st->skipped++;
		return 0;
	}
	return trace_writer_put(o->w, &rec, err) ? hc_err_prefix(err, "%s", o->where) : 0;
}

static int one_document(struct otel *o, const cJSON *doc, struct hc_err *err)
{
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(doc, "resourceSpans");
	long line = 1;
	for (size_t i = 0; i < o->doc; i++)
		line += o->text[i] == '\n';
	char origin[200];
	snprintf(origin, sizeof(origin), "%.160s:%ld", o->path, line);
	if (jsonfile_unique_keys(doc, origin, err))
		return HC_EINPUT;
	if (!cJSON_IsArray(rs))
		return hc_err_set(err, HC_EINPUT, "%s: resourceSpans: missing; allowed: an "
				  "OTLP/JSON trace export", origin);
	size_t i = 0, j, k;
	const cJSON *r, *s, *span;
	cJSON_ArrayForEach(r, rs) {
		j = 0;
		cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "scopeSpans")) {
			k = 0;
			cJSON_ArrayForEach(span, cJSON_GetObjectItemCaseSensitive(s, "spans")) {
				snprintf(o->where, sizeof(o->where), "%.60s:%ld: resourceSpans[%zu]."
					 "scopeSpans[%zu].spans[%zu]", o->path, line, i, j, k);
				int rc = one_span(o, span, err);
				if (rc)
					return rc;
				k++;
			}
			j++;
		}
		i++;
	}
	return 0;
}

/* Runs one_document on every document of the file, in order. */
static int each_document(struct otel *o, size_t len, struct hc_err *err)
{
	const char *text = o->text;
	size_t at = 0, docs = 0;
	int rc = 0;
	while (!rc) {
		while (at < len && strchr(" \t\r\n", text[at]))
			at++;
		if (at == len) {
			if (!docs)
				rc = hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: OTLP/JSON "
						"documents", o->path);
			break;
		}
		docs++;
		const char *end = NULL;
		o->doc = at;
		cJSON *doc = cJSON_ParseWithLengthOpts(text + at, len - at, &end, 0);
		if (!doc) {
			long line = 1;
			const char *bad = cJSON_GetErrorPtr();
			for (const char *p = text; p < bad && p < text + len; p++)
				line += *p == '\n';
			rc = hc_err_set(err, HC_EINPUT, "%s:%ld: malformed JSON; allowed: OTLP/JSON "
					"documents", o->path, line);
			break;
		}
		rc = one_document(o, doc, err);
		cJSON_Delete(doc);
		at = (size_t)(end - text);
	}
	return rc;
}

int import_otel(const char *path, struct trace_writer *w, struct import_stats *st,
		struct hc_err *err)
{
	char *text;
	size_t len;
	int rc = jsonfile_read(path, &text, &len, err);
	if (rc)
		return rc;
	const char *nul = jsonfile_nul_escape(text, len);
	if (nul) {
		long line = 1;
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		rc = hc_err_set(err, HC_EINPUT, "%s:%ld: \\u0000 (a NUL character) in a string; "
				"allowed: strings without NUL", path, line);
	}
	struct otel o = { .path = path, .text = text, .w = w, .st = st };
	if (!rc)
		rc = each_document(&o, len, err);
	if (!rc && o.n_calls)
		qsort(o.calls, o.n_calls, sizeof(*o.calls), call_cmp);
	o.writing = 1;
	if (!rc)
		rc = each_document(&o, len, err);
	if (o.repeats)
		snprintf(st->skipped_what, sizeof(st->skipped_what), "spans that are not LLM calls "
			 "or repeat a child span's call");
	free(o.calls);
	free(text);
	return rc;
}
