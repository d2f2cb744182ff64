/* progress: the text of the progress line of long work. Contracts in progress.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "reports/progress.h"

double progress_rate(double done, double elapsed_s)
{
	return done > 0 && elapsed_s > 0 ? done / elapsed_s : 0;
}

double progress_eta(double done, double total, double elapsed_s)
{
	double rate = progress_rate(done, elapsed_s);
	if (rate <= 0)
		return -1;
	return done >= total ? 0 : (total - done) / rate;
}

const char *progress_duration(double seconds, char *buf, size_t size)
{
	if (!(seconds >= 0) || !isfinite(seconds)) {
		snprintf(buf, size, "-:--");
		return buf;
	}
	unsigned long s = (unsigned long)(seconds + 0.5);
	if (s >= 3600)
		snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
	return buf;
}

/* Three significant digits at most, never an exponent: 0.412, 4.12, 41.2, 412, 4120. */
static void format_rate(char *buf, size_t size, double rate)
{
	snprintf(buf, size, rate >= 100 ? "%.0f" : rate >= 10 ? "%.1f" : "%.2f", rate);
}

const char *progress_format(char *buf, size_t size, const char *label, unsigned long done,
			    unsigned long total, double elapsed_s)
{
	char rate[32], left[32], bar[PROGRESS_BAR_WIDTH + 1];
	format_rate(rate, sizeof(rate), progress_rate((double)done, elapsed_s));
	if (!total) {
		snprintf(buf, size, "%s  %lu replications  %s/s", label, done, rate);
		return buf;
	}
	unsigned long shown = done < total ? done : total;
	size_t filled = (size_t)(PROGRESS_BAR_WIDTH * shown / total);
	memset(bar, '#', filled);
	memset(bar + filled, '-', PROGRESS_BAR_WIDTH - filled);
	bar[PROGRESS_BAR_WIDTH] = '\0';
	progress_duration(progress_eta((double)done, (double)total, elapsed_s), left,
			  sizeof(left));
	snprintf(buf, size, "%s [%s]  %lu/%lu replications  %s/s  %s left", label, bar, done,
		 total, rate, left);
	return buf;
}
