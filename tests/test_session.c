/*
 * test_session: the token model of one agentic session (model/session.c) against its closed
 * form. With K calls, prompt P, output o, reasoning fraction f and tool result r, call t's
 * input is P + (t-1)((1-f)o + r), so the session's input is K P + K(K-1)/2 ((1-f)o + r).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/session.h"
#include "model/usage.h"
#include "sim/rng.h"
#include "tests/check_main.h"

#define SEED 20260724u

static struct dist constant(double v)
{
	return (struct dist){ .kind = DIST_CONST, .a = v };
}

static struct session_params params(double k, double prompt, double out, double f, double tool)
{
	struct session_params p = {
		.calls = constant(k),
		.max_calls = 10000,
		.prompt_tokens = constant(prompt),
		.output_tokens = constant(out),
		.max_output_tokens = 1000000,
		.reasoning_fraction = f,
		.tool_result_tokens = constant(tool),
		.tool_seconds = constant(0),
		.caching = CACHING_OFF,
		.cache_hit_rate = 1,
	};
	return p;
}

/* Runs a whole session, storing each call's usage in calls[] (up to max) and summing. */
static unsigned run_session(const struct session_params *p, struct rng *r, struct usage *calls,
			    unsigned max, struct usage *sum)
{
	struct session s;
	struct usage u;
	double tool;
	unsigned n = 0;

	memset(sum, 0, sizeof(*sum));
	session_start(&s, p, r);
	while (session_next(&s, r, &u, &tool)) {
		if (n < max)
			calls[n] = u;
		usage_add(sum, &u);
		n++;
	}
	/* a finished session stays finished */
	ck_assert_int_eq(session_next(&s, r, &u, &tool), 0);
	return n;
}

#define K_MAX 64

START_TEST(test_call_inputs)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	/* P = 5000, o = 400, f = 0.25, r = 700: each call adds 300 + 700 = 1000 */
	struct session_params p = params(12, 5000, 400, 0.25, 700);

	ck_assert_int_eq(rng_init(&r, SEED, 0), 0);
	ck_assert_uint_eq(run_session(&p, &r, calls, K_MAX, &sum), 12);
	for (int t = 1; t <= 12; t++) {
		const struct usage *u = &calls[t - 1];
		ck_assert_int_eq(u->calls, 1);
		ck_assert_int_eq(u->input, 5000 + (t - 1) * 1000);
		ck_assert_int_eq(u->output, 400);
		ck_assert_int_eq(u->reasoning, 100);
		ck_assert_int_eq(u->cache_read, 0);
		ck_assert_int_eq(u->cache_write, 0);
	}
	rng_release(&r);
}
END_TEST

START_TEST(test_totals_closed_form)
{
	static const struct {
		double k, prompt, out, f, tool;
	} cases[] = {
		{ 1, 5000, 400, 0.25, 700 },
		{ 12, 5000, 400, 0.25, 700 },
		{ 40, 3000, 1000, 0, 250 },
		{ 25, 800, 2000, 0.5, 0 },
		{ 7, 0, 10, 1, 3 },
	};
	struct rng r;

	ck_assert_int_eq(rng_init(&r, SEED, 1), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct session_params p = params(cases[i].k, cases[i].prompt, cases[i].out,
						 cases[i].f, cases[i].tool);
		struct usage sum, dummy[1];
		int64_t k = (int64_t)cases[i].k;
		int64_t step = (int64_t)((1 - cases[i].f) * cases[i].out + cases[i].tool);
		int64_t want = k * (int64_t)cases[i].prompt + k * (k - 1) / 2 * step;

		ck_assert_uint_eq(run_session(&p, &r, dummy, 0, &sum), (unsigned)k);
		ck_assert_int_eq(sum.calls, k);
		ck_assert_int_eq(sum.input, want);
		ck_assert_int_eq(sum.output, k * (int64_t)cases[i].out);
		ck_assert_int_eq(sum.reasoning, k * (int64_t)(cases[i].f * cases[i].out));
	}
	rng_release(&r);
}
END_TEST

START_TEST(test_caching_explicit)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	struct session_params p = params(10, 5000, 400, 0.25, 700);

	ck_assert_int_eq(rng_init(&r, SEED, 2), 0);
	p.caching = CACHING_EXPLICIT;
	run_session(&p, &r, calls, K_MAX, &sum);
	/* call 1 writes its prompt; call t reads call t-1's input and writes the 1000 new */
	ck_assert_int_eq(calls[0].cache_read, 0);
	ck_assert_int_eq(calls[0].cache_write, 5000);
	for (int t = 2; t <= 10; t++) {
		ck_assert_int_eq(calls[t - 1].cache_read, calls[t - 2].input);
		ck_assert_int_eq(calls[t - 1].cache_read, 5000 + (t - 2) * 1000);
		ck_assert_int_eq(calls[t - 1].cache_write, 1000);
	}
	/* reads sum the inputs of calls 1..K-1; writes sum to the last call's input */
	ck_assert_int_eq(sum.cache_read, 9 * 5000 + 36 * 1000);
	ck_assert_int_eq(sum.cache_write, 5000 + 9 * 1000);
	ck_assert_int_eq(sum.cache_read + sum.cache_write, sum.input);

	/* half the prefix hits: read 0.5 input_{t-1}, write the rest of input_t */
	p.cache_hit_rate = 0.5;
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(calls[0].cache_write, 5000);
	for (int t = 2; t <= 10; t++) {
		ck_assert_int_eq(calls[t - 1].cache_read, (5000 + (t - 2) * 1000) / 2);
		ck_assert_int_eq(calls[t - 1].cache_write,
				 calls[t - 1].input - calls[t - 1].cache_read);
	}
	rng_release(&r);
}
END_TEST

