/*
 * import litellm: LiteLLM proxy spend logs as CSV, one row per request, with a header row
 * naming columns of the LiteLLM_SpendLogs table (as `\copy "LiteLLM_SpendLogs" TO 'x.csv'
 * CSV HEADER` or a spreadsheet export writes it). Required: model, prompt_tokens,
 * completion_tokens; read when present: request_id, call_type, startTime, endTime,
 * custom_llm_provider, status, cache_hit and metadata (JSON: usage_object's cache and
 * reasoning details, else additional_usage_values' in older logs; spend_logs_metadata's
 * run/role/iteration tags). Other columns are ignored. Rows without a model (LiteLLM's MCP
 * tool calls) are skipped; a row LiteLLM answered from its response cache is a call with
 * status "cache_hit" and zero usage: no provider was called and nothing billed.
 *
 * LiteLLM normalises every provider to OpenAI's convention: prompt_tokens includes cache
 * reads and cache writes (its Anthropic transformation adds them), so it is hypercap's input
 * as it is. Rows are parsed with libcsv and converted one at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "base/lines.h"
#include "import/import.h"

enum col { C_MODEL, C_PROMPT, C_COMPLETION, C_ID, C_CALL_TYPE, C_START, C_END, C_PROVIDER,
	   C_STATUS, C_METADATA, C_CACHE_HIT, C_COUNT };

static const char *const col_names[C_COUNT] = {
	"model", "prompt_tokens", "completion_tokens", "request_id", "call_type", "startTime",
	"endTime", "custom_llm_provider", "status", "metadata", "cache_hit",
};

#define N_REQUIRED 3

/* call types that are not LLM completions and have no token prices of their kind here */
static const char *const skipped_types[] = { "embedding", "image", "transcription", "speech",
					     "moderation", "rerank" };

struct lite {
	const char *path;
	struct trace_writer *w;
	struct import_stats *st;
	struct hc_err *err;
	int rc;
	long row;       /* 1 is the header */
	int col_of[C_COUNT]; /* column index of each, or -1 */
	char **fields;  /* the current row */
	size_t n, cap;
	size_t row_bytes; /* bytes of the current row's fields so far */
};

static void on_field(void *s, size_t len, void *data)
{
	struct lite *l = data;
	if (l->rc)
		return;
	char **f = array_room(l->fields, l->n, &l->cap, sizeof(*f));
	if (!f) {
		l->rc = hc_err_set(l->err, HC_ERUNTIME, "out of memory");
		return;
	}
	l->fields = f;
	if (!(l->fields[l->n] = strndup(s ? s : "", s ? len : 0))) {
		l->rc = hc_err_set(l->err, HC_ERUNTIME, "out of memory");
		return;
	}
	l->row_bytes += len;
	l->n++;
}

static const char *cell(const struct lite *l, enum col c)
{
	int i = l->col_of[c];
	return i >= 0 && (size_t)i < l->n ? l->fields[i] : "";
}

static int header(struct lite *l)
{
	for (int c = 0; c < C_COUNT; c++) {
		l->col_of[c] = -1;
		for (size_t i = 0; i < l->n; i++) {
			if (strcmp(l->fields[i], col_names[c]))
				continue;
			if (l->col_of[c] >= 0)
				return hc_err_set(l->err, HC_EINPUT, "%s:1: column '%s': given "
						  "twice; allowed: each column once", l->path,
						  col_names[c]);
			l->col_of[c] = (int)i;
		}
		if (c < N_REQUIRED && l->col_of[c] < 0)
			return hc_err_set(l->err, HC_EINPUT, "%s:1: column '%s': missing; allowed: "
					  "a LiteLLM spend-log CSV whose header names model, "
					  "prompt_tokens and completion_tokens", l->path,
					  col_names[c]);
	}
	return 0;
}

static int count_cell(struct lite *l, enum col c, int64_t *out)
{
	const char *s = cell(l, c);
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0)
		return hc_err_set(l->err, HC_EINPUT, "%s: row %ld: %s: got '%.30s'; allowed: a "
				  "whole number >= 0", l->path, l->row, col_names[c], s);
	*out = v;
	return 0;
}

static int time_cell(struct lite *l, enum col c, double *out)
{
	const char *s = cell(l, c);
	if (*s && import_time_parse(s, out))
		return hc_err_set(l->err, HC_EINPUT, "%s: row %ld: %s: got '%.40s'; allowed: "
				  "YYYY-MM-DD HH:MM:SS[.fff][Z|+HH:MM]", l->path, l->row,
				  col_names[c], s);
	return 0;
}

