/*
 * series: the CSVs of a forecast besides iterations.csv (docs/output.md): timeseries.csv
 * (replication 0, per simulated hour), archive.csv (per iteration, means over replications)
 * and montecarlo.csv (per replication).
 */
#ifndef REPORTS_SERIES_H
#define REPORTS_SERIES_H

#include <stdio.h>
#include "model/forecast.h"

/* Each writes the file's header and rows; HC_ERUNTIME when memory runs out. */
int series_write_timeseries(FILE *out, const struct forecast *f);
int series_write_archive(FILE *out, const struct forecast *f);
int series_write_montecarlo(FILE *out, const struct forecast *f);

#endif
