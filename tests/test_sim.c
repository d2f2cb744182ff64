/*
 * test_sim: the discrete-event engine (sim/), with analytic oracles where theory has one:
 * M/M/c waits against Erlang C, Little's law, a token bucket's long-run rate, R's type-7
 * quantiles, and exact distribution means.
 */
#include <check.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

#include "base/hc_err.h"
#include "sim/evq.h"
#include "sim/pool.h"
#include "sim/replicate.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/tbucket.h"
#include "tests/check_main.h"

/* ---- M/M/c on sim + pool + rng, shared by the queueing and replication tests ---- */

#define MMC_LAMBDA 9.0
#define MMC_MU 1.0
#define MMC_SERVERS 10
#define MMC_SEED 20240611u

struct mmc_result {
	double wait;   /* mean wait in queue */
	double lq;     /* time-weighted mean queue length */
	double rate;   /* grants per time unit in the measured window */
	uint64_t n;    /* customers measured */
};

struct mmc_job {
	unsigned long warmup, customers; /* arrivals discarded, then grants measured */
	struct mmc_result *res;           /* one slot per rep */
};

struct mmc {
	struct sim sim;
	struct pool pool;
	struct rng rng;
	const struct mmc_job *job;
	unsigned long arrivals;
	double t0;
};

static void mmc_depart(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	(void)s;
	pool_done(&m->pool);
}

static void mmc_start(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	if (m->arrivals >= m->job->warmup && m->pool.wait.n >= m->job->customers)
		sim_stop(s);
	sim_after(s, rng_exponential(&m->rng, 1.0 / MMC_MU), mmc_depart, m);
}

static void mmc_arrive(struct sim *s, void *arg)
{
	struct mmc *m = arg;

	/* End of warm-up: drop what was observed from the empty start. */
	if (++m->arrivals == m->job->warmup) {
		welford_init(&m->pool.wait);
		timeavg_init(&m->pool.queue_avg, s->now, (double)m->pool.len);
		m->t0 = s->now;
	}
	pool_request(&m->pool, mmc_start, m);
	sim_after(s, rng_exponential(&m->rng, 1.0 / MMC_LAMBDA), mmc_arrive, m);
}

static int mmc_rep(unsigned rep, void *ctx)
{
	const struct mmc_job *job = ctx;
	struct mmc_result *r = &job->res[rep];
	struct mmc m = { .job = job };
	int rc;

	sim_init(&m.sim);
	rc = pool_init(&m.pool, &m.sim, MMC_SERVERS);
	if (!rc)
		rc = rng_init(&m.rng, MMC_SEED, rep);
	if (!rc) {
		sim_at(&m.sim, 0.0, mmc_arrive, &m);
		rc = sim_run(&m.sim, INFINITY, 0);
	}
	if (!rc && m.sim.stop_reason != SIM_STOP_REQUEST)
		rc = HC_ERUNTIME;
	if (!rc) {
		r->wait = m.pool.wait.mean;
		r->n = m.pool.wait.n;
		r->lq = timeavg_mean(&m.pool.queue_avg, m.sim.now);
		r->rate = (double)r->n / (m.sim.now - m.t0);
	}
	if (m.rng.r)
		rng_release(&m.rng);
	pool_release(&m.pool);
	sim_release(&m.sim);
	return rc;
}

