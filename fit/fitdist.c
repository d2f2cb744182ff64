/* fitdist: maximum-likelihood fits of the distributions of a scenario. Contracts in fitdist.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_psi.h>
#include "fit/fitdist.h"

#define MAX_CV 10.0 /* what a scenario's lognormal and gamma take (model/scenario.c) */
#define LN_2PI 1.83787706640934548356

const char *fitdist_family_name(int family)
{
	static const enum dist_kind kinds[FITDIST_COUNT] = { DIST_LOGNORMAL, DIST_GAMMA,
							      DIST_EXPONENTIAL, DIST_EMPIRICAL };
	return dist_kind_name(family >= 0 && family < FITDIST_COUNT ? kinds[family] : DIST_CONST);
}

/* Sums over the positive values: count, mean, mean of logs. */
struct positives {
	size_t n;
	double mean, mean_log, min, max;
};

static struct positives positives(const double *x, size_t n)
{
	struct positives p = { 0, 0, 0, INFINITY, -INFINITY };
	double sum = 0, sum_log = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0))
			continue;
		p.n++;
		sum += x[i];
		sum_log += log(x[i]);
		p.min = fmin(p.min, x[i]);
		p.max = fmax(p.max, x[i]);
	}
	if (p.n) {
		p.mean = sum / (double)p.n;
		p.mean_log = sum_log / (double)p.n;
	}
	return p;
}

static void set_aic(struct fitdist_candidate *c)
{
	c->aic = 2.0 * c->params - 2.0 * c->loglik;
}

void fitdist_lognormal(const double *x, size_t n, struct fitdist_candidate *c)
{
	struct positives p = positives(x, n);
	memset(c, 0, sizeof(*c));
	if (p.n < 2 || p.min == p.max)
		return;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		if (x[i] > 0)
			ss += (log(x[i]) - p.mean_log) * (log(x[i]) - p.mean_log);
	double s2 = ss / (double)p.n, m = (double)p.n;
	c->fitted = 1;
	c->params = 2;
	c->p1 = p.mean_log;
	c->p2 = sqrt(s2);
	c->mean = exp(c->p1 + s2 / 2);
	c->cv = sqrt(expm1(s2));
	/* sum of -ln x - ln sigma - ln(2 pi) / 2 - (ln x - mu)^2 / (2 sigma^2) */
	c->loglik = -m * p.mean_log - m * log(c->p2) - m * LN_2PI / 2 - m / 2;
	set_aic(c);
}

/*
 * The root of f in [lo, hi] (which brackets it) by Brent's method, to an interval of relative
 * width rel; *root is the last estimate even when 200 iterations fall short (HC_ERUNTIME).
 */
static int brent_root(gsl_function *f, double lo, double hi, double rel, double *root)
{
	gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!solver || gsl_root_fsolver_set(solver, f, lo, hi)) {
		gsl_root_fsolver_free(solver);
		return HC_ERUNTIME;
	}
	int status = GSL_CONTINUE;
	for (int i = 0; i < 200 && status == GSL_CONTINUE; i++) {
		if (gsl_root_fsolver_iterate(solver))
			break;
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(solver),
						gsl_root_fsolver_x_upper(solver), 0, rel);
	}
	*root = gsl_root_fsolver_root(solver);
	gsl_root_fsolver_free(solver);
	return status == GSL_SUCCESS ? 0 : HC_ERUNTIME;
}

static double gamma_equation(double k, void *s)
{
	return log(k) - gsl_sf_psi(k) - *(double *)s;
}

/*
 * ln k - psi(k) falls from +inf (k -> 0) to 0 (k -> inf), so the root is bracketed by
 * widening around Minka's approximation (3 - s + sqrt((s - 3)^2 + 24 s)) / (12 s).
 */
