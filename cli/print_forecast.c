/*
 * print_forecast: the forecast table that simulate and fit --extrapolate print: calls and
 * tokens by role and model, dollars, wall time, archive and the P10 / P50 / P90 band.
 */
#include <math.h>
#include <stdio.h>
#include "cli/cli.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/sensitivity.h"
#include "reports/numfmt.h"
#include "reports/sensitivity_out.h"

static void print_usage_row(const char *label, const struct usage_mean *u, double usd)
{
	char calls[16], total[16], input[16], cached[16], output[16];
	printf("  %-20s %8s %9s %9s %9s %9s %12.2f\n", label, numfmt_count(u->calls, calls, 16),
	       numfmt_count(u->total, total, 16), numfmt_count(u->input, input, 16),
	       numfmt_count(u->cache_read, cached, 16), numfmt_count(u->output, output, 16), usd);
}

/* The means of the targets served by an API (fleet 0) or by a self-hosted fleet (fleet 1). */
static struct usage_mean served_by(const struct forecast *f, int fleet)
{
	struct usage_mean sum = { 0 };
	for (size_t k = 0; k < f->models.n; k++) {
		const struct usage_mean *u = &f->mean.by_model[k];
		if ((f->models.fleet[k] >= 0) != fleet)
			continue;
		sum.calls += u->calls;
		sum.input += u->input;
		sum.cache_read += u->cache_read;
		sum.cache_write += u->cache_write;
		sum.output += u->output;
		sum.reasoning += u->reasoning;
		sum.total += u->total;
	}
	return sum;
}

void cli_print_forecast(const struct forecast *f, const struct price_sheet *ps,
			const char *outdir)
{
	const struct forecast_means *m = &f->mean;
	char a[32], b[32], c[32];
	printf("%s: %u iterations, %u replication%s, seed %llu; prices of %s\n\n", f->sc->name,
	       f->sc->iterations, f->runs, f->runs > 1 ? "s (means)" : "",
	       (unsigned long long)f->seed, ps->date);
	printf("  %-20s %8s %9s %9s %9s %9s %12s\n", "", "calls", "tokens", "input", "cached",
	       "output", "USD");
	for (int r = 0; r < ROLE_COUNT; r++)
		print_usage_row(role_name((enum role)r), &m->by_role[r], m->cost_by_role[r]);
	for (size_t k = 0; k < f->models.n; k++)
		print_usage_row(f->models.labels[k], &m->by_model[k], m->cost_by_model[k]);
	struct usage_mean api = served_by(f, 0), fleets = served_by(f, 1);
	print_usage_row("total (API)", &api, m->cost_api);
	if (f->models.n_fleets)
		print_usage_row("total (fleets)", &fleets, m->cost_self_hosted);
	printf("\n  USD per run: API %.2f", m->cost_api);
	if (f->models.n_fleets)
		printf(" + self-hosted %.2f", m->cost_self_hosted);
	printf(" + storage %.2f + sandboxes and GPU simulators %.2f = %.2f\n", m->cost_storage,
	       m->cost_compute, m->cost_total);
	if (f->sc->costs.schedule == SCHEDULE_AT_ONCE)
		printf("  USD per month: %.2f (a 730-hour month while the %g run%s started at once "
		       "go; by calendar month: monthly.csv)\n", m->monthly_cost,
		       f->sc->costs.parallel_runs, f->sc->costs.parallel_runs == 1 ? "" : "s");
	else
		printf("  USD per month: %.2f (steady state: %.3g run%s started a month; by "
		       "calendar month: monthly.csv)\n", m->monthly_cost, m->monthly_runs,
		       fabs(m->monthly_runs - 1) < 5e-4 ? "" : "s"); /* as %.3g prints it */
	for (size_t k = 0; k < f->models.n_fleets; k++) {
		const struct fleet *lf = &f->models.fleets[k];
		const struct fleet_result *r = &m->fleet[k];
		printf("  fleet %s: %u x %u %s (%s, $%.2f/GPU-hour), %.0f GPU-hours, utilisation "
		       "%.1f%%, mean wait %.1f s\n", lf->spec->name, lf->spec->replicas,
		       lf->replica.gpus, lf->spec->gpu, gpu_pricing_name(lf->spec->pricing),
		       lf->gpu_hour_usd, r->gpu_hours, 100 * r->utilisation, r->wait_seconds);
	}
	printf("  wall time %.1f h (%.1f days); archive %.0f nodes, %s; checkout I/O %s\n",
	       m->wall_hours, m->wall_hours / 24, m->archive_nodes,
	       numfmt_bytes(m->archive_bytes, a, sizeof(a)),
	       numfmt_bytes(m->io_bytes, b, sizeof(b)));
	if (f->sc->shared.loops > 1)
		printf("  %u loops on shared capacity: a loop %.1f h (alone %.1f h, stretch %.2f), "
		       "USD %.2f a loop; mean waits: rate limits %.2f s a call, fleet slots %.2f s "
		       "a call, eval workers %.1f s a task\n", f->sc->shared.loops,
		       m->loop_wall_hours, f->alone_wall_hours, f->stretch,
		       m->cost_total / f->sc->shared.loops, m->rate_wait_seconds,
		       m->fleet_wait_seconds, m->eval_wait_seconds);
	if (f->runs > 1) {
		const struct metric_stats *t = &f->metrics[METRIC_TOKENS_TOTAL];
		const struct metric_stats *d = &f->metrics[METRIC_COST_TOTAL];
		printf("  P10 / P50 / P90: tokens %s / %s / %s; USD %.2f / %.2f / %.2f\n",
		       numfmt_count(t->p10, a, sizeof(a)), numfmt_count(t->p50, b, sizeof(b)),
		       numfmt_count(t->p90, c, sizeof(c)), d->p10, d->p50, d->p90);
	}
	printf("\nresults in %s/\n", outdir);
}

#define SENSITIVITY_PRINTED 5

void cli_print_sensitivity(const struct sensitivity *s, const struct forecast *f)
{
	char a[16], low[PRIOR_JSON_MAX], high[PRIOR_JSON_MAX];
	if (!s->n)
		return;
	printf("\n%zu assumed field%s (priors; P10-P90 above includes them). Swing of each between "
	       "its P10 and P90,\nthe others at their medians (%u paired replications; all in "
	       "sensitivity.csv):\n", f->sc->n_priors, f->sc->n_priors == 1 ? "" : "s", s->runs);
	for (size_t i = 0; i < s->n && i < SENSITIVITY_PRINTED; i++) {
		const struct sensitivity_row *r = &s->rows[i];
		double usd = sensitivity_swing(r, SENS_COST_USD);
		double mean = f->metrics[METRIC_COST_TOTAL].mean;
		sensitivity_out_value(r->low, low, sizeof(low));
		sensitivity_out_value(r->high, high, sizeof(high));
		printf("  %-46s %s -> %s: USD %+.2f (%+.1f%%), tokens %s, wall %+.1f h\n",
		       r->prior->path, low, high, usd, mean > 0 ? 100 * usd / mean : 0,
		       numfmt_count(sensitivity_swing(r, SENS_TOKENS), a, sizeof(a)),
		       sensitivity_swing(r, SENS_WALL_HOURS));
	}
}