/*
 * Cache and reasoning counts from u, the provider's usage without its three totals, at the
 * JSON path base: metadata.usage_object, or metadata.additional_usage_values in older logs.
 */
static int usage_details(const cJSON *u, const char *base, struct usage *us, struct hc_err *err)
{
	char pd_at[80], split_at[128], cd_at[80];
	snprintf(pd_at, sizeof(pd_at), "%s.prompt_tokens_details", base);
	snprintf(split_at, sizeof(split_at), "%s.cache_creation_token_details", pd_at);
	snprintf(cd_at, sizeof(cd_at), "%s.completion_tokens_details", base);
	const cJSON *pd = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens_details");
	const cJSON *cd = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens_details");
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(pd, "cache_creation_token_details");
	return import_count(pd, pd_at, "cached_tokens", &us->cache_read, err) ||
	       import_count(u, base, "cache_read_input_tokens", &us->cache_read, err) ||
	       import_count(u, base, "cache_creation_input_tokens", &us->cache_write, err) ||
	       import_count(split, split_at, "ephemeral_1h_input_tokens", &us->cache_write_1h,
			    err) ||
	       import_count(cd, cd_at, "reasoning_tokens", &us->reasoning, err);
}

/* Cache and reasoning counts and run/role/... tags from the metadata column. */
static int metadata(struct lite *l, struct trace_llm_call *c)
{
	const char *s = cell(l, C_METADATA);
	char origin[300];
	if (!*s)
		return 0;
	snprintf(origin, sizeof(origin), "%.250s: row %ld: metadata", l->path, l->row);
	if (jsonfile_nul_escape(s, strlen(s)))
		return hc_err_set(l->err, HC_EINPUT, "%s: \\u0000 (a NUL character) in a string; "
				  "allowed: strings without NUL", origin);
	cJSON *m = cJSON_Parse(s);
	if (!cJSON_IsObject(m)) {
		cJSON_Delete(m);
		return hc_err_set(l->err, HC_EINPUT, "%s: got '%.40s'; allowed: a JSON object",
				  origin, s);
	}
	if (jsonfile_unique_keys(m, origin, l->err)) {
		cJSON_Delete(m);
		return HC_EINPUT;
	}
	/* older LiteLLM versions wrote the usage's details in additional_usage_values alone */
	const char *base = "metadata.usage_object";
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "usage_object");
	if (!cJSON_IsObject(u)) {
		base = "metadata.additional_usage_values";
		u = cJSON_GetObjectItemCaseSensitive(m, "additional_usage_values");
	}
	int rc = usage_details(u, base, &c->usage, l->err) ||
		 import_call_metadata(c, cJSON_GetObjectItemCaseSensitive(m,
									   "spend_logs_metadata"),
				      l->err);
	cJSON_Delete(m);
	return rc ? hc_err_prefix(l->err, "%s: row %ld", l->path, l->row) : 0;
}

/* Counts a skipped row; what: why, as the CLI's "skipped N ..." says it. */
static void skip(struct lite *l, const char *what)
{
	if (l->st->skipped++ && strcmp(l->st->skipped_what, what))
		what = "rows that are not completions (call_type) or have no model";
	snprintf(l->st->skipped_what, sizeof(l->st->skipped_what), "%s", what);
}

/* The cache_hit column: 1 for a row LiteLLM answered from its response cache. */
static int cache_hit(struct lite *l, int *hit)
{
	const char *s = cell(l, C_CACHE_HIT);
	*hit = !strcmp(s, "True") || !strcmp(s, "true");
	if (*hit || !*s || !strcmp(s, "False") || !strcmp(s, "false") || !strcmp(s, "None"))
		return 0;
	return hc_err_set(l->err, HC_EINPUT, "%s: row %ld: cache_hit: got '%.30s'; allowed: "
			  "True, False, None or empty", l->path, l->row, s);
}

/*
 * A cache hit: LiteLLM answered from its own cache, calling no provider, and reports the
 * cached answer's usage (billed on the row that filled the cache): status "cache_hit", usage 0.
 */
static void unbilled(struct trace_llm_call *c)
{
	memset(&c->usage, 0, sizeof(c->usage));
	snprintf(c->status, sizeof(c->status), "cache_hit");
}

