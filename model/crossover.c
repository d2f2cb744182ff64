/* crossover: API spend against a self-hosted fleet by monthly volume. Contracts in crossover.h. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"

#define SOLVE_LO 1e3
#define SOLVE_HI 1e18

static double replica_full_tokens_per_month(const struct crossover_input *in)
{
	return in->replica_tokens_per_s * 3600 * CROSSOVER_HOURS_PER_MONTH;
}

static double replica_tokens_per_month(const struct crossover_input *in)
{
	return replica_full_tokens_per_month(in) * in->max_utilisation;
}

static double replica_usd_per_month(const struct crossover_input *in)
{
	return in->replica_gpus * in->gpu_hour_usd * CROSSOVER_HOURS_PER_MONTH;
}

void crossover_at(const struct crossover_input *in, double v, struct crossover_point *out)
{
	double cap = replica_tokens_per_month(in), cost = replica_usd_per_month(in);
	double continuous = fmax(in->min_replicas, v / cap);
	out->tokens_per_month = v;
	out->api_usd = in->api_usd_per_token * v;
	out->replicas = fmax(in->min_replicas, ceil(v / cap));
	out->gpus = out->replicas * in->replica_gpus;
	out->self_hosted_usd = out->replicas * cost;
	out->continuous_usd = continuous * cost;
	out->utilisation = v / (out->replicas * replica_full_tokens_per_month(in));
}

static double gap(double log_v, void *params)
{
	struct crossover_point p;
	crossover_at(params, exp(log_v), &p);
	return p.api_usd - p.continuous_usd;
}

static int solve_continuous(const struct crossover_input *in, double *root, struct hc_err *err)
{
	gsl_function f = { gap, (void *)in };
	double lo = log(SOLVE_LO), hi = log(SOLVE_HI);
	*root = NAN;
	if (gap(hi, (void *)in) <= 0)
		return 0;             /* the API stays cheaper */
	if (gap(lo, (void *)in) > 0) {
		*root = SOLVE_LO;     /* self-hosting wins from the smallest volume considered */
		return 0;
	}
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	int status = gsl_root_fsolver_set(s, &f, lo, hi);
	for (int i = 0; !status && i < 200; i++) {
		status = gsl_root_fsolver_iterate(s);
		lo = gsl_root_fsolver_x_lower(s);
		hi = gsl_root_fsolver_x_upper(s);
		if (!status && gsl_root_test_interval(lo, hi, 0, 1e-12) == GSL_SUCCESS)
			break;
	}
	double x = gsl_root_fsolver_root(s);
	gsl_root_fsolver_free(s);
	if (status)
		return hc_err_set(err, HC_ERUNTIME, "the crossover solver failed: %s",
				  gsl_strerror(status));
	*root = exp(x);
	return 0;
}

/*
 * On its n-th step, volumes in ((n − 1)C, nC], the integer fleet costs n·R, and the API
 * passes that at n·R/a, which lies inside the step exactly when R/a <= C: the same for every
 * step. So the integer fleet first wins on its first step, at min_replicas·R/a, or never.
 */
static double first_integer_win(const struct crossover_input *in)
{
	double cap = replica_tokens_per_month(in), cost = replica_usd_per_month(in);
	double a = in->api_usd_per_token;
	double v = in->min_replicas * cost / a;
	return a > 0 && v <= in->min_replicas * cap ? v : NAN;
}

int crossover_solve(const struct crossover_input *in, struct crossover_result *out,
		    struct hc_err *err)
{
	double full = in->replica_tokens_per_s * 3600; /* tokens per replica-hour at full use */
	out->api_usd_per_mtok = in->api_usd_per_token * 1e6;
	out->self_hosted_usd_per_mtok = in->replica_gpus * in->gpu_hour_usd / full * 1e6;
	out->replica_tokens_per_month = replica_tokens_per_month(in);
	out->fixed_usd_per_month = in->min_replicas * replica_usd_per_month(in);
	out->integer_break_even_tokens_per_month = first_integer_win(in);
	out->replicas_at_break_even = out->utilisation_at_break_even = NAN;
	if (!isnan(out->integer_break_even_tokens_per_month)) {
		struct crossover_point p;
		crossover_at(in, out->integer_break_even_tokens_per_month, &p);
		out->replicas_at_break_even = p.replicas;
		out->utilisation_at_break_even = p.utilisation;
	}
	return solve_continuous(in, &out->break_even_tokens_per_month, err);
}

