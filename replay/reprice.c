/*
 * reprice: see reprice.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "replay/reprice.h"

static const char *const dim_names[REPRICE_DIM_COUNT] = { "role", "model", "domain",
							   "iteration" };

const char *reprice_dim_name(enum reprice_dim d)
{
	return dim_names[d];
}

void reprice_init(struct reprice *rp, const struct price_sheet *ps)
{
	memset(rp, 0, sizeof(*rp));
	rp->ps = ps;
	rp->max_iteration = -1;
	rp->first_time = rp->last_time = NAN;
}

void reprice_release(struct reprice *rp)
{
	for (int d = 0; d < REPRICE_DIM_COUNT; d++)
		free(rp->by[d].v);
	memset(rp->by, 0, sizeof(rp->by));
}

/* The group called name, added when new; NULL when out of memory. Linear: groups are few. */
static struct reprice_group *group(struct reprice_groups *gs, const char *name)
{
	for (size_t i = 0; i < gs->n; i++)
		if (!strcmp(gs->v[i].name, name))
			return &gs->v[i];
	struct reprice_group *v = array_room(gs->v, gs->n, &gs->cap, sizeof(*v));
	if (!v)
		return NULL;
	gs->v = v;
	struct reprice_group *g = &gs->v[gs->n++];
	snprintf(g->name, sizeof(g->name), "%s", name);
	return g;
}

static void note_time(struct reprice *rp, double t)
{
	if (isnan(t))
		return;
	if (isnan(rp->first_time) || t < rp->first_time)
		rp->first_time = t;
	if (isnan(rp->last_time) || t > rp->last_time)
		rp->last_time = t;
}

static int add_call(struct reprice *rp, const struct trace_llm_call *c,
		    const struct price **price, double *cost, struct hc_err *err)
{
	const struct price *p = NULL;
	*price = NULL;
	*cost = NAN;
	if (c->model[0] && !(p = price_sheet_find(rp->ps, c->model))) {
		char close[256];
		price_sheet_suggest(rp->ps, c->model, close, sizeof(close));
		return hc_err_set(err, HC_EINPUT, "model: got '%s'; allowed: a model of the price "
				  "sheet '%s' (closest: %s); give a sheet that has it with --prices",
				  c->model, rp->ps->origin, close);
	}
	if (c->has_usage && !p)
		return hc_err_set(err, HC_EINPUT, "model: missing; allowed: the model's name, "
				  "needed to price a call with usage");
	if (c->has_usage) {
		unsigned flags = (c->batch ? PRICE_BATCH : 0) | price_service_tier(c->service_tier);
		*cost = price_call_cost(p, &c->usage, flags);
		if (isnan(*cost)) {
			int64_t n;
			const char *rate = price_call_missing(p, &c->usage, flags, &n);
			rate = rate ? rate : "unknown";
			return hc_err_set(err, HC_EINPUT, "usage: %lld %s tokens; allowed: none for "
					  "model '%s', whose %s rate the price sheet '%s' does not "
					  "give", (long long)n, rate, p->name, rate, rp->ps->origin);
		}
		*price = p;
	}
	char iteration[24];
	snprintf(iteration, sizeof(iteration), "%ld", c->iteration);
	const char *names[REPRICE_DIM_COUNT] = { c->role, p ? p->name : c->model, c->domain,
						 c->iteration >= 0 ? iteration : "" };
	rp->calls++;
	for (int d = 0; d < REPRICE_DIM_COUNT; d++) {
		struct reprice_group *g = group(&rp->by[d], names[d][0] ? names[d] : "unknown");
		if (!g)
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		if (c->has_usage) {
			usage_add(&g->usage, &c->usage);
			g->cost += *cost;
		} else {
			g->unknown_usage++;
		}
	}
	if (!c->has_usage) {
		rp->unknown_usage++;
	} else {
		usage_add(&rp->total, &c->usage);
		rp->cost += *cost;
		if (c->estimated) {
			rp->estimated++;
			usage_add(&rp->estimated_usage, &c->usage);
			rp->estimated_cost += *cost;
		}
	}
	if (c->iteration > rp->max_iteration)
		rp->max_iteration = c->iteration;
	note_time(rp, c->start_time);
	note_time(rp, c->end_time);
	return 0;
}

int reprice_add(struct reprice *rp, const struct trace_record *rec, const struct price **price,
		double *cost, struct hc_err *err)
{
	if (rec->kind == TRACE_LLM_CALL)
		return add_call(rp, &rec->u.call, price, cost, err);
	if (rec->kind == TRACE_EVAL_TASK) {
		const struct trace_eval_task *t = &rec->u.task;
		rp->tasks++;
		if (!strcmp(t->result, "pass"))
			rp->task_pass++;
		else if (!strcmp(t->result, "fail"))
			rp->task_fail++;
		else if (!strcmp(t->result, "error"))
			rp->task_error++;
		else
			rp->task_unknown++;
		if (!isnan(t->sandbox_seconds))
			rp->sandbox_seconds += t->sandbox_seconds;
		if (t->artifact_bytes > 0)
			rp->task_artifact_bytes += t->artifact_bytes;
		note_time(rp, t->start_time);
		note_time(rp, t->end_time);
		return 0;
	}
	const struct trace_archive_add *a = &rec->u.add;
	rp->nodes++;
	rp->archive_bytes += (a->patch_bytes > 0 ? a->patch_bytes : 0) +
			     (a->artifact_bytes > 0 ? a->artifact_bytes : 0);
	if (a->iteration > rp->max_iteration)
		rp->max_iteration = a->iteration;
	return 0;
}

static int all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* By name; whole numbers numerically before other names; "unknown" last. */
static int cmp_groups(const void *pa, const void *pb)
{
	const char *a = ((const struct reprice_group *)pa)->name;
	const char *b = ((const struct reprice_group *)pb)->name;
	int ua = !strcmp(a, "unknown"), ub = !strcmp(b, "unknown");
	if (ua || ub)
		return ua - ub;
	int na = all_digits(a), nb = all_digits(b);
	if (na && nb)
		return strlen(a) != strlen(b) ? (strlen(a) < strlen(b) ? -1 : 1) : strcmp(a, b);
	if (na != nb)
		return nb - na;
	return strcmp(a, b);
}

int reprice_trace(struct reprice *rp, struct trace_reader *r, reprice_call_fn fn, void *ctx,
		  struct hc_err *err)
{
	struct trace_record rec;
	int rc;
	while ((rc = trace_reader_next(r, &rec, err)) == 1) {
		const struct price *p = NULL;
		double cost = NAN;
		if (reprice_add(rp, &rec, &p, &cost, err))
			return hc_err_prefix(err, "%s:%ld", r->path, r->line);
		if (fn && rec.kind == TRACE_LLM_CALL && fn(ctx, r->line, &rec.u.call, p, cost, err))
			return err ? err->code : HC_ERUNTIME;
	}
	if (rc < 0)
		return rc;
	for (int d = 0; d < REPRICE_DIM_COUNT; d++)
		if (rp->by[d].n) /* v is NULL when there is no group, and qsort's must not be */
			qsort(rp->by[d].v, rp->by[d].n, sizeof(*rp->by[d].v), cmp_groups);
	return 0;
}
