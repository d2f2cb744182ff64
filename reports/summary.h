/*
 * summary: the results files of a forecast: summary.json (the keys ARCHITECTURE.md lists,
 * documented in docs/output.md), iterations.csv (one row per child and replication) and
 * scenario.json (the effective scenario). These only format what the forecast computed.
 */
#ifndef REPORTS_SUMMARY_H
#define REPORTS_SUMMARY_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "model/forecast.h"
#include "model/prices.h"
#include "reports/results_dir.h"

/* The summary tree (caller deletes). */
cJSON *summary_build(const struct forecast *f, const struct price_sheet *ps);

/* Writes iterations.csv's header and rows. */
void summary_write_iterations(FILE *out, const struct forecast *f);

/* Writes summary.json, iterations.csv and scenario.json into rd. */
int summary_write_all(struct results_dir *rd, const struct forecast *f,
		      const struct price_sheet *ps, struct hc_err *err);

#endif
