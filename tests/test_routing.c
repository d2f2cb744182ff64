/*
 * test_routing: where a role's calls go (model/loop.c): a self-hosted fleet (calls queue on
 * its batch slots, the fleet costs its provisioned GPU-hours), the batch API (batch rates and
 * the batch latency) and the 1-hour cache. Scenarios of identical calls make the oracles
 * closed forms: waves of calls on the slots, GPU-hours times the price.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "base/hc_err.h"
#include "model/fleet.h"
#include "model/loop.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "tests/check_main.h"
#include "tests/scenario_text.h"

static struct price_sheet ps;

static void load_sheet(void)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_msg(price_sheet_load(&ps, NULL, &err) == 0, "embedded sheet: %s", err.msg);
}

static void release_sheet(void)
{
	price_sheet_release(&ps);
}

/*
 * The initial evaluation only: TASKS tasks of one call each (prompt 1000, output 100), all at
 * once, no tool or sandbox time, served by fleet gpus at $2 per GPU-hour.
 */
#define TASKS 200
static const char *const FLEET =
	"{ 'name': 'fleet', 'iterations': 0, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 1,"
	"    'prompt_tokens': 10, 'output_tokens': 10 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'fleet': 'gpus', 'screen_tasks': 1,"
	"      'full_tasks': 200, 'eval_workers': 200, 'sandbox_seconds': 0,"
	"      'task': { 'calls': 1, 'prompt_tokens': 1000, 'output_tokens': 100 } } ],"
	"  'fleets': [ { 'name': 'gpus', 'serve_model': 'llama-3.3-70b', 'gpu': 'h100-sxm',"
	"                'replicas': 1, 'gpu_hour_usd': 2, 'ttft_seconds': 0.5 } ] }";

/* One task of one call to gpt-4o (prompt 10, output 100), through the batch API. */
static const char *const BATCH =
	"{ 'name': 'batch', 'iterations': 0, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 1,"
	"    'prompt_tokens': 10, 'output_tokens': 10 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'batch': true, 'batch_latency_hours': 2,"
	"      'screen_tasks': 1, 'full_tasks': 1, 'sandbox_seconds': 0,"
	"      'task': { 'calls': 1, 'prompt_tokens': 10, 'output_tokens': 100 } } ] }";

/* The message of a scenario that parses but does not resolve. */
static void resolve_fails(const char *want, const char *text, ...)
{
	struct scenario sc;
	struct loop_models m;
	struct hc_err err = HC_ERR_INIT;
	va_list ap;

	va_start(ap, text);
	int rc = scenario_text_try(&sc, &err, text, ap);
	va_end(ap);
	if (rc == 0) {
		rc = loop_resolve_models(&sc, &ps, &m, &err);
		scenario_release(&sc);
	}
	ck_assert_int_eq(rc, HC_EINPUT);
	ck_assert_msg(strstr(err.msg, want), "want '%s' in: %s", want, err.msg);
}

static void run(const struct scenario *sc, struct loop_models *m, struct loop_result *res)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_msg(loop_resolve_models(sc, &ps, m, &err) == 0, "models: %s", err.msg);
	ck_assert_msg(loop_run(sc, m, 7, 0, res, &err) == 0, "loop_run: %s", err.msg);
}

