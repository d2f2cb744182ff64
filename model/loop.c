/* loop: one replication of a DGM-H / DGM run on the sim/ engine. Contracts in loop.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "model/archive.h"
#include "model/endpoint.h"
#include "model/loop.h"
#include "model/score.h"
#include "model/session.h"
#include "sim/pool.h"
#include "sim/sim.h"

const char *loop_phase_name(enum loop_phase p)
{
	static const char *const names[PHASE_COUNT] = {
		[PHASE_REBUILD] = "rebuild", [PHASE_SELF_MODIFY] = "self_modify",
		[PHASE_EVAL_QUEUE] = "eval_queue", [PHASE_SANDBOX] = "sandbox",
		[PHASE_GPU_SIM] = "gpu_simulator", [PHASE_BATCH_WAIT] = "batch_wait",
	};
	return names[p];
}

const char *role_name(enum role r)
{
	static const char *const names[] = { "self_modify", "evaluate" };
	return names[r];
}

/* ---- models -------------------------------------------------------------------------------- */

static int check_rates(const struct scenario *sc, const struct price_sheet *ps, const char *path,
		       const char *name, const struct price *p, const struct session_params *session,
		       const struct route *route, struct hc_err *err)
{
	const char *missing = NULL, *allowed = NULL;
	if (session->caching != CACHING_OFF && isnan(p->cache_read))
		missing = "cache read", allowed = "caching \"off\" for it";
	else if (session->caching == CACHING_EXPLICIT && isnan(p->cache_write))
		missing = "cache write", allowed = "caching \"automatic\" or \"off\" for it";
	else if (session->caching == CACHING_EXPLICIT && session->cache_write_ttl == CACHE_TTL_1H &&
		 isnan(p->cache_write_1h))
		missing = "1-hour cache write", allowed = "cache_write_ttl \"5m\" for it";
	else if (route->batch && (isnan(p->batch_input) || isnan(p->batch_output)))
		missing = "batch", allowed = "batch false for it";
	else if (route->batch && session->caching != CACHING_OFF)
		missing = "batch cache", allowed = "caching \"off\" with batch";
	if (!missing)
		return 0;
	return hc_err_set(err, HC_EINPUT, "%s: %s: model '%s' has no %s price in '%s'; allowed: %s",
			  sc->origin, path, name, missing, ps->origin, allowed);
}

static int add_target(struct loop_models *m, const char *name, const struct price *p, int fleet)
{
	for (size_t i = 0; i < m->n; i++)
		if (p ? m->prices[i] == p : m->fleet[i] == fleet)
			return (int)i;
	m->names[m->n] = name;
	m->prices[m->n] = p;
	m->fleet[m->n] = fleet;
	snprintf(m->labels[m->n], sizeof(m->labels[m->n]), "%s%s", p ? "" : "fleet:",
		 p ? p->name : name);
	return (int)m->n++;
}

static int fleet_index(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_fleets; i++)
		if (!strcmp(sc->fleets[i].name, name))
			return (int)i;
	return -1;
}

/*
 * Caching follows the provider's rules (docs/model.md, "Sessions"): Anthropic caches only
 * prompts the caller marks with cache_control, so "automatic" is refused on its models.
 * ("explicit" on an OpenAI model is refused by its missing cache write rate.)
 */
static int check_caching_rule(const struct scenario *sc, const char *path, const char *name,
			      const struct price *p, const struct session_params *session,
			      struct hc_err *err)
{
	if (session->caching != CACHING_AUTOMATIC || strcmp(p->provider, "anthropic"))
		return 0;
	return hc_err_set(err, HC_EINPUT, "%s: %s: model '%s' (anthropic) with caching "
			  "\"automatic\": Anthropic caches only prompts marked with cache_control; "
			  "allowed: caching \"explicit\" (the loop adds cache markers) or \"off\"",
			  sc->origin, path, name);
}

/* The role's target: its fleet, or its model in the price sheet. */
static int resolve_one(const struct scenario *sc, const struct price_sheet *ps, const char *path,
		       const char *name, const struct session_params *session,
		       const struct route *route, struct loop_models *m, int *index,
		       struct hc_err *err)
{
	const struct price *p;
	if (route->fleet[0]) {
		*index = add_target(m, route->fleet, NULL, fleet_index(sc, route->fleet));
		return 0;
	}
	if (price_sheet_lookup(ps, name, &p, err))
		return hc_err_prefix(err, "%s: %s", sc->origin, path);
	if (check_rates(sc, ps, path, name, p, session, route, err) ||
	    check_caching_rule(sc, path, name, p, session, err))
		return HC_EINPUT;
	*index = add_target(m, name, p, -1);
	return 0;
}

/*
 * The mean cached input per call of K calls (K the mean, maybe fractional: its last call
 * weighs K − ⌊K⌋): call t ≥ 2 reads session_cache_read of the previous input P + (t − 2)g,
 * the caching mode's own rule (automatic: no prefix under 1,024 tokens).
 */
static double mean_cache_read(const struct session_params *p, double k, double prompt,
			      double grow)
{
	double sum = 0, last = floor(k);
	for (double t = 2; t <= last; t++)
		sum += session_cache_read(p, prompt + (t - 2) * grow);
	if (k > last && last >= 1)
		sum += (k - last) * session_cache_read(p, prompt + (last - 1) * grow);
	return sum / k;
}

/*
 * The mean call of a session (docs/costs.md, "Fleets in simulate"): with K calls, prompt P,
 * visible output v and tool result T per call, call t's input is P + (t − 1)(v + T), so the
 * mean input is P + (K − 1)(v + T) / 2; the cached part as the session reads it
 * (mean_cache_read). Accumulated weighted by the calls per iteration.
 */
