/*
 * results_dir: a results directory that is whole or absent.
 *
 * Files are written into a temporary sibling directory ("<dir>.tmp-XXXXXX"); commit renames it
 * into place (an existing directory of that name is replaced) and abort removes it, so a
 * failed or interrupted run never leaves a half-written result.
 *
 * Interruption: every temporary directory between begin and commit or abort is registered
 * as pending, with any other path given to results_dir_track; results_dir_remove_pending
 * removes them all. cli/ calls it when SIGINT or SIGTERM arrives, then exits (cli/interrupt.c).
 */
#ifndef REPORTS_RESULTS_DIR_H
#define REPORTS_RESULTS_DIR_H

#include <limits.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct results_dir {
	char path[PATH_MAX]; /* where the results go */
	char tmp[PATH_MAX + 16]; /* where they are written until commit; "" when none */
};

/* Creates the parents of path and the temporary directory. */
int results_dir_begin(struct results_dir *rd, const char *path, struct hc_err *err);

/* Opens NAME inside the temporary directory for writing. */
FILE *results_dir_open(struct results_dir *rd, const char *name, struct hc_err *err);

/* Closes f, reporting a write error (a full disk shows here) as HC_ERUNTIME. */
int results_dir_close(struct results_dir *rd, FILE *f, const char *name, struct hc_err *err);

/* Writes tree into NAME, pretty-printed with a final newline. */
int results_dir_write_json(struct results_dir *rd, const char *name, const cJSON *tree,
			   struct hc_err *err);

int results_dir_commit(struct results_dir *rd, struct hc_err *err);

/* Removes the temporary directory and everything in it; safe to call twice. */
void results_dir_abort(struct results_dir *rd);

/* Removes path and everything under it (symbolic links are removed, not followed). */
void results_dir_remove_tree(const char *path);

/*
 * Registers path (a temporary file or directory) to be removed by results_dir_remove_pending.
 * 0, or HC_ERUNTIME when RESULTS_DIR_PENDING_MAX paths are registered already.
 */
#define RESULTS_DIR_PENDING_MAX 8
int results_dir_track(const char *path, struct hc_err *err);

/* Forgets path (after it was renamed into place or removed); nothing when not registered. */
void results_dir_untrack(const char *path);

/*
 * Removes every pending path. Thread-safe against begin, commit and abort in other threads
 * (not async-signal-safe: call it from a thread, never from a signal handler). It keeps the
 * registry locked when it returns, so that no other thread commits a result afterwards: the
 * caller is expected to exit at once.
 */
void results_dir_remove_pending(void);

typedef int (*results_dir_writer)(struct results_dir *rd, void *ctx, struct hc_err *err);

/*
 * The whole cycle: begin at path, write(rd, ctx, err), commit; on any failure the temporary
 * directory is removed and nothing is left at path. rd->path names the result afterwards.
 */
int results_dir_write(struct results_dir *rd, const char *path, results_dir_writer write,
		      void *ctx, struct hc_err *err);

#endif
