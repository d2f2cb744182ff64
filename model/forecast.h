/*
 * forecast: R replications of a scenario (on threads, each with its own random stream) and
 * their statistics: per metric the mean, the 95% confidence half-width of the mean and the
 * P10 / P50 / P90 across replications. Replications are merged in their order, so the result
 * is the same for any thread count.
 */
#ifndef MODEL_FORECAST_H
#define MODEL_FORECAST_H

#include <stdint.h>
#include "model/loop.h"
#include "sim/replicate.h"

enum metric {
	METRIC_TOKENS_TOTAL,
	METRIC_TOKENS_SELF_MODIFY,
	METRIC_TOKENS_EVALUATE,
	METRIC_COST_TOTAL,
	METRIC_WALL_HOURS,
	METRIC_ARCHIVE_BYTES,
	METRIC_IO_BYTES,
	METRIC_COUNT
};

struct metric_stats {
	double mean, ci95, sd, min, max, p10, p50, p90;
};

/* struct usage averaged over replications */
struct usage_mean {
	double calls, input, cache_read, cache_write, output, reasoning, total;
};

/* Means over replications of what summary.json reports. */
struct forecast_means {
	struct usage_mean total;
	struct usage_mean by_role[ROLE_COUNT];
	struct usage_mean by_model[LOOP_MAX_TARGETS];
	double cost_total, cost_api, cost_self_hosted, cost_storage, cost_compute;
	double cost_by_role[ROLE_COUNT];
	double cost_by_model[LOOP_MAX_TARGETS];
	struct fleet_result fleet[SCENARIO_MAX_FLEETS];
	double wall_hours, archive_nodes, archive_bytes, io_bytes, max_depth, best_score;
	double critical_path_hours[PHASE_COUNT]; /* loop_result.phase_seconds, in hours */
	double sandbox_cpu_hours, sandbox_gpu_hours, storage_requests, gpu_sim_hours;
	/* the monthly burn: per-run means × runs_per_month × parallel_runs (docs/costs.md) */
	double monthly_tokens, monthly_cost, monthly_busy_share;
	double fine_tune_comparator_usd;
	double compile_failures, gates_passed, gates_failed, timeouts;
};

struct forecast {
	const struct scenario *sc;
	struct loop_models models;
	uint64_t seed;
	unsigned runs;
	struct loop_result *reps;                  /* runs entries */
	struct metric_stats metrics[METRIC_COUNT];
	struct forecast_means mean;
};

/* The metric's name in summary.json's "quantiles" and in montecarlo.csv. */
const char *metric_name(enum metric m);
/* 1 for a count (tokens, bytes), which the CSVs write as a whole number; 0 for dollars, hours. */
int metric_is_count(enum metric m);
/* The metric's value in one replication. */
double metric_value(const struct loop_result *r, enum metric m);

/*
 * Runs the replications, reporting each finished one to progress (NULL: none). The forecast
 * keeps pointers to sc and ps: keep them alive.
 */
int forecast_run(struct forecast *f, const struct scenario *sc, const struct price_sheet *ps,
		 unsigned runs, unsigned threads, uint64_t seed,
		 const struct replicate_progress *progress, struct hc_err *err);
void forecast_release(struct forecast *f);

#endif
