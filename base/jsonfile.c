/* jsonfile: reading JSON documents with errors a person can act on. Contracts in jsonfile.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "base/utf8.h"

/* Inputs above this are refused rather than read into memory: no scenario or sheet is near it. */
#define JSONFILE_MAX_BYTES (256u << 20)

int jsonfile_read(const char *path, char **text, size_t *len, struct hc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return hc_err_set(err, errno == ENOENT ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fclose(f);
		return hc_err_set(err, HC_EINPUT, "'%s' is a directory; allowed: a file", path);
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1 || ferror(f))
			break;
		if (cap >= JSONFILE_MAX_BYTES) {
			free(buf);
			fclose(f);
			return hc_err_set(err, HC_EINPUT, "'%s' is larger than %u MiB", path,
					  JSONFILE_MAX_BYTES >> 20);
		}
		size_t more = array_capacity(cap, cap + 1, 0, 1);
		char *grown = more ? realloc(buf, more) : NULL;
		if (!grown) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap = more;
	}
	int failed = !buf || ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		return hc_err_set(err, HC_ERUNTIME, "cannot read '%s'", path);
	}
	buf[n] = '\0';
	*text = buf;
	if (len)
		*len = n;
	return 0;
}

static void line_and_column(const char *text, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

const char *jsonfile_nul_escape(const char *s, size_t len)
{
	const char *end = s + len, *p = s;
	/* memchr finds the first backslash of a run; skipping two bytes pairs the rest */
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && !memcmp(p + 1, "u0000", 5))
			return p;
		if (end - p <= 2)
			break;
		p += 2;
	}
	return NULL;
}

struct key_at {
	const char *key;
	size_t pos;
};

static int key_at_cmp(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Above this many members, sorting the keys beats comparing every pair. */
#define JSONFILE_PAIRWISE_MAX 16

/* The large case of jsonfile_duplicate_key: the keys sorted, equal neighbours compared. */
static const cJSON *duplicate_sorted(const cJSON *obj, size_t n)
{
	struct key_at *keys = malloc(n * sizeof(*keys));
	const cJSON *c, *dup = NULL;
	size_t i = 0, first = n;
	if (!keys)
		return NULL;
	for (c = obj->child; c; c = c->next, i++)
		keys[i] = (struct key_at){ c->string ? c->string : "", i };
	qsort(keys, n, sizeof(*keys), key_at_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(keys[i].key, keys[i - 1].key) && keys[i].pos < first)
			first = keys[i].pos;
	free(keys);
	for (c = obj->child, i = 0; c && first < n; c = c->next, i++)
		if (i == first)
			dup = c;
	return dup;
}

const cJSON *jsonfile_duplicate_key(const cJSON *obj)
{
	size_t n = 0;
	const cJSON *c, *d;
	if (!cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c; c = c->next)
		n++;
	if (n > JSONFILE_PAIRWISE_MAX)
		return duplicate_sorted(obj, n);
	for (c = obj->child; c; c = c->next)
		for (d = obj->child; d != c; d = d->next)
			if (c->string && d->string && !strcmp(c->string, d->string))
				return c;
	return NULL;
}

/* The walk of jsonfile_unique_keys; path holds the JSON path of v (used bytes in len). */
static int unique_keys_walk(const cJSON *v, char *path, size_t size, size_t len,
			    const char *origin, struct hc_err *err)
{
	const cJSON *dup = jsonfile_duplicate_key(v), *c;
	size_t i = 0;
	if (dup)
		return hc_err_set(err, HC_EINPUT, "%s: %s%s%s: given twice; allowed: each key "
				  "once", origin, path, len ? "." : "", dup->string);
	for (c = v ? v->child : NULL; c; c = c->next, i++) {
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		if (cJSON_IsObject(v))
			snprintf(path + len, size - len, "%s%s", len ? "." : "", c->string);
		else
			snprintf(path + len, size - len, "[%zu]", i);
		size_t used = strlen(path);
		int rc = unique_keys_walk(c, path, size, used, origin, err);
		path[len] = '\0';
		if (rc)
			return rc;
	}
	return 0;
}

int jsonfile_unique_keys(const cJSON *root, const char *origin, struct hc_err *err)
{
	char path[256] = "";
	return unique_keys_walk(root, path, sizeof(path), 0, origin, err);
}

/* The checks cJSON does not make on the raw text: NUL bytes, blank text, UTF-8, \u0000. */
static int raw_check(const char *text, size_t len, const char *origin, struct hc_err *err)
{
	int line, col;
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		/* cJSON would stop there and take what follows for the end of the text. */
		line_and_column(text, nul, &line, &col);
		return hc_err_set(err, HC_EINPUT, "%s:%d:%d: a NUL byte; allowed: UTF-8 text",
				  origin, line, col);
	}
	if (text[strspn(text, " \t\r\n")] == '\0')
		return hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: a JSON document",
				  origin);
	const char *bad = utf8_invalid(text, len);
	if (bad) {
		line_and_column(text, bad, &line, &col);
		return hc_err_set(err, HC_EINPUT, "%s:%d:%d: not UTF-8 text", origin, line, col);
	}
	bad = jsonfile_nul_escape(text, len);
	if (bad) {
		line_and_column(text, bad, &line, &col);
		return hc_err_set(err, HC_EINPUT, "%s:%d:%d: \\u0000 (a NUL character) in a "
				  "string; allowed: strings without NUL", origin, line, col);
	}
	return 0;
}

