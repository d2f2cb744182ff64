/*
 * bill: the components of a bill against hand arithmetic: the order, the shares, the split
 * of sandbox compute into GPU simulators and vCPUs, and what is left whole.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include "reports/bill.h"
#include "tests/check_main.h"

/* 8 + 2 API, 12 GPU-hours x $2.5 = 30 on simulators, 10 h x 2 vCPUs x $0.05 = 1 on vCPUs. */
static const char summary_text[] =
	"{\"prices\": {\"date\": \"2026-07-24\"},"
	" \"tokens\": {\"detail_by_model\": {\"a\": {\"total\": 1000000}, \"b\": {\"total\": 5}}},"
	" \"cost_usd\": {\"api\": 10, \"self_hosted\": 0, \"storage\": 0.5, \"compute\": 31,"
	"  \"total\": 41.5, \"by_model\": {\"a\": 8, \"b\": 2}},"
	" \"sandbox\": {\"cpu_hours\": 10, \"gpu_hours\": 12},"
	" \"archive\": {\"bytes\": 2e9}}";
static const char scenario_text[] =
	"{\"costs\": {\"sim_gpu_hour_usd\": 2.5, \"sandbox_vcpus\": 2, \"vcpu_hour_usd\": 0.05,"
	" \"retention_months\": 12, \"storage_usd_per_gb_month\": 0.023},"
	" \"domains\": [{\"name\": \"cpu\", \"sandbox_gpus\": 0, \"sandbox_seconds\": 2},"
	"  {\"name\": \"robots\", \"sandbox_gpus\": 1,"
	"   \"sandbox_seconds\": {\"dist\": \"lognormal\", \"mean\": 1800, \"cv\": 0.3}}]}";

START_TEST(parts_largest_first_with_shares)
{
	cJSON *s = cJSON_Parse(summary_text), *sc = cJSON_Parse(scenario_text);
	struct bill b;
	static const char *const names[] = { "GPU simulators", "API: a", "API: b",
					     "sandbox vCPUs", "storage" };
	static const double usd[] = { 30, 8, 2, 1, 0.5 };
	bill_parts(s, sc, &b);
	ck_assert_uint_eq(b.n, 5);
	ck_assert_double_eq(b.total, 41.5);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(b.part[i].name, names[i]);
		ck_assert_double_eq_tol(b.part[i].usd, usd[i], 1e-12);
		ck_assert_double_eq_tol(b.part[i].share, usd[i] / 41.5, 1e-12);
	}
	ck_assert_ptr_nonnull(strstr(b.part[0].basis, "12.0 GPU-hours"));
	ck_assert_ptr_nonnull(strstr(b.part[0].basis, "$2.50/GPU-hour"));
	ck_assert_ptr_nonnull(strstr(b.part[0].basis, "assumes it: robots mean 1800 s"));
	ck_assert_ptr_null(strstr(b.part[0].basis, "cpu"));
	ck_assert_ptr_nonnull(strstr(b.part[1].basis, "1M tokens"));
	ck_assert_ptr_nonnull(strstr(b.part[1].basis, "2026-07-24"));
	ck_assert_ptr_nonnull(strstr(b.part[3].basis, "10.0 sandbox-hours x 2 vCPUs"));
	ck_assert_ptr_nonnull(strstr(b.part[4].basis, "2 GB kept 12 months"));
	cJSON_Delete(s);
	cJSON_Delete(sc);
}
END_TEST

/* Rates that do not add up to cost_usd.compute (or no scenario): compute stays whole. */
START_TEST(compute_whole_when_rates_do_not_add_up)
{
	cJSON *s = cJSON_Parse(summary_text);
	struct bill b;
	bill_parts(s, NULL, &b);
	ck_assert_uint_eq(b.n, 4);
	ck_assert_str_eq(b.part[0].name, "sandboxes and GPU simulators");
	ck_assert_double_eq(b.part[0].usd, 31);
	cJSON *sc = cJSON_Parse(scenario_text);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(sc, "costs"), "sim_gpu_hour_usd",
				  cJSON_CreateNumber(3));
	bill_parts(s, sc, &b);
	ck_assert_str_eq(b.part[0].name, "sandboxes and GPU simulators");
	cJSON_Delete(s);
	cJSON_Delete(sc);
}
END_TEST

/* A replay: one API part per model, ties in reading order, no cost_usd no parts. */
START_TEST(replay_and_empty)
{
	cJSON *s = cJSON_Parse("{\"kind\": \"replay\", \"cost_usd\": {\"api\": 2, \"total\": 2,"
			       " \"by_model\": {\"x\": 1, \"y\": 1, \"z\": 0}}}");
	struct bill b;
	bill_parts(s, NULL, &b);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_str_eq(b.part[0].name, "API: x");
	ck_assert_str_eq(b.part[1].name, "API: y");
	ck_assert_double_eq(b.part[1].share, 0.5);
	ck_assert_ptr_nonnull(strstr(b.part[0].basis, "as recorded"));
	cJSON_Delete(s);
	s = cJSON_Parse("{\"tokens\": {}}");
	bill_parts(s, NULL, &b);
	ck_assert_uint_eq(b.n, 0);
	cJSON_Delete(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bill");
	check_add(s, "largest_first_with_shares", parts_largest_first_with_shares, 10);
	check_add(s, "compute_whole", compute_whole_when_rates_do_not_add_up, 10);
	check_add(s, "replay_and_empty", replay_and_empty, 10);
	return check_run(s);
}
