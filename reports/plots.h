/*
 * plots: the six plots of a results directory, drawn by gnuplot through a pipe, each as
 * <name>.png (pngcairo) and <name>.svg. Data goes to gnuplot inline (datablocks), computed
 * by plotdata from the directory's files; docs/report.md describes every plot.
 *
 * A plot whose input file is absent is skipped, not an error; a malformed input is
 * HC_EINPUT naming the file; gnuplot failing (exit status not 0) is HC_ERUNTIME with its
 * first line of complaint.
 */
#ifndef REPORTS_PLOTS_H
#define REPORTS_PLOTS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

enum plot_id { PLOT_TOKENS, PLOT_COSTS, PLOT_CROSSOVER, PLOT_ARCHIVE, PLOT_CRITICAL_PATH,
	       PLOT_MONTHLY, PLOT_SENSITIVITY, PLOT_COUNT };

/* The file stem ("tokens") and a caption ("Cumulative tokens by role"). */
const char *plot_name(enum plot_id id);
const char *plot_caption(enum plot_id id);

/*
 * Finds an executable "gnuplot" in the directories of $PATH; 0 and its path, or -1 when
 * there is none.
 */
int plots_find_gnuplot(char *path, size_t size);

struct plots_result {
	int drawn[PLOT_COUNT];
	/* Per plot: why it was skipped, or what a reader should know (the growth law). */
	char note[PLOT_COUNT][512];
};

/*
 * Draws every plot whose inputs are in dir into out_dir (which exists), with gnuplot at
 * the given path. summary is dir's summary.json (scenario name and date for the titles,
 * costs, the crossover object).
 */
int plots_draw(const char *dir, const char *out_dir, const char *gnuplot, const cJSON *summary,
	       struct plots_result *res, struct hc_err *err);

#endif
