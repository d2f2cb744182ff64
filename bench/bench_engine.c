/*
 * bench_engine: throughput of the discrete-event engine.
 *
 * mmc_*: an M/M/c queue (lambda = 9, mu = 1, c = 10) on sim + pool + rng, 1M events after
 * a 100k-event warm-up, median of 5 runs (each on its own stream); the mean wait in queue
 * over the 5 runs is printed next to Erlang-C's Wq = 0.6687 as a sanity check.
 * evq_hold_*: the classic "hold" model on the bare event queue: pop the earliest event and
 * push it back an exponential time later, with n events pending; the increments are drawn
 * beforehand so the figure is the queue's alone.
 *
 * With a script argument (bench/mmc_simpy.py), the same M/M/c model also runs in SimPy 2
 * (Debian's python3-simpy, under /usr/bin/python3 or $SIMPY_PYTHON) for as many customers as
 * the median run served, and the ratio of customers served per second is printed: events
 * are not comparable between the two (ours: arrival, grant, departure per customer). The
 * ratio is given per wall second and per second of CPU time (this thread's; SimPy's
 * process's), the second being steadier on a machine other work keeps busy.
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
#define SIMPY_PYTHON "/usr/bin/python3" /* Debian's, where python3-simpy lives */

struct mmc {
	struct sim sim;
	struct pool pool;
	struct rng rng;
	unsigned long served;
};

/* per wall second, and per second of this thread's CPU time (steadier on a shared machine) */
struct mmc_figures {
	double events_per_s, customers_per_s, customers_per_cpu_s;
	unsigned long customers;
};

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void mmc_depart(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	(void)s;
	m->served++;
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

/* The figures of one run; adds its mean wait to *waits. */
static struct mmc_figures mmc_run(unsigned stream, struct welford *waits)
{
	struct mmc m = { 0 };
	double t0, t1, c0, c1;

	sim_init(&m.sim);
	if (pool_init(&m.pool, &m.sim, MMC_SERVERS) || rng_init(&m.rng, 42, stream)) {
		fprintf(stderr, "bench_engine: out of memory\n");
		exit(1);
	}
	sim_at(&m.sim, 0.0, mmc_arrive, &m);
	sim_run(&m.sim, INFINITY, MMC_WARMUP);
	welford_init(&m.pool.wait);
	m.served = 0;

	t0 = now_s();
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	sim_run(&m.sim, INFINITY, MMC_EVENTS);
	c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	t1 = now_s();

	welford_add(waits, m.pool.wait.mean);
	rng_release(&m.rng);
	pool_release(&m.pool);
	sim_release(&m.sim);
	return (struct mmc_figures){ MMC_EVENTS / (t1 - t0), m.served / (t1 - t0),
				     m.served / (c1 - c0), m.served };
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static int cmp_figures(const void *pa, const void *pb)
{
	return cmp_double(&((const struct mmc_figures *)pa)->events_per_s,
			  &((const struct mmc_figures *)pb)->events_per_s);
}

/* Returns the median run (by events per second). */
static struct mmc_figures bench_mmc(void)
{
	struct mmc_figures fig[MMC_RUNS];
	struct welford waits;
	unsigned i;

	welford_init(&waits);
	for (i = 0; i < MMC_RUNS; i++)
		fig[i] = mmc_run(i, &waits);
	qsort(fig, MMC_RUNS, sizeof(fig[0]), cmp_figures);
	printf("mmc_events_per_s %.3g\n", fig[MMC_RUNS / 2].events_per_s);
	printf("mmc_events_per_s_min %.3g\n", fig[0].events_per_s);
	printf("mmc_events_per_s_max %.3g\n", fig[MMC_RUNS - 1].events_per_s);
	printf("mmc_customers_per_s %.3g (%lu customers in %d events)\n",
	       fig[MMC_RUNS / 2].customers_per_s, fig[MMC_RUNS / 2].customers, MMC_EVENTS);
	printf("mmc_customers_per_cpu_s %.3g\n", fig[MMC_RUNS / 2].customers_per_cpu_s);
	printf("mmc_mean_wait %.4f +- %.4f (erlang_c %.4f)\n", waits.mean, welford_ci95(&waits),
	       ERLANG_C_WQ);
	return fig[MMC_RUNS / 2];
}

/* Runs the SimPy model for as many customers as ours served and prints the ratio. */
static void bench_simpy(const char *script, const struct mmc_figures *ours)
{
	const char *python = getenv("SIMPY_PYTHON") ? getenv("SIMPY_PYTHON") : SIMPY_PYTHON;
	char cmd[4096], line[256];
	double theirs = 0, theirs_cpu = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' '%s' %lu", python, script, ours->customers);
	p = popen(cmd, "r");
	if (!p) {
		fprintf(stderr, "bench_engine: cannot run %s\n", cmd);
		exit(1);
	}
	while (fgets(line, sizeof(line), p)) {
		fputs(line, stdout);
		sscanf(line, "simpy_customers_per_s %lf", &theirs);
		sscanf(line, "simpy_customers_per_cpu_s %lf", &theirs_cpu);
	}
	if (pclose(p) || theirs <= 0 || theirs_cpu <= 0) {
		fprintf(stderr, "bench_engine: %s failed (is python3-simpy installed? "
			"sh scripts/deps.sh --bench)\n", cmd);
		exit(1);
	}
	printf("mmc_vs_simpy_customers_per_s_ratio %.1f (target >= 30)\n",
	       ours->customers_per_s / theirs);
	printf("mmc_vs_simpy_customers_per_cpu_s_ratio %.1f\n",
	       ours->customers_per_cpu_s / theirs_cpu);
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

int main(int argc, char **argv)
{
	static double inc[HOLD_INCS];
	struct mmc_figures median;
	struct rng r;
	size_t i;

	median = bench_mmc();
	if (argc > 1)
		bench_simpy(argv[1], &median);
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
