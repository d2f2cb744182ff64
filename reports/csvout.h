/*
 * csvout: the cells of the results CSVs, written one after another. Every cell but a row's
 * first starts with its comma, so a row is its first cell (written by the caller) followed
 * by csvout calls, then "\n". Text is quoted as RFC 4180 wants (libcsv's csv_fwrite:
 * always in double quotes, its quotes doubled), so a name with a comma or a quote in it
 * stays one cell; csvtab reads the files back.
 */
#ifndef REPORTS_CSVOUT_H
#define REPORTS_CSVOUT_H

#include <stdio.h>

/*
 * A comma, then s in quotes ("" for an empty s); NULL is an empty cell (no quotes). Text that
 * starts with '=', '+', '-', '@', a tab or a carriage return, which a spreadsheet would run as
 * a formula (=HYPERLINK(...) in a task name), gets a single quote before it (OWASP's rule for
 * CSV injection): "'=HYPERLINK(...)". Only text cells: numbers go through csvout_num.
 */
void csvout_text(FILE *out, const char *s);

/*
 * A comma, then v printed with fmt (one printf conversion of a double, e.g. "%.10g"); the
 * cell is empty when v is not finite (a figure that does not apply). Where fmt would write an
 * exponent for a value of 1 or more (%.10g from 10^10 on), v is written in digits, rounded to
 * a whole number ("%.0f"): a count of tokens or bytes keeps every digit.
 */
void csvout_num(FILE *out, double v, const char *fmt);

#endif
