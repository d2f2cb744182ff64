/*
 * fitdist: maximum-likelihood fits of the distributions a scenario takes (sim/rng.h), with
 * their goodness of fit, for `hypercap fit` (docs/fit.md).
 *
 * A continuous quantity (tokens, seconds, bytes) is fitted by three candidates, each by
 * maximum likelihood over the sample's positive values: lognormal (mu = mean of ln x, sigma =
 * the population sd of ln x), gamma (shape k solving ln k - psi(k) = ln mean - mean ln x with
 * GSL's Brent solver, scale = mean / k) and exponential (mean). Each gets its log-likelihood,
 * AIC = 2 params - 2 loglik and the Kolmogorov-Smirnov statistic; the lowest AIC is chosen.
 *
 * A count (calls per session, drawn as K = clamp(round(X), 1, max)) is fitted the same way,
 * but the candidates are compared on the likelihood of the counts under that rounding, next
 * to a fourth candidate, the empirical distribution (distinct values - 1 parameters), which
 * wins when the counts take few values that no smooth family describes.
 *
 * What the scenario gets (struct fitdist.dist): the chosen family with the fitted cv, and the
 * sample mean over every value, zeros included. For gamma and exponential that is the MLE
 * itself; for lognormal it moves mu so that the mean is the sample's (the lognormal MLE's
 * mean exp(mu + sigma^2 / 2) strays from it when the data are not lognormal, and a forecast of
 * totals needs the mean). Fewer than two distinct positive values give a constant.
 *
 * Ownership: a struct fitdist owns its empirical values; fitdist_release frees them.
 */
#ifndef FIT_FITDIST_H
#define FIT_FITDIST_H

#include <stddef.h>
#include "base/hc_err.h"
#include "sim/rng.h"

enum fitdist_family { FITDIST_LOGNORMAL, FITDIST_GAMMA, FITDIST_EXPONENTIAL, FITDIST_EMPIRICAL,
		      FITDIST_COUNT };

#define FITDIST_CONST (-1)        /* chosen when no candidate could be fitted */
#define FITDIST_MAX_VALUES 1000   /* an empirical distribution keeps at most this many values */

/* "lognormal", "gamma", "exponential", "empirical"; "const" for FITDIST_CONST */
const char *fitdist_family_name(int family);

struct fitdist_candidate {
	int fitted;       /* 0: not enough data, or a count's empirical with one value */
	double p1, p2;    /* lognormal mu, sigma; gamma shape k, scale theta; exponential mean;
			     empirical: distinct values, unused */
	double mean, cv;  /* of the fitted distribution */
	int params;       /* free parameters, for the AIC */
	double loglik, aic, ks;
};

struct fitdist {
	size_t n, n_zero;              /* samples; of them <= 0 (left out of the likelihoods) */
	double mean, sd, min, max;     /* over every sample; sd with n - 1 */
	int discrete;                  /* fitted as a count */
	struct fitdist_candidate cand[FITDIST_COUNT];
	int chosen;                    /* a family, or FITDIST_CONST */
	int cv_clamped;                /* the fitted cv was above what a scenario allows (10) */
	struct dist dist;              /* what the scenario gets; empirical values below */
	double *values;                /* sorted counts, or FITDIST_MAX_VALUES quantiles of them */
	size_t n_values;
};

/*
 * The single-family fits over the positive values of x[0..n) (x is not changed). c->fitted is
 * 0 when fewer than two positive values, or all of them equal, leave the fit undefined.
 * fitdist_gamma returns HC_ERUNTIME when the root solver fails (it does not on finite data).
 */
void fitdist_lognormal(const double *x, size_t n, struct fitdist_candidate *c);
int fitdist_gamma(const double *x, size_t n, struct fitdist_candidate *c);
void fitdist_exponential(const double *x, size_t n, struct fitdist_candidate *c);

/* The candidate's cumulative distribution at x (0 for x <= 0). */
double fitdist_cdf(int family, const struct fitdist_candidate *c, double x);

/*
 * Kolmogorov-Smirnov statistic of the sorted sample x[0..n) against the candidate:
 * max over i of max((i + 1) / n - F(x_i), F(x_i) - i / n).
 */
double fitdist_ks(int family, const struct fitdist_candidate *c, const double *sorted, size_t n);

/* Fits a continuous quantity. Sorts x in place. HC_ERUNTIME out of memory or solver failure. */
int fitdist_continuous(struct fitdist *fd, double *x, size_t n, struct hc_err *err);

/*
 * Fits a count of at least 1 drawn as clamp(round(X), 1, max): values above max are a
 * caller's error (raise max first). Sorts x in place.
 */
int fitdist_count(struct fitdist *fd, double *x, size_t n, unsigned max, struct hc_err *err);

void fitdist_release(struct fitdist *fd);

/*
 * E[min(X, cap)] of a scenario distribution (const, lognormal, gamma, exponential,
 * empirical; others: their mean, uncapped), the mean of a capped draw before rounding.
 */
double fitdist_capped_mean(const struct dist *d, double cap);

/*
 * Moves d's mean (lognormal, gamma, exponential; cv kept) so that E[min(X, cap)] = target,
 * the observed mean of values that were all at most cap. Returns 0, or HC_ERUNTIME when no
 * mean up to hi does it (d is then left at hi).
 */
int fitdist_match_capped_mean(struct dist *d, double target, double cap, double hi);

/* Moments of a count K = clamp(round(X), 1, max) under d. */
struct fitdist_count_moments {
	double k;         /* E[K] */
	double pairs;     /* E[K (K - 1) / 2] */
	double k1;        /* E[K - 1] */
	double pairs1;    /* E[(K - 1) (K - 2) / 2] */
};

/* Exact sums over k = 1..max for const, lognormal, gamma, exponential and empirical d. */
int fitdist_count_moments(const struct dist *d, unsigned max, struct fitdist_count_moments *m);

#endif
