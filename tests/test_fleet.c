/*
 * fleet: GPU-hour prices against hand arithmetic, the roofline against FACTS §3's formula
 * computed by hand, calibration to measured points, memory fit, and sizing a routed fleet.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "model/fleet.h"
#include "model/scenario.h"
#include "tests/check_main.h"

static struct gpu_sheet gs;
static struct serving_sheet ss;

static void load(void)
{
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(gpu_sheet_load(&gs, NULL, &err) == 0, "%s", err.msg);
	ck_assert_msg(serving_sheet_load(&ss, NULL, &err) == 0, "%s", err.msg);
}

static void unload(void)
{
	gpu_sheet_release(&gs);
	serving_sheet_release(&ss);
}

static const struct gpu *gpu(const char *name)
{
	const struct gpu *g;
	ck_assert_int_eq(gpu_sheet_lookup(&gs, name, &g, NULL), 0);
	return g;
}

static const struct serving_model *model(const char *name)
{
	const struct serving_model *m;
	ck_assert_int_eq(serving_sheet_lookup(&ss, name, &m, NULL), 0);
	return m;
}

/* FACTS §3's worked example: $345k node over 4 years, 8.2 kW × PUE 1.3 × $0.10/kWh, colo
 * $200/kW-month: 43,125/35,040 + 1.025 × (0.13 + 200/730) = 1.6448 per GPU-hour (≈ $1.7). */
START_TEST(owned_price_worked_example)
{
	const struct gpu *h = gpu("H100 SXM");
	double want = 43125.0 / (4 * 8760) + 8.2 / 8 * (1.3 * 0.10 + 200.0 / 730);
	ck_assert_double_eq_tol(gpu_hour_usd(h, PRICING_OWNED, &gs.owned), want, 1e-12);
	ck_assert_double_eq_tol(want, 1.6448, 1e-4);
	struct owned_params half = gs.owned;
	half.residual_fraction = 0.5;
	ck_assert_double_eq_tol(gpu_hour_usd(h, PRICING_OWNED, &half),
				want - 0.5 * 43125.0 / (4 * 8760), 1e-12);
	ck_assert_double_eq(gpu_hour_usd(h, PRICING_ON_DEMAND, &gs.owned), 6.88);
	ck_assert(isnan(gpu_hour_usd(gpu("h100-pcie"), PRICING_ON_DEMAND, &gs.owned)));
	ck_assert(isnan(gpu_hour_usd(gpu("b200"), PRICING_OWNED, &gs.owned)));
}
END_TEST

START_TEST(lookup_errors_name_matches)
{
	struct hc_err err = HC_ERR_INIT;
	const struct gpu *g;
	const struct serving_model *m;
	ck_assert_int_eq(gpu_sheet_lookup(&gs, "h100-sxn", &g, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "'h100-sxm'"), "%s", err.msg);
	ck_assert_int_eq(serving_sheet_lookup(&ss, "llama-3.3-70c", &m, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "'llama-3.3-70b'"), "%s", err.msg);
	ck_assert_int_eq(gpu_pricing_parse("reserved"), PRICING_RESERVED);
	ck_assert_int_eq(gpu_pricing_parse("free"), -1);
}
END_TEST

/* Llama 3.3 70B FP8 on 2 × H100, 1000/1000, batch capped at 256, computed from FACTS §3:
 * KV = 2·80·8·128·1 bytes; decode step = max(memory, compute); prefill for 1000 tokens. */
START_TEST(roofline_by_hand)
{
	const struct gpu *h = gpu("h100-sxm");
	const struct serving_model *m = model("llama-3.3-70b");
	double P = 70.55e9, kv = 2 * 80 * 8 * 128, F = 2 * 1979e12 * 0.5;
	double free_b = 2 * 80e9 * 0.9 - P;
	double B = fmin(256, floor(free_b / (2000 * kv)));
	double mem = (P + B * 1500 * kv) / (2 * 3.35e12 * 0.6), comp = B * 2 * P / F;
	double prefill = (2 * P * 1000 + 2 * 80 * 1000.0 * 1000 * 8192) / F;
	double want = 1000 / (prefill + 1000 * fmax(mem, comp) / B);
	unsigned batch;
	double got = fleet_roofline(&ss.roofline, m, PRECISION_FP8, h, 2, 1000, 0, 1000, &batch);
	ck_assert_uint_eq(batch, (unsigned)B);
	ck_assert_double_eq_tol(got, want, 1e-9 * want);
	/* a cached prefix skips prefill: faster */
	ck_assert_double_gt(fleet_roofline(&ss.roofline, m, PRECISION_FP8, h, 2, 1000, 800, 1000,
					   &batch), got);
}
END_TEST