/* Every call is alike, so the slots serve them in waves: ceil(TASKS / slots) call times. */
static void check_waves(unsigned replicas)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	char set[64];

	snprintf(set, sizeof(set), "fleets.gpus.replicas=%u", replicas);
	scenario_text(&sc, FLEET, set, NULL);
	run(&sc, &m, &res);
	ck_assert_uint_eq(m.n_fleets, 1);
	const struct fleet *lf = &m.fleets[0];
	ck_assert_double_eq_tol(lf->isl, 1000, 1e-9);
	ck_assert_double_eq_tol(lf->osl, 100, 1e-9);
	double call = 0.5 + fleet_call_slot_seconds(&lf->replica, &lf->model, 1000, 100);
	unsigned slots = replicas * lf->replica.batch;
	ck_assert_uint_eq(lf->slots, slots);
	double waves = ceil((double)TASKS / slots);
	ck_assert_double_eq_tol(res.wall_seconds, waves * call, 1e-6 * waves * call);

	double gpu_hours = (double)replicas * lf->replica.gpus * res.wall_seconds / 3600;
	ck_assert_double_eq_tol(res.fleet[0].gpu_hours, gpu_hours, 1e-9 * gpu_hours);
	ck_assert_double_eq_tol(res.cost_self_hosted, 2 * gpu_hours, 1e-9 * gpu_hours);
	ck_assert_double_eq(res.fleet[0].calls, TASKS);
	double busy = TASKS * call / (slots * res.wall_seconds);
	ck_assert_double_eq_tol(res.fleet[0].utilisation, busy, 1e-6);
	/* wave w waits (w - 1) call times */
	double wait = 0;
	for (unsigned i = 0; i < TASKS; i++)
		wait += floor((double)i / slots) * call;
	ck_assert_double_eq_tol(res.fleet[0].wait_seconds, wait / TASKS, 1e-6 * call);

	/* the tokens are counted, under the fleet's label, and cost nothing on the API */
	int t = m.domain[0];
	ck_assert_str_eq(m.labels[t], "fleet:gpus");
	ck_assert_int_eq(usage_total(&res.by_model[t]), TASKS * 1100);
	ck_assert_double_eq(loop_cost_api(&res), 0);
	ck_assert_double_eq_tol(loop_cost_total(&res), res.cost_self_hosted + res.cost_storage +
				res.cost_compute, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}

START_TEST(test_fleet_one_replica_queues)
{
	check_waves(1);
}
END_TEST

START_TEST(test_fleet_more_replicas)
{
	check_waves(8);
}
END_TEST

/* At the shape a replica is sized for, a slot is held batch · osl / throughput (Little). */
START_TEST(test_slot_seconds_littles_law)
{
	struct gpu_sheet gs;
	struct serving_sheet ss;
	const struct gpu *g;
	const struct serving_model *sm;
	struct replica r;
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(gpu_sheet_load(&gs, NULL, &err), 0);
	ck_assert_int_eq(serving_sheet_load(&ss, NULL, &err), 0);
	ck_assert_int_eq(gpu_sheet_lookup(&gs, "h100-sxm", &g, &err), 0);
	ck_assert_int_eq(serving_sheet_lookup(&ss, "llama-3.3-70b", &sm, &err), 0);
	ck_assert_int_eq(fleet_replica(&ss, sm, PRECISION_FP8, g, 0, 3000, 1000, 400, &r, &err), 0);
	double want = r.batch * 400 / r.output_tokens_per_s;
	ck_assert_double_eq_tol(fleet_call_slot_seconds(&r, sm, 2000, 400), want, 1e-9 * want);
	serving_sheet_release(&ss);
	gpu_sheet_release(&gs);
}
END_TEST

/* Batch: half-price rates (FACTS §2) and the answer after batch_latency_hours. */
START_TEST(test_batch_rates_and_latency)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, BATCH, NULL);
	run(&sc, &m, &res);
	const struct price *p = m.prices[m.domain[0]];
	ck_assert_double_eq_tol(p->batch_input, p->input / 2, 1e-12);
	double want = (10 * p->batch_input + 100 * p->batch_output) / 1e6;
	ck_assert_double_eq_tol(res.cost_by_role[ROLE_EVALUATE], want, 1e-15);
	ck_assert_double_eq_tol(res.wall_seconds, 2 * 3600, 1e-9);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/* The cached input a fleet is sized for under the caching mode and hit rate given. */
