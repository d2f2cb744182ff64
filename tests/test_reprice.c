/*
 * Re-pricing: exact costs against hand arithmetic, and the DGM logs at o3-mini list prices.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "import/import.h"
#include "replay/reprice.h"
#include "tests/check_main.h"

#define FIX SOURCE_DIR "/tests/fixtures/trace/"

static int reprice_file(const char *path, struct price_sheet *ps, struct reprice *rp,
			struct hc_err *err)
{
	struct trace_reader r;
	int rc = trace_reader_open(&r, path, 0, err);
	if (rc)
		return rc;
	reprice_init(rp, ps);
	rc = reprice_trace(rp, &r, NULL, NULL, err);
	trace_reader_close(&r);
	return rc;
}

static const struct reprice_group *group(const struct reprice *rp, enum reprice_dim d,
					 size_t i, const char *name)
{
	ck_assert_uint_gt(rp->by[d].n, i);
	ck_assert_str_eq(rp->by[d].v[i].name, name);
	return &rp->by[d].v[i];
}

/*
 * tests/fixtures/trace/priced.jsonl at the embedded sheet (USD per 1M tokens), by hand:
 *   a gpt-4o:      6,000 x 2.50 + 4,000 x 1.25 + 2,000 x 10.00             = 0.040000
 *   b sonnet-4-5:  5,000 x 3.00 + 80,000 x 0.30 + 15,000 x 3.75 + 5,000 x 15 = 0.170250
 *   c o3-mini:     500,000 x 1.10 + 500,000 x 0.55 + 200,000 x 4.40          = 1.705000
 *   d o3-mini:     no usage: counted, not priced
 *   e haiku-4-5:   2,000 x 1.00 + 1,000 x 5.00 (estimated)                   = 0.007000
 */
START_TEST(fixture_matches_hand_arithmetic)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_int_eq(reprice_file(FIX "priced.jsonl", &ps, &rp, &err), 0);
	ck_assert_double_eq_tol(rp.cost, 1.92225, 1e-9);
	ck_assert_double_eq(round(rp.cost * 100) / 100, 1.92);
	ck_assert_int_eq(rp.calls, 5);
	ck_assert_int_eq(rp.unknown_usage, 1);
	ck_assert_int_eq(rp.estimated, 1);
	ck_assert_double_eq_tol(rp.estimated_cost, 0.007, 1e-12);
	ck_assert_int_eq(rp.total.input, 10000 + 100000 + 1000000 + 2000);
	ck_assert_int_eq(rp.total.cache_write, 15000);
	/* by model: the alias claude-sonnet-4-5-20250929 is priced as claude-sonnet-4-5 */
	ck_assert_double_eq_tol(group(&rp, REPRICE_MODEL, 0, "claude-haiku-4-5")->cost, 0.007,
				1e-12);
	ck_assert_double_eq_tol(group(&rp, REPRICE_MODEL, 1, "claude-sonnet-4-5")->cost, 0.17025,
				1e-12);
	ck_assert_double_eq_tol(group(&rp, REPRICE_MODEL, 2, "gpt-4o")->cost, 0.04, 1e-12);
	const struct reprice_group *o3 = group(&rp, REPRICE_MODEL, 3, "o3-mini");
	ck_assert_double_eq_tol(o3->cost, 1.705, 1e-12);
	ck_assert_int_eq(o3->unknown_usage, 1);
	ck_assert_int_eq(o3->usage.calls, 1);
	/* by role, domain (no domain: "unknown", last) and iteration (numerically) */
	ck_assert_double_eq_tol(group(&rp, REPRICE_ROLE, 0, "evaluate")->cost, 1.712, 1e-12);
	ck_assert_double_eq_tol(group(&rp, REPRICE_ROLE, 1, "self_modify")->cost, 0.21025, 1e-12);
	ck_assert_double_eq_tol(group(&rp, REPRICE_DOMAIN, 2, "unknown")->cost, 0.21025, 1e-12);
	group(&rp, REPRICE_ITERATION, 0, "1");
	group(&rp, REPRICE_ITERATION, 1, "2");
	ck_assert_double_eq_tol(group(&rp, REPRICE_ITERATION, 2, "10")->cost, 0.007, 1e-12);
	ck_assert_int_eq(rp.max_iteration, 10);
	/* the other records */
	ck_assert_int_eq(rp.tasks, 2);
	ck_assert_int_eq(rp.task_pass, 1);
	ck_assert_double_eq(rp.sandbox_seconds, 12.5);
	ck_assert_int_eq(rp.nodes, 1);
	ck_assert_int_eq(rp.archive_bytes, 2300);
	ck_assert_double_eq(rp.last_time - rp.first_time, 3600);
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

/*
 * The recorded wall time spans the evaluation tasks too: in retime-loop.jsonl the first task
 * starts at 2000 and the last ends at 2070 (70 s, as test_retime's recorded_wall_hours), while
 * the calls alone span 2001 to 2063.
 */
