/*
 * variants: a variants file for compare (docs/compare.md), a JSON list of variants
 *
 *   [{"name": "keep-a-year", "set": {"costs.retention_months": 12}},
 *    {"name": "no-cache", "set": {"self_modification.caching": "off"}}]
 *
 * each a unique non-empty name and an optional object of assignments (paths and values as
 * a sweep grid's "set"); keys starting with _ are comments.
 *
 * Ownership: struct variants_file owns its JSON tree and strings; names and assignments it
 * hands out live until variants_file_release.
 */
#ifndef MODEL_VARIANTS_H
#define MODEL_VARIANTS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

#define VARIANT_NAME_MAX 64

struct variant_spec {
	const char *name;
	char **sets;            /* "path=value", in the file's order */
	size_t n_sets;
};

struct variants_file {
	char origin[300];       /* the file, for messages */
	cJSON *root;
	struct variant_spec *v;
	size_t n;
};

/*
 * Reads and checks the file's shape: at most max variants, names unique, paths as --set
 * takes them. Whether the scenario takes the assignments is the caller's check. Bad input:
 * HC_EINPUT with "<file>:<line>:<col>" or "<file>: [<i>].<key>: got ...; allowed: ...".
 */
int variants_file_load(struct variants_file *f, const char *path, size_t max,
		       struct hc_err *err);
void variants_file_release(struct variants_file *f);

#endif
