/*
 * endpoint: admission times of the requests and tokens buckets and the latency formula,
 * against hand arithmetic.
 */
#include <check.h>
#include "model/endpoint.h"
#include "tests/check_main.h"

static struct endpoint limited(double rpm, double tpm)
{
	struct endpoint e = { .ttft_seconds = 1, .decode_tokens_per_second = 50,
			      .requests_per_minute = rpm, .tokens_per_minute = tpm };
	return e;
}

/* No limits: every call starts when it asks. */
START_TEST(unlimited_admits_at_once)
{
	struct endpoint e = limited(0, 0);
	struct endpoint_limits l;
	endpoint_limits_init(&l, &e);
	for (int i = 0; i < 1000; i++)
		ck_assert_double_eq(endpoint_limits_admit(&l, 3, 1e6), 3);
	ck_assert_double_eq(endpoint_limits_admit(&l, 7.5, 1e6), 7.5);
}
END_TEST

/* 6 requests/min: a burst of 6 at once, then one every 10 s, in request order. */
START_TEST(requests_bucket_by_hand)
{
	struct endpoint e = limited(6, 0);
	struct endpoint_limits l;
	endpoint_limits_init(&l, &e);
	for (int i = 0; i < 6; i++)
		ck_assert_double_eq(endpoint_limits_admit(&l, 0, 100), 0);
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 0, 100), 10, 1e-12);
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 0, 100), 20, 1e-12);
	/* at 25 s the level is back to 0.5: the next call takes it to -0.5 and waits 5 s */
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 25, 100), 30, 1e-12);
	/* 90 s later the bucket is full again (6, the burst, not 9) */
	for (int i = 0; i < 6; i++)
		ck_assert_double_eq(endpoint_limits_admit(&l, 120, 1), 120);
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 120, 1), 130, 1e-12);
}
END_TEST

/* 600 tokens/min refills 10 a second; a call larger than the burst still passes, later. */
START_TEST(tokens_bucket_by_hand)
{
	struct endpoint e = limited(0, 600);
	struct endpoint_limits l;
	endpoint_limits_init(&l, &e);
	ck_assert_double_eq(endpoint_limits_admit(&l, 0, 500), 0);
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 0, 500), 40, 1e-12);   /* 400 / 10 */
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 50, 1000), 140, 1e-12); /* -900 */
	ck_assert_double_eq(endpoint_limits_admit(&l, 1000, 0), 1000);
}
END_TEST

/* Both limits: a call starts when the later of the two has let it through. */
START_TEST(later_of_both_limits)
{
	struct endpoint e = limited(60, 6000);
	struct endpoint_limits l;
	endpoint_limits_init(&l, &e);
	/* tokens: 6000 - 9000 = -3000 at 100 a second, 30 s; requests: 59 left */
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 0, 9000), 30, 1e-12);
	/* requests: full again by 40 s (60, the burst); the 61st call there waits 1 s */
	for (int i = 0; i < 60; i++)
		ck_assert_double_eq(endpoint_limits_admit(&l, 40, 0), 40);
	ck_assert_double_eq_tol(endpoint_limits_admit(&l, 40, 0), 41, 1e-12);
}
END_TEST

/* ttft + input / prefill + output / decode; no prefill term when its speed is 0. */
START_TEST(latency_by_hand)
{
	struct endpoint e = limited(0, 0);
	struct usage u = { .calls = 1, .input = 2000, .cache_read = 500, .output = 100 };
	e.ttft_seconds = 0.5;
	ck_assert_double_eq_tol(endpoint_latency(&e, &u), 0.5 + 100 / 50.0, 1e-12);
	e.prefill_tokens_per_second = 1000;
	ck_assert_double_eq_tol(endpoint_latency(&e, &u), 0.5 + 2 + 2, 1e-12);
	u.output = 0;
	ck_assert_double_eq_tol(endpoint_latency(&e, &u), 2.5, 1e-12);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("endpoint");
	check_add(s, "unlimited_admits_at_once", unlimited_admits_at_once, 10);
	check_add(s, "requests_bucket_by_hand", requests_bucket_by_hand, 10);
	check_add(s, "tokens_bucket_by_hand", tokens_bucket_by_hand, 10);
	check_add(s, "later_of_both_limits", later_of_both_limits, 10);
	check_add(s, "latency_by_hand", latency_by_hand, 10);
	return check_run(s);
}
