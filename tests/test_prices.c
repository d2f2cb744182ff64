/*
 * test_prices: price sheets (model/prices.c): loading hypercap's format and LiteLLM's catalog,
 * lookup by name and alias (precedence, ambiguity), suggestions, validation, and every cost
 * rule of price_call_cost against hand arithmetic on the 2026-07-24 sheet's rates.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hc_err.h"
#include "model/prices.h"
#include "model/usage.h"
#include "tests/check_main.h"

#define SHEET_PATH SOURCE_DIR "/data/prices/api-2026-07-24.json"
#define LITELLM_PATH SOURCE_DIR "/data/prices/litellm-model-prices-2026-07-24.json"

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

static void assert_mentions(const char *msg, ...)
{
	va_list ap;
	const char *needle;

	va_start(ap, msg);
	while ((needle = va_arg(ap, const char *)))
		ck_assert_msg(strstr(msg, needle) != NULL, "message \"%s\" lacks \"%s\"", msg,
			      needle);
	va_end(ap);
}

static const struct price *find(const char *name)
{
	const struct price *p = price_sheet_find(&ps, name);

	ck_assert_msg(p != NULL, "'%s' not found", name);
	return p;
}

/* ---- loading ---- */

START_TEST(test_embedded_sheet)
{
	ck_assert_str_eq(ps.origin, "embedded:api-2026-07-24.json");
	ck_assert_str_eq(ps.date, "2026-07-24");
	ck_assert_uint_eq(ps.n_models, 13);
	ck_assert_str_eq(ps.models[0].name, "claude-sonnet-4-5");
	ck_assert_str_eq(ps.models[0].provider, "anthropic");
	ck_assert_uint_eq(ps.models[0].n_aliases, 3);
}
END_TEST

START_TEST(test_file_equals_embedded)
{
	struct price_sheet f;
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(price_sheet_load(&f, SHEET_PATH, &err), 0);
	ck_assert_str_eq(f.origin, SHEET_PATH);
	ck_assert_uint_eq(f.n_models, ps.n_models);
	for (size_t i = 0; i < f.n_models; i++) {
		const struct price *a = &f.models[i], *b = &ps.models[i];
		ck_assert_str_eq(a->name, b->name);
		ck_assert_uint_eq(a->n_aliases, b->n_aliases);
		ck_assert(memcmp(&a->input, &b->input, 4 * sizeof(double)) == 0);
	}
	price_sheet_release(&f);
	ck_assert_int_eq(price_sheet_load(&f, SOURCE_DIR "/data/prices/none.json", &err),
			 HC_EINPUT);
	assert_mentions(err.msg, "cannot open", "none.json", NULL);
}
END_TEST

/* ---- lookup ---- */

START_TEST(test_find_name_alias_case)
{
	const struct price *s = find("claude-sonnet-4-5");

	ck_assert_ptr_eq(find("claude-sonnet-4-5-20250929"), s);
	ck_assert_ptr_eq(find("anthropic/claude-sonnet-4-5-20250929"), s);
	ck_assert_ptr_eq(find("anthropic/claude-sonnet-4-5"), s);
	ck_assert_ptr_eq(find("Claude-Sonnet-4-5"), s);
	ck_assert_ptr_eq(find("ANTHROPIC/CLAUDE-SONNET-4-5-20250929"), s);
	ck_assert_str_eq(find("GPT-4o")->name, "gpt-4o");
	ck_assert_str_eq(find("openai/o3-mini-2025-01-31")->name, "o3-mini");
	/* a name that prefixes another is not that other */
	ck_assert_str_eq(find("gpt-4o-mini")->name, "gpt-4o-mini");
	ck_assert_str_eq(find("claude-sonnet-4")->name, "claude-sonnet-4");
	ck_assert_str_eq(find("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo")->name,
			 "llama-3.1-70b-instruct");
}
END_TEST

START_TEST(test_unknown_and_suggest)
{
	char buf[300];

	ck_assert_ptr_null(price_sheet_find(&ps, "gpt-4p"));
	ck_assert_ptr_null(price_sheet_find(&ps, "claude"));
	ck_assert_ptr_null(price_sheet_find(&ps, ""));
	price_sheet_suggest(&ps, "gpt-4p", buf, sizeof(buf));
	/* closest first: gpt-4o at distance 1, then gpt-4.1 and gpt-5 at 2, in sheet order */
	ck_assert_str_eq(buf, "'gpt-4o', 'gpt-4.1', 'gpt-5'");
	price_sheet_suggest(&ps, "claude-sonet-4-5", buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "'claude-sonnet-4-5'", 19), "suggestions: %s", buf);
	price_sheet_suggest(&ps, "haiku", buf, sizeof(buf));
	ck_assert_str_eq(buf, "'claude-haiku-4-5'");
	price_sheet_suggest(&ps, "xyzzy-unknown", buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
}
END_TEST

/* ---- cost ---- */

