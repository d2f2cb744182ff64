/*
 * A whole run's trace, generated: what the meter would record of a DGM or DGM-H loop, for the
 * projection's accuracy (test_project.c) and the meter's replay (test_meter_forecast.c).
 *
 * Iteration 0 evaluates the initial agent on every domain's full set; iterations 1 .. N make
 * children_per_iteration children, each one self-modification session and, per domain, its
 * screen and (when evaluation is full, or staged and the screen passed gate_min_passed) the
 * rest of the full set. Sessions are drawn from the scenario's session models (session.h),
 * or, for the tasks, resampled whole from recorded sessions (DGM's logs) with their recorded
 * results. Only llm_call records, tagged as a loop tags the meter's calls.
 */
#ifndef TESTS_SYNTH_RUN_H
#define TESTS_SYNTH_RUN_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "import/import.h"
#include "model/scenario.h"
#include "model/session.h"
#include "sim/rng.h"
#include "trace/trace.h"

#define SYNTH_MAX_SESSIONS 64
#define SYNTH_MAX_CALLS 512

/* Recorded task sessions: calls[first .. first + n) of each, and whether the task passed. */
struct synth_recorded {
	struct {
		size_t first, n;
		int passed;
		char task[TRACE_STR_MAX];
	} sess[SYNTH_MAX_SESSIONS];
	size_t n_sess;
	struct usage calls[SYNTH_MAX_CALLS];
	size_t n_calls;
	char model[TRACE_STR_MAX];
};

typedef int (*synth_put)(void *ctx, const struct trace_record *rec);

struct synth {
	const struct scenario *sc;
	const struct synth_recorded *tasks; /* NULL: draw task sessions from sc */
	synth_put put;
	void *ctx;
	struct rng rng;
	double clock;
	struct trace_record rec;
};

/* Puts one call of the current record's session at the clock, which it moves on. */
static inline void synth_call(struct synth *g, const struct usage *u, double tool_seconds)
{
	struct trace_llm_call *c = &g->rec.u.call;
	c->usage = *u;
	c->has_usage = 1;
	c->start_time = g->clock;
	c->end_time = g->clock + 1 + (double)u->output / 100;
	g->clock = c->end_time + tool_seconds;
	g->put(g->ctx, &g->rec);
}

/* One session drawn from params. */
static inline void synth_session(struct synth *g, const struct session_params *p)
{
	struct session s;
	struct usage u;
	double tool;
	session_start(&s, p, &g->rng);
	while (session_next(&s, &g->rng, &u, &tool))
		synth_call(g, &u, tool);
}

/* Starts the record of a session: node, role, domain, task, model. */
static inline void synth_tag(struct synth *g, unsigned iteration, const char *node,
			     const char *role, const char *domain, unsigned task,
			     const char *model)
{
	trace_record_init(&g->rec, TRACE_LLM_CALL);
	struct trace_llm_call *c = &g->rec.u.call;
	c->iteration = iteration;
	snprintf(c->run, sizeof(c->run), "synthetic");
	snprintf(c->node, sizeof(c->node), "%s", node);
	snprintf(c->role, sizeof(c->role), "%s", role);
	snprintf(c->domain, sizeof(c->domain), "%s", domain);
	snprintf(c->task, sizeof(c->task), "t%u", task);
	snprintf(c->model, sizeof(c->model), "%s", model);
}

/* One task of domain d: a recorded session resampled, or a drawn one. 1 when it passed. */
static inline int synth_task(struct synth *g, unsigned iteration, const char *node, size_t d,
			     unsigned task)
{
	const struct domain *dm = &g->sc->domains[d];
	if (!g->tasks) {
		synth_tag(g, iteration, node, "evaluate", dm->name, task, dm->model);
		synth_session(g, &dm->task);
		return rng_bernoulli(&g->rng, dm->initial_score);
	}
	const struct synth_recorded *t = g->tasks;
	size_t k = rng_uniform_int(&g->rng, t->n_sess);
	synth_tag(g, iteration, node, "evaluate", dm->name, task, t->model);
	for (size_t i = 0; i < t->sess[k].n; i++)
		synth_call(g, &t->calls[t->sess[k].first + i], 5);
	return t->sess[k].passed;
}