size_t crossover_grid(const struct crossover_input *in, double lo, double hi, int per_decade,
		      struct crossover_point *points, size_t max)
{
	size_t n = 0;
	for (int k = 0; n < max; k++) {
		double v = lo * pow(10, (double)k / per_decade);
		if (v > hi * (1 + 1e-12))
			break;
		crossover_at(in, v, &points[n++]);
	}
	return n;
}

struct crossover_request crossover_default_request(int pricing)
{
	return (struct crossover_request){ .serve_model = "llama-3.3-70b", .gpu = "h100-sxm",
					   .precision = PRECISION_FP8, .pricing = pricing,
					   .gpu_hour_usd = NAN, .max_utilisation = 0.6,
					   .min_replicas = 1 };
}

/* The scenario's usage over all calls, rounded to whole tokens, for re-pricing. */
static struct usage mix_usage(const struct usage_mean *m)
{
	struct usage u = {
		.calls = llround(m->calls), .input = llround(m->input),
		.cache_read = llround(m->cache_read), .cache_write = llround(m->cache_write),
		.output = llround(m->output), .reasoning = llround(m->reasoning),
	};
	return u;
}

static int api_side(const struct forecast *f, const struct price_sheet *ps,
		    const struct crossover_request *rq, struct crossover_plan *out,
		    struct hc_err *err)
{
	const struct usage_mean *m = &f->mean.total;
	if (m->total <= 0 || m->calls <= 0)
		return hc_err_set(err, HC_EINPUT, "the scenario makes no LLM calls: there is no "
				  "token mix to price");
	out->isl = m->input / m->calls;
	out->isl_cached = m->cache_read / m->calls;
	out->osl = m->output / m->calls;
	if (!rq->api_model) {
		double api_tokens = 0;  /* calls routed to a fleet cost no API dollars */
		for (size_t k = 0; k < f->models.n; k++)
			if (f->models.prices[k])
				api_tokens += f->mean.by_model[k].total;
		if (api_tokens <= 0)
			return hc_err_set(err, HC_EINPUT, "every call goes to a fleet: there is no "
					  "API mix to compare; allowed: --api-model M");
		out->in.api_usd_per_token = f->mean.cost_api / api_tokens;
		snprintf(out->api_label, sizeof(out->api_label), "the scenario's API mix");
		return 0;
	}
	const struct price *p;
	if (price_sheet_lookup(ps, rq->api_model, &p, err))
		return hc_err_prefix(err, "--api-model");
	struct usage u = mix_usage(m);
	if (isnan(p->cache_write))
		u.cache_write = 0;  /* a provider without cache writes bills them as input */
	if (isnan(p->cache_read))
		u.cache_read = 0;
	double usd = price_cost(p, &u);
	if (isnan(usd))
		return hc_err_set(err, HC_EINPUT, "--api-model: '%s' lacks a rate the mix needs",
				  p->name);
	out->in.api_usd_per_token = usd / (double)usage_total(&u);
	snprintf(out->api_label, sizeof(out->api_label), "%s", p->name);
	return 0;
}

/* The offer of g named name ("Lambda", or "on-demand Lambda"), or NULL. */
static const struct gpu_offer *find_offer(const struct gpu *g, const char *name)
{
	if (!strncasecmp(name, "on-demand ", 10))
		name += 10;
	for (size_t i = 0; i < g->n_offers; i++)
		if (!strcasecmp(g->offers[i].name, name))
			return &g->offers[i];
	return NULL;
}

static int unknown_offer(const struct gpu_sheet *gs, const struct gpu *g, const char *name,
			 struct hc_err *err)
{
	char list[GPU_OFFERS_MAX * (FLEET_NAME_MAX + 2)] = "";
	for (size_t i = 0, len = 0; i < g->n_offers; i++, len = strlen(list))
		snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", g->offers[i].name);
	return hc_err_set(err, HC_EINPUT, "--pricing '%s': neither a pricing mode nor an offer "
			  "of %s in '%s'; allowed: on-demand, spot, reserved, owned%s%s", name,
			  g->name, gs->origin, *list ? ", or an offer: " : "", list);
}

