/* prices: dated API price sheets, model lookup and the cost of one call. Contracts in prices.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/atomicfile.h"
#include "base/jsonfile.h"
#include "model/embedded.h"
#include "model/prices.h"
#include "model/textdist.h"

#define PRICE_MAX_RATE 1e6   /* USD per 1M tokens; anything above is a unit mistake */
#define PRICE_MAX_TOKENS 1e9 /* a context window; anything above is a mistake */

const long price_tier_tokens[PRICE_N_TIERS] = { 128000, 200000, 256000, 272000, 512000 };

#define TFIELD(key, litellm, label, member, is_rate, tier) \
	{ key, litellm, label, offsetof(struct price, member), is_rate, tier }
#define FIELD(key, litellm, label, member, is_rate) \
	TFIELD(key, litellm, label, member, is_rate, -1)
/* The five rates of tier t, above n thousand tokens: LiteLLM's *_above_<n>k_tokens keys. */
#define TIER_FIELDS(n, t) \
	TFIELD("input_above_" #n "k", "input_cost_per_token_above_" #n "k_tokens", \
	       "input above " #n "k", input_above_##n##k, 1, t), \
	TFIELD("output_above_" #n "k", "output_cost_per_token_above_" #n "k_tokens", \
	       "output above " #n "k", output_above_##n##k, 1, t), \
	TFIELD("cache_read_above_" #n "k", "cache_read_input_token_cost_above_" #n "k_tokens", \
	       "cache read above " #n "k", cache_read_above_##n##k, 1, t), \
	TFIELD("cache_write_above_" #n "k", \
	       "cache_creation_input_token_cost_above_" #n "k_tokens", \
	       "cache write (5 min) above " #n "k", cache_write_above_##n##k, 1, t), \
	TFIELD("cache_write_1h_above_" #n "k", \
	       "cache_creation_input_token_cost_above_1hr_above_" #n "k_tokens", \
	       "cache write (1 h) above " #n "k", cache_write_1h_above_##n##k, 1, t)
const struct price_field price_fields[] = {
	FIELD("input", "input_cost_per_token", "input", input, 1),
	FIELD("output", "output_cost_per_token", "output", output, 1),
	FIELD("cache_read", "cache_read_input_token_cost", "cache read", cache_read, 1),
	FIELD("cache_write", "cache_creation_input_token_cost", "cache write (5 min)", cache_write,
	      1),
	FIELD("cache_write_1h", "cache_creation_input_token_cost_above_1hr", "cache write (1 h)",
	      cache_write_1h, 1),
	TIER_FIELDS(200, 1),
	FIELD("batch_input", "input_cost_per_token_batches", "batch input", batch_input, 1),
	FIELD("batch_output", "output_cost_per_token_batches", "batch output", batch_output, 1),
	FIELD("max_input_tokens", "max_input_tokens", "max input tokens", max_input_tokens, 0),
	FIELD("reasoning_output", "output_cost_per_reasoning_token", "reasoning output",
	      reasoning_output, 1),
	TIER_FIELDS(128, 0),
	TIER_FIELDS(256, 2),
	TIER_FIELDS(272, 3),
	TIER_FIELDS(512, 4),
	FIELD("flex_input", "input_cost_per_token_flex", "flex input", flex_input, 1),
	FIELD("flex_output", "output_cost_per_token_flex", "flex output", flex_output, 1),
	FIELD("flex_cache_read", "cache_read_input_token_cost_flex", "flex cache read",
	      flex_cache_read, 1),
	FIELD("flex_cache_write", "cache_creation_input_token_cost_flex",
	      "flex cache write (5 min)", flex_cache_write, 1),
	FIELD("priority_input", "input_cost_per_token_priority", "priority input", priority_input,
	      1),
	FIELD("priority_output", "output_cost_per_token_priority", "priority output",
	      priority_output, 1),
	FIELD("priority_cache_read", "cache_read_input_token_cost_priority", "priority cache read",
	      priority_cache_read, 1),
	FIELD("priority_cache_write", "cache_creation_input_token_cost_priority",
	      "priority cache write (5 min)", priority_cache_write, 1),
	TFIELD("priority_input_above_200k", "input_cost_per_token_above_200k_tokens_priority",
	       "priority input above 200k", priority_input_above_200k, 1, 1),
	TFIELD("priority_output_above_200k", "output_cost_per_token_above_200k_tokens_priority",
	       "priority output above 200k", priority_output_above_200k, 1, 1),
	TFIELD("priority_cache_read_above_200k",
	       "cache_read_input_token_cost_above_200k_tokens_priority",
	       "priority cache read above 200k", priority_cache_read_above_200k, 1, 1),
	TFIELD("priority_input_above_272k", "input_cost_per_token_above_272k_tokens_priority",
	       "priority input above 272k", priority_input_above_272k, 1, 3),
	TFIELD("priority_output_above_272k", "output_cost_per_token_above_272k_tokens_priority",
	       "priority output above 272k", priority_output_above_272k, 1, 3),
	TFIELD("priority_cache_read_above_272k",
	       "cache_read_input_token_cost_above_272k_tokens_priority",
	       "priority cache read above 272k", priority_cache_read_above_272k, 1, 3),
	{ NULL, NULL, NULL, 0, 0, -1 },
};

/* The rates of each tier, in the order of price_tier_tokens. */
#define TIER(n) { offsetof(struct price, input_above_##n##k), \
		  offsetof(struct price, output_above_##n##k), \
		  offsetof(struct price, cache_read_above_##n##k), \
		  offsetof(struct price, cache_write_above_##n##k), \
		  offsetof(struct price, cache_write_1h_above_##n##k) }
static const struct tier_offsets {
	size_t input, output, cache_read, cache_write, cache_write_1h;
} tiers[PRICE_N_TIERS] = { TIER(128), TIER(200), TIER(256), TIER(272), TIER(512) };
#undef TIER

/* The six terms of a call (price_call_cost's formula). */
enum { T_INPUT, T_CACHE_READ, T_CACHE_WRITE, T_CACHE_WRITE_1H, T_OUTPUT, T_REASONING, T_N };

/* A service tier's rate of a term, at a long-context tier (its index) or at none (-1). */
#define SERVICE(flag, term, tier, member) { flag, term, tier, offsetof(struct price, member) }
static const struct service_rate {
	unsigned flag;
	int term, tier;
	size_t offset;
} service_rates[] = {
	SERVICE(PRICE_FLEX, T_INPUT, -1, flex_input),
	SERVICE(PRICE_FLEX, T_OUTPUT, -1, flex_output),
	SERVICE(PRICE_FLEX, T_CACHE_READ, -1, flex_cache_read),
	SERVICE(PRICE_FLEX, T_CACHE_WRITE, -1, flex_cache_write),
	SERVICE(PRICE_PRIORITY, T_INPUT, -1, priority_input),
	SERVICE(PRICE_PRIORITY, T_OUTPUT, -1, priority_output),
	SERVICE(PRICE_PRIORITY, T_CACHE_READ, -1, priority_cache_read),
	SERVICE(PRICE_PRIORITY, T_CACHE_WRITE, -1, priority_cache_write),
	SERVICE(PRICE_PRIORITY, T_INPUT, 1, priority_input_above_200k),
	SERVICE(PRICE_PRIORITY, T_OUTPUT, 1, priority_output_above_200k),
	SERVICE(PRICE_PRIORITY, T_CACHE_READ, 1, priority_cache_read_above_200k),
	SERVICE(PRICE_PRIORITY, T_INPUT, 3, priority_input_above_272k),
	SERVICE(PRICE_PRIORITY, T_OUTPUT, 3, priority_output_above_272k),
	SERVICE(PRICE_PRIORITY, T_CACHE_READ, 3, priority_cache_read_above_272k),
};
#undef SERVICE
#undef TIER_FIELDS
#undef FIELD
#undef TFIELD

static double *field_ptr(struct price *p, const struct price_field *f)
{
	return (double *)(void *)((char *)p + f->offset);
}

static void price_init(struct price *p)
{
	memset(p, 0, sizeof(*p));
	for (const struct price_field *f = price_fields; f->key; f++)
		*field_ptr(p, f) = NAN;
}

/* The rates of a tiered_pricing row: key in hypercap's format, key in LiteLLM's. */
static const struct range_key {
	const char *key, *litellm;
	size_t offset;
} range_keys[] = {
	{ "input", "input_cost_per_token", offsetof(struct price_range, input) },
	{ "output", "output_cost_per_token", offsetof(struct price_range, output) },
	{ "cache_read", "cache_read_input_token_cost", offsetof(struct price_range, cache_read) },
	{ "cache_write", "cache_creation_input_token_cost",
	  offsetof(struct price_range, cache_write) },
	{ "cache_write_1h", "cache_creation_input_token_cost_above_1hr",
	  offsetof(struct price_range, cache_write_1h) },
	{ "reasoning_output", "output_cost_per_reasoning_token",
	  offsetof(struct price_range, reasoning_output) },
};
#define N_RANGE_KEYS (sizeof(range_keys) / sizeof(range_keys[0]))

static double *range_rate(struct price_range *r, const struct range_key *k)
{
	return (double *)(void *)((char *)r + k->offset);
}

static int same(double x, double y)
{
	return x == y || (isnan(x) && isnan(y));
}

int price_equal_rates(const struct price *a, const struct price *b)
{
	for (const struct price_field *f = price_fields; f->key; f++)
		if (!same(price_get(a, f), price_get(b, f)))
			return 0;
	if (a->n_ranges != b->n_ranges)
		return 0;
	for (size_t i = 0; i < a->n_ranges; i++) {
		struct price_range x = a->ranges[i], y = b->ranges[i];
		if (!same(x.above, y.above) || !same(x.upto, y.upto))
			return 0;
		for (size_t k = 0; k < N_RANGE_KEYS; k++)
			if (!same(*range_rate(&x, &range_keys[k]), *range_rate(&y, &range_keys[k])))
				return 0;
	}
	return 1;
}

/* Adds an alias unless p already answers to that name; 0 or HC_ERUNTIME. */
static int add_alias(struct price *p, const char *name, size_t len, enum price_match match)
{
	if (strlen(p->name) == len && !strncasecmp(p->name, name, len))
		return 0;
	for (size_t i = 0; i < p->n_aliases; i++)
		if (strlen(p->aliases[i].name) == len && !strncasecmp(p->aliases[i].name, name, len)) {
			if (match < p->aliases[i].match)
				p->aliases[i].match = match;
			return 0;
		}
	/* grow by powers of two: n_aliases is the size, the capacity the next power */
	size_t n = p->n_aliases;
	if ((n & (n - 1)) == 0) {
		struct price_alias *grown = realloc(p->aliases, (n ? 2 * n : 1) * sizeof(*grown));
		if (!grown)
			return HC_ERUNTIME;
		p->aliases = grown;
	}
	char *copy = strndup(name, len);
	if (!copy)
		return HC_ERUNTIME;
	p->aliases[n].name = copy;
	p->aliases[n].match = match;
	p->n_aliases++;
	return 0;
}

static void price_release(struct price *p)
{
	for (size_t j = 0; j < p->n_aliases; j++)
		free(p->aliases[j].name);
	free(p->aliases);
	p->aliases = NULL;
	p->n_aliases = 0;
}

/* ---- the lookup index ---------------------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const struct price_key *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);
	if (c)
		return c;
	if (x->match != y->match)
		return x->match < y->match ? -1 : 1;
	return x->model < y->model ? -1 : x->model > y->model;
}

static int build_index(struct price_sheet *ps)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n_models; i++)
		n += 1 + ps->models[i].n_aliases;
	ps->index = malloc((n ? n : 1) * sizeof(*ps->index));
	if (!ps->index)
		return HC_ERUNTIME;
	for (size_t i = 0; i < ps->n_models; i++) {
		const struct price *p = &ps->models[i];
		ps->index[ps->n_index++] = (struct price_key){ p->name, i, PRICE_MATCH_NAME };
		for (size_t j = 0; j < p->n_aliases; j++)
			ps->index[ps->n_index++] =
				(struct price_key){ p->aliases[j].name, i, p->aliases[j].match };
	}
	qsort(ps->index, ps->n_index, sizeof(*ps->index), key_cmp);
	return 0;
}

/* The first index entry whose name equals name (case-insensitively), or n_index. */
static size_t index_lower_bound(const struct price_sheet *ps, const char *name)
{
	size_t lo = 0, hi = ps->n_index;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcasecmp(ps->index[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* 1 when name is some model's name (not an alias). */
static int is_model_name(const struct price_sheet *ps, const char *name)
{
	size_t i = index_lower_bound(ps, name);
	return i < ps->n_index && !strcasecmp(ps->index[i].name, name) &&
	       ps->index[i].match == PRICE_MATCH_NAME;
}

/* ---- tiered_pricing tables ------------------------------------------------------------------ */

/*
 * LiteLLM rates are USD per token; per million they carry float noise (3e-06 x 1e6 =
 * 2.9999999999999996). Ten significant digits remove it, as scripts/make_price_sheet.py does,
 * so a rate read from LiteLLM equals the same rate in a hypercap sheet.
 */
static double per_million(double usd_per_token)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.10g", usd_per_token * 1e6);
	return strtod(buf, NULL);
}

static int range_cmp(const void *a, const void *b)
{
	const struct price_range *x = a, *y = b;
	return x->above < y->above ? -1 : x->above > y->above;
}

/* Row i of a tiered_pricing table: "range" [above, upto] and its rates (litellm: per token). */
static int parse_range(struct price_range *r, const cJSON *row, int litellm, const char *where,
		       size_t i, struct hc_err *err)
{
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(row, "range");
	const cJSON *lo = cJSON_GetArrayItem(range, 0), *hi = cJSON_GetArrayItem(range, 1);
	double max = litellm ? PRICE_MAX_RATE / 1e6 : PRICE_MAX_RATE;
	char got[80];
	if (!cJSON_IsObject(row) || !cJSON_IsArray(range) || cJSON_GetArraySize(range) != 2 ||
	    !cJSON_IsNumber(lo) ||
	    !cJSON_IsNumber(hi) || !(lo->valuedouble >= 0 && lo->valuedouble < hi->valuedouble &&
				     hi->valuedouble <= PRICE_MAX_TOKENS))
		return hc_err_set(err, HC_EINPUT, "%s.tiered_pricing[%zu].range: got %s; allowed: "
				  "[from, to] tokens with 0 <= from < to <= %g", where, i,
				  json_describe(range, got, sizeof(got)), PRICE_MAX_TOKENS);
	r->above = lo->valuedouble;
	r->upto = hi->valuedouble;
	for (size_t k = 0; k < N_RANGE_KEYS; k++) {
		const char *key = litellm ? range_keys[k].litellm : range_keys[k].key;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
		*range_rate(r, &range_keys[k]) = NAN;
		if (!v || cJSON_IsNull(v))
			continue;
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= max))
			return hc_err_set(err, HC_EINPUT, "%s.tiered_pricing[%zu].%s: got %s; "
					  "allowed: a number of USD per %s from 0 to %g", where, i,
					  key, json_describe(v, got, sizeof(got)),
					  litellm ? "token" : "1M tokens", max);
		*range_rate(r, &range_keys[k]) =
			litellm ? per_million(v->valuedouble) : v->valuedouble;
	}
	if (isnan(r->input))
		return hc_err_set(err, HC_EINPUT, "%s.tiered_pricing[%zu]: no %s; allowed: a row "
				  "with an input rate", where, i, range_keys[0].key);
	return 0;
}

/* The tiered_pricing table of obj, when it has one, into p->ranges, sorted by range. */
static int parse_ranges(struct price *p, const cJSON *obj, int litellm, const char *where,
			struct hc_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "tiered_pricing");
	size_t i = 0;
	const cJSON *row;
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
	    cJSON_GetArraySize(list) > PRICE_RANGES_MAX)
		return hc_err_set(err, HC_EINPUT, "%s.tiered_pricing: got %s with %d rows; "
				  "allowed: an array of 1 to %d rows", where, json_type_name(list),
				  cJSON_GetArraySize(list), PRICE_RANGES_MAX);
	cJSON_ArrayForEach(row, list) {
		if (parse_range(&p->ranges[i], row, litellm, where, i, err))
			return HC_EINPUT;
		i++;
	}
	p->n_ranges = i;
	qsort(p->ranges, p->n_ranges, sizeof(p->ranges[0]), range_cmp);
	return 0;
}

/* ---- hypercap's format ---------------------------------------------------------------------- */

static int rate_field(const cJSON *m, const struct price_field *f, double *out,
		      const char *origin, size_t i, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, f->key);
	double max = f->is_rate ? PRICE_MAX_RATE : PRICE_MAX_TOKENS;
	*out = NAN;
	if (!v || cJSON_IsNull(v))
		return 0;
	char got[80];
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > max || (!f->is_rate && v->valuedouble != floor(v->valuedouble)))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu].%s: bad %s: got %s; allowed: %s "
				  "from 0 to %g", origin, i, f->key, f->is_rate ? "rate" : "count",
				  json_describe(v, got, sizeof(got)),
				  f->is_rate ? "a number of USD per 1M tokens" : "a whole number",
				  max);
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
	size_t k = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		if (!cJSON_IsString(a))
			return hc_err_set(err, HC_EINPUT, "%s: models[%zu].aliases[%zu]: got %s; "
					  "allowed: a string", origin, i, k, json_type_name(a));
		if (add_alias(p, a->valuestring, strlen(a->valuestring), PRICE_MATCH_ALIAS))
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		k++;
	}
	return 0;
}

/*
 * obj's "currency", when it has one, must be USD: rates are read as USD, and a sheet in
 * another currency would be reported as dollars. path prefixes the key in messages.
 */
static int check_currency(const cJSON *obj, const char *origin, const char *path,
			  struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "currency");
	char got[80];
	if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !strcmp(v->valuestring, "USD")))
		return 0;
	return hc_err_set(err, HC_EINPUT, "%s: %scurrency: got %s; allowed: \"USD\" (rates are "
			  "read as USD; convert them first)", origin, path,
			  json_describe(v, got, sizeof(got)));
}

