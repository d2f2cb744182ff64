/* crossover_out: the files of `hypercap crossover`. Contracts in crossover_out.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "reports/crossover_out.h"

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
	double be = p->res.break_even_tokens_per_month;
	if (isnan(be)) {
		snprintf(buf, size, "self-hosting %s on %s at %s never costs less than %s: the "
			 "fleet's $%.3g per 1M tokens at %.0f%% utilisation is above the API's "
			 "$%.3g", p->serve_label, p->gpu_name, p->price_label, p->api_label,
			 p->res.self_hosted_usd_per_mtok / p->in.utilisation,
			 p->in.utilisation * 100, p->res.api_usd_per_mtok);
		return;
	}
	snprintf(buf, size, "self-hosting %s on %s at %s costs less than %s above %s "
		 "tokens/month (at %.0f%% utilisation)", p->serve_label, p->gpu_name,
		 p->price_label, p->api_label, mtok(be, v, sizeof(v)), p->in.utilisation * 100);
}

static void write_csv(FILE *out, const struct crossover_plan *p)
{
	struct crossover_point *pts = malloc(GRID_MAX * sizeof(*pts));
	double hi = 1e12;
	if (!isnan(p->res.break_even_tokens_per_month))
		hi = fmax(hi, p->res.break_even_tokens_per_month * 10);
	size_t n = pts ? crossover_grid(&p->in, 1e6, hi, GRID_PER_DECADE, pts, GRID_MAX) : 0;
	fputs("tokens_per_month,api_usd,self_hosted_usd,self_hosted_continuous_usd,replicas,gpus,"
	      "cheaper\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%.0f,%.2f,%.2f,%.2f,%.0f,%.0f,%s\n", pts[i].tokens_per_month,
			pts[i].api_usd, pts[i].self_hosted_usd, pts[i].continuous_usd,
			pts[i].replicas, pts[i].gpus,
			pts[i].self_hosted_usd < pts[i].api_usd ? "self_hosted" : "api");
	free(pts);
}

static void add_or_null(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

cJSON *crossover_out_json(const struct crossover_plan *p)
{
	char sentence[600];
	cJSON *c = cJSON_CreateObject();
	add_or_null(c, "break_even_tokens_per_month", p->res.break_even_tokens_per_month);
	add_or_null(c, "integer_break_even_tokens_per_month",
		    p->res.integer_break_even_tokens_per_month);
	cJSON_AddNumberToObject(c, "api_usd_per_mtok", p->res.api_usd_per_mtok);
	cJSON_AddNumberToObject(c, "self_hosted_usd_per_mtok", p->res.self_hosted_usd_per_mtok);
	cJSON_AddStringToObject(c, "api", p->api_label);
	cJSON_AddStringToObject(c, "serve_model", p->serve_label);
	cJSON_AddStringToObject(c, "gpu", p->gpu_name);
	cJSON_AddStringToObject(c, "gpu_price", p->price_label);
	cJSON_AddNumberToObject(c, "gpu_hour_usd", p->in.gpu_hour_usd);
	cJSON_AddNumberToObject(c, "utilisation", p->in.utilisation);
	cJSON_AddNumberToObject(c, "min_replicas", p->in.min_replicas);
	cJSON *r = cJSON_AddObjectToObject(c, "replica");
	cJSON_AddNumberToObject(r, "gpus", p->in.replica_gpus);
	cJSON_AddNumberToObject(r, "batch", p->replica_batch);
	cJSON_AddNumberToObject(r, "output_tokens_per_s", p->replica_output_tokens_per_s);
	cJSON_AddNumberToObject(r, "tokens_per_s", p->in.replica_tokens_per_s);
	cJSON_AddNumberToObject(r, "tokens_per_month", p->res.replica_tokens_per_month);
	cJSON_AddNumberToObject(r, "calibration", p->calibration);
	cJSON_AddNumberToObject(r, "measured_points", (double)p->measured_points);
	cJSON *mix = cJSON_AddObjectToObject(c, "mix_per_call");
	cJSON_AddNumberToObject(mix, "input_tokens", p->isl);
	cJSON_AddNumberToObject(mix, "cached_tokens", p->isl_cached);
	cJSON_AddNumberToObject(mix, "output_tokens", p->osl);
	cJSON *at = cJSON_AddObjectToObject(c, "at_scenario_volume");
	cJSON_AddNumberToObject(at, "tokens_per_month", p->scenario_tokens_per_month);
	cJSON_AddNumberToObject(at, "api_usd", p->at_scenario.api_usd);
	cJSON_AddNumberToObject(at, "self_hosted_usd", p->at_scenario.self_hosted_usd);
	cJSON_AddNumberToObject(at, "gpus", p->at_scenario.gpus);
	crossover_out_sentence(p, sentence, sizeof(sentence));
	cJSON_AddStringToObject(c, "sentence", sentence);
	return c;
}

int crossover_out_write_csv(struct results_dir *rd, const struct crossover_plan *p,
			    struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "crossover.csv", err);
	if (!out)
		return HC_ERUNTIME;
	write_csv(out, p);
	return results_dir_close(rd, out, "crossover.csv", err);
}