/*
 * OpenAI's rule: a prefix under 1,024 tokens caches nothing, a longer one is read rounded down
 * to 1,024 + 128k. P = 900, each call adds 300 + 100 = 400: inputs 900, 1300, 1700, 2100;
 * call 2's prefix 900 < 1,024 reads 0, call 3's 1300 -> 1280 (10 x 128), call 4's 1700 -> 1664
 * (13 x 128); at hit rate 0.5, half of those.
 */
START_TEST(test_caching_automatic)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	struct session_params p = params(4, 900, 400, 0.25, 100);
	static const int64_t full[] = { 0, 0, 1280, 1664 };

	ck_assert_int_eq(rng_init(&r, SEED, 3), 0);
	p.caching = CACHING_AUTOMATIC;
	run_session(&p, &r, calls, K_MAX, &sum);
	for (int t = 0; t < 4; t++) {
		ck_assert_int_eq(calls[t].input, 900 + t * 400);
		ck_assert_int_eq(calls[t].cache_read, full[t]);
		ck_assert_int_eq(calls[t].cache_write, 0);
	}
	ck_assert_int_eq(sum.cache_read, 1280 + 1664);

	p.cache_hit_rate = 0.5;
	run_session(&p, &r, calls, K_MAX, &sum);
	for (int t = 0; t < 4; t++)
		ck_assert_int_eq(calls[t].cache_read, full[t] / 2);
	ck_assert_int_eq(sum.cache_read, 640 + 832);
	ck_assert_int_eq(sum.cache_write, 0);
	/* the input is the same whatever the caching */
	ck_assert_int_eq(sum.input, 4 * 900 + 6 * 400);

	/* exactly 1,024 is cached whole; 1,151 rounds down to 1,024, 1,152 is 9 x 128 */
	p = params(2, 1024, 0, 0, 0);
	p.caching = CACHING_AUTOMATIC;
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(calls[1].cache_read, 1024);
	p.prompt_tokens.a = 1151;
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(calls[1].cache_read, 1024);
	p.prompt_tokens.a = 1152;
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(calls[1].cache_read, 1152);
	p.prompt_tokens.a = 1023;
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(calls[1].cache_read, 0);
	rng_release(&r);
}
END_TEST

START_TEST(test_caching_off)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	struct session_params p = params(10, 5000, 400, 0.25, 700);

	ck_assert_int_eq(rng_init(&r, SEED, 4), 0);
	p.cache_hit_rate = 0.7; /* ignored when off */
	run_session(&p, &r, calls, K_MAX, &sum);
	ck_assert_int_eq(sum.cache_read, 0);
	ck_assert_int_eq(sum.cache_write, 0);
	ck_assert_int_eq(sum.input, 10 * 5000 + 45 * 1000);
	rng_release(&r);
}
END_TEST

START_TEST(test_max_calls)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	struct session_params p = params(50, 100, 10, 0, 0);

	ck_assert_int_eq(rng_init(&r, SEED, 5), 0);
	p.max_calls = 7;
	ck_assert_uint_eq(run_session(&p, &r, calls, K_MAX, &sum), 7);
	ck_assert_int_eq(sum.calls, 7);
	ck_assert_int_eq(sum.input, 7 * 100 + 21 * 10);
	/* fewer than the cap: the draw */
	p.calls = constant(3);
	ck_assert_uint_eq(run_session(&p, &r, calls, K_MAX, &sum), 3);
	/* at least one call, even from a draw below 1 */
	p.calls = (struct dist){ .kind = DIST_NORMAL, .a = -50, .b = 1 };
	ck_assert_uint_eq(run_session(&p, &r, calls, K_MAX, &sum), 1);
	rng_release(&r);
}
END_TEST

START_TEST(test_max_output_tokens)
{
	struct rng r;
	struct usage calls[K_MAX], sum;
	struct session_params p = params(5, 1000, 5000, 0.25, 100);

	ck_assert_int_eq(rng_init(&r, SEED, 6), 0);
	p.max_output_tokens = 1000;
	run_session(&p, &r, calls, K_MAX, &sum);
	for (int t = 1; t <= 5; t++) {
		ck_assert_int_eq(calls[t - 1].output, 1000);
		ck_assert_int_eq(calls[t - 1].reasoning, 250);
		/* the context grows by the capped visible output: 750 + 100 */
		ck_assert_int_eq(calls[t - 1].input, 1000 + (t - 1) * 850);
	}
	ck_assert_int_eq(sum.output, 5000);
	rng_release(&r);
}
END_TEST