static int parse_model(struct price *p, const cJSON *m, const char *origin, size_t i,
		       struct hc_err *err)
{
	char path[48];
	snprintf(path, sizeof(path), "models[%zu].", i);
	if (!cJSON_IsObject(m))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu]: got %s; allowed: an object",
				  origin, i, json_type_name(m));
	if (check_currency(m, origin, path, err) ||
	    string_field(m, "name", p->name, sizeof(p->name), origin, path, 1, err) ||
	    string_field(m, "provider", p->provider, sizeof(p->provider), origin, path, 0, err) ||
	    string_field(m, "litellm_key", p->litellm_key, sizeof(p->litellm_key), origin, path, 0,
			 err) ||
	    parse_aliases(p, m, origin, i, err))
		return err ? err->code : HC_EINPUT;
	for (const struct price_field *f = price_fields; f->key; f++)
		if (rate_field(m, f, field_ptr(p, f), origin, i, err))
			return err ? err->code : HC_EINPUT;
	char where[300];
	snprintf(where, sizeof(where), "%.250s: models[%zu]", origin, i);
	if (parse_ranges(p, m, 0, where, err))
		return HC_EINPUT;
	/* no output rate: a model that only reads (embeddings); a call with output is unpriced */
	if (!p->n_ranges && isnan(p->input))
		return hc_err_set(err, HC_EINPUT, "%s: models[%zu] ('%s'): an input rate is "
				  "required (or a tiered_pricing table)", origin, i, p->name);
	return 0;
}

