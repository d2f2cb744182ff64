/*
 * test_loop: one replication of the loop (model/loop.c) and the forecast over replications
 * (model/forecast.c). Small scenarios with constant distributions make the oracles exact:
 * token counts from the session closed form, wall times from latencies and rate limits,
 * checkout bytes from the archive sizes. The paper preset is checked against the paper.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/hc_err.h"
#include "model/forecast.h"
#include "model/loop.h"
#include "model/prices.h"
#include "model/priors.h"
#include "model/scenario.h"
#include "model/usage.h"
#include "tests/check_main.h"
#include "tests/scenario_text.h"

#define PAPER SOURCE_DIR "/data/scenarios/hyperagents-paper.json"
#define SEED 42u

static struct price_sheet ps;

static void load_sheet(void)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = price_sheet_load(&ps, NULL, &err);

	ck_assert_msg(rc == 0, "embedded sheet: rc %d: %s", rc, err.msg);
}

static void release_sheet(void)
{
	price_sheet_release(&ps);
}

/*
 * Two domains, constant sizes. Per task: domain a makes 2 calls, inputs 200 and 200 + 20 + 10,
 * outputs 20 each: 430 + 40 = 470 tokens; domain b one call of 300 + 30 = 330 tokens.
 * Full sets: 5 * 470 + 3 * 330 = 3340 tokens; screens: 2 * 470 + 1 * 330 = 1270.
 * The meta session: 3 calls, 3 * 1000 + 3 * (100 + 50) = 3450 input + 300 output = 3750.
 */
static const char *const SMALL =
	"{ 'name': 'small', 'iterations': 4, 'parent_selection': 'dgmh-code',"
	"  'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 3,"
	"    'prompt_tokens': 1000, 'output_tokens': 100, 'tool_result_tokens': 50,"
	"    'tool_seconds': 0, 'compile_seconds': 0, 'patch_bytes': 1000 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'screen_tasks': 2, 'full_tasks': 5,"
	"      'eval_workers': 2, 'initial_score': 0.5, 'improvement': 0, 'sandbox_seconds': 0,"
	"      'artifact_bytes': 10,"
	"      'task': { 'calls': 2, 'prompt_tokens': 200, 'output_tokens': 20,"
	"                'tool_result_tokens': 10 } },"
	"    { 'name': 'b', 'model': 'claude-sonnet-4-5', 'screen_tasks': 1, 'full_tasks': 3,"
	"      'eval_workers': 3, 'initial_score': 0.5, 'improvement': 0, 'sandbox_seconds': 0,"
	"      'artifact_bytes': 20,"
	"      'task': { 'calls': 1, 'prompt_tokens': 300, 'output_tokens': 30 } } ],"
	"  'archive': { 'root_bytes': 1000000, 'node_metadata_bytes': 100, 'copy_run_dir': true } }";

#define FULL_EVAL 3340
#define FULL_EVAL_INPUT 3050
#define FULL_EVAL_CALLS 13
#define SCREEN_EVAL 1270
#define SELFMOD 3750
#define SELFMOD_INPUT 3450

/* One domain, one task of one call; the endpoint's latency is the whole wall time. */
static const char *const ONE =
	"{ 'name': 'one', 'iterations': 0, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 1,"
	"    'prompt_tokens': 10, 'output_tokens': 100, 'tool_seconds': 0, 'compile_seconds': 0 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'screen_tasks': 1, 'full_tasks': 1,"
	"      'eval_workers': 1, 'sandbox_seconds': 0,"
	"      'task': { 'calls': 1, 'prompt_tokens': 10, 'output_tokens': 100 } } ],"
	"  'models': [ { 'name': 'gpt-4o', 'ttft_seconds': 1, 'decode_tokens_per_second': 50 },"
	"              { 'name': 'claude-sonnet-4-5', 'ttft_seconds': 1,"
	"                'decode_tokens_per_second': 50 } ] }";

/* ---- helpers ---- */

static void paper_with(struct scenario *sc, const char *const *sets, size_t n)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = scenario_load(sc, PAPER, sets, n, &err);

	ck_assert_msg(rc == 0, "%s: rc %d: %s", PAPER, rc, err.msg);
}

static void run(const struct scenario *sc, uint64_t seed, struct loop_models *m,
		struct loop_result *res)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = loop_resolve_models(sc, &ps, m, &err);

	ck_assert_msg(rc == 0, "models: %s", err.msg);
	rc = loop_run(sc, m, seed, 0, res, &err);
	ck_assert_msg(rc == 0, "loop_run: rc %d: %s", rc, err.msg);
}

static int64_t role_total(const struct loop_result *r, enum role role)
{
	return usage_total(&r->by_role[role]);
}

/* ---- token accounting ---- */

START_TEST(test_full_eval_tokens)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, SMALL, NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), 5 * FULL_EVAL);
	ck_assert_int_eq(res.by_role[ROLE_EVALUATE].input, 5 * FULL_EVAL_INPUT);
	ck_assert_int_eq(res.by_role[ROLE_EVALUATE].calls, 5 * FULL_EVAL_CALLS);
	ck_assert_int_eq(role_total(&res, ROLE_SELF_MODIFY), 4 * SELFMOD);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].input, 4 * SELFMOD_INPUT);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].calls, 4 * 3);
	ck_assert_uint_eq(res.n_rows, 5);
	ck_assert_uint_eq(res.archive_nodes, 5);
	for (size_t i = 0; i < res.n_rows; i++) {
		const struct iteration_row *r = &res.rows[i];
		ck_assert_uint_eq(r->iteration, i);
		ck_assert_int_eq(r->node, (int)i);
		ck_assert_int_eq(r->compiled, 1);
		ck_assert_int_eq(r->gate, -1);
		ck_assert_int_eq(usage_total(&r->usage[ROLE_EVALUATE]), FULL_EVAL);
		ck_assert_int_eq(usage_total(&r->usage[ROLE_SELF_MODIFY]), i ? SELFMOD : 0);
	}
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_full_eval_tokens_rules)
{
	/* (1 + iterations * children) full evaluations whatever the rule */
	static const char *const rules[] = { "parent_selection=\"paper\"",
					     "parent_selection=\"dgmh-code\"",
					     "parent_selection=\"dgm-code\"" };

	for (int k = 0; k < 3; k++) {
		struct scenario sc;
		struct loop_models m;
		struct loop_result res;
		scenario_text(&sc, SMALL, rules[k], "children_per_iteration=3", "iterations=6",
			      "domains.a.improvement={\"dist\": \"normal\", \"mean\": 0.05, "
			      "\"sd\": 0.1}", NULL);
		run(&sc, SEED + (unsigned)k, &m, &res);
		ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), (1 + 6 * 3) * FULL_EVAL);
		ck_assert_int_eq(role_total(&res, ROLE_SELF_MODIFY), 6 * 3 * SELFMOD);
		ck_assert_uint_eq(res.n_rows, 19);
		ck_assert_uint_eq(res.archive_nodes, 19);
		/* every child's parent was in the archive before its iteration began */
		for (size_t i = 1; i < res.n_rows; i++) {
			const struct iteration_row *r = &res.rows[i];
			ck_assert_int_ge(r->parent, 0);
			ck_assert_int_lt(r->parent, (int)(1 + (r->iteration - 1) * 3));
			ck_assert_uint_lt(r->child, 3);
		}
		loop_result_release(&res);
		scenario_release(&sc);
	}
}
END_TEST

