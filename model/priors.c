/* priors: uncertain scenario fields. Contracts in priors.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "base/strtab.h"
#include "model/priors.h"
#include "model/scenario.h"
#include "sim/rng.h"

#define PRIOR_MAX_DEPTH 8
/* a lognormal prior's draws stay within these quantiles, so its ends can be checked */
#define PRIOR_LOGNORMAL_TAIL 0.001
#define Z90 1.2815515655446004 /* the standard normal's 90% quantile */

static const char *const kind_names[] = { "uniform", "triangular", "lognormal", "choice" };

const char *prior_kind_name(enum prior_kind k)
{
	return kind_names[k];
}

static double numeric_at(const struct prior *p, double u)
{
	double lo = p->low, hi = p->high, width = hi - lo;
	switch (p->kind) {
	case PRIOR_UNIFORM:
		return lo + u * width;
	case PRIOR_TRIANGULAR:
		if (width <= 0)
			return lo;
		if (u < (p->mode - lo) / width)
			return lo + sqrt(u * width * (p->mode - lo));
		return hi - sqrt((1 - u) * width * (hi - p->mode));
	case PRIOR_LOGNORMAL: {
		double t = fmin(fmax(u, PRIOR_LOGNORMAL_TAIL), 1 - PRIOR_LOGNORMAL_TAIL);
		double sigma = log(hi / lo) / (2 * Z90);
		return sqrt(lo * hi) * exp(sigma * gsl_cdf_ugaussian_Pinv(t));
	}
	case PRIOR_CHOICE:
		break;
	}
	return NAN;
}

static size_t choice_at(const struct prior *p, double u)
{
	double cum = 0;
	size_t last = 0;
	for (size_t i = 0; i < p->n_values; i++) {
		if (p->weights[i] <= 0)
			continue;
		cum += p->weights[i];
		last = i;
		if (u < cum)
			return i;
	}
	return last;
}

void prior_value_at(const struct prior *p, double u, char out[PRIOR_JSON_MAX])
{
	if (p->kind == PRIOR_CHOICE)
		snprintf(out, PRIOR_JSON_MAX, "\"%s\"", p->values[choice_at(p, u)]);
	else
		snprintf(out, PRIOR_JSON_MAX, "%.17g", numeric_at(p, u));
}

size_t prior_ends(const struct prior *p, char out[][PRIOR_JSON_MAX])
{
	if (p->kind != PRIOR_CHOICE) {
		prior_value_at(p, 0, out[0]);
		prior_value_at(p, 1, out[1]);
		return 2;
	}
	for (size_t i = 0; i < p->n_values; i++)
		snprintf(out[i], PRIOR_JSON_MAX, "\"%s\"", p->values[i]);
	return p->n_values;
}

/* The value a field holds in place of its prior: the median, or a choice's likeliest value. */
static cJSON *median_of(const struct prior *p)
{
	if (p->kind != PRIOR_CHOICE)
		return cJSON_CreateNumber(numeric_at(p, 0.5));
	size_t best = 0;
	for (size_t i = 1; i < p->n_values; i++)
		if (p->weights[i] > p->weights[best])
			best = i;
	return cJSON_CreateString(p->values[best]);
}

/* ---- parsing a prior object ------------------------------------------------------------ */

struct walk {
	const char *origin;
	struct hc_err *err;
	cJSON *given;  /* each prior object as given, by path */
	struct prior *list;
	size_t n, cap;
};

static int bad_prior(const struct walk *w, const char *path, const char *what)
{
	return hc_err_set(w->err, HC_EINPUT, "%s: %s: %s; allowed: {\"prior\": \"uniform\", "
			  "\"low\": L, \"high\": H}, {\"prior\": \"triangular\", \"low\": L, "
			  "\"mode\": M, \"high\": H} (L <= M <= H), {\"prior\": \"lognormal\", "
			  "\"p10\": A, \"p90\": B} (0 < A <= B), {\"prior\": \"choice\", \"values\": "
			  "{\"VALUE\": WEIGHT, ...}} (weights summing to 1; docs/scenario.md, "
			  "\"Priors\")", w->origin, path, what);
}

static int number_key(const cJSON *o, const char *key, double *x)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return -1;
	*x = v->valuedouble;
	return 0;
}