static void add_shape(const struct session_params *p, double sessions, double sum[4])
{
	double k = dist_mean(&p->calls);
	k = k < 1 ? 1 : k > p->max_calls ? p->max_calls : k;
	double out = dist_mean(&p->output_tokens);
	out = out > p->max_output_tokens ? p->max_output_tokens : out;
	double grow = out * (1 - p->reasoning_fraction) + dist_mean(&p->tool_result_tokens);
	double prompt = dist_mean(&p->prompt_tokens);
	double w = k * sessions;
	sum[0] += w;
	sum[1] += w * (prompt + (k - 1) * grow / 2);
	sum[2] += w * mean_cache_read(p, k, prompt, grow);
	sum[3] += w * out;
}

/* The mean call of the roles routed to fleet f: shape[0..2] = input, cached input, output. */
static void fleet_shape(const struct scenario *sc, int f, double shape[3])
{
	double sum[4] = { 0, 0, 0, 0 };
	const char *name = sc->fleets[f].name;
	if (!strcmp(sc->self_modification.route.fleet, name))
		add_shape(&sc->self_modification.session, sc->children_per_iteration, sum);
	for (size_t d = 0; d < sc->n_domains; d++)
		if (!strcmp(sc->domains[d].route.fleet, name))
			add_shape(&sc->domains[d].task,
				  (double)sc->domains[d].full_tasks * sc->children_per_iteration,
				  sum);
	shape[0] = sum[1] / sum[0];
	shape[1] = sum[2] / sum[0];
	shape[2] = sum[3] / sum[0];
}

/* Sizes the fleets that targets use, in the embedded GPU and serving sheets. */
static int resolve_fleets(const struct scenario *sc, struct loop_models *m, struct hc_err *err)
{
	struct gpu_sheet gs;
	struct serving_sheet ss;
	int rc = 0, used = 0;
	for (size_t i = 0; i < m->n; i++)
		used |= m->fleet[i] >= 0;
	if (!used)
		return 0;
	if (fleet_sheets_load(&gs, &ss, err))
		return HC_ERUNTIME;
	for (size_t i = 0; i < m->n && !rc; i++) {
		if (m->fleet[i] < 0)
			continue;
		int f = m->fleet[i];
		m->fleet[i] = (int)m->n_fleets;
		double shape[3];
		char where[sizeof(sc->origin) + 32];
		fleet_shape(sc, f, shape);
		snprintf(where, sizeof(where), "%s: fleets[%d]", sc->origin, f);
		rc = fleet_size(&m->fleets[m->n_fleets++], &sc->fleets[f], where, shape[0],
				shape[1], shape[2], &gs, &ss, err);
	}
	fleet_sheets_release(&gs, &ss);
	return rc;
}

int loop_resolve_models(const struct scenario *sc, const struct price_sheet *ps,
			struct loop_models *m, struct hc_err *err)
{
	char path[128];
	memset(m, 0, sizeof(*m));
	if (resolve_one(sc, ps, "self_modification.model", sc->self_modification.model,
			&sc->self_modification.session, &sc->self_modification.route, m,
			&m->selfmod, err))
		return err ? err->code : HC_EINPUT;
	for (size_t d = 0; d < sc->n_domains; d++) {
		snprintf(path, sizeof(path), "domains[%zu].model", d);
		if (resolve_one(sc, ps, path, sc->domains[d].model, &sc->domains[d].task,
				&sc->domains[d].route, m, &m->domain[d], err))
			return err ? err->code : HC_EINPUT;
	}
	return resolve_fleets(sc, m, err);
}

/* ---- the processes ------------------------------------------------------------------------ */

struct endpoint_state {
	struct endpoint e;
	struct endpoint_limits limits;
};

/*
 * A replication: the capacity its loops share (the clock, every model's endpoint and rate
 * limits, the fleets' slots, shared evaluation workers) and the group's result.
 */
struct run {
	struct sim sim;
	const struct scenario *sc;
	const struct loop_models *models;
	struct endpoint_state ep[LOOP_MAX_TARGETS];
	struct pool fleet_slots[SCENARIO_MAX_FLEETS];
	struct pool eval_pool[SCENARIO_MAX_DOMAINS]; /* with shared.eval_workers > 0 */
	struct loop_state *loops;  /* n_loops */
	unsigned n_loops;
	struct loop_result *res;
	struct timeline *tl;      /* NULL: not recorded */
	struct loop_columns col;
	size_t rows_cap;
	struct welford rate_wait; /* per API call (not batch): admission by the rate limits */
	struct welford eval_wait; /* per grant of an evaluation worker */
	int failed;
};

/*
 * A loop's random streams, one per component (docs/model.md, "Replications"), so that a
 * change in one place does not shift the draws of another: evaluation has one per domain.
 */
enum loop_stream {
	STREAM_PARENT,       /* parent selection */
	STREAM_VARIATION,    /* a child's improvement draws and patch size */
	STREAM_SELF_MODIFY,  /* the meta agent's session */
	STREAM_COMPILE,      /* the compile check: its time and its failure */
	STREAM_EVALUATE,     /* + domain: task sessions, sandbox times, passes, artifacts */
	STREAM_COUNT = STREAM_EVALUATE + SCENARIO_MAX_DOMAINS
};

/* One loop of a replication: its own streams, archive and progress. */
struct loop_state {
	struct run *run;
	unsigned index;
	struct rng rng[STREAM_COUNT]; /* STREAM_EVALUATE + n_domains of them */
	struct archive archive;
	double *quality;          /* n_domains per archive node */
	size_t quality_cap;       /* nodes */
	unsigned iteration;
	double iteration_start;   /* simulated seconds */
	double byte_seconds;      /* Σ node bytes · the time it joined */
	unsigned children_running;
	double end;               /* when its last child joined */
	double phase_seconds[PHASE_COUNT];
};

struct task {
	struct child *child;
	unsigned domain;
	struct session session;
	double tool_seconds;
	double requested, start; /* the stage's launch; the first grant of a worker */
	double asked, acquired;  /* the last request for a worker, and its grant */
	double batch;            /* seconds waited for batch answers */
	double requeued;         /* seconds waited for a worker again after batch answers */
};