START_TEST(test_cost_sonnet)
{
	const struct price *p = find("claude-sonnet-4-5");
	/*
	 * 10 calls: 1M input of which 200k cache reads and 100k cache writes; 50k output, 10k
	 * reasoning. At 100k input per call none reaches the long-context tier.
	 */
	struct usage u = { .calls = 10, .input = 1000000, .cache_read = 200000,
			   .cache_write = 100000, .output = 50000, .reasoning = 10000 };

	ck_assert_double_eq(p->input, 3.0);
	ck_assert_double_eq(p->output, 15.0);
	ck_assert_double_eq(p->cache_read, 0.30);
	ck_assert_double_eq(p->cache_write, 3.75);
	/* 0.7 M * 3 + 0.2 M * 0.30 + 0.1 M * 3.75 + 0.05 M * 15 = 2.1 + 0.06 + 0.375 + 0.75 */
	ck_assert_double_eq_tol(price_cost(p, &u), 3.285, 1e-12);
	/* no caching: all input at the input rate */
	u = (struct usage){ .input = 2000, .output = 1000 };
	ck_assert_double_eq_tol(price_cost(p, &u), (2000 * 3.0 + 1000 * 15.0) / 1e6, 1e-15);
	u = (struct usage){ 0 };
	ck_assert_double_eq(price_cost(p, &u), 0);
}
END_TEST

START_TEST(test_cost_o3_mini)
{
	const struct price *p = find("o3-mini");
	/* 2M input, 1M from the cache; 1M output of which 0.6M reasoning (billed as output) */
	struct usage u = { .input = 2000000, .cache_read = 1000000, .output = 1000000,
			   .reasoning = 600000 };

	ck_assert_double_eq(p->input, 1.10);
	ck_assert_double_eq(p->output, 4.40);
	ck_assert_double_eq(p->cache_read, 0.55);
	ck_assert(isnan(p->cache_write));
	/* 1 M * 1.10 + 1 M * 0.55 + 1 M * 4.40 */
	ck_assert_double_eq_tol(price_cost(p, &u), 6.05, 1e-12);
	/* reasoning is part of output: more of it changes nothing */
	u.reasoning = 1000000;
	ck_assert_double_eq_tol(price_cost(p, &u), 6.05, 1e-12);
	/* no cache write rate: pricing a cache write is unknown */
	u.cache_write = 1;
	ck_assert(isnan(price_cost(p, &u)));
}
END_TEST

START_TEST(test_cost_missing_rate_nan)
{
	const struct price *p = find("llama-3.1-70b-instruct");
	struct usage u = { .input = 1000000, .output = 500000 };

	ck_assert(isnan(p->cache_read));
	ck_assert(isnan(p->cache_write));
	ck_assert_double_eq_tol(price_cost(p, &u), 0.88 + 0.44, 1e-12);
	u.cache_read = 1000;
	ck_assert_msg(isnan(price_cost(p, &u)), "cost %g, want NAN", price_cost(p, &u));
	u.cache_read = 0;
	u.cache_write = 1000;
	ck_assert(isnan(price_cost(p, &u)));
}
END_TEST

/* ---- bad sheets ---- */

static const char *const GOOD_MODEL =
	"{ \"name\": \"a\", \"input\": 1, \"output\": 2 }";

static void expect_bad_sheet(const char *text, ...)
{
	struct price_sheet bad;
	struct hc_err err = HC_ERR_INIT;
	va_list ap;
	const char *needle;

	int rc = price_sheet_parse(&bad, text, strlen(text), "sheet.json", &err);
	ck_assert_msg(rc == HC_EINPUT, "rc %d for %s (message \"%s\")", rc, text, err.msg);
	ck_assert_ptr_null(bad.models);
	ck_assert_msg(!strncmp(err.msg, "sheet.json", 10), "message \"%s\" lacks the origin",
		      err.msg);
	va_start(ap, text);
	while ((needle = va_arg(ap, const char *)))
		ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"",
			      err.msg, needle);
	va_end(ap);
}

START_TEST(test_bad_sheets)
{
	char text[1024];

#define SHEET(models) "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": \"s\", " \
		      "\"models\": [ " models " ] }"
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": -1, \"output\": 2 }"),
			 "models[0].input", "got -1", "from 0 to 1e+06", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1, \"output\": 2 }, "
			       "{ \"name\": \"b\", \"input\": 1, \"output\": 2, "
			       "\"cache_read\": \"cheap\" }"),
			 "models[1].cache_read", "got \"cheap\"", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"output\": 2 }"), "models[0]", "'a'",
			 "an input rate is required", NULL);
	expect_bad_sheet(SHEET("{ \"input\": 1, \"output\": 2 }"), "models[0].name",
			 "got nothing", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1, \"output\": 2 }, "
			       "{ \"name\": \"A\", \"input\": 1, \"output\": 2 }"),
			 "models[1]", "the name 'A' is given twice", NULL);
	/* a name that is an earlier model's alias collides too */
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"aliases\": [\"b\"], \"input\": 1, "
			       "\"output\": 2 }, { \"name\": \"b\", \"input\": 1, \"output\": 2 }"),
			 "models[1]", "'b' is given twice", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"aliases\": [1], \"input\": 1, "
			       "\"output\": 2 }"), "models[0].aliases[0]", "a string", NULL);
	expect_bad_sheet(SHEET(""), "models: got an array", "a non-empty array", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1e999, \"output\": 2 }"),
			 "models[0].input", NULL);
#undef SHEET
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 2, \"date\": \"d\", \"source\": "
		 "\"s\", \"models\": [ %s ] }", GOOD_MODEL);
	expect_bad_sheet(text, "hypercap_prices: got 2", "allowed: 1", NULL);
	snprintf(text, sizeof(text), "{ \"date\": \"d\", \"source\": \"s\", \"models\": [ %s ] }",
		 GOOD_MODEL);
	expect_bad_sheet(text, "\"hypercap_prices\" is missing", NULL);
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"source\": \"s\", "
		 "\"models\": [ %s ] }", GOOD_MODEL);
	expect_bad_sheet(text, "sheet.json: date: got nothing", NULL);
	expect_bad_sheet("{ \"hypercap_prices\": 1,", "sheet.json:1:", "malformed JSON", NULL);
}
END_TEST

