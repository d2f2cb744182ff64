/*
 * replicate: runs independent replications on a pool of threads.
 *
 * fn(rep, ctx) is called once for every rep in [0, runs); threads take the next rep from a
 * shared counter. fn must write only to its own rep's slot of the caller's results, so that
 * merging the slots in rep order gives byte-identical output for any thread count.
 */
#ifndef SIM_REPLICATE_H
#define SIM_REPLICATE_H

typedef int (*replicate_fn)(unsigned rep, void *ctx);

/*
 * Progress of a run: fn(done, runs, ctx) after each replication that returned 0, with done
 * counting 1, 2, ..., runs in that order. It is called from whichever thread finished the
 * replication, but never concurrently (under the runner's lock), so it needs no lock of its
 * own; it should return quickly, as the other threads wait for it when they finish.
 */
struct replicate_progress {
	void (*fn)(unsigned done, unsigned runs, void *ctx);
	void *ctx;
};

/*
 * threads = 0 means one per online CPU; threads is capped at runs. Returns 0 when every call
 * returned 0, otherwise the first non-zero value in rep order (later reps are skipped once a
 * failure is seen, but every started call completes).
 */
int replicate_run(unsigned runs, unsigned threads, replicate_fn fn, void *ctx);
/* replicate_run reporting its progress to progress (NULL: none). */
int replicate_run_progress(unsigned runs, unsigned threads, replicate_fn fn, void *ctx,
			   const struct replicate_progress *progress);

#endif
