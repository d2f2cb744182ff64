/*
 * progress: the progress line on stderr while replications run (reports/progress.h has
 * the text). Drawn only when stderr is a terminal and --quiet was not given, so files,
 * pipes and the test suite see exactly what they saw without it; at most four times a
 * second, the first time after a quarter of a second (short work shows nothing), and
 * erased when the work ends, so the terminal keeps only the command's own output.
 *
 * One cli_progress may follow several forecasts in a row (sweep's points, plan's tries):
 * the replications add up.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "sim/replicate.h"

struct cli_progress {
	const char *label;
	int enabled;
	int per_point;          /* plan: show the point being tried */
	unsigned long total;    /* replications of the whole work; 0: not known in advance */
	unsigned long finished; /* replications of the forecasts already complete */
	unsigned long current;  /* replications done in the forecast under way */
	unsigned points;        /* forecasts started */
	double t0, last_draw;
	int drawn;
	struct replicate_progress hook;
};

/* total 0: not known in advance (plan), the line then names the point under way. */
void cli_progress_init(struct cli_progress *p, const char *label, unsigned long total,
		       int quiet);
/* What to give forecast_run: NULL when the line is not drawn. */
const struct replicate_progress *cli_progress_hook(struct cli_progress *p);
/* Erases the line, if one was drawn. Call before printing anything else. */
void cli_progress_end(struct cli_progress *p);

#endif
