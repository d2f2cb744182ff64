/* series: timeseries.csv, archive.csv and montecarlo.csv of a forecast. Contracts in series.h. */
#include <math.h>
#include <stdlib.h>
#include "reports/csvout.h"
#include "reports/series.h"
#include "sim/stats.h"

/* A column name made of prefix, name and suffix, as a quoted cell. */
static void text(FILE *out, const char *prefix, const char *name, const char *suffix)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s%s%s", prefix, name, suffix);
	csvout_text(out, buf);
}

static void number(FILE *out, double v)
{
	csvout_num(out, v, "%.10g");
}

/* A count, or a mean of counts across replications, as a whole number (docs/output.md). */
static void count(FILE *out, double v)
{
	csvout_num(out, v, "%.0f");
}

/* ---- timeseries.csv ------------------------------------------------------------------ */

static void timeseries_header(FILE *out, const struct loop_models *m)
{
	fputs("hour,self_modify_tokens,evaluate_tokens", out);
	for (size_t k = 0; k < m->n; k++)
		text(out, "", m->labels[k], "_tokens");
	fputs(",api_usd,api_usd_cumulative,eval_workers_utilisation,eval_workers_queue", out);
	for (size_t k = 0; k < m->n; k++) {
		if (m->fleet[k] >= 0)
			continue;
		text(out, "api:", m->labels[k], "_utilisation");
		text(out, "api:", m->labels[k], "_queue");
	}
	for (size_t f = 0; f < m->n_fleets; f++) {
		text(out, "fleet:", m->fleets[f].spec->name, "_utilisation");
		text(out, "fleet:", m->fleets[f].spec->name, "_queue");
	}
	fputc('\n', out);
}

/* The share of the endpoint's limits used in an hour of len seconds; NAN with no limit. */
static double limit_share(const struct endpoint *e, double requests, double tokens, double len)
{
	double share = NAN;
	if (e->requests_per_minute > 0)
		share = requests / (e->requests_per_minute * len / 60);
	if (e->tokens_per_minute > 0) {
		double t = tokens / (e->tokens_per_minute * len / 60);
		share = isnan(share) || t > share ? t : share;
	}
	return share;
}

static void timeseries_row(FILE *out, const struct forecast *f, const struct loop_columns *c,
			   size_t h, double *cumulative)
{
	const struct loop_models *m = &f->models;
	const struct loop_result *r = &f->reps[0];
	const struct timeline *tl = &r->timeline;
	double len = fmin(3600, r->wall_seconds - (double)h * 3600);
	if (len <= 0)
		len = 3600;
	fprintf(out, "%zu", h);
	for (int role = 0; role < ROLE_COUNT; role++)
		number(out, timeline_cell(tl, h, c->role_tokens + (size_t)role));
	for (size_t k = 0; k < m->n; k++)
		number(out, timeline_cell(tl, h, c->target_tokens + k));
	double usd = timeline_cell(tl, h, c->api_usd);
	*cumulative += usd;
	number(out, usd);
	number(out, *cumulative);
	double slots = timeline_cell(tl, h, c->eval_slots);
	number(out, slots > 0 ? timeline_cell(tl, h, c->eval_busy) / slots : NAN);
	number(out, timeline_cell(tl, h, c->eval_queue) / len);
	for (size_t k = 0; k < m->n; k++) {
		if (m->fleet[k] >= 0)
			continue;
		struct endpoint e = scenario_endpoint(f->sc, m->names[k]);
		number(out, limit_share(&e, timeline_cell(tl, h, c->target_requests + k),
					timeline_cell(tl, h, c->target_tokens + k), len));
		number(out, timeline_cell(tl, h, c->target_queue + k) / len);
	}
	for (size_t k = 0; k < m->n_fleets; k++) {
		number(out, timeline_cell(tl, h, c->fleet_busy + k) / (m->fleets[k].slots * len));
		number(out, timeline_cell(tl, h, c->fleet_queue + k) / len);
	}
	fputc('\n', out);
}