static int gamma_shape(double s, double *k)
{
	double k0 = (3 - s + sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
	double lo = k0 / 2, hi = k0 * 2;
	for (int i = 0; i < 200 && gamma_equation(lo, &s) < 0; i++)
		lo /= 2;
	for (int i = 0; i < 200 && gamma_equation(hi, &s) > 0; i++)
		hi *= 2;
	gsl_function f = { gamma_equation, &s };
	return brent_root(&f, lo, hi, 1e-12, k);
}

int fitdist_gamma(const double *x, size_t n, struct fitdist_candidate *c)
{
	struct positives p = positives(x, n);
	memset(c, 0, sizeof(*c));
	if (p.n < 2 || p.min == p.max)
		return 0;
	double s = log(p.mean) - p.mean_log, k, m = (double)p.n;
	if (!(s > 0))
		return 0; /* equal values up to rounding */
	if (gamma_shape(s, &k))
		return HC_ERUNTIME;
	c->fitted = 1;
	c->params = 2;
	c->p1 = k;
	c->p2 = p.mean / k;
	c->mean = p.mean;
	c->cv = 1 / sqrt(k);
	/* sum of (k - 1) ln x - x / theta - ln Gamma(k) - k ln theta */
	c->loglik = m * ((k - 1) * p.mean_log - k - lgamma(k) - k * log(c->p2));
	set_aic(c);
	return 0;
}

void fitdist_exponential(const double *x, size_t n, struct fitdist_candidate *c)
{
	struct positives p = positives(x, n);
	memset(c, 0, sizeof(*c));
	if (p.n < 2 || p.min == p.max)
		return;
	c->fitted = 1;
	c->params = 1;
	c->p1 = p.mean;
	c->mean = p.mean;
	c->cv = 1;
	c->loglik = -(double)p.n * (log(p.mean) + 1);
	set_aic(c);
}

double fitdist_cdf(int family, const struct fitdist_candidate *c, double x)
{
	if (!(x > 0))
		return 0;
	switch (family) {
	case FITDIST_LOGNORMAL:
		return gsl_cdf_lognormal_P(x, c->p1, c->p2);
	case FITDIST_GAMMA:
		return gsl_cdf_gamma_P(x, c->p1, c->p2);
	case FITDIST_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, c->p1);
	default:
		return 0;
	}
}

double fitdist_ks(int family, const struct fitdist_candidate *c, const double *sorted, size_t n)
{
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double f = fitdist_cdf(family, c, sorted[i]);
		d = fmax(d, fmax((double)(i + 1) / (double)n - f, f - (double)i / (double)n));
	}
	return d;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* count, mean, sd (n - 1), min, max, zeros; sorts x */
static void describe(struct fitdist *fd, double *x, size_t n)
{
	memset(fd, 0, sizeof(*fd));
	fd->n = n;
	if (!n)
		return;
	qsort(x, n, sizeof(*x), cmp_double);
	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		fd->n_zero += !(x[i] > 0);
	}
	fd->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - fd->mean) * (x[i] - fd->mean);
	fd->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	fd->min = x[0];
	fd->max = x[n - 1];
}

static int fit_candidates(struct fitdist *fd, const double *x, size_t n, struct hc_err *err)
{
	fitdist_lognormal(x, n, &fd->cand[FITDIST_LOGNORMAL]);
	if (fitdist_gamma(x, n, &fd->cand[FITDIST_GAMMA]))
		return hc_err_set(err, HC_ERUNTIME, "the gamma fit's root solver did not converge");
	fitdist_exponential(x, n, &fd->cand[FITDIST_EXPONENTIAL]);
	return 0;
}

static void choose(struct fitdist *fd)
{
	fd->chosen = FITDIST_CONST;
	for (int f = 0; f < FITDIST_COUNT; f++)
		if (fd->cand[f].fitted &&
		    (fd->chosen == FITDIST_CONST || fd->cand[f].aic < fd->cand[fd->chosen].aic))
			fd->chosen = f;
}

/* The scenario's distribution: chosen family, its cv, the sample mean. */
static void set_dist(struct fitdist *fd)
{
	const struct fitdist_candidate *c = fd->chosen >= 0 ? &fd->cand[fd->chosen] : NULL;
	double cv = c ? c->cv : 0;
	if (cv > MAX_CV) {
		cv = MAX_CV;
		fd->cv_clamped = 1;
	}
	switch (fd->chosen) {
	case FITDIST_LOGNORMAL:
		fd->dist = (struct dist){ .kind = DIST_LOGNORMAL, .a = fd->mean, .b = cv };
		dist_prepare(&fd->dist);
		break;
	case FITDIST_GAMMA:
		fd->dist = (struct dist){ .kind = DIST_GAMMA, .a = fd->mean, .b = cv };
		break;
	case FITDIST_EXPONENTIAL:
		fd->dist = (struct dist){ .kind = DIST_EXPONENTIAL, .a = fd->mean };
		break;
	case FITDIST_EMPIRICAL:
		fd->dist = (struct dist){ .kind = DIST_EMPIRICAL, .values = fd->values,
					  .n = fd->n_values };
		break;
	default:
		fd->dist = (struct dist){ .kind = DIST_CONST, .a = fd->mean };
	}
}

