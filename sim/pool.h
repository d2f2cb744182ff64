/*
 * pool: a pool of identical servers with one FIFO queue (a c-server station).
 *
 * pool_request asks for a server; when one is granted, the callback runs as an event at the
 * grant time (never re-entrantly from pool_request), so grant order is the request order.
 * The holder calls pool_done when finished. The pool keeps its own statistics: waits,
 * time-weighted busy servers and queue length, grants.
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>
#include <stdint.h>
#include "sim/sim.h"
#include "sim/stats.h"

#define POOL_UNLIMITED 0u /* servers = 0: every request is granted at once */

struct pool_req {
	sim_fn fn;
	void *arg;
	double t_request;
};

struct pool {
	struct sim *sim;
	unsigned servers;      /* POOL_UNLIMITED or the number of servers */
	unsigned busy;
	struct pool_req *queue; /* ring buffer */
	size_t head, len, cap;
	struct welford wait;   /* time from request to grant, one sample per grant */
	struct timeavg busy_avg;
	struct timeavg queue_avg;
	uint64_t granted;
};

/* Returns 0, or HC_ERUNTIME when memory runs out. */
int pool_init(struct pool *p, struct sim *sim, unsigned servers);
void pool_release(struct pool *p);

/* Queues a request; fn(sim, arg) runs once a server is granted. */
void pool_request(struct pool *p, sim_fn fn, void *arg);
/* Frees one server and grants it to the head of the queue, if any. */
void pool_done(struct pool *p);

/* Mean busy servers divided by servers, from the pool's start to now (0 when unlimited). */
double pool_utilisation(const struct pool *p);

#endif
