/* fit: a scenario fitted to a recorded trace. Contracts in fit.h. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "fit/fit.h"
#include "fit/fitbase.h"
#include "fit/fitdist.h"
#include "model/priors.h"
#include "model/session.h"

/* ---- the state kept per session, node and (node, domain) ------------------------------ */

struct fit_session {
	size_t group;           /* 0: self-modification; 1 + i: domains[i] */
	unsigned calls;
	double prev_input, prev_visible, prev_end;
};

struct fit_node {
	long iteration;
	int self_modified;      /* made by a self-modification session */
	int evaluated;          /* has evaluation calls or tasks, or joined the archive */
	int has_parent;
};

struct fit_node_domain {
	size_t domain;
	unsigned tasks, sessions;
};

#define KEY_SEP '\x1f' /* joins the parts of a key; never in a trace string that matters */

static int vec_push(struct fit_vec *v, double x)
{
	double *p = array_room(v->v, v->n, &v->cap, sizeof(*p));
	if (!p)
		return HC_ERUNTIME;
	v->v = p;
	v->v[v->n++] = x;
	return 0;
}

static void vec_release(struct fit_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* ---- adding records --------------------------------------------------------------------- */

void fit_init(struct fit *f)
{
	memset(f, 0, sizeof(*f));
	f->max_iteration = -1;
}

static void group_release(struct fit_group *g)
{
	struct fit_vec *vecs[] = { &g->calls, &g->prompt, &g->output, &g->tool_result,
				   &g->tool_seconds, &g->sandbox, &g->artifact };
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		vec_release(vecs[i]);
	free(g->models);
	g->models = NULL;
}

void fit_release(struct fit *f)
{
	group_release(&f->selfmod);
	for (size_t i = 0; i < f->n_domains; i++)
		group_release(&f->domains[i]);
	strtab_release(&f->session_index);
	strtab_release(&f->node_index);
	strtab_release(&f->node_domain_index);
	free(f->sessions);
	free(f->nodes);
	free(f->node_domains);
	vec_release(&f->patch_bytes);
	vec_release(&f->node_artifact_bytes);
	fitconc_release(&f->conc);
	fit_init(f);
}

static struct fit_group *group_at(struct fit *f, size_t i)
{
	return i ? &f->domains[i - 1] : &f->selfmod;
}

/* A scenario's domain name: letters, digits, '_' and '-'; others become '_'. */
static void domain_name(char *dst, const char *trace_domain)
{
	if (!trace_domain[0]) {
		strcpy(dst, "default");
		return;
	}
	for (; *trace_domain; trace_domain++)
		*dst++ = isalnum((unsigned char)*trace_domain) || *trace_domain == '-' ?
			 *trace_domain : '_';
	*dst = '\0';
}

/* The index of the domain's group, created on first sight; -1 when there are too many. */
static long domain_group(struct fit *f, const char *trace_domain, struct hc_err *err)
{
	char name[TRACE_STR_MAX];
	domain_name(name, trace_domain);
	for (size_t i = 0; i < f->n_domains; i++)
		if (!strcmp(f->domains[i].name, name))
			return (long)i;
	if (f->n_domains == SCENARIO_MAX_DOMAINS) {
		hc_err_set(err, HC_EINPUT, "domain: got \"%s\", the %dth domain; allowed: at most "
			   "%d domains, as a scenario holds", trace_domain,
			   SCENARIO_MAX_DOMAINS + 1, SCENARIO_MAX_DOMAINS);
		return -1;
	}
	struct fit_group *g = &f->domains[f->n_domains];
	memset(g, 0, sizeof(*g));
	strcpy(g->name, name);
	strcpy(g->trace_name, trace_domain);
	return (long)f->n_domains++;
}

/* The node's state, created on first sight; NULL for a record without a node. */
static struct fit_node *node_for(struct fit *f, const char *node, long iteration, int *oom)
{
	if (!node[0])
		return NULL;
	size_t i;
	struct fit_node *nodes = array_room(f->nodes, f->n_nodes, &f->cap_nodes, sizeof(*nodes));
	if (nodes)
		f->nodes = nodes;
	if (!nodes || strtab_intern(&f->node_index, node, &i)) {
		*oom = 1;
		return NULL;
	}
	if (i == f->n_nodes)
		f->nodes[f->n_nodes++] = (struct fit_node){ .iteration = -1 };
	if (iteration >= 0)
		f->nodes[i].iteration = iteration;
	return &f->nodes[i];
}

/* The (node, domain) counters; NULL for a record without a node. */
static struct fit_node_domain *node_domain_for(struct fit *f, const char *node, size_t domain,
					       int *oom)
{
	char key[2 * TRACE_STR_MAX + 2];
	if (!node[0])
		return NULL;
	snprintf(key, sizeof(key), "%s%c%s", node, KEY_SEP, f->domains[domain].name);
	size_t i;
	struct fit_node_domain *nds = array_room(f->node_domains, f->n_node_domains,
						 &f->cap_node_domains, sizeof(*nds));
	if (nds)
		f->node_domains = nds;
	if (!nds || strtab_intern(&f->node_domain_index, key, &i)) {
		*oom = 1;
		return NULL;
	}
	if (i == f->n_node_domains)
		f->node_domains[f->n_node_domains++] = (struct fit_node_domain){ .domain = domain };
	return &f->node_domains[i];
}

static int tally(struct fit_group *g, const char *model)
{
	for (size_t i = 0; i < g->n_models; i++)
		if (!strcmp(g->models[i].name, model)) {
			g->models[i].n++;
			return 0;
		}
	struct fit_tally *p = realloc(g->models, (g->n_models + 1) * sizeof(*p));
	if (!p)
		return HC_ERUNTIME;
	g->models = p;
	strcpy(p[g->n_models].name, model);
	p[g->n_models++].n = 1;
	return 0;
}

/* The call's session, created on first sight (then counted in its group and node). */
static struct fit_session *session_for(struct fit *f, const struct trace_llm_call *c,
				       size_t group, int *oom)
{
	char key[5 * TRACE_STR_MAX + 8];
	snprintf(key, sizeof(key), "%s%c%s%c%s%c%s%c%s", c->run, KEY_SEP, c->node, KEY_SEP,
		 c->role, KEY_SEP, c->domain, KEY_SEP, c->task);
	size_t i;
	struct fit_session *sessions = array_room(f->sessions, f->n_sessions, &f->cap_sessions,
						  sizeof(*sessions));
	if (sessions)
		f->sessions = sessions;
	if (!sessions || strtab_intern(&f->session_index, key, &i)) {
		*oom = 1;
		return NULL;
	}
	if (i < f->n_sessions)
		return &f->sessions[i];
	struct fit_session *s = &f->sessions[f->n_sessions++];
	*s = (struct fit_session){ .group = group };
	group_at(f, group)->sessions++;
	if (group) {
		struct fit_node_domain *nd = node_domain_for(f, c->node, group - 1, oom);
		if (nd)
			nd->sessions++;
	}
	return *oom ? NULL : s;
}

/* The group's sums and samples for one call of session s. */
static int add_usage(struct fit_group *g, struct fit_session *s, const struct trace_llm_call *c)
{
	const struct usage *u = &c->usage;
	int rc = 0;
	if (s->calls == 0) {
		rc |= vec_push(&g->prompt, (double)u->input);
	} else {
		rc |= vec_push(&g->tool_result, (double)u->input - s->prev_input - s->prev_visible);
		double gap = c->start_time - s->prev_end; /* NAN when either is unknown */
		if (gap >= 0)
			rc |= vec_push(&g->tool_seconds, gap);
	}
	s->calls++;
	s->prev_input = (double)u->input;
	s->prev_visible = (double)(u->output - u->reasoning);
	s->prev_end = c->end_time;
	g->n_calls++;
	g->input += (double)u->input;
	g->cache_read += (double)u->cache_read;
	g->cache_write += (double)u->cache_write;
	g->output_tokens += (double)u->output;
	g->reasoning += (double)u->reasoning;
	g->estimated += c->estimated != 0;
	rc |= vec_push(&g->output, (double)u->output);
	rc |= tally(g, c->model);
	return rc ? HC_ERUNTIME : 0;
}

static int out_of_memory(struct hc_err *err)
{
	return hc_err_set(err, HC_ERUNTIME, "out of memory");
}

static int add_call(struct fit *f, const struct trace_llm_call *c, struct hc_err *err)
{
	int oom = 0, selfmod = !strcmp(c->role, "self_modify");
	if (!c->has_usage) {
		f->no_usage++;
		return 0;
	}
	if (!selfmod && strcmp(c->role, "evaluate")) {
		f->other_roles++;
		return 0;
	}
	long d = selfmod ? -1 : domain_group(f, c->domain, err);
	if (!selfmod && d < 0)
		return HC_EINPUT;
	struct fit_session *s = session_for(f, c, (size_t)(d + 1), &oom);
	if (!s || add_usage(group_at(f, (size_t)(d + 1)), s, c))
		return out_of_memory(err);
	f->estimated += c->estimated != 0;
	struct fit_node *n = node_for(f, c->node, c->iteration, &oom);
	if (oom || (!selfmod && fitconc_add(&f->conc, (size_t)d, c->node, c->task,
					    c->start_time, c->end_time)))
		return out_of_memory(err);
	if (n) {
		n->self_modified |= selfmod;
		n->evaluated |= !selfmod;
		n->has_parent |= c->parent[0] != '\0';
	}
	if (c->iteration > f->max_iteration)
		f->max_iteration = c->iteration;
	return 0;
}

static int add_task(struct fit *f, const struct trace_eval_task *t, struct hc_err *err)
{
	int oom = 0, rc = 0;
	long d = domain_group(f, t->domain, err);
	if (d < 0)
		return HC_EINPUT;
	struct fit_group *g = &f->domains[d];
	if (!strcmp(t->result, "pass"))
		g->passed++;
	else if (!strcmp(t->result, "fail"))
		g->failed++;
	else if (!strcmp(t->result, "error"))
		g->errored++;
	else
		g->unknown++;
	if (isfinite(t->sandbox_seconds))
		rc |= vec_push(&g->sandbox, t->sandbox_seconds);
	if (t->artifact_bytes >= 0)
		rc |= vec_push(&g->artifact, (double)t->artifact_bytes);
	struct fit_node *n = node_for(f, t->node, -1, &oom);
	struct fit_node_domain *nd = node_domain_for(f, t->node, (size_t)d, &oom);
	rc |= fitconc_add(&f->conc, (size_t)d, t->node, t->task, t->start_time, t->end_time);
	if (rc || oom)
		return out_of_memory(err);
	if (n)
		n->evaluated = 1;
	if (nd)
		nd->tasks++;
	return 0;
}

static int add_node(struct fit *f, const struct trace_archive_add *a, struct hc_err *err)
{
	int oom = 0, rc = 0;
	struct fit_node *n = node_for(f, a->node, a->iteration, &oom);
	if (oom)
		return out_of_memory(err);
	if (n) {
		n->evaluated = 1;
		n->has_parent |= a->parent[0] != '\0';
	}
	if (a->parent[0] && a->patch_bytes >= 0)
		rc |= vec_push(&f->patch_bytes, (double)a->patch_bytes);
	if (a->artifact_bytes >= 0)
		rc |= vec_push(&f->node_artifact_bytes, (double)a->artifact_bytes);
	if (a->iteration > f->max_iteration)
		f->max_iteration = a->iteration;
	return rc ? out_of_memory(err) : 0;
}

int fit_add(struct fit *f, const struct trace_record *rec, struct hc_err *err)
{
	f->records[rec->kind]++;
	switch (rec->kind) {
	case TRACE_LLM_CALL:
		return add_call(f, &rec->u.call, err);
	case TRACE_EVAL_TASK:
		return add_task(f, &rec->u.task, err);
	case TRACE_ARCHIVE_ADD:
		return add_node(f, &rec->u.add, err);
	case TRACE_KIND_COUNT:
		break;
	}
	return 0;
}

int fit_trace(struct fit *f, struct trace_reader *r, struct hc_err *err)
{
	struct trace_record rec;
	int rc;
	while ((rc = trace_reader_next(r, &rec, err)) == 1)
		if (fit_add(f, &rec, err))
			return hc_err_prefix(err, "%s:%ld", r->path, r->line);
	return rc < 0 ? rc : 0;
}

/* ---- building the scenario -------------------------------------------------------------- */

struct build {
	struct fit *f;
	cJSON *tree;      /* the scenario */
	cJSON *fields;    /* the report's entries, by path */
	cJSON *informed;  /* the set of paths the trace informed */
	struct hc_err *err;
	struct fit_summary *sum; /* the report's figures, typed */
	struct fit_field *last;  /* the field set last; NULL when out of memory */
	int oom;                 /* a field could not be kept */
	/* session kinds with automatic caching, whose hit rate is fitted on the built scenario */
	struct automatic_fit {
		cJSON *obj;
		size_t check;    /* its entry in sum->checks */
		double cached_obs; /* cache reads per session in the trace */
	} automatic[SCENARIO_MAX_DOMAINS + 1];
	size_t n_automatic;
	/* per fitted domain, the base's domain it was copied from (domain_template) */
	char template_of[SCENARIO_MAX_DOMAINS][SCENARIO_NAME_MAX];
	const struct scenario *fitted; /* the scenario parsed, its priors kept; for the report */
};

/* Six significant digits: what a person reads, and far below the fits' own uncertainty. */
static double sig6(double x)
{
	char buf[40];
	snprintf(buf, sizeof(buf), "%.6g", x);
	return strtod(buf, NULL);
}

static cJSON *dist_json(const struct dist *d)
{
	if (d->kind == DIST_CONST)
		return cJSON_CreateNumber(sig6(d->a));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dist", dist_kind_name(d->kind));
	if (d->kind == DIST_EMPIRICAL) {
		cJSON *values = cJSON_AddArrayToObject(o, "values");
		for (size_t i = 0; i < d->n; i++)
			cJSON_AddItemToArray(values, cJSON_CreateNumber(sig6(d->values[i])));
		return o;
	}
	cJSON_AddNumberToObject(o, "mean", sig6(d->a));
	if (d->kind != DIST_EXPONENTIAL)
		cJSON_AddNumberToObject(o, "cv", sig6(d->b));
	return o;
}

/* The summary's next field, typed from value; d is the distribution value was made from. */
static void add_field(struct build *b, const char *path, const cJSON *value,
		      const struct dist *d)
{
	struct fit_summary *s = b->sum;
	struct fit_field *fl = array_room(s->fields, s->n_fields, &s->cap_fields, sizeof(*fl));
	b->last = NULL;
	if (!fl) {
		b->oom = 1;
		return;
	}
	s->fields = fl;
	fl = b->last = &s->fields[s->n_fields++];
	snprintf(fl->path, sizeof(fl->path), "%s", path);
	if (cJSON_IsString(value)) {
		fl->kind = FIT_TEXT;
		snprintf(fl->text, sizeof(fl->text), "%s", value->valuestring);
	} else if (cJSON_IsNumber(value)) {
		fl->kind = FIT_NUMBER;
		fl->number = value->valuedouble;
	} else {
		fl->kind = FIT_DIST;
		fl->dist = *d;
		fl->dist.values = NULL;
		fl->dist.a = sig6(d->a);
		fl->dist.b = sig6(d->b);
		snprintf(fl->text, sizeof(fl->text), "%s", json_get_str(value, "dist", NULL));
	}
}

/*
 * Replaces obj[key] with value and records path as informed, with value in the report and
 * the summary; d: the distribution value was made from, or NULL for text and numbers.
 */
static cJSON *set_field(struct build *b, cJSON *obj, const char *key, const char *path,
			cJSON *value, const struct dist *d)
{
	add_field(b, path, value, d);
	cJSON *entry = cJSON_AddObjectToObject(b->fields, path);
	cJSON_AddItemToObject(entry, "value", cJSON_Duplicate(value, 1));
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
	cJSON_AddTrueToObject(b->informed, path);
	return entry;
}

static cJSON *set_number(struct build *b, cJSON *obj, const char *key, const char *path,
			 double v, const char *how)
{
	cJSON *entry = set_field(b, obj, key, path, cJSON_CreateNumber(sig6(v)), NULL);
	cJSON_AddStringToObject(entry, "from", how);
	return entry;
}

static void path_join(char *buf, size_t size, const char *prefix, const char *key)
{
	snprintf(buf, size, "%s%s%s", prefix, *prefix ? "." : "", key);
}

static cJSON *candidate_json(int family, const struct fitdist_candidate *c)
{
	static const char *const p1[] = { "mu", "shape", "mean", "distinct_values" };
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, p1[family], c->p1);
	if (family == FITDIST_LOGNORMAL)
		cJSON_AddNumberToObject(o, "sigma", c->p2);
	if (family == FITDIST_GAMMA)
		cJSON_AddNumberToObject(o, "scale", c->p2);
	if (family != FITDIST_EXPONENTIAL)
		cJSON_AddNumberToObject(o, "mean", c->mean);
	cJSON_AddNumberToObject(o, "cv", c->cv);
	cJSON_AddNumberToObject(o, "params", c->params);
	cJSON_AddNumberToObject(o, "loglik", c->loglik);
	cJSON_AddNumberToObject(o, "aic", c->aic);
	cJSON_AddNumberToObject(o, "ks", c->ks);
	return o;
}

