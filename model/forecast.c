/* forecast: R replications of a scenario and their quantiles. Contracts in forecast.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/calendar.h"
#include "model/forecast.h"
#include "model/priors.h"
#include "model/profiles.h"
#include "sim/stats.h"

const char *metric_name(enum metric m)
{
	static const char *const names[] = { "tokens_total", "tokens_self_modify",
					     "tokens_evaluate", "cost_usd_total", "wall_time_hours",
					     "archive_bytes", "io_bytes" };
	return names[m];
}

int metric_is_count(enum metric m)
{
	return m != METRIC_COST_TOTAL && m != METRIC_WALL_HOURS;
}

double metric_value(const struct loop_result *r, enum metric m)
{
	switch (m) {
	case METRIC_TOKENS_TOTAL:
		return (double)(usage_total(&r->by_role[ROLE_SELF_MODIFY]) +
				usage_total(&r->by_role[ROLE_EVALUATE]));
	case METRIC_TOKENS_SELF_MODIFY:
		return (double)usage_total(&r->by_role[ROLE_SELF_MODIFY]);
	case METRIC_TOKENS_EVALUATE:
		return (double)usage_total(&r->by_role[ROLE_EVALUATE]);
	case METRIC_COST_TOTAL:
		return loop_cost_total(r);
	case METRIC_WALL_HOURS:
		return r->wall_seconds / 3600;
	case METRIC_ARCHIVE_BYTES:
		return r->archive_bytes;
	case METRIC_IO_BYTES:
		return r->io_bytes;
	case METRIC_COUNT:
		break;
	}
	return 0;
}

/* A replication's slot: its result until merged, and its error. */
struct slot {
	struct loop_result res;
	struct hc_err err;
	unsigned rep;
};

struct job {
	struct forecast *f;
	const struct forecast_sink *sink;
	struct slot *slots;     /* rep k in slots[k % window] */
	unsigned window;
	struct hc_err merge_err;
};

/*
 * Replication rep's scenario as it runs: with priors, its own draw into *drawn and the
 * models resolved for it (fleet sizing follows the drawn sizes); without, the scenario
 * itself and f->models. *sc is set first: the caller releases *drawn when *sc == drawn.
 */
static int rep_scenario(const struct forecast *f, unsigned rep, struct scenario *drawn,
			const struct scenario **sc, struct loop_models *models,
			struct hc_err *err)
{
	const struct scenario *base = forecast_rep_scenario(f, rep);
	*sc = base;
	if (!base->n_priors) {
		*models = f->models;
		return 0;
	}
	int rc = scenario_draw(base, f->seed, rep, drawn, err);
	if (rc)
		return rc;
	*sc = drawn;
	return loop_resolve_models(drawn, f->ps, models, err);
}

static int run_one(unsigned rep, void *ctx)
{
	struct job *job = ctx;
	struct forecast *f = job->f;
	struct slot *s = &job->slots[rep % job->window];
	struct scenario drawn;
	const struct scenario *sc;
	struct loop_models models;
	s->rep = rep;
	int rc = rep_scenario(f, rep, &drawn, &sc, &models, &s->err);
	if (!rc)
		rc = loop_run(sc, &models, f->seed, rep, &s->res, &s->err);
	if (sc == &drawn)
		scenario_release(&drawn);
	return rc;
}

const struct scenario *forecast_rep_scenario(const struct forecast *f, unsigned rep)
{
	return f->n_variants ? &f->variants[rep % f->n_variants] : f->sc;
}

static void add_mean(struct usage_mean *m, const struct usage *u, double w)
{
	m->calls += (double)u->calls * w;
	m->input += (double)u->input * w;
	m->cache_read += (double)u->cache_read * w;
	m->cache_write += (double)u->cache_write * w;
	m->output += (double)u->output * w;
	m->reasoning += (double)u->reasoning * w;
	m->total += (double)usage_total(u) * w;
}