/* The index of the first earlier model that answers to models[i]'s name, or i. */
static size_t earlier_claim(const struct price_sheet *ps, size_t i)
{
	const char *name = ps->models[i].name;
	for (size_t k = 0; k < i; k++) {
		const struct price *p = &ps->models[k];
		if (!strcasecmp(p->name, name))
			return k;
		for (size_t j = 0; j < p->n_aliases; j++)
			if (!strcasecmp(p->aliases[j].name, name))
				return k;
	}
	return i;
}

static int parse_hypercap(struct price_sheet *ps, const cJSON *root, const char *origin,
			  struct hc_err *err)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "hypercap_prices");
	if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
		char got[80];
		return hc_err_set(err, HC_EINPUT, "%s: hypercap_prices: got %s; allowed: 1 (this "
				  "version reads sheets of format 1)", origin,
				  json_describe(version, got, sizeof(got)));
	}
	ps->format = PRICE_FORMAT_HYPERCAP;
	ps->date_basis = "";
	if (check_currency(root, origin, "", err) ||
	    string_field(root, "date", ps->date, sizeof(ps->date), origin, "", 1, err) ||
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
		price_init(p);
		int rc = parse_model(p, m, origin, ps->n_models - 1, err);
		if (rc)
			return rc;
		if (earlier_claim(ps, ps->n_models - 1) != ps->n_models - 1)
			return hc_err_set(err, HC_EINPUT, "%s: models[%zu]: the name '%s' is given "
					  "twice", origin, ps->n_models - 1, p->name);
	}
	return build_index(ps) ? hc_err_set(err, HC_ERUNTIME, "out of memory") : 0;
}

