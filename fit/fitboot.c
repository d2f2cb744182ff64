/* fitboot: a bootstrap of a fit over tasks and sessions. Contracts in fitboot.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fit/fitboot.h"
#include "sim/rng.h"
#include "sim/stats.h"
#include "trace/trace.h"
#include "trace/tracestore.h"

/* The trace's records, which unit each belongs to, and the strata the units are drawn in. */
struct units {
	struct trace_store records;
	struct strtab index, strata;
	size_t *stratum_of;      /* per unit */
	size_t *members;         /* units grouped by stratum: stratum s at members[start[s]..] */
	size_t *start;           /* n strata + 1 */
	long *unit_of;           /* per record: its unit, or -1 */
	size_t cap_records, cap_units;
	unsigned *weight;        /* per unit: how often the resample drew it */
	size_t tasks, sessions;
};

#define KEY_MAX (4 * TRACE_STR_MAX + 8)

/* The record's unit and stratum keys; 0 when it is no unit. */
static int unit_keys(const struct trace_record *rec, char *unit, char *stratum)
{
	const char *node, *domain, *task;
	if (rec->kind == TRACE_LLM_CALL && !rec->u.call.has_usage)
		return 0; /* left out by the fit: a unit of its own would be an empty draw */
	if (rec->kind == TRACE_LLM_CALL && !strcmp(rec->u.call.role, "self_modify")) {
		const struct trace_llm_call *c = &rec->u.call;
		snprintf(unit, KEY_MAX, "s\x1f%s\x1f%s\x1f%s\x1f%s", c->run, c->node, c->domain,
			 c->task);
		snprintf(stratum, KEY_MAX, "s\x1f%s", c->domain);
		return 1;
	}
	if (rec->kind == TRACE_LLM_CALL && !strcmp(rec->u.call.role, "evaluate")) {
		node = rec->u.call.node;
		domain = rec->u.call.domain;
		task = rec->u.call.task;
	} else if (rec->kind == TRACE_EVAL_TASK) {
		node = rec->u.task.node;
		domain = rec->u.task.domain;
		task = rec->u.task.task;
	} else {
		return 0;
	}
	snprintf(unit, KEY_MAX, "t\x1f%s\x1f%s\x1f%s", node, domain, task);
	snprintf(stratum, KEY_MAX, "t\x1f%s\x1f%s", node, domain);
	return 1;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? 2 * *cap : 64;
	void *q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int add_record(struct units *u, const struct trace_record *rec)
{
	char unit[KEY_MAX], stratum[KEY_MAX];
	long id = -1;
	size_t uid, sid, before = u->index.n;
	if (grow((void **)&u->unit_of, &u->cap_records, u->records.n + 1, sizeof(long)) ||
	    trace_store_add(&u->records, rec, NULL))
		return -1;
	if (unit_keys(rec, unit, stratum)) {
		if (strtab_intern(&u->index, unit, &uid) ||
		    grow((void **)&u->stratum_of, &u->cap_units, u->index.n, sizeof(size_t)))
			return -1;
		if (u->index.n > before) {
			if (strtab_intern(&u->strata, stratum, &sid))
				return -1;
			u->stratum_of[uid] = sid;
			if (*stratum == 's')
				u->sessions++;
			else
				u->tasks++;
		}
		id = (long)uid;
	}
	u->unit_of[u->records.n - 1] = id;
	return 0;
}

/* Groups the units by stratum (a counting sort, units in order within a stratum). */
static int group_units(struct units *u)
{
	size_t n = u->index.n, ns = u->strata.n;
	u->start = calloc(ns + 1, sizeof(size_t));
	u->members = malloc((n ? n : 1) * sizeof(size_t));
	u->weight = malloc((n ? n : 1) * sizeof(unsigned));
	if (!u->start || !u->members || !u->weight)
		return -1;
	for (size_t i = 0; i < n; i++)
		u->start[u->stratum_of[i] + 1]++;
	for (size_t s = 0; s < ns; s++)
		u->start[s + 1] += u->start[s];
	size_t *next = malloc((ns ? ns : 1) * sizeof(size_t));
	if (!next)
		return -1;
	memcpy(next, u->start, ns * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		u->members[next[u->stratum_of[i]]++] = i;
	free(next);
	return 0;
}

static void units_release(struct units *u)
{
	trace_store_release(&u->records);
	strtab_release(&u->index);
	strtab_release(&u->strata);
	free(u->stratum_of);
	free(u->members);
	free(u->start);
	free(u->unit_of);
	free(u->weight);
	memset(u, 0, sizeof(*u));
}

static int read_units(struct units *u, const struct fitboot_input *in, struct hc_err *err)
{
	struct trace_reader r;
	struct trace_record rec;
	int rc;
	memset(u, 0, sizeof(*u));
	if (trace_reader_open(&r, in->trace, in->skip_bad, err))
		return err ? err->code : HC_EINPUT;
	while ((rc = trace_reader_next(&r, &rec, err)) == 1)
		if (add_record(u, &rec)) {
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
			break;
		}
	trace_reader_close(&r);
	if (rc == 0 && group_units(u))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (rc)
		units_release(u);
	return rc;
}

/* Resample b's weights: each stratum's size in draws with replacement from its units. */
static int draw(struct units *u, uint64_t seed, unsigned b)
{
	struct rng r;
	if (rng_init(&r, rng_stream_seed(seed, FITBOOT_STREAM), b))
		return HC_ERUNTIME;
	memset(u->weight, 0, u->index.n * sizeof(unsigned));
	for (size_t s = 0; s < u->strata.n; s++) {
		size_t k = u->start[s + 1] - u->start[s];
		for (size_t j = 0; j < k; j++)
			u->weight[u->members[u->start[s] + rng_uniform_int(&r, k)]]++;
	}
	rng_release(&r);
	return 0;
}

/* Copy c of a unit's record: its task made distinct by "#c". */
static void relabel(struct trace_record *rec, unsigned c)
{
	char *task = rec->kind == TRACE_LLM_CALL ? rec->u.call.task : rec->u.task.task;
	char suffix[16];
	int n = snprintf(suffix, sizeof(suffix), "#%u", c);
	size_t keep = strlen(task);
	if (keep + (size_t)n >= TRACE_STR_MAX)
		keep = TRACE_STR_MAX - 1 - (size_t)n;
	memcpy(task + keep, suffix, (size_t)n + 1);
}

/* Adds the resample to f: every record as often as its unit was drawn (others once). */
static int add_resample(struct fit *f, const struct units *u, struct hc_err *err)
{
	struct trace_record rec, copy;
	int rc = 0;
	for (size_t i = 0; !rc && i < u->records.n; i++) {
		long unit = u->unit_of[i];
		unsigned w = unit < 0 ? 1 : u->weight[unit];
		trace_store_get(&u->records, i, &rec);
		for (unsigned c = 0; c < w && !rc; c++) {
			copy = rec;
			if (c)
				relabel(&copy, c);
			rc = fit_add(f, &copy, err);
		}
	}
	return rc;
}

int fitboot_scenario(struct scenario *sc, const cJSON *tree, const char *const *sets,
		     size_t n_sets, struct hc_err *err)
{
	cJSON *copy = cJSON_Duplicate(tree, 1);
	int rc = copy ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; !rc && i < n_sets; i++)
		rc = scenario_apply_set(copy, sets[i], err);
	if (!rc)
		rc = scenario_from_json(sc, copy, "the fitted scenario", err);
	cJSON_Delete(copy);
	return rc;
}

static int set_item(cJSON *obj, const char *key, cJSON *value)
{
	if (!value)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value) ? 0 : -1;
	return cJSON_AddItemToObject(obj, key, value) ? 0 : -1;
}