struct stage {
	struct pool *workers;     /* own, or the run's shared pool of the domain */
	struct pool own;
	unsigned target, finished, passed;
};

struct child {
	struct run *run;
	struct loop_state *loop;
	struct iteration_row row;
	int parent;
	double quality[SCENARIO_MAX_DOMAINS];
	struct session session;
	double sandbox_start, session_start, tool_seconds, eval_start;
	struct usage target_usage[ROLE_COUNT][LOOP_MAX_TARGETS];
	double target_cost[ROLE_COUNT][LOOP_MAX_TARGETS];
	double gpu_first, gpu_last;     /* span of this child's GPU-simulator tasks */
	double patch_bytes, artifact_bytes;
	struct stage stage[SCENARIO_MAX_DOMAINS];
	unsigned domains_pending;
	int screening;
	struct task *tasks;
	size_t next_task;
	/* the critical path (enum loop_phase): the last task to end, the batch waits */
	const struct task *last;
	double sm_batch;
	double phase[PHASE_COUNT];
};

static void fail(struct run *run)
{
	run->failed = 1;
	sim_stop(&run->sim);
}

/* A call waiting for, or holding, one of a fleet's batch slots. */
struct fleet_call {
	struct run *run;
	int fleet;
	double seconds, requested, start;
	sim_fn fn;
	void *arg;
};

static void span(struct run *run, size_t col, double t0, double t1, double weight)
{
	if (run->tl)
		timeline_span(run->tl, col, t0, t1, weight);
}

static void point(struct run *run, size_t col, double amount)
{
	if (run->tl)
		timeline_point(run->tl, col, run->sim.now, amount);
}

static void fleet_call_end(struct sim *s, void *arg)
{
	struct fleet_call *fc = arg;
	pool_done(&fc->run->fleet_slots[fc->fleet]);
	span(fc->run, fc->run->col.fleet_busy + (size_t)fc->fleet, fc->start, s->now, 1);
	fc->fn(s, fc->arg);
	free(fc);
}

static void fleet_call_start(struct sim *s, void *arg)
{
	struct fleet_call *fc = arg;
	fc->start = s->now;
	span(fc->run, fc->run->col.fleet_queue + (size_t)fc->fleet, fc->requested, s->now, 1);
	sim_after(s, fc->seconds, fleet_call_end, fc);
}

/* Queues the call on the fleet's slots (docs/costs.md, "Fleets in simulate"). */
static void call_fleet(struct run *run, int f, const struct usage *u, sim_fn fn, void *arg)
{
	struct fleet_call *fc = malloc(sizeof(*fc));
	if (!fc) {
		fail(run);
		return;
	}
	fc->run = run;
	fc->fleet = f;
	fc->requested = run->sim.now;
	fc->seconds = fleet_call_seconds(&run->models->fleets[f], u);
	fc->fn = fn;
	fc->arg = arg;
	run->res->fleet[f].calls += 1;
	pool_request(&run->fleet_slots[f], fleet_call_start, fc);
}

/* Seconds until the API's answer is complete, rate limits first. */
static double api_latency(struct run *run, int target, const struct usage *u)
{
	struct endpoint_state *ep = &run->ep[target];
	double now = run->sim.now;
	double start = endpoint_limits_admit(&ep->limits, now, (double)usage_total(u));
	welford_add(&run->rate_wait, start - now);
	span(run, run->col.target_queue + (size_t)target, now, start, 1);
	return start - now + endpoint_latency(&ep->e, u);
}

/* Whether a call of this route frees its caller's sandbox while its batch is pending. */
static int batch_frees(const struct run *run, int target, const struct route *route)
{
	return route->batch && !route->batch_worker_waits && run->models->fleet[target] < 0;
}

/*
 * Accounts a call's usage and cost, then schedules fn when the call's answer is complete: on
 * the role's fleet, through the batch API, or on the model's API endpoint.
 */
static void call_llm(struct run *run, int target, enum role role, const struct route *route,
		     const struct session_params *sp, struct child *c, const struct usage *u,
		     double *batch_wait, sim_fn fn, void *arg)
{
	struct loop_result *res = run->res;
	usage_add(&res->by_role[role], u);
	usage_add(&res->by_model[target], u);
	usage_add(&c->row.usage[role], u);
	usage_add(&c->target_usage[role][target], u);
	point(run, run->col.role_tokens + role, (double)usage_total(u));
	point(run, run->col.target_tokens + (size_t)target, (double)usage_total(u));
	point(run, run->col.target_requests + (size_t)target, 1);
	int f = run->models->fleet[target];
	if (f >= 0) {
		call_fleet(run, f, u, fn, arg);
		return;
	}
	unsigned flags = (route->batch ? PRICE_BATCH : 0) |
			 (sp->cache_write_ttl == CACHE_TTL_1H ? PRICE_CACHE_1H : 0);
	double cost = price_call_cost(run->models->prices[target], u, flags);
	res->cost_by_role[role] += cost;
	res->cost_by_model[target] += cost;
	c->row.cost_usd += cost;
	c->target_cost[role][target] += cost;
	point(run, run->col.api_usd, cost);
	double latency = route->batch ? route->batch_latency_hours * 3600
				      : api_latency(run, target, u);
	if (route->batch)
		*batch_wait += latency;
	sim_after(&run->sim, latency, fn, arg);
}

static void child_finish(struct child *c);
static void next_iteration(struct loop_state *loop);

/* -- evaluation -- */

static void task_step(struct sim *s, void *arg);

static void task_tool_done(struct sim *s, void *arg)
{
	struct task *t = arg;
	sim_after(s, t->tool_seconds, task_step, t);
}

static void stage_done(struct child *c);

