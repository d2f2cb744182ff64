/*
 * sim: see sim.h.
 */
#include "base/hc_err.h"
#include "sim/sim.h"

void sim_init(struct sim *s)
{
	evq_init(&s->q);
	s->now = 0.0;
	s->events = 0;
	s->stop_requested = 0;
	s->failed = 0;
	s->stop_reason = SIM_STOP_EMPTY;
}

void sim_release(struct sim *s)
{
	evq_release(&s->q);
}

void sim_at(struct sim *s, double t, sim_fn fn, void *arg)
{
	/* Written so that NaN also lands on now: a NaN in the heap would break its order. */
	if (!(t >= s->now))
		t = s->now;
	if (evq_push(&s->q, t, fn, arg)) {
		/* Sticky: the model has lost an event, so no later result can be trusted. */
		s->failed = 1;
		s->stop_requested = 1;
	}
}

void sim_after(struct sim *s, double delay, sim_fn fn, void *arg)
{
	sim_at(s, s->now + delay, fn, arg);
}

void sim_stop(struct sim *s)
{
	s->stop_requested = 1;
}

/*
 * The hot loop: one peek, one pop, one indirect call per event. max_events counts the
 * events of this call, so a continued run can be sliced into equal chunks.
 */
int sim_run(struct sim *s, double until, uint64_t max_events)
{
	struct evq *q = &s->q;
	struct evq_event ev;
	uint64_t ran = 0;

	s->stop_requested = 0;
	while (!s->failed) {
		if (q->len == 0) {
			s->stop_reason = SIM_STOP_EMPTY;
			return 0;
		}
		if (q->heap[0].time > until) {
			if (until > s->now)
				s->now = until;
			s->stop_reason = SIM_STOP_TIME;
			return 0;
		}
		evq_pop(q, &ev);
		s->now = ev.time;
		s->events++;
		ev.fn(s, ev.arg);
		if (s->stop_requested) {
			s->stop_reason = SIM_STOP_REQUEST;
			break;
		}
		if (++ran == max_events) {
			s->stop_reason = SIM_STOP_EVENTS;
			break;
		}
	}
	if (s->failed) {
		s->stop_reason = SIM_STOP_REQUEST;
		return HC_ERUNTIME;
	}
	return 0;
}
