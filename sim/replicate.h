/*
 * replicate: runs independent replications on a pool of threads.
 *
 * fn(rep, ctx) is called once for every rep in [0, runs); threads take the next rep from a
 * shared counter. fn must write only to its own rep's slot of the caller's results, so that
 * merging the slots in rep order gives byte-identical output for any thread count.
 * replicate_run_merged merges them itself, in rep order, as they finish, so that a caller
 * needs slots for a window of reps only, not for all of them.
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

/*
 * Merging finished reps in rep order: fn(rep, ctx) is called for rep 0, 1, 2, ... as soon as
 * that rep and all below it have returned 0, one call at a time (under the runner's lock),
 * from whichever thread finished the last of them. Rep k does not start before rep k - window
 * has been merged, so a caller can keep reps in window slots, rep k in slot k % window
 * (window >= 1; window >= 2 * threads keeps every thread busy). A merge returning non-zero
 * fails the run like a rep returning it.
 */
struct replicate_merge {
	int (*fn)(unsigned rep, void *ctx);
	void *ctx;
	unsigned window;
};

/* replicate_run_progress merging as merge says. */
int replicate_run_merged(unsigned runs, unsigned threads, replicate_fn fn, void *ctx,
			 const struct replicate_progress *progress,
			 const struct replicate_merge *merge);

#endif