/* Frees the task's worker; the sandbox (and GPU simulator) time since its grant is billed. */
static void task_release(struct task *t)
{
	struct child *c = t->child;
	struct run *run = c->run;
	const struct domain *d = &run->sc->domains[t->domain];
	double hours = (run->sim.now - t->acquired) / 3600;
	run->res->sandbox_cpu_hours += hours;
	run->res->sandbox_gpu_hours += hours * d->sandbox_gpus;
	c->row.sandbox_cpu_hours += hours;
	c->row.sandbox_gpu_hours += hours * d->sandbox_gpus;
	span(run, run->col.eval_busy, t->acquired, run->sim.now, 1);
	pool_done(c->stage[t->domain].workers);
}

static void task_end(struct sim *s, void *arg)
{
	struct task *t = arg;
	struct child *c = t->child;
	struct run *run = c->run;
	const struct domain *d = &run->sc->domains[t->domain];
	struct stage *st = &c->stage[t->domain];
	struct rng *rng = &c->loop->rng[STREAM_EVALUATE + t->domain];
	st->passed += rng_bernoulli(rng, c->quality[t->domain]);
	double bytes = dist_sample(&d->artifact_bytes, rng);
	c->artifact_bytes += bytes > 0 ? bytes : 0;
	if (d->sandbox_gpus > 0) {
		if (c->gpu_last < 0 || t->start < c->gpu_first)
			c->gpu_first = t->start;
		c->gpu_last = s->now;
	}
	run->res->storage_writes += 1; /* the task's artifacts */
	c->last = t;
	task_release(t);
	if (++st->finished == st->target)
		stage_done(c);
}

/* A worker granted again to score a batched answer: the tool runs, then the next call. */
static void task_regrant(struct sim *s, void *arg)
{
	struct task *t = arg;
	struct run *run = t->child->run;
	t->requeued += s->now - t->asked;
	t->acquired = s->now;
	welford_add(&run->eval_wait, s->now - t->asked);
	span(run, run->col.eval_queue, t->asked, s->now, 1);
	task_tool_done(s, t);
}

/* A batched answer arrived for a task that freed its worker: it asks for one again. */
static void task_batch_back(struct sim *s, void *arg)
{
	struct task *t = arg;
	t->asked = s->now;
	pool_request(t->child->stage[t->domain].workers, task_regrant, t);
}

static void task_step(struct sim *s, void *arg)
{
	struct task *t = arg;
	struct run *run = t->child->run;
	struct usage u;
	struct rng *rng = &t->child->loop->rng[STREAM_EVALUATE + t->domain];
	if (session_next(&t->session, rng, &u, &t->tool_seconds)) {
		const struct domain *d = &run->sc->domains[t->domain];
		int target = run->models->domain[t->domain];
		int frees = batch_frees(run, target, &d->route);
		call_llm(run, target, ROLE_EVALUATE, &d->route, &d->task, t->child, &u, &t->batch,
			 frees ? task_batch_back : task_tool_done, t);
		if (frees)
			task_release(t);
		return;
	}
	double sandbox = dist_sample(&run->sc->domains[t->domain].sandbox_seconds, rng);
	sim_after(s, sandbox, task_end, t);
}

static void task_begin(struct sim *s, void *arg)
{
	struct task *t = arg;
	struct run *run = t->child->run;
	t->start = t->acquired = s->now;
	t->batch = t->requeued = 0;
	welford_add(&run->eval_wait, s->now - t->requested);
	span(run, run->col.eval_queue, t->requested, s->now, 1);
	session_start(&t->session, &run->sc->domains[t->domain].task,
		      &t->child->loop->rng[STREAM_EVALUATE + t->domain]);
	task_step(s, t);
}

/* Queues count more tasks of domain d on the child's workers. */
static void launch(struct child *c, unsigned d, unsigned count)
{
	struct stage *st = &c->stage[d];
	st->target += count;
	for (unsigned i = 0; i < count; i++) {
		struct task *t = &c->tasks[c->next_task++];
		t->child = c;
		t->domain = d;
		t->requested = t->asked = c->run->sim.now;
		pool_request(st->workers, task_begin, t);
	}
}

static void eval_start(struct child *c)
{
	const struct scenario *sc = c->run->sc;
	int full = c->row.iteration == 0 || sc->evaluation == EVAL_FULL;
	c->eval_start = c->run->sim.now;
	c->screening = !full;
	c->domains_pending = (unsigned)sc->n_domains;
	for (unsigned d = 0; d < sc->n_domains; d++)
		launch(c, d, full ? sc->domains[d].full_tasks : sc->domains[d].screen_tasks);
}

/*
 * Critical-path accounting of a stage that just ended: its tasks were all requested when it
 * began, so its last task's waits for a worker (at first, and again after batch answers when
 * it freed its worker) and its run (less its batch waits) make up the stage's time.
 */
static void account_stage(struct child *c)
{
	const struct task *t = c->last;
	int gpu = c->run->sc->domains[t->domain].sandbox_gpus > 0;
	c->phase[PHASE_EVAL_QUEUE] += t->start - t->requested + t->requeued;
	c->phase[gpu ? PHASE_GPU_SIM : PHASE_SANDBOX] += c->run->sim.now - t->start - t->batch -
							 t->requeued;
	c->phase[PHASE_BATCH_WAIT] += t->batch;
}

/* Called when a domain has finished the tasks launched so far. */
static void stage_done(struct child *c)
{
	const struct scenario *sc = c->run->sc;
	if (--c->domains_pending > 0)
		return;
	account_stage(c);
	if (!c->screening) {
		child_finish(c);
		return;
	}
	c->screening = 0;
	int gate = 1;
	for (size_t d = 0; d < sc->n_domains; d++)
		gate &= c->stage[d].passed >= sc->domains[d].gate_min_passed;
	c->row.gate = gate;
	if (gate)
		c->run->res->gates_passed++;
	else
		c->run->res->gates_failed++;
	for (unsigned d = 0; gate && d < sc->n_domains; d++) {
		unsigned rest = sc->domains[d].full_tasks - sc->domains[d].screen_tasks;
		if (rest) {
			c->domains_pending++;
			launch(c, d, rest);
		}
	}
	if (!c->domains_pending)
		child_finish(c);
}

