/* plotdata: the numbers the plots draw, from a results directory. Contracts in plotdata.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include "base/array.h"
#include "reports/plotdata.h"
#include "sim/stats.h"

#define MAX_CELLS 50000000 /* replications x iterations kept in memory: 400 MB per role */

int plotdata_band(const double *v, size_t rows, size_t cols, double *p10, double *p50,
		  double *p90, struct hc_err *err)
{
	double *col = malloc((rows ? rows : 1) * sizeof(*col));
	if (!col)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t c = 0; c < cols; c++) {
		for (size_t r = 0; r < rows; r++)
			col[r] = v[r * cols + c];
		/* stats_quantile sorts, so the next quantile reads sorted data: same answer. */
		p10[c] = stats_quantile(col, rows, 0.10);
		p50[c] = stats_quantile(col, rows, 0.50);
		p90[c] = stats_quantile(col, rows, 0.90);
	}
	free(col);
	return 0;
}

int plotdata_axis_decimals(double max)
{
	if (!(max > 0) || !isfinite(max))
		return 0;
	double d = ceil(-log10(max / 10) - 1e-9);
	return d < 0 ? 0 : d > 9 ? 9 : (int)d;
}

/* Reads a whole-number cell in [0, max] (replication or iteration). */
static int index_cell(const struct csvtab *t, size_t row, int col, double max, size_t *out,
		      struct hc_err *err)
{
	double v;
	if (csvtab_num(t, row, col, &v, err))
		return HC_EINPUT;
	if (isnan(v) || v < 0 || v > max || v != floor(v))
		return hc_err_set(err, HC_EINPUT, "%s: line %zu: column '%s': '%s'; allowed: a "
				  "whole number from 0 to %.0f", t->path, t->row0 + row + 2,
				  t->header[col],
				  csvtab_cell(t, row, col) ? csvtab_cell(t, row, col) : "", max);
	*out = (size_t)v;
	return 0;
}

static const char *const token_columns[4] = { "replication", "iteration",
					      "self_modify_tokens", "evaluate_tokens" };

/* v kept exactly as a uint32_t: a whole number from 0 to 2^32 - 1 (not -0). */
static int fits_whole(double v)
{
	return v >= 0 && v <= UINT32_MAX && v == floor(v) && !signbit(v);
}

/* Room for need sums of the current width. */
static int sum_room(struct plotdata_tokens *a, size_t need, struct hc_err *err)
{
	size_t size = a->wide ? sizeof(double) : sizeof(uint32_t);
	if (need <= a->cap_sum)
		return 0;
	size_t cap = array_capacity(a->cap_sum, need, 1024, size);
	void *s0 = cap ? realloc(a->sum[0], cap * size) : NULL;
	if (s0)
		a->sum[0] = s0;
	void *s1 = s0 ? realloc(a->sum[1], cap * size) : NULL;
	if (!s1)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	a->sum[1] = s1;
	a->cap_sum = cap;
	return 0;
}

/* The sums kept so far, as doubles from now on. */
static int widen(struct plotdata_tokens *a, struct hc_err *err)
{
	size_t cap = a->cap_sum ? a->cap_sum : 1;
	double *d[2] = { malloc(cap * sizeof(double)), malloc(cap * sizeof(double)) };
	if (!d[0] || !d[1]) {
		free(d[0]);
		free(d[1]);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	for (int k = 0; k < 2; k++) {
		const uint32_t *w = a->sum[k];
		for (size_t i = 0; i < a->n_sum; i++)
			d[k][i] = w[i];
		free(a->sum[k]);
		a->sum[k] = d[k];
	}
	a->cap_sum = cap;
	a->wide = 1;
	return 0;
}

/* The last replication's tokens summed over its iterations, appended to the sums. */
static int close_rep(struct plotdata_tokens *a, struct hc_err *err)
{
	int whole = 1;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < a->n_cur; i++) {
			double *c = a->cur[k];
			c[i] = i ? c[i] + c[i - 1] : c[i];
			whole = whole && fits_whole(c[i]);
		}
	if ((!whole && !a->wide && widen(a, err)) || sum_room(a, a->n_sum + a->n_cur, err))
		return HC_ERUNTIME;
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < a->n_cur; i++)
			if (a->wide)
				((double *)a->sum[k])[a->n_sum + i] = a->cur[k][i];
			else
				((uint32_t *)a->sum[k])[a->n_sum + i] = (uint32_t)a->cur[k][i];
		memset(a->cur[k], 0, a->n_cur * sizeof(double));
	}
	a->n_sum += a->n_cur;
	a->n_cur = 0;
	return 0;
}