START_TEST(test_zero_iterations)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, SMALL, "iterations=0", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_uint_eq(res.n_rows, 1);
	ck_assert_uint_eq(res.rows[0].iteration, 0);
	ck_assert_int_eq(res.rows[0].parent, -1);
	ck_assert_int_eq(res.rows[0].node, 0);
	ck_assert_double_eq(res.rows[0].checkout_bytes, 0);
	ck_assert_int_eq(role_total(&res, ROLE_SELF_MODIFY), 0);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].calls, 0);
	ck_assert_double_eq(res.cost_by_role[ROLE_SELF_MODIFY], 0);
	ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), FULL_EVAL);
	ck_assert_uint_eq(res.archive_nodes, 1);
	ck_assert_double_eq(res.io_bytes, 0);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_staged_gate_fails)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	/* a score of 0 never passes a screen task: only screens after the initial evaluation */
	scenario_text(&sc, SMALL, "evaluation=\"staged\"", "iterations=6",
		      "domains.a.initial_score=0", "domains.b.initial_score=0", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), FULL_EVAL + 6 * SCREEN_EVAL);
	ck_assert_int_eq(role_total(&res, ROLE_SELF_MODIFY), 6 * SELFMOD);
	ck_assert_uint_eq(res.gates_failed, 6);
	ck_assert_uint_eq(res.gates_passed, 0);
	ck_assert_double_eq(res.best_score, 0);
	ck_assert_int_eq(res.rows[0].gate, -1); /* the initial agent runs the full sets */
	for (size_t i = 1; i < res.n_rows; i++) {
		ck_assert_int_eq(res.rows[i].gate, 0);
		ck_assert_int_eq(usage_total(&res.rows[i].usage[ROLE_EVALUATE]), SCREEN_EVAL);
	}
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_staged_gate_passes)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, SMALL, "evaluation=\"staged\"", "iterations=6",
		      "domains.a.initial_score=1", "domains.b.initial_score=1", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), 7 * FULL_EVAL);
	ck_assert_uint_eq(res.gates_passed, 6);
	ck_assert_uint_eq(res.gates_failed, 0);
	ck_assert_double_eq(res.best_score, 1);
	for (size_t i = 1; i < res.n_rows; i++) {
		ck_assert_int_eq(res.rows[i].gate, 1);
		ck_assert_double_eq(res.rows[i].score, 1);
	}
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_compile_failures)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, SMALL, "self_modification.compile_failure_rate=1", "iterations=5",
		      NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(role_total(&res, ROLE_EVALUATE), FULL_EVAL);
	ck_assert_int_eq(role_total(&res, ROLE_SELF_MODIFY), 5 * SELFMOD);
	ck_assert_uint_eq(res.compile_failures, 5);
	ck_assert_uint_eq(res.archive_nodes, 6);
	ck_assert_uint_eq(res.max_depth, 1); /* failed children are never parents */
	for (size_t i = 1; i < res.n_rows; i++) {
		ck_assert_int_eq(res.rows[i].compiled, 0);
		ck_assert_int_eq(res.rows[i].parent, 0);
		ck_assert_int_eq(res.rows[i].usage[ROLE_EVALUATE].calls, 0);
		ck_assert_double_eq(res.rows[i].score, 0);
	}
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

static void assert_usage_eq(const struct usage *a, const struct usage *b, const char *what)
{
	ck_assert_msg(!memcmp(a, b, sizeof(*a)),
		      "%s: {calls %lld, input %lld, read %lld, write %lld, output %lld, "
		      "reasoning %lld} != {%lld, %lld, %lld, %lld, %lld, %lld}", what,
		      (long long)a->calls, (long long)a->input, (long long)a->cache_read,
		      (long long)a->cache_write, (long long)a->output, (long long)a->reasoning,
		      (long long)b->calls, (long long)b->input, (long long)b->cache_read,
		      (long long)b->cache_write, (long long)b->output, (long long)b->reasoning);
}

START_TEST(test_sums_by_role_and_model)
{
	struct scenario sc;
	/* a third model, so that the meta agent's model serves no evaluation */
	/* and explicit caching for the meta agent, whose preset has none (the released code
	 * sends no cache markers), so that cache writes are summed too */
	const char *sets[] = { "iterations=8", "evaluation=\"staged\"",
			       "domains.robotics_reward.model=\"claude-haiku-4-5\"",
			       "domains.robotics_reward.task.caching=\"explicit\"",
			       "self_modification.caching=\"explicit\"" };

	paper_with(&sc, sets, 5);
	for (unsigned seed = 1; seed <= 3; seed++) {
		struct loop_models m;
		struct loop_result res;
		struct usage by_role = { 0 }, by_model = { 0 }, by_row[ROLE_COUNT];
		run(&sc, seed, &m, &res);
		ck_assert_uint_eq(m.n, 3);
		memset(by_row, 0, sizeof(by_row));
		for (int r = 0; r < ROLE_COUNT; r++)
			usage_add(&by_role, &res.by_role[r]);
		for (size_t k = 0; k < m.n; k++)
			usage_add(&by_model, &res.by_model[k]);
		for (size_t i = 0; i < res.n_rows; i++)
			for (int r = 0; r < ROLE_COUNT; r++)
				usage_add(&by_row[r], &res.rows[i].usage[r]);
		assert_usage_eq(&by_role, &by_model, "roles vs models");
		for (int r = 0; r < ROLE_COUNT; r++)
			assert_usage_eq(&by_row[r], &res.by_role[r], "rows vs role");
		ck_assert_double_eq(metric_value(&res, METRIC_TOKENS_TOTAL),
				    (double)usage_total(&by_model));
		ck_assert_double_eq(metric_value(&res, METRIC_TOKENS_SELF_MODIFY) +
				    metric_value(&res, METRIC_TOKENS_EVALUATE),
				    metric_value(&res, METRIC_TOKENS_TOTAL));
		/* the meta agent is the only self_modify caller, on model index m.selfmod */
		assert_usage_eq(&res.by_role[ROLE_SELF_MODIFY], &res.by_model[m.selfmod],
				"self_modify vs its model");
		struct usage ev = res.by_model[m.domain[0]];
		usage_add(&ev, &res.by_model[m.domain[1]]);
		assert_usage_eq(&res.by_role[ROLE_EVALUATE], &ev, "evaluate vs its models");
		ck_assert_int_gt(res.by_role[ROLE_SELF_MODIFY].cache_write, 0);
		loop_result_release(&res);
	}
	scenario_release(&sc);
}
END_TEST