static int parse_choice(const struct walk *w, const char *path, const cJSON *o, struct prior *p)
{
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(o, "values"), *v;
	double sum = 0;
	int n = cJSON_GetArraySize(values);
	if (!cJSON_IsObject(values) || n < 1 || n > PRIOR_MAX_VALUES)
		return bad_prior(w, path, "a choice needs \"values\": an object of 1 to 8 values "
				 "and their weights");
	cJSON_ArrayForEach(v, values) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 1) ||
		    strlen(v->string) >= PRIOR_VALUE_MAX - 2)
			return bad_prior(w, path, "a choice's weight is a number from 0 to 1 and "
					 "its value a short name");
		snprintf(p->values[p->n_values], PRIOR_VALUE_MAX, "%s", v->string);
		p->weights[p->n_values++] = v->valuedouble;
		sum += v->valuedouble;
	}
	if (fabs(sum - 1) > 1e-9)
		return bad_prior(w, path, "a choice's weights sum to 1");
	return 0;
}

static int parse_numeric(const struct walk *w, const char *path, const cJSON *o, struct prior *p)
{
	switch (p->kind) {
	case PRIOR_UNIFORM:
		if (number_key(o, "low", &p->low) || number_key(o, "high", &p->high) ||
		    p->low > p->high)
			return bad_prior(w, path, "a uniform prior needs numbers low <= high");
		p->mode = (p->low + p->high) / 2;
		return 0;
	case PRIOR_TRIANGULAR:
		if (number_key(o, "low", &p->low) || number_key(o, "mode", &p->mode) ||
		    number_key(o, "high", &p->high) || p->low > p->mode || p->mode > p->high)
			return bad_prior(w, path, "a triangular prior needs numbers low <= mode "
					 "<= high");
		return 0;
	case PRIOR_LOGNORMAL:
		if (number_key(o, "p10", &p->low) || number_key(o, "p90", &p->high) ||
		    !(p->low > 0) || p->low > p->high)
			return bad_prior(w, path, "a lognormal prior needs numbers 0 < p10 <= p90");
		p->mode = sqrt(p->low * p->high);
		return 0;
	case PRIOR_CHOICE:
		break;
	}
	return parse_choice(w, path, o, p);
}

static int known_key(enum prior_kind k, const char *key)
{
	static const char *const keys[][4] = { { "low", "high" }, { "low", "mode", "high" },
					       { "p10", "p90" }, { "values" } };
	if (key[0] == '_' || !strcmp(key, "prior") || !strcmp(key, "assumed"))
		return 1;
	for (size_t i = 0; i < 4 && keys[k][i]; i++)
		if (!strcmp(keys[k][i], key))
			return 1;
	return 0;
}

/* {"assumed": true, "value": V}: a uniform prior of zero width at a number, a choice of one
 * value at a string. */
static int parse_fixed(const struct walk *w, const char *path, const char *const *keys,
		       size_t depth, const cJSON *o, struct prior *p)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value"), *item;
	enum scenario_slot slot = scenario_prior_slot(keys, depth);
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->fixed = 1;
	cJSON_ArrayForEach(item, o)
		if (item->string[0] != '_' && strcmp(item->string, "value") &&
		    strcmp(item->string, "assumed"))
			return bad_prior(w, path, "an assumed value takes only \"assumed\": true, "
					 "\"value\" and comments");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "assumed")))
		return bad_prior(w, path, "\"assumed\" is true when given");
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && slot == SCENARIO_SLOT_NUMBER) {
		p->kind = PRIOR_UNIFORM;
		p->low = p->mode = p->high = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && slot == SCENARIO_SLOT_CHOICE &&
	    strlen(v->valuestring) < PRIOR_VALUE_MAX - 2) {
		p->kind = PRIOR_CHOICE;
		snprintf(p->values[0], PRIOR_VALUE_MAX, "%s", v->valuestring);
		p->weights[0] = 1;
		p->n_values = 1;
		return 0;
	}
	return hc_err_set(w->err, HC_EINPUT, "%s: %s: an assumed value cannot be given here; "
			  "allowed: a number on number fields (not counts) and distribution "
			  "parameters, a name on enumerations (docs/scenario.md, \"Priors\")",
			  w->origin, path);
}

