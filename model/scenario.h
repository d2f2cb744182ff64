/*
 * scenario: what a simulated run looks like, loaded from JSON and checked field by field.
 *
 * Each section of the file (top level, self_modification, domains[], domains[].task,
 * models[], archive) is described by one table of fields {name, type, default, limits, unit,
 * help} in scenario.c. That table drives parsing, validation, defaults, the effective-config
 * dump (scenario_to_json) and the reference in docs/scenario.md (scenario_reference).
 *
 * Ownership: a struct scenario owns everything it points to; scenario_release frees it.
 */
#ifndef MODEL_SCENARIO_H
#define MODEL_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"
#include "model/endpoint.h"
#include "sim/rng.h"

#define SCENARIO_NAME_MAX 96
#define SCENARIO_MAX_DOMAINS 16
#define SCENARIO_MAX_MODELS 32
#define SCENARIO_MAX_FLEETS 8

enum parent_rule { PARENT_PAPER, PARENT_DGMH_CODE, PARENT_DGM_CODE };
enum eval_mode { EVAL_STAGED, EVAL_FULL };
enum caching { CACHING_OFF, CACHING_AUTOMATIC, CACHING_EXPLICIT };
enum cache_ttl { CACHE_TTL_5M, CACHE_TTL_1H };

/* The token and tool-time model of one agentic LLM session (docs/model.md, "Sessions"). */
struct session_params {
	char calibrated_for[SCENARIO_NAME_MAX]; /* the model the sizes are for; "": the role's */
	struct dist calls;              /* LLM calls in the session */
	unsigned max_calls;
	struct dist prompt_tokens;      /* the first call's input */
	struct dist output_tokens;      /* per call, before the cap */
	unsigned max_output_tokens;
	double reasoning_fraction;      /* of output; not carried into the next call's context */
	struct dist tool_result_tokens; /* appended to the context after each call */
	struct dist tool_seconds;       /* tool execution after each call */
	enum caching caching;
	double cache_hit_rate;          /* share of the repeated prefix read from the cache */
	enum cache_ttl cache_write_ttl; /* the cache explicit caching writes */
};

/* Where a role's calls go: its model's API, the API's batch mode, or a self-hosted fleet. */
struct route {
	char fleet[SCENARIO_NAME_MAX];  /* "": the API */
	int batch;                      /* through the provider's batch API */
	double batch_latency_hours;     /* a batched call's answer arrives this much later */
	int batch_worker_waits;         /* the caller holds its sandbox while a batch is pending */
};

struct self_modification {
	char model[SCENARIO_NAME_MAX];
	struct route route;
	struct session_params session;
	double timeout_hours;
	double compile_failure_rate;
	struct dist compile_seconds;
	struct dist patch_bytes;
};

struct domain {
	char name[SCENARIO_NAME_MAX];
	char model[SCENARIO_NAME_MAX];
	struct route route;
	unsigned screen_tasks, full_tasks, eval_workers;
	unsigned gate_min_passed;       /* screen tasks that must pass for the rest to run */
	double initial_score;           /* the initial agent's chance to solve a task */
	struct dist improvement;        /* the step at initial_score (model/score.h) */
	double score_ceiling;           /* the best chance the benchmark allows */
	struct dist sandbox_seconds;    /* a task's test run after the agent finishes */
	struct dist artifact_bytes;     /* logs and results a task leaves in the archive */
	double sandbox_gpus;            /* GPUs a task's sandbox holds (simulators) */
	struct session_params task;
};

/* models[]: struct endpoint (model/endpoint.h) */
_Static_assert(ENDPOINT_NAME_MAX == SCENARIO_NAME_MAX, "an endpoint's name is a scenario name");

/* A self-hosted fleet that roles can be routed to (docs/costs.md, "Fleets in simulate"). */
struct fleet_spec {
	char name[SCENARIO_NAME_MAX];
	char serve_model[SCENARIO_NAME_MAX]; /* a serving sheet model */
	int precision;                  /* enum precision (model/fleet.h) */
	char gpu[SCENARIO_NAME_MAX];
	unsigned gpus_per_replica;      /* 0: the smallest tensor-parallel size that fits */
	unsigned replicas;              /* provisioned for the whole run */
	int pricing;                    /* enum gpu_pricing (model/fleet.h) */
	double gpu_hour_usd;            /* 0: the GPU sheet's price for the pricing mode */
	double ttft_seconds;            /* scheduling and network overhead per call */
	double request_input_tokens;    /* the shape the replica is sized for; 0: derived */
	double request_output_tokens;
};

struct archive_params {
	double root_bytes;              /* the initial agent's repository */
	double node_metadata_bytes;     /* per node, besides patch and artifacts */
	int copy_run_dir;               /* rebuild copies the whole run directory (DGM-H) */
	double read_bytes_per_second;
	double sandbox_start_seconds;
	double patch_apply_seconds;     /* per ancestor on the lineage */
};

/* How runs start on the calendar (model/calendar.h, docs/costs.md "Monthly burn"). */
enum schedule { SCHEDULE_CADENCE, SCHEDULE_BACK_TO_BACK, SCHEDULE_AT_ONCE };