/* A sheet in another currency was read as USD; duplicate keys and \u0000 were read leniently. */
START_TEST(test_currency_keys_twice_nul)
{
	char text[1024];
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": "
		 "\"s\", \"currency\": \"EUR\", \"models\": [ %s ] }", GOOD_MODEL);
	expect_bad_sheet(text, "sheet.json: currency: got \"EUR\"; allowed: \"USD\"", NULL);
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": "
		 "\"s\", \"models\": [ { \"name\": \"a\", \"currency\": \"eur\", \"input\": 1, "
		 "\"output\": 2 } ] }");
	expect_bad_sheet(text, "sheet.json: models[0].currency: got \"eur\"", NULL);
	expect_bad_sheet("{ \"a\": { \"mode\": \"chat\", \"input_cost_per_token\": 1e-06, "
			 "\"output_cost_per_token\": 2e-06, \"currency\": \"EUR\" } }",
			 "sheet.json: \"a\".currency: got \"EUR\"; allowed: \"USD\"", NULL);
	/* the first of two rates won: 1 instead of 9 */
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": "
		 "\"s\", \"models\": [ { \"name\": \"a\", \"input\": 1, \"output\": 2, "
		 "\"input\": 9 } ] }");
	expect_bad_sheet(text, "sheet.json: models[0].input: given twice; allowed: each key once",
			 NULL);
	/* "gpt-4o\u0000evil" was the name gpt-4o */
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": "
		 "\"s\", \"models\": [ { \"name\": \"a\\u0000b\", \"input\": 1, \"output\": 2 } "
		 "] }");
	expect_bad_sheet(text, "sheet.json:1:", "\\u0000", NULL);
	/* USD, said or not, is read */
	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": "
		 "\"s\", \"currency\": \"USD\", \"models\": [ %s ] }", GOOD_MODEL);
	ck_assert_int_eq(price_sheet_parse(&s, text, strlen(text), "sheet.json", &err), 0);
	price_sheet_release(&s);
}
END_TEST

START_TEST(test_minimal_sheet)
{
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	char text[512];

	snprintf(text, sizeof(text), "{ \"hypercap_prices\": 1, \"date\": \"2026-01-01\", "
		 "\"source\": \"hand\", \"extra\": true, \"models\": [ %s ] }", GOOD_MODEL);
	ck_assert_int_eq(price_sheet_parse(&s, text, strlen(text), "m.json", &err), 0);
	ck_assert_uint_eq(s.n_models, 1);
	ck_assert_str_eq(s.date, "2026-01-01");
	ck_assert_str_eq(s.models[0].provider, "");
	ck_assert(isnan(s.models[0].cache_read));
	ck_assert_double_eq(s.models[0].output, 2);
	/* an explicit null is an unknown rate, not zero */
	price_sheet_release(&s);
	const char *nul = "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": \"s\", "
			  "\"models\": [ { \"name\": \"a\", \"input\": 1, \"output\": 2, "
			  "\"cache_read\": null, \"cache_write\": 0 } ] }";
	ck_assert_int_eq(price_sheet_parse(&s, nul, strlen(nul), "n.json", &err), 0);
	ck_assert(isnan(s.models[0].cache_read));
	ck_assert_double_eq(s.models[0].cache_write, 0);
	price_sheet_release(&s);
}
END_TEST

/*
 * An embeddings model has only an input rate: a call without output needs no more (OpenAI's
 * text-embedding-3-small, $0.02 per 1M tokens: 1M tokens cost $0.02); one with output is
 * unpriced, never $0. LiteLLM's catalog prices it the same.
 */
START_TEST(test_input_only_model_prices_embeddings)
{
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	const char *text = "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": \"s\", "
			   "\"models\": [ { \"name\": \"text-embedding-3-small\", "
			   "\"input\": 0.02 } ] }";
	struct usage u = { .calls = 1, .input = 1000000 };

	ck_assert_msg(price_sheet_parse(&s, text, strlen(text), "e.json", &err) == 0, "%s",
		      err.msg);
	ck_assert(isnan(s.models[0].output));
	ck_assert_double_eq_tol(price_cost(&s.models[0], &u), 0.02, 1e-15);
	u.output = 1;
	ck_assert(isnan(price_cost(&s.models[0], &u)));
	price_sheet_release(&s);
	u.output = 0;
	ck_assert_msg(price_sheet_load(&s, LITELLM_PATH, &err) == 0, "%s", err.msg);
	ck_assert_double_eq_tol(price_cost(price_sheet_find(&s, "text-embedding-3-small"), &u),
				0.02, 1e-15);
	price_sheet_release(&s);
}
END_TEST

/* ---- the rates the rules need ---- */