/* ---- LiteLLM's catalog ---------------------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* 1 when s starts with a date YYYY-MM-DD of this century. */
static int is_iso_date(const char *s)
{
	return strlen(s) >= 10 && !strncmp(s, "20", 2) && all_digits(s, 4) && s[4] == '-' &&
	       all_digits(s + 5, 2) && s[7] == '-' && all_digits(s + 8, 2);
}

/* The length of s without a trailing -YYYYMMDD, -YYYY-MM-DD or @YYYYMMDD; 0 when none. */
static size_t undated_len(const char *s)
{
	size_t n = strlen(s);
	if (n > 9 && (s[n - 9] == '-' || s[n - 9] == '@') && !strncmp(s + n - 8, "20", 2) &&
	    all_digits(s + n - 8, 8))
		return n - 9;
	if (n > 11 && s[n - 11] == '-' && is_iso_date(s + n - 10))
		return n - 11;
	return 0;
}

/*
 * The catalog's date: from origin's file name (*-YYYY-MM-DD.json), else from its
 * "last_updated" (an ISO timestamp), else unknown.
 */
static void litellm_date(struct price_sheet *ps, const cJSON *root, const char *origin)
{
	size_t n = strlen(origin);
	const cJSON *updated = cJSON_GetObjectItemCaseSensitive(root, "last_updated");
	if (n >= 16 && !strcmp(origin + n - 5, ".json") && origin[n - 16] == '-' &&
	    is_iso_date(origin + n - 15)) {
		snprintf(ps->date, sizeof(ps->date), "%.10s", origin + n - 15);
		ps->date_basis = "the file name";
	} else if (cJSON_IsString(updated) && is_iso_date(updated->valuestring)) {
		snprintf(ps->date, sizeof(ps->date), "%.10s", updated->valuestring);
		ps->date_basis = "its last_updated field";
	} else {
		snprintf(ps->date, sizeof(ps->date), "unknown");
		ps->date_basis = "neither the file name (*-YYYY-MM-DD.json) nor a last_updated "
				 "field gives one";
	}
}

/* 1 when a catalog key is about price: a cost, a pricing table or a price multiplier. */
static int is_price_key(const char *key)
{
	return strstr(key, "cost") || strstr(key, "pricing") || strstr(key, "multiplier");
}

/* 1 when every price key of a is in b with the same value (cJSON_Compare). */
static int prices_within(const cJSON *a, const cJSON *b)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, a)
		if (is_price_key(v->string) &&
		    !cJSON_Compare(v, cJSON_GetObjectItemCaseSensitive(b, v->string), 1))
			return 0;
	return 1;
}

/*
 * 1 when catalog entries a and b give the same price fields, hypercap's or not (service
 * tiers, per-image or per-second rates, regional multipliers...): folding a dated entry into
 * its undated key must not lose a price that differs.
 */
static int litellm_same_prices(const cJSON *a, const cJSON *b)
{
	return prices_within(a, b) && prices_within(b, a);
}