START_TEST(recorded_wall_time_spans_calls_and_tasks)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_int_eq(reprice_file(FIX "retime-loop.jsonl", &ps, &rp, &err), 0);
	ck_assert_double_eq(rp.first_time, 2000);
	ck_assert_double_eq(rp.last_time, 2070);
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(dgm_logs_cost_1_41_at_o3_mini_list_prices)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	struct trace_writer w;
	struct import_stats st = { 0 };
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hypercap-reprice-%d.jsonl", (int)getpid());
	ck_assert_int_eq(trace_writer_open(&w, path, "dgm", "2026-07-24T00:00:00Z", &err), 0);
	ck_assert_int_eq(import_dgm(SOURCE_DIR "/data/dgm-polyglot-initial", &w, &st, &err), 0);
	ck_assert_int_eq(trace_writer_commit(&w, &err), 0);
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_int_eq(reprice_file(path, &ps, &rp, &err), 0);
	/* (410,728 - 122,856) x 1.10 + 122,856 x 0.55 + 232,566 x 4.40 = 1,407,520.4 / 1e6 */
	ck_assert_double_eq_tol(rp.cost, 1.4075204, 1e-9);
	ck_assert_double_eq(round(rp.cost * 100) / 100, 1.41);
	ck_assert_int_eq(rp.by[REPRICE_MODEL].n, 1);
	ck_assert_str_eq(rp.by[REPRICE_MODEL].v[0].name, "o3-mini");
	reprice_release(&rp);
	price_sheet_release(&ps);
	unlink(path);
}
END_TEST

START_TEST(unknown_model_names_close_matches)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_int_eq(reprice_file(FIX "unknown-model.jsonl", &ps, &rp, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "unknown-model.jsonl:3: model: got 'gpt-4oo'; allowed: a "
				      "model of the price sheet") && strstr(err.msg, "'gpt-4o'"),
		      "%s", err.msg);
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(missing_rate_is_an_error_not_zero)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	struct trace_record rec;
	const struct price *p;
	double cost;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	reprice_init(&rp, &ps);
	trace_record_init(&rec, TRACE_LLM_CALL);
	strcpy(rec.u.call.model, "gpt-4o"); /* OpenAI: no cache-write rate */
	rec.u.call.has_usage = 1;
	rec.u.call.usage = (struct usage){ 1, 1000, 0, 200, 10, 0, 0 };
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "200 cache_write tokens"), "%s", err.msg);
	/* a call without usage and without a model is counted under "unknown" */
	trace_record_init(&rec, TRACE_LLM_CALL);
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), 0);
	ck_assert_ptr_null(p);
	ck_assert(isnan(cost));
	ck_assert_int_eq(rp.unknown_usage, 1);
	ck_assert_str_eq(rp.by[REPRICE_MODEL].v[0].name, "unknown");
	/* with usage, a model is required */
	rec.u.call.has_usage = 1;
	rec.u.call.usage = (struct usage){ 1, 10, 0, 0, 1, 0, 0 };
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "model: missing"), "%s", err.msg);
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

/* A recorded call is priced as it was billed: batch rates, its service tier, 1-hour writes. */
START_TEST(batch_service_tier_and_1h_writes_from_the_trace)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct reprice rp;
	struct trace_record rec;
	const struct price *p;
	double cost;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	reprice_init(&rp, &ps);
	trace_record_init(&rec, TRACE_LLM_CALL);
	strcpy(rec.u.call.model, "gpt-4o");
	rec.u.call.has_usage = 1;
	rec.u.call.usage = (struct usage){ 1, 1000000, 0, 0, 100000, 0, 0 };
	rec.u.call.batch = 1; /* 1M x 1.25 + 100k x 5, not 1M x 2.5 + 100k x 10 */
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), 0);
	ck_assert_double_eq_tol(cost, 1.75, 1e-12);
	rec.u.call.batch = 0;
	strcpy(rec.u.call.model, "gpt-5");
	strcpy(rec.u.call.service_tier, "flex"); /* 1M x 0.625 + 100k x 5 */
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), 0);
	ck_assert_double_eq_tol(cost, 1.125, 1e-12);
	strcpy(rec.u.call.model, "claude-sonnet-4-5");
	rec.u.call.service_tier[0] = '\0';
	/* 1,000 input of which 800 writes, 500 of them 1-hour: 200 x 3 + 300 x 3.75 + 500 x 6 */
	rec.u.call.usage = (struct usage){ 1, 1000, 0, 800, 0, 0, 500 };
	ck_assert_int_eq(reprice_add(&rp, &rec, &p, &cost, &err), 0);
	ck_assert_double_eq_tol(cost, (200 * 3 + 300 * 3.75 + 500 * 6) / 1e6, 1e-15);
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reprice");
	check_add(s, "fixture_matches_hand_arithmetic", fixture_matches_hand_arithmetic, 10);
	check_add(s, "recorded_wall_time_spans_tasks", recorded_wall_time_spans_calls_and_tasks, 10);
	check_add(s, "dgm_logs_cost_1_41", dgm_logs_cost_1_41_at_o3_mini_list_prices, 60);
	check_add(s, "unknown_model_names_close_matches", unknown_model_names_close_matches, 10);
	check_add(s, "missing_rate_is_an_error_not_zero", missing_rate_is_an_error_not_zero, 10);
	check_add(s, "batch_service_tier_and_1h_writes",
		  batch_service_tier_and_1h_writes_from_the_trace, 10);
	return check_run(s);
}
