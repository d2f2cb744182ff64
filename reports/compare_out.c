/* compare_out: the files of a comparison's results directory. Contracts in compare_out.h. */
#include <stdio.h>
#include <stdlib.h>
#include "reports/compare_out.h"
#include "reports/compare_report.h"
#include "reports/crossover_out.h"
#include "reports/csvout.h"

/* A figure: tokens as a whole number, dollars and hours with ten significant digits. */
static void number(FILE *out, enum compare_metric m, double v)
{
	csvout_num(out, v, compare_metric_is_count(m) ? "%.0f" : "%.10g");
}

static int write_csv(struct results_dir *rd, const struct compare_out *c, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "compare.csv", err);
	if (!out)
		return HC_ERUNTIME;
	fputs("index,variant,metric,base_mean,variant_mean,delta_mean,delta_p10,delta_p90\n", out);
	for (size_t v = 0; v < c->n_variants; v++) {
		for (int m = 0; m < COMPARE_METRICS; m++) {
			const struct compare_delta *d = &c->variants[v].delta[m];
			fprintf(out, "%zu", v + 1); /* the row's first cell: no comma */
			csvout_text(out, c->variants[v].name);
			fprintf(out, ",%s", compare_metric_name((enum compare_metric)m));
			number(out, (enum compare_metric)m, d->base_mean);
			number(out, (enum compare_metric)m, d->variant_mean);
			number(out, (enum compare_metric)m, d->mean);
			number(out, (enum compare_metric)m, d->p10);
			number(out, (enum compare_metric)m, d->p90);
			fputc('\n', out);
		}
	}
	return results_dir_close(rd, out, "compare.csv", err);
}

/* {"base_mean": ..., "variant_mean": ..., "delta_mean": ..., "delta_p10": ..., ...} */
static cJSON *delta_json(const struct compare_delta *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "base_mean", d->base_mean);
	cJSON_AddNumberToObject(o, "variant_mean", d->variant_mean);
	cJSON_AddNumberToObject(o, "delta_mean", d->mean);
	cJSON_AddNumberToObject(o, "delta_p10", d->p10);
	cJSON_AddNumberToObject(o, "delta_p90", d->p90);
	return o;
}

/* simulate's summary.json "crossover" object, or null when it was not priced. */
static cJSON *crossover_json(const struct crossover_plan *p)
{
	return p ? crossover_out_json(p) : cJSON_CreateNull();
}

static cJSON *variant_json(const struct compare_out_variant *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddItemToObject(o, "set", cJSON_CreateStringArray(v->sets, (int)v->n_sets));
	cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
	for (int m = 0; m < COMPARE_METRICS; m++)
		cJSON_AddItemToObject(metrics, compare_metric_name((enum compare_metric)m),
				      delta_json(&v->delta[m]));
	cJSON_AddItemToObject(o, "crossover", crossover_json(v->crossover));
	return o;
}

static cJSON *compare_json(const struct compare_out *c)
{
	cJSON *tree = cJSON_CreateObject();
	if (c->base)
		cJSON_AddStringToObject(tree, "base", c->base);
	else
		cJSON_AddNullToObject(tree, "base");
	cJSON_AddItemToObject(tree, "set", cJSON_CreateStringArray(c->base_sets,
								    (int)c->n_base_sets));
	cJSON_AddNumberToObject(tree, "runs", c->runs);
	/* a string: a 64-bit seed does not survive a JSON number */
	char seed[24];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)c->seed);
	cJSON_AddStringToObject(tree, "seed", seed);
	cJSON_AddStringToObject(tree, "pairing", "replication i of every variant runs with the "
				"base's seed for replication i; docs/compare.md");
	cJSON_AddStringToObject(tree, "prices", c->ps->origin);
	cJSON_AddItemToObject(tree, "crossover", crossover_json(c->base_crossover));
	if (c->no_crossover[0])
		cJSON_AddStringToObject(tree, "no_crossover", c->no_crossover);
	cJSON *variants = cJSON_AddArrayToObject(tree, "variants");
	for (size_t v = 0; v < c->n_variants; v++)
		cJSON_AddItemToArray(variants, variant_json(&c->variants[v]));
	return tree;
}

static int write_report(struct results_dir *rd, const struct compare_out *c, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "report.html", err);
	if (!out)
		return HC_ERUNTIME;
	compare_report_write(out, c);
	return results_dir_close(rd, out, "report.html", err);
}

int compare_out_write_all(struct results_dir *rd, const struct compare_out *c,
			  struct hc_err *err)
{
	int rc = write_csv(rd, c, err);
	if (rc)
		return rc;
	cJSON *tree = compare_json(c);
	if (!tree)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	rc = results_dir_write_json(rd, "compare.json", tree, err);
	cJSON_Delete(tree);
	return rc ? rc : write_report(rd, c, err);
}
