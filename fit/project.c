#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fit/fitboot.h"
#include "fit/project.h"
#include "model/forecast.h"
#include "sim/rng.h"
#include "sim/stats.h"

/* The stream of the level's bootstrap, apart from the replications' (which use 0 .. runs). */
#define PROJECT_BOOTSTRAP_STREAM 0x70726f6aULL

/* What one replication gives: its iterations 1 .. upto and its remainder. */
struct rep_parts {
	double done_usd, done_tokens;
	double usd, tokens, hours;
};

struct remainder {
	long upto;
	struct rep_parts *rep;
};

int project_init(struct project *p, const struct project_config *cfg, long upto,
		 struct hc_err *err)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	if (!p->cfg.runs)
		p->cfg.runs = PROJECT_RUNS;
	p->upto = upto;
	p->first_start = p->last_end = NAN;
	fit_init(&p->fit);
	size_t n = upto > 0 ? (size_t)upto + 1 : 1;
	p->iter_usd = calloc(n, sizeof(*p->iter_usd));
	p->iter_tokens = calloc(n, sizeof(*p->iter_tokens));
	p->iter_end = calloc(n, sizeof(*p->iter_end));
	if (p->iter_usd && p->iter_tokens && p->iter_end) {
		for (size_t i = 0; i < n; i++)
			p->iter_end[i] = NAN;
		return 0;
	}
	project_release(p);
	return hc_err_set(err, HC_ERUNTIME, "out of memory");
}

void project_release(struct project *p)
{
	fit_release(&p->fit);
	free(p->iter_usd);
	free(p->iter_tokens);
	free(p->iter_end);
	memset(p, 0, sizeof(*p));
}

long project_record_iteration(const struct trace_record *rec)
{
	if (rec->kind == TRACE_LLM_CALL)
		return rec->u.call.iteration;
	if (rec->kind == TRACE_ARCHIVE_ADD)
		return rec->u.add.iteration;
	return -1;
}

/* Adds a call's price, tokens and times to the run so far and to its iteration. */
static void spend(struct project *p, const struct trace_llm_call *c)
{
	p->calls++;
	if (isfinite(c->start_time) && !(c->start_time >= p->first_start))
		p->first_start = c->start_time;
	if (isfinite(c->end_time) && !(c->end_time <= p->last_end))
		p->last_end = c->end_time;
	if (c->iteration >= 0 && isfinite(c->end_time) &&
	    !(c->end_time <= p->iter_end[c->iteration]))
		p->iter_end[c->iteration] = c->end_time;
	if (!c->has_usage)
		return;
	double tokens = (double)usage_total(&c->usage);
	const struct price *pr = price_sheet_find(p->cfg.prices, c->model);
	double usd = pr ? price_call_cost(pr, &c->usage, c->batch ? PRICE_BATCH : 0) : NAN;
	p->spent_tokens += tokens;
	if (!isfinite(usd)) {
		p->unpriced++;
		usd = 0;
	}
	p->spent_usd += usd;
	if (c->iteration >= 0) {
		p->iter_usd[c->iteration] += usd;
		p->iter_tokens[c->iteration] += tokens;
	}
}

int project_add(struct project *p, const struct trace_record *rec, struct hc_err *err)
{
	if (project_record_iteration(rec) > p->upto)
		return 0;
	if (rec->kind == TRACE_LLM_CALL)
		spend(p, &rec->u.call);
	return fit_add(&p->fit, rec, err);
}

/* Sums one replication's rows: iterations 1 .. upto, and those after upto. */
static int keep_parts(void *ctx, const struct forecast *f, unsigned rep,
		      const struct loop_result *r, struct hc_err *err)
{
	(void)f;
	(void)err;
	struct remainder *rm = ctx;
	struct rep_parts *k = &rm->rep[rep];
	double done_s = 0;
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct iteration_row *row = &r->rows[i];
		double tokens = 0;
		for (int role = 0; role < ROLE_COUNT; role++)
			tokens += (double)usage_total(&row->usage[role]);
		if ((long)row->iteration > rm->upto) {
			k->usd += row->cost_usd;
			k->tokens += tokens;
		} else if (row->iteration > 0) {
			k->done_usd += row->cost_usd;
			k->done_tokens += tokens;
		}
		if ((long)row->iteration <= rm->upto && row->finish_seconds > done_s)
			done_s = row->finish_seconds;
	}
	k->hours = (r->wall_seconds - done_s) / 3600;
	return 0;
}