/* The sample, every fitted candidate and the choice, into the field set last and its entry. */
static void describe_fit(struct build *b, cJSON *entry, const struct fitdist *fd)
{
	if (b->last) {
		b->last->fitted = 1;
		b->last->fit = *fd;
		b->last->fit.values = NULL;
		b->last->fit.dist.values = NULL;
		fd = &b->last->fit;
	}
	cJSON_AddNumberToObject(entry, "n", (double)fd->n);
	cJSON_AddNumberToObject(entry, "zeros", (double)fd->n_zero);
	cJSON *s = cJSON_AddObjectToObject(entry, "sample");
	cJSON_AddNumberToObject(s, "mean", fd->mean);
	cJSON_AddNumberToObject(s, "sd", fd->sd);
	cJSON_AddNumberToObject(s, "min", fd->min);
	cJSON_AddNumberToObject(s, "max", fd->max);
	cJSON *cands = cJSON_AddObjectToObject(entry, "candidates");
	for (int f = 0; f < FITDIST_COUNT; f++)
		if (fd->cand[f].fitted)
			cJSON_AddItemToObject(cands, fitdist_family_name(f),
					      candidate_json(f, &fd->cand[f]));
	cJSON_AddStringToObject(entry, "chosen", fitdist_family_name(fd->chosen));
	cJSON_AddStringToObject(entry, "likelihood", fd->discrete ?
				"of the counts after rounding (empirical: observed frequencies)" :
				"of the positive values (zeros counted apart)");
	if (fd->cv_clamped)
		cJSON_AddStringToObject(entry, "note", "the fitted cv is above 10, the most a "
					"scenario takes: clamped to 10");
}

