/*
 * results_dir: a results directory that is whole or absent.
 *
 * Files are written into a temporary sibling directory ("<dir>.tmp-<pid>-XXXXXX"); commit
 * renames it into place (an existing results directory of that name is replaced) and abort
 * removes it, so a failed or interrupted run never leaves a half-written result.
 *
 * Ours: every results directory holds RESULTS_DIR_MARKER, a small file whose first line is
 * RESULTS_DIR_MAGIC (then "host NAME" and "pid N" of the process that wrote it). Only an
 * empty directory or one with that file is ever replaced; anything else is refused.
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
	char tmp[PATH_MAX + 32]; /* where they are written until commit; "" when none */
};

#define RESULTS_DIR_MARKER ".hypercap"
#define RESULTS_DIR_MAGIC "hypercap results directory"

/*
 * Whether a results directory may be written at path, without writing anything: 0 when path
 * is absent, an empty directory or a results directory of ours (see above); HC_EUSAGE with a
 * message naming the option opt ("--out") otherwise: a file, a symbolic link, a directory of
 * anything else, the current directory or one holding it ("." "..", "/"), or a directory
 * holding one of the n_inputs paths the command reads (NULL ones are skipped).
 * Commands call it before any work; begin and commit check again.
 */
int results_dir_check(const char *path, const char *opt, const char *const *inputs,
		      size_t n_inputs, struct hc_err *err);

/* 1 when dir holds a RESULTS_DIR_MARKER file that starts with RESULTS_DIR_MAGIC, else 0. */
int results_dir_is_ours(const char *dir);

/*
 * Checks path (results_dir_check, without inputs), removes stale temporary siblings (below),
 * creates the parents of path and the temporary directory with its marker.
 *
 * Stale: a sibling "<dir>.tmp-<pid>-*" or "<dir>.old-<pid>-*" left by a process killed with
 * SIGKILL is removed when it is a directory holding our marker written on this host and no
 * process <pid> exists (kill(pid, 0) fails with ESRCH). One whose owner may be alive, or
 * which is not provably ours, is left alone.
 */
int results_dir_begin(struct results_dir *rd, const char *path, struct hc_err *err);

/* Opens NAME inside the temporary directory for writing. */
FILE *results_dir_open(struct results_dir *rd, const char *name, struct hc_err *err);

/* Closes f, reporting a write error (a full disk shows here) as HC_ERUNTIME. */
int results_dir_close(struct results_dir *rd, FILE *f, const char *name, struct hc_err *err);

/* Writes tree into NAME, pretty-printed with a final newline. */
int results_dir_write_json(struct results_dir *rd, const char *name, const cJSON *tree,
			   struct hc_err *err);

/* Renames the temporary directory to path, replacing what results_dir_check allows. */
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
