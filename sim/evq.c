/*
 * evq: see evq.h.
 *
 * A plain binary heap in one array. Both sifts move a "hole" instead of swapping, so every
 * level costs one 32-byte copy instead of three. The sequence number breaks ties between
 * equal times; it is 64 bits wide and cannot wrap in any run we can afford.
 */
#include <stdlib.h>

#include "base/array.h"
#include "base/hc_err.h"
#include "sim/evq.h"

#define EVQ_MIN_CAP 64

/* (time, seq) order. Times are never NaN: sim_at clamps them. */
static inline int ev_before(const struct evq_event *a, const struct evq_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void evq_init(struct evq *q)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	q->next_seq = 0;
}

void evq_release(struct evq *q)
{
	free(q->heap);
	evq_init(q);
}

static int evq_grow(struct evq *q)
{
	struct evq_event *heap;
	size_t cap = array_capacity(q->cap, q->cap + 1, EVQ_MIN_CAP, sizeof(*heap));

	if (!cap)
		return HC_ERUNTIME;
	heap = realloc(q->heap, cap * sizeof(*heap));
	if (!heap)
		return HC_ERUNTIME;
	q->heap = heap;
	q->cap = cap;
	return 0;
}

int evq_push(struct evq *q, double time, sim_fn fn, void *arg)
{
	struct evq_event ev = { time, 0, fn, arg };
	struct evq_event *h;
	size_t i;

	if (q->len == q->cap && evq_grow(q))
		return HC_ERUNTIME;
	ev.seq = q->next_seq++;
	h = q->heap;
	i = q->len++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!ev_before(&ev, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = ev;
	return 0;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
	struct evq_event *h = q->heap;
	struct evq_event last;
	size_t i = 0, n;

	if (q->len == 0)
		return 1;
	*out = h[0];
	n = --q->len;
	if (n == 0)
		return 0;
	last = h[n];
	/* Walk the hole down from the root until `last` fits in it. */
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ev_before(&h[c + 1], &h[c]))
			c++;
		if (!ev_before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
	return 0;
}
