/* sweep_out: the files of a sweep's results directory. Contracts in sweep_out.h. */
#include <stdio.h>
#include <stdlib.h>
#include "model/compare.h"
#include "reports/csvout.h"
#include "reports/sweep_out.h"

static const char *const stat_names[] = { "mean", "p10", "p50", "p90" };

/* The parts of the bill, per run and per month, after the metrics (docs/sweep.md). */
static const enum compare_metric parts[] = {
	COMPARE_API, COMPARE_SELF_HOSTED, COMPARE_STORAGE, COMPARE_COMPUTE,
	COMPARE_MONTHLY_API, COMPARE_MONTHLY_SELF_HOSTED, COMPARE_MONTHLY_STORAGE,
	COMPARE_MONTHLY_COMPUTE, COMPARE_MONTHLY_TOTAL,
};
#define N_PARTS (sizeof(parts) / sizeof(parts[0]))

/* A comma and a cell for a JSON value: numbers and booleans as JSON writes them, text quoted. */
static int value_cell(FILE *out, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		csvout_text(out, v->valuestring);
		return 0;
	}
	char *text = cJSON_PrintUnformatted(v);
	if (!text)
		return HC_ERUNTIME;
	if (cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v))
		fprintf(out, ",%s", text);
	else
		csvout_text(out, text);
	free(text);
	return 0;
}

/* A metric's figure: a count (tokens, bytes) as a whole number, docs/output.md. */
static void number(FILE *out, enum metric m, double v)
{
	csvout_num(out, v, metric_is_count(m) ? "%.0f" : "%.10g");
}

/* The mean, P10, P50 and P90 of each part of the bill, per run and per month. */
static int part_cells(FILE *out, const struct forecast *f)
{
	double *scratch = malloc(f->runs * sizeof(*scratch));
	if (!scratch)
		return HC_ERUNTIME;
	for (size_t k = 0; k < N_PARTS; k++) {
		struct compare_spread s;
		compare_spread(f, parts[k], scratch, &s);
		csvout_num(out, s.mean, "%.10g");
		csvout_num(out, s.p10, "%.10g");
		csvout_num(out, s.p50, "%.10g");
		csvout_num(out, s.p90, "%.10g");
	}
	free(scratch);
	return 0;
}

int sweep_out_row(const struct sweep_grid *g, size_t p, uint64_t seed,
		  const struct forecast *f, char **row, struct hc_err *err)
{
	size_t len;
	FILE *out = open_memstream(row, &len);
	int rc = out ? 0 : HC_ERUNTIME;
	if (out)
		fprintf(out, "%zu,%llu", p, (unsigned long long)seed);
	for (size_t c = 0; !rc && c < g->n_columns; c++)
		rc = value_cell(out, sweep_point_value(g, p, c));
	for (int m = 0; !rc && m < METRIC_COUNT; m++) {
		const struct metric_stats *s = &f->metrics[m];
		number(out, (enum metric)m, s->mean);
		number(out, (enum metric)m, s->p10);
		number(out, (enum metric)m, s->p50);
		number(out, (enum metric)m, s->p90);
	}
	if (!rc)
		rc = part_cells(out, f);
	if (out) {
		fputc('\n', out);
		rc |= ferror(out);
		rc |= fclose(out);
	}
	if (!rc)
		return 0;
	if (out)
		free(*row);
	*row = NULL;
	return hc_err_set(err, HC_ERUNTIME, "out of memory formatting the row of point %zu", p);
}

static void write_header(FILE *out, const struct sweep_grid *g)
{
	fputs("point,seed", out);
	for (size_t c = 0; c < g->n_columns; c++)
		csvout_text(out, g->columns[c].path);
	for (int m = 0; m < METRIC_COUNT; m++)
		for (size_t k = 0; k < sizeof(stat_names) / sizeof(stat_names[0]); k++)
			fprintf(out, ",%s_%s", metric_name((enum metric)m), stat_names[k]);
	for (size_t p = 0; p < N_PARTS; p++)
		for (size_t k = 0; k < sizeof(stat_names) / sizeof(stat_names[0]); k++)
			fprintf(out, ",%s_%s", compare_metric_name(parts[p]), stat_names[k]);
	fputc('\n', out);
}

static int write_csv(struct results_dir *rd, const struct sweep_grid *g, char *const *rows,
		     struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "sweep.csv", err);
	if (!out)
		return HC_ERUNTIME;
	write_header(out, g);
	for (size_t p = 0; p < g->n_points; p++)
		fputs(rows[p], out);
	return results_dir_close(rd, out, "sweep.csv", err);
}

static int write_grid(struct results_dir *rd, const struct sweep_grid *g,
		      const struct sweep_out_settings *s, struct hc_err *err)
{
	cJSON *tree = sweep_grid_to_json(g);
	cJSON_AddNumberToObject(tree, "runs", s->runs);
	/* a string: a 64-bit seed does not survive a JSON number */
	char seed[24];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)s->seed);
	cJSON_AddStringToObject(tree, "seed", seed);
	cJSON_AddStringToObject(tree, "pairing", "common random numbers: every point runs "
				"with the seed, so replication i of every point draws from "
				"rng_stream_seed(seed, i); docs/sweep.md");
	cJSON_AddStringToObject(tree, "prices", s->ps->origin);
	char *text = cJSON_Print(tree);
	cJSON_Delete(tree);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	FILE *out = results_dir_open(rd, "grid.json", err);
	if (out) {
		fputs(text, out);
		fputc('\n', out);
	}
	free(text);
	return out ? results_dir_close(rd, out, "grid.json", err) : HC_ERUNTIME;
}

int sweep_out_write_all(struct results_dir *rd, const struct sweep_grid *g, char *const *rows,
			const struct sweep_out_settings *s, struct hc_err *err)
{
	int rc = write_csv(rd, g, rows, err);
	return rc ? rc : write_grid(rd, g, s, err);
}
