/*
 * rng: see rng.h.
 *
 * Known limit: GSL seeds MT19937 from 32 bits only. The generator's seed is therefore the low
 * 32 bits of the mixed master seed plus the stream index, which keeps the streams of one
 * master distinct for up to 2^32 replications (a folded 64-bit hash would collide with a
 * chance of about 1% at 10,000 replications).
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/hc_err.h"
#include "sim/rng.h"

/* One step of SplitMix64 (Steele, Lea and Flood, 2014): a bijective 64-bit mixer. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * Mixing the master seed before xoring in the stream keeps neighbouring masters from
 * sharing streams (master m, stream s+1 vs master m+1, stream s); mixing again spreads the
 * stream index over all bits. For a fixed master the map is a bijection of the stream index.
 */
uint64_t rng_stream_seed(uint64_t master_seed, uint64_t stream)
{
	uint64_t state = master_seed;

	state = splitmix64(&state) ^ stream;
	return splitmix64(&state);
}

int rng_init(struct rng *r, uint64_t master_seed, uint64_t stream)
{
	uint32_t seed = (uint32_t)rng_stream_seed(master_seed, 0) + (uint32_t)stream;

	r->r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r->r)
		return HC_ERUNTIME;
	gsl_rng_set(r->r, seed);
	return 0;
}

void rng_release(struct rng *r)
{
	gsl_rng_free(r->r);
	r->r = NULL;
}

double rng_uniform(struct rng *r)
{
	return gsl_rng_uniform(r->r);
}

/* MT19937 gives 32 bits; GSL refuses n beyond that, so wider ranges use two draws. */
static unsigned long uniform_int_wide(struct rng *r, unsigned long n)
{
	unsigned long long x, limit = ULLONG_MAX - ULLONG_MAX % n;

	do {
		x = (unsigned long long)gsl_rng_get(r->r) << 32 | gsl_rng_get(r->r);
	} while (x >= limit);
	return (unsigned long)(x % n);
}

unsigned long rng_uniform_int(struct rng *r, unsigned long n)
{
	if (n == 0)
		return 0;
	if (n > 0xffffffffUL)
		return uniform_int_wide(r, n);
	return gsl_rng_uniform_int(r->r, n);
}

double rng_exponential(struct rng *r, double mean)
{
	return gsl_ran_exponential(r->r, mean);
}

double rng_normal(struct rng *r, double mean, double sd)
{
	return mean + gsl_ran_gaussian_ziggurat(r->r, sd);
}

int rng_bernoulli(struct rng *r, double p)
{
	return gsl_rng_uniform(r->r) < p;
}

const char *const dist_kind_names[DIST_KIND_COUNT + 1] = {
	"const", "uniform", "normal", "lognormal", "gamma", "exponential", "empirical", NULL,
};

const char *dist_kind_name(enum dist_kind k)
{
	return dist_kind_names[k];
}

int dist_kind_parse(const char *name)
{
	for (int k = 0; k < DIST_KIND_COUNT; k++)
		if (!strcmp(name, dist_kind_names[k]))
			return k;
	return -1;
}

/* sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2 give E = mean and sd = cv * mean. */
static void lognormal_params(double mean, double cv, double *mu, double *sigma)
{
	double s2 = log1p(cv * cv);

	*mu = log(mean) - s2 / 2.0;
	*sigma = sqrt(s2);
}

void dist_prepare(struct dist *d)
{
	if (d->kind != DIST_LOGNORMAL || d->b == 0.0 || d->a <= 0.0)
		return;
	lognormal_params(d->a, d->b, &d->mu, &d->sigma);
	d->prep_a = d->a;
	d->prep_b = d->b;
}

static double sample_lognormal(struct rng *r, const struct dist *d)
{
	double mu, sigma;

	if (d->b == 0.0 || d->a <= 0.0)
		return d->a;
	if (d->a == d->prep_a && d->b == d->prep_b)
		return gsl_ran_lognormal(r->r, d->mu, d->sigma);
	lognormal_params(d->a, d->b, &mu, &sigma);
	return gsl_ran_lognormal(r->r, mu, sigma);
}

/* shape k = 1 / cv^2 and scale theta = mean * cv^2 give E = k theta = mean, cv = 1 / sqrt(k). */
static double sample_gamma(struct rng *r, double mean, double cv)
{
	double cv2 = cv * cv;

	if (cv == 0.0 || mean <= 0.0)
		return mean;
	return gsl_ran_gamma(r->r, 1.0 / cv2, mean * cv2);
}

/* An empty empirical table (a validation failure upstream) draws 0 rather than crashing. */
double dist_sample(const struct dist *d, struct rng *r)
{
	switch (d->kind) {
	case DIST_CONST:
		return d->a;
	case DIST_UNIFORM:
		return d->a + (d->b - d->a) * gsl_rng_uniform(r->r);
	case DIST_NORMAL:
		return rng_normal(r, d->a, d->b);
	case DIST_LOGNORMAL:
		return sample_lognormal(r, d);
	case DIST_GAMMA:
		return sample_gamma(r, d->a, d->b);
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r->r, d->a);
	case DIST_EMPIRICAL:
		return d->n ? d->values[rng_uniform_int(r, d->n)] : 0.0;
	}
	return 0.0;
}

double dist_mean(const struct dist *d)
{
	double sum = 0.0;
	size_t i;

	switch (d->kind) {
	case DIST_UNIFORM:
		return (d->a + d->b) / 2.0;
	case DIST_EMPIRICAL:
		for (i = 0; i < d->n; i++)
			sum += d->values[i];
		return d->n ? sum / (double)d->n : 0.0;
	case DIST_CONST:
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
	case DIST_EXPONENTIAL:
		break;
	}
	return d->a;
}
