/* csvtab: a results CSV read back whole or row by row (libcsv). Contracts in csvtab.h. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "reports/csvtab.h"

/*
 * What the libcsv callbacks fill: the row being read, then the table's rows; or, with fn
 * (csvtab_each), the row's fields in text (at off), handed to fn and dropped.
 */
struct loader {
	struct csvtab *t;
	char **row;
	size_t n_row, cap_row, cap_cells;
	csvtab_row_fn fn;
	void *ctx;
	char *text;
	size_t n_text, cap_text, *off, cap_off; /* off: a field's offset + 1 in text, 0 empty */
	int rc;
	struct hc_err *err;
};

/* csvtab_each: a field into one buffer reused row after row, no allocation per cell. */
static int push_text(struct loader *l, const char *s, size_t len)
{
	size_t *off = array_room(l->off, l->n_row, &l->cap_off, sizeof(*off));
	char *text = off ? array_room(l->text, l->n_text + len, &l->cap_text, 1) : NULL;
	if (off)
		l->off = off;
	if (!text)
		return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
	l->text = text;
	l->off[l->n_row++] = s && len ? l->n_text + 1 : 0;
	if (s && len) {
		memcpy(l->text + l->n_text, s, len);
		l->n_text += len;
	}
	l->text[l->n_text++] = '\0';
	return 0;
}

static int push_field(struct loader *l, const char *s, size_t len)
{
	char **row = array_room(l->row, l->n_row, &l->cap_row, sizeof(*row));
	if (!row)
		return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
	l->row = row;
	char *copy = NULL;
	if (s && len) {
		copy = malloc(len + 1);
		if (!copy)
			return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	l->row[l->n_row++] = copy;
	return 0;
}

static void on_field(void *s, size_t len, void *data)
{
	struct loader *l = data;
	if (!l->rc)
		l->rc = l->fn && l->t->header ? push_text(l, s, len) : push_field(l, s, len);
}

static int keep_header(struct loader *l)
{
	struct csvtab *t = l->t;
	for (size_t i = 0; i < l->n_row; i++)
		if (!l->row[i])
			return hc_err_set(l->err, HC_EINPUT, "%s: line 1: column %zu has no name; "
					  "allowed: a header row naming every column", t->path,
					  i + 1);
	t->header = l->row;
	t->n_cols = l->n_row;
	l->row = NULL;
	l->n_row = l->cap_row = 0;
	return 0;
}

/* csvtab_each: the row read, as the one row of the table, to fn. */
static int hand_row(struct loader *l)
{
	struct csvtab *t = l->t;
	char **row = array_room(l->row, t->n_cols, &l->cap_row, sizeof(*row));
	if (!row)
		return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
	l->row = row;
	for (size_t i = 0; i < t->n_cols; i++)
		row[i] = l->off[i] ? l->text + l->off[i] - 1 : NULL;
	t->cells = row;
	t->n_rows = 1;
	int rc = l->fn(t, l->ctx, l->err);
	t->cells = NULL;
	t->n_rows = 0;
	t->row0++;
	l->n_row = l->n_text = 0;
	return rc;
}

static int keep_row(struct loader *l)
{
	struct csvtab *t = l->t;
	if (l->n_row != t->n_cols)
		return hc_err_set(l->err, HC_EINPUT, "%s: line %zu: %zu fields; allowed: %zu, as "
				  "in the header", t->path, t->row0 + t->n_rows + 2, l->n_row,
				  t->n_cols);
	if (l->fn)
		return hand_row(l);
	if ((t->n_rows + 1) * t->n_cols > l->cap_cells) {
		size_t cap = array_capacity(l->cap_cells, (t->n_rows + 1) * t->n_cols,
					    64 * t->n_cols, sizeof(char *));
		char **p = cap ? realloc(t->cells, cap * sizeof(*p)) : NULL;
		if (!p)
			return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
		t->cells = p;
		l->cap_cells = cap;
	}
	memcpy(t->cells + t->n_rows * t->n_cols, l->row, t->n_cols * sizeof(*l->row));
	t->n_rows++;
	l->n_row = 0;
	return 0;
}

static void on_row(int c, void *data)
{
	struct loader *l = data;
	(void)c;
	int text = l->fn && l->t->header;
	if (!l->rc)
		l->rc = l->t->header ? keep_row(l) : keep_header(l);
	for (size_t i = 0; !text && i < l->n_row; i++) /* fields not kept: a failed row */
		free(l->row[i]);
	l->n_row = l->n_text = 0;
}

static int parse_file(FILE *f, struct loader *l)
{
	struct csv_parser p;
	char buf[1 << 16];
	size_t n;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
		return hc_err_set(l->err, HC_ERUNTIME, "out of memory");
	while (!l->rc && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, l) != n && !l->rc)
			l->rc = hc_err_set(l->err, HC_EINPUT, "%s: line %zu: %s", l->t->path,
					   l->t->row0 + l->t->n_rows + 2 - !l->t->header,
					   csv_strerror(csv_error(&p)));
	if (!l->rc && ferror(f))
		l->rc = hc_err_set(l->err, HC_ERUNTIME, "cannot read '%s'", l->t->path);
	if (!l->rc && csv_fini(&p, on_field, on_row, l) && !l->rc)
		l->rc = hc_err_set(l->err, HC_EINPUT, "%s: the last line ends inside a quoted "
				   "field", l->t->path);
	csv_free(&p);
	return l->rc;
}