/* -- self-modification and compile check -- */

static void compile_done(struct sim *s, void *arg)
{
	struct child *c = arg;
	struct run *run = c->run;
	/* critical-path accounting: rebuild, then the session and compile check */
	c->phase[PHASE_REBUILD] += c->session_start - c->sandbox_start;
	c->phase[PHASE_SELF_MODIFY] += s->now - c->session_start - c->sm_batch;
	c->phase[PHASE_BATCH_WAIT] += c->sm_batch;
	/* the sandbox is held from the rebuild on, but not while freed for batch answers */
	const struct route *route = &run->sc->self_modification.route;
	double held = s->now - c->sandbox_start -
		      (batch_frees(run, run->models->selfmod, route) ? c->sm_batch : 0);
	run->res->sandbox_cpu_hours += held / 3600;
	c->row.sandbox_cpu_hours += held / 3600;
	c->row.compiled = !rng_bernoulli(&c->loop->rng[STREAM_COMPILE],
					 run->sc->self_modification.compile_failure_rate);
	if (!c->row.compiled) {
		run->res->compile_failures++;
		child_finish(c);
		return;
	}
	eval_start(c);
}

static void selfmod_step(struct sim *s, void *arg);

static void selfmod_tool_done(struct sim *s, void *arg)
{
	struct child *c = arg;
	sim_after(s, c->tool_seconds, selfmod_step, c);
}

static void selfmod_step(struct sim *s, void *arg)
{
	struct child *c = arg;
	struct run *run = c->run;
	const struct self_modification *sm = &run->sc->self_modification;
	struct usage u;
	int timed_out = s->now - c->session_start >= sm->timeout_hours * 3600;
	if (!timed_out &&
	    session_next(&c->session, &c->loop->rng[STREAM_SELF_MODIFY], &u, &c->tool_seconds)) {
		call_llm(run, run->models->selfmod, ROLE_SELF_MODIFY, &sm->route, &sm->session, c,
			 &u, &c->sm_batch, selfmod_tool_done, c);
		return;
	}
	if (timed_out && c->session.done < c->session.calls) {
		c->row.timed_out = 1;
		run->res->timeouts++;
	}
	sim_after(s, dist_sample(&sm->compile_seconds, &c->loop->rng[STREAM_COMPILE]), compile_done,
		  c);
}

static void selfmod_begin(struct sim *s, void *arg)
{
	struct child *c = arg;
	session_start(&c->session, &c->run->sc->self_modification.session,
		      &c->loop->rng[STREAM_SELF_MODIFY]);
	c->session_start = s->now;
	selfmod_step(s, c);
}

/* -- children -- */

static void child_free(struct child *c)
{
	for (size_t d = 0; d < c->run->sc->n_domains; d++)
		pool_release(&c->stage[d].own);
	free(c->tasks);
	free(c);
}

/* The child's evaluation workers of each domain: the run's shared pools, or its own. */
static int child_workers(struct child *c)
{
	const struct scenario *sc = c->run->sc;
	for (size_t d = 0; d < sc->n_domains; d++) {
		struct stage *st = &c->stage[d];
		st->workers = sc->shared.eval_workers ? &c->run->eval_pool[d] : &st->own;
		if (!sc->shared.eval_workers &&
		    pool_init(&st->own, &c->run->sim, sc->domains[d].eval_workers)) {
			for (size_t k = 0; k < d; k++)
				pool_release(&c->stage[k].own);
			return HC_ERUNTIME;
		}
	}
	return 0;
}

static struct child *child_new(struct loop_state *loop, unsigned iteration, unsigned index)
{
	struct run *run = loop->run;
	const struct scenario *sc = run->sc;
	struct child *c = calloc(1, sizeof(*c));
	size_t n_tasks = 0;
	for (size_t d = 0; d < sc->n_domains; d++)
		n_tasks += sc->domains[d].full_tasks;
	if (c)
		c->tasks = malloc(n_tasks * sizeof(*c->tasks));
	if (!c || !c->tasks) {
		free(c);
		return NULL;
	}
	c->run = run;
	c->loop = loop;
	c->row.loop = loop->index;
	c->row.iteration = iteration;
	c->row.child = index;
	c->row.gate = -1;
	c->row.compiled = 1;
	c->gpu_last = -1;
	if (child_workers(c)) {
		free(c->tasks);
		free(c);
		return NULL;
	}
	return c;
}

static int store_quality(struct loop_state *loop, int node, const double *q)
{
	size_t nd = loop->run->sc->n_domains;
	if ((size_t)node >= loop->quality_cap) {
		size_t cap = array_capacity(loop->quality_cap, (size_t)node + 1, 64,
					    nd * sizeof(double));
		double *grown = cap ? realloc(loop->quality, cap * nd * sizeof(*grown)) : NULL;
		if (!grown)
			return HC_ERUNTIME;
		loop->quality = grown;
		loop->quality_cap = cap;
	}
	memcpy(loop->quality + (size_t)node * nd, q, nd * sizeof(*q));
	return 0;
}

static int grow_rows(struct run *run)
{
	struct loop_result *res = run->res;
	size_t per_row = ROLE_COUNT * res->n_targets;
	size_t widest = per_row * sizeof(struct usage) > sizeof(struct iteration_row) ?
				per_row * sizeof(struct usage) : sizeof(struct iteration_row);
	size_t cap = array_capacity(run->rows_cap, res->n_rows + 1, 64, widest);
	if (!cap)
		return HC_ERUNTIME;
	struct iteration_row *rows = realloc(res->rows, cap * sizeof(*rows));
	if (rows)
		res->rows = rows;
	struct usage *usage = realloc(res->row_usage, cap * per_row * sizeof(*usage));
	if (usage)
		res->row_usage = usage;
	double *cost = realloc(res->row_cost, cap * per_row * sizeof(*cost));
	if (cost)
		res->row_cost = cost;
	if (!rows || !usage || !cost)
		return HC_ERUNTIME;
	run->rows_cap = cap;
	return 0;
}

