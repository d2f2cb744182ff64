/* plotdata: the numbers the plots draw, from a results directory. Contracts in plotdata.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include "reports/plotdata.h"
#include "sim/stats.h"

#define MAX_CELLS 50000000 /* replications x iterations kept in memory: 400 MB per role */

void plotdata_cumsum_rows(double *v, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 1; c < cols; c++)
			v[r * cols + c] += v[r * cols + c - 1];
}

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
				  "whole number from 0 to %.0f", t->path, row + 2, t->header[col],
				  csvtab_cell(t, row, col) ? csvtab_cell(t, row, col) : "", max);
	*out = (size_t)v;
	return 0;
}

struct token_cols {
	int rep, iter, sm, ev;
};

static int token_extent(const struct csvtab *t, const struct token_cols *c, size_t *reps,
			size_t *iters, struct hc_err *err)
{
	*reps = *iters = 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		size_t rep, it;
		if (index_cell(t, i, c->rep, 1e5, &rep, err) ||
		    index_cell(t, i, c->iter, 1e6, &it, err))
			return HC_EINPUT;
		*reps = rep + 1 > *reps ? rep + 1 : *reps;
		*iters = it + 1 > *iters ? it + 1 : *iters;
	}
	if (!t->n_rows)
		return hc_err_set(err, HC_EINPUT, "%s: no rows; allowed: one row per child",
				  t->path);
	if ((double)*reps * (double)*iters > MAX_CELLS)
		return hc_err_set(err, HC_EINPUT, "%s: %zu replications x %zu iterations; allowed: "
				  "at most %d", t->path, *reps, *iters, MAX_CELLS);
	return 0;
}

static int add_tokens(const struct csvtab *t, const struct token_cols *c, size_t iters,
		      double *sm, double *ev, struct hc_err *err)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		size_t rep, it;
		double a, b;
		/* The extent pass checked these two cells already. */
		index_cell(t, i, c->rep, 1e5, &rep, NULL);
		index_cell(t, i, c->iter, 1e6, &it, NULL);
		if (csvtab_num(t, i, c->sm, &a, err) || csvtab_num(t, i, c->ev, &b, err))
			return HC_EINPUT;
		sm[rep * iters + it] += isnan(a) ? 0 : a;
		ev[rep * iters + it] += isnan(b) ? 0 : b;
	}
	return 0;
}

int plotdata_cumulative_tokens(const struct csvtab *t, double **sm, double **ev,
			       size_t *reps, size_t *iters, struct hc_err *err)
{
	struct token_cols c;
	*sm = *ev = NULL;
	if (csvtab_need(t, "replication", &c.rep, err) ||
	    csvtab_need(t, "iteration", &c.iter, err) ||
	    csvtab_need(t, "self_modify_tokens", &c.sm, err) ||
	    csvtab_need(t, "evaluate_tokens", &c.ev, err) ||
	    token_extent(t, &c, reps, iters, err))
		return HC_EINPUT;
	*sm = calloc(*reps * *iters, sizeof(**sm));
	*ev = calloc(*reps * *iters, sizeof(**ev));
	int rc = !*sm || !*ev ? hc_err_set(err, HC_ERUNTIME, "out of memory")
			      : add_tokens(t, &c, *iters, *sm, *ev, err);
	if (rc) {
		free(*sm);
		free(*ev);
		*sm = *ev = NULL;
		return rc;
	}
	plotdata_cumsum_rows(*sm, *reps, *iters);
	plotdata_cumsum_rows(*ev, *reps, *iters);
	return 0;
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