START_TEST(measured_points_reproduced)
{
	struct replica r;
	for (size_t i = 0; i < ss.n_points; i++) {
		const struct serving_point *pt = &ss.points[i];
		const struct gpu *g = gpu(pt->gpu);
		ck_assert_int_eq(fleet_replica(&ss, &ss.models[pt->model], pt->precision, g,
					       (unsigned)pt->gpus, pt->isl, 0, pt->osl, &r, NULL), 0);
		ck_assert_msg(fabs(r.output_tokens_per_s / pt->output_tokens_per_s - 1) < 1e-6,
			      "%s on %s %.0f/%.0f: %.1f, measured %.1f", ss.models[pt->model].name,
			      pt->gpu, pt->isl, pt->osl, r.output_tokens_per_s,
			      pt->output_tokens_per_s);
		ck_assert_uint_ge(r.measured_points, 1);
	}
	/* between two measured shapes, the calibrated rate lies between their factors */
	const struct gpu *h = gpu("h100-sxm");
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.3-70b"), PRECISION_FP8, h, 2, 500, 0,
				       500, &r, NULL), 0);
	ck_assert_uint_eq(r.measured_points, 4);
	ck_assert(r.calibration > 0.5 && r.calibration < 2);
	/* nothing measured on a B200: the plain roofline */
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.3-70b"), PRECISION_FP8, gpu("b200"), 0,
				       1000, 0, 1000, &r, NULL), 0);
	ck_assert_uint_eq(r.measured_points, 0);
	ck_assert_double_eq(r.calibration, 1);
}
END_TEST

START_TEST(memory_fit_and_precision)
{
	struct replica r;
	struct hc_err err = HC_ERR_INIT;
	/* 405B in BF16 is 812 GB of weights: more than 8 × 80 GB, so 16 GPUs */
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.1-405b"), PRECISION_BF16,
				       gpu("h100-sxm"), 0, 1000, 0, 1000, &r, NULL), 0);
	ck_assert_uint_eq(r.gpus, 16);
	/* 8B in FP8 fits one GPU */
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.1-8b"), PRECISION_FP8,
				       gpu("h100-sxm"), 0, 1000, 0, 1000, &r, NULL), 0);
	ck_assert_uint_eq(r.gpus, 1);
	/* 70B BF16 (141 GB) cannot fit one 80 GB GPU */
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.3-70b"), PRECISION_BF16,
				       gpu("h100-sxm"), 1, 1000, 0, 1000, &r, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "does not fit"), "%s", err.msg);
	/* the A100 has no FP8 */
	ck_assert_int_eq(fleet_replica(&ss, model("llama-3.3-70b"), PRECISION_FP8,
				       gpu("a100"), 0, 1000, 0, 1000, &r, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "FP8"), "%s", err.msg);
}
END_TEST

START_TEST(bad_sheet_names_path)
{
	struct gpu_sheet bad;
	struct hc_err err = HC_ERR_INIT;
	FILE *f = fopen("/tmp/hypercap-bad-gpus.json", "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"hypercap_gpus\": 1, \"date\": \"x\", \"source\": \"y\", \"owned_defaults\": "
	      "{\"amortisation_years\": 4, \"pue\": 0.5, \"usd_per_kwh\": 0.1, "
	      "\"colo_usd_per_kw_month\": 1, \"residual_fraction\": 0}, \"gpus\": []}", f);
	fclose(f);
	ck_assert_int_eq(gpu_sheet_load(&bad, "/tmp/hypercap-bad-gpus.json", &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "owned_defaults.pue: got 0.5; allowed: a number from 1 to 5"),
		      "%s", err.msg);
	remove("/tmp/hypercap-bad-gpus.json");
}
END_TEST

/* The sheet's named on-demand offers, in its order; an offer with a bad price is refused
 * with its JSON path and the range allowed. */
START_TEST(offers_parsed_and_checked)
{
	const struct gpu *h = gpu("h100-sxm");
	ck_assert_uint_eq(h->n_offers, 4);
	ck_assert_str_eq(h->offers[2].name, "Lambda");
	ck_assert_double_eq(h->offers[2].usd_per_gpu_hour, 3.99);
	ck_assert_ptr_nonnull(strstr(h->offers[2].source, "2025-2026"));
	ck_assert_uint_eq(gpu("b200")->n_offers, 0);
	struct gpu_sheet bad;
	struct hc_err err = HC_ERR_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hypercap-bad-offers-%d.json", (int)getpid());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"hypercap_gpus\": 1, \"date\": \"x\", \"source\": \"y\", \"owned_defaults\": "
	      "{\"amortisation_years\": 4, \"pue\": 1.3, \"usd_per_kwh\": 0.1, "
	      "\"colo_usd_per_kw_month\": 1, \"residual_fraction\": 0}, \"gpus\": [{\"name\": "
	      "\"g\", \"bf16_tflops\": 1, \"hbm_tb_per_s\": 1, \"memory_gb\": 80, "
	      "\"tdp_w\": 700, \"offers\": [{\"name\": \"P\", \"usd_per_gpu_hour\": -1, "
	      "\"source\": \"s\"}]}]}", f);
	fclose(f);
	ck_assert_int_eq(gpu_sheet_load(&bad, path, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "gpus[0].offers[0]") &&
		      strstr(err.msg, "allowed: a number from 0 to 1000"), "%s", err.msg);
	remove(path);
}
END_TEST

