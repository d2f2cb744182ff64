/*
 * test_plan: `hypercap plan` on a scenario whose cost and wall time grow by the same amount
 * every iteration (constant sizes, only API dollars), so the answer is a closed form of two
 * plain `simulate` runs: the largest n with c0 + n · c1 <= budget.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/cli_harness.h"

static const char *const LINEAR =
	"{ \"name\": \"linear\", \"iterations\": 1, \"evaluation\": \"full\","
	"  \"self_modification\": { \"model\": \"claude-sonnet-4-5\", \"calls\": 3,"
	"    \"prompt_tokens\": 1000, \"output_tokens\": 100, \"compile_seconds\": 60 },"
	"  \"domains\": [ { \"name\": \"a\", \"model\": \"gpt-4o\", \"screen_tasks\": 1,"
	"    \"full_tasks\": 4, \"sandbox_seconds\": 30,"
	"    \"task\": { \"calls\": 2, \"prompt_tokens\": 500, \"output_tokens\": 50 } } ],"
	"  \"archive\": { \"copy_run_dir\": false, \"patch_apply_seconds\": 0 },"
	"  \"costs\": { \"storage_usd_per_gb_month\": 0, \"storage_usd_per_1000_requests\": 0,"
	"    \"vcpu_hour_usd\": 0 } }";

/* cost_usd.total and wall_time_hours of `simulate` at n iterations. */
static void simulate_at(unsigned n, double *usd, double *hours)
{
	char iters[16];
	snprintf(iters, sizeof(iters), "%u", n);
	struct result r = run("simulate", "linear.json", "--iterations", iters, "--out", "s",
			      "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON *s = load_json("s/summary.json");
	*usd = json_at(s, "cost_usd.total");
	*hours = json_at(s, "wall_time_hours");
	cJSON_Delete(s);
}

static double plan_best(const char *budget, const char *deadline)
{
	struct result r = deadline
		? run("plan", "linear.json", "--budget-usd", budget, "--deadline-hours", deadline,
		      "--runs", "1", "--out", "p", NULL)
		: run("plan", "linear.json", "--budget-usd", budget, "--runs", "1", "--out", "p",
		      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "is the largest value within"), "%s", r.out);
	result_free(&r);
	cJSON *p = load_json("p/plan.json");
	double best = json_at(p, "best");
	cJSON_Delete(p);
	return best;
}

START_TEST(plan_budget_closed_form)
{
	double c0, c1, h0, h1;
	write_file("linear.json", LINEAR);
	simulate_at(0, &c0, &h0);
	simulate_at(1, &c1, &h1);
	c1 -= c0;
	ck_assert_double_gt(c1, 0);
	char budget[32];
	snprintf(budget, sizeof(budget), "%.9f", c0 + 37.5 * c1);
	ck_assert_double_eq(plan_best(budget, NULL), 37);
	/* the table holds every point tried, the answer among them */
	char *csv = slurp(path_in("p/plan.csv"));
	ck_assert_ptr_nonnull(csv);
	ck_assert_msg(strstr(csv, "\n37,"), "%s", csv);
	ck_assert_msg(strstr(csv, "\n38,") && strstr(csv, ",0\n"), "%s", csv);
	free(csv);
}
END_TEST

START_TEST(plan_deadline_closed_form)
{
	double c0, c1, h0, h1;
	write_file("linear.json", LINEAR);
	simulate_at(0, &c0, &h0);
	simulate_at(1, &c1, &h1);
	char deadline[32];
	snprintf(deadline, sizeof(deadline), "%.9f", h0 + 5.5 * (h1 - h0));
	ck_assert_double_eq(plan_best("1e9", deadline), 5);
}
END_TEST

START_TEST(plan_nothing_fits)
{
	write_file("linear.json", LINEAR);
	struct result r = run("plan", "linear.json", "--budget-usd", "1e-9", "--runs", "1",
			      "--out", "p", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "even iterations = 0 does not fit"), "%s", r.out);
	result_free(&r);
	cJSON *p = load_json("p/plan.json");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(p, "best")));
	cJSON_Delete(p);
}
END_TEST

START_TEST(plan_bad_input)
{
	write_file("linear.json", LINEAR);
	struct result r = run("plan", "linear.json", "--out", "p", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "--budget-usd is required"), "%s", r.err);
	result_free(&r);
	r = run("plan", "linear.json", "--budget-usd", "10", "--vary", "iteratons", "--out", "p",
		NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "--vary iteratons=0") && strstr(r.err, "iteratons"), "%s",
		      r.err);
	ck_assert_int_eq(exists("p"), 0);
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plan_budget_closed_form);
	tcase_add_test(tc, plan_deadline_closed_form);
	tcase_add_test(tc, plan_nothing_fits);
	tcase_add_test(tc, plan_bad_input);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return check_run(s);
}