cJSON *jsonfile_parse(const char *text, size_t len, const char *origin, struct hc_err *err)
{
	int line, col;
	if (raw_check(text, len, origin, err))
		return NULL;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	if (root && jsonfile_unique_keys(root, origin, err)) {
		cJSON_Delete(root);
		return NULL;
	}
	if (root)
		return root;
	if (!end || end < text)
		end = text;
	line_and_column(text, end, &line, &col);
	if (!*end)
		hc_err_set(err, HC_EINPUT, "%s:%d:%d: malformed JSON: the text ends too early",
			   origin, line, col);
	else
		hc_err_set(err, HC_EINPUT, "%s:%d:%d: malformed JSON near '%.20s'", origin, line,
			   col, end);
	return NULL;
}

cJSON *jsonfile_load(const char *path, struct hc_err *err)
{
	char *text;
	size_t len;
	if (jsonfile_read(path, &text, &len, err))
		return NULL;
	cJSON *root = jsonfile_parse(text, len, path, err);
	free(text);
	return root;
}

const char *json_describe(const cJSON *v, char *buf, size_t size)
{
	if (!v) {
		snprintf(buf, size, "nothing");
		return buf;
	}
	/* cJSON prints an overflowed number (1e999) as null, which hides the mistake */
	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
		snprintf(buf, size, "a number too large to represent (%s)",
			 v->valuedouble < 0 ? "-inf" : "inf");
		return buf;
	}
	char *s = cJSON_PrintUnformatted(v);
	if (!s) {
		snprintf(buf, size, "%s", json_type_name(v));
		return buf;
	}
	if (strlen(s) > 60)
		snprintf(buf, size, "%.57s...", s);
	else
		snprintf(buf, size, "%s", s);
	free(s);
	return buf;
}

const char *json_type_name(const cJSON *v)
{
	if (!v)
		return "nothing";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

int json_number(const cJSON *obj, const char *key, double min, double max, int required,
		double *out, const char *origin, const char *path, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char got[80];
	*out = NAN;
	if (!v && !required)
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < min ||
	    v->valuedouble > max)
		return hc_err_set(err, HC_EINPUT, "%s: %s%s%s: got %s; allowed: a number from %g to "
				  "%g", origin, path, *path ? "." : "", key,
				  json_describe(v, got, sizeof(got)), min, max);
	*out = v->valuedouble;
	return 0;
}

int json_string(const cJSON *obj, const char *key, char *dst, size_t size, int required,
		const char *origin, const char *path, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char got[80];
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= size)
		return hc_err_set(err, HC_EINPUT, "%s: %s%s%s: got %s; allowed: a non-empty string "
				  "of at most %zu characters", origin, path, *path ? "." : "", key,
				  json_describe(v, got, sizeof(got)), size - 1);
	strcpy(dst, v->valuestring);
	return 0;
}

const cJSON *json_get(const cJSON *root, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

double json_get_num(const cJSON *root, const char *a, const char *b)
{
	const cJSON *v = json_get(root, a, b);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *json_get_str(const cJSON *root, const char *a, const char *b)
{
	const cJSON *v = json_get(root, a, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}
