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
 * threads = 0 means one per online CPU; threads is capped at runs. Returns 0 when every call
 * returned 0, otherwise the first non-zero value in rep order (later reps are skipped once a
 * failure is seen, but every started call completes).
 */
int replicate_run(unsigned runs, unsigned threads, replicate_fn fn, void *ctx);

#endif