/* Erlang C: P(wait) = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)). */
static double erlang_c_wq(unsigned c, double lambda, double mu)
{
	double a = lambda / mu, term = 1.0, sum = 0.0, top;
	unsigned k;

	for (k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	top = term * c / (c - a);
	return top / (sum + top) / (c * mu - lambda);
}

#define MMC_REPS 20

static void mmc_replications(struct mmc_result *res)
{
	struct mmc_job job = { .warmup = 5000, .customers = 50000, .res = res };

	ck_assert_int_eq(replicate_run(MMC_REPS, 0, mmc_rep, &job), 0);
}

START_TEST(test_mmc_erlang_c)
{
	struct mmc_result res[MMC_REPS];
	struct welford w;
	double wq = erlang_c_wq(MMC_SERVERS, MMC_LAMBDA, MMC_MU);
	unsigned i;

	ck_assert_double_eq_tol(wq, 0.6687, 0.00005);
	mmc_replications(res);
	welford_init(&w);
	for (i = 0; i < MMC_REPS; i++) {
		ck_assert_uint_eq(res[i].n, 50000);
		welford_add(&w, res[i].wait);
	}
	ck_assert_msg(fabs(w.mean - wq) <= welford_ci95(&w),
		      "mean wait %.4f +- %.4f misses Erlang C %.4f", w.mean, welford_ci95(&w), wq);
	/* A CI that could hold anything would make the check above empty. */
	ck_assert_double_lt(welford_ci95(&w), 0.05);
}
END_TEST

START_TEST(test_mmc_little)
{
	struct mmc_result res[MMC_REPS];
	double l = 0, lw = 0, rate = 0;
	unsigned i;

	mmc_replications(res);
	for (i = 0; i < MMC_REPS; i++) {
		ck_assert_double_eq_tol(res[i].lq, res[i].rate * res[i].wait, 0.03 * res[i].lq);
		l += res[i].lq;
		lw += res[i].rate * res[i].wait;
		rate += res[i].rate / MMC_REPS;
	}
	ck_assert_double_eq_tol(l, lw, 0.01 * l);
	ck_assert_double_eq_tol(rate, MMC_LAMBDA, 0.01 * MMC_LAMBDA);
}
END_TEST

/* ---- pool ---- */

struct pool_log {
	struct pool *pool;
	int order[8];
	double at[8];
	int n;
	int in_request; /* set while pool_request runs: a grant then would be re-entrant */
	int reentered;
};

struct pool_cust {
	struct pool_log *log;
	int id;
};

static void cust_leave(struct sim *s, void *arg)
{
	struct pool_cust *c = arg;

	(void)s;
	pool_done(c->log->pool);
}

static void cust_granted(struct sim *s, void *arg)
{
	struct pool_cust *c = arg;
	struct pool_log *log = c->log;

	if (log->in_request)
		log->reentered = 1;
	log->order[log->n] = c->id;
	log->at[log->n++] = s->now;
	sim_after(s, 1.0, cust_leave, c);
}

static void cust_arrive_all(struct sim *s, void *arg)
{
	struct pool_cust *c = arg;
	int i;

	(void)s;
	for (i = 0; i < 3; i++) {
		c[i].log->in_request = 1;
		pool_request(c[i].log->pool, cust_granted, &c[i]);
		c[i].log->in_request = 0;
	}
}

START_TEST(test_pool_fifo)
{
	struct sim s;
	struct pool p;
	struct pool_log log = { .pool = &p };
	struct pool_cust c[3] = { { &log, 0 }, { &log, 1 }, { &log, 2 } };

	sim_init(&s);
	ck_assert_int_eq(pool_init(&p, &s, 1), 0);
	sim_at(&s, 0.0, cust_arrive_all, c);
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(log.reentered, 0);
	ck_assert_int_eq(log.n, 3);
	ck_assert_int_eq(log.order[0], 0);
	ck_assert_int_eq(log.order[1], 1);
	ck_assert_int_eq(log.order[2], 2);
	ck_assert_double_eq(log.at[0], 0.0);
	ck_assert_double_eq(log.at[1], 1.0);
	ck_assert_double_eq(log.at[2], 2.0);
	ck_assert_uint_eq(p.granted, 3);
	ck_assert_uint_eq(p.busy, 0);
	ck_assert_double_eq_tol(p.wait.mean, 1.0, 1e-12);
	ck_assert_double_eq(p.wait.max, 2.0);
	/* One server busy over [0, 3]; the queue held 2, then 1, then 0. */
	ck_assert_double_eq_tol(pool_utilisation(&p), 1.0, 1e-12);
	ck_assert_double_eq_tol(timeavg_mean(&p.queue_avg, s.now), 1.0, 1e-12);
	ck_assert_double_eq(p.queue_avg.max, 2.0);
	pool_release(&p);
	sim_release(&s);
}
END_TEST

static void count_grant(struct sim *s, void *arg)
{
	(void)s;
	++*(int *)arg;
}

/* Requests far past the initial ring capacity, with the head wrapped around. */
START_TEST(test_pool_queue_growth)
{
	struct sim s;
	struct pool p;
	int granted = 0, i;

	sim_init(&s);
	ck_assert_int_eq(pool_init(&p, &s, 2), 0);
	for (i = 0; i < 1000; i++) {
		pool_request(&p, count_grant, &granted);
		if (i % 3 == 0)
			pool_done(&p);
	}
	ck_assert_uint_eq(p.busy, 2);
	while (p.busy)
		pool_done(&p);
	ck_assert_uint_eq(p.granted, 1000);
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(granted, 1000);
	pool_release(&p);
	sim_release(&s);
}
END_TEST

START_TEST(test_pool_unlimited)
{
	struct sim s;
	struct pool p;
	int granted = 0, i;

	sim_init(&s);
	ck_assert_int_eq(pool_init(&p, &s, POOL_UNLIMITED), 0);
	for (i = 0; i < 100; i++)
		pool_request(&p, count_grant, &granted);
	ck_assert_int_eq(granted, 0); /* granted as events, not inside pool_request */
	ck_assert_uint_eq(p.busy, 100);
	ck_assert_uint_eq(p.len, 0);
	ck_assert_double_eq(p.wait.max, 0.0);
	ck_assert_double_eq(pool_utilisation(&p), 0.0);
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(granted, 100);
	pool_release(&p);
	sim_release(&s);
}
END_TEST

/* ---- token bucket ---- */

START_TEST(test_tbucket_saturated_rate)
{
	struct tbucket b;
	double start = 0, first = -1, tokens = 0, t;
	struct rng r;
	int i;

	/* 1-token requests arriving ten times faster than the refill. */
	tbucket_init(&b, 10.0, 5.0);
	for (i = 0; i < 10000; i++) {
		start = tbucket_reserve(&b, i * 0.01, 1.0);
		if (i == 5)
			first = start;
	}
	ck_assert_double_eq_tol((10000 - 6) / (start - first), 10.0, 1e-6);

	/* Random sizes (tokens per minute): tokens passed per unit time equals the rate. */
	ck_assert_int_eq(rng_init(&r, 1, 0), 0);
	tbucket_init(&b, 1000.0, 2000.0);
	for (i = 0, t = 0; i < 20000; i++, t += 0.1) {
		double n = 1.0 + rng_exponential(&r, 499.0);
		start = tbucket_reserve(&b, t, n);
		tokens += n;
	}
	rng_release(&r);
	/* The last start was when all but its own tokens had been refilled beyond the burst. */
	ck_assert_double_eq_tol((tokens - 2000.0) / start, 1000.0, 0.01 * 1000.0);
}
END_TEST

START_TEST(test_tbucket_over_burst)
{
	struct tbucket b;

	tbucket_init(&b, 2.0, 10.0);
	ck_assert_double_eq(tbucket_reserve(&b, 5.0, 30.0), 15.0);
	/* The debt is paid at 15; a 1-token request then waits for its own token. */
	ck_assert_double_eq(tbucket_reserve(&b, 15.0, 1.0), 15.5);
	/* Long idle refills only up to the burst. */
	ck_assert_double_eq(tbucket_reserve(&b, 1000.0, 10.0), 1000.0);
	ck_assert_double_eq(tbucket_reserve(&b, 1000.0, 1.0), 1000.5);
}
END_TEST

START_TEST(test_tbucket_unlimited)
{
	struct tbucket b;
	int i;

	tbucket_init(&b, 0.0, 0.0);
	for (i = 0; i < 100; i++)
		ck_assert_double_eq(tbucket_reserve(&b, i, 1e12), (double)i);
	tbucket_init(&b, -1.0, 5.0);
	ck_assert_double_eq(tbucket_reserve(&b, 3.0, 1e9), 3.0);
}
END_TEST

START_TEST(test_tbucket_fifo)
{
	struct tbucket b;
	double sizes[] = { 3, 20, 1, 1, 7, 0.5 }, prev = 0, start;
	unsigned i;

	tbucket_init(&b, 4.0, 4.0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		start = tbucket_reserve(&b, 1.0, sizes[i]);
		ck_assert_double_ge(start, prev);
		prev = start;
	}
	/* Everything was reserved at once: the last starts when all but the burst is refilled. */
	ck_assert_double_eq_tol(prev, 1.0 + (32.5 - 4.0) / 4.0, 1e-12);
	/* A small request behind the 20-token one does not overtake it. */
	tbucket_init(&b, 4.0, 4.0);
	tbucket_reserve(&b, 0.0, 20.0);
	ck_assert_double_eq(tbucket_reserve(&b, 0.0, 1.0), 4.25);
}
END_TEST

/* ---- the run loop ---- */

struct trace {
	int ids[256];
	double at[256];
	int n;
};

struct tev {
	struct trace *tr;
	int id;
	int stop;
};

static void trace_ev(struct sim *s, void *arg)
{
	struct tev *e = arg;

	e->tr->ids[e->tr->n] = e->id;
	e->tr->at[e->tr->n++] = s->now;
	if (e->stop)
		sim_stop(s);
}

START_TEST(test_sim_equal_times_fifo)
{
	struct trace tr = { .n = 0 };
	struct tev ev[200];
	struct sim s;
	int i;

	sim_init(&s);
	for (i = 0; i < 200; i++) {
		ev[i] = (struct tev){ &tr, i, 0 };
		sim_at(&s, (i % 2) ? 1.0 : 2.0, trace_ev, &ev[i]);
	}
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(tr.n, 200);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(tr.ids[i], 2 * i + 1);
		ck_assert_int_eq(tr.ids[100 + i], 2 * i);
	}
	sim_release(&s);
}
END_TEST

