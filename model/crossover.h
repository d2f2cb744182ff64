/*
 * crossover: API spend against a self-hosted fleet as monthly token volume grows
 * (docs/costs.md, "Crossover").
 *
 * The API costs a · V for V tokens a month, a being the blended USD per token of the
 * scenario's token mix. A replica serves F = tokens/s · 3,600 · 730 tokens a month at full
 * use; the fleet adds a replica when its replicas would be busier than U (the most a replica
 * is run at), so each carries C = F · U. It costs replicas · gpus_per_replica · c · 730 with
 * c USD per GPU-hour, busy or idle. The continuous fleet has max(min_replicas, V / C)
 * replicas, the integer fleet max(min_replicas, ceil(V / C)); at V its utilisation is
 * V / (replicas · F), which follows from the volume and is never U itself.
 */
#ifndef MODEL_CROSSOVER_H
#define MODEL_CROSSOVER_H

#include <stddef.h>
#include "base/hc_err.h"
#include "model/fleet.h"

#define CROSSOVER_HOURS_PER_MONTH 730.0

struct crossover_input {
	double api_usd_per_token;
	double gpu_hour_usd;
	unsigned replica_gpus;
	double replica_tokens_per_s;  /* input + output tokens per second at full use */
	double max_utilisation;       /* (0, 1]: the most a replica is run at */
	double min_replicas;          /* >= 1 */
};

struct crossover_point {
	double tokens_per_month;
	double api_usd;
	double self_hosted_usd;       /* integer fleet */
	double continuous_usd;        /* continuous fleet */
	double replicas, gpus;        /* integer fleet */
	double utilisation;           /* V over the integer fleet's full-use capacity */
};

struct crossover_result {
	double api_usd_per_mtok;
	double self_hosted_usd_per_mtok;      /* at full utilisation */
	double replica_tokens_per_month;      /* C, at max_utilisation */
	double fixed_usd_per_month;           /* min_replicas · gpus · c · 730 */
	double break_even_tokens_per_month;   /* continuous fleet, root solver; NAN: never */
	double integer_break_even_tokens_per_month; /* first volume the integer fleet wins */
	double replicas_at_break_even;        /* the integer fleet there; NAN: never */
	double utilisation_at_break_even;     /* its utilisation there; NAN: never */
};

/* One volume: the two bills and the integer fleet's size. */
void crossover_at(const struct crossover_input *in, double tokens_per_month,
		  struct crossover_point *out);

/*
 * Finds the break-even volumes: the continuous one with GSL's Brent solver on
 * log volume in [1e3, 1e18], the integer one in closed form (fixed_usd_per_month / a, the
 * fleet's bill having no per-token part), and the integer fleet's size and utilisation
 * there. Each is NAN when self-hosting never wins (the API's marginal price is at or below
 * the fleet's at max_utilisation).
 */
int crossover_solve(const struct crossover_input *in, struct crossover_result *out,
		    struct hc_err *err);

/* Fills points with a log grid from lo to hi tokens a month, per_decade points a decade;
 * returns how many were written (at most max). */
size_t crossover_grid(const struct crossover_input *in, double lo, double hi, int per_decade,
		      struct crossover_point *points, size_t max);

/* ---- a crossover for a scenario --------------------------------------------------------- */

struct forecast;
struct scenario;
struct price_sheet;
struct gpu_sheet;
struct serving_sheet;

struct crossover_request {
	const char *api_model;      /* NULL: the scenario's own models and prices */
	const char *serve_model;    /* a model of the serving sheet */
	const char *gpu;            /* a GPU of the GPU sheet */
	int precision;              /* enum precision */
	unsigned gpus;              /* replica size; 0: the smallest that fits */
	int pricing;                /* enum gpu_pricing */
	const char *offer;          /* NULL, or a named offer of the GPU ("Lambda"): its price */
	double gpu_hour_usd;        /* NAN: the sheet's price for the pricing mode */
	double max_utilisation;
	double min_replicas;
};

/* The defaults: Llama 3.3 70B FP8 on H100 SXM at the sheet's price, replicas run at most
 * 60% busy. */
struct crossover_request crossover_default_request(int pricing);

#define CROSSOVER_MODES_MAX (1 + PRICING_COUNT + GPU_OFFERS_MAX)

/* One way to pay for the GPUs: a pricing mode the sheet prices, or a named on-demand offer. */
struct crossover_mode {
	char name[FLEET_NAME_MAX + 16];    /* "reserved", or "on-demand Lambda" for an offer */
	char source[160];
	double gpu_hour_usd;
	struct crossover_result res;
	struct crossover_point at_scenario;
};

/*
 * Loops on one fleet (docs/costs.md, "Loops on one fleet"): N loops of the scenario sharing
 * (shared.loops) one fleet of the plan's replica, GPU and price that serves every role,
 * sized to the fewest replicas whose mean wait for a slot is within a target, against the
 * same N loops on the API as the scenario routes them.
 */
