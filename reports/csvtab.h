/*
 * csvtab: a results-directory CSV file read whole into memory (libcsv), for the plots and the
 * report, which read back what the commands wrote.
 *
 * The first row is the header. Cells are NUL-terminated strings owned by the table; an empty
 * cell is NULL. Every row must have the header's number of fields. Sizes are those of a
 * results directory (thousands of rows), so the whole file is kept.
 */
#ifndef REPORTS_CSVTAB_H
#define REPORTS_CSVTAB_H

#include <stddef.h>
#include "base/hc_err.h"

struct csvtab {
	char path[4096]; /* named in messages */
	size_t n_cols, n_rows;
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

/* The column named name, or -1. */
int csvtab_col(const struct csvtab *t, const char *name);

/* Like csvtab_col, but a missing column is HC_EINPUT naming the file and the column. */
int csvtab_need(const struct csvtab *t, const char *name, int *col, struct hc_err *err);

/* The cell at row, col (NULL when empty). */
const char *csvtab_cell(const struct csvtab *t, size_t row, int col);

/*
 * Reads the cell as a finite number into *out; an empty cell gives NAN. A cell that is not
 * a number is HC_EINPUT naming the file, the line (row + 2: the header is line 1), the
 * column and the value.
 */
int csvtab_num(const struct csvtab *t, size_t row, int col, double *out, struct hc_err *err);

#endif