static int add_row(struct run *run, const struct child *c)
{
	struct loop_result *res = run->res;
	if (res->n_rows == run->rows_cap && grow_rows(run))
		return HC_ERUNTIME;
	size_t at = res->n_rows * ROLE_COUNT * res->n_targets;
	for (int r = 0; r < ROLE_COUNT; r++)
		for (size_t k = 0; k < res->n_targets; k++, at++) {
			res->row_usage[at] = c->target_usage[r][k];
			res->row_cost[at] = c->target_cost[r][k];
		}
	res->rows[res->n_rows++] = c->row;
	return 0;
}

static void child_finish(struct child *c)
{
	struct run *run = c->run;
	struct loop_state *loop = c->loop;
	const struct scenario *sc = run->sc;
	double score = 0;
	for (size_t d = 0; c->row.compiled && d < sc->n_domains; d++)
		score += (double)c->stage[d].passed / sc->domains[d].full_tasks;
	score /= (double)sc->n_domains;

	struct node n = {
		.parent = c->parent,
		.iteration = c->row.iteration,
		.score = score,
		.valid = c->row.compiled,
		.patch_bytes = c->patch_bytes,
		.bytes = c->patch_bytes + sc->archive.node_metadata_bytes + c->artifact_bytes +
			 (c->parent < 0 ? sc->archive.root_bytes : 0),
	};
	int node = archive_add(&loop->archive, &n);
	if (node < 0 || store_quality(loop, node, c->quality)) {
		fail(run);
		child_free(c);
		return;
	}
	run->res->storage_writes += 1; /* the node's patch and metadata */
	loop->byte_seconds += n.bytes * run->sim.now; /* billed from now to the loop's end */
	if (c->gpu_last >= 0)
		run->res->gpu_sim_hours += (c->gpu_last - c->gpu_first) / 3600;
	c->row.node = node;
	c->row.depth = loop->archive.nodes[node].depth;
	c->row.parent = c->parent;
	c->row.score = score;
	c->row.archive_bytes = loop->archive.total_bytes;
	c->row.finish_seconds = run->sim.now;
	c->row.iteration_seconds = run->sim.now - loop->iteration_start;
	if (add_row(run, c))
		fail(run);
	if (c->row.compiled && !sc->shared.eval_workers)
		for (size_t d = 0; d < sc->n_domains; d++)
			span(run, run->col.eval_slots, c->eval_start, run->sim.now,
			     sc->domains[d].eval_workers);
	/* the iteration's last child to finish is its critical path */
	for (int p = 0; loop->children_running == 1 && p < PHASE_COUNT; p++)
		loop->phase_seconds[p] += c->phase[p];
	child_free(c);
	if (--loop->children_running == 0) {
		loop->end = run->sim.now;
		next_iteration(loop);
	}
}

static void child_start(struct loop_state *loop, struct child *c)
{
	struct run *run = loop->run;
	const struct scenario *sc = run->sc;
	const struct archive_params *ap = &sc->archive;
	int parent = archive_select(&loop->archive, sc->parent_selection, sc->selection_lambda,
				    &loop->rng[STREAM_PARENT]);
	const struct node *p = &loop->archive.nodes[parent];
	const double *pq = loop->quality + (size_t)parent * sc->n_domains;
	c->parent = parent;
	for (size_t d = 0; d < sc->n_domains; d++) {
		const struct domain *dom = &sc->domains[d];
		c->quality[d] = score_child(pq[d],
					    dist_sample(&dom->improvement, &loop->rng[STREAM_VARIATION]),
					    dom->initial_score, dom->score_ceiling);
	}
	double patch = dist_sample(&sc->self_modification.patch_bytes,
				   &loop->rng[STREAM_VARIATION]);
	c->patch_bytes = patch > 0 ? round(patch) : 0;

	double io = ap->root_bytes + p->lineage_patch_bytes +
		    (ap->copy_run_dir ? loop->archive.total_bytes : 0);
	c->row.checkout_bytes = io;
	run->res->io_bytes += io;
	/* objects read: the root, one patch per ancestor, and every node when copying */
	run->res->storage_reads += 1 + p->depth +
				      (ap->copy_run_dir ? (double)loop->archive.n : 0);
	c->sandbox_start = run->sim.now;
	double rebuild = ap->sandbox_start_seconds + p->depth * ap->patch_apply_seconds +
			 io / ap->read_bytes_per_second;
	c->row.rebuild_seconds = rebuild;
	run->res->rebuild_seconds += rebuild;
	sim_after(&run->sim, rebuild, selfmod_begin, c);
}

static void next_iteration(struct loop_state *loop)
{
	const struct scenario *sc = loop->run->sc;
	if (loop->iteration == sc->iterations)
		return;
	loop->iteration++;
	loop->iteration_start = loop->run->sim.now;
	for (unsigned k = 0; k < sc->children_per_iteration; k++) {
		struct child *c = child_new(loop, loop->iteration, k);
		if (!c) {
			fail(loop->run);
			return;
		}
		loop->children_running++;
		child_start(loop, c);
	}
}

static void initial_evaluation(struct sim *s, void *arg)
{
	(void)s;
	struct loop_state *loop = arg;
	const struct scenario *sc = loop->run->sc;
	struct child *c = child_new(loop, 0, 0);
	if (!c) {
		fail(loop->run);
		return;
	}
	c->parent = -1;
	for (size_t d = 0; d < sc->n_domains; d++)
		c->quality[d] = sc->domains[d].initial_score;
	loop->children_running = 1;
	eval_start(c);
}

/* ---- a replication ------------------------------------------------------------------------ */

static size_t stream_count(const struct scenario *sc)
{
	return STREAM_EVALUATE + sc->n_domains;
}

static void streams_release(struct loop_state *loop, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rng_release(&loop->rng[i]);
}

