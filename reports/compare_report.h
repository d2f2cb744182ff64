/*
 * compare_report: compare's report.html (docs/compare.md, "The report"), one self-contained
 * page (inline CSS and SVG, no scripts, nothing fetched): per variant a bar chart of the
 * change in each part of the bill, per run and per month of the steady state, with the P10
 * to P90 of the paired difference as whiskers, the figures as a table, and the variant's
 * crossover verdict beside the base's. It draws only what compare.csv and compare.json hold.
 */
#ifndef REPORTS_COMPARE_REPORT_H
#define REPORTS_COMPARE_REPORT_H

#include <stdio.h>
#include "reports/compare_out.h"

/* Writes the page; the caller checks out for write errors. */
void compare_report_write(FILE *out, const struct compare_out *c);

#endif
