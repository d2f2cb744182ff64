/*
 * report: the pictures of a results directory, drawn from the files in it: plots/ (five
 * plots as PNG and SVG, through gnuplot) and report.html (docs/report.md).
 *
 * Commands call report_render on their temporary results directory before it is renamed
 * into place; `hypercap report DIR` calls it on a finished one. Either way the new plots/
 * and report.html are written beside the files first (in DIR/.report-XXXXXX) and moved in
 * only when whole, so a failure leaves DIR as it was.
 */
#ifndef REPORTS_REPORT_H
#define REPORTS_REPORT_H

#include "base/hc_err.h"
#include "reports/plots.h"

/* The one line a command prints (to stderr) when gnuplot_missing is set. */
#define REPORT_NO_GNUPLOT "plots skipped: gnuplot is not on PATH (Debian: apt-get install " \
			  "gnuplot-nox); report.html was written without them"

struct report_result {
	int gnuplot_missing; /* no plots were drawn and plots/ was left alone */
	struct plots_result plots;
};

/*
 * Draws dir's plots and writes dir/report.html. Without gnuplot on PATH: the page without
 * plots and gnuplot_missing set, or HC_ERUNTIME when require_plots. HC_EINPUT when dir has
 * no summary.json or an input file is malformed (the message names it).
 */
int report_render(const char *dir, int require_plots, struct report_result *res,
		  struct hc_err *err);

#endif