static int parse_prior(const struct walk *w, const char *path, const char *const *keys,
		       size_t depth, const cJSON *o, struct prior *p)
{
	if (!cJSON_GetObjectItemCaseSensitive(o, "prior"))
		return parse_fixed(w, path, keys, depth, o, p);
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "prior"), *item;
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	int k = -1;
	for (int i = 0; cJSON_IsString(kind) && i < 4; i++)
		if (!strcmp(kind->valuestring, kind_names[i]))
			k = i;
	if (k < 0)
		return bad_prior(w, path, "unknown \"prior\" kind");
	p->kind = (enum prior_kind)k;
	cJSON_ArrayForEach(item, o)
		if (!known_key(p->kind, item->string)) {
			char what[160];
			snprintf(what, sizeof(what), "unknown key '%s' for a %s prior",
				 item->string, kind_names[k]);
			return bad_prior(w, path, what);
		}
	enum scenario_slot slot = scenario_prior_slot(keys, depth);
	if (slot != (p->kind == PRIOR_CHOICE ? SCENARIO_SLOT_CHOICE : SCENARIO_SLOT_NUMBER))
		return hc_err_set(w->err, HC_EINPUT, "%s: %s: a %s prior cannot be given here; "
				  "allowed: numeric priors on number fields (not counts) and "
				  "distribution parameters, choice priors on enumerations "
				  "(docs/scenario.md, \"Priors\")", w->origin, path, kind_names[k]);
	return parse_numeric(w, path, o, p);
}

/* ---- walking the tree ------------------------------------------------------------------ */

static int walk_node(struct walk *w, cJSON *node, const char **keys, size_t depth,
		     char (*names)[PRIOR_PATH_MAX]);

static void path_of(const char *const *keys, size_t n, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "." : "", keys[i]);
}

static int take_prior(struct walk *w, cJSON *parent, cJSON *child, const char *const *keys,
		      size_t depth)
{
	char path[PRIOR_PATH_MAX];
	path_of(keys, depth, path, sizeof(path));
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct prior *grown = realloc(w->list, cap * sizeof(*grown));
		if (!grown)
			return hc_err_set(w->err, HC_ERUNTIME, "out of memory");
		w->list = grown;
		w->cap = cap;
	}
	struct prior *p = &w->list[w->n];
	if (parse_prior(w, path, keys, depth, child, p))
		return HC_EINPUT;
	cJSON *given = cJSON_Duplicate(child, 1), *median = median_of(p);
	if (given)
		cJSON_AddItemToObject(w->given, path, given);
	/* a prior's parent is an object: a slot is never an array element */
	if (!given || !median ||
	    !cJSON_ReplaceItemInObjectCaseSensitive(parent, child->string, median)) {
		cJSON_Delete(median);
		return hc_err_set(w->err, HC_ERUNTIME, "out of memory");
	}
	w->n++;
	return 0;
}

/* An array element's key: its "name", else its index (as --set addresses it). */
static void element_key(const cJSON *el, int index, char out[PRIOR_PATH_MAX])
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(el, "name");
	if (cJSON_IsString(name))
		snprintf(out, PRIOR_PATH_MAX, "%s", name->valuestring);
	else
		snprintf(out, PRIOR_PATH_MAX, "%d", index);
}

int prior_is_object(const cJSON *o)
{
	return cJSON_IsObject(o) && (cJSON_GetObjectItemCaseSensitive(o, "prior") ||
				     (cJSON_GetObjectItemCaseSensitive(o, "assumed") &&
				      !cJSON_GetObjectItemCaseSensitive(o, "dist")));
}

static int walk_node(struct walk *w, cJSON *node, const char **keys, size_t depth,
		     char (*names)[PRIOR_PATH_MAX])
{
	cJSON *child = node->child, *next;
	int index = 0;
	if (depth >= PRIOR_MAX_DEPTH)
		return 0;
	for (; child; child = next, index++) {
		next = child->next;
		if (cJSON_IsObject(node) && child->string[0] == '_')
			continue;
		if (cJSON_IsArray(node)) {
			element_key(child, index, names[depth]);
			keys[depth] = names[depth];
		} else {
			keys[depth] = child->string;
		}
		int rc = 0;
		if (prior_is_object(child))
			rc = take_prior(w, node, child, keys, depth + 1);
		else if (cJSON_IsObject(child) || cJSON_IsArray(child))
			rc = walk_node(w, child, keys, depth + 1, names);
		if (rc)
			return rc;
	}
	return 0;
}

int priors_extract(cJSON *tree, const char *origin, cJSON *given, struct prior **out, size_t *n,
		   struct hc_err *err)
{
	struct walk w = { origin, err, given, NULL, 0, 0 };
	const char *keys[PRIOR_MAX_DEPTH];
	char names[PRIOR_MAX_DEPTH][PRIOR_PATH_MAX];
	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(tree))
		return 0;
	int rc = walk_node(&w, tree, keys, 0, names);
	if (rc) {
		free(w.list);
		return rc;
	}
	*out = w.list;
	*n = w.n;
	return 0;
}