static double sized_cached(const char *caching)
{
	struct scenario sc;
	struct loop_models m;
	struct hc_err err = HC_ERR_INIT;
	scenario_text(&sc, FLEET, "domains.a.task.calls=3", caching,
		      "domains.a.task.cache_hit_rate=0.5", NULL);
	ck_assert_msg(loop_resolve_models(&sc, &ps, &m, &err) == 0, "models: %s", err.msg);
	ck_assert_double_eq_tol(m.fleets[0].isl, 1100, 1e-9);
	double cached = m.fleets[0].isl_cached;
	scenario_release(&sc);
	return cached;
}

/*
 * A fleet is sized for the cached input the session reads: 3 calls of inputs 1,000, 1,100
 * and 1,200 (prompt 1,000, 100 visible output tokens each), hit rate 0.5. Explicit caching
 * reads half of each previous input: (0 + 500 + 550) / 3. Automatic reads no prefix under
 * 1,024 tokens and rounds down to steps of 128: call 2 nothing, call 3 half of 1,024.
 */
START_TEST(test_fleet_sized_for_the_caching_rule)
{
	ck_assert_double_eq_tol(sized_cached("domains.a.task.caching=\"explicit\""), 350, 1e-9);
	ck_assert_double_eq_tol(sized_cached("domains.a.task.caching=\"automatic\""), 512.0 / 3,
				1e-9);
	ck_assert_double_eq(sized_cached("domains.a.task.caching=\"off\""), 0);
}
END_TEST

/* Explicit caching with the 1-hour TTL: call 1 writes its whole prompt at that rate. */
START_TEST(test_cache_write_1h)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;

	scenario_text(&sc, BATCH, "domains.a.batch=false", "domains.a.model=claude-sonnet-4-5",
		      "domains.a.task.caching=explicit", "domains.a.task.cache_write_ttl=1h", NULL);
	run(&sc, &m, &res);
	const struct price *p = m.prices[m.domain[0]];
	ck_assert_double_eq_tol(p->cache_write_1h, 2 * p->input, 1e-12);
	double want = (10 * p->cache_write_1h + 100 * p->output) / 1e6;
	ck_assert_double_eq_tol(res.cost_by_role[ROLE_EVALUATE], want, 1e-15);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_routing_errors)
{
	resolve_fails("test: domains[0].fleet: got \"gpu\"; allowed: \"\" (the API) or a fleet of "
		      "`fleets` (close matches: 'gpus')", FLEET, "domains.a.fleet=gpu", NULL);
	resolve_fails("test: fleets[0]: unknown GPU 'h100-sxn'", FLEET, "fleets.gpus.gpu=h100-sxn",
		      NULL);
	resolve_fails("test: fleets[0].gpu_hour_usd: h100-pcie has no reserved price", FLEET,
		      "fleets.gpus.gpu=h100-pcie", "fleets.gpus.gpu_hour_usd=0",
		      "fleets.gpus.pricing=reserved", NULL);
	resolve_fails("domains[0].model: model 'gpt-4o' has no batch cache price", BATCH,
		      "domains.a.task.caching=automatic", NULL);
	resolve_fails("domains[0].model: model 'claude-sonnet-4-5' has no batch price", BATCH,
		      "domains.a.model=claude-sonnet-4-5", NULL);
	resolve_fails("test: fleets[0].precision: got \"fp4\"; allowed: one of 'fp8', 'bf16'",
		      FLEET, "fleets.gpus.precision=fp4", NULL);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, load_sheet, release_sheet);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("routing");

	add(s, "fleet_one_replica_queues", test_fleet_one_replica_queues);
	add(s, "fleet_more_replicas", test_fleet_more_replicas);
	add(s, "slot_seconds_littles_law", test_slot_seconds_littles_law);
	add(s, "batch_rates_and_latency", test_batch_rates_and_latency);
	add(s, "cache_write_1h", test_cache_write_1h);
	add(s, "fleet_sized_for_the_caching_rule", test_fleet_sized_for_the_caching_rule);
	add(s, "routing_errors", test_routing_errors);
	return check_run(s);
}