/*
 * What the resamples cannot tell keeps the full fit's: the models and eval_workers, set in
 * the resample's tree, from which a scenario with priors draws each replication.
 */
static int keep_full(cJSON *tree, const struct scenario *full, struct hc_err *err)
{
	cJSON *domains = cJSON_GetObjectItemCaseSensitive(tree, "domains");
	cJSON *selfmod = cJSON_GetObjectItemCaseSensitive(tree, "self_modification");
	size_t n = (size_t)cJSON_GetArraySize(domains);
	if (n != full->n_domains)
		return hc_err_set(err, HC_ERUNTIME, "%zu domains, the full fit %zu", n,
				  full->n_domains);
	int oom = set_item(selfmod, "model", cJSON_CreateString(full->self_modification.model));
	for (size_t d = 0; !oom && d < n; d++) {
		cJSON *domain = cJSON_GetArrayItem(domains, (int)d);
		oom = set_item(domain, "model", cJSON_CreateString(full->domains[d].model)) ||
		      set_item(domain, "eval_workers",
			       cJSON_CreateNumber(full->domains[d].eval_workers));
	}
	return oom ? hc_err_set(err, HC_ERUNTIME, "out of memory") : 0;
}

/* The figure of s at path (a distribution's mean), NAN when s lacks it. */
static double figure(const struct fit_summary *s, const char *path)
{
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct fit_field *fl = &s->fields[i];
		if (strcmp(fl->path, path))
			continue;
		if (fl->kind == FIT_DIST)
			return fl->dist.kind == DIST_EMPIRICAL ? fl->fit.mean : fl->dist.a;
		return fl->kind == FIT_NUMBER ? fl->number : NAN;
	}
	for (size_t i = 0; i < s->n_checks; i++) {
		const struct fit_check *c = &s->checks[i];
		char key[FIT_PATH_MAX + 24];
		snprintf(key, sizeof(key), "%s.tokens_per_session", c->group);
		if (!strcmp(key, path))
			return c->observed.input + c->observed.output;
	}
	return NAN;
}

