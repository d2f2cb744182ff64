/*
 * sweep_out: the files of a sweep's results directory (docs/sweep.md): sweep.csv, one row
 * per grid point in point order, and grid.json, the grid as it was used. Rows are formatted
 * one at a time, as text, so that whichever process computed a point, the bytes are the same.
 */
#ifndef REPORTS_SWEEP_OUT_H
#define REPORTS_SWEEP_OUT_H

#include <stdint.h>
#include "model/forecast.h"
#include "model/prices.h"
#include "model/sweep.h"
#include "reports/results_dir.h"

/* The run-wide settings grid.json records beside the grid. */
struct sweep_out_settings {
	unsigned runs;
	uint64_t seed;
	const struct price_sheet *ps;
};

/*
 * Point p's row of sweep.csv, newline included, into *row (caller frees): the point, its
 * seed, its value of each column, then per metric the mean, P10, P50 and P90 of f, then the
 * same of each part of the bill per run and per month (compare_spread, model/compare.h).
 */
int sweep_out_row(const struct sweep_grid *g, size_t p, uint64_t seed,
		  const struct forecast *f, char **row, struct hc_err *err);

/* Writes sweep.csv (the header, then rows[0..g->n_points)) and grid.json into rd. */
int sweep_out_write_all(struct results_dir *rd, const struct sweep_grid *g, char *const *rows,
			const struct sweep_out_settings *s, struct hc_err *err);

#endif
