/*
 * fitbase: the base scenario of a fit, which gives every field the trace does not inform, and
 * which of those fields are cost-relevant (docs/fit.md, "The base").
 *
 * The base follows the loop that wrote the trace, as its header's "loop" says
 * (trace/trace.h): a DGM trace gets the embedded DGM preset (data/scenarios/dgm-polyglot.json),
 * a DGM-H trace the embedded HyperAgents preset (hyperagents-paper.json), and so does a trace
 * whose header names no loop or another one. A base the caller names (--base) wins.
 */
#ifndef FIT_FITBASE_H
#define FIT_FITBASE_H

#include <cjson/cJSON.h>
#include "base/hc_err.h"
#include "model/scenario.h"

/* Why the base is what it is. */
enum fitbase_why {
	FITBASE_GIVEN,   /* the caller named it */
	FITBASE_LOOP,    /* the preset of the loop the trace's header names */
	FITBASE_DEFAULT, /* the header names no loop hypercap has a preset for */
};

/*
 * Loads the base into sc: path when not NULL, else the preset for loop (TRACE_LOOP_DGM,
 * TRACE_LOOP_DGMH; "" or another: the HyperAgents preset), and says which in *why. Errors as
 * scenario_load's.
 */
int fitbase_load(struct scenario *sc, const char *path, const char *loop,
		 enum fitbase_why *why, struct hc_err *err);

/*
 * 1 when the scenario field at path (as the fit report spells it: "costs.vcpu_hour_usd",
 * "domains.<name>.task.calls") enters the cost formulas of docs/costs.md: a price, or a count
 * of tokens, calls, tasks, bytes or billed sandbox seconds those formulas multiply, or what
 * picks a call's rates (model, batch, fleet). Fields that only set how long something takes
 * (latency, tool seconds, workers, timeouts) are not, nor cache_hit_rate when section (the
 * object holding the field) has caching "off", nor cache_write_ttl unless it is "explicit".
 */
int fitbase_cost_relevant(const char *path, const cJSON *section);

#endif