START_TEST(test_embedded_extra_rates)
{
	const struct price *s = find("claude-sonnet-4-5"), *g = find("gemini-2.5-pro");
	const struct price *o = find("gpt-4o"), *m = find("o3-mini");

	ck_assert_str_eq(s->litellm_key, "claude-sonnet-4-5");
	ck_assert_double_eq(s->cache_write_1h, 6.0);
	ck_assert_double_eq(s->input_above_200k, 6.0);
	ck_assert_double_eq(s->output_above_200k, 22.5);
	ck_assert_double_eq(s->cache_read_above_200k, 0.6);
	ck_assert_double_eq(s->cache_write_above_200k, 7.5);
	ck_assert_double_eq(s->cache_write_1h_above_200k, 12.0);
	ck_assert_double_eq(s->max_input_tokens, 200000);
	ck_assert(isnan(s->batch_input) && isnan(s->batch_output));
	ck_assert_double_eq(o->batch_input, 1.25);
	ck_assert_double_eq(o->batch_output, 5.0);
	ck_assert(isnan(o->input_above_200k) && isnan(o->cache_write_1h));
	ck_assert(isnan(m->batch_input));
	ck_assert_double_eq(g->input_above_200k, 2.5);
	ck_assert(isnan(g->cache_write_above_200k));
	ck_assert(isnan(find("llama-3.1-70b-instruct")->max_input_tokens));
	ck_assert_str_eq(find("llama-3.1-70b-instruct")->provider, "together_ai");
}
END_TEST

/* ---- cost rules, each against hand arithmetic ---- */

START_TEST(test_rule_cache_write_5m_1h)
{
	const struct price *p = find("claude-sonnet-4-5");
	/* one call: 100k input = 10k plain + 50k cache reads + 40k cache writes; 2k output */
	struct usage u = { .calls = 1, .input = 100000, .cache_read = 50000,
			   .cache_write = 40000, .output = 2000 };

	/* 10k x 3 + 50k x 0.30 + 40k x 3.75 + 2k x 15 = 30000 + 15000 + 150000 + 30000 */
	ck_assert_double_eq_tol(price_call_cost(p, &u, 0), 0.225, 1e-12);
	ck_assert_double_eq(price_cost(p, &u), price_call_cost(p, &u, 0));
	/* the 1-hour cache: 40k x 6.00 = 240000 instead of 150000 */
	ck_assert_double_eq_tol(price_call_cost(p, &u, PRICE_CACHE_1H), 0.315, 1e-12);
	/* o3-mini lists no cache write of either kind */
	u.cache_write = 0;
	u.cache_read = 90000;
	ck_assert_double_eq_tol(price_call_cost(find("o3-mini"), &u, PRICE_CACHE_1H),
				(10000 * 1.1 + 90000 * 0.55 + 2000 * 4.4) / 1e6, 1e-15);
	u.cache_write = 1;
	u.cache_read = 89999;
	ck_assert(isnan(price_call_cost(find("o3-mini"), &u, PRICE_CACHE_1H)));
}
END_TEST

START_TEST(test_rule_long_context)
{
	const struct price *p = find("claude-sonnet-4-5");
	/* 250k input = 50k plain + 150k cache reads + 50k cache writes; 10k output */
	struct usage u = { .calls = 1, .input = 250000, .cache_read = 150000,
			   .cache_write = 50000, .output = 10000 };

	/* every token at the tier: 50k x 6 + 150k x 0.6 + 50k x 7.5 + 10k x 22.5 */
	ck_assert_double_eq_tol(price_cost(p, &u), 0.99, 1e-12);
	/* 1-hour writes above 200k: 50k x 12 instead of 50k x 7.5 */
	ck_assert_double_eq_tol(price_call_cost(p, &u, PRICE_CACHE_1H), 1.215, 1e-12);
	/* the threshold: 200000 input tokens is not above it, 200001 is */
	u = (struct usage){ .calls = 1, .input = 200000, .output = 1000 };
	ck_assert_double_eq_tol(price_cost(p, &u), (200000 * 3.0 + 1000 * 15.0) / 1e6, 1e-12);
	u.input = 200001;
	ck_assert_double_eq_tol(price_cost(p, &u), (200001 * 6.0 + 1000 * 22.5) / 1e6, 1e-12);
	/* a sum of 2 calls of 150k each: the mean per call decides, below the tier */
	u = (struct usage){ .calls = 2, .input = 300000, .output = 1000 };
	ck_assert_double_eq_tol(price_cost(p, &u), (300000 * 3.0 + 1000 * 15.0) / 1e6, 1e-12);
	/* Gemini's tier: 300k input with 100k cache reads, 10k output */
	u = (struct usage){ .calls = 1, .input = 300000, .cache_read = 100000, .output = 10000 };
	ck_assert_double_eq_tol(price_cost(find("gemini-2.5-pro"), &u),
				(200000 * 2.5 + 100000 * 0.25 + 10000 * 15.0) / 1e6, 1e-12);
	/* a model with no tier at all keeps its base rates above 200k */
	u = (struct usage){ .calls = 1, .input = 300000, .output = 10000 };
	ck_assert_double_eq_tol(price_cost(find("gpt-4.1"), &u),
				(300000 * 2.0 + 10000 * 8.0) / 1e6, 1e-12);
	/* a tier with a missing rate is unknown, not the base rate: Sonnet 4 has no 1-hour write
	 * above 200k (300k = 200k plain + 100k writes; 1k output) */
	const struct price *s4 = find("claude-sonnet-4");
	u = (struct usage){ .calls = 1, .input = 300000, .cache_write = 100000, .output = 1000 };
	ck_assert_double_eq_tol(price_cost(s4, &u),
				(200000 * 6.0 + 100000 * 7.5 + 1000 * 22.5) / 1e6, 1e-12);
	ck_assert(isnan(price_call_cost(s4, &u, PRICE_CACHE_1H)));
	u.input = 150000;
	ck_assert_double_eq_tol(price_call_cost(s4, &u, PRICE_CACHE_1H),
				(50000 * 3.0 + 100000 * 6.0 + 1000 * 15.0) / 1e6, 1e-12);
}
END_TEST

