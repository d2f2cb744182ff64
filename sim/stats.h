/*
 * stats: running statistics for simulation output.
 *
 * welford: mean and variance in one pass (Welford's algorithm), with min, max and the half
 * width of a 95% confidence interval for the mean (Student t). timeavg: the time-weighted
 * mean of a piecewise-constant quantity (queue length, busy servers). stats_quantile: the
 * p-quantile of a sample (linear interpolation between order statistics, R type 7, as GSL's
 * gsl_stats_quantile_from_sorted_data); it sorts the array in place.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct welford {
	uint64_t n;
	double mean, m2, min, max;
};

void welford_init(struct welford *w);
void welford_add(struct welford *w, double x);
/* Sample variance (n - 1 in the denominator); 0 when n < 2. */
double welford_var(const struct welford *w);
double welford_sd(const struct welford *w);
/* Half width of the 95% confidence interval for the mean; 0 when n < 2. */
double welford_ci95(const struct welford *w);

struct timeavg {
	double t_start, t_last, value, area, max;
};

void timeavg_init(struct timeavg *a, double t0, double value);
/* Records that the quantity changed to value at time t (t non-decreasing). */
void timeavg_set(struct timeavg *a, double t, double value);
/* Time-weighted mean over [t_start, t_end]; the value at t_start when the span is empty. */
double timeavg_mean(const struct timeavg *a, double t_end);

/* p in [0, 1]; n > 0. Sorts x in place. */
double stats_quantile(double *x, size_t n, double p);

#endif