/* Reads path into t (whole, or row by row to l's fn). */
static int load(struct csvtab *t, const char *path, struct loader *l)
{
	struct hc_err *err = l->err;
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return hc_err_set(err, errno == ENOENT ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open '%s': %s", path, strerror(errno));
	int rc = parse_file(f, l);
	fclose(f);
	for (size_t i = 0; !(l->fn && t->header) && i < l->n_row; i++)
		free(l->row[i]);
	free(l->row);
	free(l->text);
	free(l->off);
	if (!rc && !t->header)
		rc = hc_err_set(err, HC_EINPUT, "%s: empty file; allowed: a header row and rows",
				path);
	if (rc)
		csvtab_release(t);
	return rc;
}

int csvtab_load(struct csvtab *t, const char *path, struct hc_err *err)
{
	struct loader l = { .t = t, .err = err };
	return load(t, path, &l);
}

int csvtab_each(const char *path, csvtab_row_fn fn, void *ctx, struct hc_err *err)
{
	struct csvtab t;
	struct loader l = { .t = &t, .fn = fn, .ctx = ctx, .err = err };
	int rc = load(&t, path, &l);
	csvtab_release(&t);
	return rc;
}

void csvtab_release(struct csvtab *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	for (size_t i = 0; t->header && i < t->n_cols; i++)
		free(t->header[i]);
	free(t->cells);
	free(t->header);
	t->cells = t->header = NULL;
	t->n_rows = t->n_cols = 0;
}

int csvtab_col(const struct csvtab *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}

int csvtab_need(const struct csvtab *t, const char *name, int *col, struct hc_err *err)
{
	*col = csvtab_col(t, name);
	if (*col < 0)
		return hc_err_set(err, HC_EINPUT, "%s: line 1: no column '%s'; allowed: the "
				  "columns docs/output.md lists", t->path, name);
	return 0;
}

const char *csvtab_cell(const struct csvtab *t, size_t row, int col)
{
	return t->cells[row * t->n_cols + (size_t)col];
}

int csvtab_num(const struct csvtab *t, size_t row, int col, double *out, struct hc_err *err)
{
	const char *s = csvtab_cell(t, row, col);
	char *end;
	if (!s) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(*out))
		return hc_err_set(err, HC_EINPUT, "%s: line %zu: column '%s': '%.40s' is not a "
				  "number; allowed: a finite number or an empty cell", t->path,
				  t->row0 + row + 2, t->header[col], s);
	return 0;
}
