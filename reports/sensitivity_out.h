/*
 * sensitivity_out: what the console, summary.json and sensitivity.csv say of a scenario's
 * priors (docs/output.md): which fields are assumed, each prior, and the swing each field
 * gives between its P10 and P90 with the others at their medians (model/sensitivity.h).
 */
#ifndef REPORTS_SENSITIVITY_OUT_H
#define REPORTS_SENSITIVITY_OUT_H

#include <cjson/cJSON.h>
#include "model/forecast.h"
#include "model/sensitivity.h"
#include "reports/results_dir.h"

/* A prior's value (JSON text) for a person and a CSV cell: a number to 6 significant digits,
 * a choice's value without quotes. */
void sensitivity_out_value(const char *json, char *buf, size_t size);

/* summary.json's "priors": each prior's path, kind, parameters and median (caller deletes). */
cJSON *sensitivity_out_priors_json(const struct scenario *sc);

/* summary.json's "sensitivity": the runs and the rows, largest swing first (caller deletes). */
cJSON *sensitivity_out_json(const struct sensitivity *s, const struct forecast *f);

/* Writes sensitivity.csv into rd. */
int sensitivity_out_write_csv(struct results_dir *rd, const struct sensitivity *s,
			      const struct forecast *f, struct hc_err *err);

#endif