/* 1 when entry e of the catalog is a model hypercap keeps (see price_sheet_parse). */
static int litellm_kept(const cJSON *e)
{
	static const char *const modes[] = { "chat", "completion", "responses" };
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(e, "mode");
	if (!cJSON_IsObject(e) || !strcmp(e->string, "sample_spec") || !cJSON_IsString(mode) ||
	    strlen(e->string) >= PRICE_NAME_MAX)
		return 0;
	if (!strcmp(mode->valuestring, "embedding")) /* reads only: its input rate is enough */
		return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "input_cost_per_token"));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode->valuestring, modes[i]))
			return (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(
					e, "input_cost_per_token")) &&
				cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(
					e, "output_cost_per_token"))) ||
			       cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e, "tiered_pricing"));
	return 0;
}

static int litellm_model(struct price *p, const cJSON *e, const char *origin,
			 struct hc_err *err)
{
	const cJSON *provider = cJSON_GetObjectItemCaseSensitive(e, "litellm_provider");
	char got[80], path[PRICE_NAME_MAX + 4];
	snprintf(path, sizeof(path), "\"%s\".", e->string);
	if (check_currency(e, origin, path, err))
		return HC_EINPUT;
	price_init(p);
	strcpy(p->name, e->string);
	strcpy(p->litellm_key, e->string);
	if (cJSON_IsString(provider))
		snprintf(p->provider, sizeof(p->provider), "%s", provider->valuestring);
	for (const struct price_field *f = price_fields; f->key; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, f->litellm);
		if (!v || cJSON_IsNull(v))
			continue;
		double max = f->is_rate ? PRICE_MAX_RATE / 1e6 : PRICE_MAX_TOKENS;
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
		    v->valuedouble > max)
			return hc_err_set(err, HC_EINPUT, "%s: \"%s\".%s: got %s; allowed: %s from "
					  "0 to %g", origin, e->string, f->litellm,
					  json_describe(v, got, sizeof(got)),
					  f->is_rate ? "a number of USD per token" : "a number of "
					  "tokens", max);
		*field_ptr(p, f) = f->is_rate ? per_million(v->valuedouble) : v->valuedouble;
	}
	char where[PRICE_NAME_MAX + 260];
	snprintf(where, sizeof(where), "%.250s: \"%s\"", origin, e->string);
	return parse_ranges(p, e, 1, where, err);
}

/*
 * Gives p the names a catalog key brings: the key itself (when it is a dated key folded into
 * p), "provider/key" for a key without '/', the key without its first segment for one with,
 * and, when dated is set, the undated forms of all of these.
 */
static int litellm_aliases(struct price *p, const char *key, int dated)
{
	char buf[PRICE_NAME_MAX + PRICE_PROVIDER_MAX + 1];
	const char *slash = strchr(key, '/');
	const char *forms[3] = { key, NULL, NULL };
	static const enum price_match kinds[3] = { PRICE_MATCH_NAME, PRICE_MATCH_ALIAS,
						   PRICE_MATCH_UNPREFIXED };
	if (!slash && *p->provider) {
		snprintf(buf, sizeof(buf), "%s/%s", p->provider, key);
		forms[1] = buf;
	} else if (slash && slash[1]) {
		forms[2] = slash + 1;
	}
	for (size_t i = 0; i < 3; i++) {
		if (!forms[i])
			continue;
		size_t n = undated_len(forms[i]);
		if (add_alias(p, forms[i], strlen(forms[i]), kinds[i]) ||
		    (dated && n && add_alias(p, forms[i], n, PRICE_MATCH_UNDATED)))
			return HC_ERUNTIME;
	}
	return 0;
}

static int parse_litellm(struct price_sheet *ps, const cJSON *root, const char *origin,
			 struct hc_err *err)
{
	ps->format = PRICE_FORMAT_LITELLM;
	litellm_date(ps, root, origin);
	snprintf(ps->source, sizeof(ps->source),
		 "LiteLLM model_prices_and_context_window.json (%s)", origin);
	size_t n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, root)
		n += cJSON_IsObject(e);
	ps->models = calloc(n ? n : 1, sizeof(*ps->models));
	size_t *into = malloc((n ? n : 1) * sizeof(*into));
	const cJSON **entries = malloc((n ? n : 1) * sizeof(*entries));
	if (!ps->models || !into || !entries) {
		free(into);
		free(entries);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	cJSON_ArrayForEach(e, root) {
		if (!cJSON_IsObject(e))
			continue;
		if (!litellm_kept(e)) {
			ps->n_skipped++;
			continue;
		}
		int rc = litellm_model(&ps->models[ps->n_models], e, origin, err);
		if (rc) {
			free(into);
			free(entries);
			return rc;
		}
		entries[ps->n_models] = e;
		into[ps->n_models] = ps->n_models;
		ps->n_models++;
	}
	if (!ps->n_models) {
		free(into);
		free(entries);
		return hc_err_set(err, HC_EINPUT, "%s: no LiteLLM entry of mode chat, completion "
				  "or responses with input_cost_per_token and "
				  "output_cost_per_token (or a tiered_pricing table), nor of mode "
				  "embedding with input_cost_per_token", origin);
	}
	/* an index of the keys alone tells which undated names are keys */
	int rc = build_index(ps);
	/* fold a dated entry into its undated key when they are one model at one price */
	for (size_t i = 0; !rc && i < ps->n_models; i++) {
		const struct price *p = &ps->models[i];
		char undated[PRICE_NAME_MAX];
		size_t len = undated_len(p->name);
		if (!len)
			continue;
		snprintf(undated, sizeof(undated), "%.*s", (int)len, p->name);
		size_t k = index_lower_bound(ps, undated);
		if (k < ps->n_index && !strcasecmp(ps->index[k].name, undated)) {
			size_t j = ps->index[k].model;
			if (!strcmp(ps->models[j].provider, p->provider) &&
			    price_equal_rates(&ps->models[j], p) &&
			    litellm_same_prices(entries[j], entries[i]) &&
			    undated_len(ps->models[j].name) == 0)
				into[i] = j;
		}
	}
	for (size_t i = 0; !rc && i < ps->n_models; i++) {
		const char *key = ps->models[i].name;
		char undated[PRICE_NAME_MAX];
		size_t len = undated_len(key);
		snprintf(undated, sizeof(undated), "%.*s", (int)len, key);
		if (litellm_aliases(&ps->models[into[i]], key, len && !is_model_name(ps, undated)))
			rc = HC_ERUNTIME;
	}
	free(ps->index);
	ps->index = NULL;
	ps->n_index = 0;
	/* drop the folded entries, keeping the sheet's order */
	size_t kept = 0;
	for (size_t i = 0; i < ps->n_models; i++) {
		if (into[i] != i)
			continue;
		if (kept != i)
			ps->models[kept] = ps->models[i];
		kept++;
	}
	for (size_t i = kept; i < ps->n_models; i++)
		memset(&ps->models[i], 0, sizeof(ps->models[i]));
	ps->n_models = kept;
	free(into);
	free(entries);
	if (!rc)
		rc = build_index(ps);
	return rc ? hc_err_set(err, HC_ERUNTIME, "out of memory") : 0;
}