static cJSON *set_dist(struct build *b, cJSON *obj, const char *key, const char *prefix,
		       const struct fitdist *fd, const struct dist *d)
{
	char path[512];
	path_join(path, sizeof(path), prefix, key);
	cJSON *entry = set_field(b, obj, key, path, dist_json(d), d);
	describe_fit(b, entry, fd);
	return entry;
}

/* A continuous quantity's fit into obj[key]; nothing when there are no samples. */
static int fit_continuous_field(struct build *b, cJSON *obj, const char *key, const char *prefix,
				struct fit_vec *v)
{
	struct fitdist fd;
	if (!v->n)
		return 0;
	if (fitdist_continuous(&fd, v->v, v->n, b->err))
		return HC_ERUNTIME;
	set_dist(b, obj, key, prefix, &fd, &fd.dist);
	fitdist_release(&fd);
	return 0;
}

static double number_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *most_used_model(const struct fit_group *g)
{
	const struct fit_tally *best = NULL;
	for (size_t i = 0; i < g->n_models; i++)
		if (!best || g->models[i].n > best->n)
			best = &g->models[i];
	return best && best->name[0] ? best->name : NULL;
}

static double vec_max(const struct fit_vec *v)
{
	double m = 0;
	for (size_t i = 0; i < v->n; i++)
		m = fmax(m, v->v[i]);
	return m;
}

/* A cap (max_calls, max_output_tokens): the base's, raised to the largest value observed. */
static double cap_field(struct build *b, cJSON *obj, const char *key, const char *prefix,
			double observed_max)
{
	char path[512];
	double cap = number_at(obj, key);
	if (observed_max <= cap)
		return cap;
	path_join(path, sizeof(path), prefix, key);
	set_number(b, obj, key, path, ceil(observed_max),
		   "the base's cap was below a value the trace holds: raised to the largest");
	return ceil(observed_max);
}

/* What the calibration of one session kind works with. */
struct session_fit {
	struct fitdist_count_moments m;
	double prompt, output, visible, tool_result, hit_rate;
	double input_obs, cached_obs, output_obs; /* per session */
	int caching;
};

static const char *const caching_names[] = { "off", "automatic", "explicit" };

