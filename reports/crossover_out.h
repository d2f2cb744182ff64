/*
 * crossover_out: the files of `hypercap crossover`: crossover.csv (a log grid of monthly
 * volumes, at the headline price), crossover_modes.csv (one row per pricing mode and named
 * offer), crossover_loops.csv (with --loops: every mode against the simulated loops) and
 * summary.json's "crossover" object, and the sentence a CFO reads.
 */
#ifndef REPORTS_CROSSOVER_OUT_H
#define REPORTS_CROSSOVER_OUT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "model/crossover.h"
#include "model/forecast.h"
#include "reports/results_dir.h"

/* "self-hosting llama-3.3-70b FP8 on h100-sxm at $6.88/GPU-hour on-demand costs less than
 * the scenario's API mix above 4.35B tokens/month; at that volume its 1 replica of 2 GPUs
 * would be 17.1% busy (computed from the replica's throughput, not simulated)", or why it
 * never does. */
void crossover_out_sentence(const struct crossover_plan *p, char *buf, size_t size);

/* summary.json's "crossover" object (docs/output.md; caller deletes). */
cJSON *crossover_out_json(const struct crossover_plan *p);

/* Writes crossover.csv, crossover_modes.csv and, with loops run, crossover_loops.csv. */
int crossover_out_write_csv(struct results_dir *rd, const struct crossover_plan *p,
			    struct hc_err *err);

#endif