/* The headline's price per GPU-hour (--gpu-hour-usd, an offer or a mode), with its label. */
static int headline_price(const struct gpu_sheet *gs, const struct gpu *g,
			  const struct crossover_request *rq, struct crossover_plan *out,
			  struct hc_err *err)
{
	const char *mode = gpu_pricing_name((enum gpu_pricing)rq->pricing), *offer = "";
	const char *source = rq->pricing == PRICING_OWNED ? g->owned_source
							  : g->price_source[rq->pricing];
	double usd = gpu_hour_usd(g, (enum gpu_pricing)rq->pricing, &gs->owned);
	const struct gpu_offer *o = rq->offer ? find_offer(g, rq->offer) : NULL;
	if (!isnan(rq->gpu_hour_usd)) {
		usd = rq->gpu_hour_usd;
		mode = "given";
		source = "--gpu-hour-usd";
	} else if (rq->offer && !o) {
		return unknown_offer(gs, g, rq->offer, err);
	} else if (o) {
		usd = o->usd_per_gpu_hour;
		offer = o->name;
		source = o->source;
	}
	if (isnan(usd))
		return hc_err_set(err, HC_EINPUT, "%s has no %s price in '%s'; allowed: another "
				  "--pricing, or --gpu-hour-usd X", g->name, mode, gs->origin);
	out->in.gpu_hour_usd = usd;
	snprintf(out->price_label, sizeof(out->price_label), "$%.2f/GPU-hour %s%s%s (%s)", usd,
		 mode, *offer ? " " : "", offer, source);
	return 0;
}

static int fleet_side(const struct gpu_sheet *gs, const struct serving_sheet *ss,
		      const struct crossover_request *rq, struct crossover_plan *out,
		      struct hc_err *err)
{
	const struct gpu *g;
	const struct serving_model *sm;
	struct replica r;
	if (gpu_sheet_lookup(gs, rq->gpu, &g, err) ||
	    serving_sheet_lookup(ss, rq->serve_model, &sm, err) ||
	    fleet_replica(ss, sm, (enum precision)rq->precision, g, rq->gpus, out->isl,
			  out->isl_cached, out->osl, &r, err) ||
	    headline_price(gs, g, rq, out, err))
		return err ? err->code : HC_EINPUT;
	out->in.replica_gpus = r.gpus;
	out->in.replica_tokens_per_s = r.output_tokens_per_s * (out->isl + out->osl) / out->osl;
	out->replica_batch = r.batch;
	out->replica_output_tokens_per_s = r.output_tokens_per_s;
	out->calibration = r.calibration;
	out->measured_points = r.measured_points;
	snprintf(out->gpu_name, sizeof(out->gpu_name), "%s", g->name);
	snprintf(out->serve_label, sizeof(out->serve_label), "%s %s", sm->name,
		 rq->precision == PRECISION_FP8 ? "FP8" : "BF16");
	return 0;
}

/* One row of the modes table: the plan's fleet at usd per GPU-hour, solved, and its bills at
 * the scenario's volume. */
static int mode_add(struct crossover_plan *out, const char *name, const char *offer,
		    const char *source, double usd, struct hc_err *err)
{
	struct crossover_mode *m = &out->modes[out->n_modes++];
	struct crossover_input in = out->in;
	in.gpu_hour_usd = usd;
	snprintf(m->name, sizeof(m->name), "%s%s%s", name, offer ? " " : "", offer ? offer : "");
	snprintf(m->source, sizeof(m->source), "%s", source);
	m->gpu_hour_usd = usd;
	crossover_at(&in, out->scenario_tokens_per_month, &m->at_scenario);
	return crossover_solve(&in, &m->res, err);
}

