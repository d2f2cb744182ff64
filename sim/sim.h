/*
 * sim: the discrete-event run loop. A struct sim owns the clock and the event queue; model
 * code schedules callbacks with sim_at / sim_after and runs them with sim_run.
 *
 * Scheduling never fails in the caller's eyes: when memory runs out the engine records a
 * sticky error, stops, and sim_run returns HC_ERUNTIME. Handlers therefore need not check.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdint.h>
#include "sim/evq.h"

enum sim_stop {
	SIM_STOP_EMPTY,    /* no events left */
	SIM_STOP_TIME,     /* the next event lies beyond `until`; the clock is set to `until` */
	SIM_STOP_EVENTS,   /* max_events were run */
	SIM_STOP_REQUEST,  /* a handler called sim_stop */
};

struct sim {
	struct evq q;
	double now;
	uint64_t events;   /* events run so far */
	int stop_requested;
	int failed;        /* sticky: a push ran out of memory */
	enum sim_stop stop_reason;
};

void sim_init(struct sim *s);
void sim_release(struct sim *s);

/* Schedules fn(s, arg) at absolute time t (t < now is clamped to now). */
void sim_at(struct sim *s, double t, sim_fn fn, void *arg);
/* Schedules fn(s, arg) delay time units from now (delay < 0 is treated as 0). */
void sim_after(struct sim *s, double delay, sim_fn fn, void *arg);

/* Asks sim_run to return after the current event. */
void sim_stop(struct sim *s);

/*
 * Runs events in (time, sequence) order until the queue is empty, the next event is later
 * than until (use INFINITY for no limit), max_events have run (0 for no limit), or a handler
 * calls sim_stop. Sets s->stop_reason. Returns 0, or HC_ERUNTIME after a failed push.
 * It may be called again to continue.
 */
int sim_run(struct sim *s, double until, uint64_t max_events);

#endif
