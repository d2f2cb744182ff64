/*
 * import: the table of importers and what they share. See import.h.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/civil.h"
#include "base/jsonfile.h"
#include "base/lines.h"
#include "base/utf8.h"
#include "import/import.h"

static const struct import_kind kinds[] = {
	{ "dgm", "a DGM or DGM-H directory: a run's output or one evaluation", import_dgm },
	{ "openai", "JSON Lines of OpenAI Chat Completions or Responses bodies", import_openai },
	{ "anthropic", "JSON Lines of Anthropic Messages bodies", import_anthropic },
	{ "otel", "OTLP/JSON span exports with gen_ai.* attributes", import_otel },
	{ "litellm", "LiteLLM spend logs as CSV (LiteLLM_SpendLogs columns)", import_litellm },
};

const struct import_kind *import_kinds(size_t *n_kinds)
{
	*n_kinds = sizeof(kinds) / sizeof(kinds[0]);
	return kinds;
}

const struct import_kind *import_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

static int digits(const char **p, int n, long *out)
{
	long v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int import_time_parse(const char *text, double *out)
{
	const char *p = text;
	long y, mo, d, h, mi, s, zh = 0, zm = 0;
	double frac = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d) || (*p != 'T' && *p != ' ') || !*p++ || digits(&p, 2, &h) ||
	    *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &s))
		return HC_EINPUT;
	if (mo < 1 || mo > 12 || d < 1 || d > civil_month_days(y, mo) || h > 23 || mi > 59 || s > 60)
		return HC_EINPUT;
	if (*p == '.') {
		double scale = 0.1;
		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &zh))
			return HC_EINPUT;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &zm))
			return HC_EINPUT;
		if (zh > 23 || zm > 59)
			return HC_EINPUT;
		zh *= sign;
		zm *= sign;
	}
	if (*p)
		return HC_EINPUT;
	*out = (double)civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s + frac -
	       (double)(zh * 3600 + zm * 60);
	return 0;
}

/* One line's object, or NULL with err set: UTF-8, no \u0000, a JSON object, each key once. */
static cJSON *json_line(const char *path, long line, const char *text, size_t n,
			struct hc_err *err)
{
	const char *bad = utf8_invalid(text, n);
	if (bad) {
		hc_err_set(err, HC_EINPUT, "%s:%ld:%ld: not UTF-8 text; allowed: one JSON object "
			   "per line", path, line, (long)(bad - text) + 1);
		return NULL;
	}
	if ((bad = jsonfile_nul_escape(text, n)) != NULL) {
		hc_err_set(err, HC_EINPUT, "%s:%ld:%ld: \\u0000 (a NUL character) in a string; "
			   "allowed: strings without NUL", path, line, (long)(bad - text) + 1);
		return NULL;
	}
	cJSON *o = cJSON_ParseWithLength(text, n);
	char origin[320];
	snprintf(origin, sizeof(origin), "%.280s:%ld", path, line);
	if (!cJSON_IsObject(o))
		hc_err_set(err, HC_EINPUT, "%s: got '%.40s'; allowed: one JSON object per line",
			   origin, text);
	else if (!jsonfile_unique_keys(o, origin, err))
		return o;
	cJSON_Delete(o);
	return NULL;
}

int import_json_lines(const char *path, import_line_fn fn, struct trace_writer *w,
		      struct import_stats *st, struct hc_err *err)
{
	struct lines lines;
	char *text;
	size_t n;
	long objects = 0;
	int complete;
	int rc = lines_open(&lines, path, LINES_MAX, err);
	if (rc)
		return rc;
	while ((rc = lines_next(&lines, &text, &n, &complete, err)) == 1) {
		if (text[strspn(text, " \t\r")] == '\0')
			continue;
		objects++;
		cJSON *o = json_line(path, lines.line, text, n, err);
		rc = o ? fn(o, path, lines.line, w, st, err) : HC_EINPUT;
		cJSON_Delete(o);
		if (rc)
			break;
	}
	if (!rc && !objects)
		rc = hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: JSON Lines, one object "
				"per line", path);
	lines_release(&lines);
	return rc;
}

int import_call_metadata(struct trace_llm_call *c, const cJSON *meta, struct hc_err *err)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{ "run", offsetof(struct trace_llm_call, run) },
		{ "node", offsetof(struct trace_llm_call, node) },
		{ "parent", offsetof(struct trace_llm_call, parent) },
		{ "role", offsetof(struct trace_llm_call, role) },
		{ "domain", offsetof(struct trace_llm_call, domain) },
		{ "task", offsetof(struct trace_llm_call, task) },
	};
	if (!cJSON_IsObject(meta))
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, keys[i].key);
		if (cJSON_IsString(v) &&
		    trace_set_str((char *)c + keys[i].offset, v->valuestring, keys[i].key, err))
			return hc_err_prefix(err, "metadata");
	}
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(meta, "iteration");
	if (it) {
		char *end = NULL;
		double v = cJSON_IsNumber(it) ? it->valuedouble :
			   cJSON_IsString(it) ? strtod(it->valuestring, &end) : -1;
		if ((end && (end == it->valuestring || *end)) || v < 0 || v > 1e9 || v != (long)v)
			return hc_err_set(err, HC_EINPUT, "metadata.iteration: got %s; allowed: a "
					  "whole number >= 0 (or its decimal string)",
					  cJSON_IsString(it) ? it->valuestring : "a non-number");
		c->iteration = (long)v;
	}
	return 0;
}

int import_count(const cJSON *obj, const char *what, const char *key, int64_t *out,
		 struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble) {
		char got[80];
		return hc_err_set(err, HC_EINPUT, "%s.%s: got %s; allowed: a whole number >= 0",
				  what, key, json_describe(v, got, sizeof(got)));
	}
	*out = (int64_t)v->valuedouble;
	return 0;
}