START_TEST(test_cost_reprices)
{
	struct scenario sc;
	const char *sets[] = { "iterations=8",
			       "domains.robotics_reward.task.caching=\"explicit\"",
			       "self_modification.reasoning_fraction=0.3" };

	paper_with(&sc, sets, 3);
	for (unsigned seed = 1; seed <= 3; seed++) {
		struct loop_models m;
		struct loop_result res;
		double by_model = 0, by_row = 0;
		run(&sc, seed, &m, &res);
		for (size_t k = 0; k < m.n; k++) {
			double want = price_cost(m.prices[k], &res.by_model[k]);
			ck_assert_msg(fabs(res.cost_by_model[k] - want) <= 1e-9 * want,
				      "%s: cost %.12g, repriced %.12g", m.names[k],
				      res.cost_by_model[k], want);
			by_model += res.cost_by_model[k];
		}
		for (size_t i = 0; i < res.n_rows; i++)
			by_row += res.rows[i].cost_usd;
		double api = loop_cost_api(&res);
		ck_assert_double_gt(api, 0);
		ck_assert_double_eq_tol(by_model, api, 1e-9 * api);
		ck_assert_double_eq_tol(by_row, api, 1e-9 * api);
		double total = api + res.cost_self_hosted + res.cost_storage + res.cost_compute;
		ck_assert_double_eq(loop_cost_total(&res), total);
		ck_assert_double_eq(metric_value(&res, METRIC_COST_TOTAL), total);
		loop_result_release(&res);
	}
	scenario_release(&sc);
}
END_TEST

/* ---- determinism ---- */

static void assert_rows_equal(const struct loop_result *a, const struct loop_result *b)
{
	ck_assert_uint_eq(a->n_rows, b->n_rows);
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct iteration_row *x = &a->rows[i], *y = &b->rows[i];
		ck_assert_uint_eq(x->iteration, y->iteration);
		ck_assert_uint_eq(x->child, y->child);
		ck_assert_int_eq(x->parent, y->parent);
		ck_assert_int_eq(x->node, y->node);
		ck_assert_double_eq(x->score, y->score);
		ck_assert_int_eq(x->compiled, y->compiled);
		ck_assert_int_eq(x->gate, y->gate);
		ck_assert_int_eq(x->timed_out, y->timed_out);
		for (int r = 0; r < ROLE_COUNT; r++)
			assert_usage_eq(&x->usage[r], &y->usage[r], "row usage");
		ck_assert_double_eq(x->cost_usd, y->cost_usd);
		ck_assert_double_eq(x->checkout_bytes, y->checkout_bytes);
		ck_assert_double_eq(x->archive_bytes, y->archive_bytes);
		ck_assert_double_eq(x->finish_seconds, y->finish_seconds);
	}
}

static void assert_results_equal(const struct loop_result *a, const struct loop_result *b)
{
	ck_assert(!memcmp(a->by_role, b->by_role, sizeof(a->by_role)));
	ck_assert(!memcmp(a->by_model, b->by_model, sizeof(a->by_model)));
	ck_assert(!memcmp(a->cost_by_role, b->cost_by_role, sizeof(a->cost_by_role)));
	ck_assert(!memcmp(a->cost_by_model, b->cost_by_model, sizeof(a->cost_by_model)));
	ck_assert_double_eq(a->wall_seconds, b->wall_seconds);
	ck_assert_double_eq(a->archive_bytes, b->archive_bytes);
	ck_assert_double_eq(a->io_bytes, b->io_bytes);
	ck_assert_uint_eq(a->events, b->events);
	assert_rows_equal(a, b);
}

static void forecast(struct forecast *f, const struct scenario *sc, unsigned runs,
		     unsigned threads, uint64_t seed)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = forecast_run(f, sc, &ps, runs, threads, seed, NULL, NULL, &err);

	ck_assert_msg(rc == 0, "forecast: rc %d: %s", rc, err.msg);
}

START_TEST(test_same_seed_any_threads)
{
	struct scenario sc;
	struct forecast f1, f2;
	const char *sets[] = { "iterations=10", "evaluation=\"staged\"" };

	paper_with(&sc, sets, 2);
	forecast(&f1, &sc, 4, 1, 7);
	forecast(&f2, &sc, 4, 2, 7);
	for (unsigned i = 0; i < 4; i++)
		assert_results_equal(&f1.reps[i], &f2.reps[i]);
	ck_assert(!memcmp(f1.metrics, f2.metrics, sizeof(f1.metrics)));
	ck_assert(!memcmp(&f1.mean, &f2.mean, sizeof(f1.mean)));
	/* and each replication run alone, on its own draw of the preset's priors, gives the
	 * same replication */
	struct loop_models m;
	struct hc_err err = HC_ERR_INIT;
	for (unsigned i = 0; i < 4; i++) {
		struct loop_result res;
		struct scenario drawn;
		ck_assert_int_eq(scenario_draw(&sc, 7, i, &drawn, &err), 0);
		ck_assert_int_eq(loop_resolve_models(&drawn, &ps, &m, &err), 0);
		ck_assert_int_eq(loop_run(&drawn, &m, 7, i, &res, &err), 0);
		assert_results_equal(&res, &f2.reps[i]);
		loop_result_release(&res);
		scenario_release(&drawn);
	}
	forecast_release(&f1);
	forecast_release(&f2);
	scenario_release(&sc);
}
END_TEST

/* What a sink saw: replications in order, each one's rows compared with the kept forecast's. */
struct seen {
	const struct forecast *kept;
	unsigned next;
};

static int compare_rep(void *ctx, const struct forecast *f, unsigned rep,
		       const struct loop_result *r, struct hc_err *err)
{
	struct seen *seen = ctx;

	(void)err;
	ck_assert_uint_eq(rep, seen->next++);
	ck_assert_uint_eq(f->runs, seen->kept->runs);
	assert_results_equal(r, &seen->kept->reps[rep]);
	return 0;
}

static int fail_at_3(void *ctx, const struct forecast *f, unsigned rep,
		     const struct loop_result *r, struct hc_err *err)
{
	(void)ctx, (void)f, (void)r;
	return rep == 3 ? hc_err_set(err, HC_ERUNTIME, "disk full at %u", rep) : 0;
}

/* More replications than the window: streamed in order, the same as kept, any threads. */
START_TEST(test_streamed_same_as_kept)
{
	struct scenario sc;
	struct forecast kept, streamed;
	struct hc_err err = HC_ERR_INIT;
	const char *sets[] = { "iterations=3" };
	const unsigned runs = FORECAST_WINDOW + 6;

	paper_with(&sc, sets, 1);
	forecast(&kept, &sc, runs, 1, 5);
	for (unsigned threads = 1; threads <= 2; threads++) {
		struct seen seen = { &kept, 0 };
		struct forecast_sink sink = { compare_rep, &seen };
		ck_assert_int_eq(forecast_run(&streamed, &sc, &ps, runs, threads, 5, NULL, &sink,
					      &err), 0);
		ck_assert_uint_eq(seen.next, runs);
		ck_assert_uint_eq(streamed.n_reps, 1);
		assert_results_equal(&streamed.reps[0], &kept.reps[0]);
		ck_assert(!memcmp(streamed.per_rep, kept.per_rep, runs * sizeof(*kept.per_rep)));
		ck_assert(!memcmp(streamed.metrics, kept.metrics, sizeof(kept.metrics)));
		ck_assert(!memcmp(&streamed.mean, &kept.mean, sizeof(kept.mean)));
		forecast_release(&streamed);
	}
	struct forecast_sink failing = { fail_at_3, NULL };
	ck_assert_int_eq(forecast_run(&streamed, &sc, &ps, runs, 2, 5, NULL, &failing, &err),
			 HC_ERUNTIME);
	ck_assert_str_eq(err.msg, "disk full at 3");
	ck_assert_ptr_null(streamed.reps);
	forecast_release(&kept);
	scenario_release(&sc);
}
END_TEST