/* Replication rep begins, after the last one; those between have no rows. */
static int open_rep(struct plotdata_tokens *a, size_t rep, struct hc_err *err)
{
	if (a->reps && close_rep(a, err))
		return HC_ERUNTIME;
	while (a->reps <= rep) {
		size_t *p = array_room(a->start, a->reps, &a->cap_start, sizeof(*p));
		if (!p)
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		a->start = p;
		a->start[a->reps++] = a->n_sum;
	}
	return 0;
}

/* Room in cur for iteration it (the room beyond n_cur stays zero). */
static int grow_cur(struct plotdata_tokens *a, size_t it, struct hc_err *err)
{
	size_t cap[2] = { a->cap_cur, a->cap_cur };
	for (int k = 0; k < 2; k++) {
		double *p = array_room(a->cur[k], it, &cap[k], sizeof(double));
		if (!p)
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		a->cur[k] = p;
	}
	a->cap_cur = cap[1];
	return 0;
}

int plotdata_tokens_add(struct plotdata_tokens *a, const struct csvtab *t, size_t row,
			struct hc_err *err)
{
	size_t rep, it;
	double v[2];
	for (int k = 0; a->col[3] < 0 && k < 4; k++)
		if (csvtab_need(t, token_columns[k], &a->col[k], err))
			return HC_EINPUT;
	if (index_cell(t, row, a->col[0], 1e5, &rep, err) ||
	    index_cell(t, row, a->col[1], 1e6, &it, err) ||
	    csvtab_num(t, row, a->col[2], &v[0], err) || csvtab_num(t, row, a->col[3], &v[1], err))
		return HC_EINPUT;
	if (rep + 1 < a->reps)
		return hc_err_set(err, HC_EINPUT, "%s: line %zu: replication %zu after %zu; "
				  "allowed: rows in replication order", t->path,
				  t->row0 + row + 2, rep, a->reps - 1);
	size_t reps = rep + 1 > a->reps ? rep + 1 : a->reps;
	size_t iters = it + 1 > a->iters ? it + 1 : a->iters;
	if ((double)reps * (double)iters > MAX_CELLS)
		return hc_err_set(err, HC_EINPUT, "%s: %zu replications x %zu iterations; allowed: "
				  "at most %d", t->path, reps, iters, MAX_CELLS);
	if ((reps > a->reps && open_rep(a, rep, err)) ||
	    (it >= a->cap_cur && grow_cur(a, it, err)))
		return HC_ERUNTIME;
	a->iters = iters;
	a->n_cur = it + 1 > a->n_cur ? it + 1 : a->n_cur;
	a->cur[0][it] += isnan(v[0]) ? 0 : v[0];
	a->cur[1][it] += isnan(v[1]) ? 0 : v[1];
	return 0;
}

int plotdata_tokens_end(struct plotdata_tokens *a, struct hc_err *err)
{
	if (!a->reps)
		return 0;
	if (close_rep(a, err))
		return HC_ERUNTIME;
	size_t *p = array_room(a->start, a->reps, &a->cap_start, sizeof(*p));
	if (!p)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	a->start = p;
	a->start[a->reps] = a->n_sum;
	return 0;
}

double plotdata_tokens_at(const struct plotdata_tokens *a, enum plotdata_series series,
			  size_t rep, size_t iter)
{
	if (series == PLOTDATA_TOTAL)
		return plotdata_tokens_at(a, PLOTDATA_SELF_MODIFY, rep, iter) +
		       plotdata_tokens_at(a, PLOTDATA_EVALUATE, rep, iter);
	size_t n = a->start[rep + 1] - a->start[rep];
	if (!n)
		return 0;
	size_t i = a->start[rep] + (iter < n ? iter : n - 1);
	return a->wide ? ((const double *)a->sum[series])[i]
		       : ((const uint32_t *)a->sum[series])[i];
}

int plotdata_tokens_band(const struct plotdata_tokens *a, enum plotdata_series series,
			 double *p10, double *p50, double *p90, struct hc_err *err)
{
	double *col = malloc((a->reps ? a->reps : 1) * sizeof(*col));
	int rc = col ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; !rc && i < a->iters; i++) {
		for (size_t r = 0; r < a->reps; r++)
			col[r] = plotdata_tokens_at(a, series, r, i);
		rc = plotdata_band(col, a->reps, 1, p10 + i, p50 + i, p90 + i, err);
	}
	free(col);
	return rc;
}

