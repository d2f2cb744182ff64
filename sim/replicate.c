/*
 * replicate: see replicate.h.
 *
 * The calling thread works too, so threads = 1 starts no thread at all, and a failed
 * pthread_create only means fewer workers. Reps are handed out in increasing order, so
 * when rep k fails every rep below k has already started and will report; skipping reps
 * above the lowest failure seen therefore still yields the first failure in rep order,
 * whatever the thread count.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

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
	pthread_mutex_t lock;
};

static void job_fail(struct replicate_job *job, unsigned rep, int code)
{
	pthread_mutex_lock(&job->lock);
	if (rep < atomic_load(&job->fail_rep)) {
		atomic_store(&job->fail_rep, rep);
		job->fail_code = code;
	}
	pthread_mutex_unlock(&job->lock);
}

static void job_done(struct replicate_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->done++;
	job->progress->fn(job->done, job->runs, job->progress->ctx);
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
		rc = job->fn((unsigned)rep, job->ctx);
		if (rc)
			job_fail(job, (unsigned)rep, rc);
		else if (job->progress)
			job_done(job);
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
	struct replicate_job job = { .runs = runs, .fn = fn, .ctx = ctx, .fail_code = 0,
				     .progress = progress, .done = 0 };
	pthread_t *tids = NULL;
	unsigned i, started = 0;

	if (runs == 0)
		return 0;
	if (threads == 0)
		threads = online_cpus();
	if (threads > runs)
		threads = runs;
	atomic_init(&job.next, 0);
	atomic_init(&job.fail_rep, UINT_MAX);
	pthread_mutex_init(&job.lock, NULL);
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
	pthread_mutex_destroy(&job.lock);
	return job.fail_code;
}
