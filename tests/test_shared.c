/*
 * test_shared: loops at once on shared capacity (model/loop.c, docs/model.md "Shared
 * capacity"). Scenarios of identical calls and tasks, all asked for at time 0, make the
 * oracles closed forms: a requests-per-minute bucket that starts full and refills at R / 60
 * a second, waves of calls on a fleet's slots, waves of tasks on shared workers.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "base/hc_err.h"
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
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
 * The initial evaluation only: 30 tasks a loop of one call each to gpt-4o (output 100 at 100
 * tokens/s after a 1 s TTFT: 2 s a call), no tool or sandbox time, every task on its own
 * worker; the only limit is 60 requests a minute.
 */
#define RATE_TASKS 30
#define RATE_RPM 60.0
#define RATE_CALL 2.0
static const char *const RATE =
	"{ 'name': 'rate', 'iterations': 0, 'evaluation': 'full',"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 1,"
	"    'prompt_tokens': 10, 'output_tokens': 10 },"
	"  'domains': ["
	"    { 'name': 'a', 'model': 'gpt-4o', 'screen_tasks': 1, 'full_tasks': 30,"
	"      'eval_workers': 30, 'sandbox_seconds': 0,"
	"      'task': { 'calls': 1, 'prompt_tokens': 100, 'output_tokens': 100 } } ],"
	"  'models': [ { 'name': 'gpt-4o', 'ttft_seconds': 1, 'decode_tokens_per_second': 100,"
	"                'requests_per_minute': 60, 'tokens_per_minute': 0 } ] }";

/* As RATE, but on fleet 'gpus' (one replica), 200 tasks a loop of prompt 1000, output 100. */
#define FLEET_TASKS 200
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

static void run(const struct scenario *sc, struct loop_models *m, struct loop_result *res)
{
	struct hc_err err = HC_ERR_INIT;

	ck_assert_msg(loop_resolve_models(sc, &ps, m, &err) == 0, "models: %s", err.msg);
	ck_assert_msg(loop_run(sc, m, 7, 0, res, &err) == 0, "loop_run: %s", err.msg);
}

/*
 * The bucket starts with R requests and refills R / 60 a second, so call k (from 0, in
 * request order: loop by loop) starts at max(0, k + 1 − R) · 60 / R and ends a call later.
 */
static double rate_start(unsigned k)
{
	return fmax(0, k + 1 - RATE_RPM) * 60 / RATE_RPM;
}

START_TEST(test_rate_limit_shared_by_loops)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	unsigned loops = 4, calls = loops * RATE_TASKS;

	scenario_text(&sc, RATE, "shared.loops=4", NULL);
	run(&sc, &m, &res);
	/* the group's wall time: (N·C − R) · 60 / R + a call = 62 s, not 2 s as one loop */
	double wall = rate_start(calls - 1) + RATE_CALL;
	ck_assert_double_eq_tol(wall, 62, 1e-12);
	ck_assert_double_eq_tol(res.wall_seconds, wall, 1e-9);
	ck_assert_double_eq_tol(res.wall_seconds, (calls - RATE_RPM) * 60 / RATE_RPM + RATE_CALL,
				1e-9);
	ck_assert_uint_eq(res.shared.loops, loops);
	double mean = 0, wait = 0;
	for (unsigned k = 0; k < loops; k++) {
		double end = rate_start((k + 1) * RATE_TASKS - 1) + RATE_CALL;
		ck_assert_double_eq_tol(res.shared.loop_wall_seconds[k], end, 1e-9);
		mean += end / loops;
	}
	ck_assert_double_eq_tol(res.shared.loop_wall_seconds_mean, mean, 1e-9);
	for (unsigned k = 0; k < calls; k++)
		wait += rate_start(k) / calls;
	ck_assert_double_eq_tol(res.shared.rate_wait.mean, wait, 1e-9);
	ck_assert_uint_eq(res.shared.rate_wait.n, calls);
	/* tokens and dollars are the sums over the loops */
	ck_assert_int_eq(res.by_role[ROLE_EVALUATE].calls, calls);
	ck_assert_uint_eq(res.n_rows, loops);
	ck_assert_uint_eq(res.archive_nodes, loops);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/* The stretch: each loop's wall time over its own alone (2 s), averaged over the loops. */