int series_write_timeseries(FILE *out, const struct forecast *f)
{
	struct loop_columns c;
	double cumulative = 0;
	loop_columns(&f->models, &c);
	timeseries_header(out, &f->models);
	size_t hours = (size_t)ceil(f->reps[0].wall_seconds / 3600);
	if (f->reps[0].timeline.n_hours > hours)
		hours = f->reps[0].timeline.n_hours;
	for (size_t h = 0; h < hours; h++)
		timeseries_row(out, f, &c, h, &cumulative);
	return 0;
}

/* ---- archive.csv ------------------------------------------------------------------------ */

/* Per iteration of one replication: the archive once the iteration is done. */
struct archive_step {
	double nodes, bytes, max_depth, mean_depth, checkout;
};

static void archive_steps(const struct loop_result *r, unsigned iterations,
			  struct archive_step *st)
{
	double nodes = 0, depth_sum = 0, max_depth = 0, bytes = 0;
	size_t i = 0;
	for (unsigned it = 0; it <= iterations; it++) {
		double checkout = 0;
		for (; i < r->n_rows && r->rows[i].iteration == it; i++) {
			const struct iteration_row *row = &r->rows[i];
			nodes += 1;
			depth_sum += row->depth;
			max_depth = fmax(max_depth, row->depth);
			bytes = row->archive_bytes;
			checkout += row->checkout_bytes;
		}
		st[it] = (struct archive_step){ nodes, bytes, max_depth,
						nodes ? depth_sum / nodes : 0, checkout };
	}
}

int series_write_archive(FILE *out, const struct forecast *f)
{
	unsigned n = f->sc->iterations + 1;
	struct archive_step *st = malloc((size_t)n * f->runs * sizeof(*st));
	double *bytes = malloc(f->runs * sizeof(*bytes));
	if (!st || !bytes) {
		free(st);
		free(bytes);
		return HC_ERUNTIME;
	}
	for (unsigned rep = 0; rep < f->runs; rep++)
		archive_steps(&f->reps[rep], f->sc->iterations, st + (size_t)rep * n);
	fputs("iteration,nodes,archive_bytes,archive_bytes_p10,archive_bytes_p90,max_depth,"
	      "mean_depth,checkout_bytes,checkout_bytes_cumulative\n", out);
	double cumulative = 0;
	for (unsigned it = 0; it < n; it++) {
		struct archive_step mean = { 0, 0, 0, 0, 0 };
		for (unsigned rep = 0; rep < f->runs; rep++) {
			const struct archive_step *s = &st[(size_t)rep * n + it];
			mean.nodes += s->nodes / f->runs;
			mean.bytes += s->bytes / f->runs;
			mean.max_depth += s->max_depth / f->runs;
			mean.mean_depth += s->mean_depth / f->runs;
			mean.checkout += s->checkout / f->runs;
			bytes[rep] = s->bytes;
		}
		cumulative += mean.checkout;
		fprintf(out, "%u", it);
		count(out, mean.nodes);
		count(out, mean.bytes);
		count(out, stats_quantile(bytes, f->runs, 0.1));
		count(out, stats_quantile(bytes, f->runs, 0.9));
		number(out, mean.max_depth);
		number(out, mean.mean_depth);
		count(out, mean.checkout);
		count(out, cumulative);
		fputc('\n', out);
	}
	free(st);
	free(bytes);
	return 0;
}

/* ---- montecarlo.csv --------------------------------------------------------------------- */

int series_write_montecarlo(FILE *out, const struct forecast *f)
{
	fputs("replication", out);
	for (int m = 0; m < METRIC_COUNT; m++)
		fprintf(out, ",%s", metric_name((enum metric)m));
	fputs(",cost_usd_api,cost_usd_self_hosted,cost_usd_storage,cost_usd_compute\n", out);
	for (unsigned rep = 0; rep < f->runs; rep++) {
		const struct loop_result *r = &f->reps[rep];
		fprintf(out, "%u", rep);
		for (int m = 0; m < METRIC_COUNT; m++) {
			double v = metric_value(r, (enum metric)m);
			if (metric_is_count((enum metric)m))
				count(out, v);
			else
				number(out, v);
		}
		number(out, loop_cost_api(r));
		number(out, r->cost_self_hosted);
		number(out, r->cost_storage);
		number(out, r->cost_compute);
		fputc('\n', out);
	}
	return 0;
}
