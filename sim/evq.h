/*
 * evq: the future event list, a binary min-heap ordered by (time, insertion sequence).
 *
 * Events at equal times come out in the order they were pushed, which makes every run with
 * the same seed replay identically (the rule libuv uses for its timers). Push and pop are
 * O(log n); the heap grows by doubling and never shrinks until evq_release.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

struct sim;
typedef void (*sim_fn)(struct sim *sim, void *arg);

struct evq_event {
	double time;
	uint64_t seq;
	sim_fn fn;
	void *arg;
};

struct evq {
	struct evq_event *heap;
	size_t len, cap;
	uint64_t next_seq;
};

#define EVQ_INIT { NULL, 0, 0, 0 }

void evq_init(struct evq *q);
void evq_release(struct evq *q);

/* Adds an event. Returns 0, or HC_ERUNTIME when memory runs out (the queue is unchanged). */
int evq_push(struct evq *q, double time, sim_fn fn, void *arg);

/* Removes the earliest event into *out. Returns 0, or 1 when the queue is empty. */
int evq_pop(struct evq *q, struct evq_event *out);

static inline size_t evq_len(const struct evq *q) { return q->len; }

#endif
