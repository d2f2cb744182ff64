/*
 * replay_report: the results files of `hypercap replay`: summary.json (the keys of
 * simulate's summary that apply, plus by_domain and by_iteration; docs/replay.md) and
 * calls.csv (one row per recorded call with its cost), iterations.csv and timeseries.csv
 * (the calls per iteration and per hour), and with --retime the summary's "retime" object and
 * retime.csv. The trace is re-priced (and re-timed) as the files are written, so a trace of
 * any length takes the memory of its tally.
 */
#ifndef REPORTS_REPLAY_REPORT_H
#define REPORTS_REPLAY_REPORT_H

#include <stdio.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "model/prices.h"
#include "model/scenario.h"
#include "replay/reprice.h"
#include "replay/retime.h"
#include "replay/tally.h"
#include "reports/focus.h"
#include "reports/results_dir.h"
#include "trace/trace.h"

/* What a replay's results directory is made of; the caller owns every part. */
struct replay_report_input {
	const char *trace;           /* the trace's path: the FOCUS account's name, re-timing */
	int skip_bad;                /* the re-timing reads the trace again as r did */
	struct reprice *rp;          /* reprice_init'ed on the price sheet; filled here */
	struct trace_reader *r;      /* open on trace; read through here */
	struct retime *rt;           /* zeroed, to be run and filled; NULL: no re-timing */
	const struct retime_conf *conf;     /* with rt: the conditions (ps and fleets_from
					       are set here) */
	const struct scenario *fleets_from; /* with rt: the fleets --fleet names; or NULL */
};

/*
 * Re-prices the trace while writing calls.csv and costs_focus.csv, then iterations.csv,
 * timeseries.csv, with rt the re-timing and retime.csv, and summary.json into rd (not the
 * plots or report.html). Errors are reprice_trace's and retime_run's (HC_EINPUT for the
 * trace) and the results directory's (HC_ERUNTIME). rp and rt keep their totals for the
 * caller to print; rt is released by the caller, as after retime_run.
 */
int replay_report_write_all(struct results_dir *rd, const struct replay_report_input *in,
			    struct hc_err *err);

#endif