START_TEST(test_sim_stop_conditions)
{
	struct trace tr = { .n = 0 };
	struct tev ev[6];
	struct sim s;
	int i;

	sim_init(&s);
	/* Empty: returns at once, the clock stays. */
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_EMPTY);
	ck_assert_double_eq(s.now, 0.0);

	for (i = 0; i < 6; i++) {
		ev[i] = (struct tev){ &tr, i, i == 4 };
		sim_at(&s, i + 1.0, trace_ev, &ev[i]);
	}
	/* until: an event exactly at until runs; the clock moves to until. */
	ck_assert_int_eq(sim_run(&s, 2.0, 0), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_TIME);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_double_eq(s.now, 2.0);
	ck_assert_int_eq(sim_run(&s, 2.5, 0), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_TIME);
	ck_assert_double_eq(s.now, 2.5);
	/* max_events counts the events of this call. */
	ck_assert_int_eq(sim_run(&s, INFINITY, 1), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_EVENTS);
	ck_assert_int_eq(tr.n, 3);
	ck_assert_uint_eq(s.events, 3);
	/* sim_stop: event 4 asks, the run returns right after it. */
	ck_assert_int_eq(sim_run(&s, INFINITY, 100), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_REQUEST);
	ck_assert_int_eq(tr.n, 5);
	ck_assert_double_eq(s.now, 5.0);
	/* And it continues. */
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_EMPTY);
	ck_assert_int_eq(tr.n, 6);
	ck_assert_uint_eq(s.events, 6);
	ck_assert_double_eq(s.now, 6.0);
	/* A sticky failure makes every later run fail. */
	s.failed = 1;
	sim_at(&s, 7.0, trace_ev, &ev[0]);
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), HC_ERUNTIME);
	ck_assert_int_eq(tr.n, 6);
	sim_release(&s);
}
END_TEST

static void schedule_in_past(struct sim *s, void *arg)
{
	struct tev *e = arg;

	sim_at(s, s->now - 3.0, trace_ev, &e[1]);
	sim_after(s, -1.0, trace_ev, &e[2]);
	sim_at(s, NAN, trace_ev, &e[3]);
}

