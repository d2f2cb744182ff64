/*
 * jsonfile: reading JSON documents with errors a person can act on.
 *
 * Every input file hypercap reads (scenarios, price sheets, GPU sheets) goes through here, so
 * every message has one shape: "<origin>:<line>:<column>: ..." for syntax errors and
 * "<origin>: <json.path>: ..." for bad values (see json_describe for how a value is quoted).
 */
#ifndef BASE_JSONFILE_H
#define BASE_JSONFILE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

/*
 * Reads a whole file into a NUL-terminated buffer the caller frees. HC_EINPUT when missing,
 * a directory or larger than 256 MiB.
 */
int jsonfile_read(const char *path, char **text, size_t *len, struct hc_err *err);

/*
 * Parses text, len bytes followed by a NUL (text[len] == '\0', as jsonfile_read and the embedded
 * files give it); origin names it in messages (a path, or "embedded:NAME"). Rejects malformed JSON,
 * trailing garbage, NUL bytes, text that is not UTF-8 and strings holding an escaped NUL
 * (\u0000), naming the line and column, an empty (or blank) text as an empty file, and a key
 * given twice in one object, naming its JSON path. Returns the tree (caller deletes) or NULL
 * with err set to HC_EINPUT.
 */
cJSON *jsonfile_parse(const char *text, size_t len, const char *origin, struct hc_err *err);

/*
 * The first escaped NUL (the six bytes \u0000) in the JSON text s[0..len), or NULL. cJSON ends a
 * string there ("gpt-4o\u0000evil" reads as "gpt-4o"), so every JSON input refuses it. An
 * escape is a backslash that follows an even number of backslashes: "\\u0000" is a backslash
 * and the text u0000.
 */
const char *jsonfile_nul_escape(const char *s, size_t len);

/*
 * The first member of the object obj (its own members, not nested ones) whose key an earlier
 * member already has, or NULL. cJSON keeps both and its lookups take the first, silently.
 */
const cJSON *jsonfile_duplicate_key(const cJSON *obj);

/*
 * Checks every object of the tree for a key given twice: HC_EINPUT "<origin>: <json.path>:
 * given twice; allowed: each key once" for the first found, else 0.
 */
int jsonfile_unique_keys(const cJSON *root, const char *origin, struct hc_err *err);

/* Reads and parses a file in one step. */
cJSON *jsonfile_load(const char *path, struct hc_err *err);

/* Writes a short rendering of v into buf for messages (strings quoted, long values cut). */
const char *json_describe(const cJSON *v, char *buf, size_t size);

/*
 * Reads obj[key] as a finite number in [min, max] into *out. When the key is absent: 0 and
 * *out = NAN if optional, else HC_EINPUT. Messages read "<origin>: <path>.<key>: got ...;
 * allowed: ...". path may be "" for the top level.
 */
int json_number(const cJSON *obj, const char *key, double min, double max, int required,
		double *out, const char *origin, const char *path, struct hc_err *err);

/* Reads obj[key] as a string of 1 to size - 1 bytes into dst (required unless optional). */
int json_string(const cJSON *obj, const char *key, char *dst, size_t size, int required,
		const char *origin, const char *path, struct hc_err *err);

/* "a number", "a string", "an object", ... */
const char *json_type_name(const cJSON *v);

/*
 * Lookups that judge nothing, for reading back what hypercap wrote itself (summary.json in
 * the plots and report.html): root[a], or root[a][b] when b is not NULL; NULL when a key is
 * absent (root may be NULL).
 */
const cJSON *json_get(const cJSON *root, const char *a, const char *b);

/* json_get's value as a number; NAN when absent or not a number. */
double json_get_num(const cJSON *root, const char *a, const char *b);

/* json_get's value as a string; NULL when absent or not a string. */
const char *json_get_str(const cJSON *root, const char *a, const char *b);

#endif
