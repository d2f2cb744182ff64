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
#include "model/sensitivity.h"
#include "model/prices.h"
#include "reports/focus.h"
#include "reports/results_dir.h"
#include "reports/series.h"

/* What a results directory holds besides the forecast itself. */
struct summary_extras {
	time_t start;                           /* the calendar of costs_focus.csv */
	const struct crossover_plan *crossover; /* NULL: none computed */
	const struct sensitivity *sensitivity;  /* NULL or empty: none (sensitivity.csv) */
};

/* A fleet's size, the shape it was sized for and what it did (summary.json fleets.<name>). */
cJSON *summary_fleet_json(const struct fleet *lf, const struct fleet_result *r);

/* The summary tree (caller deletes). */
cJSON *summary_build(const struct forecast *f, const struct price_sheet *ps,
		     const struct summary_extras *x);

/*
 * The results a forecast's replications hand on as they finish, so that memory does not grow
 * with replications: iterations.csv, written row by row into rd, and the sums archive.csv
 * and costs_focus.csv are made of. summary_stream_begin opens it before forecast_run, which
 * takes summary_stream_sink; summary_write_all writes the rest and closes it;
 * summary_stream_release frees it in any case (after a failure, the file is left to rd's
 * abort).
 */
struct summary_stream {
	struct results_dir *rd;
	FILE *iterations;
	struct series_archive archive;
	struct focus_steps focus;
};

int summary_stream_begin(struct summary_stream *s, struct results_dir *rd, struct hc_err *err);
struct forecast_sink summary_stream_sink(struct summary_stream *s);
void summary_stream_release(struct summary_stream *s);

/* Writes summary.json, scenario.json and the CSVs (iterations from s, timeseries, archive,
 * montecarlo, costs_focus, monthly (model/calendar.h, from x->start), and crossover when
 * computed) into rd. f ran with s's sink. */
int summary_write_all(struct results_dir *rd, const struct forecast *f,
		      const struct price_sheet *ps, const struct summary_extras *x,
		      struct summary_stream *s, struct hc_err *err);

#endif