START_TEST(test_sim_clamp_past)
{
	struct trace tr = { .n = 0 };
	struct tev ev[5];
	struct sim s;
	int i;

	for (i = 0; i < 5; i++)
		ev[i] = (struct tev){ &tr, i, 0 };
	sim_init(&s);
	sim_at(&s, 5.0, schedule_in_past, ev);
	sim_at(&s, 5.0, trace_ev, &ev[0]); /* already due at 5: runs before the clamped ones */
	sim_at(&s, 6.0, trace_ev, &ev[4]);
	ck_assert_int_eq(sim_run(&s, INFINITY, 0), 0);
	ck_assert_int_eq(tr.n, 5);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(tr.ids[i], i);
		ck_assert_double_eq(tr.at[i], 5.0);
	}
	ck_assert_double_eq(tr.at[4], 6.0);
	sim_release(&s);
}
END_TEST

/* ---- event queue ---- */

struct ref_ev {
	double time;
	size_t idx;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref_ev *a = pa, *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static void nop(struct sim *s, void *arg)
{
	(void)s;
	(void)arg;
}

START_TEST(test_evq_random_vs_sort)
{
	enum { N = 20000 };
	struct ref_ev *ref = malloc(N * sizeof(*ref));
	struct evq q = EVQ_INIT;
	struct evq_event ev;
	struct rng r;
	size_t i;

	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(rng_init(&r, 3, 0), 0);
	for (i = 0; i < N; i++) {
		/* Few distinct times, so ties are the rule and their order is tested. */
		ref[i].time = (double)rng_uniform_int(&r, 50);
		ref[i].idx = i;
		ck_assert_int_eq(evq_push(&q, ref[i].time, nop, (void *)(uintptr_t)i), 0);
	}
	qsort(ref, N, sizeof(*ref), ref_cmp);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(evq_pop(&q, &ev), 0);
		ck_assert_double_eq(ev.time, ref[i].time);
		ck_assert_uint_eq((uintptr_t)ev.arg, ref[i].idx);
	}
	ck_assert_int_eq(evq_pop(&q, &ev), 1);
	rng_release(&r);
	evq_release(&q);
	free(ref);
}
END_TEST

START_TEST(test_evq_interleaved)
{
	struct evq q;
	struct evq_event ev;
	struct rng r;
	double last = -1;
	uint64_t last_seq = 0;
	int i;

	evq_init(&q);
	ck_assert_int_eq(rng_init(&r, 4, 0), 0);
	for (i = 0; i < 1000; i++)
		evq_push(&q, (double)rng_uniform_int(&r, 100), nop, NULL);
	/* Hold model: every pop is followed by a push no earlier than the popped time. */
	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(evq_pop(&q, &ev), 0);
		ck_assert(ev.time > last || (ev.time == last && ev.seq > last_seq));
		last = ev.time;
		last_seq = ev.seq;
		evq_push(&q, ev.time + (double)rng_uniform_int(&r, 3), nop, NULL);
	}
	ck_assert_uint_eq(evq_len(&q), 1000);
	rng_release(&r);
	evq_release(&q);
}
END_TEST

START_TEST(test_evq_growth)
{
	struct evq q = EVQ_INIT;
	struct evq_event ev;
	size_t i, n = 100000;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(evq_push(&q, (double)(n - i), nop, NULL), 0);
	ck_assert_uint_eq(evq_len(&q), n);
	ck_assert_uint_ge(q.cap, n);
	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(evq_pop(&q, &ev), 0);
		ck_assert_double_eq(ev.time, (double)i);
	}
	evq_release(&q);
	ck_assert_ptr_null(q.heap);
	ck_assert_uint_eq(q.cap, 0);
}
END_TEST

/* ---- statistics ---- */

