/*
 * replicate: see replicate.h.
 *
 * The calling thread works too, so threads = 1 starts no thread at all, and a failed
 * pthread_create only means fewer workers. Reps are handed out in increasing order, so
 * when rep k fails every rep below k has already started and will report; skipping reps
 * above the lowest failure seen therefore still yields the first failure in rep order,
 * whatever the thread count.
 *
 * Merging: a rep's thread marks its slot ready, then merges the run of ready reps from the
 * lowest unmerged one on. A thread waits before starting a rep outside the window; the rep at
 * the window's start is always running or ready (reps are handed out in order), so a wait
 * always ends, and a failure wakes the waiters, whose reps are then skipped.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/hc_err.h"
#include "sim/replicate.h"

struct replicate_job {
	unsigned runs;
	replicate_fn fn;
	void *ctx;
	atomic_uint_fast64_t next;  /* 64 bits: overshooting runs near UINT_MAX must not wrap */
	atomic_uint fail_rep;       /* lowest failed rep so far, UINT_MAX when none */
	int fail_code;              /* the code of fail_rep, under lock */
	const struct replicate_progress *progress; /* NULL: none */
	unsigned done;              /* replications finished with 0, under lock */
	const struct replicate_merge *merge; /* NULL: none */
	unsigned char *ready;       /* per window slot: finished, not merged; under lock */
	unsigned merged;            /* reps merged so far, under lock */
	pthread_mutex_t lock;
	pthread_cond_t merged_one;  /* broadcast when merged grows or a rep fails */
};

static void fail_locked(struct replicate_job *job, unsigned rep, int code)
{
	if (rep < atomic_load(&job->fail_rep)) {
		atomic_store(&job->fail_rep, rep);
		job->fail_code = code;
	}
	pthread_cond_broadcast(&job->merged_one);
}

static void job_fail(struct replicate_job *job, unsigned rep, int code)
{
	pthread_mutex_lock(&job->lock);
	fail_locked(job, rep, code);
	pthread_mutex_unlock(&job->lock);
}

static void job_done(struct replicate_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->done++;
	job->progress->fn(job->done, job->runs, job->progress->ctx);
	pthread_mutex_unlock(&job->lock);
}

/* Waits until rep is inside the window; 1 when it is to be skipped after a failure. */
static int job_wait_window(struct replicate_job *job, unsigned rep)
{
	int skip;

	pthread_mutex_lock(&job->lock);
	while (rep - job->merged >= job->merge->window && rep <= atomic_load(&job->fail_rep))
		pthread_cond_wait(&job->merged_one, &job->lock);
	skip = rep > atomic_load(&job->fail_rep);
	pthread_mutex_unlock(&job->lock);
	return skip;
}

static void job_merge(struct replicate_job *job, unsigned rep)
{
	const struct replicate_merge *m = job->merge;

	pthread_mutex_lock(&job->lock);
	job->ready[rep % m->window] = 1;
	while (job->merged < job->runs && job->ready[job->merged % m->window]) {
		int rc;

		job->ready[job->merged % m->window] = 0;
		rc = m->fn(job->merged, m->ctx);
		if (rc) {
			fail_locked(job, job->merged, rc);
			break;
		}
		job->merged++;
		pthread_cond_broadcast(&job->merged_one);
	}
	pthread_mutex_unlock(&job->lock);
}

static void *job_work(void *data)
{
	struct replicate_job *job = data;

	for (;;) {
		uint_fast64_t rep = atomic_fetch_add(&job->next, 1);
		int rc;

		if (rep >= job->runs || rep > atomic_load(&job->fail_rep))
			break;
		if (job->merge && job_wait_window(job, (unsigned)rep))
			break;
		rc = job->fn((unsigned)rep, job->ctx);
		if (rc) {
			job_fail(job, (unsigned)rep, rc);
			continue;
		}
		if (job->progress)
			job_done(job);
		if (job->merge)
			job_merge(job, (unsigned)rep);
	}
	return NULL;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 && n < UINT_MAX ? (unsigned)n : 1;
}

int replicate_run(unsigned runs, unsigned threads, replicate_fn fn, void *ctx)
{
	return replicate_run_progress(runs, threads, fn, ctx, NULL);
}

int replicate_run_progress(unsigned runs, unsigned threads, replicate_fn fn, void *ctx,
			   const struct replicate_progress *progress)
{
	return replicate_run_merged(runs, threads, fn, ctx, progress, NULL);
}

int replicate_run_merged(unsigned runs, unsigned threads, replicate_fn fn, void *ctx,
			 const struct replicate_progress *progress,
			 const struct replicate_merge *merge)
{
	struct replicate_job job = { .runs = runs, .fn = fn, .ctx = ctx, .fail_code = 0,
				     .progress = progress, .done = 0, .merge = merge,
				     .merged = 0 };
	pthread_t *tids = NULL;
	unsigned i, started = 0;

	if (runs == 0)
		return 0;
	if (threads == 0)
		threads = online_cpus();
	if (threads > runs)
		threads = runs;
	if (merge) {
		job.ready = calloc(merge->window, 1);
		if (!job.ready)
			return HC_ERUNTIME;
	}
	atomic_init(&job.next, 0);
	atomic_init(&job.fail_rep, UINT_MAX);
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.merged_one, NULL);
	if (threads > 1)
		tids = malloc((threads - 1) * sizeof(*tids));
	for (i = 0; tids && i < threads - 1; i++) {
		if (pthread_create(&tids[started], NULL, job_work, &job))
			break;
		started++;
	}
	job_work(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	free(job.ready);
	pthread_cond_destroy(&job.merged_one);
	pthread_mutex_destroy(&job.lock);
	return job.fail_code;
}