/*
 * Component i of loop k in replication r draws from stream i of the seed
 * rng_stream_seed(rng_stream_seed(seed, r), k): a stream per (seed, r, k, i).
 */
static int streams_init(struct loop_state *loop, uint64_t seed, unsigned rep)
{
	uint64_t loop_seed = rng_stream_seed(rng_stream_seed(seed, rep), loop->index);
	size_t n = stream_count(loop->run->sc);
	for (size_t i = 0; i < n; i++)
		if (rng_init(&loop->rng[i], loop_seed, i)) {
			streams_release(loop, i);
			return HC_ERUNTIME;
		}
	return 0;
}

static int loop_state_init(struct loop_state *loop, struct run *run, unsigned index,
			   uint64_t seed, unsigned rep)
{
	const struct scenario *sc = run->sc;
	size_t nodes = (size_t)sc->iterations * sc->children_per_iteration + 1;
	loop->run = run;
	loop->index = index;
	loop->quality_cap = nodes;
	loop->quality = malloc(nodes * sc->n_domains * sizeof(*loop->quality));
	if (!loop->quality || streams_init(loop, seed, rep)) {
		free(loop->quality);
		return HC_ERUNTIME;
	}
	if (archive_init(&loop->archive, nodes)) {
		streams_release(loop, stream_count(sc));
		free(loop->quality);
		archive_release(&loop->archive);
		return HC_ERUNTIME;
	}
	return 0;
}

static void loop_state_release(struct loop_state *loop)
{
	free(loop->quality);
	archive_release(&loop->archive);
	streams_release(loop, stream_count(loop->run->sc));
}

static void run_release(struct run *run)
{
	const struct scenario *sc = run->sc;
	for (size_t f = 0; f < run->models->n_fleets; f++)
		pool_release(&run->fleet_slots[f]);
	for (size_t d = 0; d < sc->n_domains; d++)
		pool_release(&run->eval_pool[d]);
	for (unsigned k = 0; run->loops && k < run->n_loops; k++)
		if (run->loops[k].run)
			loop_state_release(&run->loops[k]);
	free(run->loops);
	sim_release(&run->sim);
}

/* The shared capacity: endpoints, fleet slots, shared evaluation workers. */
static int capacity_init(struct run *run)
{
	const struct scenario *sc = run->sc;
	const struct loop_models *m = run->models;
	int ok = 1;
	for (size_t i = 0; i < m->n; i++) {
		struct endpoint_state *ep = &run->ep[i];
		ep->e = scenario_endpoint(sc, m->names[i]);
		endpoint_limits_init(&ep->limits, &ep->e);
	}
	for (size_t f = 0; f < m->n_fleets; f++)
		ok &= !pool_init(&run->fleet_slots[f], &run->sim, m->fleets[f].slots);
	for (size_t d = 0; sc->shared.eval_workers && d < sc->n_domains; d++)
		ok &= !pool_init(&run->eval_pool[d], &run->sim, sc->shared.eval_workers);
	return ok ? 0 : HC_ERUNTIME;
}

/* Loops first .. first + n_loops - 1 of replication rep, each with its own stream. */
static int run_init(struct run *run, const struct scenario *sc, const struct loop_models *m,
		    uint64_t seed, unsigned rep, unsigned first, unsigned n_loops,
		    struct loop_result *res)
{
	memset(run, 0, sizeof(*run));
	run->sc = sc;
	run->models = m;
	run->res = res;
	res->n_targets = m->n;
	welford_init(&run->rate_wait);
	welford_init(&run->eval_wait);
	loop_columns(m, &run->col);
	if (rep == 0) {
		timeline_init(&res->timeline, run->col.count);
		run->tl = &res->timeline;
	}
	sim_init(&run->sim);
	run->n_loops = n_loops;
	run->loops = calloc(n_loops, sizeof(*run->loops));
	res->shared.loop_wall_seconds = calloc(n_loops, sizeof(double));
	int rc = run->loops && res->shared.loop_wall_seconds ? capacity_init(run) : HC_ERUNTIME;
	for (unsigned k = 0; !rc && k < n_loops; k++) {
		rc = loop_state_init(&run->loops[k], run, first + k, seed, rep);
		if (rc)
			run->loops[k].run = NULL; /* not to be released */
	}
	if (rc)
		run_release(run);
	return rc;
}

/* The bill besides API tokens (docs/costs.md, "Storage" and "Sandbox compute"). */
static void price_the_rest(const struct cost_params *cp, struct loop_result *res)
{
	double gb_months = res->archive_gb_months + res->retained_bytes / 1e9 * cp->retention_months;
	res->cost_storage = gb_months * cp->storage_usd_per_gb_month +
			    res->storage_writes / 1000 * cp->storage_usd_per_1000_requests +
			    res->storage_reads / 1000 * cp->storage_usd_per_1000_reads;
	res->cost_compute = res->sandbox_cpu_hours * cp->sandbox_vcpus * cp->vcpu_hour_usd +
			    res->sandbox_gpu_hours * cp->sim_gpu_hour_usd;
}

/*
 * Fleets cost their provisioned GPU-hours over the whole run (the group's: its last loop's
 * end), idle ones included.
 */
static void price_fleets(struct run *run)
{
	struct loop_result *res = run->res;
	struct welford *w = &res->shared.fleet_wait;
	for (size_t f = 0; f < run->models->n_fleets; f++) {
		const struct fleet *lf = &run->models->fleets[f];
		const struct pool *slots = &run->fleet_slots[f];
		res->fleet[f].gpu_hours = (double)lf->spec->replicas * lf->replica.gpus *
					  res->wall_seconds / 3600;
		res->fleet[f].cost_usd = res->fleet[f].gpu_hours * lf->gpu_hour_usd;
		res->fleet[f].utilisation = pool_utilisation(slots);
		res->fleet[f].wait_seconds = slots->wait.n ? slots->wait.mean : 0;
		res->cost_self_hosted += res->fleet[f].cost_usd;
		if (slots->wait.n) {
			/* pooled mean of the fleets' waits, per call */
			double n = (double)(w->n + slots->wait.n);
			w->mean += (slots->wait.mean - w->mean) * (double)slots->wait.n / n;
			w->n += slots->wait.n;
		}
	}
}