/* A node's evaluation: per domain the screen, then the rest when the gate lets it. */
static inline void synth_evaluate(struct synth *g, unsigned iteration, const char *node,
				  int full)
{
	for (size_t d = 0; d < g->sc->n_domains; d++) {
		const struct domain *dm = &g->sc->domains[d];
		unsigned passed = 0, task = 0;
		for (; task < dm->screen_tasks; task++)
			passed += (unsigned)synth_task(g, iteration, node, d, task);
		if (!full && passed < dm->gate_min_passed)
			continue;
		for (; task < dm->full_tasks; task++)
			synth_task(g, iteration, node, d, task);
	}
}

/* The whole run of sc's iterations, seeded; every record goes to put(ctx, rec) in order. */
static inline void synth_run(const struct scenario *sc, const struct synth_recorded *tasks,
			     uint64_t seed, synth_put put, void *ctx)
{
	struct synth g = { .sc = sc, .tasks = tasks, .put = put, .ctx = ctx, .clock = 1.8e9 };
	char node[32];
	rng_init(&g.rng, seed, 0);
	synth_evaluate(&g, 0, "n0", 1);
	for (unsigned i = 1; i <= sc->iterations; i++)
		for (unsigned c = 0; c < sc->children_per_iteration; c++) {
			snprintf(node, sizeof(node), "n%u-%u", i, c);
			synth_tag(&g, i, node, "self_modify", "", 0, sc->self_modification.model);
			snprintf(g.rec.u.call.parent, sizeof(g.rec.u.call.parent), "n0");
			synth_session(&g, &sc->self_modification.session);
			synth_evaluate(&g, i, node, sc->evaluation == EVAL_FULL);
		}
	rng_release(&g.rng);
}

/* The task's session, or -1. */
static inline long synth_find_task(const struct synth_recorded *t, const char *task)
{
	for (size_t i = 0; i < t->n_sess; i++)
		if (!strcmp(t->sess[i].task, task))
			return (long)i;
	return -1;
}

/* Adds a recorded call to the last session, or to a new one for another task. */
static inline int synth_add_call(struct synth_recorded *t, const struct trace_llm_call *c)
{
	if (!t->n_sess || strcmp(t->sess[t->n_sess - 1].task, c->task)) {
		if (t->n_sess == SYNTH_MAX_SESSIONS)
			return -1;
		t->sess[t->n_sess].first = t->n_calls;
		snprintf(t->sess[t->n_sess++].task, TRACE_STR_MAX, "%s", c->task);
	}
	if (t->n_calls == SYNTH_MAX_CALLS)
		return -1;
	t->calls[t->n_calls++] = c->usage;
	t->sess[t->n_sess - 1].n++;
	snprintf(t->model, sizeof(t->model), "%s", c->model);
	return 0;
}

/* DGM's recorded task sessions: `import dgm` of dir, each task's calls and result. */
static inline int synth_load_dgm(struct synth_recorded *t, const char *dir)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct trace_reader r;
	struct trace_record rec;
	struct import_stats st = { 0 };
	char path[64];
	long k;
	int rc = 0;
	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "/tmp/hypercap-synth-%d.jsonl", (int)getpid());
	if (trace_writer_open(&w, path, "dgm", "2026-07-24T00:00:00Z", &err))
		return -1;
	if (import_dgm(dir, &w, &st, &err) || trace_writer_commit(&w, &err)) {
		trace_writer_abort(&w);
		return -1;
	}
	if (trace_reader_open(&r, path, 0, &err))
		return -1;
	while (!rc && trace_reader_next(&r, &rec, &err) == 1) {
		if (rec.kind == TRACE_EVAL_TASK && (k = synth_find_task(t, rec.u.task.task)) >= 0)
			t->sess[k].passed = !strcmp(rec.u.task.result, "pass");
		else if (rec.kind == TRACE_LLM_CALL && rec.u.call.has_usage)
			rc = synth_add_call(t, &rec.u.call);
	}
	trace_reader_close(&r);
	unlink(path);
	return rc;
}

#endif