/*
 * Variants (a fit's bootstrap resamples): replication r of forecast_run_variants is
 * replication r of forecast_run on variant r mod 2, to the bit, for 1 and 2 threads.
 */
START_TEST(test_variants_alternate)
{
	struct scenario v[2];
	struct forecast alone[2], mixed;
	struct hc_err err = HC_ERR_INIT;
	const char *two[] = { "iterations=2" }, *four[] = { "iterations=4" };
	const unsigned runs = 9;

	paper_with(&v[0], two, 1);
	paper_with(&v[1], four, 1);
	forecast(&alone[0], &v[0], runs, 1, 11);
	forecast(&alone[1], &v[1], runs, 1, 11);
	for (unsigned threads = 1; threads <= 2; threads++) {
		ck_assert_int_eq(forecast_run_variants(&mixed, &v[0], v, 2, &ps, runs, threads, 11,
						       NULL, FORECAST_DROP, &err), 0);
		for (unsigned r = 0; r < runs; r++) {
			ck_assert_ptr_eq(forecast_rep_scenario(&mixed, r), &v[r % 2]);
			ck_assert(!memcmp(&mixed.per_rep[r], &alone[r % 2].per_rep[r],
					  sizeof(mixed.per_rep[r])));
		}
		ck_assert_double_ne(mixed.per_rep[0].metric[METRIC_COST_TOTAL],
				    mixed.per_rep[1].metric[METRIC_COST_TOTAL]);
		forecast_release(&mixed);
	}
	forecast_release(&alone[0]);
	forecast_release(&alone[1]);
	scenario_release(&v[0]);
	scenario_release(&v[1]);
}
END_TEST