/* calls, prompt_tokens, output_tokens (with its cap) and reasoning_fraction */
static int fit_call_shape(struct build *b, struct fit_group *g, cJSON *obj, const char *prefix,
			  struct session_fit *sf)
{
	struct fitdist k, out;
	char path[512];
	unsigned max_calls = (unsigned)cap_field(b, obj, "max_calls", prefix, vec_max(&g->calls));
	if (fitdist_count(&k, g->calls.v, g->calls.n, max_calls, b->err))
		return HC_ERUNTIME;
	set_dist(b, obj, "calls", prefix, &k, &k.dist);
	int rc = fitdist_count_moments(&k.dist, max_calls, &sf->m);
	fitdist_release(&k);
	if (rc || fit_continuous_field(b, obj, "prompt_tokens", prefix, &g->prompt))
		return HC_ERUNTIME;
	double sum = 0;
	for (size_t i = 0; i < g->prompt.n; i++)
		sum += g->prompt.v[i];
	sf->prompt = g->prompt.n ? sig6(sum / (double)g->prompt.n) : 0;

	double cap = cap_field(b, obj, "max_output_tokens", prefix, vec_max(&g->output));
	if (fitdist_continuous(&out, g->output.v, g->output.n, b->err))
		return HC_ERUNTIME;
	struct dist d = out.dist;
	int capped = fitdist_match_capped_mean(&d, out.mean, cap, 1e6);
	d.a = sig6(d.a);
	cJSON *entry = set_dist(b, obj, "output_tokens", prefix, &out, &d);
	if (d.a != sig6(out.mean))
		cJSON_AddStringToObject(entry, "calibrated", capped ?
			"the cap at max_output_tokens cuts the mean below the sample's even at the "
			"largest mean allowed (1e6)" :
			"mean raised so that the mean after the cap at max_output_tokens is the "
			"sample's");
	sf->output = out.mean;
	fitdist_release(&out);

	double rf = g->output_tokens > 0 ? g->reasoning / g->output_tokens : 0;
	path_join(path, sizeof(path), prefix, "reasoning_fraction");
	set_number(b, obj, "reasoning_fraction", path, rf,
		   "sum of reasoning tokens / sum of output tokens");
	sf->visible = (1 - sig6(rf)) * sf->output;
	return 0;
}

/*
 * The tool result's mean is set so that the model's expected input per session,
 * E[K] P + E[K(K-1)/2] (v + r), equals the trace's: the measured growth would carry every
 * call's typical visible output into later calls, which overshoots when sessions end on
 * their longest output (docs/fit.md, "Calibration").
 */
static int fit_tool_result(struct build *b, struct fit_group *g, cJSON *obj, const char *prefix,
			   struct session_fit *sf)
{
	char path[512];
	struct fitdist fd;
	sf->tool_result = 0;
	if (!g->tool_result.n || !(sf->m.pairs > 0))
		return 0;
	double measured = 0;
	for (size_t i = 0; i < g->tool_result.n; i++)
		measured += g->tool_result.v[i];
	measured /= (double)g->tool_result.n;
	double r = (sf->input_obs - sf->m.k * sf->prompt) / sf->m.pairs - sf->visible;
	int clamped = r < 0;
	if (fitdist_continuous(&fd, g->tool_result.v, g->tool_result.n, b->err))
		return HC_ERUNTIME;
	struct dist d = fd.dist;
	d.a = sig6(clamped ? 0 : r);
	if (d.a == 0)
		d = (struct dist){ .kind = DIST_CONST, .a = 0 };
	path_join(path, sizeof(path), prefix, "tool_result_tokens");
	cJSON *entry = set_field(b, obj, "tool_result_tokens", path, dist_json(&d), &d);
	describe_fit(b, entry, &fd);
	cJSON_AddNumberToObject(entry, "measured_mean", measured);
	cJSON_AddStringToObject(entry, "calibrated", clamped ?
		"the effective mean came out negative (the model's context grows faster than the "
		"trace's): set to 0; the model overestimates input" :
		"mean = (observed input per session - E[K] P) / E[K(K-1)/2] - (1 - f) E[output]: "
		"the model's expected input per session equals the trace's");
	sf->tool_result = d.a;
	fitdist_release(&fd);
	return 0;
}

/*
 * caching (off, automatic, explicit) from what the calls report, and the hit rate. With
 * explicit caching every previous input is cacheable and the closed form gives h; automatic
 * caching reads only prefixes of 1,024 tokens or more, which the moments of K cannot give, so
 * its h is fitted once the scenario is built (fit_automatic_hit_rates).
 */
static void fit_caching(struct build *b, struct fit_group *g, cJSON *obj, const char *prefix,
			struct session_fit *sf)
{
	char path[512];
	sf->caching = g->cache_write > 0 ? CACHING_EXPLICIT :
		      g->cache_read > 0 ? CACHING_AUTOMATIC : CACHING_OFF;
	path_join(path, sizeof(path), prefix, "caching");
	cJSON *entry = set_field(b, obj, "caching", path,
				 cJSON_CreateString(caching_names[sf->caching]), NULL);
	cJSON_AddStringToObject(entry, "from", "explicit when a call reports cache writes, "
				"automatic when one reports cache reads, else off");
	sf->hit_rate = number_at(obj, "cache_hit_rate");
	if (sf->caching == CACHING_AUTOMATIC) {
		b->automatic[b->n_automatic++] = (struct automatic_fit){ obj, b->sum->n_checks,
									  sf->cached_obs };
		return;
	}
	double prefix_tokens = sf->m.k1 * sf->prompt + sf->m.pairs1 * (sf->visible +
								       sf->tool_result);
	if (sf->caching == CACHING_OFF || !(prefix_tokens > 0))
		return;
	double h = sf->cached_obs / prefix_tokens;
	path_join(path, sizeof(path), prefix, "cache_hit_rate");
	entry = set_number(b, obj, "cache_hit_rate", path, fmin(h, 1),
			   "observed cache reads per session / (E[K-1] P + E[(K-1)(K-2)/2] "
			   "(v + r)): the model's expected cache reads equal the trace's");
	if (h > 1)
		cJSON_AddStringToObject(entry, "note", "the trace reads more from the cache than "
					"the previous calls' inputs: clamped to 1");
	sf->hit_rate = sig6(fmin(h, 1));
}

/* Sessions simulated, and their seed, for the expected cacheable prefix (docs/fit.md). */
#define FIT_CACHE_SESSIONS 100000
#define FIT_CACHE_SEED 20260724u

/* The expected cache reads per session of p at hit rate 1: what automatic caching can read. */
static double expected_cacheable(const struct session_params *p)
{
	struct session_params whole = *p;
	struct session s;
	struct usage u;
	struct rng r;
	double tool, sum = 0;
	whole.cache_hit_rate = 1;
	if (rng_init(&r, FIT_CACHE_SEED, 0))
		return NAN;
	for (int i = 0; i < FIT_CACHE_SESSIONS; i++) {
		session_start(&s, &whole, &r);
		while (session_next(&s, &r, &u, &tool))
			sum += (double)u.cache_read;
	}
	rng_release(&r);
	return sum / FIT_CACHE_SESSIONS;
}

static struct session_params *session_of(struct scenario *sc, const char *group)
{
	if (!strcmp(group, "self_modification"))
		return &sc->self_modification.session;
	for (size_t d = 0; d < sc->n_domains; d++) {
		char path[FIT_PATH_MAX];
		snprintf(path, sizeof(path), "domains.%s.task", sc->domains[d].name);
		if (!strcmp(group, path))
			return &sc->domains[d].task;
	}
	return NULL;
}