START_TEST(test_stretch_against_alone)
{
	struct scenario sc;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;

	scenario_text(&sc, RATE, "shared.loops=4", NULL);
	ck_assert_msg(forecast_run(&f, &sc, &ps, 1, 1, 7, NULL, FORECAST_DROP, &err) == 0, "%s",
		      err.msg);
	double stretch = 0;
	for (unsigned k = 0; k < 4; k++)
		stretch += (rate_start((k + 1) * RATE_TASKS - 1) + RATE_CALL) / RATE_CALL / 4;
	ck_assert_double_eq_tol(stretch, (1 + 1 + 16 + 31) / 4.0, 1e-12);
	ck_assert_double_eq_tol(f.stretch, stretch, 1e-9);
	ck_assert_double_eq_tol(f.alone_wall_hours, RATE_CALL / 3600, 1e-12);
	ck_assert_double_eq_tol(f.mean.loop_wall_hours, (2 + 2 + 32 + 62) / 4.0 / 3600, 1e-12);
	forecast_release(&f);
	scenario_release(&sc);

	scenario_text(&sc, RATE, NULL);
	ck_assert_msg(forecast_run(&f, &sc, &ps, 1, 1, 7, NULL, FORECAST_DROP, &err) == 0, "%s",
		      err.msg);
	ck_assert_double_eq(f.stretch, 1);
	ck_assert_double_eq_tol(f.alone_wall_hours, RATE_CALL / 3600, 1e-12);
	forecast_release(&f);
	scenario_release(&sc);
}
END_TEST

/* N loops' identical calls on S slots: ceil(N · calls / S) call times; utilisation rises. */
START_TEST(test_fleet_shared_by_loops)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result one, res;
	unsigned loops = 3, calls = loops * FLEET_TASKS;

	scenario_text(&sc, FLEET, "fleets.gpus.replicas=40", NULL);
	run(&sc, &m, &one);
	scenario_release(&sc);
	scenario_text(&sc, FLEET, "fleets.gpus.replicas=40", "shared.loops=3", NULL);
	run(&sc, &m, &res);
	const struct fleet *lf = &m.fleets[0];
	double call = 0.5 + fleet_call_slot_seconds(&lf->replica, &lf->model, 1000, 100);
	unsigned slots = lf->slots;
	ck_assert_uint_lt(FLEET_TASKS, slots); /* one loop leaves slots idle */
	ck_assert_uint_gt(calls, slots);       /* three wait */
	double waves = ceil((double)calls / slots);
	ck_assert_double_eq_tol(res.wall_seconds, waves * call, 1e-6 * waves * call);
	ck_assert_double_eq(res.fleet[0].calls, calls);
	double busy = calls * call / (slots * res.wall_seconds);
	ck_assert_double_eq_tol(res.fleet[0].utilisation, busy, 1e-6);
	double wait = 0;
	for (unsigned i = 0; i < calls; i++)
		wait += floor((double)i / slots) * call / calls;
	ck_assert_double_eq_tol(res.shared.fleet_wait.mean, wait, 1e-6 * call);
	/* the fleet is paid once, over the group's wall time */
	double gpu_hours = 40.0 * lf->replica.gpus * res.wall_seconds / 3600;
	ck_assert_double_eq_tol(res.cost_self_hosted, 2 * gpu_hours, 1e-9 * gpu_hours);
	ck_assert_msg(res.fleet[0].utilisation > one.fleet[0].utilisation,
		      "utilisation %g with 3 loops, %g with one", res.fleet[0].utilisation,
		      one.fleet[0].utilisation);
	ck_assert_msg(res.shared.fleet_wait.mean > one.shared.fleet_wait.mean, "waits");
	loop_result_release(&one);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

/*
 * A shared pool of M workers per domain and N loops of T tasks of D seconds each (no rate
 * limit, 1 s TTFT + 1 s decode + 5 s sandbox): makespan ceil(N·T / M) · D, task i waits
 * floor(i / M) · D, the workers are busy N·T·D / (M · makespan).
 */