#define CROSSOVER_LOOPS_ROWS 64
#define CROSSOVER_LOOPS_MAX_REPLICAS 64

struct crossover_loops_row {
	unsigned loops, replicas;
	int sized;                  /* 0: no replicas up to the maximum meet the wait target */
	double wait_seconds;        /* mean per fleet call, at those replicas (simulated) */
	double utilisation, wall_hours; /* the fleet's busy slot time over slot time (simulated) */
	double fleet_usd_per_loop;  /* cost_usd.total / loops, every role on the fleet */
	double api_usd_per_loop;    /* cost_usd.total / loops, the scenario as it routes */
	/* what does not depend on the GPU-hour price: the fleet's GPU-hours a loop and the rest
	 * of its cost a loop (sandboxes, storage), so that fleet_usd_per_loop =
	 * other_usd_per_loop + gpu_hours_per_loop · the price simulated */
	double gpu_hours_per_loop, other_usd_per_loop;
	/* the API side's calendar (monthly.runs, monthly.tokens): runs of the L loops a month
	 * and their tokens a month */
	double runs_per_month, tokens_per_month;
};

/* One price of the plan's modes against the simulated rows. */
struct crossover_loops_mode {
	unsigned break_even_loops;  /* the fewest loops whose fleet costs a loop no more than the
				     * API at this price; 0: none up to max_loops */
	size_t at;                  /* rows[at]: at the break-even, or at max_loops */
	double fleet_usd_per_loop, api_usd_per_loop;   /* at that row and this price */
	double fleet_usd_per_month, api_usd_per_month; /* · loops · runs_per_month */
};

struct crossover_loops {
	unsigned max_loops;         /* 0: not asked for */
	double max_wait_seconds;
	struct crossover_loops_row rows[CROSSOVER_LOOPS_ROWS]; /* in the order tried */
	size_t n;
	unsigned break_even_loops;  /* the headline's (the price simulated) */
	struct crossover_loops_mode modes[CROSSOVER_MODES_MAX]; /* indexed like plan->modes */
	size_t n_modes;
};

/* A row's fleet cost a loop at another GPU-hour price: other_usd_per_loop +
 * gpu_hours_per_loop · gpu_hour_usd (the simulation does not depend on the price). */
double crossover_loops_fleet_usd(const struct crossover_loops_row *r, double gpu_hour_usd);

struct crossover_plan {
	struct crossover_input in;
	struct crossover_result res;
	unsigned replica_batch;
	double replica_output_tokens_per_s, calibration;
	size_t measured_points;
	double isl, isl_cached, osl;       /* per call, of the scenario's mix */
	double scenario_tokens_per_month;
	struct crossover_point at_scenario; /* the bills at the scenario's monthly volume */
	char api_label[160];
	char serve_label[160];
	char gpu_name[64];
	char price_label[256];              /* the GPU-hour price and its source */
	struct crossover_mode modes[CROSSOVER_MODES_MAX]; /* every price the GPU sheet has */
	size_t n_modes;
	int headline;                       /* the mode of in/res */
	char quality_note[640];             /* "" when the API models are the served one */
	struct crossover_loops loops;       /* crossover_loops_run's, max_loops 0 when not run */
};

/*
 * Prices the scenario's token mix on the API (its own models, or api_model for all of it)
 * and on a fleet serving rq->serve_model on rq->gpu, and solves the crossover: for the
 * price rq picks (in, res, at_scenario) and for every mode and offer of the GPU sheet that
 * has a price (modes, in the sheet's order: on-demand, spot, reserved, owned, then offers;
 * first a row "given" when rq->gpu_hour_usd is a number, the headline then).
 */
int crossover_plan(const struct forecast *f, const struct price_sheet *ps,
		   const struct gpu_sheet *gs, const struct serving_sheet *ss,
		   const struct crossover_request *rq, struct crossover_plan *out,
		   struct hc_err *err);

/*
 * Fills plan->loops: forecasts (runs replications from seed, on threads) of N loops on the
 * fleet and on the API for N = 1, 2, 4, ... up to max_loops, each fleet sized upwards from
 * the last N's replicas to the first within max_wait_seconds (at most
 * CROSSOVER_LOOPS_MAX_REPLICAS), until the fleet wins at the headline's price and at every
 * mode's of plan->modes (or N reaches max_loops); then, for each price, bisects between the
 * last N that lost and the first that won for its break-even, assuming the fleet's cost a
 * loop does not rise with N, re-using the rows already simulated. The plan gives the replica
 * (GPUs, headline price) and rq the served model, GPU and precision.
 */
int crossover_loops_run(const struct scenario *sc, const struct price_sheet *ps,
			const struct crossover_request *rq, struct crossover_plan *plan,
			unsigned max_loops, double max_wait_seconds, unsigned runs,
			unsigned threads, uint64_t seed, struct hc_err *err);

#endif
