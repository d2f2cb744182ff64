/*
 * loop: one replication of a DGM-H / DGM run as processes on the sim/ engine
 * (docs/model.md, "The loop").
 *
 * The initial agent is evaluated on the full sets (iteration 0). Then every iteration makes
 * children_per_iteration children in parallel, each: pick a parent, rebuild it (lineage
 * patches and, with copy_run_dir, the whole run directory), run the self-modification
 * session, the compile check, the staged evaluation per domain (domains in parallel, tasks on
 * eval_workers slots), and join the archive. The next iteration starts when all are done.
 * LLM calls queue on their model's rate limits and take time-to-first-token plus
 * output / decode speed.
 */
#ifndef MODEL_LOOP_H
#define MODEL_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include "base/hc_err.h"
#include "model/fleet.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/usage.h"
#include "sim/stats.h"
#include "sim/timeline.h"

enum role { ROLE_SELF_MODIFY, ROLE_EVALUATE, ROLE_COUNT };

const char *role_name(enum role r);

#define LOOP_MAX_TARGETS (SCENARIO_MAX_DOMAINS + 1) /* one per role at most */

/*
 * Where the scenario's calls go: the distinct API models (each resolved in a price sheet) and
 * the fleets that routes use. Targets are indexed together; a fleet's has no price.
 */
struct loop_models {
	size_t n;
	const char *names[LOOP_MAX_TARGETS];   /* the scenario's spelling, first seen */
	const struct price *prices[LOOP_MAX_TARGETS]; /* NULL for a fleet */
	int fleet[LOOP_MAX_TARGETS];           /* index into fleets, or -1 for an API model */
	char labels[LOOP_MAX_TARGETS][SCENARIO_NAME_MAX + 8]; /* price name or "fleet:NAME" */
	int selfmod;                           /* the meta agent's target */
	int domain[SCENARIO_MAX_DOMAINS];      /* each domain's target */
	struct fleet fleets[SCENARIO_MAX_FLEETS];
	size_t n_fleets;
};

/*
 * Resolves every model of sc in ps and checks that each rate the scenario will need is known
 * (cache writes under explicit caching, the 1-hour write rate when asked, cache reads under
 * caching, batch rates for batched roles). Fleets routed to are resolved in the embedded GPU
 * and serving sheets and sized. HC_EINPUT with a message naming the JSON path, the model and
 * the sheet's close matches otherwise.
 */
int loop_resolve_models(const struct scenario *sc, const struct price_sheet *ps,
			struct loop_models *m, struct hc_err *err);

/* One row per child (and one for the initial evaluation, iteration 0). */
struct iteration_row {
	unsigned loop;           /* 0 .. shared.loops - 1 */
	unsigned iteration;
	unsigned child;          /* 0 .. children_per_iteration - 1 */
	int parent;              /* archive node index; -1 for the initial agent */
	int node;                /* this child's archive node index */
	unsigned depth;          /* of its node: the root's is 0 */
	double score;
	int compiled;
	int gate;                /* 1 passed, 0 failed, -1 not applicable */
	int timed_out;
	struct usage usage[ROLE_COUNT];
	double cost_usd;
	double checkout_bytes;   /* read to rebuild the parent */
	double archive_bytes;    /* after this child joined */
	double finish_seconds;
	double rebuild_seconds;  /* checking out its parent: sandbox start, patches, reads */
	double iteration_seconds; /* from its iteration's start to this child's join */
	double sandbox_cpu_hours; /* this child's share of loop_result's */
	double sandbox_gpu_hours;
};

/*
 * The critical path's phases (docs/model.md, "The critical path"): the wall time of each
 * iteration is its last child's, from its rebuild to its last evaluation task's end.
 */
enum loop_phase {
	PHASE_REBUILD,      /* sandbox start, lineage patches, checkout I/O */
	PHASE_SELF_MODIFY,  /* the meta agent's session and the compile check */
	PHASE_EVAL_QUEUE,   /* a stage's last task waiting for an evaluation worker */
	PHASE_SANDBOX,      /* that task running in its sandbox */
	PHASE_GPU_SIM,      /* ... in a domain whose sandbox holds a simulator GPU */
	PHASE_BATCH_WAIT,   /* waiting for batch API answers (self-modification or task) */
	PHASE_COUNT
};

const char *loop_phase_name(enum loop_phase p);

/*
 * What the loops of one replication met on their shared capacity (docs/model.md, "Shared
 * capacity"). The group's wall time is loop_result.wall_seconds, its last loop's end.
 */
