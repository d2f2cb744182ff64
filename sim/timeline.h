/*
 * timeline: per-hour sums of quantities over simulated time, for timeseries.csv.
 *
 * Columns are numbered by the caller. A point adds an amount to the hour an instant falls in
 * (tokens, dollars, requests); a span adds weight × seconds to every hour it overlaps, so a
 * span column over an hour's length is a time-average (busy servers, waiting requests). Rows
 * grow as time does; running out of memory is sticky and reported by timeline_failed.
 */
#ifndef SIM_TIMELINE_H
#define SIM_TIMELINE_H

#include <stddef.h>

struct timeline {
	size_t n_cols;
	size_t n_hours;     /* hours touched so far */
	size_t cap_hours;
	double *cells;      /* n_hours × n_cols */
	int failed;
};

void timeline_init(struct timeline *tl, size_t n_cols);
void timeline_release(struct timeline *tl);

void timeline_point(struct timeline *tl, size_t col, double t, double amount);
/* Adds weight × (overlap in seconds) of [t0, t1) to each hour it overlaps. */
void timeline_span(struct timeline *tl, size_t col, double t0, double t1, double weight);

/* The cell of hour h (0 beyond the hours touched). */
double timeline_cell(const struct timeline *tl, size_t hour, size_t col);

#endif
