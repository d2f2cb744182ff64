/* lines: a file read one line at a time in bounded memory. Contracts in lines.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/lines.h"

#define LINES_BLOCK ((size_t)1 << 16)

void lines_init(struct lines *l, FILE *f, const char *path, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->f = f;
	l->path = path;
	l->max = max;
}

int lines_open(struct lines *l, const char *path, size_t max, struct hc_err *err)
{
	FILE *f = fopen(path, "r");
	lines_init(l, f, path, max);
	if (!f)
		return hc_err_set(err, errno == ENOENT ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open '%s': %s", path, strerror(errno));
	l->owns_file = 1;
	return 0;
}

/* Reads one more block after buf[end], moving the unread bytes to the front first and
 * growing the buffer up to max + a block. 0, or HC_ERUNTIME. */
static int fill(struct lines *l, struct hc_err *err)
{
	if (l->start) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->cap - l->end < LINES_BLOCK + 1) {
		size_t cap = l->cap ? l->cap * 2 : 2 * LINES_BLOCK;
		if (cap > l->max + 2 * LINES_BLOCK)
			cap = l->max + 2 * LINES_BLOCK;
		char *grown = cap > l->cap ? realloc(l->buf, cap) : l->buf;
		if (!grown)
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		l->buf = grown;
		l->cap = cap;
	}
	size_t n = fread(l->buf + l->end, 1, l->cap - l->end - 1, l->f);
	l->end += n;
	if (n == 0 && ferror(l->f))
		return hc_err_set(err, HC_ERUNTIME, "cannot read '%s': %s", l->path,
				  strerror(errno));
	l->eof = n == 0;
	return 0;
}

/* Drops the rest of an over-long line, up to and including its newline. */
static int skip_line(struct lines *l, struct hc_err *err)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl) {
			l->consumed += nl + 1 - (l->buf + l->start);
			l->start = (size_t)(nl - l->buf) + 1;
			return 0;
		}
		l->consumed += (long long)(l->end - l->start);
		l->start = l->end = 0;
		if (l->eof)
			return 0;
		if (fill(l, err))
			return HC_ERUNTIME;
	}
}

int lines_next(struct lines *l, char **text, size_t *len, int *complete, struct hc_err *err)
{
	size_t scanned = 0; /* bytes of the line already searched for a newline */
	for (;;) {
		size_t avail = l->end - l->start;
		char *nl = avail > scanned ? memchr(l->buf + l->start + scanned, '\n',
						    avail - scanned) : NULL;
		size_t n = nl ? (size_t)(nl - (l->buf + l->start)) : avail;
		if (n > l->max) {
			l->line++;
			if (skip_line(l, err))
				return HC_ERUNTIME;
			return hc_err_set(err, HC_EINPUT, "%s:%ld: a line longer than %zu MiB; "
					  "allowed: lines of at most %zu MiB", l->path, l->line,
					  l->max >> 20, l->max >> 20);
		}
		if (nl || (l->eof && n)) {
			*text = l->buf + l->start;
			(*text)[n] = '\0';
			l->start += n + !!nl;
			l->consumed += (long long)(n + !!nl);
			l->line++;
			*len = n;
			*complete = !!nl;
			return 1;
		}
		if (l->eof)
			return 0;
		scanned = n;
		if (fill(l, err))
			return HC_ERUNTIME;
	}
}

void lines_release(struct lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = l->start = l->end = 0;
	if (l->owns_file && l->f)
		fclose(l->f);
	l->f = NULL;
	l->owns_file = 0;
}
