/*
 * retime: a recorded trace run again through the engine's resources (sim/) under other
 * conditions: evaluation workers, children per iteration, rate limits, call latency. Gives
 * the new wall time, the utilisation and queue waits of every resource (docs/replay.md,
 * "Re-timing").
 *
 * What the trace records becomes the loop's structure:
 * - a task: an eval_task and the llm_calls of its node, domain and task (any role other
 *   than self_modify), in start order; it holds one of its evaluation's worker slots from
 *   its start_time to its end_time;
 * - a session: the self_modify llm_calls of a node, in start order;
 * - a node: its session, then its evaluation (its tasks, per domain on a pool of workers);
 * - a group: the nodes of one iteration, run in parallel; the next group starts when the
 *   last of its nodes ends.
 * Inside a task or a session the recorded gaps stay: the time before the first call, between
 * one call's end and the next call's start (tool time), and after the last call (the test
 * run). The lead-in of a node (rebuild, parent selection: from its iteration's recorded start
 * to its first activity) stays too. What changes is everything that queues: a task waits for
 * a worker, a call waits for its model's rate limits, and a call lasts its recorded duration
 * or the endpoint's latency. A model routed to a self-hosted fleet (--fleet) has no rate
 * limits: its calls queue for one of the fleet's batch slots and hold it as long as the
 * simulator's fleets do (docs/costs.md, "Fleets in simulate").
 *
 * Memory grows with the number of calls and tasks: the whole structure is held to be run.
 * Deterministic: no randomness; ties in time are broken by the order events were scheduled.
 */
#ifndef REPLAY_RETIME_H
#define REPLAY_RETIME_H

#include <stddef.h>
#include "base/strtab.h"
#include "model/endpoint.h"
#include "model/fleet.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/usage.h"
#include "sim/pool.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "trace/trace.h"

#define RETIME_MAX_WORKERS 100000u
#define RETIME_MAX_CHILDREN 10000u

/* How long a call lasts. */
enum retime_latency {
	RETIME_LATENCY_RECORDED, /* as recorded */
	RETIME_LATENCY_MODEL,    /* its endpoint's latency (endpoint_latency) */
};

/* When a task asks for a worker. */
enum retime_starts {
	RETIME_STARTS_QUEUED,   /* all of an evaluation's tasks at its start, in recorded order */
	RETIME_STARTS_RECORDED, /* each at its recorded offset from the evaluation's start */
};

/* Per-model settings of the endpoint (--rpm M=N and the like). */
enum retime_param { RETIME_RPM, RETIME_TPM, RETIME_TTFT, RETIME_DECODE, RETIME_PARAM_COUNT };

struct retime_setting {
	enum retime_param param;
	char model[TRACE_STR_MAX];
	double value;
};

/* "rpm", "tpm", "ttft", "decode" */
const char *retime_param_name(enum retime_param p);

/*
 * Parses "MODEL=VALUE" for param into s. HC_EINPUT with "got '...'; allowed: ..." (the
 * caller prefixes the option's name) when the text is not of that form or the value is out
 * of range: rpm, tpm and decode > 0, ttft >= 0.
 */
int retime_setting_parse(struct retime_setting *s, enum retime_param param, const char *text,
			 struct hc_err *err);

/* --fleet MODEL=NAME: the trace's calls to MODEL served by the fleet NAME. */
struct retime_route {
	char model[TRACE_STR_MAX];
	char fleet[SCENARIO_NAME_MAX];
};

/* Parses "MODEL=NAME"; HC_EINPUT with "got '...'; allowed: ..." otherwise. */
int retime_route_parse(struct retime_route *r, const char *text, struct hc_err *err);

struct retime_conf {
	unsigned eval_workers; /* workers per evaluation; 0: each one's recorded concurrency */
	unsigned children;     /* nodes run in parallel; 0: as the trace's iterations group them */
	enum retime_starts starts;
	enum retime_latency latency;
	const struct retime_setting *settings;
	size_t n_settings;
	/*
	 * Model names resolve through this sheet (aliases: "o3-mini-2025-01-31" is "o3-mini"),
	 * else they are compared as written; may be NULL. It also prices the calls a fleet
	 * takes over, for the comparison.
	 */
	const struct price_sheet *ps;
	const struct retime_route *routes;
	size_t n_routes;
	const struct scenario *fleets_from; /* whose fleets[] the routes name */
};