START_TEST(test_shared_eval_workers)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result res;
	unsigned loops = 3, tasks = loops * RATE_TASKS, workers = 7;
	double d = RATE_CALL + 5;

	scenario_text(&sc, RATE, "shared.loops=3", "shared.eval_workers=7",
		      "models.gpt-4o.requests_per_minute=0", "domains.a.sandbox_seconds=5", NULL);
	run(&sc, &m, &res);
	double makespan = ceil((double)tasks / workers) * d;
	ck_assert_double_eq_tol(res.wall_seconds, makespan, 1e-9);
	double wait = 0;
	for (unsigned i = 0; i < tasks; i++)
		wait += floor((double)i / workers) * d / tasks;
	ck_assert_double_eq_tol(res.shared.eval_wait.mean, wait, 1e-9);
	ck_assert_double_eq_tol(res.shared.eval_utilisation, tasks * d / (workers * makespan),
				1e-9);
	ck_assert_double_eq(res.shared.rate_wait.mean, 0);
	loop_result_release(&res);
	scenario_release(&sc);
}
END_TEST

static int rows_equal(const struct iteration_row *a, const struct iteration_row *b)
{
	return a->iteration == b->iteration && a->parent == b->parent && a->score == b->score &&
	       a->cost_usd == b->cost_usd && a->finish_seconds == b->finish_seconds &&
	       usage_total(&a->usage[ROLE_SELF_MODIFY]) == usage_total(&b->usage[ROLE_SELF_MODIFY]);
}

/*
 * Loops share nothing that binds here (no limits, workers per child), so each loop of a
 * group is, row for row, the same loop run alone with its stream; loop 0's stream is the
 * replication's, so one loop gives what a run gave before loops shared capacity.
 */
START_TEST(test_loops_apart_are_alone)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result group, alone;
	struct hc_err err = HC_ERR_INIT;

	scenario_text(&sc, RATE, "iterations=6", "shared.loops=3", "evaluation=staged",
		      "domains.a.screen_tasks=5", "models.gpt-4o.requests_per_minute=0",
		      "self_modification.model=gpt-4o", NULL);
	run(&sc, &m, &group);
	ck_assert_uint_eq(group.n_rows, 3 * 7);
	for (unsigned k = 0; k < 3; k++) {
		ck_assert_int_eq(loop_run_alone(&sc, &m, 7, 0, k, &alone, &err), 0);
		size_t j = 0;
		for (size_t i = 0; i < group.n_rows; i++) {
			if (group.rows[i].loop != k)
				continue;
			ck_assert_uint_lt(j, alone.n_rows);
			ck_assert_msg(rows_equal(&group.rows[i], &alone.rows[j]), "loop %u row %zu",
				      k, j);
			j++;
		}
		ck_assert_uint_eq(j, alone.n_rows);
		ck_assert_double_eq(group.shared.loop_wall_seconds[k], alone.wall_seconds);
		loop_result_release(&alone);
	}
	/* loop 0 alone is the one-loop run */
	loop_result_release(&group);
	sc.shared.loops = 1;
	run(&sc, &m, &group);
	ck_assert_int_eq(loop_run_alone(&sc, &m, 7, 0, 0, &alone, &err), 0);
	ck_assert_double_eq(group.wall_seconds, alone.wall_seconds);
	ck_assert_double_eq(loop_cost_total(&group), loop_cost_total(&alone));
	loop_result_release(&alone);
	loop_result_release(&group);
	scenario_release(&sc);
}
END_TEST

/*
 * One stream per component: more evaluation tasks (more draws of the evaluation stream)
 * leave every child's self-modification session and compile check as they were. With one
 * stream for the loop, every draw after the first extra task would move.
 */
START_TEST(test_streams_per_component)
{
	struct scenario sc;
	struct loop_models m;
	struct loop_result a, b;
	const char *base[] = { "iterations=8", "self_modification.model=gpt-4o",
			       "self_modification.calls={\"dist\": \"lognormal\", \"mean\": 5, \"cv\": 0.5}",
			       "self_modification.compile_failure_rate=0.3",
			       "models.gpt-4o.requests_per_minute=0" };

	scenario_text(&sc, RATE, base[0], base[1], base[2], base[3], base[4], NULL);
	run(&sc, &m, &a);
	scenario_release(&sc);
	scenario_text(&sc, RATE, base[0], base[1], base[2], base[3], base[4],
		      "domains.a.full_tasks=45", "domains.a.eval_workers=45", NULL);
	run(&sc, &m, &b);
	ck_assert_uint_eq(a.n_rows, b.n_rows);
	int64_t evaluate_a = 0, evaluate_b = 0;
	for (size_t i = 0; i < a.n_rows; i++) {
		const struct usage *ua = &a.rows[i].usage[ROLE_SELF_MODIFY];
		const struct usage *ub = &b.rows[i].usage[ROLE_SELF_MODIFY];
		ck_assert_int_eq(ua->calls, ub->calls);
		ck_assert_int_eq(usage_total(ua), usage_total(ub));
		ck_assert_int_eq(a.rows[i].compiled, b.rows[i].compiled);
		evaluate_a += usage_total(&a.rows[i].usage[ROLE_EVALUATE]);
		evaluate_b += usage_total(&b.rows[i].usage[ROLE_EVALUATE]);
	}
	ck_assert_int_lt(evaluate_a, evaluate_b);
	loop_result_release(&a);
	loop_result_release(&b);
	scenario_release(&sc);
}
END_TEST

