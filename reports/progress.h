/*
 * progress: the text of the progress line of long work (replications on a terminal): a
 * bar, how many of how many are done, the rate and the time left. It only formats; cli/
 * decides when to draw and prints (docs/output.md, "Progress").
 *
 * rate = done / elapsed, averaged since the start (a steady figure, as replications of one
 * scenario take about the same time); time left = (total - done) / rate.
 */
#ifndef REPORTS_PROGRESS_H
#define REPORTS_PROGRESS_H

#include <stddef.h>

#define PROGRESS_BAR_WIDTH 20

/* done / elapsed_s; 0 when nothing is done or no time has passed. */
double progress_rate(double done, double elapsed_s);

/* Seconds left at the average rate; a negative value when unknown (nothing done yet). */
double progress_eta(double done, double total, double elapsed_s);

/* Seconds as "m:ss", or "h:mm:ss" from an hour; "-:--" when negative or not finite. */
const char *progress_duration(double seconds, char *buf, size_t size);

/*
 * "LABEL [#######-------------]  350/1000 replications  41.2/s  0:15 left" into buf; with
 * total 0 (not known in advance) "LABEL  350 replications  41.2/s", without bar or time
 * left. Returns buf, cut to size when too long.
 */
const char *progress_format(char *buf, size_t size, const char *label, unsigned long done,
			    unsigned long total, double elapsed_s);

#endif