/* ---- drawing ---------------------------------------------------------------------------- */

int prior_set(cJSON *tree, const char *path, const char *value, struct hc_err *err)
{
	char assignment[PRIOR_PATH_MAX + PRIOR_JSON_MAX + 1];
	snprintf(assignment, sizeof(assignment), "%s=%s", path, value);
	return scenario_apply_set(tree, assignment, err);
}

static int parse_copy(const struct scenario *sc, cJSON *copy, struct scenario *out,
		      struct hc_err *err)
{
	int rc = scenario_from_json(out, copy, sc->origin, err);
	cJSON_Delete(copy);
	return rc;
}

/* The uniform replication rep draws for prior p: from the stream of (seed, "priors", its
 * path), so that adding, removing or fixing one prior leaves the others' draws alone. */
static int prior_uniform(const struct prior *p, uint64_t seed, unsigned rep, double *u)
{
	struct rng r;
	uint64_t master = rng_stream_seed(rng_stream_seed(seed, PRIOR_STREAM),
					  strtab_hash(p->path));
	if (rng_init(&r, master, rep))
		return HC_ERUNTIME;
	*u = rng_uniform(&r);
	rng_release(&r);
	return 0;
}

int scenario_draw(const struct scenario *sc, uint64_t seed, unsigned rep, struct scenario *out,
		  struct hc_err *err)
{
	memset(out, 0, sizeof(*out));
	cJSON *copy = cJSON_Duplicate(sc->tree, 1);
	int rc = copy ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; !rc && i < sc->n_priors; i++) {
		char value[PRIOR_JSON_MAX];
		double u;
		if (prior_uniform(&sc->priors[i], seed, rep, &u)) {
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
			break;
		}
		prior_value_at(&sc->priors[i], u, value);
		rc = prior_set(copy, sc->priors[i].path, value, err);
	}
	if (rc) {
		cJSON_Delete(copy);
		return rc;
	}
	return parse_copy(sc, copy, out, err);
}

int scenario_with_value(const struct scenario *sc, const char *path, const char *value,
			struct scenario *out, struct hc_err *err)
{
	memset(out, 0, sizeof(*out));
	cJSON *copy = cJSON_Duplicate(sc->tree, 1);
	if (!copy)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	int rc = prior_set(copy, path, value, err);
	if (rc) {
		cJSON_Delete(copy);
		return rc;
	}
	return parse_copy(sc, copy, out, err);
}

int scenario_at_medians(const struct scenario *sc, struct scenario *out, struct hc_err *err)
{
	return scenario_from_json(out, sc->tree, sc->origin, err);
}

/* ---- a prior for a person, and put back ------------------------------------------------ */

void prior_describe(const struct prior *p, char *buf, size_t size)
{
	if (p->fixed && p->kind == PRIOR_CHOICE) {
		snprintf(buf, size, "assumed %s", p->values[0]);
		return;
	}
	if (p->fixed) {
		snprintf(buf, size, "assumed %g", p->low);
		return;
	}
	switch (p->kind) {
	case PRIOR_UNIFORM:
		snprintf(buf, size, "uniform %g to %g", p->low, p->high);
		return;
	case PRIOR_TRIANGULAR:
		snprintf(buf, size, "triangular %g, mode %g, %g", p->low, p->mode, p->high);
		return;
	case PRIOR_LOGNORMAL:
		snprintf(buf, size, "lognormal P10 %g P90 %g", p->low, p->high);
		return;
	case PRIOR_CHOICE:
		break;
	}
	size_t used = (size_t)snprintf(buf, size, "choice");
	for (size_t i = 0; i < p->n_values && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s %s %g", i ? "," : "",
					 p->values[i], p->weights[i]);
}

int prior_restore(cJSON *tree, const char *path, const struct scenario *sc,
		  const struct prior *p, struct hc_err *err)
{
	cJSON *parent, *at = scenario_tree_at(tree, path, &parent);
	const cJSON *given = cJSON_GetObjectItemCaseSensitive(sc->given, p->path);
	if (!at || !given)
		return hc_err_set(err, HC_EINPUT, "%s: no value at %s for the prior at %s",
				  sc->origin, path, p->path);
	cJSON *copy = cJSON_Duplicate(given, 1);
	/* a prior's parent is an object: a slot is never an array element */
	if (!copy || !cJSON_ReplaceItemInObjectCaseSensitive(parent, at->string, copy)) {
		cJSON_Delete(copy);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	return 0;
}