START_TEST(test_rule_batch)
{
	/* 1M input, 100k output through gpt-4o's batch API: 1M x 1.25 + 100k x 5 */
	struct usage u = { .calls = 1, .input = 1000000, .output = 100000 };

	ck_assert_double_eq_tol(price_call_cost(find("gpt-4o"), &u, PRICE_BATCH), 1.75, 1e-12);
	ck_assert_double_eq_tol(price_call_cost(find("gpt-4o"), &u, 0), 3.5, 1e-12);
	/* no tier: gpt-4.1's batch rates hold above 200k too */
	ck_assert_double_eq_tol(price_call_cost(find("gpt-4.1"), &u, PRICE_BATCH), 1.4, 1e-12);
	/* no batch rate in the sheet: unknown, not a guessed discount */
	ck_assert(isnan(price_call_cost(find("claude-sonnet-4-5"), &u, PRICE_BATCH)));
	ck_assert(isnan(price_call_cost(find("o3-mini"), &u, PRICE_BATCH)));
	/* LiteLLM's batch rule: every input token, cache reads included, at the batch rate */
	u.cache_read = 1000;
	ck_assert_double_eq_tol(price_call_cost(find("gpt-4o"), &u, PRICE_BATCH), 1.75, 1e-12);
	struct price q = *find("gpt-4o");
	q.cache_write = 3.0;
	q.cache_write_1h = 5.0;
	u.cache_read = 0;
	u.cache_write = 1000;
	ck_assert_double_eq_tol(price_call_cost(&q, &u, 0), 2.5 * 0.999 + 0.003 + 1.0, 1e-12);
	/* batch cache writes too bill at the batch input rate, whatever their lifetime */
	ck_assert_double_eq_tol(price_call_cost(&q, &u, PRICE_BATCH), 1.75, 1e-12);
	ck_assert_double_eq_tol(price_call_cost(&q, &u, PRICE_BATCH | PRICE_CACHE_1H), 1.75,
				1e-12);
	/* output alone needs only the output rate */
	u = (struct usage){ .calls = 1, .output = 1000 };
	ck_assert_double_eq_tol(price_call_cost(find("gpt-4o"), &u, PRICE_BATCH), 0.005, 1e-15);
	u.output = 0;
	ck_assert_double_eq(price_call_cost(find("claude-sonnet-4-5"), &u, PRICE_BATCH), 0);
}
END_TEST

START_TEST(test_rule_bad_usage_nan)
{
	const struct price *p = find("gpt-4o");
	struct usage u = { .calls = 1, .input = 100, .cache_read = 80, .cache_write = 30 };

	/* cache parts larger than the input they are part of: a convention mix-up */
	ck_assert(isnan(price_cost(find("claude-sonnet-4-5"), &u)));
	u = (struct usage){ .calls = 1, .input = 100, .output = -1 };
	ck_assert(isnan(price_cost(p, &u)));
	u = (struct usage){ .calls = 1, .input = -100 };
	ck_assert(isnan(price_cost(p, &u)));
}
END_TEST

/* ---- lookup precedence and ambiguity in hypercap's format ---- */

START_TEST(test_lookup_ambiguous_own_sheet)
{
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	const struct price *p;
	const char *text =
		"{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": \"s\", \"models\": [ "
		"{ \"name\": \"c\", \"input\": 5, \"output\": 5 }, "
		"{ \"name\": \"a\", \"aliases\": [\"shared\", \"same\", \"c\"], \"input\": 1, "
		"\"output\": 2 }, "
		"{ \"name\": \"b\", \"aliases\": [\"shared\"], \"input\": 1, \"output\": 3 }, "
		"{ \"name\": \"b2\", \"aliases\": [\"same\"], \"input\": 1, \"output\": 2 } ] }";

	ck_assert_int_eq(price_sheet_parse(&s, text, strlen(text), "amb.json", &err), 0);
	ck_assert_int_eq(price_sheet_lookup(&s, "shared", &p, &err), HC_EINPUT);
	ck_assert_ptr_null(p);
	assert_mentions(err.msg, "ambiguous model 'shared'", "amb.json", "2 models", "'a'",
			"'b'", NULL);
	ck_assert_ptr_null(price_sheet_find(&s, "shared"));
	/* equal prices are not ambiguous: the first in sheet order */
	ck_assert_int_eq(price_sheet_lookup(&s, "SAME", &p, &err), 0);
	ck_assert_str_eq(p->name, "a");
	/* a name beats another model's alias (here a later model's) */
	ck_assert_str_eq(price_sheet_find(&s, "c")->name, "c");
	ck_assert_double_eq(price_sheet_find(&s, "c")->input, 5);
	ck_assert_int_eq(price_sheet_lookup(&s, "b22", &p, &err), HC_EINPUT);
	assert_mentions(err.msg, "unknown model 'b22'", "amb.json", "close matches: 'b2'", NULL);
	price_sheet_release(&s);
}
END_TEST