/* The spread's entries: the full fit's numbers and distributions, then tokens per session. */
static int spread_keys(struct fitboot *b, const struct fit_summary *fs)
{
	b->spread = calloc(fs->n_fields + fs->n_checks + 1, sizeof(*b->spread));
	if (!b->spread)
		return -1;
	for (size_t i = 0; i < fs->n_fields; i++)
		if (fs->fields[i].kind != FIT_TEXT)
			snprintf(b->spread[b->n_spread++].path, FIT_PATH_MAX, "%s",
				 fs->fields[i].path);
	for (size_t i = 0; i < fs->n_checks; i++)
		snprintf(b->spread[b->n_spread++].path, FIT_PATH_MAX, "%.*s.tokens_per_session",
			 FIT_PATH_MAX - 24, fs->checks[i].group);
	for (size_t k = 0; k < b->n_spread; k++)
		b->spread[k].fitted = figure(fs, b->spread[k].path);
	return 0;
}

/* Fits resample i of n into b->variants[i]; its figures into x[k * n + i]. */
static int fit_resample(struct fitboot *b, struct units *u, const struct fitboot_input *in,
			const struct scenario *full, uint64_t seed, unsigned i, unsigned n,
			double *x, struct hc_err *err)
{
	struct fit f;
	struct fit_result res;
	memset(&res, 0, sizeof(res));
	fit_init(&f);
	int rc = draw(u, seed, i) ? hc_err_set(err, HC_ERUNTIME, "out of memory") : 0;
	if (!rc)
		rc = add_resample(&f, u, err);
	if (!rc)
		rc = fit_build(&f, in->base, in->name, in->trace, &res, err);
	if (!rc)
		rc = keep_full(res.scenario, full, err);
	if (!rc)
		rc = fitboot_scenario(&b->variants[i], res.scenario, in->sets, in->n_sets, err);
	for (size_t k = 0; !rc && k < b->n_spread; k++)
		x[k * n + i] = figure(&res.summary, b->spread[k].path);
	fit_result_release(&res);
	fit_release(&f);
	return rc;
}

/* P10, P50, P90 of each entry over the resamples that have it. */
static void quantiles(struct fitboot *b, double *x)
{
	for (size_t k = 0; k < b->n_spread; k++) {
		struct fitboot_spread *s = &b->spread[k];
		double *row = x + k * b->resamples;
		s->n = 0;
		for (unsigned i = 0; i < b->resamples; i++)
			if (!isnan(row[i]))
				row[s->n++] = row[i];
		s->p10 = s->n ? stats_quantile(row, s->n, 0.10) : NAN;
		s->p50 = s->n ? stats_quantile(row, s->n, 0.50) : NAN;
		s->p90 = s->n ? stats_quantile(row, s->n, 0.90) : NAN;
	}
}

int fitboot_run(struct fitboot *b, const struct fitboot_input *in, const struct fit_summary *fs,
		const struct scenario *full, unsigned resamples, uint64_t seed,
		struct hc_err *err)
{
	struct units u;
	memset(b, 0, sizeof(*b));
	int rc = read_units(&u, in, err);
	if (rc)
		return rc;
	b->tasks = u.tasks;
	b->sessions = u.sessions;
	b->variants = calloc(resamples, sizeof(*b->variants));
	double *x = NULL;
	if (!b->variants || spread_keys(b, fs) ||
	    !(x = malloc((b->n_spread ? b->n_spread : 1) * resamples * sizeof(*x))))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (unsigned i = 0; !rc && i < resamples; i++) {
		rc = fit_resample(b, &u, in, full, seed, i, resamples, x, err);
		if (rc)
			hc_err_prefix(err, "bootstrap resample %u", i);
		else
			b->resamples = i + 1;
	}
	if (!rc)
		quantiles(b, x);
	free(x);
	units_release(&u);
	if (rc)
		fitboot_release(b);
	return rc;
}

void fitboot_release(struct fitboot *b)
{
	for (unsigned i = 0; b->variants && i < b->resamples; i++)
		scenario_release(&b->variants[i]);
	free(b->variants);
	free(b->spread);
	memset(b, 0, sizeof(*b));
}

static cJSON *spread_json(const struct fitboot_spread *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "fitted", s->fitted);
	cJSON_AddNumberToObject(o, "p10", s->p10);
	cJSON_AddNumberToObject(o, "p50", s->p50);
	cJSON_AddNumberToObject(o, "p90", s->p90);
	cJSON_AddNumberToObject(o, "n", (double)s->n);
	return o;
}

cJSON *fitboot_report(const struct fitboot *b)
{
	cJSON *o = cJSON_CreateObject(), *units = cJSON_CreateObject();
	cJSON *spread = cJSON_CreateObject();
	if (!o || !units || !spread) {
		cJSON_Delete(o);
		cJSON_Delete(units);
		cJSON_Delete(spread);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "resamples", b->resamples);
	cJSON_AddNumberToObject(units, "tasks", (double)b->tasks);
	cJSON_AddNumberToObject(units, "self_modification_sessions", (double)b->sessions);
	cJSON_AddItemToObject(o, "units", units);
	for (size_t k = 0; k < b->n_spread; k++)
		cJSON_AddItemToObject(spread, b->spread[k].path, spread_json(&b->spread[k]));
	cJSON_AddItemToObject(o, "spread", spread);
	return o;
}
