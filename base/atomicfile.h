/*
 * atomicfile: a file that is written whole or not at all. It is written to a temporary file
 * beside its path (PATH.tmp-XXXXXX, in the same directory so that the rename cannot cross
 * file systems), flushed to disk and renamed over PATH on commit, removed on abort. A reader
 * of PATH sees the old file or the new one, never a part; a crash leaves at most the
 * temporary.
 *
 * The caller allocates the struct; af->f is the stream to write while the file is open.
 */
#ifndef BASE_ATOMICFILE_H
#define BASE_ATOMICFILE_H

#include <stdio.h>
#include "base/hc_err.h"

#define ATOMICFILE_PATH_MAX 4096

struct atomicfile {
	FILE *f;                                 /* NULL once committed or aborted */
	char path[ATOMICFILE_PATH_MAX];          /* the file to replace */
	char tmp[ATOMICFILE_PATH_MAX + 16];      /* the temporary; "" when there is none */
};

/*
 * Creates the temporary beside path (mode 0644) and opens af->f on it. HC_EUSAGE when path is
 * too long, HC_ERUNTIME when the temporary cannot be created; af is then closed (af->f NULL).
 */
int atomicfile_open(struct atomicfile *af, const char *path, struct hc_err *err);

/*
 * Flushes, syncs and closes the temporary, then renames it over the path. On any failure
 * (a write error of earlier writes included) the temporary is removed and the path left as
 * it was; HC_ERUNTIME names the path.
 */
int atomicfile_commit(struct atomicfile *af, struct hc_err *err);

/* Closes and removes the temporary, if any; the path is left as it was. Idempotent. */
void atomicfile_abort(struct atomicfile *af);

#endif
