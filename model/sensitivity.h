/*
 * sensitivity: how far each uncertain field moves the forecast (docs/model.md, "Priors and
 * sensitivity").
 *
 * For each prior of a scenario (but fixed assumed values), two forecasts of the scenario with every other prior at its
 * median: one with the field at its prior's P10, one at its P90 (a choice: one forecast per
 * value, and the two whose mean cost is lowest and highest). Every forecast runs the same
 * replications with the same seed (paired random numbers), so a swing is the field's own.
 */
#ifndef MODEL_SENSITIVITY_H
#define MODEL_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>
#include "base/hc_err.h"
#include "model/priors.h"
#include "model/prices.h"
#include "model/scenario.h"

/* replications a sensitivity forecast runs, at most (and never more than --runs) */
#define SENSITIVITY_RUNS 50

enum sensitivity_metric { SENS_COST_USD, SENS_TOKENS, SENS_WALL_HOURS, SENS_METRIC_COUNT };

struct sensitivity_row {
	const struct prior *prior;      /* borrowed from the scenario */
	char low[PRIOR_JSON_MAX];      /* the field's value in the low run (JSON) */
	char high[PRIOR_JSON_MAX];
	double at_low[SENS_METRIC_COUNT];  /* means over the replications */
	double at_high[SENS_METRIC_COUNT];
};

struct sensitivity {
	struct sensitivity_row *rows;   /* by the cost swing's size, largest first */
	size_t n;
	unsigned runs;
};

#define SENSITIVITY_INIT { NULL, 0, 0 }

/* at_high - at_low of metric m. */
double sensitivity_swing(const struct sensitivity_row *r, enum sensitivity_metric m);

/*
 * Runs the forecasts (runs replications each, seed, threads as forecast_run). With no
 * priors, s stays empty. On error s is released.
 */
int sensitivity_run(struct sensitivity *s, const struct scenario *sc,
		    const struct price_sheet *ps, unsigned runs, unsigned threads, uint64_t seed,
		    struct hc_err *err);

void sensitivity_release(struct sensitivity *s);

#endif