static int modes_fill(const struct gpu_sheet *gs, const struct crossover_request *rq,
		      struct crossover_plan *out, struct hc_err *err)
{
	const struct gpu *g;
	int rc = gpu_sheet_lookup(gs, rq->gpu, &g, err);
	out->headline = -1;
	if (!rc && !isnan(rq->gpu_hour_usd)) {
		out->headline = 0;
		rc = mode_add(out, "given", NULL, "--gpu-hour-usd", rq->gpu_hour_usd, err);
	}
	for (int k = 0; !rc && k < PRICING_COUNT; k++) {
		double usd = gpu_hour_usd(g, (enum gpu_pricing)k, &gs->owned);
		if (isnan(usd))
			continue;
		if (k == rq->pricing && !rq->offer && isnan(rq->gpu_hour_usd))
			out->headline = (int)out->n_modes;
		rc = mode_add(out, gpu_pricing_name((enum gpu_pricing)k), NULL,
			      k == PRICING_OWNED ? g->owned_source : g->price_source[k], usd, err);
	}
	for (size_t i = 0; !rc && i < g->n_offers; i++) {
		if (rq->offer && isnan(rq->gpu_hour_usd) && find_offer(g, rq->offer) == &g->offers[i])
			out->headline = (int)out->n_modes;
		rc = mode_add(out, "on-demand", g->offers[i].name, g->offers[i].source,
			      g->offers[i].usd_per_gpu_hour, err);
	}
	return rc;
}

static int is_served_model(const struct serving_model *sm, const char *name)
{
	if (!strcasecmp(sm->name, name))
		return 1;
	for (size_t i = 0; i < FLEET_ALIASES; i++)
		if (sm->aliases[i][0] && !strcasecmp(sm->aliases[i], name))
			return 1;
	return 0;
}

/* Appends name to list unless it is the served model; 1 when appended. */
static int note_model(char *list, size_t size, const struct serving_model *sm, const char *name)
{
	size_t len = strlen(list);
	if (is_served_model(sm, name))
		return 0;
	snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);
	return 1;
}

/* Whether a target before k bills at the same price as k (two names of one model). */
static int priced_before(const struct loop_models *m, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (m->prices[j] == m->prices[k])
			return 1;
	return 0;
}

/* The line that says a different model's answers are not priced for quality. */
static void quality_note(const struct forecast *f, const struct crossover_request *rq,
			 const struct serving_sheet *ss, struct crossover_plan *out)
{
	const struct serving_model *sm;
	char list[256] = "";
	int n = 0;
	out->quality_note[0] = 0;
	if (serving_sheet_lookup(ss, rq->serve_model, &sm, NULL))
		return;
	if (rq->api_model)
		n = note_model(list, sizeof(list), sm, out->api_label);
	for (size_t k = 0; !rq->api_model && k < f->models.n; k++)
		if (f->models.prices[k] && f->mean.by_model[k].total > 0 &&
		    !priced_before(&f->models, k))
			n += note_model(list, sizeof(list), sm, f->models.prices[k]->name);
	if (n)
		snprintf(out->quality_note, sizeof(out->quality_note), "quality is not modelled: "
			 "%s replaces %s, and these figures assume it does the same work in the "
			 "same tokens", out->serve_label, list);
}

int crossover_plan(const struct forecast *f, const struct price_sheet *ps,
		   const struct gpu_sheet *gs, const struct serving_sheet *ss,
		   const struct crossover_request *rq, struct crossover_plan *out,
		   struct hc_err *err)
{
	memset(out, 0, sizeof(*out));
	out->in.max_utilisation = rq->max_utilisation;
	out->in.min_replicas = rq->min_replicas;
	if (api_side(f, ps, rq, out, err) || fleet_side(gs, ss, rq, out, err))
		return err ? err->code : HC_EINPUT;
	out->scenario_tokens_per_month = f->mean.monthly_tokens;
	crossover_at(&out->in, out->scenario_tokens_per_month, &out->at_scenario);
	quality_note(f, rq, ss, out);
	int rc = crossover_solve(&out->in, &out->res, err);
	return rc ? rc : modes_fill(gs, rq, out, err);
}

/* ---- loops on one fleet ------------------------------------------------------------------ */

struct loops_ctx {
	const struct scenario *sc;
	const struct price_sheet *ps;
	const struct crossover_request *rq;
	struct crossover_plan *plan;
	unsigned runs, threads;
	uint64_t seed;
	struct hc_err *err;
};

