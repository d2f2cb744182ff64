#define _GNU_SOURCE /* syscall */
#include <math.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "meter/projector.h"

struct projector {
	struct projector_config cfg;
	pthread_t thread;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;
	long noted;     /* the latest iteration a recorded call named; -1: none */
	long projected; /* the last iteration a projection started from; -1: none */
	int stop;
	struct projector_view view;
	struct project_follow follow; /* the worker's alone: the trace's records read so far */
};

/* The projection from iterations 0 .. upto: what the trace appended, then every record read. */
static int project_trace(struct projector *p, long upto, struct projection *out,
			 struct hc_err *err)
{
	const struct projector_config *cfg = &p->cfg;
	struct project_config pc = { .base = cfg->base, .prices = cfg->prices,
				     .last_iteration = cfg->base->iterations, .runs = cfg->runs,
				     .threads = 1, .seed = 1 };
	int rc = project_follow_read(&p->follow, err);
	return rc ? rc : project_follow_run(&p->follow, &pc, upto, out, err);
}

/* Publishes a projection (or its failure); trips the guard when its P90 passes the budget. */
static void publish(struct projector *p, int rc, const struct projection *pr,
		    const struct hc_err *err)
{
	struct projector_view *v = &p->view;
	v->made_at = (double)time(NULL);
	v->projections++;
	snprintf(v->error, sizeof(v->error), "%.250s", rc ? err->msg : "");
	if (rc)
		return;
	v->have = 1;
	v->p = *pr;
	if (p->cfg.guard && !v->tripped && project_guard_trips(pr, p->cfg.budget_usd)) {
		v->tripped = 1;
		v->last_allowed = p->noted;
	}
}

/*
 * The worker runs at the lowest priority (nice 19; on Linux a thread's own), so that on
 * busy cores a projection yields to the request threads, yet still progresses.
 */
static void *work(void *cls)
{
	struct projector *p = cls;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->noted - 1 <= p->projected)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		long upto = p->noted - 1;
		p->projected = upto;
		pthread_mutex_unlock(&p->lock);
		struct projection pr;
		struct hc_err err = HC_ERR_INIT;
		int rc = upto < (long)p->cfg.base->iterations
				 ? project_trace(p, upto, &pr, &err)
				 : hc_err_set(&err, HC_EINPUT, "iteration %ld is past the "
					      "scenario's last (%u): nothing left to project",
					      upto + 1, p->cfg.base->iterations);
		pthread_mutex_lock(&p->lock);
		publish(p, rc, &pr, &err);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int projector_start(struct projector **out, const struct projector_config *cfg,
		    struct hc_err *err)
{
	struct projector *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	p->cfg = *cfg;
	project_follow_init(&p->follow, cfg->trace_path);
	p->noted = p->projected = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, work, p)) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return hc_err_set(err, HC_ERUNTIME, "cannot start the forecast's thread");
	}
	*out = p;
	return 0;
}

void projector_note(struct projector *p, long iteration)
{
	pthread_mutex_lock(&p->lock);
	if (iteration > p->noted) {
		p->noted = iteration;
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
}

int projector_refuses(struct projector *p, long iteration, long *last_allowed)
{
	pthread_mutex_lock(&p->lock);
	int refuse = p->view.tripped && iteration > p->view.last_allowed;
	*last_allowed = p->view.last_allowed;
	pthread_mutex_unlock(&p->lock);
	return refuse;
}

void projector_view(struct projector *p, struct projector_view *v)
{
	pthread_mutex_lock(&p->lock);
	*v = p->view;
	pthread_mutex_unlock(&p->lock);
}

void projector_stop(struct projector *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	project_follow_release(&p->follow);
	free(p);
}