/* 1 when root looks like LiteLLM's catalog: some entry has a per-token rate. */
static int is_litellm(const cJSON *root)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, root)
		if (cJSON_IsObject(e) &&
		    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "input_cost_per_token")))
			return 1;
	return 0;
}

/* ---- loading -------------------------------------------------------------------------------- */

int price_sheet_parse(struct price_sheet *ps, const char *text, size_t len, const char *origin,
		      struct hc_err *err)
{
	int rc;
	memset(ps, 0, sizeof(*ps));
	snprintf(ps->origin, sizeof(ps->origin), "%s", origin);
	ps->date_basis = "";
	cJSON *root = jsonfile_parse(text, len, origin, err);
	if (!root)
		return HC_EINPUT;
	if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "hypercap_prices"))
		rc = parse_hypercap(ps, root, origin, err);
	else if (cJSON_IsObject(root) && is_litellm(root))
		rc = parse_litellm(ps, root, origin, err);
	else
		rc = hc_err_set(err, HC_EINPUT, "%s: not a price sheet: neither hypercap's (the key "
				"\"hypercap_prices\" is missing) nor LiteLLM's (no entry has "
				"input_cost_per_token)", origin);
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
	if (rc) {
		memset(ps, 0, sizeof(*ps));
		return rc;
	}
	rc = price_sheet_parse(ps, text, len, path, err);
	free(text);
	return rc;
}

void price_sheet_release(struct price_sheet *ps)
{
	for (size_t i = 0; i < ps->n_models; i++)
		price_release(&ps->models[i]);
	free(ps->models);
	free(ps->index);
	ps->models = NULL;
	ps->n_models = 0;
	ps->index = NULL;
	ps->n_index = 0;
}

/* ---- lookup --------------------------------------------------------------------------------- */

static int ambiguous(const struct price_sheet *ps, const char *name, size_t first, size_t end,
		     struct hc_err *err)
{
	char list[700];
	size_t used = 0, shown = 0, n = 0;
	list[0] = '\0';
	for (size_t k = first; k < end; k++) {
		size_t m = ps->index[k].model;
		if (k > first && ps->index[k - 1].model == m)
			continue;
		n++;
		if (shown < 6 && used < sizeof(list)) {
			const struct price *p = &ps->models[m];
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s'%s' (%s, %g/%g)", shown ? ", " : "", p->name,
						 *p->provider ? p->provider : "no provider", p->input,
						 p->output);
			shown++;
		}
	}
	return hc_err_set(err, HC_EINPUT, "ambiguous model '%s' in '%s': it names %zu models with "
			  "different prices: %s%s; name one of them", name, ps->origin, n, list,
			  n > shown ? ", ..." : "");
}

int price_sheet_lookup(const struct price_sheet *ps, const char *name, const struct price **out,
		       struct hc_err *err)
{
	size_t first = index_lower_bound(ps, name), end = first;
	*out = NULL;
	if (first == ps->n_index || strcasecmp(ps->index[first].name, name)) {
		char near[300];
		price_sheet_suggest(ps, name, near, sizeof(near));
		return hc_err_set(err, HC_EINPUT, "unknown model '%s': no price in '%s'; close "
				  "matches: %s", name, ps->origin, near);
	}
	/* the matches of the best kind are the run of entries sorted first */
	while (end < ps->n_index && ps->index[end].match == ps->index[first].match &&
	       !strcasecmp(ps->index[end].name, name))
		end++;
	const struct price *p = &ps->models[ps->index[first].model];
	for (size_t k = first + 1; k < end; k++)
		if (!price_equal_rates(p, &ps->models[ps->index[k].model]))
			return ambiguous(ps, name, first, end, err);
	*out = p;
	return 0;
}

const struct price *price_sheet_find(const struct price_sheet *ps, const char *name)
{
	const struct price *p;
	return price_sheet_lookup(ps, name, &p, NULL) ? NULL : p;
}

void price_sheet_suggest(const struct price_sheet *ps, const char *name, char *buf, size_t size)
{
	const char **names = malloc((ps->n_models ? ps->n_models : 1) * sizeof(*names));
	if (!names) {
		snprintf(buf, size, "none");
		return;
	}
	for (size_t i = 0; i < ps->n_models; i++)
		names[i] = ps->models[i].name;
	textdist_suggest(name, names, ps->n_models, buf, size);
	free(names);
}

/* ---- extracting and writing ----------------------------------------------------------------- */

static int copy_model(struct price *to, const struct price *rates, const struct price *naming,
		      const char *litellm_key)
{
	*to = *rates;
	to->aliases = NULL;
	to->n_aliases = 0;
	snprintf(to->name, sizeof(to->name), "%s", naming->name);
	snprintf(to->litellm_key, sizeof(to->litellm_key), "%s", litellm_key);
	for (size_t j = 0; j < naming->n_aliases; j++)
		if (add_alias(to, naming->aliases[j].name, strlen(naming->aliases[j].name),
			      PRICE_MATCH_ALIAS))
			return HC_ERUNTIME;
	return 0;
}