/*
 * One mode against the rows simulated at the headline's price p0: by hand, a row's fleet
 * costs a loop at price p its cost at p0 plus (p − p0) · replicas · 2 GPUs · wall hours /
 * loops (docs/costs.md: the fleet's GPU-hours are replicas · GPUs · wall time); the mode's
 * break-even is the fewest loops whose row is within the wait target and no dearer than the
 * API, its row is that one (or max_loops's), and a month is loops · runs a month of it.
 */
static void check_mode(const struct crossover_loops *l, double p0, double p,
		       const struct crossover_loops_mode *m)
{
	unsigned first_win = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct crossover_loops_row *r = &l->rows[i];
		double hours = r->replicas * 2.0 * r->wall_hours / r->loops;
		double fleet = r->fleet_usd_per_loop + (p - p0) * hours;
		ck_assert_double_eq_tol(crossover_loops_fleet_usd(r, p), fleet, 1e-9 * fleet);
		if (r->sized && fleet <= r->api_usd_per_loop && (!first_win || r->loops < first_win))
			first_win = r->loops;
	}
	ck_assert_msg(m->break_even_loops == first_win, "at $%g: break-even %u, by hand %u", p,
		      m->break_even_loops, first_win);
	const struct crossover_loops_row *at = &l->rows[m->at];
	ck_assert_uint_eq(at->loops, first_win ? first_win : l->max_loops);
	ck_assert_double_eq_tol(m->fleet_usd_per_month,
				crossover_loops_fleet_usd(at, p) * at->loops * at->runs_per_month,
				1e-6);
	ck_assert_double_eq_tol(m->api_usd_per_month,
				at->api_usd_per_loop * at->loops * at->runs_per_month, 1e-6);
	ck_assert_double_gt(at->runs_per_month, 0);
}

/*
 * crossover --loops: with a wait target of 0 no call may queue, so N loops of 30 calls at
 * once need ceil(30 N / B) replicas of batch B; the break-even is the fewest loops tried
 * whose fleet costs a loop no more than the API, and every count tried below it loses.
 * Returns the most replicas of a row.
 */
static unsigned check_loops(const struct scenario *sc, double gpu_hour_usd, unsigned max_loops,
			    unsigned batch, struct crossover_plan *plan)
{
	struct crossover_request rq = crossover_default_request(PRICING_RESERVED);
	struct hc_err err = HC_ERR_INIT;
	unsigned first_win = 0, most = 0;

	static const double prices[] = { 25, 100, 150, 400 }; /* the modes: one costs p0 */
	memset(plan, 0, sizeof(*plan));
	plan->in.replica_gpus = 2;
	plan->in.gpu_hour_usd = gpu_hour_usd;
	plan->n_modes = sizeof(prices) / sizeof(prices[0]);
	for (size_t k = 0; k < plan->n_modes; k++)
		plan->modes[k].gpu_hour_usd = prices[k];
	ck_assert_msg(crossover_loops_run(sc, &ps, &rq, plan, max_loops, 0, 1, 1, 7, &err) == 0,
		      "%s", err.msg);
	const struct crossover_loops *l = &plan->loops;
	ck_assert_uint_ge(l->n, 1);
	for (size_t i = 0; i < l->n; i++) {
		const struct crossover_loops_row *r = &l->rows[i];
		unsigned need = (r->loops * RATE_TASKS + batch - 1) / batch;
		ck_assert_msg(r->sized && r->replicas == need, "%u loops: %u replicas, want %u",
			      r->loops, r->replicas, need);
		ck_assert_double_eq(r->wait_seconds, 0);
		most = r->replicas > most ? r->replicas : most;
		int wins = r->fleet_usd_per_loop <= r->api_usd_per_loop;
		if (wins && (!first_win || r->loops < first_win))
			first_win = r->loops;
	}
	ck_assert_uint_eq(l->break_even_loops, first_win);
	for (size_t i = 0; i < l->n; i++)
		if (l->rows[i].loops < first_win)
			ck_assert_double_gt(l->rows[i].fleet_usd_per_loop,
					    l->rows[i].api_usd_per_loop);
	for (size_t k = 0; k < plan->n_modes; k++)
		check_mode(l, gpu_hour_usd, plan->modes[k].gpu_hour_usd, &l->modes[k]);
	return most;
}