struct loop_shared_result {
	unsigned loops;
	double *loop_wall_seconds;      /* each loop's end, [loops] */
	double loop_wall_seconds_mean;  /* each loop's end, averaged over the loops */
	double loop_wall_seconds_min;
	struct welford rate_wait;  /* seconds per API call (batch calls not) before admission */
	struct welford fleet_wait; /* seconds per fleet call before a slot (n and mean only) */
	struct welford eval_wait;  /* seconds per grant of an evaluation worker */
	double eval_utilisation;   /* shared workers: busy over held, mean over domains; else 0 */
};

struct loop_result {
	struct usage by_role[ROLE_COUNT];
	double cost_by_role[ROLE_COUNT];
	struct usage by_model[LOOP_MAX_TARGETS]; /* indexed like loop_models */
	double cost_by_model[LOOP_MAX_TARGETS];
	double cost_self_hosted;  /* provisioned GPU-hours of the fleets */
	struct fleet_result fleet[SCENARIO_MAX_FLEETS]; /* indexed like loop_models.fleets */
	double cost_storage;      /* archive GB-months during the run and after, and requests */
	double cost_compute;      /* sandbox vCPU-hours and simulator GPU-hours */
	double sandbox_cpu_hours; /* sandbox occupancy: rebuild to compile check, and tasks */
	double sandbox_gpu_hours; /* task occupancy times the domain's sandbox_gpus */
	double gpu_sim_hours;     /* wall time with a GPU simulator running, per child summed */
	double storage_writes;    /* objects written: each node's patch, each task's artifacts */
	double storage_reads;     /* objects read by rebuilds */
	double archive_gb_months; /* the archive's GB integrated over the run, in 730-h months */
	double retained_bytes;    /* what costs.retention_keep_* keep after the run */
	double wall_seconds;
	double rebuild_seconds;   /* every child's rebuild, parallel children's included */
	double phase_seconds[PHASE_COUNT]; /* the critical path (of the last loop to end): sums
					    * to wall_seconds */
	size_t archive_nodes;
	double archive_bytes;
	double io_bytes;         /* checkout bytes summed over the run */
	unsigned max_depth;
	double best_score;
	unsigned compile_failures, gates_passed, gates_failed, timeouts;
	uint64_t events;
	struct loop_shared_result shared;
	struct iteration_row *rows;
	size_t n_rows;
	/* per row, role and target: [(row · ROLE_COUNT + role) · n_targets + target] */
	size_t n_targets;
	struct usage *row_usage;
	double *row_cost;         /* API dollars */
	struct timeline timeline; /* replication 0 only: columns as loop_columns says */
};

/* The columns of loop_result.timeline: each field is the first of its group. */
struct loop_columns {
	size_t role_tokens;      /* + role */
	size_t target_tokens;    /* + target */
	size_t api_usd;
	size_t eval_busy, eval_slots, eval_queue;  /* worker-seconds busy, held, waited */
	size_t target_requests;  /* + target */
	size_t target_queue;     /* + target: seconds waited for rate limits */
	size_t fleet_busy;       /* + fleet: slot-seconds busy */
	size_t fleet_queue;      /* + fleet: seconds waited for a slot */
	size_t count;
};

void loop_columns(const struct loop_models *m, struct loop_columns *c);

/*
 * Runs replication `rep` of sc: shared.loops loops at once on one clock, sharing the rate
 * limits, the fleets and (shared.eval_workers > 0) the evaluation workers. Each loop draws
 * from streams of its own, one per component (parent selection, variation, self-modification,
 * compile check, evaluation per domain), derived from (seed, rep, loop, component). Tokens,
 * dollars, rows and archive figures are the sums over the loops (the deepest and best node of
 * any); wall_seconds is the last loop's end. On success *res owns its rows and, for
 * replication 0, its timeline (loop_result_release frees them).
 */
int loop_run(const struct scenario *sc, const struct loop_models *models, uint64_t seed,
	     unsigned rep, struct loop_result *res, struct hc_err *err);

/*
 * Runs loop `loop` of replication rep alone, on capacity of its own, with the stream it has
 * in loop_run: the base of its stretch (docs/model.md, "Shared capacity").
 */
int loop_run_alone(const struct scenario *sc, const struct loop_models *models, uint64_t seed,
		   unsigned rep, unsigned loop, struct loop_result *res, struct hc_err *err);

void loop_result_release(struct loop_result *res);

static inline double loop_cost_api(const struct loop_result *r)
{
	double sum = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		sum += r->cost_by_role[i];
	return sum;
}

/* cost_usd.total: API + self-hosted + storage + compute (docs/costs.md). */
static inline double loop_cost_total(const struct loop_result *r)
{
	return loop_cost_api(r) + r->cost_self_hosted + r->cost_storage + r->cost_compute;
}

#endif
