/*
 * numfmt: numbers as the plots and report.html show them to a person: counts with a
 * suffix (88.6M, 4.35B), bytes in decimal units (329 MB) and dollars with thousands
 * separators ($1,064.78). Each writes into buf and returns it; a value that is not finite
 * (a figure that is absent) is "–".
 */
#ifndef REPORTS_NUMFMT_H
#define REPORTS_NUMFMT_H

#include <stddef.h>

/* Three significant digits and k, M, B or T (10^3 .. 10^12); below 1000 a whole number. */
const char *numfmt_count(double n, char *buf, size_t size);

/* Three significant digits and B, kB, MB, GB, TB or PB (powers of 1000). */
const char *numfmt_bytes(double n, char *buf, size_t size);

/*
 * "$1,064.78"; negative amounts "-$3.00"; amounts below half a cent (that would read
 * "$0.00") with two significant digits: "$0.00045".
 */
const char *numfmt_usd(double usd, char *buf, size_t size);

#endif
