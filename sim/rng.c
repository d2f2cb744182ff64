/*
 * rng: see rng.h.
 *
 * The generator is xoshiro256++ (Blackman and Vigna, 2019: 256 bits of state, period
 * 2^256 - 1, passes BigCrush), given to GSL as a gsl_rng_type so that GSL's distributions
 * draw from it. Its state is filled by SplitMix64 from the stream's 64-bit seed, as its
 * authors advise; distinct seeds give distinct states, since SplitMix64's first output is a
 * bijection of the seed.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
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

struct xoshiro {
	uint64_t s[4];
};

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The reference implementation's next(), from prng.di.unimi.it/xoshiro256plusplus.c. */
static inline uint64_t xoshiro_next(struct xoshiro *x)
{
	uint64_t *s = x->s;
	uint64_t result = rotl(s[0] + s[3], 23) + s[0];
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* unsigned long is 64 bits on the platforms we build for (LP64), so no seed bit is lost. */
static void xoshiro_set(void *state, unsigned long seed)
{
	struct xoshiro *x = state;
	uint64_t sm = seed;

	for (int i = 0; i < 4; i++)
		x->s[i] = splitmix64(&sm);
}

/* The high 32 bits, the better ones; GSL's integer draws expect gsl_rng_max + 1 = 2^32. */
static unsigned long xoshiro_get(void *state)
{
	return (unsigned long)(xoshiro_next(state) >> 32);
}

/* 53 bits: every double k / 2^53 in [0, 1) is equally likely. */
static double xoshiro_get_double(void *state)
{
	return (double)(xoshiro_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro256pp = {
	"xoshiro256++", 0xffffffffUL, 0, sizeof(struct xoshiro),
	xoshiro_set, xoshiro_get, xoshiro_get_double,
};

const gsl_rng_type *rng_xoshiro256pp = &xoshiro256pp;

int rng_init(struct rng *r, uint64_t master_seed, uint64_t stream)
{
	r->r = gsl_rng_alloc(rng_xoshiro256pp);
	if (!r->r)
		return HC_ERUNTIME;
	gsl_rng_set(r->r, (unsigned long)rng_stream_seed(master_seed, stream));
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

/* The generator gives GSL 32 bits; GSL refuses n beyond that, so wider ranges use two draws. */
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
		return exp(d->mu + gsl_ran_gaussian_ziggurat(r->r, d->sigma));
	lognormal_params(d->a, d->b, &mu, &sigma);
	return exp(mu + gsl_ran_gaussian_ziggurat(r->r, sigma));
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
