/*
 * crossover: API spend against a self-hosted fleet as monthly token volume grows
 * (docs/costs.md, "Crossover").
 *
 * The API costs a · V for V tokens a month, a being the blended USD per token of the
 * scenario's token mix. A fleet of replicas, each serving C tokens a month at utilisation U,
 * costs replicas · gpus_per_replica · c · 730 with c USD per GPU-hour. The continuous fleet
 * has max(min_replicas, V / C) replicas, the integer fleet max(min_replicas, ceil(V / C)).
 */
#ifndef MODEL_CROSSOVER_H
#define MODEL_CROSSOVER_H

#include <stddef.h>
#include "base/hc_err.h"

#define CROSSOVER_HOURS_PER_MONTH 730.0

struct crossover_input {
	double api_usd_per_token;
	double gpu_hour_usd;
	unsigned replica_gpus;
	double replica_tokens_per_s;  /* input + output tokens per second at full use */
	double utilisation;           /* (0, 1] */
	double min_replicas;          /* >= 1 */
};

struct crossover_point {
	double tokens_per_month;
	double api_usd;
	double self_hosted_usd;       /* integer fleet */
	double continuous_usd;        /* continuous fleet */
	double replicas, gpus;        /* integer fleet */
};

struct crossover_result {
	double api_usd_per_mtok;
	double self_hosted_usd_per_mtok;      /* at full utilisation */
	double replica_tokens_per_month;      /* C, at the utilisation */
	double break_even_tokens_per_month;   /* continuous fleet, root solver; NAN: never */
	double integer_break_even_tokens_per_month; /* first volume the integer fleet wins */
};

/* One volume: the two bills and the integer fleet's size. */
void crossover_at(const struct crossover_input *in, double tokens_per_month,
		  struct crossover_point *out);

/*
 * Finds the break-even volumes: the continuous one with GSL's Brent solver on
 * log volume in [1e3, 1e18], the integer one by walking the fleet's steps. Either is NAN
 * when self-hosting never wins (the API's marginal price is at or below the fleet's).
 */
int crossover_solve(const struct crossover_input *in, struct crossover_result *out,
		    struct hc_err *err);

/* Fills points with a log grid from lo to hi tokens a month, per_decade points a decade;
 * returns how many were written (at most max). */
size_t crossover_grid(const struct crossover_input *in, double lo, double hi, int per_decade,
		      struct crossover_point *points, size_t max);

/* ---- a crossover for a scenario --------------------------------------------------------- */

struct forecast;
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
	double gpu_hour_usd;        /* NAN: the sheet's price for the pricing mode */
	double utilisation;
	double min_replicas;
};

/* The defaults: Llama 3.3 70B FP8 on H100 SXM at the sheet's price, 60% utilisation. */
struct crossover_request crossover_default_request(int pricing);

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
};

/*
 * Prices the scenario's token mix on the API (its own models, or api_model for all of it)
 * and on a fleet serving rq->serve_model on rq->gpu, and solves the crossover.
 */
int crossover_plan(const struct forecast *f, const struct price_sheet *ps,
		   const struct gpu_sheet *gs, const struct serving_sheet *ss,
		   const struct crossover_request *rq, struct crossover_plan *out,
		   struct hc_err *err);

#endif
