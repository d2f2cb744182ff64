/*
 * summary: the results files of a forecast: summary.json (the keys ARCHITECTURE.md lists,
 * documented in docs/output.md), iterations.csv (one row per child and replication) and
 * scenario.json (the effective scenario). These only format what the forecast computed.
 */
#ifndef REPORTS_SUMMARY_H
#define REPORTS_SUMMARY_H

#include <stdio.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "model/crossover.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "reports/results_dir.h"

/* What a results directory holds besides the forecast itself. */
struct summary_extras {
	time_t start;                           /* the calendar of costs_focus.csv */
	const struct crossover_plan *crossover; /* NULL: none computed */
};

/* A fleet's size, the shape it was sized for and what it did (summary.json fleets.<name>). */
cJSON *summary_fleet_json(const struct fleet *lf, const struct fleet_result *r);

/* The summary tree (caller deletes). */
cJSON *summary_build(const struct forecast *f, const struct price_sheet *ps,
		     const struct summary_extras *x);

/* Writes summary.json, scenario.json and the CSVs (iterations, timeseries, archive,
 * montecarlo, costs_focus, and crossover when computed) into rd. */
int summary_write_all(struct results_dir *rd, const struct forecast *f,
		      const struct price_sheet *ps, const struct summary_extras *x,
		      struct hc_err *err);

#endif