/* One loop's archive into the group's: sums, and the deepest and best node of any loop. */
static int add_archive(struct run *run, const struct loop_state *loop)
{
	struct loop_result *res = run->res;
	const struct archive *a = &loop->archive;
	const struct scenario *sc = run->sc;
	double retained;
	res->archive_nodes += a->n;
	res->archive_bytes += a->total_bytes;
	/* each node's bytes from its join to its loop's end: Σ b_i (W − t_i), in 730-h months */
	res->archive_gb_months += (a->total_bytes * loop->end - loop->byte_seconds) / 1e9 /
				  (730 * 3600.0);
	for (size_t i = 0; i < a->n; i++) {
		if (a->nodes[i].depth > res->max_depth)
			res->max_depth = a->nodes[i].depth;
		if (a->nodes[i].score > res->best_score)
			res->best_score = a->nodes[i].score;
	}
	if (archive_retained_bytes(a, sc->costs.retention_keep_top,
				   sc->costs.retention_keep_iterations, sc->archive.node_metadata_bytes,
				   sc->archive.root_bytes, &retained))
		return HC_ERUNTIME;
	res->retained_bytes += retained;
	return 0;
}

/*
 * The group's figures: its wall time is its last loop's end, and its critical path that
 * loop's; loop wall times, waits and the shared evaluation workers' use.
 */
static void summarise_shared(struct run *run)
{
	struct loop_result *res = run->res;
	const struct scenario *sc = run->sc;
	struct loop_shared_result *sh = &res->shared;
	const struct loop_state *last = &run->loops[0];
	sh->loops = run->n_loops;
	sh->loop_wall_seconds_min = INFINITY;
	for (unsigned k = 0; k < run->n_loops; k++) {
		const struct loop_state *loop = &run->loops[k];
		sh->loop_wall_seconds[k] = loop->end;
		sh->loop_wall_seconds_mean += loop->end / run->n_loops;
		sh->loop_wall_seconds_min = fmin(sh->loop_wall_seconds_min, loop->end);
		if (loop->end > last->end)
			last = loop;
	}
	memcpy(res->phase_seconds, last->phase_seconds, sizeof(res->phase_seconds));
	sh->rate_wait = run->rate_wait;
	sh->eval_wait = run->eval_wait;
	for (size_t d = 0; sc->shared.eval_workers && d < sc->n_domains; d++) {
		sh->eval_utilisation += pool_utilisation(&run->eval_pool[d]) / sc->n_domains;
		span(run, run->col.eval_slots, 0, res->wall_seconds, sc->shared.eval_workers);
	}
}

static int summarise(struct run *run)
{
	struct loop_result *res = run->res;
	res->wall_seconds = run->sim.now;
	res->events = run->sim.events;
	for (unsigned k = 0; k < run->n_loops; k++)
		if (add_archive(run, &run->loops[k]))
			return HC_ERUNTIME;
	summarise_shared(run);
	price_the_rest(&run->sc->costs, res);
	price_fleets(run);
	return 0;
}

static int run_loops(const struct scenario *sc, const struct loop_models *models,
		     uint64_t seed, unsigned rep, unsigned first, unsigned n_loops,
		     struct loop_result *res, struct hc_err *err)
{
	struct run run;
	memset(res, 0, sizeof(*res));
	if (run_init(&run, sc, models, seed, rep, first, n_loops, res)) {
		loop_result_release(res);
		return hc_err_set(err, HC_ERUNTIME, "out of memory setting up replication %u", rep);
	}
	for (unsigned k = 0; k < n_loops; k++)
		sim_at(&run.sim, 0, initial_evaluation, &run.loops[k]);
	int rc = sim_run(&run.sim, INFINITY, 0);
	if (rc || run.failed) {
		/* children still in flight hold memory only the events know of; a failed run is
		 * reported and the process exits, so they are left to it */
		run_release(&run);
		loop_result_release(res);
		return hc_err_set(err, HC_ERUNTIME, "out of memory in replication %u", rep);
	}
	rc = summarise(&run);
	run_release(&run);
	if (rc || res->timeline.failed) {
		loop_result_release(res);
		return hc_err_set(err, HC_ERUNTIME, "out of memory in replication %u", rep);
	}
	return 0;
}

int loop_run(const struct scenario *sc, const struct loop_models *models, uint64_t seed,
	     unsigned rep, struct loop_result *res, struct hc_err *err)
{
	return run_loops(sc, models, seed, rep, 0, sc->shared.loops, res, err);
}

int loop_run_alone(const struct scenario *sc, const struct loop_models *models, uint64_t seed,
		   unsigned rep, unsigned loop, struct loop_result *res, struct hc_err *err)
{
	return run_loops(sc, models, seed, rep, loop, 1, res, err);
}

void loop_result_release(struct loop_result *res)
{
	free(res->rows);
	free(res->row_usage);
	free(res->row_cost);
	free(res->shared.loop_wall_seconds);
	res->shared.loop_wall_seconds = NULL;
	timeline_release(&res->timeline);
	res->rows = NULL;
	res->row_usage = NULL;
	res->row_cost = NULL;
	res->n_rows = 0;
}

void loop_columns(const struct loop_models *m, struct loop_columns *c)
{
	size_t at = 0;
	c->role_tokens = at;
	at += ROLE_COUNT;
	c->target_tokens = at;
	at += m->n;
	c->api_usd = at++;
	c->eval_busy = at++;
	c->eval_slots = at++;
	c->eval_queue = at++;
	c->target_requests = at;
	at += m->n;
	c->target_queue = at;
	at += m->n;
	c->fleet_busy = at;
	at += m->n_fleets;
	c->fleet_queue = at;
	at += m->n_fleets;
	c->count = at;
}
