/*
 * test_prices_litellm: LiteLLM cost parity (model/prices.c). A table of calls priced by hand
 * from the catalog entries in tests/fixtures/prices/ (copied from LiteLLM's catalog of
 * 2026-07-24) by LiteLLM's rules (generic_cost_per_token, batch_cost_calculator,
 * select_tier_for_input): each expected cost is the arithmetic on the per-token rates as the
 * JSON gives them. Also the folding of dated keys on every price field, the tiered_pricing
 * table kept through hypercap's format, and the rates price_call_missing names.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hc_err.h"
#include "model/prices.h"
#include "tests/check_main.h"

#define PARITY_PATH SOURCE_DIR "/tests/fixtures/prices/litellm-parity-2026-07-24.json"

static struct price_sheet cat;

static void load(void)
{
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(price_sheet_load(&cat, PARITY_PATH, &err) == 0, "%s", err.msg);
}

static void release(void)
{
	price_sheet_release(&cat);
}

static const struct price *model(const char *key)
{
	const struct price *p = price_sheet_find(&cat, key);
	ck_assert_msg(p != NULL, "'%s' not in the fixture", key);
	return p;
}

/* One call: counts in hypercap's convention (cache parts within input, reasoning within
 * output) and LiteLLM's cost of it; NAN where hypercap refuses to guess a rate. */
struct parity_case {
	const char *key;
	long long input, cache_read, cache_write, cache_write_1h, output, reasoning;
	unsigned flags;
	double usd;
};

static const struct parity_case cases[] = {
	/* gpt-5.4: the 272k tier; cache reads at their tier rate */
	{ "gpt-5.4", 300000, 100000, 0, 0, 2000, 0, 0,
	  200000 * 5e-06 + 100000 * 5e-07 + 2000 * 2.25e-05 },
	{ "gpt-5.4", 272000, 100000, 0, 0, 2000, 0, 0,
	  172000 * 2.5e-06 + 100000 * 2.5e-07 + 2000 * 1.5e-05 },
	/* batch_cost_calculator: every prompt token at the batch input rate, no tier */
	{ "gpt-5.4", 300000, 100000, 0, 0, 2000, 500, PRICE_BATCH,
	  300000 * 1.25e-06 + 2000 * 7.5e-06 },
	/* claude-sonnet-4-5: 5-minute and 1-hour cache writes */
	{ "claude-sonnet-4-5", 10000, 2000, 5000, 3000, 1000, 0, 0,
	  3000 * 3e-06 + 2000 * 3e-07 + 2000 * 3.75e-06 + 3000 * 6e-06 + 1000 * 1.5e-05 },
	{ "claude-sonnet-4-5", 10000, 2000, 5000, 0, 1000, 0, PRICE_CACHE_1H,
	  3000 * 3e-06 + 2000 * 3e-07 + 5000 * 6e-06 + 1000 * 1.5e-05 },
	/* ... above 200k: every token at the tier, the 1-hour writes at theirs */
	{ "claude-sonnet-4-5-20250929", 250000, 150000, 50000, 20000, 10000, 0, 0,
	  50000 * 6e-06 + 150000 * 6e-07 + 30000 * 7.5e-06 + 20000 * 1.2e-05 + 10000 * 2.25e-05 },
	/* no 1-hour rate above 200k: LiteLLM bills the base 1-hour rate, hypercap unknown */
	{ "claude-sonnet-4-20250514", 250000, 0, 50000, 20000, 10000, 0, 0, NAN },
	{ "claude-sonnet-4-20250514", 250000, 0, 50000, 0, 10000, 0, 0,
	  200000 * 6e-06 + 50000 * 7.5e-06 + 10000 * 2.25e-05 },
	/* gemini-2.5-pro: the 200k tier */
	{ "gemini-2.5-pro", 300000, 0, 0, 0, 1000, 0, 0, 300000 * 2.5e-06 + 1000 * 1.5e-05 },
	/* xAI's tier starts at the threshold itself */
	{ "xai/grok-4-fast-reasoning", 128000, 0, 0, 0, 1000, 0, 0,
	  128000 * 4e-07 + 1000 * 1e-06 },
	{ "xai/grok-4-fast-reasoning", 127999, 0, 0, 0, 1000, 0, 0,
	  127999 * 2e-07 + 1000 * 5e-07 },
	/* the 256k and 512k tiers */
	{ "openrouter/qwen/qwen3.5-plus-02-15", 300000, 0, 0, 0, 1000, 0, 0,
	  300000 * 5e-07 + 1000 * 3e-06 },
	{ "minimax/MiniMax-M3", 600000, 100000, 0, 0, 1000, 0, 0,
	  500000 * 6e-07 + 100000 * 1.2e-07 + 1000 * 2.4e-06 },
	{ "minimax/MiniMax-M3", 400000, 100000, 0, 0, 1000, 0, 0,
	  300000 * 3e-07 + 100000 * 6e-08 + 1000 * 1.2e-06 },
	/* output_cost_per_reasoning_token */
	{ "dashscope/qwen-plus-2025-04-28", 1000, 0, 0, 0, 5000, 4000, 0,
	  1000 * 4e-07 + 1000 * 1.2e-06 + 4000 * 4e-06 },
	{ "dashscope/qwen-plus", 1000, 0, 0, 0, 5000, 4000, 0, 1000 * 4e-07 + 5000 * 1.2e-06 },
	/* tiered_pricing: one row for the whole call, chosen by range_start < input <= end */
	{ "dashscope/qwen-plus-2025-09-11", 300000, 0, 0, 0, 2000, 1500, 0,
	  300000 * 1.2e-06 + 500 * 3.6e-06 + 1500 * 1.2e-05 },
	{ "dashscope/qwen-plus-2025-09-11", 256000, 0, 0, 0, 2000, 0, 0,
	  256000 * 4e-07 + 2000 * 1.2e-06 },
	{ "dashscope/qwen3-coder-plus", 100000, 40000, 0, 0, 1000, 0, 0,
	  60000 * 1.8e-06 + 40000 * 1.8e-07 + 1000 * 9e-06 },
	/* above the last range: the last row; a write without its rate at the row's input */
	{ "dashscope/qwen3-coder-plus", 2000000, 0, 1000, 0, 1000, 0, 0,
	  1999000 * 6e-06 + 1000 * 6e-06 + 1000 * 6e-05 },
	/* service tiers: the tier's rate where the entry gives one, else the standard one */
	{ "gpt-5.4", 10000, 4000, 0, 0, 1000, 0, PRICE_FLEX,
	  6000 * 1.25e-06 + 4000 * 1.3e-07 + 1000 * 7.5e-06 },
	{ "gpt-5.4", 300000, 100000, 0, 0, 2000, 0, PRICE_PRIORITY,
	  200000 * 5e-06 + 100000 * 5e-07 + 2000 * 2.25e-05 },
	{ "azure_ai/gpt-5.5", 300000, 100000, 0, 0, 2000, 0, PRICE_PRIORITY,
	  200000 * 2e-05 + 100000 * 2e-06 + 2000 * 9e-05 },
	/* reasoning bills as the tier's output when the tier prices output */
	{ "gpt-4.1", 1000, 0, 0, 0, 3000, 2000, PRICE_PRIORITY,
	  1000 * 3.5e-06 + 3000 * 1.4e-05 },
	/* the batch API wins over a service tier */
	{ "gpt-4.1", 1000, 0, 0, 0, 3000, 0, PRICE_BATCH | PRICE_PRIORITY,
	  1000 * 1e-06 + 3000 * 4e-06 },
};