/* The scenario with `loops` loops and, with replicas > 0, every role on one fleet. */
static int loops_scenario(const struct loops_ctx *x, unsigned loops, unsigned replicas,
			  struct scenario *out)
{
	char set[600];
	cJSON *root = scenario_to_json(x->sc);
	int rc = root ? 0 : HC_ERUNTIME;
	snprintf(set, sizeof(set), "shared.loops=%u", loops);
	if (!rc)
		rc = scenario_apply_set(root, set, x->err);
	if (!rc && replicas) {
		snprintf(set, sizeof(set), "fleets=[{\"name\": \"crossover\", \"serve_model\": "
			 "\"%s\", \"precision\": \"%s\", \"gpu\": \"%s\", \"gpus_per_replica\": %u, "
			 "\"replicas\": %u, \"gpu_hour_usd\": %.17g}]", x->rq->serve_model,
			 x->rq->precision == PRECISION_BF16 ? "bf16" : "fp8", x->rq->gpu,
			 x->plan->in.replica_gpus, replicas, x->plan->in.gpu_hour_usd);
		rc = scenario_apply_set(root, set, x->err);
		if (!rc)
			rc = scenario_apply_set(root, "self_modification.fleet=crossover", x->err);
		for (size_t d = 0; !rc && d < x->sc->n_domains; d++) {
			snprintf(set, sizeof(set), "domains.%s.fleet=crossover",
				 x->sc->domains[d].name);
			rc = scenario_apply_set(root, set, x->err);
		}
	}
	if (!rc)
		rc = scenario_from_json(out, root, x->sc->origin, x->err);
	cJSON_Delete(root);
	return rc;
}

/* The forecast's figures a loop of the scenario with loops and, with replicas > 0, the fleet:
 * the fleet's into row (and its GPU-hours and other costs), else the API's. */
static int loops_forecast(const struct loops_ctx *x, unsigned loops, unsigned replicas,
			  struct crossover_loops_row *row)
{
	struct scenario sc;
	struct forecast f;
	int rc = loops_scenario(x, loops, replicas, &sc);
	if (rc)
		return rc;
	rc = forecast_run(&f, &sc, x->ps, x->runs, x->threads, x->seed, NULL, FORECAST_DROP,
			  x->err);
	if (!rc && replicas) {
		const struct fleet_result *fr = &f.mean.fleet[0];
		row->replicas = replicas;
		row->fleet_usd_per_loop = f.mean.cost_total / loops;
		row->gpu_hours_per_loop = fr->gpu_hours / loops;
		row->other_usd_per_loop = (f.mean.cost_total - fr->cost_usd) / loops;
		row->wait_seconds = fr->wait_seconds;
		row->utilisation = fr->utilisation;
		row->wall_hours = f.mean.wall_hours;
	} else if (!rc) {
		row->api_usd_per_loop = f.mean.cost_total / loops;
		row->runs_per_month = f.mean.monthly_runs;
		row->tokens_per_month = f.mean.monthly_tokens;
	}
	if (!rc)
		forecast_release(&f);
	scenario_release(&sc);
	return rc;
}

/* N loops: the fewest replicas from `from` up within the wait target, and the API's bill. */
static int loops_row(const struct loops_ctx *x, unsigned loops, unsigned from,
		     struct crossover_loops_row *row)
{
	int rc = 0;
	memset(row, 0, sizeof(*row));
	row->loops = loops;
	for (unsigned r = from; !rc && !row->sized && r <= CROSSOVER_LOOPS_MAX_REPLICAS; r++) {
		rc = loops_forecast(x, loops, r, row);
		row->sized = row->wait_seconds <= x->plan->loops.max_wait_seconds;
	}
	if (!rc)
		rc = loops_forecast(x, loops, 0, row);
	return rc;
}

double crossover_loops_fleet_usd(const struct crossover_loops_row *r, double gpu_hour_usd)
{
	return r->other_usd_per_loop + r->gpu_hours_per_loop * gpu_hour_usd;
}

static int loops_wins(const struct crossover_loops_row *row, double gpu_hour_usd)
{
	return row->sized && crossover_loops_fleet_usd(row, gpu_hour_usd) <= row->api_usd_per_loop;
}

/* The row of `loops`, simulated now unless tried before; *at is its index. */
static int loops_try(const struct loops_ctx *x, unsigned loops, unsigned from, size_t *at)
{
	struct crossover_loops *l = &x->plan->loops;
	for (*at = 0; *at < l->n; ++*at)
		if (l->rows[*at].loops == loops)
			return 0;
	if (l->n == CROSSOVER_LOOPS_ROWS)
		return hc_err_set(x->err, HC_ERUNTIME, "more than %d loop counts tried",
				  CROSSOVER_LOOPS_ROWS);
	int rc = loops_row(x, loops, from, &l->rows[l->n]);
	*at = l->n++;
	return rc;
}

