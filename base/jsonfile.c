/* jsonfile: reading JSON documents with errors a person can act on. Contracts in jsonfile.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "base/jsonfile.h"

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
		char *grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap *= 2;
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

/*
 * Returns the first byte that is not part of well-formed UTF-8 (Unicode Table 3-7), or NULL.
 * The second byte's range rules out overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF).
 */
const char *jsonfile_utf8_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		uint64_t word;
		/* ASCII, the common case, eight bytes at a time: no byte with its high bit set */
		if (end - p >= 8 && (memcpy(&word, p, 8), !(word & 0x8080808080808080u))) {
			p += 8;
			continue;
		}
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c >> 4) == 0xe ? 3 :
			   c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!n || (size_t)(end - p) < n)
			return (const char *)p;
		unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (n > 1 && (p[1] < lo || p[1] > hi))
			return (const char *)p;
		for (size_t i = 2; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
		p += n;
	}
	return NULL;
}

cJSON *jsonfile_parse(const char *text, size_t len, const char *origin, struct hc_err *err)
{
	int line, col;
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		/* cJSON would stop there and take what follows for the end of the text. */
		line_and_column(text, nul, &line, &col);
		hc_err_set(err, HC_EINPUT, "%s:%d:%d: a NUL byte; allowed: UTF-8 text", origin,
			   line, col);
		return NULL;
	}
	if (text[strspn(text, " \t\r\n")] == '\0') {
		hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: a JSON document", origin);
		return NULL;
	}
	const char *bad = jsonfile_utf8_invalid(text, len);
	if (bad) {
		line_and_column(text, bad, &line, &col);
		hc_err_set(err, HC_EINPUT, "%s:%d:%d: not UTF-8 text", origin, line, col);
		return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
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