/* The bill besides API tokens (docs/costs.md), and how often the loop runs. */
struct cost_params {
	double storage_usd_per_gb_month;
	double retention_months;        /* how long the archive is kept */
	unsigned retention_keep_top;    /* 0: all; else the K best nodes and their lineages */
	unsigned retention_keep_iterations; /* 0: all; else run dirs of the last N iterations */
	double storage_usd_per_1000_requests; /* writes (PUT) */
	double storage_usd_per_1000_reads;    /* reads (GET) */
	double vcpu_hour_usd;
	double sandbox_vcpus;           /* per sandbox: a rebuild, a session, one task */
	double sim_gpu_hour_usd;        /* GPU simulators of domains with sandbox_gpus */
	double runs_per_month;
	double parallel_runs;           /* e.g. domains run as separate loops at once */
	enum schedule schedule;
	double fine_tune_gpus, fine_tune_hours, fine_tune_gpu_hour_usd;
};

struct prior; /* model/priors.h */

/*
 * Loops that run at once on one simulated clock and share capacity (docs/model.md, "Shared
 * capacity"): every model's rate limits and every fleet, and with eval_workers > 0 one pool
 * of evaluation workers per domain. costs.parallel_runs, by contrast, copies a run.
 */
struct shared_params {
	unsigned loops;                 /* loops in one replication; 1: one loop, as alone */
	unsigned eval_workers;          /* per domain, shared by all loops; 0: each child's own */
};

struct scenario {
	char origin[300];               /* the file, or "embedded:NAME": for messages */
	char name[SCENARIO_NAME_MAX];
	char description[512];
	unsigned iterations;
	unsigned children_per_iteration;
	enum parent_rule parent_selection;
	enum eval_mode evaluation;
	double selection_lambda;
	struct self_modification self_modification;
	struct domain *domains;
	size_t n_domains;
	struct endpoint *models;        /* endpoints given in the file; others take defaults */
	size_t n_models;
	struct fleet_spec *fleets;
	size_t n_fleets;
	struct archive_params archive;
	struct cost_params costs;
	struct shared_params shared;
	/* uncertain fields (model/priors.h): the fields above hold their medians; tree is the
	 * scenario's JSON with the medians in place, from which each replication's draw is made;
	 * given holds each prior's object as the file gave it (comments included), by its path */
	struct prior *priors;
	size_t n_priors;
	cJSON *tree;
	cJSON *given;
};

/*
 * Limits across fields: what one run holds in memory and how long it simulates. Every field
 * has its own range too (the tables in scenario.c); these bound their products, which the
 * ranges alone leave at terabytes. docs/scenario.md, "Limits across fields", lists them.
 */
#define SCENARIO_MAX_NODES 1000000            /* iterations x children_per_iteration */
#define SCENARIO_MAX_ITERATION_TASKS 1000000  /* children_per_iteration x sum of full_tasks */
#define SCENARIO_MAX_CALLS 1e9                /* expected LLM calls of one run */
#define SCENARIO_MAX_NODE_RUNS 10100000       /* replications x archive nodes */

/*
 * Checks the limits across fields, and with runs > 0 the replications too. scenario_from_json
 * checks them (runs 0); forecast_run checks them again with its runs, which also covers a
 * scenario changed after parsing. HC_EINPUT naming sc->origin, the fields, their values and
 * the limit.
 */
int scenario_check_limits(const struct scenario *sc, unsigned runs, struct hc_err *err);

/*
 * Parses a scenario from a JSON tree; origin names the source in messages. Every bad value
 * gives HC_EINPUT and a message with origin, JSON path, the value and what is allowed.
 */
int scenario_from_json(struct scenario *sc, const cJSON *root, const char *origin,
		       struct hc_err *err);

/*
 * Loads path (NULL: the embedded default), applies the --set assignments in order, and parses.
 */
int scenario_load(struct scenario *sc, const char *path, const char *const *sets, size_t n_sets,
		  struct hc_err *err);

/*
 * Applies one "dotted.path=VALUE" assignment to a scenario tree before parsing. VALUE is read
 * as JSON when it parses as JSON, else as a string. Array elements with a "name" are
 * addressed by that name (domains.paper_review.full_tasks); others by index.
 */
int scenario_apply_set(cJSON *root, const char *assignment, struct hc_err *err);

/*
 * The value at path (as --set names it) in a scenario tree, NULL when it has none; *parent
 * (when not NULL) gets the object or array holding it.
 */
cJSON *scenario_tree_at(cJSON *root, const char *path, cJSON **parent);

void scenario_release(struct scenario *sc);

/* What a prior may set (docs/scenario.md, "Priors"). */
enum scenario_slot {
	SCENARIO_SLOT_NONE,    /* counts, names, flags, strings, structure */
	SCENARIO_SLOT_NUMBER,  /* a number field, a distribution given as a number, a parameter */
	SCENARIO_SLOT_CHOICE,  /* an enumeration */
};

/* The slot at the key path keys[0..n) (as --set names it; an array element is one key). */
enum scenario_slot scenario_prior_slot(const char *const *keys, size_t n);

/* The effective scenario, every field with its value (defaults included). Caller deletes. */
cJSON *scenario_to_json(const struct scenario *sc);

/* The endpoint for model name: the file's entry, or one with the table defaults. */
struct endpoint scenario_endpoint(const struct scenario *sc, const char *model);

/* Writes the field reference (Markdown tables, one per section) that docs/scenario.md holds. */
void scenario_reference(FILE *out);

const char *parent_rule_name(enum parent_rule r);

#endif