int price_sheet_extract(struct price_sheet *out, const struct price_sheet *catalog,
			const struct price_sheet *like, const char *const *names, size_t n,
			struct hc_err *err)
{
	size_t want = n ? n : like->n_models;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	snprintf(out->origin, sizeof(out->origin), "%s", catalog->origin);
	snprintf(out->date, sizeof(out->date), "%s", catalog->date);
	snprintf(out->source, sizeof(out->source), "%s", catalog->source);
	out->format = PRICE_FORMAT_HYPERCAP;
	out->date_basis = "";
	out->models = calloc(want ? want : 1, sizeof(*out->models));
	if (!out->models)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; !rc && i < want; i++) {
		const struct price *c, *m = n ? NULL : &like->models[i];
		const char *key = n ? names[i] : *m->litellm_key ? m->litellm_key : m->name;
		rc = price_sheet_lookup(catalog, key, &c, err);
		if (rc && !n)
			hc_err_prefix(err, "model '%s' of '%s'", m->name, like->origin);
		if (rc)
			break;
		int seen = 0;
		for (size_t k = 0; k < out->n_models; k++)
			seen |= n && !strcmp(out->models[k].name, c->name);
		if (seen)
			continue;
		struct price *to = &out->models[out->n_models++];
		if (copy_model(to, c, m ? m : c, m && *m->litellm_key ? m->litellm_key
								 : c->litellm_key))
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
		else if (earlier_claim(out, out->n_models - 1) != out->n_models - 1)
			rc = hc_err_set(err, HC_EINPUT, "the name '%s' is given twice", to->name);
	}
	if (!rc && build_index(out))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (rc)
		price_sheet_release(out);
	return rc;
}

/* p's tiered_pricing table into m, in hypercap's format; 0 out of memory. */
static int ranges_to_json(cJSON *m, const struct price *p)
{
	cJSON *list = cJSON_AddArrayToObject(m, "tiered_pricing");
	int ok = list != NULL;
	for (size_t i = 0; ok && i < p->n_ranges; i++) {
		struct price_range r = p->ranges[i];
		cJSON *row = cJSON_CreateObject();
		const double bounds[2] = { r.above, r.upto };
		ok = cJSON_AddItemToArray(list, row) &&
		     cJSON_AddItemToObject(row, "range", cJSON_CreateDoubleArray(bounds, 2));
		for (size_t k = 0; ok && k < N_RANGE_KEYS; k++) {
			double v = *range_rate(&r, &range_keys[k]);
			ok = isnan(v) || cJSON_AddNumberToObject(row, range_keys[k].key, v);
		}
	}
	return ok;
}

/* p as an object of hypercap's format; NULL out of memory. */
static cJSON *model_to_json(const struct price *p)
{
	cJSON *m = cJSON_CreateObject();
	int ok = m && cJSON_AddStringToObject(m, "name", p->name) &&
		 (!*p->provider || cJSON_AddStringToObject(m, "provider", p->provider)) &&
		 (!*p->litellm_key || cJSON_AddStringToObject(m, "litellm_key", p->litellm_key));
	cJSON *aliases = ok ? cJSON_AddArrayToObject(m, "aliases") : NULL;
	ok = aliases != NULL;
	for (size_t j = 0; ok && j < p->n_aliases; j++)
		ok = cJSON_AddItemToArray(aliases, cJSON_CreateString(p->aliases[j].name));
	for (const struct price_field *f = price_fields; ok && f->key; f++)
		ok = isnan(price_get(p, f)) || cJSON_AddNumberToObject(m, f->key, price_get(p, f));
	if (ok && p->n_ranges)
		ok = ranges_to_json(m, p);
	if (!ok) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

char *price_sheet_to_json(const struct price_sheet *ps)
{
	cJSON *root = cJSON_CreateObject(), *models = NULL;
	int ok = root && cJSON_AddNumberToObject(root, "hypercap_prices", 1) &&
		 cJSON_AddStringToObject(root, "date", ps->date) &&
		 cJSON_AddStringToObject(root, "source", ps->source) &&
		 cJSON_AddStringToObject(root, "currency", "USD") &&
		 (models = cJSON_AddArrayToObject(root, "models"));
	for (size_t i = 0; ok && i < ps->n_models; i++)
		ok = cJSON_AddItemToArray(models, model_to_json(&ps->models[i]));
	char *text = ok ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	return text;
}

int price_sheet_save(const struct price_sheet *ps, const char *path, struct hc_err *err)
{
	char *text = price_sheet_to_json(ps);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	struct atomicfile af;
	int rc = atomicfile_open(&af, path, err);
	if (!rc && (fputs(text, af.f) < 0 || fputc('\n', af.f) == EOF))
		rc = hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", path, strerror(errno));
	free(text);
	if (!rc)
		rc = atomicfile_commit(&af, err);
	atomicfile_abort(&af);
	return rc;
}

/* ---- costs ---------------------------------------------------------------------------------- */

/* The six terms of a call: their token counts and the rates they bill at (into p). */
struct call_terms {
	int64_t tokens[T_N];
	const double *rate[T_N];
};

static const double *at(const struct price *p, size_t offset)
{
	return (const double *)(const void *)((const char *)p + offset);
}

/* The row of p's tiered_pricing table for a call of input tokens (LiteLLM's rule), or NULL. */
static const struct price_range *call_range(const struct price *p, double input)
{
	if (!p->n_ranges || input <= 0)
		return NULL;
	for (size_t i = 0; i < p->n_ranges; i++)
		if (p->ranges[i].above < input && input <= p->ranges[i].upto)
			return &p->ranges[i];
	return &p->ranges[p->n_ranges - 1];
}

/*
 * The long-context tier of a call of input tokens: an index of price_tier_tokens, or -1.
 * xAI bills the tier from the threshold itself (LiteLLM's _INCLUSIVE_THRESHOLD_PROVIDERS).
 */
static int call_tier(const struct price *p, double input)
{
	int inclusive = !strcmp(p->provider, "xai");
	for (int t = PRICE_N_TIERS - 1; t >= 0; t--) {
		double n = (double)price_tier_tokens[t];
		if (!isnan(*at(p, tiers[t].input)) && (input > n || (inclusive && input == n)))
			return t;
	}
	return -1;
}

double price_tier_input(const struct price *p, int t)
{
	return *at(p, tiers[t].input);
}

static const double *known(const double *rate, const double *otherwise)
{
	return isnan(*rate) ? otherwise : rate;
}

static void range_rates(const struct price *p, const struct price_range *g, struct call_terms *c)
{
	c->rate[T_INPUT] = &g->input;
	c->rate[T_OUTPUT] = known(&g->output, &p->output);
	c->rate[T_CACHE_READ] = known(&g->cache_read, &g->input);
	c->rate[T_CACHE_WRITE] = known(&g->cache_write, &g->input);
	c->rate[T_CACHE_WRITE_1H] = known(&g->cache_write_1h, c->rate[T_CACHE_WRITE]);
	c->rate[T_REASONING] = !isnan(g->reasoning_output) ? &g->reasoning_output
			       : !isnan(g->output) ? &g->output
			       : known(&p->reasoning_output, c->rate[T_OUTPUT]);
}

static void tier_rates(const struct price *p, int t, struct call_terms *c)
{
	if (t < 0) {
		c->rate[T_INPUT] = &p->input;
		c->rate[T_OUTPUT] = &p->output;
		c->rate[T_CACHE_READ] = &p->cache_read;
		c->rate[T_CACHE_WRITE] = &p->cache_write;
		c->rate[T_CACHE_WRITE_1H] = &p->cache_write_1h;
	} else {
		c->rate[T_INPUT] = at(p, tiers[t].input);
		c->rate[T_OUTPUT] = at(p, tiers[t].output);
		c->rate[T_CACHE_READ] = at(p, tiers[t].cache_read);
		c->rate[T_CACHE_WRITE] = at(p, tiers[t].cache_write);
		c->rate[T_CACHE_WRITE_1H] = at(p, tiers[t].cache_write_1h);
	}
	c->rate[T_REASONING] = known(&p->reasoning_output, c->rate[T_OUTPUT]);
}

unsigned price_service_tier(const char *name)
{
	if (!strcmp(name, "flex"))
		return PRICE_FLEX;
	return !strcmp(name, "priority") || !strcmp(name, "fast") ? PRICE_PRIORITY : 0;
}

/* The service tier's rate of term k at long-context tier t: known, or NULL. */
static const double *service(const struct price *p, unsigned flags, int k, int t)
{
	for (size_t i = 0; i < sizeof(service_rates) / sizeof(service_rates[0]); i++) {
		const struct service_rate *r = &service_rates[i];
		if ((flags & r->flag) && r->term == k && r->tier == t && !isnan(*at(p, r->offset)))
			return at(p, r->offset);
	}
	return NULL;
}

/*
 * LiteLLM's _get_service_tier_cost_key: the service tier's rate where p gives one, else the
 * standard rate already chosen; reasoning bills as output when the tier prices output.
 */
static void service_rates_of(const struct price *p, unsigned flags, int t, struct call_terms *c)
{
	static const int terms[] = { T_INPUT, T_OUTPUT, T_CACHE_READ, T_CACHE_WRITE };
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		const double *r = service(p, flags, terms[i], t);
		if (r)
			c->rate[terms[i]] = r;
	}
	if (service(p, flags, T_OUTPUT, -1))
		c->rate[T_REASONING] = c->rate[T_OUTPUT];
}