/*
 * The hit rate of automatic caching: h = observed cache reads per session / the expected
 * cacheable prefix per session of the built scenario's session (prefixes of 1,024 tokens or
 * more, rounded down to 1,024 + 128k, model/session.h), so that the model's expected cache
 * reads equal the trace's. Set into both the tree and the scenario.
 */
static void fit_automatic_hit_rates(struct build *b, struct scenario *sc)
{
	char path[512];
	for (size_t i = 0; i < b->n_automatic; i++) {
		struct fit_check *c = &b->sum->checks[b->automatic[i].check];
		struct session_params *p = session_of(sc, c->group);
		double cacheable = p ? expected_cacheable(p) : NAN;
		if (!(cacheable > 0))
			continue;
		double h = b->automatic[i].cached_obs / cacheable;
		path_join(path, sizeof(path), c->group, "cache_hit_rate");
		cJSON *entry = set_number(b, b->automatic[i].obj, "cache_hit_rate", path,
					  fmin(h, 1), "observed cache reads per session / the "
					  "expected cacheable prefix per session (previous inputs "
					  "of 1,024 tokens or more, rounded down to 1,024 + 128k; "
					  "100,000 simulated sessions): the model's expected cache "
					  "reads equal the trace's");
		if (h > 1)
			cJSON_AddStringToObject(entry, "note", "the trace reads more from the "
						"cache than the model's cacheable prefixes: clamped "
						"to 1");
		p->cache_hit_rate = sig6(fmin(h, 1));
		c->expected.cache_read = p->cache_hit_rate * cacheable;
	}
}

static cJSON *tokens_json(const struct fit_tokens *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "input", t->input);
	cJSON_AddNumberToObject(o, "cache_read", t->cache_read);
	cJSON_AddNumberToObject(o, "output", t->output);
	return o;
}

/* The session kind's check into the summary (one per session kind: at most 1 + 16). */
static void add_check(struct build *b, const char *prefix, const struct fit_group *g,
		      const struct session_fit *sf)
{
	struct fit_check *c = &b->sum->checks[b->sum->n_checks++];
	double growth = sf->visible + sf->tool_result;
	snprintf(c->group, sizeof(c->group), "%s", prefix);
	c->sessions = g->sessions;
	c->calls = g->n_calls;
	c->observed = (struct fit_tokens){ sf->input_obs, sf->cached_obs, sf->output_obs };
	c->expected = (struct fit_tokens){
		.input = sf->m.k * sf->prompt + sf->m.pairs * growth,
		.cache_read = sf->caching != CACHING_EXPLICIT ? 0 : /* automatic: later */
			      sf->hit_rate * (sf->m.k1 * sf->prompt + sf->m.pairs1 * growth),
		.output = sf->m.k * sf->output,
	};
}

static cJSON *checks_json(const struct fit_summary *s)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < s->n_checks; i++) {
		const struct fit_check *c = &s->checks[i];
		cJSON *x = cJSON_AddObjectToObject(o, c->group);
		cJSON_AddNumberToObject(x, "sessions", (double)c->sessions);
		cJSON_AddNumberToObject(x, "calls", (double)c->calls);
		cJSON_AddItemToObject(x, "observed_per_session", tokens_json(&c->observed));
		cJSON_AddItemToObject(x, "expected_per_session", tokens_json(&c->expected));
	}
	return o;
}

/* Every session field of obj (self_modification or a domain's task) from group g. */
static int fit_session(struct build *b, struct fit_group *g, cJSON *obj, const char *prefix)
{
	struct session_fit sf = { .prompt = 0 };
	if (!g->sessions)
		return 0;
	/* the fitted sizes are for the trace's model, the role's: calibrated_for "" */
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "calibrated_for");
	sf.input_obs = g->input / (double)g->sessions;
	sf.cached_obs = g->cache_read / (double)g->sessions;
	sf.output_obs = g->output_tokens / (double)g->sessions;
	if (fit_call_shape(b, g, obj, prefix, &sf) || fit_tool_result(b, g, obj, prefix, &sf) ||
	    fit_continuous_field(b, obj, "tool_seconds", prefix, &g->tool_seconds))
		return HC_ERUNTIME;
	fit_caching(b, g, obj, prefix, &sf);
	add_check(b, prefix, g, &sf);
	return 0;
}

/* Sets obj[key] to a number without counting it as informed (a base value kept in bounds). */
static void adjust(struct build *b, cJSON *obj, const char *key, const char *path, double v,
		   const char *why)
{
	char note[600];
	if (number_at(obj, key) == v)
		return;
	snprintf(note, sizeof(note), "%s: the base's %g %s: %g", path, number_at(obj, key), why, v);
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateNumber(v));
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(b->tree, "_notes"),
			     cJSON_CreateString(note));
}

/* A copy of the base's domain named name, else of its first; *from gets the one copied. */
static cJSON *domain_template(const cJSON *domains, const char *name,
			      char from[SCENARIO_NAME_MAX])
{
	const cJSON *d, *chosen = cJSON_GetArrayItem(domains, 0);
	cJSON_ArrayForEach(d, domains) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			chosen = d;
	}
	const char *chosen_name = json_get_str(chosen, "name", NULL);
	snprintf(from, SCENARIO_NAME_MAX, "%s", chosen_name ? chosen_name : "");
	return cJSON_Duplicate(chosen, 1);
}

/* full_tasks, screen_tasks and gate_min_passed */
static void fit_task_counts(struct build *b, const struct fit_group *g, cJSON *obj,
			    const char *prefix)
{
	char path[512];
	double full = number_at(obj, "full_tasks");
	if (g->tasks_max) {
		full = g->tasks_max;
		path_join(path, sizeof(path), prefix, "full_tasks");
		set_number(b, obj, "full_tasks", path, full, "the most tasks one node evaluated "
			   "(eval_task records, or task sessions when more)");
	}
	double screen = fmin(number_at(obj, "screen_tasks"), full);
	path_join(path, sizeof(path), prefix, "screen_tasks");
	if (g->tasks_min < g->tasks_max) {
		screen = g->tasks_min;
		set_number(b, obj, "screen_tasks", path, screen, "the fewest tasks one node "
			   "evaluated (a node that stopped after its screen)");
	} else {
		adjust(b, obj, "screen_tasks", path, screen, "is above full_tasks: lowered to it");
	}
	path_join(path, sizeof(path), prefix, "gate_min_passed");
	adjust(b, obj, "gate_min_passed", path, fmin(number_at(obj, "gate_min_passed"), screen),
	       "is above screen_tasks: lowered to it");
}

/* eval_workers: the pool the task spans show, or the base's kept (fit/fitconc.h). */
static int fit_concurrency(struct build *b, const struct fit_group *g, cJSON *obj,
			   const char *prefix)
{
	struct fit_summary *s = b->sum;
	struct fit_concurrency *c = &s->concurrency[s->n_concurrency];
	if (fitconc_domain(&b->f->conc, (size_t)(g - b->f->domains), &c->r))
		return HC_ERUNTIME;
	s->n_concurrency++;
	snprintf(c->domain, sizeof(c->domain), "%s", g->name);
	c->eval_workers = (unsigned)number_at(obj, "eval_workers");
	fitconc_sentence(&c->r, c->eval_workers, c->sentence, sizeof(c->sentence));
	if (c->r.verdict != FITCONC_POOL)
		return 0;
	char path[512];
	path_join(path, sizeof(path), prefix, "eval_workers");
	c->eval_workers = c->r.workers;
	set_number(b, obj, "eval_workers", path, c->r.workers, "the most evaluation task "
		   "spans open at once, a pool's (docs/fit.md, \"Evaluation concurrency\")");
	return 0;
}