START_TEST(test_bad_extra_fields)
{
#define SHEET(models) "{ \"hypercap_prices\": 1, \"date\": \"d\", \"source\": \"s\", " \
		      "\"models\": [ " models " ] }"
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1, \"output\": 2, "
			       "\"max_input_tokens\": 1.5 }"),
			 "models[0].max_input_tokens", "got 1.5", "a whole number", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1, \"output\": 2, "
			       "\"batch_output\": -2 }"),
			 "models[0].batch_output", "got -2", "USD per 1M tokens", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1, \"output\": 2, "
			       "\"cache_write_1h_above_200k\": \"x\" }"),
			 "models[0].cache_write_1h_above_200k", NULL);
#undef SHEET
	expect_bad_sheet("[1, 2]", "not a price sheet", "\"hypercap_prices\" is missing", NULL);
	expect_bad_sheet("{ \"gpt\": { \"mode\": \"chat\" } }", "not a price sheet",
			 "input_cost_per_token", NULL);
}
END_TEST

/* ---- LiteLLM's catalog ---- */

/* A hand-made catalog: every rule of the LiteLLM reader on a few entries. */
static const char *const MINI_LITELLM =
	"{ \"sample_spec\": { \"input_cost_per_token\": 0.0, \"output_cost_per_token\": 0.0, "
	"\"mode\": \"one of: chat, embedding\", \"max_input_tokens\": \"max input tokens\" },"
	" \"m\": { \"litellm_provider\": \"p\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 3e-06, \"output_cost_per_token\": 1.5e-05, "
	"\"cache_read_input_token_cost\": 3e-07, \"input_cost_per_token_batches\": 1.5e-06, "
	"\"max_input_tokens\": 200000 },"
	" \"m-20250101\": { \"litellm_provider\": \"p\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 3e-06, \"output_cost_per_token\": 1.5e-05, "
	"\"cache_read_input_token_cost\": 3e-07, \"input_cost_per_token_batches\": 1.5e-06, "
	"\"max_input_tokens\": 200000 },"
	" \"q-2024-06-01\": { \"litellm_provider\": \"p\", \"mode\": \"completion\", "
	"\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06 },"
	" \"n-20240101\": { \"litellm_provider\": \"p\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06 },"
	" \"n-20250101\": { \"litellm_provider\": \"p\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 2e-06, \"output_cost_per_token\": 4e-06 },"
	" \"azure/m\": { \"litellm_provider\": \"azure\", \"mode\": \"responses\", "
	"\"input_cost_per_token\": 5e-06, \"output_cost_per_token\": 5e-06 },"
	" \"azure/r\": { \"litellm_provider\": \"azure\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 5e-06, \"output_cost_per_token\": 5e-06 },"
	" \"emb\": { \"litellm_provider\": \"p\", \"mode\": \"embedding\", "
	"\"input_cost_per_token\": 1e-07, \"output_cost_per_token\": 0 },"
	" \"video\": { \"litellm_provider\": \"p\", \"mode\": \"chat\", "
	"\"input_cost_per_token\": 1e-07, \"output_cost_per_second\": 0.1 },"
	" \"last_updated\": \"2025-03-04T05:06:07+00:00\" }";

static void parse_mini(struct price_sheet *s, const char *origin)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = price_sheet_parse(s, MINI_LITELLM, strlen(MINI_LITELLM), origin, &err);

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err.msg);
}

START_TEST(test_litellm_mini)
{
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	const struct price *p;

	parse_mini(&s, "dir/litellm-2025-01-02.json");
	ck_assert_int_eq(s.format, PRICE_FORMAT_LITELLM);
	ck_assert_str_eq(s.date, "2025-01-02");
	ck_assert_str_eq(s.date_basis, "the file name");
	ck_assert_str_eq(s.source, "LiteLLM model_prices_and_context_window.json "
				   "(dir/litellm-2025-01-02.json)");
	/* kept: m (with m-20250101 folded in), q-2024-06-01, n-20240101, n-20250101, azure/m,
	 * azure/r, emb (embedding: its input rate); skipped: sample_spec, video (no output per
	 * token) */
	ck_assert_uint_eq(s.n_models, 7);
	ck_assert_uint_eq(s.n_skipped, 2);
	p = price_sheet_find(&s, "m");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->provider, "p");
	ck_assert_str_eq(p->litellm_key, "m");
	/* USD per token x 10^6, without float noise */
	ck_assert_double_eq(p->input, 3.0);
	ck_assert_double_eq(p->output, 15.0);
	ck_assert_double_eq(p->cache_read, 0.3);
	ck_assert_double_eq(p->batch_input, 1.5);
	ck_assert(isnan(p->batch_output) && isnan(p->cache_write));
	ck_assert_double_eq(p->max_input_tokens, 200000);
	/* the dated key, its provider-qualified forms and the key are one model */
	ck_assert_ptr_eq(price_sheet_find(&s, "m-20250101"), p);
	ck_assert_ptr_eq(price_sheet_find(&s, "p/m-20250101"), p);
	ck_assert_ptr_eq(price_sheet_find(&s, "P/M"), p);
	/* "azure/m" is its own key; its unprefixed form "m" loses to the key "m" */
	ck_assert_double_eq(price_sheet_find(&s, "azure/m")->input, 5.0);
	/* unprefixed and undated forms when nothing better matches */
	ck_assert_str_eq(price_sheet_find(&s, "r")->name, "azure/r");
	ck_assert_str_eq(price_sheet_find(&s, "q")->name, "q-2024-06-01");
	/* two dated entries with different prices and no undated key: ambiguous */
	ck_assert_int_eq(price_sheet_lookup(&s, "n", &p, &err), HC_EINPUT);
	assert_mentions(err.msg, "ambiguous model 'n'", "'n-20240101'", "'n-20250101'", NULL);
	ck_assert_double_eq(price_sheet_find(&s, "emb")->input, 0.1);
	ck_assert_ptr_null(price_sheet_find(&s, "sample_spec"));
	price_sheet_release(&s);

	/* the date: the file's last_updated when the name has none */
	parse_mini(&s, "catalog.json");
	ck_assert_str_eq(s.date, "2025-03-04");
	ck_assert_str_eq(s.date_basis, "its last_updated field");
	price_sheet_release(&s);
}
END_TEST