/* The prices to find a break-even for: the headline's, then every mode's. */
static size_t loops_prices(const struct crossover_plan *plan, double *usd)
{
	usd[0] = plan->in.gpu_hour_usd;
	for (size_t i = 0; i < plan->n_modes; i++)
		usd[1 + i] = plan->modes[i].gpu_hour_usd;
	return 1 + plan->n_modes;
}

/* 1, 2, 4, ... up to max_loops, until every price wins. */
static int loops_double(const struct loops_ctx *x, const double *usd, size_t n_prices)
{
	const struct crossover_loops *l = &x->plan->loops;
	unsigned from = 1, max = l->max_loops;
	for (unsigned n = 1;; n = n * 2 > max ? max : n * 2) {
		size_t at, k = 0;
		int rc = loops_try(x, n, from, &at);
		if (rc)
			return rc;
		from = l->rows[at].sized ? l->rows[at].replicas : from;
		while (k < n_prices && loops_wins(&l->rows[at], usd[k]))
			k++;
		if (k == n_prices || n >= max)
			return 0;
	}
}

/* At one price: bisects between the most loops tried that lost below the fewest that won;
 * *be is the break-even (0: none), *at the row there or at max_loops. */
static int loops_bisect(const struct loops_ctx *x, double usd, unsigned *be, size_t *at)
{
	const struct crossover_loops *l = &x->plan->loops;
	unsigned lost = 0, won = 0;
	for (size_t i = 0; i < l->n; i++)
		if (loops_wins(&l->rows[i], usd) && (!won || l->rows[i].loops < won))
			won = l->rows[i].loops;
	for (size_t i = 0; i < l->n; i++)
		if (!loops_wins(&l->rows[i], usd) && l->rows[i].loops > lost &&
		    (!won || l->rows[i].loops < won))
			lost = l->rows[i].loops;
	*be = won;
	if (!won)
		return loops_try(x, l->max_loops, 1, at);
	while (won - lost > 1) {
		unsigned mid = lost + (won - lost) / 2;
		int rc = loops_try(x, mid, 1, at);
		if (rc)
			return rc;
		if (loops_wins(&l->rows[*at], usd))
			won = mid;
		else
			lost = mid;
	}
	*be = won;
	return loops_try(x, won, 1, at);
}

/* The mode's figures at its row: a loop's and a month's (runs_per_month runs of L loops). */
static void loops_mode_fill(struct crossover_loops *l, double usd, unsigned be, size_t at,
			    struct crossover_loops_mode *m)
{
	const struct crossover_loops_row *r = &l->rows[at];
	double loops_a_month = r->loops * r->runs_per_month;
	m->break_even_loops = be;
	m->at = at;
	m->fleet_usd_per_loop = crossover_loops_fleet_usd(r, usd);
	m->api_usd_per_loop = r->api_usd_per_loop;
	m->fleet_usd_per_month = m->fleet_usd_per_loop * loops_a_month;
	m->api_usd_per_month = m->api_usd_per_loop * loops_a_month;
}

int crossover_loops_run(const struct scenario *sc, const struct price_sheet *ps,
			const struct crossover_request *rq, struct crossover_plan *plan,
			unsigned max_loops, double max_wait_seconds, unsigned runs,
			unsigned threads, uint64_t seed, struct hc_err *err)
{
	struct loops_ctx x = { sc, ps, rq, plan, runs, threads, seed, err };
	struct crossover_loops *l = &plan->loops;
	double usd[1 + CROSSOVER_MODES_MAX];
	size_t n_prices = loops_prices(plan, usd), at;
	memset(l, 0, sizeof(*l));
	l->max_loops = max_loops;
	l->max_wait_seconds = max_wait_seconds;
	int rc = loops_double(&x, usd, n_prices);
	if (!rc)
		rc = loops_bisect(&x, usd[0], &l->break_even_loops, &at);
	for (size_t k = 1; !rc && k < n_prices; k++) {
		unsigned be;
		rc = loops_bisect(&x, usd[k], &be, &at);
		if (!rc)
			loops_mode_fill(l, usd[k], be, at, &l->modes[l->n_modes++]);
	}
	return rc;
}
