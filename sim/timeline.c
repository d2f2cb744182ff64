/* timeline: per-hour sums of quantities over simulated time. Contracts in timeline.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "sim/timeline.h"

void timeline_init(struct timeline *tl, size_t n_cols)
{
	memset(tl, 0, sizeof(*tl));
	tl->n_cols = n_cols;
}

void timeline_release(struct timeline *tl)
{
	free(tl->cells);
	memset(tl, 0, sizeof(*tl));
}

/* Makes hour h exist; returns its row, or NULL (sticky failure). */
static double *row(struct timeline *tl, size_t h)
{
	if (tl->failed)
		return NULL;
	if (h >= tl->cap_hours) {
		size_t row_bytes = tl->n_cols * sizeof(double);
		size_t cap = array_capacity(tl->cap_hours, h + 1, 64, row_bytes);
		double *grown = cap ? realloc(tl->cells, cap * row_bytes) : NULL;
		if (!grown) {
			tl->failed = 1;
			return NULL;
		}
		memset(grown + tl->cap_hours * tl->n_cols, 0,
		       (cap - tl->cap_hours) * tl->n_cols * sizeof(*grown));
		tl->cells = grown;
		tl->cap_hours = cap;
	}
	if (h >= tl->n_hours)
		tl->n_hours = h + 1;
	return tl->cells + h * tl->n_cols;
}

void timeline_point(struct timeline *tl, size_t col, double t, double amount)
{
	double *r = row(tl, (size_t)(t / 3600));
	if (r)
		r[col] += amount;
}

void timeline_span(struct timeline *tl, size_t col, double t0, double t1, double weight)
{
	for (size_t h = (size_t)(t0 / 3600); t0 < t1; h++) {
		double end = fmin(t1, (double)(h + 1) * 3600);
		double *r = row(tl, h);
		if (!r)
			return;
		r[col] += weight * (end - t0);
		t0 = end;
	}
}

double timeline_cell(const struct timeline *tl, size_t hour, size_t col)
{
	return hour < tl->n_hours ? tl->cells[hour * tl->n_cols + col] : 0;
}
