/* crossover_out: the files of `hypercap crossover`. Contracts in crossover_out.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "reports/crossover_out.h"
#include "reports/csvout.h"

#define GRID_PER_DECADE 10
#define GRID_MAX 200

static const char *mtok(double tokens, char *buf, size_t size)
{
	if (tokens >= 1e9)
		snprintf(buf, size, "%.3gB", tokens / 1e9);
	else
		snprintf(buf, size, "%.3gM", tokens / 1e6);
	return buf;
}

void crossover_out_sentence(const struct crossover_plan *p, char *buf, size_t size)
{
	char v[32];
	const struct crossover_result *r = &p->res;
	if (isnan(r->integer_break_even_tokens_per_month)) {
		snprintf(buf, size, "self-hosting %s on %s at %s never costs less than %s: the "
			 "fleet's $%.3g per 1M tokens with every replica %.0f%% busy (the most it "
			 "runs at) is above the API's $%.3g", p->serve_label, p->gpu_name,
			 p->price_label, p->api_label,
			 r->self_hosted_usd_per_mtok / p->in.max_utilisation,
			 p->in.max_utilisation * 100, r->api_usd_per_mtok);
		return;
	}
	snprintf(buf, size, "self-hosting %s on %s at %s costs less than %s above %s "
		 "tokens/month; at that volume its %.0f replica%s of %u GPU%s would be %.1f%% busy "
		 "(computed from the replica's throughput, not simulated)",
		 p->serve_label, p->gpu_name, p->price_label, p->api_label,
		 mtok(r->integer_break_even_tokens_per_month, v, sizeof(v)),
		 r->replicas_at_break_even, r->replicas_at_break_even == 1 ? "" : "s",
		 p->in.replica_gpus, p->in.replica_gpus == 1 ? "" : "s",
		 r->utilisation_at_break_even * 100);
}

static void add_or_null(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

static void write_grid(FILE *out, const struct crossover_plan *p)
{
	struct crossover_point *pts = malloc(GRID_MAX * sizeof(*pts));
	double hi = 1e12;
	if (!isnan(p->res.break_even_tokens_per_month))
		hi = fmax(hi, p->res.break_even_tokens_per_month * 10);
	size_t n = pts ? crossover_grid(&p->in, 1e6, hi, GRID_PER_DECADE, pts, GRID_MAX) : 0;
	fputs("tokens_per_month,api_usd,self_hosted_usd,self_hosted_continuous_usd,replicas,gpus,"
	      "cheaper,fleet_utilisation\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%.0f,%.2f,%.2f,%.2f,%.0f,%.0f,%s,%.6f\n", pts[i].tokens_per_month,
			pts[i].api_usd, pts[i].self_hosted_usd, pts[i].continuous_usd,
			pts[i].replicas, pts[i].gpus,
			pts[i].self_hosted_usd < pts[i].api_usd ? "self_hosted" : "api",
			pts[i].utilisation);
	free(pts);
}

static void write_modes(FILE *out, const struct crossover_plan *p)
{
	fputs("gpu_hour_usd,pricing,source,fixed_usd_per_month,break_even_tokens_per_month,"
	      "break_even_replicas,break_even_utilisation,scenario_tokens_per_month,"
	      "scenario_api_usd,scenario_self_hosted_usd,scenario_utilisation,headline\n", out);
	for (size_t i = 0; i < p->n_modes; i++) {
		const struct crossover_mode *m = &p->modes[i];
		fprintf(out, "%.4f", m->gpu_hour_usd); /* the row's first cell: no comma */
		csvout_text(out, m->name);
		csvout_text(out, m->source);
		csvout_num(out, m->res.fixed_usd_per_month, "%.2f");
		csvout_num(out, m->res.integer_break_even_tokens_per_month, "%.0f");
		csvout_num(out, m->res.replicas_at_break_even, "%.0f");
		csvout_num(out, m->res.utilisation_at_break_even, "%.6f");
		csvout_num(out, m->at_scenario.tokens_per_month, "%.0f");
		csvout_num(out, m->at_scenario.api_usd, "%.2f");
		csvout_num(out, m->at_scenario.self_hosted_usd, "%.2f");
		csvout_num(out, m->at_scenario.utilisation, "%.6f");
		fprintf(out, ",%s\n", (int)i == p->headline ? "yes" : "no");
	}
}


