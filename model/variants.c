/* variants: a variants file for compare. Contracts in variants.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsonfile.h"
#include "model/assignment.h"
#include "model/variants.h"

static int bad(struct hc_err *err, const struct variants_file *f, const char *where,
	       const cJSON *v, const char *allowed)
{
	char got[80];
	return hc_err_set(err, HC_EINPUT, "%s: %s: got %s; allowed: %s", f->origin, where,
			  json_describe(v, got, sizeof(got)), allowed);
}

static int load_name(struct variants_file *f, size_t i, const cJSON *name, struct hc_err *err)
{
	char where[32];
	snprintf(where, sizeof(where), "[%zu].name", i);
	if (!cJSON_IsString(name) || !name->valuestring[0] ||
	    strlen(name->valuestring) > VARIANT_NAME_MAX)
		return bad(err, f, where, name, "a name of 1 to 64 characters");
	for (size_t k = 0; k < i; k++)
		if (!strcmp(f->v[k].name, name->valuestring))
			return hc_err_set(err, HC_EINPUT, "%s: %s: got \"%s\", the name of [%zu]; "
					  "allowed: a name no other variant has", f->origin, where,
					  name->valuestring, k);
	f->v[i].name = name->valuestring;
	return 0;
}

static int load_sets(struct variants_file *f, size_t i, const cJSON *set, struct hc_err *err)
{
	char where[300];
	snprintf(where, sizeof(where), "[%zu].set", i);
	if (!cJSON_IsObject(set))
		return bad(err, f, where, set, "an object of scenario paths and values, e.g. "
			   "{\"costs.retention_months\": 12}");
	struct variant_spec *v = &f->v[i];
	v->sets = calloc((size_t)cJSON_GetArraySize(set) + 1, sizeof(*v->sets));
	if (!v->sets)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	const cJSON *item;
	cJSON_ArrayForEach(item, set) {
		snprintf(where, sizeof(where), "[%zu].set.%s", i, item->string);
		if (assignment_check_path(f->origin, where, item->string, err))
			return HC_EINPUT;
		v->sets[v->n_sets] = assignment_text(item->string, item);
		if (!v->sets[v->n_sets++])
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	return 0;
}

static int load_variant(struct variants_file *f, size_t i, const cJSON *item,
			struct hc_err *err)
{
	char where[300];
	snprintf(where, sizeof(where), "[%zu]", i);
	if (!cJSON_IsObject(item))
		return bad(err, f, where, item, "an object with name and set");
	int rc = load_name(f, i, cJSON_GetObjectItemCaseSensitive(item, "name"), err);
	const cJSON *key;
	cJSON_ArrayForEach(key, item) {
		if (rc)
			return rc;
		if (!strcmp(key->string, "set"))
			rc = load_sets(f, i, key, err);
		else if (strcmp(key->string, "name") && key->string[0] != '_')
			rc = hc_err_set(err, HC_EINPUT, "%s: [%zu].%s: unknown key; allowed: name, "
					"set (and comments: keys starting with _)", f->origin, i,
					key->string);
	}
	return rc;
}

static int load_list(struct variants_file *f, size_t max, struct hc_err *err)
{
	size_t n = cJSON_IsArray(f->root) ? (size_t)cJSON_GetArraySize(f->root) : 0;
	if (!n || n > max) {
		char allowed[80];
		snprintf(allowed, sizeof(allowed), "a list of 1 to %zu variants, each {\"name\": "
			 "..., \"set\": {...}}", max);
		return bad(err, f, "the top level", f->root, allowed);
	}
	f->v = calloc(n, sizeof(*f->v));
	if (!f->v)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		int rc = load_variant(f, i, cJSON_GetArrayItem(f->root, (int)i), err);
		if (rc)
			return rc;
	}
	return 0;
}

int variants_file_load(struct variants_file *f, const char *path, size_t max,
		       struct hc_err *err)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->origin, sizeof(f->origin), "%s", path);
	f->root = jsonfile_load(path, err);
	if (!f->root)
		return err ? err->code : HC_EINPUT;
	int rc = load_list(f, max, err);
	if (rc)
		variants_file_release(f);
	return rc;
}

void variants_file_release(struct variants_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->v[i].n_sets; k++)
			free(f->v[i].sets[k]);
		free(f->v[i].sets);
	}
	free(f->v);
	cJSON_Delete(f->root);
	memset(f, 0, sizeof(*f));
}
