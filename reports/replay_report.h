/*
 * replay_report: the results files of `hypercap replay`: summary.json (the keys of
 * simulate's summary that apply, plus by_domain and by_iteration; docs/replay.md) and
 * calls.csv (one row per recorded call with its cost), iterations.csv and timeseries.csv
 * (the calls per iteration and per hour), and with --retime the summary's "retime" object and
 * retime.csv. These only format what reprice, tally and retime computed.
 */
#ifndef REPORTS_REPLAY_REPORT_H
#define REPORTS_REPLAY_REPORT_H

#include <stdio.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "model/prices.h"
#include "replay/reprice.h"
#include "replay/retime.h"
#include "replay/tally.h"
#include "reports/focus.h"
#include "trace/trace.h"

/* The summary tree (caller deletes); r is the reader the trace was read with. */
cJSON *replay_summary_build(const struct reprice *rp, const struct trace_reader *r);

/* The summary's "retime" object (caller deletes; docs/replay.md, "Re-timing"). */
cJSON *replay_retime_json(const struct retime *rt);

/* Writes retime.csv: a header, then one row per session and task (struct retime_row). */
void replay_retime_csv(FILE *out, const struct retime *rt);

/*
 * One costs_focus.csv row per priced call (docs/focus.md): its period is the call's start to
 * end (whole seconds), or one second at `undated` when the trace gives no times.
 */
void replay_focus_row(FILE *out, const struct focus_account *acc, const struct trace_llm_call *c,
		      const struct price *p, double cost, time_t undated);

/* Writes iterations.csv: one row per iteration the calls name (t sorted). */
void replay_iterations_csv(FILE *out, const struct tally *t);

/*
 * Writes timeseries.csv: one row per hour from the first call's to the last's (hours
 * without calls are zeros; above TALLY_MAX_SPAN_HOURS only hours with calls), t sorted.
 */
void replay_timeseries_csv(FILE *out, const struct tally *t);

/* Writes calls.csv's header. */
void replay_calls_header(FILE *out);

/* Writes one call's row; p NULL and cost NAN for a call without usage (empty cells). */
void replay_calls_row(FILE *out, long line, const struct trace_llm_call *c,
		      const struct price *p, double cost);

#endif
