/*
 * bench_engine: throughput of the discrete-event engine.
 *
 * mmc_*: an M/M/c queue (lambda = 9, mu = 1, c = 10) on sim + pool + rng, 1M events after
 * a 100k-event warm-up, median of 5 runs (each on its own stream); the mean wait in queue
 * over the 5 runs is printed next to Erlang-C's Wq = 0.6687 as a sanity check.
 * evq_hold_*: the classic "hold" model on the bare event queue: pop the earliest event and
 * push it back an exponential time later, with n events pending; the increments are drawn
 * beforehand so the figure is the queue's alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/evq.h"
#include "sim/pool.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"

#define MMC_LAMBDA 9.0
#define MMC_MU 1.0
#define MMC_SERVERS 10
#define MMC_WARMUP 100000
#define MMC_EVENTS 1000000
#define MMC_RUNS 5
#define ERLANG_C_WQ 0.6687
#define HOLD_INCS 4096

struct mmc {
	struct sim sim;
	struct pool pool;
	struct rng rng;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void mmc_depart(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	(void)s;
	pool_done(&m->pool);
}

static void mmc_start(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	sim_after(s, rng_exponential(&m->rng, 1.0 / MMC_MU), mmc_depart, m);
}

static void mmc_arrive(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	pool_request(&m->pool, mmc_start, m);
	sim_after(s, rng_exponential(&m->rng, 1.0 / MMC_LAMBDA), mmc_arrive, m);
}

/* Returns the events per second of one run and adds its mean wait to *waits. */
static double mmc_run(unsigned stream, struct welford *waits)
{
	struct mmc m;
	double t0, t1;

	sim_init(&m.sim);
	if (pool_init(&m.pool, &m.sim, MMC_SERVERS) || rng_init(&m.rng, 42, stream)) {
		fprintf(stderr, "bench_engine: out of memory\n");
		exit(1);
	}
	sim_at(&m.sim, 0.0, mmc_arrive, &m);
	sim_run(&m.sim, INFINITY, MMC_WARMUP);
	welford_init(&m.pool.wait);

	t0 = now_s();
	sim_run(&m.sim, INFINITY, MMC_EVENTS);
	t1 = now_s();

	welford_add(waits, m.pool.wait.mean);
	rng_release(&m.rng);
	pool_release(&m.pool);
	sim_release(&m.sim);
	return MMC_EVENTS / (t1 - t0);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static void bench_mmc(void)
{
	double rate[MMC_RUNS];
	struct welford waits;
	unsigned i;

	welford_init(&waits);
	for (i = 0; i < MMC_RUNS; i++)
		rate[i] = mmc_run(i, &waits);
	qsort(rate, MMC_RUNS, sizeof(rate[0]), cmp_double);
	printf("mmc_events_per_s %.3g\n", rate[MMC_RUNS / 2]);
	printf("mmc_events_per_s_min %.3g\n", rate[0]);
	printf("mmc_events_per_s_max %.3g\n", rate[MMC_RUNS - 1]);
	printf("mmc_mean_wait %.4f +- %.4f (erlang_c %.4f)\n", waits.mean, welford_ci95(&waits),
	       ERLANG_C_WQ);
}

static void dummy(struct sim *s, void *arg)
{
	(void)s;
	(void)arg;
}

static void bench_hold(size_t pending, unsigned long holds, const double *inc)
{
	struct evq q = EVQ_INIT;
	struct evq_event ev;
	unsigned long i;
	double t0, t1;

	for (i = 0; i < pending; i++)
		if (evq_push(&q, inc[i % HOLD_INCS] * (double)(i % 977), dummy, NULL)) {
			fprintf(stderr, "bench_engine: out of memory\n");
			exit(1);
		}
	t0 = now_s();
	for (i = 0; i < holds; i++) {
		evq_pop(&q, &ev);
		evq_push(&q, ev.time + inc[i & (HOLD_INCS - 1)], ev.fn, ev.arg);
	}
	t1 = now_s();
	printf("evq_hold_per_s_%zu %.3g\n", pending, holds / (t1 - t0));
	evq_release(&q);
}

int main(void)
{
	static double inc[HOLD_INCS];
	struct rng r;
	size_t i;

	bench_mmc();
	if (rng_init(&r, 7, 0))
		return 1;
	for (i = 0; i < HOLD_INCS; i++)
		inc[i] = rng_exponential(&r, 1.0);
	rng_release(&r);
	bench_hold(100, 20000000, inc);
	bench_hold(10000, 10000000, inc);
	bench_hold(1000000, 5000000, inc);
	return 0;
}
