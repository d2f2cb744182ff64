/*
 * lines: a file read one line at a time in bounded memory, for the line-based readers
 * (traces, JSON Lines provider logs, DGM's logs).
 *
 * getline(3) grows its buffer to the longest line, so one 300 MB line took 624 MB. Here a
 * line longer than the limit is never held: it is read past and reported, and reading goes
 * on with the next line. Memory: the limit plus one 64 KiB block.
 */
#ifndef BASE_LINES_H
#define BASE_LINES_H

#include <stddef.h>
#include <stdio.h>
#include "base/hc_err.h"

/* Bytes of one line, its newline not counted: 16 MiB, far above any real record or log line
 * (the largest seen: 0.7 MB, a line of a DGM agent log). */
#define LINES_MAX ((size_t)16 << 20)

struct lines {
	FILE *f;
	const char *path; /* for messages */
	size_t max;
	char *buf;
	size_t cap, start, end; /* the bytes read but not yet returned: buf[start..end) */
	long line;              /* the number of the line last returned */
	long long consumed;     /* bytes of the lines returned or read past, newlines included
				 * (a reader that starts mid-file sets it and line to where) */
	int eof;
	int owns_file;          /* lines_open opened f: lines_release closes it */
};

/* Starts reading f (the caller opens and closes it) in lines of at most max bytes. */
void lines_init(struct lines *l, FILE *f, const char *path, size_t max);

/*
 * Opens path and starts reading it as lines_init does; lines_release closes it. A missing
 * file is HC_EINPUT, any other failure to open it HC_ERUNTIME, both naming path (which must
 * outlive l).
 */
int lines_open(struct lines *l, const char *path, size_t max, struct hc_err *err);

/*
 * The next line in *text (without its newline, NUL-terminated, valid until the next call)
 * and *len; *complete is 0 for a last line that has no newline. Returns 1, 0 at the end of
 * the file, HC_EINPUT "PATH:LINE: a line longer than N MiB; ..." for a line over the limit
 * (it has been read past: the next call returns the line after it), HC_ERUNTIME when the
 * file cannot be read or memory runs out.
 */
int lines_next(struct lines *l, char **text, size_t *len, int *complete, struct hc_err *err);

/* Frees the buffer, and closes the file when lines_open opened it; safe twice. */
void lines_release(struct lines *l);

#endif
