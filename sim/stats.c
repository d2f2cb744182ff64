/*
 * stats: see stats.h.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/stats.h"

/* min and max read 0 while the accumulator is empty, which prints better than infinities. */
void welford_init(struct welford *w)
{
	w->n = 0;
	w->mean = w->m2 = w->min = w->max = 0.0;
}

void welford_add(struct welford *w, double x)
{
	double delta = x - w->mean;

	w->n++;
	w->mean += delta / (double)w->n;
	w->m2 += delta * (x - w->mean);
	if (w->n == 1 || x < w->min)
		w->min = x;
	if (w->n == 1 || x > w->max)
		w->max = x;
}

double welford_var(const struct welford *w)
{
	return w->n < 2 ? 0.0 : w->m2 / (double)(w->n - 1);
}

double welford_sd(const struct welford *w)
{
	return sqrt(welford_var(w));
}

double welford_ci95(const struct welford *w)
{
	if (w->n < 2)
		return 0.0;
	return gsl_cdf_tdist_Pinv(0.975, (double)(w->n - 1)) * welford_sd(w) / sqrt((double)w->n);
}

void timeavg_init(struct timeavg *a, double t0, double value)
{
	a->t_start = a->t_last = t0;
	a->value = value;
	a->area = 0.0;
	a->max = value;
}

void timeavg_set(struct timeavg *a, double t, double value)
{
	if (t > a->t_last) {
		a->area += a->value * (t - a->t_last);
		a->t_last = t;
	}
	a->value = value;
	if (value > a->max)
		a->max = value;
}

double timeavg_mean(const struct timeavg *a, double t_end)
{
	double area = a->area;

	if (!(t_end > a->t_start))
		return a->value;
	/* An end before the last change ends the span there: the area already counted stays. */
	if (t_end > a->t_last)
		area += a->value * (t_end - a->t_last);
	else
		t_end = a->t_last;
	return area / (t_end - a->t_start);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

double stats_quantile(double *x, size_t n, double p)
{
	qsort(x, n, sizeof(*x), cmp_double);
	return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}
