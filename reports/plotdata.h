/*
 * plotdata: the numbers the plots are fed, computed from a results directory's files and
 * kept apart from gnuplot so that tests can check them against hand computations.
 *
 * These summarise what the commands wrote (quantiles across replications, a least-squares
 * growth law, an axis's decimals); they compute no costs.
 */
#ifndef REPORTS_PLOTDATA_H
#define REPORTS_PLOTDATA_H

#include <stddef.h>
#include "base/hc_err.h"
#include "reports/csvtab.h"

/* Replaces each row of v (rows x cols, row-major) by its running sum. */
void plotdata_cumsum_rows(double *v, size_t rows, size_t cols);

/*
 * The P10, P50 and P90 of each column of v (rows x cols, row-major) across its rows: one
 * quantile per iteration across replications, by stats_quantile (linear interpolation
 * between order statistics, as summary.json's quantiles). v is left as it was.
 */
int plotdata_band(const double *v, size_t rows, size_t cols, double *p10, double *p50,
		  double *p90, struct hc_err *err);

/*
 * Cumulative tokens per iteration from iterations.csv, per replication: sm and ev receive
 * *reps x *iters values (row-major by replication; the caller frees both), the running sums
 * of self_modify_tokens and evaluate_tokens over the children of iterations 0 .. i.
 */
int plotdata_cumulative_tokens(const struct csvtab *t, double **sm, double **ev,
			       size_t *reps, size_t *iters, struct hc_err *err);

/*
 * The decimals a tick label of a linear axis [0, max] needs so that no two ticks read the
 * same ("$1, $1, $1"): gnuplot's tick step on such an axis is 1, 2 or 5 times a power of ten
 * and at least max / 10, so ceil(-log10(max / 10)) decimals show it exactly; 0 when that is
 * negative or max is not positive, at most 9.
 */
int plotdata_axis_decimals(double max);

/* A growth law y(x): the linear and quadratic least-squares fits and which one holds. */
struct growth_fit {
	double lin[2];  /* y = lin[0] + lin[1] x */
	double quad[3]; /* y = quad[0] + quad[1] x + quad[2] x^2 */
	double r2_lin, r2_quad; /* coefficients of determination, 1 - RSS / TSS */
	/* 1 when the quadratic fit at least halves the linear one's residual sum of squares
	 * (and the line leaves more than 1e-9 of the variance unexplained) */
	int quadratic;
};

/*
 * Fits both laws to n points by least squares (GSL): gsl_fit_linear, and gsl_multifit_linear
 * on the columns 1, x, x^2. A constant y (TSS 0) gives R^2 = 1 for both and the linear
 * law. HC_EINPUT when n < 3 (a quadratic needs three points); HC_ERUNTIME when GSL fails.
 */
int plotdata_growth_fit(const double *x, const double *y, size_t n, struct growth_fit *g,
			struct hc_err *err);

#endif
