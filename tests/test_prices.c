/*
 * test_prices: price sheets (model/prices.c): loading, lookup by name and alias, suggestions,
 * validation, and price_cost against hand arithmetic on the 2026-07-24 sheet's rates.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/prices.h"
#include "model/usage.h"
#include "sim/hc_err.h"
#include "tests/check_main.h"

#define SHEET_PATH SOURCE_DIR "/data/prices/api-2026-07-24.json"

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
	/* 1M input of which 200k cache reads and 100k cache writes; 50k output, 10k reasoning */
	struct usage u = { .calls = 3, .input = 1000000, .cache_read = 200000,
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
			 "input and output rates are required", NULL);
	expect_bad_sheet(SHEET("{ \"name\": \"a\", \"input\": 1 }"), "models[0]",
			 "input and output rates are required", NULL);
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
	add(s, "minimal_sheet", test_minimal_sheet, 10);
	return s;
}

int main(void)
{
	return check_run(prices_suite());
}