START_TEST(test_welford_two_pass)
{
	enum { N = 1000 };
	double x[N], mean = 0, var = 0;
	struct welford w;
	struct rng r;
	int i;

	ck_assert_int_eq(rng_init(&r, 5, 0), 0);
	welford_init(&w);
	ck_assert_double_eq(welford_var(&w), 0.0);
	ck_assert_double_eq(welford_ci95(&w), 0.0);
	for (i = 0; i < N; i++) {
		x[i] = 1e6 + rng_normal(&r, 0.0, 3.0); /* a large offset stresses the update */
		welford_add(&w, x[i]);
		mean += x[i];
	}
	mean /= N;
	for (i = 0; i < N; i++)
		var += (x[i] - mean) * (x[i] - mean) / (N - 1);
	ck_assert_uint_eq(w.n, N);
	ck_assert_double_eq_tol(w.mean, mean, 1e-12 * mean);
	ck_assert_double_eq_tol(welford_var(&w), var, 1e-9 * var);
	ck_assert_double_eq_tol(welford_sd(&w), sqrt(var), 1e-9);
	ck_assert_double_eq_tol(welford_ci95(&w), 1.962341 * sqrt(var / N), 1e-5);
	rng_release(&r);

	/* n = 10: t(0.975, 9) = 2.262157. */
	welford_init(&w);
	for (i = 1; i <= 10; i++)
		welford_add(&w, i);
	ck_assert_double_eq(w.min, 1.0);
	ck_assert_double_eq(w.max, 10.0);
	ck_assert_double_eq_tol(welford_var(&w), 55.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(welford_ci95(&w), 2.262157 * sqrt(55.0 / 6.0 / 10), 1e-5);
}
END_TEST

START_TEST(test_timeavg_step)
{
	struct timeavg a;

	/* 2 on [0,1), 5 on [1,3), 5 -> 1 at 3 with a same-time blip to 9, 1 on [3,4]. */
	timeavg_init(&a, 0.0, 2.0);
	ck_assert_double_eq(timeavg_mean(&a, 0.0), 2.0);
	timeavg_set(&a, 1.0, 5.0);
	timeavg_set(&a, 3.0, 9.0);
	timeavg_set(&a, 3.0, 1.0);
	ck_assert_double_eq_tol(timeavg_mean(&a, 4.0), 13.0 / 4.0, 1e-12);
	ck_assert_double_eq_tol(timeavg_mean(&a, 3.0), 12.0 / 3.0, 1e-12);
	ck_assert_double_eq(a.max, 9.0);

	/* A late start. */
	timeavg_init(&a, 10.0, 0.0);
	timeavg_set(&a, 12.0, 4.0);
	ck_assert_double_eq_tol(timeavg_mean(&a, 14.0), 2.0, 1e-12);
}
END_TEST

START_TEST(test_quantile_type7)
{
	double x[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	double y[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	double one = 42;

	/* Values from R: quantile(c(3,1,4,1,5,9,2,6), p, type = 7). */
	ck_assert_double_eq_tol(stats_quantile(x, 8, 0.25), 1.75, 1e-12);
	ck_assert_double_eq_tol(stats_quantile(x, 8, 0.5), 3.5, 1e-12);
	ck_assert_double_eq_tol(stats_quantile(x, 8, 0.9), 6.9, 1e-12);
	ck_assert_double_eq(stats_quantile(x, 8, 0.0), 1.0);
	ck_assert_double_eq(stats_quantile(x, 8, 1.0), 9.0);
	ck_assert_double_eq(x[0], 1.0); /* sorted in place */
	ck_assert_double_eq(x[7], 9.0);
	ck_assert_double_eq_tol(stats_quantile(y, 10, 0.1), 1.9, 1e-12);
	ck_assert_double_eq_tol(stats_quantile(y, 10, 0.9), 9.1, 1e-12);
	ck_assert_double_eq(stats_quantile(&one, 1, 0.3), 42.0);
}
END_TEST

/* ---- random streams ---- */

START_TEST(test_rng_streams)
{
	struct rng a, b, c, d;
	int i, same_ab = 1, same_ac = 0, same_ad = 0;

	ck_assert_int_eq(rng_init(&a, 99, 7), 0);
	ck_assert_int_eq(rng_init(&b, 99, 7), 0);
	ck_assert_int_eq(rng_init(&c, 99, 8), 0);
	ck_assert_int_eq(rng_init(&d, 100, 7), 0);
	for (i = 0; i < 1000; i++) {
		double x = rng_uniform(&a), y = rng_uniform(&b);
		double z = rng_uniform(&c), w = rng_uniform(&d);

		ck_assert(x >= 0.0 && x < 1.0);
		same_ab &= x == y;
		same_ac += x == z;
		same_ad += x == w;
	}
	ck_assert_int_eq(same_ab, 1);
	ck_assert_int_lt(same_ac, 3);
	ck_assert_int_lt(same_ad, 3);
	ck_assert_uint_eq(rng_stream_seed(1, 2), rng_stream_seed(1, 2));
	ck_assert_uint_ne(rng_stream_seed(1, 2), rng_stream_seed(2, 1));
	ck_assert_uint_ne(rng_stream_seed(0, 0), rng_stream_seed(0, 1));
	for (i = 0; i < 1000; i++)
		ck_assert_uint_lt(rng_uniform_int(&a, 7), 7);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_lt(rng_uniform_int(&a, 10000000000UL), 10000000000UL);
	rng_release(&a);
	rng_release(&b);
	rng_release(&c);
	rng_release(&d);
}
END_TEST

/*
 * xoshiro256++ from the state {1, 2, 3, 4}: its first six outputs, computed with the
 * reference algorithm (prng.di.unimi.it/xoshiro256plusplus.c) in Python, are 0x2800001,
 * 0x3800067, 0xcc00003800067, 0xcc201994400b2, 0x8012a2019ac433cd, 0x8a69978acdee33ba.
 */
START_TEST(test_xoshiro_reference)
{
	static const uint64_t state[4] = { 1, 2, 3, 4 };
	static const unsigned long high[5] = { 0, 0, 0xcc000, 0xcc201, 0x8012a201 };
	gsl_rng *r = gsl_rng_alloc(rng_xoshiro256pp);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(gsl_rng_max(r), 0xffffffffUL);
	ck_assert_uint_eq(gsl_rng_min(r), 0);
	memcpy(gsl_rng_state(r), state, sizeof(state));
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(gsl_rng_get(r), high[i]);
	ck_assert_double_eq(gsl_rng_uniform(r),
			    (double)(UINT64_C(0x8a69978acdee33ba) >> 11) / 9007199254740992.0);
	gsl_rng_free(r);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The largest distance between the sample's empirical CDF and cdf (Kolmogorov-Smirnov D). */
static double ks_distance(double *x, size_t n, double (*cdf)(double, const double *),
			  const double *par)
{
	double d = 0;

	qsort(x, n, sizeof(*x), cmp_double);
	for (size_t i = 0; i < n; i++) {
		double f = cdf(x[i], par);
		d = fmax(d, fmax(f - (double)i / n, (double)(i + 1) / n - f));
	}
	return d;
}

static double cdf_uniform(double x, const double *p)
{
	return (x - p[0]) / (p[1] - p[0]);
}

static double cdf_normal(double x, const double *p)
{
	return gsl_cdf_gaussian_P(x - p[0], p[1]);
}

static double cdf_exponential(double x, const double *p)
{
	return gsl_cdf_exponential_P(x, p[0]);
}

/* the lognormal and gamma of mean p[0] and cv p[1], as docs/scenario.md defines them */
static double cdf_lognormal(double x, const double *p)
{
	double s2 = log1p(p[1] * p[1]);
	return gsl_cdf_lognormal_P(x, log(p[0]) - s2 / 2, sqrt(s2));
}

static double cdf_gamma(double x, const double *p)
{
	return gsl_cdf_gamma_P(x, 1 / (p[1] * p[1]), p[0] * p[1] * p[1]);
}

/*
 * Every continuous distribution against its exact CDF: Kolmogorov-Smirnov D of 20,000 draws
 * below 1.95 / sqrt(n), the 0.1% critical value, on two streams each.
 */
START_TEST(test_dist_kolmogorov_smirnov)
{
	enum { N = 20000 };
	static double x[N];
	struct {
		struct dist d;
		double (*cdf)(double, const double *);
	} c[] = {
		{ { .kind = DIST_UNIFORM, .a = 2, .b = 6 }, cdf_uniform },
		{ { .kind = DIST_NORMAL, .a = 5, .b = 2 }, cdf_normal },
		{ { .kind = DIST_LOGNORMAL, .a = 10, .b = 0.5 }, cdf_lognormal },
		{ { .kind = DIST_LOGNORMAL, .a = 4000, .b = 2.0 }, cdf_lognormal },
		{ { .kind = DIST_GAMMA, .a = 10, .b = 0.5 }, cdf_gamma },
		{ { .kind = DIST_GAMMA, .a = 10, .b = 2.0 }, cdf_gamma },
		{ { .kind = DIST_EXPONENTIAL, .a = 4, .b = 0 }, cdf_exponential },
	};

	for (uint64_t stream = 0; stream < 2; stream++) {
		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			struct rng r;
			double par[2] = { c[i].d.a, c[i].d.b };

			ck_assert_int_eq(rng_init(&r, 2026, stream), 0);
			dist_prepare(&c[i].d);
			for (size_t k = 0; k < N; k++)
				x[k] = dist_sample(&c[i].d, &r);
			double d = ks_distance(x, N, c[i].cdf, par);
			ck_assert_msg(d < 1.95 / sqrt(N), "%s(%g, %g), stream %llu: D = %.5f",
				      dist_kind_name(c[i].d.kind), par[0], par[1],
				      (unsigned long long)stream, d);
			rng_release(&r);
		}
	}
}
END_TEST

static const double emp_values[] = { 1.0, 2.0, 6.0 };

START_TEST(test_dist_mean_exact)
{
	struct dist d[] = {
		{ .kind = DIST_CONST, .a = 3, .b = 0 },
		{ .kind = DIST_UNIFORM, .a = 2, .b = 6 },
		{ .kind = DIST_NORMAL, .a = 5, .b = 2 },
		{ .kind = DIST_LOGNORMAL, .a = 10, .b = 0.5 },
		{ .kind = DIST_GAMMA, .a = 10, .b = 0.5 },
		{ .kind = DIST_EXPONENTIAL, .a = 4, .b = 0 },
		{ .kind = DIST_EMPIRICAL, .values = emp_values, .n = 3 },
	};
	double want[] = { 3, 4, 5, 10, 10, 4, 3 };
	unsigned i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		ck_assert_double_eq(dist_mean(&d[i]), want[i]);
}
END_TEST

START_TEST(test_dist_sample_means)
{
	enum { N = 200000 };
	/* sd of each: the tolerance is 4 standard errors. */
	struct {
		struct dist d;
		double sd;
	} c[] = {
		{ { .kind = DIST_CONST, .a = 3, .b = 0 }, 0 },
		{ { .kind = DIST_UNIFORM, .a = 2, .b = 6 }, 4 / sqrt(12) },
		{ { .kind = DIST_NORMAL, .a = 5, .b = 2 }, 2 },
		{ { .kind = DIST_LOGNORMAL, .a = 10, .b = 0.5 }, 5 },
		{ { .kind = DIST_LOGNORMAL, .a = 10, .b = 2.0 }, 20 },
		{ { .kind = DIST_GAMMA, .a = 10, .b = 0.5 }, 5 },
		{ { .kind = DIST_GAMMA, .a = 10, .b = 2.0 }, 20 },
		{ { .kind = DIST_EXPONENTIAL, .a = 4, .b = 0 }, 4 },
		{ { .kind = DIST_EMPIRICAL, .values = emp_values, .n = 3 }, sqrt(14.0 / 3.0) },
	};
	struct rng r;
	unsigned i, k;

	ck_assert_int_eq(rng_init(&r, 11, 0), 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct welford w;

		welford_init(&w);
		for (k = 0; k < N; k++)
			welford_add(&w, dist_sample(&c[i].d, &r));
		ck_assert_msg(fabs(w.mean - dist_mean(&c[i].d)) <= 4 * c[i].sd / sqrt(N) + 1e-12,
			      "kind %d: sample mean %g vs %g", c[i].d.kind, w.mean,
			      dist_mean(&c[i].d));
		/* The sd checks the cv parametrisation (loose: heavy tails at cv = 2). */
		ck_assert_msg(fabs(welford_sd(&w) - c[i].sd) <= 0.1 * c[i].sd + 1e-12,
			      "kind %d: sample sd %g vs %g", c[i].d.kind, welford_sd(&w), c[i].sd);
	}
	rng_release(&r);
}
END_TEST

/* dist_prepare changes no draw, and a prepared dist whose mean changed draws for the new one. */
START_TEST(test_dist_prepare_same_draws)
{
	struct dist plain = { .kind = DIST_LOGNORMAL, .a = 400, .b = 0.8 };
	struct dist prepared = plain;
	struct rng r1, r2;

	dist_prepare(&prepared);
	ck_assert_double_eq(prepared.prep_a, 400);
	ck_assert_int_eq(rng_init(&r1, 21, 0), 0);
	ck_assert_int_eq(rng_init(&r2, 21, 0), 0);
	for (int k = 0; k < 1000; k++) {
		double x = dist_sample(&plain, &r1), y = dist_sample(&prepared, &r2);
		ck_assert_msg(x == y, "draw %d: %.17g unprepared, %.17g prepared", k, x, y);
	}
	prepared.a = 4000; /* stale: must not use the parameters of 400 */
	plain.a = 4000;
	for (int k = 0; k < 1000; k++)
		ck_assert_double_eq(dist_sample(&plain, &r1), dist_sample(&prepared, &r2));
	rng_release(&r1);
	rng_release(&r2);
}
END_TEST

START_TEST(test_dist_degenerate)
{
	struct dist ln = { .kind = DIST_LOGNORMAL, .a = 7.5, .b = 0 };
	struct dist ga = { .kind = DIST_GAMMA, .a = 7.5, .b = 0 };
	struct rng r;

	ck_assert_int_eq(rng_init(&r, 12, 0), 0);
	ck_assert_double_eq(dist_sample(&ln, &r), 7.5);
	ck_assert_double_eq(dist_sample(&ga, &r), 7.5);
	rng_release(&r);
}
END_TEST

START_TEST(test_dist_empirical_values)
{
	struct dist d = { .kind = DIST_EMPIRICAL, .values = emp_values, .n = 3 };
	int seen[3] = { 0, 0, 0 };
	struct rng r;
	int i;

	ck_assert_int_eq(rng_init(&r, 13, 0), 0);
	for (i = 0; i < 3000; i++) {
		double x = dist_sample(&d, &r);

		if (x == 1.0)
			seen[0]++;
		else if (x == 2.0)
			seen[1]++;
		else if (x == 6.0)
			seen[2]++;
		else
			ck_abort_msg("drew %g, not a given value", x);
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_gt(seen[i], 800);
	rng_release(&r);
}
END_TEST

/* Each kind's name parses back to it; the list ends after the last kind; others are -1. */
START_TEST(test_dist_kind_names)
{
	ck_assert_str_eq(dist_kind_name(DIST_CONST), "const");
	ck_assert_str_eq(dist_kind_name(DIST_EMPIRICAL), "empirical");
	for (int k = 0; k < DIST_KIND_COUNT; k++)
		ck_assert_int_eq(dist_kind_parse(dist_kind_name((enum dist_kind)k)), k);
	ck_assert_ptr_null(dist_kind_names[DIST_KIND_COUNT]);
	ck_assert_int_eq(dist_kind_parse("Lognormal"), -1);
	ck_assert_int_eq(dist_kind_parse(""), -1);
}
END_TEST

/* ---- replications ---- */

START_TEST(test_replicate_deterministic)
{
	enum { REPS = 6 };
	struct mmc_result one[REPS], two[REPS], all[REPS];
	struct mmc_job job = { .warmup = 500, .customers = 5000 };

	memset(one, 0, sizeof(one));
	memset(two, 0, sizeof(two));
	memset(all, 0, sizeof(all));
	job.res = one;
	ck_assert_int_eq(replicate_run(REPS, 1, mmc_rep, &job), 0);
	job.res = two;
	ck_assert_int_eq(replicate_run(REPS, 2, mmc_rep, &job), 0);
	job.res = all;
	ck_assert_int_eq(replicate_run(REPS, 0, mmc_rep, &job), 0);
	ck_assert_int_eq(memcmp(one, two, sizeof(one)), 0);
	ck_assert_int_eq(memcmp(one, all, sizeof(one)), 0);
	ck_assert(one[0].wait != one[1].wait); /* reps do use their own streams */
}
END_TEST

struct fail_ctx {
	atomic_uint calls;
};

/* Rep 3 fails slowly and rep 7 fast, so with 2 threads rep 7's failure is seen first. */
static int fail_rep(unsigned rep, void *ctx)
{
	struct fail_ctx *f = ctx;

	atomic_fetch_add(&f->calls, 1);
	if (rep == 3) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		return -103;
	}
	return rep == 7 ? -107 : 0;
}

START_TEST(test_replicate_first_failure)
{
	struct fail_ctx f;
	unsigned threads;

	for (threads = 0; threads <= 3; threads++) {
		atomic_init(&f.calls, 0);
		ck_assert_int_eq(replicate_run(40, threads, fail_rep, &f), -103);
		ck_assert_uint_lt(atomic_load(&f.calls), 40); /* later reps were skipped */
		if (threads == 1)
			ck_assert_uint_eq(atomic_load(&f.calls), 4);
	}
	ck_assert_int_eq(replicate_run(0, 2, fail_rep, &f), 0);
}
END_TEST

/* Reps that take longer the lower they are, merged into a log of their order. */
struct merge_ctx {
	unsigned log[64], n_log, window;
	atomic_uint running_ahead; /* reps started a window or more past the last merged */
	unsigned merged;
	int fail_at;               /* merge returns -9 at this rep; -1 never */
};

static int slow_low_rep(unsigned rep, void *ctx)
{
	struct merge_ctx *m = ctx;
	struct timespec ts = { 0, (long)(64 - rep) * 20000 };

	if (rep >= __atomic_load_n(&m->merged, __ATOMIC_SEQ_CST) + m->window)
		atomic_fetch_add(&m->running_ahead, 1);
	nanosleep(&ts, NULL);
	return 0;
}

static int log_merge(unsigned rep, void *ctx)
{
	struct merge_ctx *m = ctx;

	if ((int)rep == m->fail_at)
		return -9;
	m->log[m->n_log++] = rep;
	__atomic_store_n(&m->merged, rep + 1, __ATOMIC_SEQ_CST);
	return 0;
}

START_TEST(test_replicate_merged_in_order)
{
	for (unsigned threads = 1; threads <= 3; threads++) {
		for (unsigned window = 1; window <= 4; window += 3) {
			struct merge_ctx m = { .window = window, .fail_at = -1 };
			struct replicate_merge merge = { log_merge, &m, window };

			atomic_init(&m.running_ahead, 0);
			ck_assert_int_eq(replicate_run_merged(40, threads, slow_low_rep, &m, NULL,
							      &merge), 0);
			ck_assert_uint_eq(m.n_log, 40);
			for (unsigned i = 0; i < 40; i++)
				ck_assert_uint_eq(m.log[i], i);
			ck_assert_uint_eq(atomic_load(&m.running_ahead), 0);
		}
	}
}
END_TEST

/* A failed merge stops the run with its code, and no thread waits for ever. */
START_TEST(test_replicate_merge_fails)
{
	for (unsigned threads = 1; threads <= 3; threads++) {
		struct merge_ctx m = { .window = 2, .fail_at = 5 };
		struct replicate_merge merge = { log_merge, &m, 2 };

		atomic_init(&m.running_ahead, 0);
		ck_assert_int_eq(replicate_run_merged(40, threads, slow_low_rep, &m, NULL, &merge),
				 -9);
		ck_assert_uint_eq(m.n_log, 5);
	}
}
END_TEST

/* ---- errors ---- */

START_TEST(test_hc_err)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(hc_err_set(&err, HC_EINPUT, "bad value %d for '%s'", 7, "rate"), HC_EINPUT);
	ck_assert_int_eq(err.code, HC_EINPUT);
	ck_assert_str_eq(err.msg, "bad value 7 for 'rate'");
	ck_assert_int_eq(hc_err_prefix(&err, "%s:%d", "a.json", 3), HC_EINPUT);
	ck_assert_str_eq(err.msg, "a.json:3: bad value 7 for 'rate'");
	ck_assert_int_eq(hc_err_set(NULL, HC_EUSAGE, "x"), HC_EUSAGE);
	ck_assert_int_eq(hc_err_prefix(NULL, "x"), HC_ERUNTIME);
}
END_TEST

/* ---- suite ---- */

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");

	check_add(s, "mmc_erlang_c", test_mmc_erlang_c, 60);
	check_add(s, "mmc_little", test_mmc_little, 60);
	check_add(s, "pool_fifo", test_pool_fifo, 10);
	check_add(s, "pool_queue_growth", test_pool_queue_growth, 10);
	check_add(s, "pool_unlimited", test_pool_unlimited, 10);
	check_add(s, "tbucket_saturated_rate", test_tbucket_saturated_rate, 10);
	check_add(s, "tbucket_over_burst", test_tbucket_over_burst, 10);
	check_add(s, "tbucket_unlimited", test_tbucket_unlimited, 10);
	check_add(s, "tbucket_fifo", test_tbucket_fifo, 10);
	check_add(s, "sim_equal_times_fifo", test_sim_equal_times_fifo, 10);
	check_add(s, "sim_stop_conditions", test_sim_stop_conditions, 10);
	check_add(s, "sim_clamp_past", test_sim_clamp_past, 10);
	check_add(s, "evq_random_vs_sort", test_evq_random_vs_sort, 30);
	check_add(s, "evq_interleaved", test_evq_interleaved, 30);
	check_add(s, "evq_growth", test_evq_growth, 30);
	check_add(s, "welford_two_pass", test_welford_two_pass, 10);
	check_add(s, "timeavg_step", test_timeavg_step, 10);
	check_add(s, "quantile_type7", test_quantile_type7, 10);
	check_add(s, "rng_streams", test_rng_streams, 10);
	check_add(s, "dist_mean_exact", test_dist_mean_exact, 10);
	check_add(s, "dist_sample_means", test_dist_sample_means, 60);
	check_add(s, "dist_prepare_same_draws", test_dist_prepare_same_draws, 10);
	check_add(s, "dist_degenerate", test_dist_degenerate, 10);
	check_add(s, "dist_empirical_values", test_dist_empirical_values, 10);
	check_add(s, "dist_kind_names", test_dist_kind_names, 10);
	check_add(s, "xoshiro_reference", test_xoshiro_reference, 10);
	check_add(s, "dist_kolmogorov_smirnov", test_dist_kolmogorov_smirnov, 30);
	check_add(s, "replicate_deterministic", test_replicate_deterministic, 30);
	check_add(s, "replicate_first_failure", test_replicate_first_failure, 30);
	check_add(s, "replicate_merged_in_order", test_replicate_merged_in_order, 30);
	check_add(s, "replicate_merge_fails", test_replicate_merge_fails, 30);
	check_add(s, "hc_err", test_hc_err, 10);
	return s;
}

int main(void)
{
	return check_run(sim_suite());
}