START_TEST(test_seeds_differ)
{
	struct scenario sc;
	struct forecast f1, f2;
	const char *sets[] = { "iterations=10" };

	paper_with(&sc, sets, 1);
	forecast(&f1, &sc, 2, 2, 7);
	forecast(&f2, &sc, 2, 2, 8);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert(memcmp(f1.reps[i].by_role, f2.reps[i].by_role,
				 sizeof(f1.reps[i].by_role)) != 0);
		ck_assert_double_ne(f1.reps[i].wall_seconds, f2.reps[i].wall_seconds);
	}
	/* replications of one seed differ from each other too */
	ck_assert(memcmp(f1.reps[0].by_role, f1.reps[1].by_role, sizeof(f1.reps[0].by_role)));
	forecast_release(&f1);
	forecast_release(&f2);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_more_iterations_more_tokens)
{
	struct scenario s10, s20;
	struct forecast f10, f20;
	const char *sets10[] = { "iterations=10", "evaluation=\"staged\"" };
	const char *sets20[] = { "iterations=20", "evaluation=\"staged\"" };

	paper_with(&s10, sets10, 2);
	paper_with(&s20, sets20, 2);
	forecast(&f10, &s10, 4, 2, 3);
	forecast(&f20, &s20, 4, 2, 3);
	for (unsigned i = 0; i < 4; i++) {
		const struct loop_result *a = &f10.reps[i], *b = &f20.reps[i];
		for (int m = METRIC_TOKENS_TOTAL; m <= METRIC_TOKENS_EVALUATE; m++)
			ck_assert_msg(metric_value(b, (enum metric)m) >=
				      metric_value(a, (enum metric)m),
				      "rep %u: %s with 20 iterations %.0f < with 10 %.0f", i,
				      metric_name((enum metric)m), metric_value(b, (enum metric)m),
				      metric_value(a, (enum metric)m));
		ck_assert_double_gt(metric_value(b, METRIC_TOKENS_SELF_MODIFY),
				    metric_value(a, METRIC_TOKENS_SELF_MODIFY));
		ck_assert_double_ge(b->wall_seconds, a->wall_seconds);
		ck_assert_uint_eq(a->n_rows, 11);
		ck_assert_uint_eq(b->n_rows, 21);
	}
	forecast_release(&f10);
	forecast_release(&f20);
	scenario_release(&s10);
	scenario_release(&s20);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Per metric: mean, min, max and R type-7 quantiles of the five replications, by hand. */
START_TEST(test_forecast_stats)
{
	struct scenario sc;
	struct forecast f;
	const char *sets[] = { "iterations=5" };

	paper_with(&sc, sets, 1);
	forecast(&f, &sc, 5, 2, 11);
	for (int k = 0; k < METRIC_COUNT; k++) {
		double x[5], sum = 0;
		for (int i = 0; i < 5; i++)
			sum += x[i] = metric_value(&f.reps[i], (enum metric)k);
		qsort(x, 5, sizeof(x[0]), cmp_double);
		const struct metric_stats *m = &f.metrics[k];
		double tol = 1e-12 * fabs(x[4]);
		ck_assert_msg(x[0] < x[4], "%s is the same in every replication",
			      metric_name((enum metric)k));
		ck_assert_double_eq_tol(m->mean, sum / 5, tol);
		ck_assert_double_eq(m->min, x[0]);
		ck_assert_double_eq(m->max, x[4]);
		/* h = (n - 1) p: 0.4, 2 and 3.6 */
		ck_assert_double_eq_tol(m->p10, x[0] + 0.4 * (x[1] - x[0]), tol);
		ck_assert_double_eq_tol(m->p50, x[2], tol);
		ck_assert_double_eq_tol(m->p90, x[3] + 0.6 * (x[4] - x[3]), tol);
	}
	ck_assert_double_eq_tol(f.mean.total.total, f.metrics[METRIC_TOKENS_TOTAL].mean,
				1e-12 * f.mean.total.total);
	ck_assert_double_eq_tol(f.mean.cost_total, f.metrics[METRIC_COST_TOTAL].mean,
				1e-12 * f.mean.cost_total);
	ck_assert_double_eq_tol(f.mean.wall_hours, f.metrics[METRIC_WALL_HOURS].mean,
				1e-12 * f.mean.wall_hours);
	ck_assert_double_eq_tol(f.mean.archive_nodes, 6, 1e-12);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/* ---- time ---- */

START_TEST(test_latency_one_call)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	/* ttft 1 s + 100 tokens / 50 tokens/s, no tool time, no sandbox time */
	scenario_text(&sc, ONE, NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_uint_eq(res.n_rows, 1);
	ck_assert_double_eq(res.rows[0].finish_seconds, 3);
	ck_assert_double_eq(res.wall_seconds, 3);
	ck_assert_double_eq(metric_value(&res, METRIC_WALL_HOURS), 3.0 / 3600);
	loop_result_release(&res);
	scenario_release(&sc);

	/* prefill adds input / speed: 10 tokens at 5 tokens/s */
	scenario_text(&sc, ONE, "models.gpt-4o.prefill_tokens_per_second=5", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq(res.wall_seconds, 5);
	loop_result_release(&res);
	scenario_release(&sc);

	/* two calls with 4 s of tools after each and 7 s of sandbox: 3 + 4 + 3 + 4 + 7 */
	scenario_text(&sc, ONE, "domains.a.task.calls=2", "domains.a.task.tool_seconds=4",
		      "domains.a.sandbox_seconds=7", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq(res.wall_seconds, 21);
	loop_result_release(&res);
	scenario_release(&sc);

	/* tasks beyond the workers queue: 3 tasks on 2 workers take two rounds */
	scenario_text(&sc, ONE, "domains.a.full_tasks=3", "domains.a.eval_workers=2", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq(res.wall_seconds, 6);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * The critical path, by hand on ONE with one iteration, 3 tasks of 3 s + 7 s of sandbox on 2
 * workers and a 10 s rebuild (no root, no copy): the initial evaluation is 10 s of queue (the
 * third task waits for a worker) and 10 s of running; iteration 1 adds the rebuild (10 s),
 * the session (3 s) and the same evaluation: 53 s, every second in one phase.
 */
START_TEST(test_critical_path)
{
	static const char *const sets[] = { "iterations=1", "domains.a.full_tasks=3",
		"domains.a.eval_workers=2", "domains.a.sandbox_seconds=7",
		"archive.root_bytes=0", "archive.copy_run_dir=false",
		"archive.sandbox_start_seconds=10" };
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sets[6],
		      NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq(res.wall_seconds, 53);
	ck_assert_double_eq(res.phase_seconds[PHASE_REBUILD], 10);
	ck_assert_double_eq(res.phase_seconds[PHASE_SELF_MODIFY], 3);
	ck_assert_double_eq(res.phase_seconds[PHASE_EVAL_QUEUE], 20);
	ck_assert_double_eq(res.phase_seconds[PHASE_SANDBOX], 20);
	ck_assert_double_eq(res.phase_seconds[PHASE_GPU_SIM], 0);
	ck_assert_double_eq(res.phase_seconds[PHASE_BATCH_WAIT], 0);
	/* the rebuild of iteration 1: 10 s of its 33 s; the initial evaluation has none */
	ck_assert_double_eq(res.rebuild_seconds, 10);
	ck_assert_double_eq(res.rows[0].rebuild_seconds, 0);
	ck_assert_double_eq(res.rows[1].rebuild_seconds, 10);
	ck_assert_double_eq(res.rows[1].iteration_seconds, 33);
	loop_result_release(&res);
	scenario_release(&sc);

	/* a simulator GPU in the sandbox; the meta agent's one call batched on gpt-4o (36 s) */
	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sets[6],
		      "domains.a.sandbox_gpus=1", "self_modification.model=\"gpt-4o\"",
		      "self_modification.batch=true",
		      "self_modification.batch_latency_hours=0.01", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 20 + 10 + 36 + 20, 1e-9);
	ck_assert_double_eq(res.phase_seconds[PHASE_SANDBOX], 0);
	ck_assert_double_eq(res.phase_seconds[PHASE_GPU_SIM], 20);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_SELF_MODIFY], 0, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_BATCH_WAIT], 36, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * Batched evaluation calls, by hand on ONE: 3 tasks of one call batched for 36 s and 7 s of
 * sandbox on 2 workers. Submission frees the worker: all three calls are submitted at 0, the
 * answers arrive at 36, two tasks score until 43, the third waits for a worker and scores
 * until 50; the sandboxes are held 3 · 7 s. When the worker waits: two tasks hold theirs 43 s,
 * the third starts at 43 and ends at 86; the sandboxes are held 3 · 43 s.
 */
START_TEST(test_batch_frees_worker)
{
	static const char *const sets[] = { "domains.a.full_tasks=3", "domains.a.eval_workers=2",
		"domains.a.sandbox_seconds=7", "domains.a.batch=true",
		"domains.a.batch_latency_hours=0.01" };
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4], NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 50, 1e-9);
	ck_assert_double_eq_tol(res.sandbox_cpu_hours * 3600, 21, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_BATCH_WAIT], 36, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_EVAL_QUEUE], 7, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_SANDBOX], 7, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);

	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4],
		      "domains.a.batch_worker_waits=true", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 86, 1e-9);
	ck_assert_double_eq_tol(res.sandbox_cpu_hours * 3600, 129, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_BATCH_WAIT], 36, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_EVAL_QUEUE], 43, 1e-9);
	ck_assert_double_eq_tol(res.phase_seconds[PHASE_SANDBOX], 7, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * A batched meta agent's call (36 s) frees its sandbox: held for the 10 s rebuild only, plus
 * the two evaluations' 3 s tasks; 10 + 36 + 6 s when the worker waits.
 */
START_TEST(test_batch_frees_selfmod_sandbox)
{
	static const char *const sets[] = { "iterations=1", "archive.root_bytes=0",
		"archive.copy_run_dir=false", "archive.sandbox_start_seconds=10",
		"self_modification.model=\"gpt-4o\"", "self_modification.batch=true",
		"self_modification.batch_latency_hours=0.01" };
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sets[6],
		      NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 3 + 10 + 36 + 3, 1e-9);
	ck_assert_double_eq_tol(res.sandbox_cpu_hours * 3600, 10 + 6, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);

	scenario_text(&sc, ONE, sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sets[6],
		      "self_modification.batch_worker_waits=true", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 3 + 10 + 36 + 3, 1e-9);
	ck_assert_double_eq_tol(res.sandbox_cpu_hours * 3600, 10 + 36 + 6, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * ONE without batch lasts 3 s. Batched for 36 s it lasts 12 times as long: a warning; batched
 * for 18 s, 6 times: none.
 */
START_TEST(test_batch_stretch_warning)
{
	char msgs[FORECAST_WARNINGS][FORECAST_WARNING_MAX];
	struct scenario sc;
	struct forecast f;
	scenario_text(&sc, ONE, "domains.a.batch=true", "domains.a.batch_latency_hours=0.01",
		      NULL);
	forecast(&f, &sc, 2, 1, SEED);
	ck_assert_double_eq_tol(f.unbatched_wall_hours * 3600, 3, 1e-9);
	ck_assert_uint_eq(forecast_warnings(&f, msgs), 1);
	ck_assert_msg(strstr(msgs[0], "12-fold") != NULL, "%s", msgs[0]);
	ck_assert_int_eq(sc.domains[0].route.batch, 1); /* the comparison left sc alone */
	forecast_release(&f);
	scenario_release(&sc);

	scenario_text(&sc, ONE, "domains.a.batch=true", "domains.a.batch_latency_hours=0.005",
		      NULL);
	forecast(&f, &sc, 2, 1, SEED);
	ck_assert_uint_eq(forecast_warnings(&f, msgs), 0);
	forecast_release(&f);
	scenario_release(&sc);

	scenario_text(&sc, ONE, NULL);
	forecast(&f, &sc, 2, 1, SEED);
	ck_assert_double_eq(f.unbatched_wall_hours, 0);
	ck_assert_uint_eq(forecast_warnings(&f, msgs), 0);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/*
 * The steady state of the calendar: ONE lasts W = 3 s. One run every W hours (876,000 a
 * month) gives monthly dollars = cost · 730 / W and no warning; a million a month cannot be
 * kept (busy share 1.14): a run starts when the last ends, the same rate, and a warning.
 */
START_TEST(test_monthly_steady_state)
{
	static const char *const rates[] = { "costs.runs_per_month=876000",
					     "costs.runs_per_month=1000000" };
	char msgs[FORECAST_WARNINGS][FORECAST_WARNING_MAX];
	for (size_t i = 0; i < 2; i++) {
		struct scenario sc;
		struct forecast f;
		scenario_text(&sc, ONE, rates[i], "costs.parallel_runs=2", NULL);
		forecast(&f, &sc, 2, 1, SEED);
		double w = f.mean.wall_hours;
		ck_assert_double_eq_tol(w * 3600, 3, 1e-9);
		ck_assert_double_eq_tol(f.mean.monthly_cost, 2 * f.mean.cost_total * 730 / w,
					1e-6 * f.mean.monthly_cost);
		ck_assert_double_eq_tol(f.mean.monthly_runs, 2 * 730 / w, 1e-6);
		ck_assert_uint_eq(forecast_warnings(&f, msgs), i);
		if (i)
			ck_assert_msg(strstr(msgs[0], "cannot be kept") != NULL, "%s", msgs[0]);
		forecast_release(&f);
		scenario_release(&sc);
	}
}
END_TEST

/*
 * The done-when of the batch what-if: the paper preset with paper-review evaluation batched
 * costs less in total than without batch, now that a pending batch holds no sandbox.
 */
START_TEST(test_paper_batch_costs_less)
{
	static const char *const batch[] = { "iterations=20", "domains.paper_review.batch=true" };
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	paper_with(&sc, batch, 1);
	run(&sc, SEED, &m, &res);
	double plain = loop_cost_total(&res);
	loop_result_release(&res);
	scenario_release(&sc);
	paper_with(&sc, batch, 2);
	run(&sc, SEED, &m, &res);
	ck_assert_msg(loop_cost_total(&res) < plain, "batch %.2f, without %.2f",
		      loop_cost_total(&res), plain);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * Rebuilds in summary.json: on ONE with 2 iterations and a 10 s rebuild (4 s of sandbox start,
 * 6 s of reading 6 MB at 1 MB/s, no copy of the run directory), each iteration lasts
 * 10 + 3 + 3 s after the 3 s initial evaluation: 10 s per iteration, 20 of 35 s.
 */
START_TEST(test_rebuild_summary)
{
	struct scenario sc;
	struct forecast f;
	scenario_text(&sc, ONE, "iterations=2", "archive.root_bytes=6000000",
		      "archive.read_bytes_per_second=1000000", "archive.copy_run_dir=false",
		      "archive.sandbox_start_seconds=4", "archive.patch_apply_seconds=0",
		      "self_modification.patch_bytes=0", NULL);
	forecast(&f, &sc, 2, 1, SEED);
	ck_assert_double_eq_tol(f.mean.wall_hours * 3600, 35, 1e-9);
	ck_assert_double_eq_tol(f.mean.rebuild_hours * 3600, 20, 1e-9);
	ck_assert_double_eq_tol(f.mean.rebuild_seconds_per_iteration, 10, 1e-9);
	ck_assert_double_eq_tol(f.mean.rebuild_share, 20.0 / 35, 1e-12);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/*
 * Storage, by hand on ONE with one iteration: the root (1 GB) joins at 3 s, the child (0
 * bytes) at 3 + 1 (reading the root at 1 GB/s) + 3 + 3 = 10 s, so the run stores 1 GB for
 * 7 s: 7 / 2,628,000 GB-months; at $876 per GB-month that is $0.00233..., then 3 months of
 * retention $2,628. Writes: 2 nodes and 2 tasks at $1 per 1,000; reads: the root once at $10
 * per 1,000.
 */
START_TEST(test_storage_bill)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	scenario_text(&sc, ONE, "iterations=1", "archive.root_bytes=1e9",
		      "archive.node_metadata_bytes=0", "domains.a.artifact_bytes=0",
		      "self_modification.patch_bytes=0", "archive.copy_run_dir=false",
		      "archive.read_bytes_per_second=1e9", "archive.sandbox_start_seconds=0",
		      "archive.patch_apply_seconds=0", "costs.storage_usd_per_gb_month=876",
		      "costs.retention_months=3", "costs.storage_usd_per_1000_requests=1",
		      "costs.storage_usd_per_1000_reads=10", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_double_eq_tol(res.wall_seconds, 10, 1e-9);
	ck_assert_double_eq_tol(res.archive_gb_months, 7 / 2628000.0, 1e-15);
	ck_assert_double_eq(res.storage_writes, 4);
	ck_assert_double_eq(res.storage_reads, 1);
	ck_assert_double_eq_tol(res.cost_storage, 7 / 3000.0 + 2628 + 0.004 + 0.01, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * Keeping the best nodes after the run, on ONE with two iterations: the root scores 0 and
 * weighs 1,000,000 + 100 + 10 bytes (repository, metadata, one task's artifacts); both
 * children score 1 and weigh 1,000 + 100 + 10. The best one is node 1 (the earlier of the
 * tie): kept whole, with its parent's repository and metadata, 1,110 + 1,000,100 bytes.
 * Keeping two adds node 2 whole (its lineage is kept already); keeping all, the root's
 * artifacts too. Retention bills what is kept: 3 months at $1,000 per GB-month.
 */
START_TEST(test_retention_keep_top)
{
	static const double kept[] = { 1002330, 1001210, 1002320, 1002330 };
	for (unsigned k = 0; k < 4; k++) {
		struct scenario sc;
		struct loop_models m;
		struct loop_result res;
		char keep[64];
		snprintf(keep, sizeof(keep), "costs.retention_keep_top=%u", k);
		scenario_text(&sc, ONE, "iterations=2", "archive.root_bytes=1e6",
			      "archive.node_metadata_bytes=100", "domains.a.artifact_bytes=10",
			      "self_modification.patch_bytes=1000", "domains.a.initial_score=0",
			      "domains.a.improvement=1", "costs.storage_usd_per_gb_month=1000",
			      "costs.retention_months=3", "costs.storage_usd_per_1000_requests=0",
			      "costs.storage_usd_per_1000_reads=0", keep, NULL);
		run(&sc, SEED, &m, &res);
		ck_assert_double_eq(res.archive_bytes, 1002330);
		ck_assert_double_eq(res.retained_bytes, kept[k]);
		ck_assert_double_eq_tol(res.cost_storage, res.archive_gb_months * 1000 +
					kept[k] / 1e9 * 3 * 1000, 1e-9);
		loop_result_release(&res);
		scenario_release(&sc);
	}
}
END_TEST

/*
 * Keeping the run directories of the last N iterations, on the run of test_retention_keep_top
 * (root 1,000,110 bytes at iteration 0, nodes 1 and 2 of 1,110 at iterations 1 and 2): an
 * older node keeps its patch and metadata, the root its repository and metadata. N = 1: node
 * 2 whole, node 1's 1,100, the root's 1,000,100: 1,002,310 (the two older artifacts, 20
 * bytes, dropped); N = 2: 1,002,320; N = 3 keeps all, 1,002,330. With keep_top 1 (node 1
 * and its lineage) and N = 1, node 1 is old: 1,100 + 1,000,100 = 1,001,200.
 */
START_TEST(test_retention_keep_iterations)
{
	static const unsigned top[] = { 0, 0, 0, 1 }, iters[] = { 1, 2, 3, 1 };
	static const double kept[] = { 1002310, 1002320, 1002330, 1001200 };
	for (unsigned k = 0; k < 4; k++) {
		struct scenario sc;
		struct loop_models m;
		struct loop_result res;
		char keep_top[64], keep_iters[64];
		snprintf(keep_top, sizeof(keep_top), "costs.retention_keep_top=%u", top[k]);
		snprintf(keep_iters, sizeof(keep_iters), "costs.retention_keep_iterations=%u",
			 iters[k]);
		scenario_text(&sc, ONE, "iterations=2", "archive.root_bytes=1e6",
			      "archive.node_metadata_bytes=100", "domains.a.artifact_bytes=10",
			      "self_modification.patch_bytes=1000", "domains.a.initial_score=0",
			      "domains.a.improvement=1", "costs.storage_usd_per_gb_month=1000",
			      "costs.retention_months=3", "costs.storage_usd_per_1000_requests=0",
			      "costs.storage_usd_per_1000_reads=0", keep_top, keep_iters, NULL);
		run(&sc, SEED, &m, &res);
		ck_assert_double_eq(res.retained_bytes, kept[k]);
		ck_assert_double_eq_tol(res.cost_storage, res.archive_gb_months * 1000 +
					kept[k] / 1e9 * 3 * 1000, 1e-9);
		loop_result_release(&res);
		scenario_release(&sc);
	}
}
END_TEST

/* The phases add up to the wall time in a run with children in parallel and staged gates. */
START_TEST(test_critical_path_sums_to_wall_time)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	static const char *const sets[] = { "iterations=12", "children_per_iteration=3",
					    "evaluation=\"staged\"" };
	paper_with(&sc, sets, 3);
	run(&sc, SEED, &m, &res);
	double sum = 0;
	for (int p = 0; p < PHASE_COUNT; p++) {
		ck_assert_double_ge(res.phase_seconds[p], 0);
		sum += res.phase_seconds[p];
	}
	ck_assert_double_eq_tol(sum, res.wall_seconds, 1e-9 * res.wall_seconds);
	ck_assert_double_gt(res.phase_seconds[PHASE_GPU_SIM], 0);
	ck_assert_double_gt(res.phase_seconds[PHASE_REBUILD], 0);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_rate_limit_requests)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	/* 1200 instant calls at once against 60 requests/min with a burst of 60 */
	scenario_text(&sc, ONE, "domains.a.full_tasks=1200", "domains.a.eval_workers=1200",
		      "domains.a.task.output_tokens=0", "models.gpt-4o.ttft_seconds=0",
		      "models.gpt-4o.requests_per_minute=60", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(res.by_role[ROLE_EVALUATE].calls, 1200);
	/* the burst passes at once, then one call a second: (1200 - 60) / (60 / 60 s) */
	ck_assert_double_eq_tol(res.wall_seconds, 1140, 1e-9);
	/* the long-run rate is the limit, so the wall time is calls / 60 minutes but for the
	 * burst (5% of the calls here) */
	double minutes = res.wall_seconds / 60;
	ck_assert_double_le(minutes, 1200.0 / 60);
	ck_assert_double_ge(minutes, 0.95 * 1200 / 60);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_rate_limit_tokens)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	/* 1200 calls of 190 + 10 tokens against 6000 tokens/min: 100 tokens/s after a
	 * burst of 6000, then 0.2 s of decoding */
	scenario_text(&sc, ONE, "domains.a.full_tasks=1200", "domains.a.eval_workers=1200",
		      "domains.a.task.prompt_tokens=190", "domains.a.task.output_tokens=10",
		      "models.gpt-4o.ttft_seconds=0", "models.gpt-4o.tokens_per_minute=6000",
		      NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_int_eq(usage_total(&res.by_role[ROLE_EVALUATE]), 1200 * 200);
	ck_assert_double_eq_tol(res.wall_seconds, (1200.0 * 200 - 6000) / 100 + 0.2, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_selfmod_timeout)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	/* 3 s per call and a 3.6 s timeout: the second call starts at 3 s, none after it */
	scenario_text(&sc, ONE, "iterations=1", "self_modification.calls=5",
		      "self_modification.timeout_hours=0.001", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_uint_eq(res.timeouts, 1);
	ck_assert_int_eq(res.rows[1].timed_out, 1);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].calls, 2);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].input, 10 + 110);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].output, 200);
	loop_result_release(&res);
	scenario_release(&sc);

	/* a session that ends in time is not timed out */
	scenario_text(&sc, ONE, "iterations=1", "self_modification.calls=2",
		      "self_modification.timeout_hours=0.001", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_uint_eq(res.timeouts, 0);
	ck_assert_int_eq(res.by_role[ROLE_SELF_MODIFY].calls, 2);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/* ---- archive I/O ---- */

/*
 * Constant sizes: the initial node holds root 1e6 + metadata 100 + artifacts 5 * 10 + 3 * 20,
 * each child a 1000-byte patch + 100 + 110. A child checks out root_bytes, its parent's
 * lineage patches (1000 per level) and, with copy_run_dir, the whole archive before it.
 * Every child solves every task (initial score 0, improvement 1), and lambda is 1000, so the
 * root (score 0) is only ever the first child's parent: the lineage grows.
 */
static void check_checkout(int copy)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	const double a0 = 1e6 + 100 + 110, step = 1000 + 100 + 110;
	unsigned depth[4] = { 0 };

	scenario_text(&sc, SMALL, "iterations=3", "selection_lambda=1000",
		      "domains.a.initial_score=0", "domains.b.initial_score=0",
		      "domains.a.improvement=1", "domains.b.improvement=1",
		      copy ? "archive.copy_run_dir=true" : "archive.copy_run_dir=false", NULL);
	run(&sc, SEED, &m, &res);
	ck_assert_uint_eq(res.n_rows, 4);
	ck_assert_double_eq(res.rows[0].archive_bytes, a0);
	ck_assert_double_eq(res.rows[0].checkout_bytes, 0);
	ck_assert_int_eq(res.rows[1].parent, 0);
	ck_assert_int_eq(res.rows[2].parent, 1);
	double io = 0;
	for (unsigned k = 1; k <= 3; k++) {
		const struct iteration_row *r = &res.rows[k];
		ck_assert_int_eq(r->node, (int)k);
		ck_assert_int_ge(r->parent, 0);
		ck_assert_int_lt(r->parent, (int)k);
		depth[k] = depth[r->parent] + 1;
		double want = 1e6 + depth[r->parent] * 1000.0 + (copy ? a0 + (k - 1) * step : 0);
		ck_assert_double_eq(r->checkout_bytes, want);
		ck_assert_double_eq(r->archive_bytes, a0 + k * step);
		io += want;
	}
	ck_assert_double_eq(res.io_bytes, io);
	ck_assert_double_eq(res.archive_bytes, a0 + 3 * step);
	ck_assert_double_eq(metric_value(&res, METRIC_ARCHIVE_BYTES), a0 + 3 * step);
	ck_assert_double_eq(metric_value(&res, METRIC_IO_BYTES), io);
	ck_assert_uint_eq(res.max_depth, depth[3] > 2 ? depth[3] : 2);
	loop_result_release(&res);
	scenario_release(&sc);
}

START_TEST(test_checkout_bytes_copy)
{
	check_checkout(1);
}
END_TEST

START_TEST(test_checkout_bytes_no_copy)
{
	check_checkout(0);
}
END_TEST

/* ---- models ---- */

START_TEST(test_resolve_models)
{
	struct scenario sc;
	struct loop_models m;
	struct hc_err err = HC_ERR_INIT;

	scenario_text(&sc, SMALL, "domains.a.model=\"GPT-4o-2024-08-06\"", NULL);
	ck_assert_int_eq(loop_resolve_models(&sc, &ps, &m, &err), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_int_eq(m.selfmod, 0);
	ck_assert_int_eq(m.domain[0], 1);
	ck_assert_int_eq(m.domain[1], 0); /* the meta agent's model, shared */
	ck_assert_str_eq(m.names[1], "GPT-4o-2024-08-06");
	ck_assert_str_eq(m.prices[1]->name, "gpt-4o");
	scenario_release(&sc);

	scenario_text(&sc, SMALL, "domains.b.model=\"gpt-4p\"", NULL);
	ck_assert_int_eq(loop_resolve_models(&sc, &ps, &m, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "test: domains[1].model: unknown model 'gpt-4p'") &&
		      strstr(err.msg, "'gpt-4o'"), "message: %s", err.msg);
	scenario_release(&sc);

	scenario_text(&sc, SMALL, "self_modification.model=\"o3-mini\"",
		      "self_modification.caching=\"explicit\"", NULL);
	ck_assert_int_eq(loop_resolve_models(&sc, &ps, &m, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "self_modification.model: model 'o3-mini' has no cache "
			     "write price"), "message: %s", err.msg);
	scenario_release(&sc);

	/* Anthropic caches only marked prompts: no automatic caching on its models */
	scenario_text(&sc, SMALL, "domains.b.task.caching=\"automatic\"", NULL);
	ck_assert_int_eq(loop_resolve_models(&sc, &ps, &m, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "test: domains[1].model: model 'claude-sonnet-4-5' "
			     "(anthropic) with caching \"automatic\""), "message: %s", err.msg);
	scenario_release(&sc);

	scenario_text(&sc, SMALL, "domains.a.model=\"llama-3.1-70b-instruct\"",
		      "domains.a.task.caching=\"automatic\"", NULL);
	ck_assert_int_eq(loop_resolve_models(&sc, &ps, &m, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "domains[0].model: model 'llama-3.1-70b-instruct' has no "
			     "cache read price"), "message: %s", err.msg);
	scenario_release(&sc);
}
END_TEST

/* ---- the paper ---- */

/*
 * HyperAgents (§D.2) reports about 33M self-modification tokens, 50.6M evaluation tokens and
 * 88.6M in total for 100 iterations. Its figures are not additive (33 + 50.6 = 83.6), so each
 * is held to its own figure within 5%, as the calibration issue asks. The calibration is of
 * the priors' medians (docs/model.md, "Priors of the presets"): the preset with every prior
 * at its median; drawn, the paper-review prompt's prior alone moves a 20-run mean by ±4%.
 */
START_TEST(test_paper_figures)
{
	struct scenario uncertain, sc;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;

	paper_with(&uncertain, NULL, 0);
	ck_assert_uint_gt(uncertain.n_priors, 0);
	ck_assert_int_eq(scenario_at_medians(&uncertain, &sc, &err), 0);
	scenario_release(&uncertain);
	ck_assert_uint_eq(sc.iterations, 100);
	forecast(&f, &sc, 20, 2, 1);
	double sm = f.mean.by_role[ROLE_SELF_MODIFY].total / 1e6;
	double ev = f.mean.by_role[ROLE_EVALUATE].total / 1e6;
	double total = f.mean.total.total / 1e6;
	ck_assert_double_eq_tol(total, sm + ev, 1e-9 * total);
	ck_assert_double_eq_tol(f.metrics[METRIC_TOKENS_TOTAL].mean / 1e6, total, 1e-9 * total);
	ck_assert_msg(fabs(sm - 33.0) <= 0.05 * 33.0, "self_modify %.2fM, paper 33M", sm);
	ck_assert_msg(fabs(ev - 50.6) <= 0.05 * 50.6, "evaluate %.2fM, paper 50.6M", ev);
	ck_assert_msg(fabs(total - 88.6) <= 0.05 * 88.6, "total %.2fM, paper 88.6M", total);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/* ---- suite ---- */

static void add(Suite *s, const char *name, const TTest *test, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, load_sheet, release_sheet);
	tcase_add_test(tc, test);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
}

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");

	add(s, "full_eval_tokens", test_full_eval_tokens, 10);
	add(s, "full_eval_tokens_rules", test_full_eval_tokens_rules, 10);
	add(s, "zero_iterations", test_zero_iterations, 10);
	add(s, "staged_gate_fails", test_staged_gate_fails, 10);
	add(s, "staged_gate_passes", test_staged_gate_passes, 10);
	add(s, "compile_failures", test_compile_failures, 10);
	add(s, "sums_by_role_and_model", test_sums_by_role_and_model, 20);
	add(s, "cost_reprices", test_cost_reprices, 20);
	add(s, "same_seed_any_threads", test_same_seed_any_threads, 30);
	add(s, "seeds_differ", test_seeds_differ, 30);
	add(s, "variants_alternate", test_variants_alternate, 60);
	add(s, "streamed_same_as_kept", test_streamed_same_as_kept, 60);
	add(s, "more_iterations_more_tokens", test_more_iterations_more_tokens, 30);
	add(s, "forecast_stats", test_forecast_stats, 30);
	add(s, "latency_one_call", test_latency_one_call, 10);
	add(s, "critical_path", test_critical_path, 10);
	add(s, "critical_path_sums_to_wall_time", test_critical_path_sums_to_wall_time, 60);
	add(s, "rebuild_summary", test_rebuild_summary, 10);
	add(s, "storage_bill", test_storage_bill, 10);
	add(s, "retention_keep_top", test_retention_keep_top, 10);
	add(s, "retention_keep_iterations", test_retention_keep_iterations, 10);
	add(s, "batch_frees_worker", test_batch_frees_worker, 10);
	add(s, "batch_frees_selfmod_sandbox", test_batch_frees_selfmod_sandbox, 10);
	add(s, "batch_stretch_warning", test_batch_stretch_warning, 10);
	add(s, "paper_batch_costs_less", test_paper_batch_costs_less, 30);
	add(s, "rate_limit_requests", test_rate_limit_requests, 10);
	add(s, "rate_limit_tokens", test_rate_limit_tokens, 10);
	add(s, "selfmod_timeout", test_selfmod_timeout, 10);
	add(s, "checkout_bytes_copy", test_checkout_bytes_copy, 10);
	add(s, "checkout_bytes_no_copy", test_checkout_bytes_no_copy, 10);
	add(s, "resolve_models", test_resolve_models, 10);
	add(s, "paper_figures", test_paper_figures, 60);
	add(s, "monthly_steady_state", test_monthly_steady_state, 20);
	return s;
}

int main(void)
{
	return check_run(loop_suite());
}