int fitdist_continuous(struct fitdist *fd, double *x, size_t n, struct hc_err *err)
{
	describe(fd, x, n);
	if (fit_candidates(fd, x, n, err))
		return HC_ERUNTIME;
	const double *pos = x + fd->n_zero; /* sorted: the zeros come first */
	for (int f = 0; f < FITDIST_EMPIRICAL; f++)
		if (fd->cand[f].fitted)
			fd->cand[f].ks = fitdist_ks(f, &fd->cand[f], pos, n - fd->n_zero);
	choose(fd);
	set_dist(fd);
	return 0;
}

/* P(clamp(round(X), 1, max) = k) under a continuous candidate */
static double count_pmf(int family, const struct fitdist_candidate *c, unsigned k, unsigned max)
{
	double lo = k == 1 ? 0 : fitdist_cdf(family, c, k - 0.5);
	double hi = k == max ? 1 : fitdist_cdf(family, c, k + 0.5);
	return hi - lo;
}

/* Discrete log-likelihood and KS of the sorted counts x under a continuous candidate. */
static void count_goodness(int family, struct fitdist_candidate *c, const double *x, size_t n,
			   unsigned max)
{
	double ll = 0, d = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && x[j] == x[i])
			j++;
		unsigned k = (unsigned)x[i];
		double p = count_pmf(family, c, k, max);
		ll += (double)(j - i) * log(p > 1e-300 ? p : 1e-300);
		double model = k == max ? 1 : fitdist_cdf(family, c, k + 0.5);
		double below = k == 1 ? 0 : fitdist_cdf(family, c, k - 0.5);
		d = fmax(d, fmax(fabs((double)j / (double)n - model),
				 fabs((double)i / (double)n - below)));
		i = j;
	}
	c->loglik = ll;
	c->ks = d;
	set_aic(c);
}

/* The empirical candidate of sorted counts; keeps the values (or evenly spaced quantiles). */
static int count_empirical(struct fitdist *fd, const double *x, size_t n)
{
	struct fitdist_candidate *c = &fd->cand[FITDIST_EMPIRICAL];
	size_t distinct = 0;
	double ll = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && x[j] == x[i])
			j++;
		ll += (double)(j - i) * log((double)(j - i) / (double)n);
		distinct++;
		i = j;
	}
	size_t keep = n < FITDIST_MAX_VALUES ? n : FITDIST_MAX_VALUES;
	fd->values = malloc(keep * sizeof(*fd->values));
	if (!fd->values)
		return HC_ERUNTIME;
	fd->n_values = keep;
	/* cppcheck 2.10 wrongly takes keep for 0 here: */
	/* cppcheck-suppress knownConditionTrueFalse */
	for (size_t i = 0; i < keep; i++) /* order statistics at (i + 1/2) / keep */
		fd->values[i] = x[keep == n ? i :
				  (size_t)(((double)i + 0.5) * (double)n / (double)keep)];
	memset(c, 0, sizeof(*c));
	if (distinct < 2)
		return 0;
	c->fitted = 1;
	c->params = (int)distinct - 1;
	c->p1 = (double)distinct;
	c->mean = fd->mean;
	c->cv = fd->mean > 0 ? fd->sd / fd->mean : 0;
	c->loglik = ll;
	c->ks = 0;
	set_aic(c);
	return 0;
}

int fitdist_count(struct fitdist *fd, double *x, size_t n, unsigned max, struct hc_err *err)
{
	describe(fd, x, n);
	fd->discrete = 1;
	if (fit_candidates(fd, x, n, err))
		return HC_ERUNTIME;
	for (int f = 0; f < FITDIST_EMPIRICAL; f++)
		if (fd->cand[f].fitted)
			count_goodness(f, &fd->cand[f], x, n, max);
	if (n && count_empirical(fd, x, n))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	choose(fd);
	set_dist(fd);
	return 0;
}

void fitdist_release(struct fitdist *fd)
{
	free(fd->values);
	fd->values = NULL;
}

