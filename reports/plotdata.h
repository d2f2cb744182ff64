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

/*
 * The P10, P50 and P90 of each column of v (rows x cols, row-major) across its rows: one
 * quantile per iteration across replications, by stats_quantile (linear interpolation
 * between order statistics, as summary.json's quantiles). v is left as it was.
 */
int plotdata_band(const double *v, size_t rows, size_t cols, double *p10, double *p50,
		  double *p90, struct hc_err *err);

/*
 * Cumulative tokens per iteration and replication from iterations.csv, its rows added one at
 * a time in replication order (as a forecast writes them; csvtab_each), so that the file is
 * never held: the running sums of self_modify_tokens and evaluate_tokens over the children
 * of iterations 0 .. i. Memory is 8 bytes per replication and iteration while every sum is
 * a whole number below 2^32 (token counts; kept as uint32_t, exactly), 16 once one is not
 * (all kept as doubles from then on), plus one replication's rows, whatever the number of
 * rows and columns.
 */
enum plotdata_series { PLOTDATA_SELF_MODIFY, PLOTDATA_EVALUATE, PLOTDATA_TOTAL };

struct plotdata_tokens {
	int col[4];          /* replication, iteration, self_modify_tokens, evaluate_tokens */
	size_t reps, iters;  /* the largest replication and iteration added, plus one */
	/* replication after replication, its own iterations' running sums: */
	int wide;            /* 0: uint32_t (while every sum fits one); 1: double */
	void *sum[2];
	size_t n_sum, cap_sum;
	size_t *start;       /* reps + 1 offsets into sum: where each replication begins */
	size_t cap_start;
	double *cur[2];      /* the last replication's tokens per iteration, not yet summed */
	size_t n_cur, cap_cur;
};

#define PLOTDATA_TOKENS_INIT { .col = { -1, -1, -1, -1 } }

/*
 * Adds row of t (an iterations.csv). HC_EINPUT names the file, line, column and value for a
 * missing column, a replication or iteration that is not a whole number in [0, 1e5] or
 * [0, 1e6], a replication below the one before (rows out of replication order), token
 * counts that are not numbers (empty: 0), or more than 5e7 replications x iterations;
 * HC_ERUNTIME when out of memory.
 */
int plotdata_tokens_add(struct plotdata_tokens *a, const struct csvtab *t, size_t row,
			struct hc_err *err);

/* After the last row: sums the last replication. HC_ERUNTIME when out of memory. */
int plotdata_tokens_end(struct plotdata_tokens *a, struct hc_err *err);

/*
 * The cumulative tokens of series at (rep, iter) after plotdata_tokens_end: a replication
 * with fewer iterations keeps its last sum, one with no rows is 0; the total is self_modify
 * + evaluate.
 */
double plotdata_tokens_at(const struct plotdata_tokens *a, enum plotdata_series series,
			  size_t rep, size_t iter);

/*
 * The P10, P50 and P90 of series at each of a->iters iterations across the replications, as
 * plotdata_band gives them from the reps x iters matrix of plotdata_tokens_at.
 */
int plotdata_tokens_band(const struct plotdata_tokens *a, enum plotdata_series series,
			 double *p10, double *p50, double *p90, struct hc_err *err);

void plotdata_tokens_release(struct plotdata_tokens *a);

/*
 * The same from a table read whole: sm and ev receive *reps x *iters values (row-major by
 * replication; the caller frees both) of plotdata_tokens_at. HC_EINPUT for a table with no
 * rows.
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