/* crossover_loops.csv: every mode against the simulated loops (docs/output.md). */
static void write_loops(FILE *out, const struct crossover_plan *p)
{
	fputs("gpu_hour_usd,pricing,source,break_even_loops,at_loops,replicas,within_wait,"
	      "simulated_utilisation,mean_wait_seconds,fleet_usd_per_loop,api_usd_per_loop,"
	      "fleet_usd_per_month,api_usd_per_month,tokens_per_month,headline\n", out);
	for (size_t i = 0; i < p->loops.n_modes; i++) {
		const struct crossover_loops_mode *m = &p->loops.modes[i];
		const struct crossover_loops_row *r = &p->loops.rows[m->at];
		fprintf(out, "%.4f", p->modes[i].gpu_hour_usd); /* the first cell: no comma */
		csvout_text(out, p->modes[i].name);
		csvout_text(out, p->modes[i].source);
		csvout_num(out, m->break_even_loops ? m->break_even_loops : NAN, "%.0f");
		fprintf(out, ",%u,%u,%s", r->loops, r->replicas, r->sized ? "yes" : "no");
		csvout_num(out, r->utilisation, "%.6f");
		csvout_num(out, r->wait_seconds, "%.4f");
		csvout_num(out, m->fleet_usd_per_loop, "%.2f");
		csvout_num(out, m->api_usd_per_loop, "%.2f");
		csvout_num(out, m->fleet_usd_per_month, "%.2f");
		csvout_num(out, m->api_usd_per_month, "%.2f");
		csvout_num(out, r->tokens_per_month, "%.0f");
		fprintf(out, ",%s\n", (int)i == p->headline ? "yes" : "no");
	}
}

static void add_break_even(cJSON *o, const struct crossover_result *r)
{
	cJSON_AddNumberToObject(o, "fixed_usd_per_month", r->fixed_usd_per_month);
	add_or_null(o, "break_even_tokens_per_month", r->break_even_tokens_per_month);
	add_or_null(o, "integer_break_even_tokens_per_month",
		    r->integer_break_even_tokens_per_month);
	add_or_null(o, "replicas_at_break_even", r->replicas_at_break_even);
	add_or_null(o, "utilisation_at_break_even", r->utilisation_at_break_even);
}

static void add_at_volume(cJSON *o, const struct crossover_point *at)
{
	cJSON *a = cJSON_AddObjectToObject(o, "at_scenario_volume");
	cJSON_AddNumberToObject(a, "tokens_per_month", at->tokens_per_month);
	cJSON_AddNumberToObject(a, "api_usd", at->api_usd);
	cJSON_AddNumberToObject(a, "self_hosted_usd", at->self_hosted_usd);
	cJSON_AddNumberToObject(a, "gpus", at->gpus);
	cJSON_AddNumberToObject(a, "utilisation", at->utilisation);
}

static cJSON *modes_json(const struct crossover_plan *p)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < p->n_modes; i++) {
		const struct crossover_mode *m = &p->modes[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "pricing", m->name);
		cJSON_AddNumberToObject(o, "gpu_hour_usd", m->gpu_hour_usd);
		cJSON_AddStringToObject(o, "source", m->source);
		add_break_even(o, &m->res);
		add_at_volume(o, &m->at_scenario);
		cJSON_AddBoolToObject(o, "headline", (int)i == p->headline);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

static void add_replica(cJSON *c, const struct crossover_plan *p)
{
	cJSON *r = cJSON_AddObjectToObject(c, "replica");
	cJSON_AddNumberToObject(r, "gpus", p->in.replica_gpus);
	cJSON_AddNumberToObject(r, "batch", p->replica_batch);
	cJSON_AddNumberToObject(r, "output_tokens_per_s", p->replica_output_tokens_per_s);
	cJSON_AddNumberToObject(r, "tokens_per_s", p->in.replica_tokens_per_s);
	cJSON_AddNumberToObject(r, "tokens_per_gpu_hour",
				p->in.replica_tokens_per_s * 3600 / p->in.replica_gpus);
	cJSON_AddNumberToObject(r, "tokens_per_month", p->res.replica_tokens_per_month);
	cJSON_AddNumberToObject(r, "calibration", p->calibration);
	cJSON_AddNumberToObject(r, "measured_points", (double)p->measured_points);
}

/* Every mode against the simulated rows: its break-even loops (null: none up to max_loops)
 * and the simulated fleet at that row (or at max_loops). */
static cJSON *loops_modes_json(const struct crossover_plan *p)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < p->loops.n_modes; i++) {
		const struct crossover_loops_mode *m = &p->loops.modes[i];
		const struct crossover_loops_row *r = &p->loops.rows[m->at];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "pricing", p->modes[i].name);
		cJSON_AddNumberToObject(o, "gpu_hour_usd", p->modes[i].gpu_hour_usd);
		cJSON_AddStringToObject(o, "source", p->modes[i].source);
		add_or_null(o, "break_even_loops", m->break_even_loops ? m->break_even_loops : NAN);
		cJSON_AddNumberToObject(o, "at_loops", r->loops);
		cJSON_AddNumberToObject(o, "replicas", r->replicas);
		cJSON_AddBoolToObject(o, "within_wait", r->sized);
		cJSON_AddNumberToObject(o, "simulated_utilisation", r->utilisation);
		cJSON_AddNumberToObject(o, "mean_wait_seconds", r->wait_seconds);
		cJSON_AddNumberToObject(o, "fleet_usd_per_loop", m->fleet_usd_per_loop);
		cJSON_AddNumberToObject(o, "api_usd_per_loop", m->api_usd_per_loop);
		cJSON_AddNumberToObject(o, "fleet_usd_per_month", m->fleet_usd_per_month);
		cJSON_AddNumberToObject(o, "api_usd_per_month", m->api_usd_per_month);
		cJSON_AddNumberToObject(o, "tokens_per_month", r->tokens_per_month);
		cJSON_AddBoolToObject(o, "headline", (int)i == p->headline);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