/* Called in replication order, so the means do not depend on the thread count. */
static void add_to_means(struct forecast *f, const struct loop_result *r)
{
	struct forecast_means *m = &f->mean;
	double w = 1.0 / f->runs;
	for (int role = 0; role < ROLE_COUNT; role++) {
		add_mean(&m->by_role[role], &r->by_role[role], w);
		add_mean(&m->total, &r->by_role[role], w);
		m->cost_by_role[role] += r->cost_by_role[role] * w;
	}
	for (size_t k = 0; k < f->models.n; k++) {
		add_mean(&m->by_model[k], &r->by_model[k], w);
		m->cost_by_model[k] += r->cost_by_model[k] * w;
	}
	for (size_t k = 0; k < f->models.n_fleets; k++) {
		m->fleet[k].gpu_hours += r->fleet[k].gpu_hours * w;
		m->fleet[k].cost_usd += r->fleet[k].cost_usd * w;
		m->fleet[k].utilisation += r->fleet[k].utilisation * w;
		m->fleet[k].wait_seconds += r->fleet[k].wait_seconds * w;
		m->fleet[k].calls += r->fleet[k].calls * w;
	}
	m->cost_total += loop_cost_total(r) * w;
	m->cost_api += loop_cost_api(r) * w;
	m->cost_self_hosted += r->cost_self_hosted * w;
	m->cost_storage += r->cost_storage * w;
	m->cost_compute += r->cost_compute * w;
	m->sandbox_cpu_hours += r->sandbox_cpu_hours * w;
	m->sandbox_gpu_hours += r->sandbox_gpu_hours * w;
	m->storage_reads += r->storage_reads * w;
	m->storage_writes += r->storage_writes * w;
	m->storage_requests += (r->storage_reads + r->storage_writes) * w;
	m->archive_gb_months += r->archive_gb_months * w;
	m->retained_bytes += r->retained_bytes * w;
	m->gpu_sim_hours += r->gpu_sim_hours * w;
	m->wall_hours += r->wall_seconds / 3600 * w;
	m->rebuild_hours += r->rebuild_seconds / 3600 * w;
	for (int p = 0; p < PHASE_COUNT; p++)
		m->critical_path_hours[p] += r->phase_seconds[p] / 3600 * w;
	m->archive_nodes += (double)r->archive_nodes * w;
	m->archive_bytes += r->archive_bytes * w;
	m->io_bytes += r->io_bytes * w;
	m->max_depth += r->max_depth * w;
	m->best_score += r->best_score * w;
	m->compile_failures += r->compile_failures * w;
	m->gates_passed += r->gates_passed * w;
	m->gates_failed += r->gates_failed * w;
	m->timeouts += r->timeouts * w;
	m->loop_wall_hours += r->shared.loop_wall_seconds_mean / 3600 * w;
	m->rate_wait_seconds += r->shared.rate_wait.mean * w;
	m->fleet_wait_seconds += r->shared.fleet_wait.mean * w;
	m->eval_wait_seconds += r->shared.eval_wait.mean * w;
	m->eval_utilisation += r->shared.eval_utilisation * w;
}

static void keep_rep(struct forecast_rep *k, const struct loop_result *r)
{
	for (int m = 0; m < METRIC_COUNT; m++)
		k->metric[m] = metric_value(r, (enum metric)m);
	k->cost_api = loop_cost_api(r);
	k->cost_self_hosted = r->cost_self_hosted;
	k->cost_storage = r->cost_storage;
	k->cost_compute = r->cost_compute;
	k->events = r->events;
}

/* Replication rep, in order: into the means, then to the sink and freed (or kept). */
static int merge_one(unsigned rep, void *ctx)
{
	struct job *job = ctx;
	struct forecast *f = job->f;
	struct loop_result *r = &job->slots[rep % job->window].res;
	int rc = 0;
	add_to_means(f, r);
	keep_rep(&f->per_rep[rep], r);
	if (!job->sink) {
		f->reps[rep] = *r;
	} else {
		if (job->sink->fn)
			rc = job->sink->fn(job->sink->ctx, f, rep, r, &job->merge_err);
		if (rep == 0)
			f->reps[0] = *r;
		else
			loop_result_release(r);
	}
	memset(r, 0, sizeof(*r));
	return rc;
}

double forecast_rep_runs_per_month(const struct forecast *f, unsigned i)
{
	const struct cost_params *cp = &f->sc->costs;
	return calendar_monthly_runs(cp, f->per_rep[i].metric[METRIC_WALL_HOURS]) *
	       cp->parallel_runs;
}

/* The steady state of the calendar (model/calendar.h): each replication's runs a 730-hour
 * month in each of parallel_runs lanes, by the schedule, and their tokens and dollars. */
