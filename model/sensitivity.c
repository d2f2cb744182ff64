/* sensitivity: the swing of each uncertain field. Contracts in sensitivity.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/forecast.h"
#include "model/sensitivity.h"

double sensitivity_swing(const struct sensitivity_row *r, enum sensitivity_metric m)
{
	return r->at_high[m] - r->at_low[m];
}

struct sens_job {
	const struct scenario *sc;
	const struct price_sheet *ps;
	unsigned runs, threads;
	uint64_t seed;
};

/* The means of one forecast with the field at path set to value, the other priors at medians. */
static int means_at(const struct sens_job *j, const char *path, const char *value,
		    double out[SENS_METRIC_COUNT], struct hc_err *err)
{
	static const enum metric metrics[] = { METRIC_COST_TOTAL, METRIC_TOKENS_TOTAL,
					       METRIC_WALL_HOURS };
	struct scenario at;
	struct forecast f;
	int rc = scenario_with_value(j->sc, path, value, &at, err);
	if (rc)
		return rc;
	rc = forecast_run(&f, &at, j->ps, j->runs, j->threads, j->seed, NULL, FORECAST_DROP, err);
	if (!rc) {
		for (int m = 0; m < SENS_METRIC_COUNT; m++)
			out[m] = f.metrics[metrics[m]].mean;
		forecast_release(&f);
	}
	scenario_release(&at);
	return rc;
}

/* A choice: every value forecast; the cheapest is the low end, the dearest the high. */
static int choice_row(const struct sens_job *j, const struct prior *p,
		      struct sensitivity_row *row, struct hc_err *err)
{
	char values[PRIOR_MAX_VALUES][PRIOR_JSON_MAX];
	size_t n = prior_ends(p, values);
	for (size_t i = 0; i < n; i++) {
		double m[SENS_METRIC_COUNT];
		int rc = means_at(j, p->path, values[i], m, err);
		if (rc)
			return rc;
		if (i == 0 || m[SENS_COST_USD] < row->at_low[SENS_COST_USD]) {
			memcpy(row->at_low, m, sizeof(m));
			memcpy(row->low, values[i], PRIOR_JSON_MAX);
		}
		if (i == 0 || m[SENS_COST_USD] > row->at_high[SENS_COST_USD]) {
			memcpy(row->at_high, m, sizeof(m));
			memcpy(row->high, values[i], PRIOR_JSON_MAX);
		}
	}
	return 0;
}

static int one_row(const struct sens_job *j, const struct prior *p, struct sensitivity_row *row,
		   struct hc_err *err)
{
	row->prior = p;
	if (p->kind == PRIOR_CHOICE)
		return choice_row(j, p, row, err);
	prior_value_at(p, 0.1, row->low);
	prior_value_at(p, 0.9, row->high);
	int rc = means_at(j, p->path, row->low, row->at_low, err);
	return rc ? rc : means_at(j, p->path, row->high, row->at_high, err);
}

/* Largest cost swing first; equal swings in the scenario's order of priors. */
static int by_swing(const void *a, const void *b)
{
	const struct sensitivity_row *x = a, *y = b;
	double sx = fabs(sensitivity_swing(x, SENS_COST_USD));
	double sy = fabs(sensitivity_swing(y, SENS_COST_USD));
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return (x->prior > y->prior) - (x->prior < y->prior);
}

int sensitivity_run(struct sensitivity *s, const struct scenario *sc,
		    const struct price_sheet *ps, unsigned runs, unsigned threads, uint64_t seed,
		    struct hc_err *err)
{
	struct sens_job j = { sc, ps, runs, threads, seed };
	memset(s, 0, sizeof(*s));
	if (!sc->n_priors)
		return 0;
	s->rows = calloc(sc->n_priors, sizeof(*s->rows));
	if (!s->rows)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	s->runs = runs;
	for (size_t i = 0; i < sc->n_priors; i++) {
		if (sc->priors[i].fixed) /* no spread: no swing */
			continue;
		int rc = one_row(&j, &sc->priors[i], &s->rows[s->n], err);
		if (rc) {
			sensitivity_release(s);
			return rc;
		}
		s->n++;
	}
	qsort(s->rows, s->n, sizeof(*s->rows), by_swing);
	return 0;
}

void sensitivity_release(struct sensitivity *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