/*
 * Runs the fitted scenario for the whole run and keeps the parts of each replication in rm.
 * The iterations are set in its tree, from which a scenario with priors (the base's, kept by
 * the fit) draws each replication.
 */
static int run_remainder(struct project *p, const cJSON *fitted, struct remainder *rm,
			 struct hc_err *err)
{
	struct forecast fc;
	struct forecast_sink sink = { keep_parts, rm };
	struct scenario sc;
	char iterations[40];
	const char *const sets[] = { iterations };
	snprintf(iterations, sizeof(iterations), "iterations=%u", p->cfg.last_iteration);
	int rc = fitboot_scenario(&sc, fitted, sets, 1, err);
	if (rc)
		return rc;
	rc = forecast_check(&sc, p->cfg.prices, p->cfg.runs, err);
	if (!rc)
		rc = forecast_run(&fc, &sc, p->cfg.prices, p->cfg.runs, p->cfg.threads,
				  p->cfg.seed, NULL, &sink, err);
	if (!rc)
		forecast_release(&fc);
	scenario_release(&sc);
	return rc;
}

/* The mean of a resample (with replacement) of x[1 .. upto]. */
static double resampled_mean(const double *x, long upto, struct rng *r)
{
	double sum = 0;
	for (long i = 0; i < upto; i++)
		sum += x[1 + rng_uniform_int(r, (unsigned long)upto)];
	return sum / (double)upto;
}

/*
 * Scales each replication's remainder (dollars and tokens) by the run's level: a resample's
 * mean of the observed iterations 1 .. upto over the simulated mean of the same iterations
 * (docs/metering.md, "Live forecast"). Nothing to scale by before iteration 1 is done.
 */
static int calibrate(const struct project *p, struct remainder *rm, struct hc_err *err)
{
	unsigned n = p->cfg.runs;
	double sim_usd = 0, sim_tokens = 0;
	struct rng r;
	if (p->upto < 1)
		return 0;
	for (unsigned j = 0; j < n; j++) {
		sim_usd += rm->rep[j].done_usd / (double)n / (double)p->upto;
		sim_tokens += rm->rep[j].done_tokens / (double)n / (double)p->upto;
	}
	if (rng_init(&r, p->cfg.seed, PROJECT_BOOTSTRAP_STREAM))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (unsigned j = 0; j < n; j++) {
		double usd = resampled_mean(p->iter_usd, p->upto, &r);
		double tokens = resampled_mean(p->iter_tokens, p->upto, &r);
		if (sim_usd > 0)
			rm->rep[j].usd *= usd / sim_usd;
		if (sim_tokens > 0)
			rm->rep[j].tokens *= tokens / sim_tokens;
	}
	rng_release(&r);
	return 0;
}

/* spent + the P10 / P50 / P90 of x (sorted in place). */
static struct project_band band(double spent, double *x, unsigned n)
{
	return (struct project_band){ spent + stats_quantile(x, n, 0.1),
				      spent + stats_quantile(x, n, 0.5),
				      spent + stats_quantile(x, n, 0.9) };
}

/*
 * The median of iterations 1 .. upto's durations, each from the end of the one before to its
 * own end (its calls' last end); NAN when no iteration has both ends. x holds upto values.
 */
static double pace(const struct project *p, double *x)
{
	unsigned n = 0;
	for (long i = 1; i <= p->upto; i++)
		if (isfinite(p->iter_end[i]) && isfinite(p->iter_end[i - 1]))
			x[n++] = p->iter_end[i] - p->iter_end[i - 1];
	return n ? stats_quantile(x, n, 0.5) : NAN;
}