/* lognormal (mean a, cv b) as mu, sigma */
static void lognormal_params(const struct dist *d, double *mu, double *sigma)
{
	double s2 = log1p(d->b * d->b);
	*mu = log(d->a) - s2 / 2;
	*sigma = sqrt(s2);
}

double fitdist_capped_mean(const struct dist *d, double cap)
{
	double mu, sigma, sum = 0;
	switch (d->kind) {
	case DIST_CONST:
		return fmin(d->a, cap);
	case DIST_LOGNORMAL:
		if (d->b == 0 || d->a <= 0)
			return fmin(d->a, cap);
		lognormal_params(d, &mu, &sigma);
		/* E[X; X < c] + c P(X >= c) */
		return d->a * gsl_cdf_ugaussian_P((log(cap) - mu - sigma * sigma) / sigma) +
		       cap * gsl_cdf_ugaussian_Q((log(cap) - mu) / sigma);
	case DIST_GAMMA: {
		if (d->b == 0 || d->a <= 0)
			return fmin(d->a, cap);
		double k = 1 / (d->b * d->b), theta = d->a * d->b * d->b;
		return d->a * gsl_cdf_gamma_P(cap, k + 1, theta) +
		       cap * gsl_cdf_gamma_Q(cap, k, theta);
	}
	case DIST_EXPONENTIAL:
		return d->a > 0 ? d->a * -expm1(-cap / d->a) : 0;
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n; i++)
			sum += fmin(d->values[i], cap);
		return d->n ? sum / (double)d->n : 0;
	default:
		return dist_mean(d);
	}
}

struct capped_target {
	struct dist d;
	double cap, target;
};

static double capped_gap(double mean, void *arg)
{
	struct capped_target *t = arg;
	t->d.a = mean;
	return fitdist_capped_mean(&t->d, t->cap) - t->target;
}

int fitdist_match_capped_mean(struct dist *d, double target, double cap, double hi)
{
	if (d->kind != DIST_LOGNORMAL && d->kind != DIST_GAMMA && d->kind != DIST_EXPONENTIAL)
		return 0;
	struct capped_target t = { *d, cap, target };
	if (!(target > 0) || capped_gap(target, &t) >= 0) /* the cap does not bite */
		return 0;
	double lo = target;
	if (capped_gap(hi, &t) < 0) {
		d->a = hi;
		return HC_ERUNTIME;
	}
	gsl_function f = { capped_gap, &t };
	return brent_root(&f, lo, hi, 1e-10, &d->a);
}

/* P(X < x) of a scenario distribution (lognormal, gamma, exponential) */
static double dist_cdf(const struct dist *d, double x)
{
	double mu, sigma;
	if (!(x > 0))
		return 0;
	switch (d->kind) {
	case DIST_LOGNORMAL:
		lognormal_params(d, &mu, &sigma);
		return gsl_cdf_lognormal_P(x, mu, sigma);
	case DIST_GAMMA:
		return gsl_cdf_gamma_P(x, 1 / (d->b * d->b), d->a * d->b * d->b);
	case DIST_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, d->a);
	default:
		return x > d->a ? 1 : 0;
	}
}

static void add_count(struct fitdist_count_moments *m, double k, double p)
{
	m->k += p * k;
	m->pairs += p * k * (k - 1) / 2;
	m->k1 += p * (k - 1);
	m->pairs1 += p * (k - 1) * (k - 2) / 2;
}

static double clamp_count(double x, unsigned max)
{
	x = round(x);
	return x < 1 ? 1 : x > max ? max : x;
}

int fitdist_count_moments(const struct dist *d, unsigned max, struct fitdist_count_moments *m)
{
	memset(m, 0, sizeof(*m));
	switch (d->kind) {
	case DIST_CONST:
		add_count(m, clamp_count(d->a, max), 1);
		return 0;
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n; i++)
			add_count(m, clamp_count(d->values[i], max), 1.0 / (double)d->n);
		return 0;
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
		if (d->b == 0 || d->a <= 0) {
			add_count(m, clamp_count(d->a, max), 1);
			return 0;
		}
		/* fall through */
	case DIST_EXPONENTIAL:
		for (unsigned k = 1; k <= max; k++) {
			double lo = k == 1 ? 0 : dist_cdf(d, k - 0.5);
			double hi = k == max ? 1 : dist_cdf(d, k + 0.5);
			add_count(m, k, hi - lo);
		}
		return 0;
	default:
		return HC_EINPUT;
	}
}
