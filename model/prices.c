#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "model/embedded.h"
#include "model/jsonfile.h"
#include "model/prices.h"
#include "model/textdist.h"

#define PRICE_MAX_RATE 1e6 /* USD per 1M tokens; anything above is a unit mistake */

static int rate_field(const cJSON *m, const char *key, double *out, const char *origin,
		      size_t i, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	*out = NAN;
	if (!v || cJSON_IsNull(v))
		return 0;
	char got[80];
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > PRICE_MAX_RATE)
		return hc_err_set(err, HC_EINPUT,
				  "%s: models[%zu].%s: bad rate: got %s; allowed: a number of USD "
				  "per 1M tokens from 0 to %g", origin, i, key,
				  json_describe(v, got, sizeof(got)), PRICE_MAX_RATE);
	*out = v->valuedouble;
	return 0;
}

static int string_field(const cJSON *obj, const char *key, char *dst, size_t size,
			const char *origin, const char *path, int required, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char got[80];
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= size)
		return hc_err_set(err, HC_EINPUT,
				  "%s: %s%s: got %s; allowed: a non-empty string of at most %zu "
				  "characters", origin, path, key, json_describe(v, got, sizeof(got)),
				  size - 1);
	strcpy(dst, v->valuestring);
	return 0;
}

static int parse_aliases(struct price *p, const cJSON *m, const char *origin, size_t i,
			 struct hc_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(m, "aliases");
	if (!list)
		return 0;
	if (!cJSON_IsArray(list))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu].aliases: got %s; allowed: an "
				  "array of strings", origin, i, json_type_name(list));
	size_t n = (size_t)cJSON_GetArraySize(list);
	p->aliases = calloc(n ? n : 1, sizeof(*p->aliases));
	if (!p->aliases)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		if (!cJSON_IsString(a))
			return hc_err_set(err, HC_EINPUT, "%s: models[%zu].aliases[%zu]: got %s; "
					  "allowed: a string", origin, i, p->n_aliases,
					  json_type_name(a));
		p->aliases[p->n_aliases] = strdup(a->valuestring);
		if (!p->aliases[p->n_aliases++])
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	return 0;
}

static int parse_model(struct price *p, const cJSON *m, const char *origin, size_t i,
		       struct hc_err *err)
{
	char path[48];
	snprintf(path, sizeof(path), "models[%zu].", i);
	if (!cJSON_IsObject(m))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu]: got %s; allowed: an object",
				  origin, i, json_type_name(m));
	if (string_field(m, "name", p->name, sizeof(p->name), origin, path, 1, err) ||
	    string_field(m, "provider", p->provider, sizeof(p->provider), origin, path, 0, err) ||
	    parse_aliases(p, m, origin, i, err) ||
	    rate_field(m, "input", &p->input, origin, i, err) ||
	    rate_field(m, "output", &p->output, origin, i, err) ||
	    rate_field(m, "cache_read", &p->cache_read, origin, i, err) ||
	    rate_field(m, "cache_write", &p->cache_write, origin, i, err))
		return err ? err->code : HC_EINPUT;
	if (isnan(p->input) || isnan(p->output))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu] ('%s'): input and output rates "
				  "are required", origin, i, p->name);
	return 0;
}

static int parse_sheet(struct price_sheet *ps, const cJSON *root, const char *origin,
		       struct hc_err *err)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "hypercap_prices");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(version))
		return hc_err_set(err, HC_EINPUT, "%s: not a hypercap price sheet: the key "
				  "\"hypercap_prices\" is missing", origin);
	if (version->valuedouble != 1)
		return hc_err_set(err, HC_EINPUT, "%s: hypercap_prices: got %g; allowed: 1 (this "
				  "version reads sheets of format 1)", origin, version->valuedouble);
	if (string_field(root, "date", ps->date, sizeof(ps->date), origin, "", 1, err) ||
	    string_field(root, "source", ps->source, sizeof(ps->source), origin, "", 1, err))
		return err ? err->code : HC_EINPUT;
	const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
	if (!cJSON_IsArray(models) || cJSON_GetArraySize(models) == 0)
		return hc_err_set(err, HC_EINPUT, "%s: models: got %s; allowed: a non-empty array",
				  origin, json_type_name(models));
	ps->models = calloc((size_t)cJSON_GetArraySize(models), sizeof(*ps->models));
	if (!ps->models)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	const cJSON *m;
	cJSON_ArrayForEach(m, models) {
		struct price *p = &ps->models[ps->n_models++];
		int rc = parse_model(p, m, origin, ps->n_models - 1, err);
		if (rc)
			return rc;
		if (price_sheet_find(ps, p->name) != p)
			return hc_err_set(err, HC_EINPUT, "%s: models[%zu]: the name '%s' is given "
					  "twice", origin, ps->n_models - 1, p->name);
	}
	return 0;
}

int price_sheet_parse(struct price_sheet *ps, const char *text, size_t len, const char *origin,
		      struct hc_err *err)
{
	memset(ps, 0, sizeof(*ps));
	snprintf(ps->origin, sizeof(ps->origin), "%s", origin);
	cJSON *root = jsonfile_parse(text, len, origin, err);
	if (!root)
		return HC_EINPUT;
	int rc = parse_sheet(ps, root, origin, err);
	cJSON_Delete(root);
	if (rc)
		price_sheet_release(ps);
	return rc;
}

int price_sheet_load(struct price_sheet *ps, const char *path, struct hc_err *err)
{
	if (!path) {
		const struct embedded_file *f = embedded_find(EMBEDDED_PRICES);
		return price_sheet_parse(ps, f->data, f->len, "embedded:" EMBEDDED_PRICES, err);
	}
	char *text;
	size_t len;
	int rc = jsonfile_read(path, &text, &len, err);
	if (rc)
		return rc;
	rc = price_sheet_parse(ps, text, len, path, err);
	free(text);
	return rc;
}

void price_sheet_release(struct price_sheet *ps)
{
	for (size_t i = 0; i < ps->n_models; i++) {
		for (size_t j = 0; j < ps->models[i].n_aliases; j++)
			free(ps->models[i].aliases[j]);
		free(ps->models[i].aliases);
	}
	free(ps->models);
	ps->models = NULL;
	ps->n_models = 0;
}

const struct price *price_sheet_find(const struct price_sheet *ps, const char *name)
{
	for (size_t i = 0; i < ps->n_models; i++) {
		const struct price *p = &ps->models[i];
		if (!strcasecmp(p->name, name))
			return p;
		for (size_t j = 0; j < p->n_aliases; j++)
			if (!strcasecmp(p->aliases[j], name))
				return p;
	}
	return NULL;
}

void price_sheet_suggest(const struct price_sheet *ps, const char *name, char *buf, size_t size)
{
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < ps->n_models && n < 64; i++)
		names[n++] = ps->models[i].name;
	textdist_suggest(name, names, n, buf, size);
}

double price_cost(const struct price *p, const struct usage *u)
{
	double plain = (double)(u->input - u->cache_read - u->cache_write);
	double usd = plain * p->input + (double)u->output * p->output;
	if (u->cache_read)
		usd += (double)u->cache_read * p->cache_read;
	if (u->cache_write)
		usd += (double)u->cache_write * p->cache_write;
	return usd / 1e6;
}
