/* sensitivity_out: the priors and their swings in the results. Contracts in sensitivity_out.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/csvout.h"
#include "reports/sensitivity_out.h"

static const char *const metric_keys[] = { "cost_usd", "tokens", "wall_hours" };

void sensitivity_out_value(const char *json, char *buf, size_t size)
{
	char *end;
	double x = strtod(json, &end);
	size_t n = strlen(json);
	if (end != json && !*end)
		snprintf(buf, size, "%.6g", x);
	else if (n >= 2 && json[0] == '"')
		snprintf(buf, size, "%.*s", (int)(n - 2), json + 1);
	else
		snprintf(buf, size, "%s", json);
}

static cJSON *prior_json(const struct prior *p)
{
	cJSON *o = cJSON_CreateObject();
	char median[PRIOR_JSON_MAX];
	cJSON_AddStringToObject(o, "path", p->path);
	cJSON_AddStringToObject(o, "prior", p->fixed ? "fixed" : prior_kind_name(p->kind));
	if (p->fixed) {
		prior_value_at(p, 0.5, median);
		cJSON_AddRawToObject(o, "value", median);
		return o;
	}
	if (p->kind == PRIOR_CHOICE) {
		cJSON *v = cJSON_AddObjectToObject(o, "values");
		for (size_t i = 0; i < p->n_values; i++)
			cJSON_AddNumberToObject(v, p->values[i], p->weights[i]);
		return o;
	}
	int logn = p->kind == PRIOR_LOGNORMAL;
	cJSON_AddNumberToObject(o, logn ? "p10" : "low", p->low);
	if (p->kind == PRIOR_TRIANGULAR)
		cJSON_AddNumberToObject(o, "mode", p->mode);
	cJSON_AddNumberToObject(o, logn ? "p90" : "high", p->high);
	prior_value_at(p, 0.5, median);
	cJSON_AddRawToObject(o, "median", median);
	return o;
}

cJSON *sensitivity_out_priors_json(const struct scenario *sc)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < sc->n_priors; i++)
		cJSON_AddItemToArray(list, prior_json(&sc->priors[i]));
	return list;
}

/* The swing as a share of the forecast's mean cost (0 when that is 0). */
static double cost_share(const struct sensitivity_row *r, const struct forecast *f)
{
	double mean = f->metrics[METRIC_COST_TOTAL].mean;
	return mean > 0 ? sensitivity_swing(r, SENS_COST_USD) / mean : 0;
}

static cJSON *row_json(const struct sensitivity_row *r, const struct forecast *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", r->prior->path);
	cJSON_AddRawToObject(o, "low", r->low);
	cJSON_AddRawToObject(o, "high", r->high);
	for (int m = 0; m < SENS_METRIC_COUNT; m++) {
		cJSON *v = cJSON_AddObjectToObject(o, metric_keys[m]);
		cJSON_AddNumberToObject(v, "at_low", r->at_low[m]);
		cJSON_AddNumberToObject(v, "at_high", r->at_high[m]);
		cJSON_AddNumberToObject(v, "swing", sensitivity_swing(r, (enum sensitivity_metric)m));
	}
	cJSON_AddNumberToObject(o, "cost_swing_share", cost_share(r, f));
	return o;
}

cJSON *sensitivity_out_json(const struct sensitivity *s, const struct forecast *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "replications", s->runs);
	cJSON *rows = cJSON_AddArrayToObject(o, "rows");
	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(rows, row_json(&s->rows[i], f));
	return o;
}

static void csv_row(FILE *out, size_t rank, const struct sensitivity_row *r,
		    const struct forecast *f, unsigned runs)
{
	static const char *const fmts[] = { "%.6f", "%.0f", "%.6f" };
	char low[PRIOR_JSON_MAX], high[PRIOR_JSON_MAX];
	sensitivity_out_value(r->low, low, sizeof(low));
	sensitivity_out_value(r->high, high, sizeof(high));
	fprintf(out, "%zu", rank);
	csvout_text(out, r->prior->path);
	csvout_text(out, prior_kind_name(r->prior->kind));
	csvout_text(out, low);
	csvout_text(out, high);
	for (int m = 0; m < SENS_METRIC_COUNT; m++) {
		csvout_num(out, r->at_low[m], fmts[m]);
		csvout_num(out, r->at_high[m], fmts[m]);
		csvout_num(out, sensitivity_swing(r, (enum sensitivity_metric)m), fmts[m]);
	}
	csvout_num(out, cost_share(r, f), "%.6f");
	csvout_num(out, runs, "%.0f");
	fputc('\n', out);
}

int sensitivity_out_write_csv(struct results_dir *rd, const struct sensitivity *s,
			      const struct forecast *f, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "sensitivity.csv", err);
	if (!out)
		return HC_ERUNTIME;
	fputs("rank,path,prior,low,high,cost_usd_low,cost_usd_high,cost_usd_swing,tokens_low,"
	      "tokens_high,tokens_swing,wall_hours_low,wall_hours_high,wall_hours_swing,"
	      "cost_swing_share,replications\n", out);
	for (size_t i = 0; i < s->n; i++)
		csv_row(out, i + 1, &s->rows[i], f, s->runs);
	return results_dir_close(rd, out, "sensitivity.csv", err);
}
