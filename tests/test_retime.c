/*
 * hypercap replay --retime end to end: the real DGM logs and hand-made traces whose re-timed
 * wall times are worked out by hand (or by an independent scheduler written here), the
 * options' error messages and exit codes.
 */
#include <math.h>
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define FIX SOURCE_DIR "/tests/fixtures/trace/"
#define MAX_TASKS 256

/*
 * Tolerance of a re-timed time that should equal a recorded one, in seconds. Re-timing
 * rebuilds each task from the differences of Unix times near 1.7e9 s (one unit in the last
 * place: 2.4e-7 s): the lead, each call's block and the tail, which add up to the task's span
 * up to a few such units per step. A millisecond is far above that rounding and far below
 * every effect the tests look at (seconds to hours).
 */
#define TIME_TOL 1e-3

struct span {
	double start, end;
};

/* The eval_task spans of a trace, in file order. */
static size_t task_spans(const char *path, struct span *out)
{
	char *text = slurp(path);
	size_t n = 0;
	ck_assert_ptr_nonnull(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *o = cJSON_Parse(line);
		const cJSON *type = cJSON_GetObjectItem(o, "type");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "eval_task")) {
			ck_assert_uint_lt(n, MAX_TASKS);
			out[n].start = cJSON_GetObjectItem(o, "start_time")->valuedouble;
			out[n++].end = cJSON_GetObjectItem(o, "end_time")->valuedouble;
		}
		cJSON_Delete(o);
	}
	free(text);
	return n;
}

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/*
 * The makespan of tasks taken in recorded start order, each on the worker free first, all
 * available from the first start: a first-come-first-served pool of `workers`, written
 * without the engine.
 */
static double list_schedule(struct span *t, size_t n, unsigned workers)
{
	double free_at[64] = { 0 }, end = 0;
	ck_assert_uint_le(workers, 64);
	qsort(t, n, sizeof(*t), by_start);
	for (size_t i = 0; i < n; i++) {
		unsigned w = 0;
		for (unsigned k = 1; k < workers; k++)
			if (free_at[k] < free_at[w])
				w = k;
		free_at[w] += t[i].end - t[i].start;
		if (free_at[w] > end)
			end = free_at[w];
	}
	return end;
}

static void import_dgm(void)
{
	struct result r = run("import", "dgm", SOURCE_DIR "/data/dgm-polyglot-initial", "-o",
			      "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
}

/* Runs replay TRACE --retime with up to 7 more arguments (then NULL) into res/; its summary. */
static cJSON *retime(const char *trace, ...)
{
	const char *a[8] = { NULL };
	char cmd[300];
	va_list ap;
	va_start(ap, trace);
	for (int i = 0; i < 7 && (a[i] = va_arg(ap, const char *)); i++)
		;
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/res'", workdir);
	ck_assert_int_eq(system(cmd), 0);
	struct result r = run("replay", trace, "--retime", "--out", "res", "--quiet", a[0], a[1],
			      a[2], a[3], a[4], a[5], a[6], NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	return load_json("res/summary.json");
}

#define RETIME(trace, ...) retime(trace, __VA_ARGS__, NULL)

START_TEST(dgm_recorded_concurrency_reproduces_the_recorded_wall_time)
{
	struct span t[MAX_TASKS];
	import_dgm();
	size_t n = task_spans(path_in("t.jsonl"), t);
	ck_assert_uint_eq(n, 59);
	/* the docker logs: cpp__all-your-base's first line at 02:13:28,746 to
	 * python__tree-building's last at 02:52:40,444 */
	double recorded = 2351.698;
	cJSON *s = RETIME("t.jsonl", "--task-starts", "recorded");
	ck_assert_double_eq_tol(json_at(s, "retime.recorded_wall_hours") * 3600, recorded, 1e-6);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, recorded, TIME_TOL);
	ck_assert_double_eq(json_at(s, "retime.eval_workers"), 16);
	ck_assert_double_eq(json_at(s, "retime.resources.eval_workers.mean_wait_seconds"), 0);
	ck_assert_double_eq(json_at(s, "retime.calls"), 255);
	ck_assert_double_eq(json_at(s, "retime.tasks"), 59);
	cJSON_Delete(s);

	/* queued (the default): the same 16 workers, but the trace holds 59 of the run's 225
	 * tasks, so they pack tighter than they ran; an independent scheduler agrees */
	s = RETIME("t.jsonl", NULL);
	double packed = list_schedule(t, n, 16);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, packed, TIME_TOL);
	ck_assert_double_lt(packed, 0.75 * recorded);
	ck_assert_double_gt(json_at(s, "retime.recorded_idle_worker_hours"), 1);
	cJSON_Delete(s);
}
END_TEST

