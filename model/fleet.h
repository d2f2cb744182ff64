/*
 * fleet: self-hosted serving: GPUs and what they cost per hour, open-weights models and how
 * fast a replica serves them (docs/costs.md, "Self-hosted fleets").
 *
 * A GPU sheet (data/gpus/gpus-*.json) gives specs and per-GPU-hour prices by pricing mode,
 * each with its source; owned GPUs are priced from capex, power and colocation. A serving
 * sheet (data/gpus/serving-*.json) gives model architectures, measured throughputs and the
 * roofline's efficiency factors. A replica's throughput is the roofline's, scaled by the
 * ratio measured / roofline of the measured points for the same model, precision and GPU
 * (weighted by closeness in log input and output length), so it equals every measured point
 * exactly and falls back to the plain roofline where nothing was measured.
 * Both sheets are embedded; unknown prices are NAN, never 0.
 */
#ifndef MODEL_FLEET_H
#define MODEL_FLEET_H

#include <stddef.h>
#include "base/hc_err.h"
#include "model/usage.h"

#define FLEET_NAME_MAX 64
#define FLEET_ALIASES 4

enum gpu_pricing { PRICING_ON_DEMAND, PRICING_SPOT, PRICING_RESERVED, PRICING_OWNED,
		   PRICING_COUNT };

/* "on-demand", "spot", "reserved", "owned"; and back (-1 when unknown). */
const char *gpu_pricing_name(enum gpu_pricing p);
int gpu_pricing_parse(const char *name);

struct owned_params {
	double amortisation_years, pue, usd_per_kwh, colo_usd_per_kw_month, residual_fraction;
};

#define GPU_OFFERS_MAX 8

/* A named on-demand offer of a provider ("Lambda"), beside the sheet's on-demand price. */
struct gpu_offer {
	char name[FLEET_NAME_MAX];
	double usd_per_gpu_hour;
	char source[160];
};

struct gpu {
	char name[FLEET_NAME_MAX];
	char aliases[FLEET_ALIASES][FLEET_NAME_MAX];
	double bf16_tflops, fp8_tflops, hbm_tb_per_s, memory_gb, tdp_w; /* fp8 NAN: none */
	double usd_per_gpu_hour[PRICING_OWNED];   /* rental modes; NAN when unknown */
	char price_source[PRICING_OWNED][160];
	double capex_usd_per_gpu, node_kw, gpus_per_node; /* NAN when unknown */
	char owned_source[160];
	struct gpu_offer offers[GPU_OFFERS_MAX]; /* the sheet's "offers", in its order */
	size_t n_offers;
};

struct gpu_sheet {
	char origin[256], date[32], source[256];
	struct owned_params owned;
	struct gpu *gpus;
	size_t n;
};

enum precision { PRECISION_FP8, PRECISION_BF16 };

struct serving_model {
	char name[FLEET_NAME_MAX];
	char aliases[FLEET_ALIASES][FLEET_NAME_MAX];
	double params_b, layers, kv_heads, head_dim, d_model;
};

struct serving_point {
	size_t model;
	enum precision precision;
	char gpu[FLEET_NAME_MAX];
	double gpus, isl, osl, output_tokens_per_s;
};

struct roofline_params {
	double bandwidth_efficiency, mfu, memory_usable_fraction, max_batch;
};

struct serving_sheet {
	char origin[256], date[32], source[256];
	struct roofline_params roofline;
	struct serving_model *models;
	size_t n_models;
	struct serving_point *points;
	size_t n_points;
};

/* Load the sheet at path, or the embedded one when path is NULL. */
int gpu_sheet_load(struct gpu_sheet *gs, const char *path, struct hc_err *err);
void gpu_sheet_release(struct gpu_sheet *gs);
/* By name or alias, case-insensitively; HC_EINPUT listing the sheet's GPUs when unknown. */
int gpu_sheet_lookup(const struct gpu_sheet *gs, const char *name, const struct gpu **out,
		     struct hc_err *err);

int serving_sheet_load(struct serving_sheet *ss, const char *path, struct hc_err *err);
void serving_sheet_release(struct serving_sheet *ss);
int serving_sheet_lookup(const struct serving_sheet *ss, const char *name,
			 const struct serving_model **out, struct hc_err *err);

/* Both embedded sheets, or neither (HC_ERUNTIME). The loads share no state: replications call
 * this on their own threads (model/loop.c, resolve_fleets). */
int fleet_sheets_load(struct gpu_sheet *gs, struct serving_sheet *ss, struct hc_err *err);
void fleet_sheets_release(struct gpu_sheet *gs, struct serving_sheet *ss);