static int fit_domain(struct build *b, struct fit_group *g, cJSON *obj)
{
	char prefix[256], path[512];
	snprintf(prefix, sizeof(prefix), "domains.%s", g->name);
	path_join(path, sizeof(path), prefix, "name");
	cJSON *e = set_field(b, obj, "name", path, cJSON_CreateString(g->name), NULL);
	cJSON_AddStringToObject(e, "from", g->trace_name[0] ? g->trace_name :
				"(no domain in the trace)");
	const char *model = most_used_model(g);
	if (model) {
		path_join(path, sizeof(path), prefix, "model");
		e = set_field(b, obj, "model", path, cJSON_CreateString(model), NULL);
		cJSON_AddStringToObject(e, "from", "the model of most of the domain's calls");
	}
	fit_task_counts(b, g, obj, prefix);
	if (fit_concurrency(b, g, obj, prefix))
		return HC_ERUNTIME;
	size_t judged = g->passed + g->failed + g->errored;
	if (judged) {
		path_join(path, sizeof(path), prefix, "initial_score");
		e = set_number(b, obj, "initial_score", path, (double)g->passed / (double)judged,
			       "passed / (passed + failed + error) over the eval_task records");
		cJSON_AddNumberToObject(e, "passed", (double)g->passed);
		cJSON_AddNumberToObject(e, "judged", (double)judged);
	}
	char task_prefix[300];
	snprintf(task_prefix, sizeof(task_prefix), "%s.task", prefix);
	if (fit_continuous_field(b, obj, "sandbox_seconds", prefix, &g->sandbox) ||
	    fit_continuous_field(b, obj, "artifact_bytes", prefix, &g->artifact) ||
	    fit_session(b, g, cJSON_GetObjectItemCaseSensitive(obj, "task"), task_prefix))
		return HC_ERUNTIME;
	return 0;
}

static int fit_domains(struct build *b)
{
	struct fit *f = b->f;
	if (!f->n_domains)
		return 0;
	cJSON *base = cJSON_GetObjectItemCaseSensitive(b->tree, "domains");
	cJSON *domains = cJSON_CreateArray();
	for (size_t i = 0; i < f->n_domains; i++) {
		cJSON *d = domain_template(base, f->domains[i].name, b->template_of[i]);
		cJSON_AddItemToArray(domains, d);
		if (fit_domain(b, &f->domains[i], d)) {
			cJSON_Delete(domains);
			return HC_ERUNTIME;
		}
	}
	cJSON_ReplaceItemInObjectCaseSensitive(b->tree, "domains", domains);
	return 0;
}

/* Children that made a self-modification session but were never evaluated nor archived. */
static void fit_compile_failures(struct build *b, cJSON *obj)
{
	struct fit *f = b->f;
	size_t children = 0, failed = 0;
	if (!f->records[TRACE_EVAL_TASK] && !f->records[TRACE_ARCHIVE_ADD])
		return; /* then absence of an evaluation says nothing */
	for (size_t i = 0; i < f->n_nodes; i++)
		if (f->nodes[i].self_modified) {
			children++;
			failed += !f->nodes[i].evaluated;
		}
	if (!children)
		return;
	cJSON *e = set_number(b, obj, "compile_failure_rate",
			      "self_modification.compile_failure_rate",
			      (double)failed / (double)children, "nodes with a self-modification "
			      "session but no evaluation and no archive_add / all such nodes");
	cJSON_AddNumberToObject(e, "children", (double)children);
	cJSON_AddNumberToObject(e, "failed", (double)failed);
}

static int fit_selfmod(struct build *b)
{
	struct fit_group *g = &b->f->selfmod;
	cJSON *obj = cJSON_GetObjectItemCaseSensitive(b->tree, "self_modification");
	const char *model = most_used_model(g);
	if (model)
		cJSON_AddStringToObject(set_field(b, obj, "model", "self_modification.model",
						  cJSON_CreateString(model), NULL),
					"from", "the model of most self_modify calls");
	if (fit_session(b, g, obj, "self_modification") ||
	    fit_continuous_field(b, obj, "patch_bytes", "self_modification", &b->f->patch_bytes))
		return HC_ERUNTIME;
	fit_compile_failures(b, obj);
	return 0;
}

/* iterations and children_per_iteration */
static int fit_top(struct build *b)
{
	struct fit *f = b->f;
	if (f->max_iteration < 0)
		return 0;
	set_number(b, b->tree, "iterations", "iterations", (double)f->max_iteration,
		   "the largest iteration a record names");
	unsigned *per = calloc((size_t)f->max_iteration + 1, sizeof(*per));
	unsigned most = 0;
	if (!per)
		return out_of_memory(b->err);
	for (size_t i = 0; i < f->n_nodes; i++) {
		const struct fit_node *n = &f->nodes[i];
		if (n->iteration >= 1 && (n->self_modified || n->has_parent) &&
		    ++per[n->iteration] > most)
			most = per[n->iteration];
	}
	free(per);
	if (most)
		set_number(b, b->tree, "children_per_iteration", "children_per_iteration",
			   fmin(most, 64), "the most children (nodes with a parent or a "
			   "self-modification session) of one iteration");
	return 0;
}

/* The priors of the fitted scenario at path or inside its value (a distribution's mean). */
static size_t priors_at(const struct scenario *sc, const char *path, const struct prior **first)
{
	size_t n = 0, len = strlen(path);
	for (size_t i = 0; i < sc->n_priors; i++) {
		const char *at = sc->priors[i].path;
		if (strncmp(at, path, len) || (at[len] && at[len] != '.'))
			continue;
		if (!n++)
			*first = &sc->priors[i];
	}
	return n;
}

/*
 * A defaulted value for a person: item as compact JSON, a prior in a few words and "(prior)"
 * (inside a distribution, as that parameter's string). The caller frees it; NULL out of memory.
 */
static char *defaulted_text(const struct scenario *sc, const char *path, const cJSON *item)
{
	char words[PRIOR_PATH_MAX + 16], shown[PRIOR_PATH_MAX];
	const struct prior *p = NULL;
	size_t len = strlen(path);
	if (priors_at(sc, path, &p) && !strcmp(p->path, path)) {
		prior_describe(p, shown, sizeof(shown));
		snprintf(words, sizeof(words), "%s (prior)", shown);
		return strdup(words);
	}
	cJSON *copy = cJSON_Duplicate(item, 1);
	for (size_t i = 0; copy && i < sc->n_priors; i++) {
		cJSON *parent, *at;
		if (strncmp(sc->priors[i].path, path, len) || sc->priors[i].path[len] != '.' ||
		    !(at = scenario_tree_at(copy, sc->priors[i].path + len + 1, &parent)))
			continue;
		prior_describe(&sc->priors[i], shown, sizeof(shown));
		snprintf(words, sizeof(words), "%s (prior)", shown);
		cJSON_ReplaceItemInObjectCaseSensitive(parent, at->string, cJSON_CreateString(words));
	}
	char *text = copy ? cJSON_PrintUnformatted(copy) : NULL;
	cJSON_Delete(copy);
	return text;
}

