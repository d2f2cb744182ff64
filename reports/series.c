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

int series_archive_init(struct series_archive *a, const struct forecast *f)
{
	a->n = f->sc->iterations + 1;
	a->runs = f->runs;
	a->mean = calloc(a->n, sizeof(*a->mean));
	a->bytes = malloc((size_t)a->n * f->runs * sizeof(*a->bytes));
	if (a->mean && a->bytes)
		return 0;
	series_archive_release(a);
	return HC_ERUNTIME;
}

void series_archive_release(struct series_archive *a)
{
	free(a->mean);
	free(a->bytes);
	a->mean = NULL;
	a->bytes = NULL;
}

void series_archive_add(struct series_archive *a, unsigned rep, const struct loop_result *r)
{
	double nodes = 0, depth_sum = 0, max_depth = 0, bytes = 0;
	size_t i = 0;
	for (unsigned it = 0; it < a->n; it++) {
		struct series_archive_step *mean = &a->mean[it];
		double checkout = 0;
		for (; i < r->n_rows && r->rows[i].iteration == it; i++) {
			const struct iteration_row *row = &r->rows[i];
			nodes += 1;
			depth_sum += row->depth;
			max_depth = fmax(max_depth, row->depth);
			bytes = row->archive_bytes;
			checkout += row->checkout_bytes;
		}
		mean->nodes += nodes / a->runs;
		mean->bytes += bytes / a->runs;
		mean->max_depth += max_depth / a->runs;
		mean->mean_depth += (nodes ? depth_sum / nodes : 0) / a->runs;
		mean->checkout += checkout / a->runs;
		a->bytes[(size_t)it * a->runs + rep] = bytes;
	}
}

int series_write_archive(FILE *out, const struct series_archive *a)
{
	fputs("iteration,nodes,archive_bytes,archive_bytes_p10,archive_bytes_p90,max_depth,"
	      "mean_depth,checkout_bytes,checkout_bytes_cumulative\n", out);
	double cumulative = 0;
	for (unsigned it = 0; it < a->n; it++) {
		const struct series_archive_step *mean = &a->mean[it];
		double *bytes = a->bytes + (size_t)it * a->runs;
		cumulative += mean->checkout;
		fprintf(out, "%u", it);
		count(out, mean->nodes);
		count(out, mean->bytes);
		count(out, stats_quantile(bytes, a->runs, 0.1));
		count(out, stats_quantile(bytes, a->runs, 0.9));
		number(out, mean->max_depth);
		number(out, mean->mean_depth);
		count(out, mean->checkout);
		count(out, cumulative);
		fputc('\n', out);
	}
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
		const struct forecast_rep *r = &f->per_rep[rep];
		fprintf(out, "%u", rep);
		for (int m = 0; m < METRIC_COUNT; m++) {
			if (metric_is_count((enum metric)m))
				count(out, r->metric[m]);
			else
				number(out, r->metric[m]);
		}
		number(out, r->cost_api);
		number(out, r->cost_self_hosted);
		number(out, r->cost_storage);
		number(out, r->cost_compute);
		fputc('\n', out);
	}
	return 0;
}