START_TEST(dgm_one_worker_runs_the_tasks_end_to_end)
{
	struct span t[MAX_TASKS];
	import_dgm();
	size_t n = task_spans(path_in("t.jsonl"), t);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += t[i].end - t[i].start;
	cJSON *s = RETIME("t.jsonl", "--eval-workers", "1");
	ck_assert_double_eq_tol(json_at(s, "retime.evaluation_hours") * 3600, sum, TIME_TOL);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, sum, TIME_TOL);
	ck_assert_double_eq_tol(json_at(s, "retime.resources.eval_workers.utilisation"), 1, 1e-9);
	cJSON_Delete(s);
	s = RETIME("t.jsonl", "--eval-workers", "8");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, list_schedule(t, n, 8),
				TIME_TOL);
	cJSON_Delete(s);
}
END_TEST

/*
 * retime-fifo.jsonl: five tasks of 10, 4, 6, 3 and 5 s recorded as a first-come-first-served
 * pool of 2 runs them (15 s). Queued at the recorded concurrency it runs the same; one worker
 * takes the sum, 28 s; five take the longest, 10 s.
 */
START_TEST(fifo_trace_by_hand)
{
	cJSON *s = RETIME(FIX "retime-fifo.jsonl", NULL);
	ck_assert_double_eq(json_at(s, "retime.eval_workers"), 2);
	ck_assert_double_eq(json_at(s, "retime.recorded_wall_hours") * 3600, 15);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 15, 1e-9);
	ck_assert_double_eq(json_at(s, "retime.recorded_idle_worker_hours"), 0);
	/* busy 28 worker-seconds out of 2 x 15 */
	ck_assert_double_eq_tol(json_at(s, "retime.resources.eval_workers.utilisation"),
				28.0 / 30, 1e-12);
	cJSON_Delete(s);
	s = RETIME(FIX "retime-fifo.jsonl", "--eval-workers", "1");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 28, 1e-9);
	/* waits: 0, 10, 14, 20, 23 */
	ck_assert_double_eq_tol(json_at(s, "retime.resources.eval_workers.mean_wait_seconds"),
				67.0 / 5, 1e-9);
	cJSON_Delete(s);
	s = RETIME(FIX "retime-fifo.jsonl", "--eval-workers", "5");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 10, 1e-9);
	cJSON_Delete(s);
	char *csv = slurp(path_in("res/retime.csv"));
	ck_assert_int_eq(count_lines(csv), 6);
	ck_assert_int_eq(strncmp(csv, "kind,node,iteration,group,domain,task,calls,workers,"
				 "recorded_start_seconds,recorded_end_seconds,start_seconds,"
				 "end_seconds,wait_seconds\n", 135), 0);
	ck_assert_ptr_nonnull(strstr(csv, "task,\"root\",0,0,\"d\",\"t4\",1,5,10.000,13.000,"
					  "0.000,3.000,0.000\n"));
	free(csv);
}
END_TEST

/*
 * retime-rpm.jsonl: one task of four back-to-back one-second calls. At 2 requests a minute
 * the bucket holds 2 and refills one every 30 s: calls start at 0, 1, 30 (the third token)
 * and 60 (the fourth), so the task ends at 61 s; waits 0, 0, 28 and 29 s.
 */
START_TEST(rate_limit_by_hand)
{
	cJSON *s = RETIME(FIX "retime-rpm.jsonl", NULL);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 4, 1e-9);
	cJSON_Delete(s);
	s = RETIME(FIX "retime-rpm.jsonl", "--rpm", "gpt-4o-2024-08-06=2");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 61, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "retime.resources.endpoints.gpt-4o.mean_wait_seconds"),
				57.0 / 4, 1e-9);
	ck_assert_double_eq(json_at(s, "retime.resources.endpoints.gpt-4o.delayed_calls"), 2);
	ck_assert_double_eq(json_at(s, "retime.resources.endpoints.gpt-4o.rpm_limit"), 2);
	cJSON_Delete(s);
	/* 120 tokens a call at 240 a minute: two calls' worth, then one every 30 s, as above */
	s = RETIME(FIX "retime-rpm.jsonl", "--tpm", "gpt-4o=240");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 61, 1e-9);
	cJSON_Delete(s);
	/* modelled: 0.5 s + 20 tokens at 10/s = 2.5 s a call, no tool time between them */
	s = RETIME(FIX "retime-rpm.jsonl", "--latency", "model", "--ttft", "gpt-4o=0.5",
		   "--decode", "gpt-4o=10");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 10, 1e-9);
	cJSON_Delete(s);
}
END_TEST