static void fill(const struct project *p, const struct remainder *rm, double *x,
		 struct projection *out)
{
	unsigned n = p->cfg.runs;
	*out = (struct projection){
		.upto = p->upto, .last_iteration = p->cfg.last_iteration, .runs = n,
		.calls = p->calls, .unpriced = p->unpriced, .spent_usd = p->spent_usd,
		.spent_tokens = p->spent_tokens,
		.elapsed_hours = isfinite(p->first_start) && isfinite(p->last_end)
					 ? (p->last_end - p->first_start) / 3600 : 0,
	};
	for (unsigned j = 0; j < n; j++)
		x[j] = rm->rep[j].usd;
	out->usd = band(p->spent_usd, x, n);
	for (unsigned j = 0; j < n; j++)
		x[j] = rm->rep[j].tokens;
	out->tokens = band(p->spent_tokens, x, n);
	for (unsigned j = 0; j < n; j++)
		x[j] = rm->rep[j].hours;
	out->hours_left = band(0, x, n);
	out->upto_end = p->iter_end[p->upto > 0 ? p->upto : 0];
}

int project_finish(struct project *p, struct projection *out, struct hc_err *err)
{
	struct fit_result res;
	unsigned n = p->cfg.runs;
	struct remainder rm = { p->upto, calloc(n, sizeof(*rm.rep)) };
	double *x = calloc(n, sizeof(*x));
	double *durations = calloc(p->upto > 0 ? (size_t)p->upto : 1, sizeof(*durations));
	memset(out, 0, sizeof(*out));
	int rc = rm.rep && x && durations ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!rc) {
		rc = fit_build(&p->fit, p->cfg.base, "projection", "the run so far", &res, err);
		if (!rc)
			rc = run_remainder(p, res.scenario, &rm, err);
		fit_result_release(&res);
	}
	if (!rc)
		rc = calibrate(p, &rm, err);
	if (!rc) {
		fill(p, &rm, x, out);
		out->seconds_per_iteration = pace(p, durations);
	}
	free(rm.rep);
	free(x);
	free(durations);
	return rc;
}

void project_follow_init(struct project_follow *fw, const char *path)
{
	memset(fw, 0, sizeof(*fw));
	snprintf(fw->path, sizeof(fw->path), "%s", path);
}

int project_follow_read(struct project_follow *fw, struct hc_err *err)
{
	struct trace_reader r;
	struct trace_record rec;
	int restarted, rc = trace_reader_resume(&r, fw->path, &fw->mark, 1, &restarted, err);
	if (rc) {
		project_follow_release(fw);
		return rc;
	}
	if (restarted)
		trace_store_release(&fw->records);
	while ((rc = trace_reader_next(&r, &rec, err)) == 1)
		if ((rc = trace_store_add(&fw->records, &rec, err)))
			break;
	fw->mark = r.done;
	trace_reader_close(&r);
	if (rc)
		project_follow_release(fw);
	return rc;
}

int project_follow_run(const struct project_follow *fw, const struct project_config *cfg,
		       long upto, struct projection *out, struct hc_err *err)
{
	struct project p;
	struct trace_record rec;
	int rc = project_init(&p, cfg, upto, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < fw->records.n; i++) {
		trace_store_get(&fw->records, i, &rec);
		rc = project_add(&p, &rec, err);
	}
	if (!rc)
		rc = project_finish(&p, out, err);
	project_release(&p);
	return rc;
}

void project_follow_release(struct project_follow *fw)
{
	trace_store_release(&fw->records);
	memset(&fw->mark, 0, sizeof(fw->mark));
}

long project_guard_first(unsigned last_iteration)
{
	long tenth = ((long)last_iteration + 9) / 10;
	return tenth > 1 ? tenth : 1;
}

int project_guard_trips(const struct projection *p, double budget_usd)
{
	return p->upto >= project_guard_first(p->last_iteration) && p->usd.p90 > budget_usd;
}

double project_expected_end(const struct projection *p, double made_at, const char **from)
{
	int paced = isfinite(p->seconds_per_iteration) && isfinite(p->upto_end);
	*from = paced ? "pace" : "model";
	if (!paced)
		return made_at + 3600 * p->hours_left.p50;
	double left = (double)p->last_iteration - (double)p->upto;
	return p->upto_end + p->seconds_per_iteration * left;
}