/* A cost-relevant field that kept the base's value, into the summary and the report. */
static void add_cost_default(struct build *b, const char *path, const cJSON *item,
			     cJSON *out)
{
	struct fit_summary *s = b->sum;
	struct fit_default *d = array_room(s->cost_defaulted, s->n_cost_defaulted,
					   &s->cap_cost_defaulted, sizeof(*d));
	char *text = defaulted_text(b->fitted, path, item);
	if (!d || !text) {
		free(text);
		b->oom = 1;
		return;
	}
	s->cost_defaulted = d;
	d = &s->cost_defaulted[s->n_cost_defaulted++];
	snprintf(d->path, sizeof(d->path), "%s", path);
	if (strlen(text) >= sizeof(d->value))
		snprintf(d->value, sizeof(d->value), "%.*s...", (int)sizeof(d->value) - 4, text);
	else
		snprintf(d->value, sizeof(d->value), "%s", text);
	free(text);
	cJSON_AddItemToObject(out, path, cJSON_Duplicate(item, 1));
}

/* The report's lists of defaulted fields: every one, the priors, the cost-relevant ones. */
struct defaulted_lists {
	cJSON *all, *priors, *costly;
};

/*
 * Every leaf of obj (a prior object is one) whose path was not informed, in the order of the
 * file, into out->all; those holding a prior into out->priors; the cost-relevant ones with
 * their values into out->costly and the summary.
 */
static void list_defaulted(struct build *b, const cJSON *obj, const char *prefix,
			   const struct defaulted_lists *out)
{
	const cJSON *item;
	char path[512];
	cJSON_ArrayForEach(item, obj) {
		if (item->string[0] == '_')
			continue;
		path_join(path, sizeof(path), prefix, item->string);
		if (cJSON_IsArray(item)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, item) {
				char sub[600];
				const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
				snprintf(sub, sizeof(sub), "%s.%s", path,
					 cJSON_IsString(n) ? n->valuestring : "?");
				list_defaulted(b, e, sub, out);
			}
		} else if (cJSON_IsObject(item) && !prior_is_object(item) &&
			   !cJSON_GetObjectItemCaseSensitive(item, "dist")) {
			list_defaulted(b, item, path, out);
		} else if (!cJSON_GetObjectItemCaseSensitive(b->informed, path)) {
			const struct prior *p;
			cJSON_AddItemToArray(out->all, cJSON_CreateString(path));
			if (priors_at(b->fitted, path, &p))
				cJSON_AddItemToArray(out->priors, cJSON_CreateString(path));
			if (fitbase_cost_relevant(path, obj))
				add_cost_default(b, path, item, out->costly);
		}
	}
}

/* ---- the base's priors ------------------------------------------------------------------ */

/* 1 when the trace informed path or a field holding it (the distribution of a prior mean). */
static int informed_at(const struct build *b, const char *path)
{
	char at[FIT_PATH_MAX];
	snprintf(at, sizeof(at), "%s", path);
	for (;;) {
		if (cJSON_GetObjectItemCaseSensitive(b->informed, at))
			return 1;
		char *dot = strrchr(at, '.');
		if (!dot)
			return 0;
		*dot = '\0';
	}
}

/* The base's prior p put back at path of the fitted tree when the fit left the base's value
 * (p's median) there; *kept counts those put back. */
static int keep_prior(struct build *b, const struct scenario *base, const struct prior *p,
		      const char *path, size_t *kept)
{
	const cJSON *now = scenario_tree_at(b->tree, path, NULL);
	const cJSON *was = scenario_tree_at(base->tree, p->path, NULL);
	if (informed_at(b, path) || !now || !was || !cJSON_Compare(now, was, 1))
		return 0;
	++*kept;
	return prior_restore(b->tree, path, base, p, b->err);
}

/* path with "domains.<from>." made "domains.<to>." into out; 0 when path is not from's. */
static int domain_path(const char *path, const char *from, const char *to, char *out,
		       size_t size)
{
	size_t n = strlen(from);
	if (strncmp(path, "domains.", 8) || strncmp(path + 8, from, n) || path[8 + n] != '.')
		return 0;
	snprintf(out, size, "domains.%s%s", to, path + 8 + n);
	return 1;
}

/*
 * Every prior of the base on a field the fit left at the base's value, put back whole
 * (docs/fit.md, "The base"), so that simulate and --extrapolate draw it per replication as
 * they would the base's; a domain's prior goes to every fitted domain copied from its domain.
 * sc is parsed again when one was put back; released on error.
 */
static int keep_base_priors(struct build *b, const struct scenario *base, struct scenario *sc)
{
	size_t kept = 0;
	int rc = 0;
	for (size_t i = 0; !rc && i < base->n_priors; i++) {
		const struct prior *p = &base->priors[i];
		char path[FIT_PATH_MAX];
		if (!b->f->n_domains || strncmp(p->path, "domains.", 8)) {
			rc = keep_prior(b, base, p, p->path, &kept);
			continue;
		}
		for (size_t d = 0; !rc && d < b->f->n_domains; d++)
			if (domain_path(p->path, b->template_of[d], b->f->domains[d].name, path,
					sizeof(path)))
				rc = keep_prior(b, base, p, path, &kept);
	}
	if (!rc && kept) {
		scenario_release(sc);
		return scenario_from_json(sc, b->tree, "the fitted scenario", b->err);
	}
	if (rc)
		scenario_release(sc);
	return rc;
}

/* Every session's call count into its group; the tasks per node of every domain. */
static int finish(struct fit *f, struct hc_err *err)
{
	if (f->finished)
		return hc_err_set(err, HC_ERUNTIME, "fit_build ran twice on one fit");
	f->finished = 1;
	for (size_t i = 0; i < f->n_sessions; i++)
		if (vec_push(&group_at(f, f->sessions[i].group)->calls, f->sessions[i].calls))
			return out_of_memory(err);
	for (size_t i = 0; i < f->n_domains; i++)
		f->domains[i].tasks_min = UINT_MAX;
	for (size_t i = 0; i < f->n_node_domains; i++) {
		const struct fit_node_domain *nd = &f->node_domains[i];
		struct fit_group *g = &f->domains[nd->domain];
		unsigned n = nd->tasks > nd->sessions ? nd->tasks : nd->sessions;
		g->tasks_max = n > g->tasks_max ? n : g->tasks_max;
		g->tasks_min = n < g->tasks_min ? n : g->tasks_min;
	}
	for (size_t i = 0; i < f->n_domains; i++) {
		struct fit_group *g = &f->domains[i];
		if (g->tasks_min == UINT_MAX) { /* no record named a node */
			size_t tasks = g->passed + g->failed + g->errored + g->unknown;
			g->tasks_max = g->tasks_min = (unsigned)(tasks > g->sessions ? tasks :
								  g->sessions);
		}
	}
	return 0;
}