/*
 * retime-loop.jsonl: node 0 evaluated over [0, 10]; iteration 1 (from 10): nodes 1 and 2
 * with a lead of 2 s, sessions of 10 and 20 s (to their evaluations' starts) and evaluations
 * of 18 s, ending at 40 and 50; iteration 2 (from 50): node 3, lead 2, session 9,
 * evaluation 9, ending at 70.
 */
START_TEST(children_regrouped_by_hand)
{
	cJSON *s = RETIME(FIX "retime-loop.jsonl", NULL);
	ck_assert_double_eq(json_at(s, "retime.recorded_wall_hours") * 3600, 70);
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 70, 1e-9);
	ck_assert_double_eq(json_at(s, "retime.groups"), 3);
	ck_assert_double_eq(json_at(s, "retime.children"), 2);
	cJSON_Delete(s);
	/* one at a time: 10, then 30, 40 and 20 s more */
	s = RETIME(FIX "retime-loop.jsonl", "--children", "1");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 100, 1e-9);
	ck_assert_double_eq(json_at(s, "retime.groups"), 4);
	cJSON_Delete(s);
	/* all three at once from 10: node 2 ends last, at 50 */
	s = RETIME(FIX "retime-loop.jsonl", "--children", "3");
	ck_assert_double_eq_tol(json_at(s, "retime.wall_hours") * 3600, 50, 1e-9);
	ck_assert_double_eq(json_at(s, "retime.groups"), 2);
	cJSON_Delete(s);
}
END_TEST

/*
 * retime-rpm.jsonl's four back-to-back calls of 100 input and 20 output tokens on a fleet of
 * Llama 3.3 70B FP8 replicas sized for exactly that call. Each call holds a slot for the
 * fleet's overhead plus batch × output / throughput (Little's law at the sizing shape) and
 * never waits: one slot of replicas × batch is ever busy. The fleet costs replicas × GPUs ×
 * wall × USD 2; the calls would have cost 4 × (100 × 2.50 + 20 × 10.00) / 1e6 at gpt-4o's
 * list prices.
 */
static void check_fleet(unsigned replicas)
{
	char set[300];
	snprintf(set, sizeof(set), "fleets=[{\"name\": \"llama\", \"serve_model\": "
		 "\"llama-3.3-70b\", \"gpu\": \"h100-sxm\", \"replicas\": %u, "
		 "\"gpu_hour_usd\": 2, \"ttft_seconds\": 0.5}]", replicas);
	cJSON *s = RETIME(FIX "retime-rpm.jsonl", "--fleet", "gpt-4o=llama", "--set", set);
	double batch = json_at(s, "retime.fleets.llama.batch");
	double gpus = json_at(s, "retime.fleets.llama.gpus_per_replica");
	double slot = 0.5 + batch * 20 / json_at(s, "retime.fleets.llama.replica_output_tokens_per_s");
	double wall = json_at(s, "retime.wall_hours") * 3600;
	ck_assert_double_eq(json_at(s, "retime.fleets.llama.sized_input_tokens"), 100);
	ck_assert_double_eq(json_at(s, "retime.fleets.llama.sized_output_tokens"), 20);
	ck_assert_double_eq_tol(wall, 4 * slot, 1e-9);
	ck_assert_double_eq_tol(json_at(s, "retime.fleets.llama.gpu_hours"),
				replicas * gpus * wall / 3600, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "retime.fleets.llama.cost_usd"),
				replicas * gpus * wall / 3600 * 2, 1e-12);
	ck_assert_double_eq_tol(json_at(s, "retime.fleets.llama.utilisation"),
				1 / (replicas * batch), 1e-12);
	ck_assert_double_eq(json_at(s, "retime.fleets.llama.mean_wait_seconds"), 0);
	ck_assert_double_eq(json_at(s, "retime.fleets.llama.calls"), 4);
	ck_assert_double_eq_tol(json_at(s, "retime.fleets.llama.api_cost_usd"),
				4 * (100 * 2.5 + 20 * 10.0) / 1e6, 1e-15);
	ck_assert_double_eq(json_at(s, "retime.resources.endpoints.gpt-4o.calls"), 4);
	cJSON_Delete(s);
}

START_TEST(fleet_by_hand)
{
	check_fleet(1);
	check_fleet(3);
}
END_TEST

START_TEST(same_input_same_bytes)
{
	import_dgm();
	cJSON_Delete(RETIME("t.jsonl", "--rpm", "o3-mini=20"));
	char *a = slurp(path_in("res/retime.csv")), *sa = slurp(path_in("res/summary.json"));
	cJSON_Delete(RETIME("t.jsonl", "--rpm", "o3-mini=20"));
	char *b = slurp(path_in("res/retime.csv")), *sb = slurp(path_in("res/summary.json"));
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(sa, sb);
	ck_assert_int_eq(count_lines(a), 60);
	free(a);
	free(b);
	free(sa);
	free(sb);
}
END_TEST