START_TEST(test_tool_seconds)
{
	struct rng r;
	struct session s;
	struct usage u;
	double tool = -1;
	struct session_params p = params(2, 10, 10, 0, 0);

	ck_assert_int_eq(rng_init(&r, SEED, 7), 0);
	p.tool_seconds = constant(7.5);
	session_start(&s, &p, &r);
	ck_assert_int_eq(session_next(&s, &r, &u, &tool), 1);
	ck_assert_double_eq(tool, 7.5);
	/* a negative draw is no time, not time travel (the session reads p through its pointer) */
	/* cppcheck-suppress unreadVariable */
	p.tool_seconds = (struct dist){ .kind = DIST_NORMAL, .a = -100, .b = 1 };
	ck_assert_int_eq(session_next(&s, &r, &u, &tool), 1);
	ck_assert_double_eq(tool, 0);
	ck_assert_int_eq(session_next(&s, &r, &u, &tool), 0);
	rng_release(&r);
}
END_TEST

START_TEST(test_draw_count)
{
	struct rng r;
	struct dist d;

	ck_assert_int_eq(rng_init(&r, SEED, 8), 0);
	d = constant(2.5);
	ck_assert_double_eq(session_draw_count(&d, &r, 0), 3);
	d = constant(2.49);
	ck_assert_double_eq(session_draw_count(&d, &r, 0), 2);
	d = constant(-3);
	ck_assert_double_eq(session_draw_count(&d, &r, 0), 0);
	ck_assert_double_eq(session_draw_count(&d, &r, 1), 1);
	d = constant(0.4);
	ck_assert_double_eq(session_draw_count(&d, &r, 1), 1);
	rng_release(&r);
}
END_TEST

/*
 * With random o and r (independent of K), E[input] = E[K] P + E[K(K-1)/2]((1-f)E[o] + E[r]).
 * N sessions give a standard error near 0.1% here; the tolerance is 1.5%.
 */
static void check_random_mean(struct session_params *p, double ek, double ek2, const char *what)
{
	const int n = 20000;
	struct rng r;
	struct usage sum, dummy[1];
	double input = 0, output = 0;
	const double eo = 400, er = 700, f = 0.25, prompt = 5000;

	ck_assert_int_eq(rng_init(&r, SEED, 9), 0);
	for (int i = 0; i < n; i++) {
		run_session(p, &r, dummy, 0, &sum);
		input += (double)sum.input / n;
		output += (double)sum.output / n;
	}
	double want = ek * prompt + ek2 * ((1 - f) * eo + er);
	ck_assert_msg(fabs(input - want) <= 0.015 * want, "%s: mean input %.1f, want %.1f",
		      what, input, want);
	ck_assert_msg(fabs(output - ek * eo) <= 0.015 * ek * eo, "%s: mean output %.1f, want %.1f",
		      what, output, ek * eo);
	rng_release(&r);
}

START_TEST(test_random_mean_constant_k)
{
	struct session_params p = params(10, 5000, 0, 0.25, 0);

	p.output_tokens = (struct dist){ .kind = DIST_LOGNORMAL, .a = 400, .b = 0.8 };
	p.tool_result_tokens = (struct dist){ .kind = DIST_LOGNORMAL, .a = 700, .b = 1.0 };
	/* E[K] = 10, E[K(K-1)/2] = 45: 50,000 + 45 * 1,000 */
	check_random_mean(&p, 10, 45, "K = 10");
}
END_TEST

START_TEST(test_random_mean_random_k)
{
	static const double ks[] = { 5, 15 };
	struct session_params p = params(0, 5000, 0, 0.25, 0);

	p.calls = (struct dist){ .kind = DIST_EMPIRICAL, .values = ks, .n = 2 };
	p.output_tokens = (struct dist){ .kind = DIST_LOGNORMAL, .a = 400, .b = 0.8 };
	p.tool_result_tokens = (struct dist){ .kind = DIST_LOGNORMAL, .a = 700, .b = 1.0 };
	/* E[K(K-1)/2] = (10 + 105) / 2 = 57.5, not E[K](E[K]-1)/2 = 45 */
	check_random_mean(&p, 10, 57.5, "K in {5, 15}");
}
END_TEST

/* ---- suite ---- */

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");

	check_add(s, "call_inputs", test_call_inputs, 10);
	check_add(s, "totals_closed_form", test_totals_closed_form, 10);
	check_add(s, "caching_explicit", test_caching_explicit, 10);
	check_add(s, "caching_automatic", test_caching_automatic, 10);
	check_add(s, "caching_off", test_caching_off, 10);
	check_add(s, "max_calls", test_max_calls, 10);
	check_add(s, "max_output_tokens", test_max_output_tokens, 10);
	check_add(s, "tool_seconds", test_tool_seconds, 10);
	check_add(s, "draw_count", test_draw_count, 10);
	check_add(s, "random_mean_constant_k", test_random_mean_constant_k, 30);
	check_add(s, "random_mean_random_k", test_random_mean_random_k, 30);
	return s;
}

int main(void)
{
	return check_run(session_suite());
}
