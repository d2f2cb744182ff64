/*
 * pool: see pool.h.
 *
 * Grants go through sim_at at the current time rather than calling the holder directly:
 * a holder that calls pool_done and pool_request from its own callback would otherwise
 * recurse, and an immediate grant could overtake requests already granted at this instant.
 * The FIFO is a ring buffer that doubles when full, so a steady state allocates nothing;
 * its capacity stays a power of two, so wrapping is a mask, not a division.
 */
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/hc_err.h"
#include "sim/pool.h"

#define POOL_MIN_CAP 16

int pool_init(struct pool *p, struct sim *sim, unsigned servers)
{
	memset(p, 0, sizeof(*p));
	p->sim = sim;
	p->servers = servers;
	p->queue = malloc(POOL_MIN_CAP * sizeof(*p->queue));
	if (!p->queue)
		return HC_ERUNTIME;
	p->cap = POOL_MIN_CAP;
	welford_init(&p->wait);
	timeavg_init(&p->busy_avg, sim->now, 0.0);
	timeavg_init(&p->queue_avg, sim->now, 0.0);
	return 0;
}

void pool_release(struct pool *p)
{
	free(p->queue);
	p->queue = NULL;
	p->head = p->len = p->cap = 0;
}

/* Doubles the ring, unrolling it so that the head lands at index 0. */
static int pool_grow(struct pool *p)
{
	struct pool_req *q;
	size_t cap = array_capacity(p->cap, p->cap + 1, POOL_MIN_CAP, sizeof(*q));
	size_t first = p->cap - p->head;

	if (!cap)
		return HC_ERUNTIME;
	q = malloc(cap * sizeof(*q));
	if (!q)
		return HC_ERUNTIME;
	if (p->len) {
		if (first > p->len)
			first = p->len;
		memcpy(q, p->queue + p->head, first * sizeof(*q));
		memcpy(q + first, p->queue, (p->len - first) * sizeof(*q));
	}
	free(p->queue);
	p->queue = q;
	p->head = 0;
	p->cap = cap;
	return 0;
}

static void pool_grant(struct pool *p, sim_fn fn, void *arg, double t_request)
{
	struct sim *s = p->sim;

	welford_add(&p->wait, s->now - t_request);
	p->granted++;
	sim_at(s, s->now, fn, arg);
}

void pool_request(struct pool *p, sim_fn fn, void *arg)
{
	struct sim *s = p->sim;
	struct pool_req *r;

	if (p->servers == POOL_UNLIMITED || p->busy < p->servers) {
		p->busy++;
		timeavg_set(&p->busy_avg, s->now, p->busy);
		pool_grant(p, fn, arg, s->now);
		return;
	}
	if (p->len == p->cap && pool_grow(p)) {
		/* Same sticky failure as a failed sim_at: the request is lost, the run stops. */
		s->failed = 1;
		s->stop_requested = 1;
		return;
	}
	r = &p->queue[(p->head + p->len) & (p->cap - 1)];
	r->fn = fn;
	r->arg = arg;
	r->t_request = s->now;
	p->len++;
	timeavg_set(&p->queue_avg, s->now, (double)p->len);
}

void pool_done(struct pool *p)
{
	struct sim *s = p->sim;
	struct pool_req r;

	if (p->len == 0) {
		/* A pool_done without a matching grant is ignored rather than underflowing. */
		if (p->busy)
			p->busy--;
		timeavg_set(&p->busy_avg, s->now, p->busy);
		return;
	}
	/* The server passes straight to the head of the queue: busy does not change. */
	r = p->queue[p->head];
	p->head = (p->head + 1) & (p->cap - 1);
	p->len--;
	timeavg_set(&p->queue_avg, s->now, (double)p->len);
	pool_grant(p, r.fn, r.arg, r.t_request);
}

double pool_utilisation(const struct pool *p)
{
	if (p->servers == POOL_UNLIMITED)
		return 0.0;
	return timeavg_mean(&p->busy_avg, p->sim->now) / p->servers;
}