START_TEST(test_litellm_bad)
{
	struct price_sheet s;
	struct hc_err err = HC_ERR_INIT;
	const char *undated = "{ \"a\": { \"mode\": \"chat\", \"input_cost_per_token\": 1e-06, "
			      "\"output_cost_per_token\": 2e-06 } }";

	ck_assert_int_eq(price_sheet_parse(&s, undated, strlen(undated), "prices.json", &err), 0);
	ck_assert_str_eq(s.date, "unknown");
	ck_assert_msg(strstr(s.date_basis, "neither"), "%s", s.date_basis);
	ck_assert_str_eq(s.models[0].provider, "");
	price_sheet_release(&s);
	expect_bad_sheet("{ \"a\": { \"mode\": \"chat\", \"input_cost_per_token\": -1e-06, "
			 "\"output_cost_per_token\": 2e-06 } }",
			 "\"a\".input_cost_per_token", "got -1e-06", "USD per token", NULL);
	expect_bad_sheet("{ \"a\": { \"mode\": \"chat\", \"input_cost_per_token\": 1e-06, "
			 "\"output_cost_per_token\": 2e-06, \"max_input_tokens\": \"many\" } }",
			 "\"a\".max_input_tokens", "got \"many\"", NULL);
	expect_bad_sheet("{ \"a\": { \"mode\": \"embedding\", \"input_cost_per_second\": 1 }, "
			 "\"b\": { \"mode\": \"image\", "
			 "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 0 } }",
			 "no LiteLLM entry of mode chat", NULL);
}
END_TEST