/* The summary's figures from what was added. */
static void summarise(const struct fit *f, const struct scenario *base, const char *trace,
		      struct fit_summary *s)
{
	snprintf(s->trace, sizeof(s->trace), "%s", trace);
	snprintf(s->base, sizeof(s->base), "%s", base->origin);
	memcpy(s->records, f->records, sizeof(s->records));
	s->calls_fitted = f->selfmod.n_calls;
	for (size_t i = 0; i < f->n_domains; i++)
		s->calls_fitted += f->domains[i].n_calls;
	s->calls_estimated = f->estimated;
	s->calls_without_usage = f->no_usage;
	s->calls_other_roles = f->other_roles;
}

/* {"<domain>": {"verdict": ..., "eval_workers": ..., "peak": ..., ..., "sentence": ...}} */
static cJSON *concurrency_json(const struct fit_summary *s)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < s->n_concurrency; i++) {
		const struct fit_concurrency *c = &s->concurrency[i];
		cJSON *d = cJSON_AddObjectToObject(o, c->domain);
		cJSON_AddStringToObject(d, "verdict", fitconc_verdict_name(c->r.verdict));
		cJSON_AddNumberToObject(d, "eval_workers", c->eval_workers);
		cJSON_AddNumberToObject(d, "peak", c->r.peak);
		cJSON_AddNumberToObject(d, "burst", c->r.burst);
		cJSON_AddNumberToObject(d, "tasks", (double)c->r.tasks);
		cJSON_AddNumberToObject(d, "late_starts", c->r.late_starts);
		cJSON_AddNumberToObject(d, "handoffs", c->r.handoffs);
		cJSON_AddNumberToObject(d, "nodes", (double)c->r.nodes);
		cJSON_AddStringToObject(d, "sentence", c->sentence);
	}
	return o;
}

static cJSON *report(struct build *b, const char *name)
{
	const struct fit_summary *s = b->sum;
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "hypercap_fit", 1);
	cJSON_AddStringToObject(r, "trace", s->trace);
	cJSON_AddStringToObject(r, "base", s->base);
	cJSON_AddStringToObject(r, "scenario", name);
	cJSON *rec = cJSON_AddObjectToObject(r, "records");
	for (int k = 0; k < TRACE_KIND_COUNT; k++)
		cJSON_AddNumberToObject(rec, trace_kind_name((enum trace_kind)k),
					(double)s->records[k]);
	cJSON *calls = cJSON_AddObjectToObject(r, "calls");
	cJSON_AddNumberToObject(calls, "fitted", (double)s->calls_fitted);
	cJSON_AddNumberToObject(calls, "estimated", (double)s->calls_estimated);
	cJSON_AddNumberToObject(calls, "without_usage", (double)s->calls_without_usage);
	cJSON_AddNumberToObject(calls, "other_roles", (double)s->calls_other_roles);
	cJSON_AddItemToObject(r, "fields", b->fields);
	cJSON_AddItemToObject(r, "checks", checks_json(s));
	cJSON_AddItemToObject(r, "concurrency", concurrency_json(s));
	cJSON_AddItemToObject(r, "notes", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
					     b->tree, "_notes"), 1));
	const struct defaulted_lists lists = { cJSON_AddArrayToObject(r, "defaulted"),
					       cJSON_AddArrayToObject(r, "defaulted_priors"),
					       cJSON_AddObjectToObject(r, "defaulted_cost") };
	list_defaulted(b, b->tree, "", &lists);
	b->sum->n_defaulted = (size_t)cJSON_GetArraySize(lists.all);
	b->sum->n_defaulted_priors = (size_t)cJSON_GetArraySize(lists.priors);
	b->fields = NULL;
	return r;
}

static int nothing_to_fit(const struct fit *f)
{
	return !f->selfmod.sessions && !f->n_domains && !f->records[TRACE_ARCHIVE_ADD];
}

static void describe_scenario(struct build *b, const char *name, const char *trace,
			      const struct scenario *base)
{
	char text[512];
	snprintf(text, sizeof(text), "Fitted by hypercap fit to %.180s; what the trace does not "
		 "inform keeps the values of %.180s (the fit report lists those fields).",
		 trace, base->origin);
	cJSON_ReplaceItemInObjectCaseSensitive(b->tree, "name", cJSON_CreateString(name));
	cJSON_ReplaceItemInObjectCaseSensitive(b->tree, "description", cJSON_CreateString(text));
	cJSON_AddTrueToObject(b->informed, "name");
	cJSON_AddTrueToObject(b->informed, "description");
	cJSON_AddItemToObject(b->tree, "_notes", cJSON_CreateArray());
}

int fit_build(struct fit *f, const struct scenario *base, const char *name, const char *trace,
	      struct fit_result *res, struct hc_err *err)
{
	memset(res, 0, sizeof(*res));
	if (nothing_to_fit(f))
		return hc_err_set(err, HC_EINPUT, "%s: nothing to fit: no llm_call of role "
				  "self_modify or evaluate with usage, no eval_task, no "
				  "archive_add "
				  "(%zu calls of other roles, %zu without usage); allowed: a trace "
				  "whose calls carry role and usage (docs/trace-format.md)", trace,
				  f->other_roles, f->no_usage);
	if (finish(f, err))
		return err ? err->code : HC_ERUNTIME;
	struct build b = { f, scenario_to_json(base), cJSON_CreateObject(), cJSON_CreateObject(),
			   err, &res->summary, NULL, 0, { { NULL, 0, 0 } }, 0, { "" }, NULL };
	summarise(f, base, trace, &res->summary);
	describe_scenario(&b, name, trace, base);
	int rc = fit_top(&b) || fit_selfmod(&b) || fit_domains(&b) || b.oom ? HC_ERUNTIME : 0;
	if (!rc && scenario_from_json(&res->sc, b.tree, "the fitted scenario", err)) {
		hc_err_prefix(err, "%s: the fit gives a value a scenario does not allow", trace);
		rc = HC_EINPUT;
	}
	if (!rc) {
		fit_automatic_hit_rates(&b, &res->sc);
		if (keep_base_priors(&b, base, &res->sc))
			rc = hc_err_prefix(err, "%s: the base's priors in the fitted scenario",
					   trace);
	}
	if (!rc) {
		b.fitted = &res->sc;
		res->report = report(&b, name);
	}
	if (!rc && b.oom) { /* the list of defaulted cost-relevant fields */
		scenario_release(&res->sc);
		cJSON_Delete(res->report);
		res->report = NULL;
		rc = HC_ERUNTIME;
	} else if (!rc) {
		res->scenario = b.tree;
		b.tree = NULL;
	}
	cJSON_Delete(b.tree);
	cJSON_Delete(b.fields);
	cJSON_Delete(b.informed);
	if (rc) {
		free(res->summary.fields);
		free(res->summary.cost_defaulted);
		memset(&res->summary, 0, sizeof(res->summary));
	}
	if (rc && err && !err->code)
		return out_of_memory(err);
	return rc;
}

void fit_result_release(struct fit_result *res)
{
	if (res->scenario)
		scenario_release(&res->sc);
	cJSON_Delete(res->scenario);
	cJSON_Delete(res->report);
	free(res->summary.fields);
	free(res->summary.cost_defaulted);
	memset(res, 0, sizeof(*res));
}