static void compute_monthly(struct forecast *f)
{
	const struct cost_params *cp = &f->sc->costs;
	struct forecast_means *m = &f->mean;
	m->monthly_tokens = m->monthly_cost = m->monthly_runs = 0;
	for (unsigned i = 0; i < f->runs; i++) {
		const struct forecast_rep *k = &f->per_rep[i];
		double runs = forecast_rep_runs_per_month(f, i) / f->runs;
		m->monthly_runs += runs;
		m->monthly_tokens += k->metric[METRIC_TOKENS_TOTAL] * runs;
		m->monthly_cost += k->metric[METRIC_COST_TOTAL] * runs;
	}
	m->monthly_busy_share = calendar_busy_share(cp, m->wall_hours);
	double rebuild = m->critical_path_hours[PHASE_REBUILD];
	m->rebuild_seconds_per_iteration = f->sc->iterations ? rebuild * 3600 / f->sc->iterations
							     : 0;
	m->rebuild_share = m->wall_hours > 0 ? rebuild / m->wall_hours : 0;
	m->fine_tune_comparator_usd = cp->fine_tune_gpus * cp->fine_tune_hours *
				      cp->fine_tune_gpu_hour_usd;
}

static int batched(const struct scenario *sc)
{
	int any = sc->self_modification.route.batch;
	for (size_t d = 0; d < sc->n_domains; d++)
		any |= sc->domains[d].route.batch;
	return any;
}

/*
 * Replication 0 of the scenario (its prior draw included) with every batch off: the wall
 * time a batch what-if is compared with. The copy has its own domains and borrows the rest
 * of the scenario, so it is freed, never released.
 */
static int run_unbatched(struct forecast *f, struct hc_err *err)
{
	struct scenario drawn;
	const struct scenario *sc;
	struct loop_models models;
	int rc = rep_scenario(f, 0, &drawn, &sc, &models, err);
	struct scenario *plain = rc ? NULL : malloc(sizeof(*plain));
	struct domain *domains = rc ? NULL : malloc(sc->n_domains * sizeof(*domains));
	struct loop_result r;
	if (!rc && (!plain || !domains))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!rc) {
		*plain = *sc;
		memcpy(domains, plain->domains, plain->n_domains * sizeof(*domains));
		plain->domains = domains;
		plain->self_modification.route.batch = 0;
		for (size_t d = 0; d < plain->n_domains; d++)
			plain->domains[d].route.batch = 0;
		rc = loop_run(plain, &models, f->seed, 0, &r, err);
	}
	free(domains);
	free(plain);
	if (sc == &drawn)
		scenario_release(&drawn);
	if (rc)
		return rc;
	f->unbatched_wall_hours = r.wall_seconds / 3600;
	loop_result_release(&r);
	return 0;
}

/*
 * Each loop of replication 0 (its prior draw included) again alone, with its own stream:
 * the mean of their wall times, and the stretch, the mean over loops of wall time shared
 * over wall time alone (docs/model.md, "Shared capacity").
 */
static int run_alone(struct forecast *f, struct hc_err *err)
{
	const struct loop_shared_result *sh = &f->reps[0].shared;
	struct scenario drawn;
	const struct scenario *sc;
	struct loop_models models;
	int rc = rep_scenario(f, 0, &drawn, &sc, &models, err);
	f->alone_wall_hours = f->stretch = 0;
	for (unsigned k = 0; !rc && k < sh->loops; k++) {
		struct loop_result r;
		rc = loop_run_alone(sc, &models, f->seed, 0, k, &r, err);
		if (rc)
			break;
		f->alone_wall_hours += r.wall_seconds / 3600 / sh->loops;
		f->stretch += sh->loop_wall_seconds[k] / r.wall_seconds / sh->loops;
		loop_result_release(&r);
	}
	if (sc == &drawn)
		scenario_release(&drawn);
	return rc;
}

/*
 * GPU simulators running over FORECAST_GPU_SIM_REVISIT of the wall time: the share, and the
 * first domain with simulator GPUs and how many of its tasks run at once. 0: no warning.
 */