/* A self-hosted fleet the run routed models to, and what it did. */
struct retime_fleet {
	const char *name;
	struct fleet lf;            /* sized for the mean call routed to it */
	struct pool slots;          /* replicas × batch */
	struct fleet_result result; /* GPU-hours over the re-timed wall time, cost, ... */
	size_t calls_without_usage; /* these keep their recorded duration */
	double api_cost_usd;        /* its calls at the sheet's API prices */
	size_t unpriced;            /* its calls without usage or price: not in api_cost_usd */
};

/* One model's endpoint during the run, and what it saw. */
struct retime_endpoint {
	const char *model;      /* the sheet's name, else the trace's */
	struct endpoint e;      /* rpm, tpm (0: no limit), ttft, decode (NAN: not given) */
	struct endpoint_limits limits;
	size_t calls;
	size_t delayed;         /* calls that waited for a rate limit */
	int fleet;              /* index into the run's fleets, or -1: the API */
	struct welford wait;    /* seconds from request to start, one sample per call */
	double tokens;          /* input + output of the calls with usage */
	double busy_seconds;    /* sum of call durations */
};

struct retime_call;
struct retime_chain;
struct retime_eval;
struct retime_node;

struct retime {
	struct retime_conf conf;
	struct strtab nodes_tab; /* node names: id = node index */
	struct strtab names;     /* domains and tasks */
	struct strtab keys;      /* chain keys: id = chain index */
	struct strtab models;    /* id = endpoint index */
	struct retime_call *calls;
	size_t n_calls, cap_calls;
	struct retime_chain *chains;
	size_t n_chains, cap_chains;
	struct retime_node *nodes;
	size_t n_nodes, cap_nodes;
	struct retime_eval *evals;
	size_t n_evals;
	size_t *task_order;      /* task chains by evaluation, then recorded start */
	size_t *node_order;      /* nodes in run order: those with a session or tasks */
	size_t n_active;
	size_t *group_first;     /* group g holds node_order[group_first[g] .. group_first[g+1]) */
	size_t n_groups;
	size_t *rows;            /* chains in run order (retime_row) */
	size_t n_rows;
	struct retime_endpoint *endpoints;
	size_t n_endpoints;
	struct retime_fleet *fleets;
	size_t n_fleets;
	size_t n_fleet_pools;    /* fleets whose slots are initialised */
	size_t n_pools;          /* evaluations whose pool is initialised */
	struct sim sim;
	double first_start;      /* the recorded start of the first group */
	size_t group;            /* the group running */
	size_t group_pending;    /* its nodes not yet ended */

	/* Results. Times are seconds from origin, the earliest recorded time. */
	double origin;           /* Unix seconds */
	double recorded_wall, wall;
	double recorded_eval, eval; /* sums over evaluations of first task start to last end */
	double recorded_idle_worker_seconds; /* see eval_recorded in retime.c */
	unsigned workers_min, workers_max;   /* servers of the evaluations' pools */
	size_t max_children;     /* nodes of the largest group */
	size_t tasks;
	struct welford task_wait; /* seconds a task waited for a worker */
	double task_busy_seconds, worker_capacity_seconds;
	size_t calls_without_end;   /* their duration and the tool time after are one block */
	size_t calls_kept_recorded; /* --latency model on a call without usage */
	size_t overlapping_calls;   /* started before the previous call of their chain ended */
	size_t untimed_tasks;       /* eval_task without start_time and end_time */
};

/*
 * Reads the trace at path (with skip_bad as the replay's reader), builds the structure and
 * runs it under conf. HC_EINPUT for a call without start_time (naming the line), a setting
 * or route that names a model the trace does not have (naming the trace's models), a route
 * to a fleet conf.fleets_from lacks or that cannot be sized, a rate limit on a routed model,
 * or --latency model without ttft and decode for an API model. rt is released on failure.
 */
int retime_run(struct retime *rt, const char *path, int skip_bad,
	       const struct retime_conf *conf, struct hc_err *err);

void retime_release(struct retime *rt);

/* A session or a task as recorded and as re-timed, for retime.csv. */
struct retime_row {
	const char *kind;         /* "session" or "task" */
	const char *node, *domain, *task;
	long iteration;
	size_t group;
	size_t calls;
	unsigned workers;         /* tasks: servers of their evaluation; sessions: 0 */
	double recorded_start, recorded_end, start, end, wait;
};

/* Row i < rt->n_rows, in run order: group by group, each node's session, then its tasks. */
void retime_row(const struct retime *rt, size_t i, struct retime_row *row);

#endif
