/*
 * rng: per-replication random streams and the distributions the models draw from.
 *
 * Every replication owns one stream, seeded from (master seed, stream index) through
 * SplitMix64, so streams are independent of how replications are spread over threads.
 * The generator is xoshiro256++ behind GSL's gsl_rng interface (rng_xoshiro256pp), so GSL's
 * distributions draw from it; normals and lognormals use GSL's ziggurat. Never rand().
 *
 * struct dist describes a distribution by value (the caller owns `values` of an empirical
 * one); dist_sample draws from it and dist_mean gives its exact mean.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

struct rng {
	gsl_rng *r;
};

/*
 * xoshiro256++ (Blackman and Vigna, 2019) as a GSL generator: gsl_rng_get gives 32 bits
 * (max 2^32 - 1), gsl_rng_uniform 53; gsl_rng_set(r, s) fills the 256-bit state from the
 * 64-bit s by SplitMix64.
 */
extern const gsl_rng_type *rng_xoshiro256pp;

/* Derives the seed of stream `stream` from master_seed (SplitMix64 of both). */
uint64_t rng_stream_seed(uint64_t master_seed, uint64_t stream);

/* Returns 0, or HC_ERUNTIME when GSL cannot allocate the generator. */
int rng_init(struct rng *r, uint64_t master_seed, uint64_t stream);
void rng_release(struct rng *r);

double rng_uniform(struct rng *r);                 /* [0, 1) */
unsigned long rng_uniform_int(struct rng *r, unsigned long n); /* [0, n), n > 0 */
double rng_exponential(struct rng *r, double mean);
double rng_normal(struct rng *r, double mean, double sd);
int rng_bernoulli(struct rng *r, double p);

enum dist_kind {
	DIST_CONST,       /* a */
	DIST_UNIFORM,     /* [a, b) */
	DIST_NORMAL,      /* mean a, standard deviation b */
	DIST_LOGNORMAL,   /* mean a, coefficient of variation b (sd / mean) */
	DIST_GAMMA,       /* mean a, coefficient of variation b */
	DIST_EXPONENTIAL, /* mean a */
	DIST_EMPIRICAL,   /* one of values[0..n) with equal probability */
};
#define DIST_KIND_COUNT (DIST_EMPIRICAL + 1)

/*
 * The kinds' names as scenarios and fits write them, indexed by kind: "const", "uniform",
 * "normal", "lognormal", "gamma", "exponential", "empirical"; NULL after the last, for lists
 * of what is allowed.
 */
extern const char *const dist_kind_names[DIST_KIND_COUNT + 1];

/* dist_kind_names[k] (k a valid kind). */
const char *dist_kind_name(enum dist_kind k);

/* The kind that name names, exactly; -1 when none does. */
int dist_kind_parse(const char *name);

struct dist {
	enum dist_kind kind;
	double a, b;
	const double *values;
	size_t n;
	/* dist_prepare's lognormal parameters, valid while (a, b) = (prep_a, prep_b) */
	double prep_a, prep_b, mu, sigma;
};

/*
 * Computes once what each lognormal draw would otherwise compute again (a log1p, a log and
 * a sqrt: a tenth of a replication's time, docs/performance.md), with the same expressions,
 * so draws are the same to the bit. Optional: a dist never prepared, or whose a or b changed
 * since, is drawn from correctly, only slower.
 */
void dist_prepare(struct dist *d);
double dist_sample(const struct dist *d, struct rng *r);
double dist_mean(const struct dist *d);

#endif