static int gpu_sim_warning(const struct forecast *f, char *msg, size_t size)
{
	double share = f->mean.wall_hours > 0 ? f->mean.gpu_sim_hours / f->mean.wall_hours : 0;
	if (share <= FORECAST_GPU_SIM_REVISIT)
		return 0;
	const struct domain *gpu = NULL;
	for (size_t d = 0; d < f->sc->n_domains && !gpu; d++)
		if (f->sc->domains[d].sandbox_gpus > 0)
			gpu = &f->sc->domains[d];
	if (!gpu)
		return 0;
	unsigned shared = f->sc->shared.eval_workers;
	unsigned at_once = shared ? shared : gpu->eval_workers;
	snprintf(msg, size,
		 "GPU simulators run during %.0f%% of the wall time, over the %.0f%% at which to "
		 "revisit the plan; %s runs %u task%s at once (%s): more simulator GPUs at once "
		 "shorten the run, the GPU-hours stay",
		 100 * share, 100 * FORECAST_GPU_SIM_REVISIT, gpu->name, at_once,
		 at_once == 1 ? "" : "s", shared ? "shared.eval_workers, for every loop" : "eval_workers");
	return 1;
}

size_t forecast_warnings(const struct forecast *f, char msgs[][FORECAST_WARNING_MAX])
{
	size_t n = 0;
	double batched_hours = f->per_rep ? f->per_rep[0].metric[METRIC_WALL_HOURS] : 0;
	if (f->unbatched_wall_hours > 0 &&
	    batched_hours > FORECAST_STRETCH_WARN * f->unbatched_wall_hours)
		snprintf(msgs[n++], FORECAST_WARNING_MAX,
			 "batch stretches the wall time %.0f-fold: %.1f days against %.1f without "
			 "batch (replication 0 of each); every result arrives that much later",
			 batched_hours / f->unbatched_wall_hours, batched_hours / 24,
			 f->unbatched_wall_hours / 24);
	n += (size_t)profiles_warning(f->sc, msgs[n], FORECAST_WARNING_MAX);
	n += (size_t)gpu_sim_warning(f, msgs[n], FORECAST_WARNING_MAX);
	if (f->mean.monthly_busy_share > 1)
		snprintf(msgs[n++], FORECAST_WARNING_MAX,
			 "the schedule cannot be kept: %g run%s a month of %.3g days is a busy share "
			 "of %.2f for each of %g loop%s at once; a run starts when the previous one "
			 "ends, every %.3g days, and the monthly figures follow that rate",
			 f->sc->costs.runs_per_month, f->sc->costs.runs_per_month == 1 ? "" : "s",
			 f->mean.wall_hours / 24, f->mean.monthly_busy_share,
			 f->sc->costs.parallel_runs, f->sc->costs.parallel_runs == 1 ? "" : "s",
			 calendar_period_hours(f->sc->costs.runs_per_month, f->mean.wall_hours) / 24);
	return n;
}

static int compute_metrics(struct forecast *f)
{
	double *x = malloc(f->runs * sizeof(*x));
	if (!x)
		return HC_ERUNTIME;
	for (int m = 0; m < METRIC_COUNT; m++) {
		struct welford w;
		welford_init(&w);
		for (unsigned i = 0; i < f->runs; i++) {
			x[i] = f->per_rep[i].metric[m];
			welford_add(&w, x[i]);
		}
		struct metric_stats *s = &f->metrics[m];
		s->mean = w.mean;
		s->ci95 = welford_ci95(&w);
		s->sd = welford_sd(&w);
		s->min = w.min;
		s->max = w.max;
		s->p10 = stats_quantile(x, f->runs, 0.10);
		s->p50 = stats_quantile(x, f->runs, 0.50);
		s->p90 = stats_quantile(x, f->runs, 0.90);
	}
	free(x);
	return 0;
}

/*
 * The error of the lowest failed replication, or of the sink: every replication below the
 * one the sink failed on was merged, so none of them failed.
 */
static void pick_error(const struct job *job, int rc, struct hc_err *err)
{
	const struct hc_err *first = job->merge_err.code ? &job->merge_err : NULL;
	unsigned lowest = UINT_MAX;
	for (unsigned i = 0; !job->merge_err.code && i < job->window; i++) {
		const struct slot *s = &job->slots[i];
		if (s->err.code && s->rep < lowest) {
			lowest = s->rep;
			first = &s->err;
		}
	}
	if (err && first)
		*err = *first;
	else
		hc_err_set(err, rc, "replication failed");
}

static void release_slots(struct job *job)
{
	for (unsigned i = 0; job->slots && i < job->window; i++)
		loop_result_release(&job->slots[i].res);
	free(job->slots);
}