START_TEST(test_crossover_loops_sizing)
{
	struct scenario sc, fl;
	struct loop_models m;
	struct crossover_plan plan;
	struct hc_err err = HC_ERR_INIT;

	/* no rate limit: the API's cost a loop does not grow with the loops */
	scenario_text(&sc, RATE, "models.gpt-4o.requests_per_minute=0", NULL);
	scenario_text(&fl, RATE, "fleets=[{\"name\": \"crossover\", \"gpus_per_replica\": 2}]",
		      "self_modification.fleet=crossover", "domains.a.fleet=crossover", NULL);
	ck_assert_int_eq(loop_resolve_models(&fl, &ps, &m, &err), 0);
	unsigned batch = m.fleets[0].replica.batch;
	/* at $100 a GPU-hour one replica pays once a few loops share it: a bisected break-even */
	check_loops(&sc, 100, 40, batch, &plan);
	ck_assert_uint_gt(plan.loops.break_even_loops, 2);
	ck_assert_uint_gt(plan.loops.n, 4);
	/* every mode from the same rows: the $100 one is the headline, cheaper pays sooner */
	ck_assert_uint_eq(plan.loops.modes[1].break_even_loops, plan.loops.break_even_loops);
	ck_assert_uint_lt(plan.loops.modes[0].break_even_loops, plan.loops.break_even_loops);
	ck_assert(!plan.loops.modes[2].break_even_loops ||
		  plan.loops.modes[2].break_even_loops > plan.loops.break_even_loops);
	ck_assert_uint_eq(plan.loops.modes[3].break_even_loops, 0);
	/* at $400 it never does, and 16 loops of 30 calls need ceil(480 / B) replicas */
	ck_assert_uint_eq(check_loops(&sc, 400, 16, batch, &plan), (480 + batch - 1) / batch);
	ck_assert_uint_eq(plan.loops.break_even_loops, 0);
	ck_assert_uint_eq(plan.loops.rows[plan.loops.modes[3].at].loops, 16);
	scenario_release(&fl);
	scenario_release(&sc);
}
END_TEST

static void fails(const char *set, const char *want)
{
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;
	char *text = strdup(RATE);
	ck_assert_ptr_nonnull(text);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	cJSON *root = cJSON_Parse(text);
	free(text);
	ck_assert_int_eq(scenario_apply_set(root, set, &err), 0);
	ck_assert_int_eq(scenario_from_json(&sc, root, "test", &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, want), "want '%s' in: %s", want, err.msg);
	cJSON_Delete(root);
}

START_TEST(test_bad_shared_values)
{
	fails("shared.loops=0", "test: shared.loops: got 0; allowed: a whole number from 1 to 1000");
	fails("shared.loops=1001", "shared.loops: got 1001");
	fails("shared.eval_workers=-1", "shared.eval_workers: got -1");
	fails("shared.pool=3", "shared.pool");
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
	Suite *s = suite_create("shared");

	add(s, "rate_limit_shared_by_loops", test_rate_limit_shared_by_loops);
	add(s, "stretch_against_alone", test_stretch_against_alone);
	add(s, "fleet_shared_by_loops", test_fleet_shared_by_loops);
	add(s, "shared_eval_workers", test_shared_eval_workers);
	add(s, "loops_apart_are_alone", test_loops_apart_are_alone);
	add(s, "streams_per_component", test_streams_per_component);
	add(s, "bad_shared_values", test_bad_shared_values);
	add(s, "crossover_loops_sizing", test_crossover_loops_sizing);
	return check_run(s);
}
