/*
 * crossover: the break-even of a linear API bill against a fleet whose cost is known in
 * closed form (V* = GPUs × $/GPU-hour × 730 / API $ per token), the step fleet crossing
 * where its grid says, and a pair that never crosses.
 */
#include <check.h>
#include <math.h>
#include "model/crossover.h"
#include "tests/check_main.h"

static const struct crossover_input base = {
	.api_usd_per_token = 3e-6, .gpu_hour_usd = 2.5, .replica_gpus = 4,
	.replica_tokens_per_s = 20000, .max_utilisation = 0.5, .min_replicas = 1,
};

START_TEST(closed_form_break_even)
{
	struct crossover_result r;
	ck_assert_int_eq(crossover_solve(&base, &r, NULL), 0);
	double want = 4 * 2.5 * 730 / 3e-6;
	ck_assert_msg(fabs(r.break_even_tokens_per_month / want - 1) < 1e-3, "%.6g vs %.6g",
		      r.break_even_tokens_per_month, want);
	ck_assert_double_eq_tol(r.integer_break_even_tokens_per_month, want, want * 1e-9);
	ck_assert_double_eq_tol(r.api_usd_per_mtok, 3, 1e-12);
	ck_assert_double_eq_tol(r.self_hosted_usd_per_mtok, 4 * 2.5 / (20000 * 3600.0) * 1e6,
				1e-12);
	ck_assert_double_eq_tol(r.replica_tokens_per_month, 20000 * 3600.0 * 730 * 0.5, 1e-3);
}
END_TEST

START_TEST(grid_crosses_where_solved)
{
	struct crossover_result r;
	struct crossover_point pts[200];
	ck_assert_int_eq(crossover_solve(&base, &r, NULL), 0);
	size_t n = crossover_grid(&base, 1e6, 1e13, 20, pts, 200);
	ck_assert_uint_eq(n, 141);
	size_t first = n;
	for (size_t i = 0; i < n && first == n; i++)
		if (pts[i].self_hosted_usd < pts[i].api_usd)
			first = i;
	ck_assert_uint_lt(first, n);
	ck_assert_double_ge(pts[first].tokens_per_month, r.integer_break_even_tokens_per_month);
	ck_assert_double_lt(pts[first - 1].tokens_per_month, r.integer_break_even_tokens_per_month);
	/* the fleet grows in whole replicas */
	for (size_t i = 0; i < n; i++)
		ck_assert_double_eq(pts[i].gpus, 4 * pts[i].replicas);
}
END_TEST

START_TEST(never_crosses_when_api_marginally_cheaper)
{
	struct crossover_input in = base;
	struct crossover_result r;
	in.api_usd_per_token = 1e-8; /* below the fleet's 1.4e-7 per token at 50% use */
	ck_assert_int_eq(crossover_solve(&in, &r, NULL), 0);
	ck_assert(isnan(r.break_even_tokens_per_month));
	ck_assert(isnan(r.integer_break_even_tokens_per_month));
}
END_TEST

START_TEST(min_replicas_scale_the_floor)
{
	struct crossover_input in = base;
	struct crossover_result r;
	in.min_replicas = 3;
	ck_assert_int_eq(crossover_solve(&in, &r, NULL), 0);
	double want = 3 * 4 * 2.5 * 730 / 3e-6;
	ck_assert_msg(fabs(r.break_even_tokens_per_month / want - 1) < 1e-3, "%.6g",
		      r.break_even_tokens_per_month);
}
END_TEST

/* The fleet's bill has no per-token part: break-even = fixed monthly cost / (API rate − 0),
 * and there the one replica is busy V* / (tokens/s · 3,600 · 730), whatever the ceiling. */
START_TEST(utilisation_at_break_even_follows_from_volume)
{
	double fixed = 4 * 2.5 * 730, full = 20000 * 3600.0 * 730;
	double want_be = fixed / (3e-6 - 0);
	for (int k = 0; k < 3; k++) {
		struct crossover_input in = base;
		struct crossover_result r;
		in.max_utilisation = (double[]){ 0.05, 0.6, 1 }[k];
		ck_assert_int_eq(crossover_solve(&in, &r, NULL), 0);
		ck_assert_double_eq_tol(r.fixed_usd_per_month, fixed, 1e-9 * fixed);
		ck_assert_double_eq_tol(r.integer_break_even_tokens_per_month, want_be,
					1e-9 * want_be);
		ck_assert_double_eq(r.replicas_at_break_even, 1);
		ck_assert_double_eq_tol(r.utilisation_at_break_even, want_be / full, 1e-12);
		ck_assert_double_ne_tol(r.utilisation_at_break_even, in.max_utilisation, 1e-3);
	}
}
END_TEST

/* Past the ceiling the fleet adds replicas: at 2.5 replicas' worth of capped capacity it runs
 * 3, each busy V / (3 · full-use capacity). */
START_TEST(utilisation_of_a_grown_fleet)
{
	struct crossover_point p;
	double full = 20000 * 3600.0 * 730, v = 2.5 * full * base.max_utilisation;
	crossover_at(&base, v, &p);
	ck_assert_double_eq(p.replicas, 3);
	ck_assert_double_eq_tol(p.utilisation, v / (3 * full), 1e-12);
	ck_assert_double_le(p.utilisation, base.max_utilisation);
}
END_TEST

START_TEST(never_has_no_utilisation)
{
	struct crossover_input in = base;
	struct crossover_result r;
	in.api_usd_per_token = 1e-8;
	ck_assert_int_eq(crossover_solve(&in, &r, NULL), 0);
	ck_assert(isnan(r.replicas_at_break_even));
	ck_assert(isnan(r.utilisation_at_break_even));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crossover");
	check_add(s, "closed_form_break_even", closed_form_break_even, 10);
	check_add(s, "grid_crosses_where_solved", grid_crosses_where_solved, 10);
	check_add(s, "never_crosses", never_crosses_when_api_marginally_cheaper, 10);
	check_add(s, "min_replicas_scale_the_floor", min_replicas_scale_the_floor, 10);
	check_add(s, "utilisation_at_break_even", utilisation_at_break_even_follows_from_volume,
		  10);
	check_add(s, "utilisation_of_a_grown_fleet", utilisation_of_a_grown_fleet, 10);
	check_add(s, "never_has_no_utilisation", never_has_no_utilisation, 10);
	return check_run(s);
}