static unsigned window_of(unsigned runs, unsigned threads, const struct forecast_sink *sink)
{
	unsigned w = threads > FORECAST_WINDOW / 2 ? 2 * threads : FORECAST_WINDOW;
	return sink && w < runs ? w : runs;
}

/* Each prior's ends (a choice: each value) must resolve in ps too: a rate it needs, a rule of
 * its provider (explicit caching on a model without a cache write rate, ...). */
static int check_prior_ends(const struct scenario *sc, const struct price_sheet *ps,
			    struct hc_err *err)
{
	for (size_t i = 0; i < sc->n_priors; i++) {
		char ends[PRIOR_MAX_VALUES][PRIOR_JSON_MAX];
		size_t n = prior_ends(&sc->priors[i], ends);
		for (size_t e = 0; e < n; e++) {
			struct scenario at;
			struct loop_models models;
			int rc = scenario_with_value(sc, sc->priors[i].path, ends[e], &at, err);
			if (!rc && loop_resolve_models(&at, ps, &models, err))
				rc = hc_err_prefix(err, "the value %s of the prior at %s", ends[e],
						   sc->priors[i].path);
			scenario_release(&at);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int forecast_check(const struct scenario *sc, const struct price_sheet *ps, unsigned runs,
		   struct hc_err *err)
{
	struct loop_models models;
	int rc = scenario_check_limits(sc, runs, err);
	if (rc)
		return rc;
	if (loop_resolve_models(sc, ps, &models, err))
		return err ? err->code : HC_EINPUT;
	return check_prior_ends(sc, ps, err);
}

int forecast_run(struct forecast *f, const struct scenario *sc, const struct price_sheet *ps,
		 unsigned runs, unsigned threads, uint64_t seed,
		 const struct replicate_progress *progress, const struct forecast_sink *sink,
		 struct hc_err *err)
{
	return forecast_run_variants(f, sc, NULL, 0, ps, runs, threads, seed, progress, sink,
				     err);
}

int forecast_run_variants(struct forecast *f, const struct scenario *sc,
			  const struct scenario *variants, unsigned n_variants,
			  const struct price_sheet *ps, unsigned runs, unsigned threads,
			  uint64_t seed, const struct replicate_progress *progress,
			  const struct forecast_sink *sink, struct hc_err *err)
{
	memset(f, 0, sizeof(*f));
	f->sc = sc;
	f->ps = ps;
	f->variants = variants;
	f->n_variants = variants ? n_variants : 0;
	f->seed = seed;
	f->runs = runs;
	int limited = scenario_check_limits(sc, runs, err);
	for (unsigned i = 0; !limited && i < f->n_variants && i < runs; i++)
		limited = scenario_check_limits(&variants[i], runs, err);
	if (limited)
		return limited;
	if (loop_resolve_models(sc, ps, &f->models, err))
		return err ? err->code : HC_EINPUT;
	f->n_reps = sink ? 1 : runs;
	f->reps = calloc(f->n_reps, sizeof(*f->reps));
	f->per_rep = calloc(runs, sizeof(*f->per_rep));
	struct job job = { f, sink, NULL, window_of(runs, threads, sink), HC_ERR_INIT };
	job.slots = calloc(job.window, sizeof(*job.slots));
	if (!f->reps || !f->per_rep || !job.slots) {
		free(job.slots);
		forecast_release(f);
		return hc_err_set(err, HC_ERUNTIME, "out of memory for %u replications", runs);
	}
	struct replicate_merge merge = { merge_one, &job, job.window };
	int rc = replicate_run_merged(runs, threads, run_one, &job, progress, &merge);
	if (rc)
		pick_error(&job, rc, err);
	release_slots(&job);
	if (!rc) {
		compute_monthly(f);
		rc = compute_metrics(f);
		if (rc)
			hc_err_set(err, rc, "out of memory");
	}
	if (!rc && batched(sc))
		rc = run_unbatched(f, err);
	if (!rc && sc->shared.loops > 1) {
		rc = run_alone(f, err);
	} else if (!rc) {
		f->alone_wall_hours = f->reps[0].wall_seconds / 3600;
		f->stretch = 1;
	}
	if (rc)
		forecast_release(f);
	return rc;
}

void forecast_release(struct forecast *f)
{
	for (unsigned i = 0; f->reps && i < f->n_reps; i++)
		loop_result_release(&f->reps[i]);
	free(f->reps);
	free(f->per_rep);
	f->reps = NULL;
	f->per_rep = NULL;
}
