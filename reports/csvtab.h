/*
 * csvtab: a results-directory CSV file read back (libcsv), for the plots and the report:
 * whole into memory (csvtab_load), or one row at a time (csvtab_each) for a file with rows
 * per replication, which grows with replications (iterations.csv: 1M rows for 10,000
 * replications of the paper preset).
 *
 * The first row is the header. Cells are NUL-terminated strings owned by the table; an empty
 * cell is NULL. Every row must have the header's number of fields.
 */
#ifndef REPORTS_CSVTAB_H
#define REPORTS_CSVTAB_H

#include <stddef.h>
#include "base/hc_err.h"

struct csvtab {
	char path[4096]; /* named in messages */
	size_t n_cols, n_rows;
	size_t row0;   /* the file's row (after the header) of row 0: csvtab_each's count */
	char **header; /* n_cols names */
	char **cells;  /* n_rows * n_cols, row-major; NULL = empty */
};

/*
 * Reads path. HC_EINPUT names the file and line for a malformed file (quoting, a row with
 * the wrong number of fields, no header); HC_ERUNTIME for I/O and memory. The table is
 * released on failure.
 */
int csvtab_load(struct csvtab *t, const char *path, struct hc_err *err);

void csvtab_release(struct csvtab *t);

/* What csvtab_each calls for each row; a nonzero return stops the reading. */
typedef int (*csvtab_row_fn)(const struct csvtab *t, void *ctx, struct hc_err *err);

/*
 * Reads path in one pass, calling fn once per row after the header with a table holding the
 * header and that row alone (n_rows 1, row0 its index, so messages name the file's line),
 * valid during the call. Memory is one row and the header, whatever the file's length.
 * Returns fn's nonzero return, or csvtab_load's errors.
 */
int csvtab_each(const char *path, csvtab_row_fn fn, void *ctx, struct hc_err *err);

/* The column named name, or -1. */
int csvtab_col(const struct csvtab *t, const char *name);

/* Like csvtab_col, but a missing column is HC_EINPUT naming the file and the column. */
int csvtab_need(const struct csvtab *t, const char *name, int *col, struct hc_err *err);

/* The cell at row, col (NULL when empty). */
const char *csvtab_cell(const struct csvtab *t, size_t row, int col);

/*
 * Reads the cell as a finite number into *out; an empty cell gives NAN. A cell that is not
 * a number is HC_EINPUT naming the file, the line (row0 + row + 2: the header is line 1),
 * the column and the value.
 */
int csvtab_num(const struct csvtab *t, size_t row, int col, double *out, struct hc_err *err);

#endif