static int row(struct lite *l)
{
	const char *type = cell(l, C_CALL_TYPE);
	for (size_t i = 0; i < sizeof(skipped_types) / sizeof(skipped_types[0]); i++)
		if (strstr(type, skipped_types[i])) {
			skip(l, "rows that are not completions (call_type)");
			return 0;
		}
	if (!*cell(l, C_MODEL)) {
		skip(l, "rows without a model (MCP tool calls)");
		return 0;
	}
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	struct trace_llm_call *c = &rec.u.call;
	int hit;
	if (trace_set_str(c->model, cell(l, C_MODEL), "model", l->err) ||
	    trace_set_str(c->id, cell(l, C_ID), "request_id", l->err) ||
	    trace_set_str(c->provider, cell(l, C_PROVIDER), "custom_llm_provider", l->err) ||
	    trace_set_str(c->status, cell(l, C_STATUS), "status", l->err))
		return hc_err_prefix(l->err, "%s: row %ld", l->path, l->row);
	if (count_cell(l, C_PROMPT, &c->usage.input) ||
	    count_cell(l, C_COMPLETION, &c->usage.output) ||
	    time_cell(l, C_START, &c->start_time) || time_cell(l, C_END, &c->end_time) ||
	    metadata(l, c) || cache_hit(l, &hit))
		return HC_EINPUT;
	if (hit)
		unbilled(c);
	c->usage.calls = 1;
	c->has_usage = 1;
	c->batch = strstr(type, "batch") != NULL; /* a Batch API job's usage: batch rates */
	if (trace_writer_put(l->w, &rec, l->err))
		return hc_err_prefix(l->err, "%s: row %ld", l->path, l->row);
	return 0;
}

/* HC_EINPUT for the row being read, longer than a line may be. */
static int too_long(struct lite *l)
{
	return hc_err_set(l->err, HC_EINPUT, "%s: row %ld: longer than %zu MiB; allowed: rows "
			  "of at most %zu MiB", l->path, l->row + 1, LINES_MAX >> 20,
			  LINES_MAX >> 20);
}

static void on_row(int c, void *data)
{
	struct lite *l = data;
	(void)c;
	if (!l->rc && l->row_bytes > LINES_MAX)
		l->rc = too_long(l);
	if (!l->rc) {
		l->row++;
		l->rc = l->row == 1 ? header(l) : row(l);
	}
	for (size_t i = 0; i < l->n; i++)
		free(l->fields[i]);
	l->n = 0;
	l->row_bytes = 0;
}

/* libcsv's parse error in words: under CSV_STRICT it is a misplaced quote. */
static const char *csv_problem(int code)
{
	return code == CSV_EPARSE ? "a stray quote (inside an unquoted field, or text after a "
				    "closing quote); allowed: RFC 4180 CSV" : csv_strerror(code);
}

int import_litellm(const char *path, struct trace_writer *w, struct import_stats *st,
		   struct hc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return hc_err_set(err, errno == ENOENT ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open '%s': %s", path, strerror(errno));
	struct csv_parser p;
	struct lite l = { .path = path, .w = w, .st = st, .err = err };
	char buf[1 << 16];
	size_t n;
	/* Strict: a stray quote, or a quoted field still open at the end, is an error. */
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL | CSV_STRICT |
		     CSV_STRICT_FINI)) {
		fclose(f);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	/* libcsv grows a field's buffer by this much at a time (128 bytes by default): a long
	 * field costs LINES_MAX / blk reallocations */
	csv_set_blk_size(&p, (size_t)1 << 20);
	while (!l.rc && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, &l) != n && !l.rc)
			l.rc = hc_err_set(err, HC_EINPUT, "%s: row %ld: %s", path, l.row + 1,
					  csv_problem(csv_error(&p)));
		/* what the row holds so far: its fields, and the one libcsv is reading */
		if (!l.rc && l.row_bytes + p.entry_pos > LINES_MAX)
			l.rc = too_long(&l);
	}
	if (!l.rc && ferror(f))
		l.rc = hc_err_set(err, HC_ERUNTIME, "cannot read '%s'", path);
	if (!l.rc && csv_fini(&p, on_field, on_row, &l) && !l.rc)
		l.rc = hc_err_set(err, HC_EINPUT, "%s: row %ld: a quoted field is still open at "
				  "the end of the file; allowed: CSV whose quotes close", path,
				  l.row + 1);
	if (!l.rc && l.row == 0)
		l.rc = hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: a LiteLLM spend-log "
				  "CSV with a header row", path);
	else if (!l.rc && l.row == 1)
		l.rc = hc_err_set(err, HC_EINPUT, "%s: a header row and no spend-log rows; "
				  "allowed: a LiteLLM spend-log CSV with a row per request", path);
	csv_free(&p);
	for (size_t i = 0; i < l.n; i++)
		free(l.fields[i]);
	free(l.fields);
	fclose(f);
	return l.rc;
}