void plotdata_tokens_release(struct plotdata_tokens *a)
{
	for (int k = 0; k < 2; k++) {
		free(a->sum[k]);
		free(a->cur[k]);
	}
	free(a->start);
	*a = (struct plotdata_tokens)PLOTDATA_TOKENS_INIT;
}

/* The reps x iters matrices of plotdata_tokens_at, row-major by replication. */
static int token_matrices(const struct plotdata_tokens *a, double **sm, double **ev,
			  struct hc_err *err)
{
	*sm = calloc(a->reps * a->iters, sizeof(**sm));
	*ev = calloc(a->reps * a->iters, sizeof(**ev));
	if (!*sm || !*ev) {
		free(*sm);
		free(*ev);
		*sm = *ev = NULL;
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	for (size_t r = 0; r < a->reps; r++)
		for (size_t i = 0; i < a->iters; i++) {
			(*sm)[r * a->iters + i] = plotdata_tokens_at(a, PLOTDATA_SELF_MODIFY, r, i);
			(*ev)[r * a->iters + i] = plotdata_tokens_at(a, PLOTDATA_EVALUATE, r, i);
		}
	return 0;
}

int plotdata_cumulative_tokens(const struct csvtab *t, double **sm, double **ev,
			       size_t *reps, size_t *iters, struct hc_err *err)
{
	struct plotdata_tokens a = PLOTDATA_TOKENS_INIT;
	int rc = 0;
	*sm = *ev = NULL;
	for (size_t i = 0; !rc && i < t->n_rows; i++)
		rc = plotdata_tokens_add(&a, t, i, err);
	if (!rc && !t->n_rows)
		rc = hc_err_set(err, HC_EINPUT, "%s: no rows; allowed: one row per child",
				t->path);
	if (!rc)
		rc = plotdata_tokens_end(&a, err);
	if (!rc)
		rc = token_matrices(&a, sm, ev, err);
	*reps = a.reps;
	*iters = a.iters;
	plotdata_tokens_release(&a);
	return rc;
}

static double total_sum_of_squares(const double *y, size_t n)
{
	double mean = 0, tss = 0;
	for (size_t i = 0; i < n; i++)
		mean += y[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		tss += (y[i] - mean) * (y[i] - mean);
	return tss;
}

/* y = c0 + c1 x + c2 x^2 by linear least squares on the design matrix [1 x x^2]. */
static int fit_quadratic(const double *x, const double *y, size_t n, double c[3], double *rss)
{
	gsl_matrix *X = gsl_matrix_alloc(n, 3), *cov = gsl_matrix_alloc(3, 3);
	gsl_vector *Y = gsl_vector_alloc(n), *C = gsl_vector_alloc(3);
	gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, 3);
	int status = GSL_ENOMEM;
	if (X && cov && Y && C && w) {
		for (size_t i = 0; i < n; i++) {
			gsl_matrix_set(X, i, 0, 1);
			gsl_matrix_set(X, i, 1, x[i]);
			gsl_matrix_set(X, i, 2, x[i] * x[i]);
			gsl_vector_set(Y, i, y[i]);
		}
		status = gsl_multifit_linear(X, Y, C, cov, rss, w);
		for (int k = 0; k < 3; k++)
			c[k] = gsl_vector_get(C, (size_t)k);
	}
	gsl_multifit_linear_free(w);
	gsl_vector_free(C);
	gsl_vector_free(Y);
	gsl_matrix_free(cov);
	gsl_matrix_free(X);
	return status;
}

int plotdata_growth_fit(const double *x, const double *y, size_t n, struct growth_fit *g,
			struct hc_err *err)
{
	double cov00, cov01, cov11, rss_lin, rss_quad;
	if (n < 3)
		return hc_err_set(err, HC_EINPUT, "%zu points; a growth law needs at least 3", n);
	int status = gsl_fit_linear(x, 1, y, 1, n, &g->lin[0], &g->lin[1], &cov00, &cov01,
				    &cov11, &rss_lin);
	if (!status)
		status = fit_quadratic(x, y, n, g->quad, &rss_quad);
	if (status)
		return hc_err_set(err, HC_ERUNTIME, "least-squares fit failed: %s",
				  gsl_strerror(status));
	double tss = total_sum_of_squares(y, n);
	g->r2_lin = tss > 0 ? 1 - rss_lin / tss : 1;
	g->r2_quad = tss > 0 ? 1 - rss_quad / tss : 1;
	/* A line that leaves less than 1e-9 of the variance is exact up to rounding. */
	g->quadratic = rss_lin > 1e-9 * tss && rss_quad < 0.5 * rss_lin;
	return 0;
}
