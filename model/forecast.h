/*
 * forecast: R replications of a scenario (on threads, each with its own random stream and,
 * when the scenario has priors, its own draw of them: model/priors.h) and their statistics: per metric the mean, the 95% confidence half-width of the mean and the
 * P10 / P50 / P90 across replications. Replications are merged in their order, so the result
 * is the same for any thread count.
 */
#ifndef MODEL_FORECAST_H
#define MODEL_FORECAST_H

#include <stdint.h>
#include "model/loop.h"
#include "sim/replicate.h"

#define FORECAST_WINDOW 64

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
	/* rebuilds: every child's hours; on the critical path, seconds per iteration (0 with no
	 * iterations) and the share of the wall time (docs/model.md, "The critical path") */
	double rebuild_hours, rebuild_seconds_per_iteration, rebuild_share;
	double sandbox_cpu_hours, sandbox_gpu_hours, gpu_sim_hours;
	double storage_reads, storage_writes, storage_requests; /* requests: reads + writes */
	double archive_gb_months; /* during the run */
	double retained_bytes;    /* kept after the run (costs.retention_keep_*) */
	/* the monthly burn in the calendar's steady state (model/calendar.h, docs/costs.md):
	 * runs started per 730-hour month and their tokens and dollars, means over
	 * replications; busy share: wall hours · runs_per_month / 730 (above 1 the schedule
	 * cannot be kept: a lane starts a run when its previous one ends) */
	double monthly_runs, monthly_tokens, monthly_cost, monthly_busy_share;
	double fine_tune_comparator_usd;
	double compile_failures, gates_passed, gates_failed, timeouts;
	/* shared capacity (loop_shared_result): a loop's wall hours, waits per call or grant */
	double loop_wall_hours, rate_wait_seconds, fleet_wait_seconds, eval_wait_seconds;
	double eval_utilisation;
};

/* What a forecast keeps of each replication: its metrics, the parts of its cost, its events. */
struct forecast_rep {
	double metric[METRIC_COUNT];
	double cost_api, cost_self_hosted, cost_storage, cost_compute;
	uint64_t events;
};

struct forecast {
	const struct scenario *sc;
	const struct price_sheet *ps;
	/* forecast_run_variants: replication r runs variants[r % n_variants]; else NULL, 0 */
	const struct scenario *variants;
	unsigned n_variants;
	struct loop_models models;
	uint64_t seed;
	unsigned runs;
	struct loop_result *reps;       /* n_reps: every run without a sink, else replication 0 */
	unsigned n_reps;
	struct forecast_rep *per_rep;   /* runs entries */
	struct metric_stats metrics[METRIC_COUNT];
	struct forecast_means mean;
	/* when a route batches: replication 0's wall time with every batch off, in hours (the
	 * same seed and models); 0 otherwise */
	double unbatched_wall_hours;
	/* each loop of replication 0 run again alone with its stream (loop_run_alone): their
	 * mean wall hours, and the stretch, the mean over loops of wall time shared over alone
	 * (with one loop: replication 0's wall hours and 1, without running it again) */
	double alone_wall_hours, stretch;
};

/* A batch what-if whose wall time exceeds this many times its unbatched one is flagged. */
#define FORECAST_STRETCH_WARN 10.0
/* GPU simulators running over this share of the wall time are flagged (docs/costs.md). */
#define FORECAST_GPU_SIM_REVISIT 0.30
#define FORECAST_WARNING_MAX 640
#define FORECAST_WARNINGS 4

/*
 * Where the replications go as they finish, for results too large to keep (a row per child
 * and replication): fn(ctx, f, rep, r, err) is called for rep 0, 1, 2, ... in that order, one
 * call at a time, from whichever thread finished; r and its rows are freed after the call
 * (but for replication 0, which f->reps keeps). f->models, f->sc and f->runs are set; the
 * means and metrics are not. A non-zero return, with detail in *err, fails the forecast.
 * FORECAST_DROP (fn NULL) keeps nothing but replication 0, for callers that need only the
 * means and metrics.
 */
struct forecast_sink {
	int (*fn)(void *ctx, const struct forecast *f, unsigned rep, const struct loop_result *r,
		  struct hc_err *err);
	void *ctx;
};

#define FORECAST_DROP (&(const struct forecast_sink){ NULL, NULL })

/* The metric's name in summary.json's "quantiles" and in montecarlo.csv. */
const char *metric_name(enum metric m);
/* 1 for a count (tokens, bytes), which the CSVs write as a whole number; 0 for dollars, hours. */
int metric_is_count(enum metric m);
/* The metric's value in one replication. */
double metric_value(const struct loop_result *r, enum metric m);
/*
 * Replication i's runs started per 730-hour month in the calendar's steady state
 * (model/calendar.h, docs/costs.md): parallel_runs · 730 / its period.
 */
double forecast_rep_runs_per_month(const struct forecast *f, unsigned i);

/*
 * Runs the replications, reporting each finished one to progress (NULL: none) and handing it
 * to sink (NULL: none; every replication is kept in f->reps). With a sink, memory does not
 * grow with runs beyond f->per_rep (96 bytes a replication): replications are run in a window
 * of FORECAST_WINDOW (or twice the threads, if more) and handed on in order. The forecast
 * keeps pointers to sc and ps: keep them alive.
 */
int forecast_run(struct forecast *f, const struct scenario *sc, const struct price_sheet *ps,
		 unsigned runs, unsigned threads, uint64_t seed,
		 const struct replicate_progress *progress, const struct forecast_sink *sink,
		 struct hc_err *err);

/*
 * forecast_run with replication r on variants[r % n_variants] (n_variants > 0), the scenarios
 * of a fit's bootstrap resamples (fit/fitboot.h), so that the quantiles carry the fit's
 * uncertainty; sc gives everything else (the models, the calendar, what summary.json names)
 * and the variants must share its models, fleets and costs. Replication r's random streams
 * are those it has under forecast_run.
 */
int forecast_run_variants(struct forecast *f, const struct scenario *sc,
			  const struct scenario *variants, unsigned n_variants,
			  const struct price_sheet *ps, unsigned runs, unsigned threads,
			  uint64_t seed, const struct replicate_progress *progress,
			  const struct forecast_sink *sink, struct hc_err *err);

/* The scenario replication rep runs: its variant, or f->sc. */
const struct scenario *forecast_rep_scenario(const struct forecast *f, unsigned rep);

void forecast_release(struct forecast *f);

/*
 * The forecast's warnings, sentences for a person (summary.json's "warnings", the console):
 * a batch what-if whose replication 0 lasts over FORECAST_STRETCH_WARN times as long as
 * without batch; a model with no profile or a session left on the model it was calibrated
 * for (profiles_warning, model/profiles.h); a schedule the runs cannot keep
 * (monthly_busy_share above 1). Fills msgs
 * with up to FORECAST_WARNINGS and returns how many.
 */
size_t forecast_warnings(const struct forecast *f, char msgs[][FORECAST_WARNING_MAX]);

/*
 * What forecast_run would refuse before running anything (the limits of sc for runs, a model
 * missing from ps, a fleet that cannot be sized), with the same codes and messages; commands
 * call it before they create a results directory, which forecast_run's sink writes into.
 */
int forecast_check(const struct scenario *sc, const struct price_sheet *ps, unsigned runs,
		   struct hc_err *err);

#endif