START_TEST(test_parity_table)
{
	const struct parity_case *c = &cases[_i];
	struct usage u = { .calls = 1, .input = c->input, .cache_read = c->cache_read,
			   .cache_write = c->cache_write, .cache_write_1h = c->cache_write_1h,
			   .output = c->output, .reasoning = c->reasoning };
	double got = price_call_cost(model(c->key), &u, c->flags);
	if (isnan(c->usd))
		ck_assert_msg(isnan(got), "case %d (%s): got %.12g; want unknown", _i, c->key, got);
	else
		ck_assert_msg(fabs(got - c->usd) <= 1e-9, "case %d (%s): got %.12g; want %.12g", _i,
			      c->key, got, c->usd);
}
END_TEST

/* A dated key folds into its undated one only when every price field agrees. */
START_TEST(test_folding_every_price_field)
{
	/* claude-sonnet-4-5-20250929: the same entry: one model */
	ck_assert_ptr_eq(model("claude-sonnet-4-5-20250929"), model("claude-sonnet-4-5"));
	/* differs in output_cost_per_reasoning_token only */
	ck_assert_str_eq(model("dashscope/qwen-plus-2025-04-28")->name,
			 "dashscope/qwen-plus-2025-04-28");
	/* differs in the priority rates only, which hypercap does not read */
	ck_assert_str_eq(model("gpt-4.1-2025-04-14")->name, "gpt-4.1-2025-04-14");
	/* 15 entries, one folded */
	ck_assert_uint_eq(cat.n_models, 14);
}
END_TEST

