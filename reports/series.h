/*
 * series: the CSVs of a forecast besides iterations.csv (docs/output.md): timeseries.csv
 * (replication 0, per simulated hour), archive.csv (per iteration, means over replications)
 * and montecarlo.csv (per replication).
 */
#ifndef REPORTS_SERIES_H
#define REPORTS_SERIES_H

#include <stdio.h>
#include "model/forecast.h"

/* Per iteration of one replication: the archive once the iteration is done. */
struct series_archive_step {
	double nodes, bytes, max_depth, mean_depth, checkout;
};

/*
 * What archive.csv needs, summed as replications finish (a forecast's sink hands them in
 * order): per iteration the means over replications, and each replication's archive bytes
 * for the P10 and P90 (8 bytes per iteration and replication).
 */
struct series_archive {
	unsigned n, runs;                 /* iterations + 1; replications */
	struct series_archive_step *mean; /* n */
	double *bytes;                    /* [iteration · runs + replication] */
};

/* Sized for f's iterations and runs; HC_ERUNTIME when memory runs out. */
int series_archive_init(struct series_archive *a, const struct forecast *f);
/* Adds replication rep (call in replication order, for sums independent of threads). */
void series_archive_add(struct series_archive *a, unsigned rep, const struct loop_result *r);
void series_archive_release(struct series_archive *a);

/* Each writes the file's header and rows; HC_ERUNTIME when memory runs out. */
int series_write_timeseries(FILE *out, const struct forecast *f);
int series_write_archive(FILE *out, const struct series_archive *a);
int series_write_montecarlo(FILE *out, const struct forecast *f);

#endif