/*
 * USD per provisioned GPU-hour. Rental modes: the sheet's price (NAN when unknown). Owned:
 * capex · (1 − residual) / (years · 8,760) + node_kw / gpus_per_node · (pue · usd_per_kwh +
 * colo_usd_per_kw_month / 730).
 */
double gpu_hour_usd(const struct gpu *g, enum gpu_pricing mode, const struct owned_params *o);

/* A replica of a model on one kind of GPU at one workload shape. */
struct replica {
	unsigned gpus;              /* tensor-parallel size: the smallest that fits */
	unsigned batch;             /* concurrent sequences the KV cache holds (capped) */
	double output_tokens_per_s; /* calibrated to the measured points, if any */
	double roofline_tokens_per_s;
	double calibration;         /* output_tokens_per_s / roofline_tokens_per_s */
	size_t measured_points;     /* how many points calibrated it */
	double step_seconds;        /* one decode step of a full batch, roofline */
	double compute_flops;       /* usable FLOP/s of the replica (mfu applied) */
};

/*
 * Sizes and rates a replica for requests of isl prompt tokens (of which isl_cached are
 * already in the prefix cache and skip prefill) and osl output tokens. gpus = 0 picks the
 * smallest tensor-parallel size (1, 2, 4, 8, 16) whose memory holds the weights and a batch
 * of at least 8 sequences. HC_EINPUT when it cannot fit or the GPU lacks the precision.
 */
int fleet_replica(const struct serving_sheet *ss, const struct serving_model *m,
		  enum precision p, const struct gpu *g, unsigned gpus, double isl,
		  double isl_cached, double osl, struct replica *out, struct hc_err *err);

/*
 * Seconds one call holds one of a full replica's batch slots: (batch · prefill(fresh) +
 * output · step) / calibration, with prefill(fresh) the whole replica's time for the fresh
 * (uncached) prompt tokens. At the replica's own shape this is batch · osl / throughput
 * (Little's law), so a fleet of busy slots serves exactly output_tokens_per_s per replica.
 */
double fleet_call_slot_seconds(const struct replica *r, const struct serving_model *m,
			       double fresh, double output);

/* The roofline alone (as llm-analysis and LLM-Viewer compute it), output tokens per second
 * of a replica of gpus GPUs; 0 when the weights and one sequence do not fit. */
double fleet_roofline(const struct roofline_params *rp, const struct serving_model *m,
		      enum precision p, const struct gpu *g, unsigned gpus, double isl,
		      double isl_cached, double osl, unsigned *batch);


/* ---- fleets routed to ---------------------------------------------------------------------- */

struct fleet_spec; /* model/scenario.h: a scenario's fleets[] entry */

/*
 * A fleet that calls are routed to (simulate's routes, replay --retime --fleet): its spec,
 * sized for the routed calls' mean shape and priced (docs/costs.md, "Fleets in simulate").
 */
struct fleet {
	const struct fleet_spec *spec;
	struct serving_model model;
	struct replica replica;
	double gpu_hour_usd;
	unsigned slots;                                /* replicas × batch */
	double isl, isl_cached, osl;                   /* the shape it is sized for */
};

/*
 * Sizes spec's replica for calls of isl input tokens (isl_cached of them cached) and osl
 * output tokens, unless the spec sets request_input_tokens or request_output_tokens, and
 * prices its GPU-hour (the spec's gpu_hour_usd, else the GPU sheet's price for its pricing
 * mode). HC_EINPUT for an unknown GPU or model, a replica that cannot fit, or no price,
 * the message starting with where (the fleet's file and JSON path).
 */
int fleet_size(struct fleet *fl, const struct fleet_spec *spec, const char *where, double isl,
	       double isl_cached, double osl, const struct gpu_sheet *gs,
	       const struct serving_sheet *ss, struct hc_err *err);

/*
 * Seconds a call of usage u holds one of fl's batch slots: the spec's ttft_seconds (its
 * scheduling and network overhead) plus fleet_call_slot_seconds of its uncached input and
 * its output.
 */
double fleet_call_seconds(const struct fleet *fl, const struct usage *u);

/* What a fleet did in a run (docs/costs.md, "Fleets in simulate"). */
struct fleet_result {
	double gpu_hours;     /* provisioned: replicas × GPUs × wall time */
	double cost_usd;
	double utilisation;   /* busy slot time over slot time */
	double wait_seconds;  /* mean wait for a slot */
	double calls;
};

#endif