/* A tiered_pricing table survives hypercap's format: written, read back, equal. */
START_TEST(test_tiered_round_trip)
{
	struct price_sheet out, back;
	struct hc_err err = HC_ERR_INIT;
	const char *names[] = { "dashscope/qwen3-coder-plus", "dashscope/qwen-plus-2025-09-11" };
	ck_assert_msg(price_sheet_extract(&out, &cat, NULL, names, 2, &err) == 0, "%s", err.msg);
	char *text = price_sheet_to_json(&out);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(price_sheet_parse(&back, text, strlen(text), "round-trip", &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(back.models[0].n_ranges, 4);
	ck_assert_double_eq(back.models[0].ranges[1].above, 32000);
	ck_assert_double_eq(back.models[0].ranges[1].cache_read, 0.18);
	ck_assert_double_eq(back.models[1].ranges[1].reasoning_output, 12);
	for (size_t i = 0; i < 2; i++)
		ck_assert(price_equal_rates(&back.models[i], &out.models[i]));
	free(text);
	price_sheet_release(&out);
	price_sheet_release(&back);
}
END_TEST

/* A bad tiered_pricing table is refused with its JSON path, the value and what is allowed. */
START_TEST(test_bad_tiered_pricing)
{
	static const struct {
		const char *table, *want;
	} bad[] = {
		{ "[{\"range\": {\"a\": 0, \"b\": 9}, \"input\": 1}]",
		  "models[0].tiered_pricing[0].range: got" },
		{ "[{\"range\": [9, 3], \"input\": 1}]", "allowed: [from, to] tokens with" },
		{ "[{\"range\": [0, 9], \"output\": 1}]", "tiered_pricing[0]: no input" },
		{ "[{\"range\": [0, 9], \"input\": -1}]", "tiered_pricing[0].input: got -1" },
		{ "[]", "tiered_pricing: got an array with 0 rows; allowed: an array of 1 to 8" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		struct price_sheet ps;
		struct hc_err err = HC_ERR_INIT;
		snprintf(text, sizeof(text), "{\"hypercap_prices\": 1, \"date\": \"2026-07-24\", "
			 "\"source\": \"t\", \"models\": [{\"name\": \"m\", "
			 "\"tiered_pricing\": %s}]}", bad[i].table);
		ck_assert_int_eq(price_sheet_parse(&ps, text, strlen(text), "s.json", &err),
				 HC_EINPUT);
		ck_assert_msg(strstr(err.msg, bad[i].want), "case %zu: %s", i, err.msg);
	}
}
END_TEST

/* The service tiers as providers name them (LiteLLM's _SERVICE_TIER_TO_COST_KEY_SUFFIX). */
START_TEST(test_service_tier_names)
{
	ck_assert_uint_eq(price_service_tier("flex"), PRICE_FLEX);
	ck_assert_uint_eq(price_service_tier("priority"), PRICE_PRIORITY);
	ck_assert_uint_eq(price_service_tier("fast"), PRICE_PRIORITY);
	ck_assert_uint_eq(price_service_tier("default"), 0);
	ck_assert_uint_eq(price_service_tier("standard"), 0);
	ck_assert_uint_eq(price_service_tier(""), 0);
}
END_TEST

START_TEST(test_missing_names_the_rate)
{
	struct usage u = { .calls = 1, .input = 250000, .cache_write = 50000,
			   .cache_write_1h = 20000, .output = 10 };
	int64_t n;
	ck_assert_str_eq(price_call_missing(model("claude-sonnet-4-20250514"), &u, 0, &n),
			 "cache_write_1h_above_200k");
	ck_assert_int_eq(n, 20000);
	u.cache_write_1h = 0;
	ck_assert_ptr_null(price_call_missing(model("claude-sonnet-4-20250514"), &u, 0, &n));
	/* gemini-2.5-pro has no cache write rate below 200k */
	u.input = 100000;
	ck_assert_str_eq(price_call_missing(model("gemini-2.5-pro"), &u, 0, &n), "cache_write");
	ck_assert_int_eq(n, 50000);
	/* 1-hour writes above the writes break the convention */
	u.cache_write_1h = 60000;
	ck_assert(isnan(price_call_cost(model("claude-sonnet-4-5"), &u, 0)));
	ck_assert_ptr_null(price_call_missing(model("claude-sonnet-4-5"), &u, 0, &n));
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test, int loop_end)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, load, release);
	tcase_add_loop_test(tc, test, 0, loop_end);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("prices_litellm");
	add(s, "parity_table", test_parity_table, (int)(sizeof(cases) / sizeof(cases[0])));
	add(s, "folding_every_price_field", test_folding_every_price_field, 1);
	add(s, "tiered_round_trip", test_tiered_round_trip, 1);
	add(s, "missing_names_the_rate", test_missing_names_the_rate, 1);
	add(s, "service_tier_names", test_service_tier_names, 1);
	add(s, "bad_tiered_pricing", test_bad_tiered_pricing, 1);
	return check_run(s);
}