/* Fills c for u at p (price_call_cost's rules); -1 when the counts break the convention. */
static int call_terms(const struct price *p, const struct usage *u, unsigned flags,
		      struct call_terms *c)
{
	int64_t w1h = flags & PRICE_CACHE_1H ? u->cache_write : u->cache_write_1h;
	if (u->input < 0 || u->output < 0 || u->cache_read < 0 || u->cache_write < 0 ||
	    u->reasoning < 0 || w1h < 0 || u->cache_read > u->input - u->cache_write ||
	    w1h > u->cache_write || u->reasoning > u->output)
		return -1;
	c->tokens[T_INPUT] = u->input - u->cache_read - u->cache_write;
	c->tokens[T_CACHE_READ] = u->cache_read;
	c->tokens[T_CACHE_WRITE] = u->cache_write - w1h;
	c->tokens[T_CACHE_WRITE_1H] = w1h;
	c->tokens[T_OUTPUT] = u->output - u->reasoning;
	c->tokens[T_REASONING] = u->reasoning;
	double mean = (double)u->input / (double)(u->calls > 1 ? u->calls : 1);
	const struct price_range *g = call_range(p, mean);
	if (flags & PRICE_BATCH) {
		for (int k = T_INPUT; k <= T_CACHE_WRITE_1H; k++)
			c->rate[k] = &p->batch_input;
		c->rate[T_OUTPUT] = c->rate[T_REASONING] = &p->batch_output;
	} else if (g) {
		range_rates(p, g, c);
	} else {
		int t = call_tier(p, mean);
		tier_rates(p, t, c);
		service_rates_of(p, flags, t, c);
	}
	return 0;
}

double price_call_cost(const struct price *p, const struct usage *u, unsigned flags)
{
	struct call_terms c;
	double usd = 0;
	if (call_terms(p, u, flags, &c))
		return NAN;
	/* no tokens need no rate: an unknown rate for zero tokens is $0 */
	for (int k = 0; k < T_N; k++)
		usd += c.tokens[k] ? (double)c.tokens[k] * *c.rate[k] : 0;
	return usd / 1e6;
}

const char *price_call_missing(const struct price *p, const struct usage *u, unsigned flags,
			       int64_t *tokens)
{
	struct call_terms c;
	*tokens = 0;
	if (call_terms(p, u, flags, &c))
		return NULL;
	for (int k = 0; k < T_N; k++) {
		if (!c.tokens[k] || !isnan(*c.rate[k]))
			continue;
		*tokens = c.tokens[k];
		for (const struct price_field *f = price_fields; f->key; f++)
			if (at(p, f->offset) == c.rate[k])
				return f->key;
		return "tiered_pricing";
	}
	return NULL;
}

double price_cost(const struct price *p, const struct usage *u)
{
	return price_call_cost(p, u, 0);
}