/* Runs replay on retime-rpm.jsonl with up to 7 arguments (then NULL); it must fail so. */
static void expect_failure(int status, const char *message, ...)
{
	const char *a[8] = { NULL };
	va_list ap;
	va_start(ap, message);
	for (int i = 0; i < 7 && (a[i] = va_arg(ap, const char *)); i++)
		;
	va_end(ap);
	struct result r = run("replay", FIX "retime-rpm.jsonl", "--out", "bad", a[0], a[1], a[2],
			      a[3], a[4], a[5], a[6], NULL);
	ck_assert_msg(r.status == status, "exit %d, wanted %d: %s", r.status, status, r.err);
	ck_assert_msg(strstr(r.err, message), "'%s' not in: %s", message, r.err);
	ck_assert_int_eq(exists("bad"), 0);
	result_free(&r);
}

START_TEST(bad_options_name_what_is_allowed)
{
	expect_failure(2, "--eval-workers '0': expected a whole number from 1 to 100000",
		       "--retime", "--eval-workers", "0", NULL);
	expect_failure(2, "--children '2x': expected a whole number from 1 to 10000",
		       "--retime", "--children", "2x", NULL);
	expect_failure(3, "--task-starts: got 'late'; allowed: queued or recorded", "--retime",
		       "--task-starts", "late", NULL);
	expect_failure(3, "--latency: got 'fast'; allowed: recorded or model", "--retime",
		       "--latency", "fast", NULL);
	expect_failure(3, "--rpm: got 'gpt-4o'; allowed: MODEL=N, N requests per minute > 0",
		       "--retime", "--rpm", "gpt-4o", NULL);
	expect_failure(3, "--tpm: got 'gpt-4o=-5'; allowed: MODEL=N, N tokens per minute > 0",
		       "--retime", "--tpm", "gpt-4o=-5", NULL);
	expect_failure(3, "--rpm: model 'gpt-5o' is not in the trace; allowed: one of its "
			  "models: 'gpt-4o'", "--retime", "--rpm", "gpt-5o=5", NULL);
	expect_failure(3, "--latency model: model 'gpt-4o' has no --decode", "--retime",
		       "--latency", "model", "--ttft", "gpt-4o=1", NULL);
	expect_failure(3, "--fleet: fleet 'h100' is not in 'embedded:hyperagents-paper.json'; "
			  "allowed: one of its fleets[]: none", "--retime", "--fleet",
		       "gpt-4o=h100", NULL);
	expect_failure(3, "--fleet: got 'gpt-4o'; allowed: MODEL=NAME", "--retime", "--fleet",
		       "gpt-4o", NULL);
	expect_failure(3, "--rpm: model 'gpt-4o' is served by the fleet 'h'", "--retime",
		       "--fleet", "gpt-4o=h", "--rpm", "gpt-4o=3", "--set",
		       "fleets=[{\"name\":\"h\",\"serve_model\":\"llama-3.3-70b\",\"gpu\":"
		       "\"h100-sxm\"}]");
	expect_failure(2, "--scenario and --set need --fleet", "--retime", "--set", "a=1", NULL);
	expect_failure(2, "--eval-workers needs --retime", "--eval-workers", "2", NULL, NULL);
	expect_failure(2, "--ttft and --decode need --latency model", "--retime", "--ttft",
		       "gpt-4o=1", NULL);
}
END_TEST

START_TEST(calls_without_times_cannot_be_retimed)
{
	write_file("untimed.jsonl", "{\"hypercap_trace\": 1}\n"
		   "{\"type\": \"llm_call\", \"start_time\": 5, \"model\": \"gpt-4o\"}\n"
		   "{\"type\": \"llm_call\", \"model\": \"gpt-4o\"}\n");
	struct result r = run("replay", "untimed.jsonl", "--retime", "--out", "res", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "untimed.jsonl:3: start_time: missing; allowed: re-timing "
				    "needs the start_time of every llm_call"), "%s", r.err);
	ck_assert_int_eq(exists("res"), 0);
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("retime");
	TCase *tc = tcase_create("retime");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dgm_recorded_concurrency_reproduces_the_recorded_wall_time);
	tcase_add_test(tc, dgm_one_worker_runs_the_tasks_end_to_end);
	tcase_add_test(tc, fifo_trace_by_hand);
	tcase_add_test(tc, rate_limit_by_hand);
	tcase_add_test(tc, children_regrouped_by_hand);
	tcase_add_test(tc, fleet_by_hand);
	tcase_add_test(tc, same_input_same_bytes);
	tcase_add_test(tc, bad_options_name_what_is_allowed);
	tcase_add_test(tc, calls_without_times_cannot_be_retimed);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return check_run(s);
}