/* Loops on one fleet: each count tried, and the break-even (null: none up to max_loops). */
static cJSON *loops_json(const struct crossover_plan *p)
{
	const struct crossover_loops *l = &p->loops;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "max_loops", l->max_loops);
	cJSON_AddNumberToObject(o, "max_wait_seconds", l->max_wait_seconds);
	add_or_null(o, "break_even_loops", l->break_even_loops ? l->break_even_loops : NAN);
	cJSON *rows = cJSON_AddArrayToObject(o, "tried");
	for (size_t i = 0; i < l->n; i++) {
		const struct crossover_loops_row *r = &l->rows[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "loops", r->loops);
		cJSON_AddNumberToObject(x, "replicas", r->replicas);
		cJSON_AddBoolToObject(x, "within_wait", r->sized);
		cJSON_AddNumberToObject(x, "mean_wait_seconds", r->wait_seconds);
		cJSON_AddNumberToObject(x, "utilisation", r->utilisation);
		cJSON_AddNumberToObject(x, "wall_time_hours", r->wall_hours);
		cJSON_AddNumberToObject(x, "fleet_usd_per_loop", r->fleet_usd_per_loop);
		cJSON_AddNumberToObject(x, "api_usd_per_loop", r->api_usd_per_loop);
		cJSON_AddNumberToObject(x, "fleet_gpu_hours_per_loop", r->gpu_hours_per_loop);
		cJSON_AddNumberToObject(x, "fleet_other_usd_per_loop", r->other_usd_per_loop);
		cJSON_AddNumberToObject(x, "runs_per_month", r->runs_per_month);
		cJSON_AddNumberToObject(x, "tokens_per_month", r->tokens_per_month);
		cJSON_AddItemToArray(rows, x);
	}
	cJSON_AddItemToObject(o, "modes", loops_modes_json(p));
	return o;
}

cJSON *crossover_out_json(const struct crossover_plan *p)
{
	char sentence[600];
	cJSON *c = cJSON_CreateObject();
	add_break_even(c, &p->res);
	cJSON_AddNumberToObject(c, "api_usd_per_mtok", p->res.api_usd_per_mtok);
	cJSON_AddNumberToObject(c, "self_hosted_usd_per_mtok", p->res.self_hosted_usd_per_mtok);
	cJSON_AddStringToObject(c, "api", p->api_label);
	cJSON_AddStringToObject(c, "serve_model", p->serve_label);
	cJSON_AddStringToObject(c, "gpu", p->gpu_name);
	cJSON_AddStringToObject(c, "gpu_price", p->price_label);
	cJSON_AddNumberToObject(c, "gpu_hour_usd", p->in.gpu_hour_usd);
	cJSON_AddNumberToObject(c, "max_utilisation", p->in.max_utilisation);
	cJSON_AddNumberToObject(c, "min_replicas", p->in.min_replicas);
	add_replica(c, p);
	cJSON *mix = cJSON_AddObjectToObject(c, "mix_per_call");
	cJSON_AddNumberToObject(mix, "input_tokens", p->isl);
	cJSON_AddNumberToObject(mix, "cached_tokens", p->isl_cached);
	cJSON_AddNumberToObject(mix, "output_tokens", p->osl);
	add_at_volume(c, &p->at_scenario);
	crossover_out_sentence(p, sentence, sizeof(sentence));
	cJSON_AddStringToObject(c, "sentence", sentence);
	if (p->quality_note[0])
		cJSON_AddStringToObject(c, "quality_note", p->quality_note);
	cJSON_AddItemToObject(c, "modes", modes_json(p));
	if (p->loops.max_loops)
		cJSON_AddItemToObject(c, "loops", loops_json(p));
	return c;
}

static int write_one(struct results_dir *rd, const char *name,
		     void (*fill)(FILE *, const struct crossover_plan *),
		     const struct crossover_plan *p, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, name, err);
	if (!out)
		return HC_ERUNTIME;
	fill(out, p);
	return results_dir_close(rd, out, name, err);
}

int crossover_out_write_csv(struct results_dir *rd, const struct crossover_plan *p,
			    struct hc_err *err)
{
	if (write_one(rd, "crossover.csv", write_grid, p, err) ||
	    write_one(rd, "crossover_modes.csv", write_modes, p, err))
		return HC_ERUNTIME;
	if (p->loops.max_loops && write_one(rd, "crossover_loops.csv", write_loops, p, err))
		return HC_ERUNTIME;
	return 0;
}
