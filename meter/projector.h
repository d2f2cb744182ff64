/*
 * projector: the meter's live forecast (docs/metering.md, "Live forecast"), a worker thread
 * that projects the run's final bill (fit/project.h) each time an iteration completes, and
 * the guard that looks ahead.
 *
 * An iteration k counts as complete when a call tagged with a later iteration is recorded.
 * The worker then reads what the trace (the meter's own file) gained since its last
 * projection, keeping every record read in memory (project_follow, fit/project.h), projects
 * from iterations 0 .. k and publishes the result; the meter's request threads only take a lock
 * to note an iteration or read the last result, never to wait for a projection. A newer
 * iteration noted while the worker projects is projected next (intermediate ones skipped).
 *
 * With the guard on and a budget B, once a published projection's P90 passes B, the last
 * allowed iteration is the latest one noted at that time: calls tagged with a later iteration
 * are refused (projector_refuses). It never lifts.
 *
 * Threads: every function may be called from any thread; the projector locks itself.
 */
#ifndef METER_PROJECTOR_H
#define METER_PROJECTOR_H

#include "base/hc_err.h"
#include "fit/project.h"

struct projector_config {
	const char *trace_path;
	const struct scenario *base;      /* borrowed; its iterations are the run's last */
	const struct price_sheet *prices; /* borrowed */
	unsigned runs;                    /* replications per projection; 0: PROJECT_RUNS */
	double budget_usd;                /* > 0 with guard */
	int guard;                        /* refuse iterations once P90 passes the budget */
};

/* What the status shows. */
struct projector_view {
	int have;                 /* a projection was published */
	struct projection p;      /* the last one */
	double made_at;           /* Unix seconds it was published */
	size_t projections;       /* made so far */
	char error[256];          /* the last projection's failure, "" when it worked */
	int tripped;              /* the guard has refused new iterations */
	long last_allowed;        /* when tripped: the last iteration allowed */
};

struct projector;

/* Starts the worker. HC_ERUNTIME when the thread cannot start. */
int projector_start(struct projector **out, const struct projector_config *cfg,
		    struct hc_err *err);

/* A call of this iteration was recorded (-1: untagged, ignored). */
void projector_note(struct projector *p, long iteration);

/* 1 when the guard refuses calls tagged with this iteration; *last_allowed says up to which. */
int projector_refuses(struct projector *p, long iteration, long *last_allowed);

void projector_view(struct projector *p, struct projector_view *v);

/* Stops the worker (a projection under way is finished first) and frees p; NULL is ignored. */
void projector_stop(struct projector *p);

#endif