/* The real catalog: every model of the embedded sheet (generated from it) has the same rates. */
START_TEST(test_litellm_real_catalog)
{
	struct price_sheet c;
	struct hc_err err = HC_ERR_INIT;
	const struct price *p;

	ck_assert_msg(price_sheet_load(&c, LITELLM_PATH, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(c.format, PRICE_FORMAT_LITELLM);
	ck_assert_str_eq(c.date, "2026-07-24");
	/* 2984 entries: 2400 kept (chat, completion, responses with per-token input and output
	 * rates or a tiered_pricing table; 121 embedding with a per-token input rate), 79 of them
	 * dated keys folded into their undated keys (the 28 others differ in some price field);
	 * 584 skipped */
	ck_assert_uint_eq(c.n_models, 2321);
	ck_assert_uint_eq(c.n_skipped, 584);
	for (size_t i = 0; i < ps.n_models; i++) {
		const struct price *e = &ps.models[i];
		int rc = price_sheet_lookup(&c, e->litellm_key, &p, &err);
		ck_assert_msg(rc == 0, "%s: %s", e->name, err.msg);
		ck_assert_msg(price_equal_rates(p, e), "%s: LiteLLM's rates differ", e->name);
		ck_assert_str_eq(p->provider, e->provider);
	}
	/* the example: three names, one model */
	p = price_sheet_find(&c, "claude-sonnet-4-5");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(price_sheet_find(&c, "claude-sonnet-4-5-20250929"), p);
	ck_assert_ptr_eq(price_sheet_find(&c, "anthropic/claude-sonnet-4-5-20250929"), p);
	ck_assert_ptr_eq(price_sheet_find(&c, "openai/o3-mini-2025-01-31"),
			 price_sheet_find(&c, "o3-mini"));
	/* Together and DeepInfra both serve this one, at 0.88 and 0.10 per 1M input */
	ck_assert_int_eq(price_sheet_lookup(&c, "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
					    &p, &err), HC_EINPUT);
	assert_mentions(err.msg, "ambiguous", "together_ai/meta-llama/Meta-Llama-3.1-70B",
			"deepinfra/meta-llama/Meta-Llama-3.1-70B", NULL);
	ck_assert_int_eq(price_sheet_lookup(&c, "claude-sonet-4-5", &p, &err), HC_EINPUT);
	assert_mentions(err.msg, "unknown model 'claude-sonet-4-5'", "'claude-sonnet-4-5'", NULL);
	/* embeddings: kept with an input rate, skipped without one */
	ck_assert_ptr_null(price_sheet_find(&c, "github_copilot/text-embedding-3-small"));
	ck_assert_double_eq(price_sheet_find(&c, "text-embedding-3-small")->input, 0.02);
	price_sheet_release(&c);
}
END_TEST

/* ---- extracting a hypercap sheet from a catalog ---- */

static void reparse(struct price_sheet *out, const struct price_sheet *in)
{
	struct hc_err err = HC_ERR_INIT;
	char *text = price_sheet_to_json(in);

	ck_assert_ptr_nonnull(text);
	int rc = price_sheet_parse(out, text, strlen(text), "re.json", &err);
	ck_assert_msg(rc == 0, "rc %d: %s\n%s", rc, err.msg, text);
	free(text);
}

START_TEST(test_extract_like_embedded)
{
	struct price_sheet c, x, r;
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(price_sheet_load(&c, LITELLM_PATH, &err), 0);
	ck_assert_msg(price_sheet_extract(&x, &c, &ps, NULL, 0, &err) == 0, "%s", err.msg);
	reparse(&r, &x);
	ck_assert_str_eq(r.date, "2026-07-24");
	ck_assert_str_eq(r.source, c.source);
	ck_assert_uint_eq(r.n_models, ps.n_models);
	for (size_t i = 0; i < ps.n_models; i++) {
		const struct price *a = &r.models[i], *b = &ps.models[i];
		ck_assert_str_eq(a->name, b->name);
		ck_assert_str_eq(a->provider, b->provider);
		ck_assert_str_eq(a->litellm_key, b->litellm_key);
		ck_assert_uint_eq(a->n_aliases, b->n_aliases);
		for (size_t j = 0; j < a->n_aliases; j++)
			ck_assert_str_eq(a->aliases[j].name, b->aliases[j].name);
		ck_assert_msg(price_equal_rates(a, b), "%s: rates differ", a->name);
	}
	price_sheet_release(&r);
	price_sheet_release(&x);

	/* chosen models, under their catalog names; the same model twice is written once */
	const char *names[] = { "claude-sonnet-4-5-20250929", "gpt-4o", "claude-sonnet-4-5" };
	ck_assert_msg(price_sheet_extract(&x, &c, &ps, names, 3, &err) == 0, "%s", err.msg);
	reparse(&r, &x);
	ck_assert_uint_eq(r.n_models, 2);
	ck_assert_str_eq(r.models[0].name, "claude-sonnet-4-5");
	ck_assert_ptr_eq(price_sheet_find(&r, "anthropic/claude-sonnet-4-5-20250929"),
			 &r.models[0]);
	ck_assert(price_equal_rates(&r.models[0], find("claude-sonnet-4-5")));
	ck_assert(price_equal_rates(&r.models[1], find("gpt-4o")));
	price_sheet_release(&r);
	price_sheet_release(&x);

	const char *bad[] = { "gpt-4o", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo" };
	ck_assert_int_eq(price_sheet_extract(&x, &c, &ps, bad, 2, &err), HC_EINPUT);
	ck_assert_ptr_null(x.models);
	assert_mentions(err.msg, "ambiguous", NULL);
	price_sheet_release(&c);
}
END_TEST

START_TEST(test_save_atomic)
{
	struct price_sheet r;
	struct hc_err err = HC_ERR_INIT;
	char dir[] = "/tmp/hypercap-prices-XXXXXX", path[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sheet.json", dir);
	ck_assert_int_eq(price_sheet_save(&ps, path, &err), 0);
	ck_assert_int_eq(price_sheet_load(&r, path, &err), 0);
	ck_assert_uint_eq(r.n_models, ps.n_models);
	for (size_t i = 0; i < r.n_models; i++)
		ck_assert(price_equal_rates(&r.models[i], &ps.models[i]));
	price_sheet_release(&r);
	/* a directory that does not exist: an error, and nothing written */
	snprintf(path, sizeof(path), "%s/none/sheet.json", dir);
	ck_assert_int_eq(price_sheet_save(&ps, path, &err), HC_ERUNTIME);
	assert_mentions(err.msg, "none/sheet.json", NULL);
	snprintf(path, sizeof(path), "rm -r '%s'", dir);
	ck_assert_int_eq(system(path), 0);
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

static Suite *prices_suite(void)
{
	Suite *s = suite_create("prices");

	add(s, "embedded_sheet", test_embedded_sheet, 10);
	add(s, "file_equals_embedded", test_file_equals_embedded, 10);
	add(s, "find_name_alias_case", test_find_name_alias_case, 10);
	add(s, "unknown_and_suggest", test_unknown_and_suggest, 10);
	add(s, "cost_sonnet", test_cost_sonnet, 10);
	add(s, "cost_o3_mini", test_cost_o3_mini, 10);
	add(s, "cost_missing_rate_nan", test_cost_missing_rate_nan, 10);
	add(s, "bad_sheets", test_bad_sheets, 10);
	add(s, "currency_keys_twice_nul", test_currency_keys_twice_nul, 10);
	add(s, "minimal_sheet", test_minimal_sheet, 10);
	add(s, "input_only_model_prices_embeddings", test_input_only_model_prices_embeddings, 60);
	add(s, "embedded_extra_rates", test_embedded_extra_rates, 10);
	add(s, "rule_cache_write_5m_1h", test_rule_cache_write_5m_1h, 10);
	add(s, "rule_long_context", test_rule_long_context, 10);
	add(s, "rule_batch", test_rule_batch, 10);
	add(s, "rule_bad_usage_nan", test_rule_bad_usage_nan, 10);
	add(s, "lookup_ambiguous_own_sheet", test_lookup_ambiguous_own_sheet, 10);
	add(s, "bad_extra_fields", test_bad_extra_fields, 10);
	add(s, "litellm_mini", test_litellm_mini, 10);
	add(s, "litellm_bad", test_litellm_bad, 10);
	add(s, "litellm_real_catalog", test_litellm_real_catalog, 60);
	add(s, "extract_like_embedded", test_extract_like_embedded, 60);
	add(s, "save_atomic", test_save_atomic, 10);
	return s;
}

int main(void)
{
	return check_run(prices_suite());
}