/*
 * fleet_size: the spec's request shape overrides the calls', the spec's price is taken; a
 * call holds a slot for the overhead plus the slot time of its uncached input.
 */
START_TEST(size_and_call_seconds)
{
	struct fleet_spec spec = { .name = "f", .serve_model = "llama-3.3-70b", .gpu = "h100-sxm",
				   .precision = PRECISION_BF16, .replicas = 3,
				   .gpu_hour_usd = 2, .ttft_seconds = 0.5,
				   .request_output_tokens = 200 };
	struct fleet fl;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(fleet_size(&fl, &spec, "here", 1000, 400, 100, &gs, &ss, &err) == 0, "%s",
		      err.msg);
	ck_assert_double_eq(fl.isl, 1000);
	ck_assert_double_eq(fl.isl_cached, 400);
	ck_assert_double_eq(fl.osl, 200);
	ck_assert_double_eq(fl.gpu_hour_usd, 2);
	ck_assert_uint_eq(fl.slots, 3 * fl.replica.batch);
	struct usage u = { .calls = 1, .input = 1000, .cache_read = 400, .output = 100 };
	ck_assert_double_eq_tol(fleet_call_seconds(&fl, &u),
				0.5 + fleet_call_slot_seconds(&fl.replica, &fl.model, 600, 100),
				1e-12);
	snprintf(spec.serve_model, sizeof(spec.serve_model), "no-such-model");
	ck_assert_int_eq(fleet_size(&fl, &spec, "fleets[0]", 1000, 0, 100, &gs, &ss, &err),
			 HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "fleets[0]") == err.msg, "%s", err.msg);
}
END_TEST

/*
 * Replications size their fleets on their own threads (forecast.c, run_drawn), each loading the
 * serving sheet: every load on every thread must give the sheet loaded alone, each measured point
 * naming its own sheet's model (a parser state shared between threads once named another's).
 */
#define LOAD_THREADS 8
#define LOADS_PER_THREAD 600

struct loader {
	pthread_t tid;
	unsigned bad; /* loads that failed or differ from ss */
	char msg[HC_ERR_MSG_MAX + 32];
};

static void *load_many(void *arg)
{
	struct loader *l = arg;
	for (unsigned k = 0; k < LOADS_PER_THREAD; k++) {
		struct serving_sheet mine;
		struct hc_err err = HC_ERR_INIT;
		if (serving_sheet_load(&mine, NULL, &err)) {
			if (!l->bad++)
				snprintf(l->msg, sizeof(l->msg), "load %u: %s", k, err.msg);
			continue;
		}
		int same = mine.n_points == ss.n_points && mine.n_models == ss.n_models;
		for (size_t i = 0; same && i < mine.n_points; i++)
			same = mine.points[i].model == ss.points[i].model;
		if (!same && !l->bad++)
			snprintf(l->msg, sizeof(l->msg), "load %u: the measured points name other "
				 "models than the sheet loaded alone", k);
		serving_sheet_release(&mine);
	}
	return NULL;
}

START_TEST(concurrent_loads_agree)
{
	struct loader l[LOAD_THREADS];
	memset(l, 0, sizeof(l));
	ck_assert_uint_gt(ss.n_points, 0);
	for (size_t t = 0; t < LOAD_THREADS; t++)
		ck_assert_int_eq(pthread_create(&l[t].tid, NULL, load_many, &l[t]), 0);
	for (size_t t = 0; t < LOAD_THREADS; t++)
		ck_assert_int_eq(pthread_join(l[t].tid, NULL), 0);
	for (size_t t = 0; t < LOAD_THREADS; t++)
		ck_assert_msg(l[t].bad == 0, "thread %zu: %u of %d loads wrong; first: %s", t,
			      l[t].bad, LOADS_PER_THREAD, l[t].msg);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, load, unload);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("fleet");
	add(s, "owned_price_worked_example", owned_price_worked_example);
	add(s, "lookup_errors_name_matches", lookup_errors_name_matches);
	add(s, "roofline_by_hand", roofline_by_hand);
	add(s, "measured_points_reproduced", measured_points_reproduced);
	add(s, "memory_fit_and_precision", memory_fit_and_precision);
	add(s, "bad_sheet_names_path", bad_sheet_names_path);
	add(s, "offers_parsed_and_checked", offers_parsed_and_checked);
	add(s, "size_and_call_seconds", size_and_call_seconds);
	add(s, "concurrent_loads_agree", concurrent_loads_agree);
	return check_run(s);
}
