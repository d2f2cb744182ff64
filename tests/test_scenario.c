/*
 * test_scenario: loading, validating and dumping scenarios (model/scenario.c), the JSON reader
 * it goes through (base/jsonfile.c) and --set assignments. Every bad input must give
 * HC_EINPUT with a message naming the origin, the JSON path, the value and what is allowed.
 */
#include <check.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/hc_err.h"
#include "base/jsonfile.h"
#include "base/utf8.h"
#include "model/loop.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "tests/check_main.h"

#define ORIGIN "inline.json"

/* ---- helpers ---- */

/* Test JSON is written with ' for " to stay readable; this swaps them back (caller frees). */
static char *dq(const char *text)
{
	char *s = strdup(text);

	ck_assert_ptr_nonnull(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static cJSON *tree(const char *text)
{
	char *s = dq(text);
	cJSON *root = cJSON_Parse(s);

	ck_assert_msg(root != NULL, "test JSON does not parse: %s", s);
	free(s);
	return root;
}

/* A valid scenario with two domains and one endpoint; tests mutate it. */
static const char *const BASE =
	"{ 'name': 'unit', 'iterations': 3,"
	"  'self_modification': { 'model': 'claude-sonnet-4-5', 'calls': 5,"
	"                         'prompt_tokens': 1000, 'output_tokens': 100 },"
	"  'domains': ["
	"    { 'name': 'paper_review', 'model': 'gpt-4o', 'screen_tasks': 10, 'full_tasks': 100,"
	"      'task': { 'calls': 1, 'prompt_tokens': 500, 'output_tokens': 50 } },"
	"    { 'name': 'robotics', 'model': 'claude-sonnet-4-5', 'screen_tasks': 3,"
	"      'full_tasks': 6, 'eval_workers': 4,"
	"      'task': { 'calls': 2, 'prompt_tokens': 700, 'output_tokens': 300 } } ],"
	"  'models': [ { 'name': 'gpt-4o', 'ttft_seconds': 0.5 } ] }";

/*
 * Sets (or, with value NULL, deletes) the member at a dotted path of root; numeric parts
 * index arrays. Written independently of scenario_apply_set so that the validation tests
 * do not depend on it.
 */
static void mutate(cJSON *root, const char *path, const char *value)
{
	char buf[256], *save = NULL;
	cJSON *node = root;

	snprintf(buf, sizeof(buf), "%s", path);
	char *part = strtok_r(buf, ".", &save);
	for (;;) {
		char *next = strtok_r(NULL, ".", &save);
		if (cJSON_IsArray(node)) {
			cJSON *el = cJSON_GetArrayItem(node, atoi(part));
			ck_assert_msg(el != NULL, "no element %s in %s", part, path);
			if (!next) {
				ck_assert_ptr_null(value);
				cJSON_DeleteItemFromArray(node, atoi(part));
				return;
			}
			node = el;
		} else if (!next) {
			cJSON_DeleteItemFromObjectCaseSensitive(node, part);
			if (value)
				cJSON_AddItemToObject(node, part, tree(value));
			return;
		} else {
			cJSON *child = cJSON_GetObjectItemCaseSensitive(node, part);
			ck_assert_msg(child != NULL, "no member %s in %s", part, path);
			node = child;
		}
		part = next;
	}
}

static int parse_tree(struct scenario *sc, const cJSON *root, struct hc_err *err)
{
	return scenario_from_json(sc, root, ORIGIN, err);
}

/* Asserts that the message holds every needle (a NULL-terminated list). */
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

/* BASE with path set to value (deleted when NULL) must fail with HC_EINPUT; returns msg. */
static void expect_bad(struct hc_err *err, const char *path, const char *value)
{
	cJSON *root = tree(BASE);
	struct scenario sc;

	mutate(root, path, value);
	*err = (struct hc_err)HC_ERR_INIT;
	int rc = parse_tree(&sc, root, err);
	cJSON_Delete(root);
	ck_assert_msg(rc == HC_EINPUT, "%s=%s: got rc %d, want HC_EINPUT (%d); message \"%s\"",
		      path, value ? value : "(deleted)", rc, HC_EINPUT, err->msg);
	ck_assert_int_eq(err->code, HC_EINPUT);
	/* every message starts with the origin */
	ck_assert_msg(!strncmp(err->msg, ORIGIN ": ", strlen(ORIGIN) + 2),
		      "message \"%s\" does not start with the origin", err->msg);
	/* scenario_from_json releases on failure; releasing again must be harmless */
	scenario_release(&sc);
}

/* Raw text through jsonfile_parse and scenario_from_json; returns the code. */
static int parse_text(struct scenario *sc, const char *text, struct hc_err *err)
{
	char *s = dq(text);
	cJSON *root = jsonfile_parse(s, strlen(s), ORIGIN, err);

	free(s);
	if (!root)
		return err->code;
	int rc = parse_tree(sc, root, err);
	cJSON_Delete(root);
	return rc;
}

static void parse_ok(struct scenario *sc, cJSON *root)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = parse_tree(sc, root, &err);

	ck_assert_msg(rc == 0, "scenario does not parse: rc %d: %s", rc, err.msg);
}

/* ---- bad values ---- */

START_TEST(test_wrong_type)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.eval_workers", "'four'");
	assert_mentions(err.msg, "domains[1].eval_workers", "\"four\"",
			"a whole number from 1 to 10000", NULL);
	expect_bad(&err, "iterations", "true");
	assert_mentions(err.msg, "iterations", "got true", "a whole number from 0 to 100000", NULL);
	expect_bad(&err, "name", "7");
	assert_mentions(err.msg, "name: got 7", "a string of 1 to 95 characters", NULL);
	expect_bad(&err, "archive", "{ 'copy_run_dir': 1 }");
	assert_mentions(err.msg, "archive.copy_run_dir", "got 1", "true or false", NULL);
	expect_bad(&err, "self_modification.calls", "[1, 2]");
	assert_mentions(err.msg, "self_modification.calls", "[1,2]", "a number from 1 to 10000",
			"or a distribution object", NULL);
	expect_bad(&err, "domains.0.task", "5");
	assert_mentions(err.msg, "domains[0].task: got 5", "an object", NULL);
	expect_bad(&err, "domains", "{ 'name': 'x' }");
	assert_mentions(err.msg, "domains: got", "an array of 1 to 16 objects", NULL);
}
END_TEST

START_TEST(test_out_of_range)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.eval_workers", "0");
	assert_mentions(err.msg, "domains[1].eval_workers: got 0", "from 1 to 10000", NULL);
	expect_bad(&err, "domains.1.eval_workers", "10001");
	assert_mentions(err.msg, "domains[1].eval_workers: got 10001", "from 1 to 10000", NULL);
	expect_bad(&err, "selection_lambda", "-1");
	assert_mentions(err.msg, "selection_lambda: got -1", "a number from 0 to 1000", NULL);
	expect_bad(&err, "self_modification.compile_failure_rate", "1.5");
	assert_mentions(err.msg, "self_modification.compile_failure_rate: got 1.5",
			"a number from 0 to 1", NULL);
	expect_bad(&err, "domains.0.task.reasoning_fraction", "-0.1");
	assert_mentions(err.msg, "domains[0].task.reasoning_fraction: got -0.1",
			"from 0 to 1", NULL);
	expect_bad(&err, "self_modification.calls", "0");
	assert_mentions(err.msg, "self_modification.calls: got 0", "from 1 to 10000", NULL);
	/* a distribution's parameters are held to the field's range, its spread to its own */
	expect_bad(&err, "self_modification.prompt_tokens",
		   "{ 'dist': 'lognormal', 'mean': -5, 'cv': 0.2 }");
	assert_mentions(err.msg, "self_modification.prompt_tokens.mean: got -5",
			"from 0 to 2e+06", NULL);
	expect_bad(&err, "self_modification.prompt_tokens",
		   "{ 'dist': 'lognormal', 'mean': 5, 'cv': 11 }");
	assert_mentions(err.msg, "self_modification.prompt_tokens.cv: got 11", "from 0 to 10",
			NULL);
	expect_bad(&err, "self_modification.prompt_tokens",
		   "{ 'dist': 'uniform', 'min': 10, 'max': 5 }");
	assert_mentions(err.msg, "self_modification.prompt_tokens: got",
			"min <= max", NULL);
	expect_bad(&err, "name", "''");
	assert_mentions(err.msg, "name: got \"\"", "1 to 95 characters", NULL);
	expect_bad(&err, "costs", "{ 'retention_keep_iterations': -1 }");
	assert_mentions(err.msg, "costs.retention_keep_iterations: got -1", "from 0 to 1e+06",
			NULL);
}
END_TEST

/* The name makes out/<name>: one plain entry inside out/, never a path out of it. */
START_TEST(test_name_is_plain)
{
	static const char *const bad[] = { "'../../victim'", "'a/b'", "'/abs'", "'a\\\\b'",
					   "'.hidden'", "'..'", "'a..b'", "'tab\\there'",
					   "'del\\u007f'" };
	struct hc_err err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_bad(&err, "name", bad[i]);
		assert_mentions(err.msg, ORIGIN ": name: got", "allowed: a plain file name", NULL);
	}
	cJSON *root = tree(BASE);
	struct scenario sc;
	mutate(root, "name", "'Paper run v1.2 (draft)'");
	err = (struct hc_err)HC_ERR_INIT;
	ck_assert_msg(parse_tree(&sc, root, &err) == 0, "%s", err.msg);
	scenario_release(&sc);
	cJSON_Delete(root);
}
END_TEST

START_TEST(test_non_integer)
{
	struct hc_err err;

	expect_bad(&err, "domains.0.full_tasks", "99.5");
	assert_mentions(err.msg, "domains[0].full_tasks: got 99.5",
			"a whole number from 1 to 100000", NULL);
	expect_bad(&err, "self_modification.max_calls", "1e-3");
	assert_mentions(err.msg, "self_modification.max_calls: got 0.001", "a whole number", NULL);
}
END_TEST

START_TEST(test_unknown_field)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.full_task", "6");
	assert_mentions(err.msg, "domains[1].full_task: unknown field", "'full_tasks'", NULL);
	expect_bad(&err, "iteratons", "3");
	assert_mentions(err.msg, ORIGIN ": iteratons: unknown field", "'iterations'", NULL);
	expect_bad(&err, "self_modification.prompt_token", "3");
	assert_mentions(err.msg, "self_modification.prompt_token: unknown field",
			"'prompt_tokens'", NULL);
	expect_bad(&err, "archive", "{ 'root_byte': 5 }");
	assert_mentions(err.msg, "archive.root_byte: unknown field", "'root_bytes'", NULL);
	expect_bad(&err, "models.0.ttft", "1");
	assert_mentions(err.msg, "models[0].ttft: unknown field", "'ttft_seconds'", NULL);
	expect_bad(&err, "zzzzzzzz", "1");
	assert_mentions(err.msg, "zzzzzzzz: unknown field", "allowed:", NULL);
	ck_assert_msg(!strstr(err.msg, "did you mean"), "nothing is close: %s", err.msg);
}
END_TEST

START_TEST(test_unknown_enum)
{
	struct hc_err err;

	expect_bad(&err, "parent_selection", "'papers'");
	assert_mentions(err.msg, "parent_selection: got \"papers\"",
			"one of 'paper', 'dgmh-code', 'dgm-code'", NULL);
	expect_bad(&err, "evaluation", "'partial'");
	assert_mentions(err.msg, "evaluation: got \"partial\"", "one of 'staged', 'full'", NULL);
	expect_bad(&err, "domains.0.task.caching", "'on'");
	assert_mentions(err.msg, "domains[0].task.caching: got \"on\"",
			"one of 'off', 'automatic', 'explicit'", NULL);
	expect_bad(&err, "domains.0.task.caching", "2");
	assert_mentions(err.msg, "domains[0].task.caching: got 2", "one of 'off'", NULL);
	expect_bad(&err, "costs", "{ 'schedule': 'weekly' }");
	assert_mentions(err.msg, "costs.schedule: got \"weekly\"",
			"one of 'cadence', 'back-to-back', 'at-once'", NULL);
}
END_TEST

START_TEST(test_missing_required)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.full_tasks", NULL);
	assert_mentions(err.msg, "domains[1].full_tasks: missing", "required", NULL);
	expect_bad(&err, "name", NULL);
	assert_mentions(err.msg, ORIGIN ": name: missing", NULL);
	expect_bad(&err, "iterations", NULL);
	assert_mentions(err.msg, ORIGIN ": iterations: missing", NULL);
	expect_bad(&err, "self_modification.model", NULL);
	assert_mentions(err.msg, "self_modification.model: missing", NULL);
	expect_bad(&err, "domains.0.task.output_tokens", NULL);
	assert_mentions(err.msg, "domains[0].task.output_tokens: missing", NULL);
	expect_bad(&err, "domains.0.task", NULL);
	assert_mentions(err.msg, "domains[0].task: missing", NULL);
	expect_bad(&err, "self_modification", NULL);
	assert_mentions(err.msg, ORIGIN ": self_modification: missing", NULL);
	expect_bad(&err, "domains", NULL);
	assert_mentions(err.msg, "domains: got nothing", "an array of 1 to 16 objects", NULL);
	expect_bad(&err, "models.0.name", NULL);
	assert_mentions(err.msg, "models[0].name: missing", NULL);
}
END_TEST

START_TEST(test_duplicate_key)
{
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;
	static const char *const dups[][2] = {
		{ "{ 'name': 'a', 'name': 'b', 'iterations': 1 }", ": name: given twice" },
		{ "{ 'name': 'a', 'iterations': 1, 'self_modification': { 'model': 'm',"
		  "  'calls': 1, 'calls': 2, 'prompt_tokens': 1, 'output_tokens': 1 } }",
		  ": self_modification.calls: given twice" },
		{ "{ 'name': 'a', 'iterations': 1, 'self_modification': {}, 'self_modification': {} }",
		  ": self_modification: given twice" },
		/* inside a distribution object too */
		{ "{ 'name': 'a', 'iterations': 1, 'self_modification': { 'model': 'm',"
		  "  'calls': { 'dist': 'lognormal', 'mean': 5, 'mean': 50, 'cv': 0.1 },"
		  "  'prompt_tokens': 1, 'output_tokens': 1 } }",
		  ": self_modification.calls.mean: given twice" },
		{ "{ 'name': 'a', 'iterations': 1, 'self_modification': { 'model': 'm',"
		  "  'calls': { 'dist': 'empirical', 'values': [1], 'values': [2] },"
		  "  'prompt_tokens': 1, 'output_tokens': 1 } }",
		  ": self_modification.calls.values: given twice" },
	};

	for (size_t i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		int rc = parse_text(&sc, dups[i][0], &err);
		ck_assert_msg(rc == HC_EINPUT, "case %zu: rc %d, message \"%s\"", i, rc, err.msg);
		assert_mentions(err.msg, ORIGIN, dups[i][1], "allowed: each key once", NULL);
	}
}
END_TEST

START_TEST(test_duplicate_domain_name)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.name", "'paper_review'");
	assert_mentions(err.msg, "domains[1].name: \"paper_review\" is given twice",
			"unique names", NULL);
	expect_bad(&err, "models", "[ { 'name': 'gpt-4o' }, { 'name': 'gpt-4o' } ]");
	assert_mentions(err.msg, "models[1].name: \"gpt-4o\" is given twice", NULL);
	expect_bad(&err, "domains.1.name", "'robot arm'");
	assert_mentions(err.msg, "domains[1].name: got \"robot arm\"",
			"letters, digits, '_' and '-'", NULL);
}
END_TEST

START_TEST(test_screen_over_full)
{
	struct hc_err err;

	expect_bad(&err, "domains.1.screen_tasks", "7");
	assert_mentions(err.msg, "domains[1].screen_tasks: got 7", "at most full_tasks (6)", NULL);
	expect_bad(&err, "domains.1.gate_min_passed", "4");
	assert_mentions(err.msg, "domains[1].gate_min_passed: got 4",
			"at most screen_tasks (3)", NULL);
}
END_TEST

START_TEST(test_bad_distribution)
{
	struct hc_err err;

	expect_bad(&err, "domains.0.task.output_tokens", "{ 'dist': 'weibull', 'mean': 3 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens.dist: got \"weibull\"",
			"one of 'const', 'uniform', 'normal', 'lognormal', 'gamma', 'exponential', "
			"'empirical'", NULL);
	expect_bad(&err, "domains.0.task.output_tokens", "{ 'mean': 3 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens.dist: got nothing", "one of",
			NULL);
	expect_bad(&err, "domains.0.task.output_tokens", "{ 'dist': 'lognormal', 'mean': 3 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens.cv: missing",
			"lognormal distribution", NULL);
	expect_bad(&err, "domains.0.task.output_tokens", "{ 'dist': 'uniform', 'max': 3 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens.min: missing", NULL);
	expect_bad(&err, "domains.0.task.output_tokens",
		   "{ 'dist': 'normal', 'mean': 3, 'cv': 0.5 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens.cv: unknown key",
			"normal distribution", "'mean', 'sd'", NULL);
	expect_bad(&err, "domains.0.task.output_tokens", "{ 'dist': 'exponential', 'mean': 3, "
		   "'sd': 1 }");
	assert_mentions(err.msg, "output_tokens.sd: unknown key", "allowed: 'mean'", NULL);
	expect_bad(&err, "domains.0.task.output_tokens", "{ 'dist': 'lognormal', 'mean': 0, "
		   "'cv': 1 }");
	assert_mentions(err.msg, "domains[0].task.output_tokens: got", "positive mean", NULL);
}
END_TEST

START_TEST(test_empirical_out_of_range)
{
	struct hc_err err;

	expect_bad(&err, "self_modification.calls",
		   "{ 'dist': 'empirical', 'values': [3, 5, 0, 7] }");
	assert_mentions(err.msg, "self_modification.calls.values[2]: got 0",
			"a number from 1 to 10000", NULL);
	expect_bad(&err, "self_modification.calls", "{ 'dist': 'empirical', 'values': [] }");
	assert_mentions(err.msg, "self_modification.calls.values: got []",
			"an array of 1 to 100000 numbers", NULL);
	expect_bad(&err, "self_modification.calls",
		   "{ 'dist': 'empirical', 'values': [3, 'x'] }");
	assert_mentions(err.msg, "self_modification.calls.values[1]: got \"x\"", NULL);
}
END_TEST

START_TEST(test_malformed_json)
{
	struct hc_err err = HC_ERR_INIT;
	static const char *const bad[][2] = {
		{ "{\n  \"a\": 1,\n  \"b\": }", ORIGIN ":3:8: malformed JSON near '}'" },
		{ "{\"a\": 1", ORIGIN ":1:8: malformed JSON: the text ends too early" },
		{ "{}\n\n   x", ORIGIN ":3:4: malformed JSON near 'x'" },
		{ "{'a': tru}", ORIGIN ":1:7: malformed JSON near 'tru}'" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *t = bad[i][0];
		char *s = dq(t);
		cJSON *root = jsonfile_parse(s, strlen(s), ORIGIN, &err);
		free(s);
		ck_assert_ptr_null(root);
		ck_assert_int_eq(err.code, HC_EINPUT);
		ck_assert_str_eq(err.msg, bad[i][1]);
	}
}
END_TEST

START_TEST(test_not_utf8)
{
	struct hc_err err = HC_ERR_INIT;
	static const struct {
		const char *text;
		const char *msg;
	} bad[] = {
		{ "{\"name\": \"caf\xe9\"}", ORIGIN ":1:14: not UTF-8 text" },      /* Latin-1 */
		{ "{\n\"a\": \"\x80\"}", ORIGIN ":2:7: not UTF-8 text" },            /* stray */
		{ "{\"a\": \"\xe2\x82\"}", ORIGIN ":1:8: not UTF-8 text" },          /* cut */
		{ "{\"a\": \"\xff\"}", ORIGIN ":1:8: not UTF-8 text" },
		{ "{\"a\": \"\xc0\xaf\"}", ORIGIN ":1:8: not UTF-8 text" },          /* overlong */
		{ "{\"a\": \"\xe0\x80\xaf\"}", ORIGIN ":1:8: not UTF-8 text" },      /* overlong */
		{ "{\"a\": \"\xed\xa0\x80\"}", ORIGIN ":1:8: not UTF-8 text" },      /* surrogate */
		{ "{\"a\": \"\xf4\x90\x80\x80\"}", ORIGIN ":1:8: not UTF-8 text" },  /* > U+10FFFF */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *root = jsonfile_parse(bad[i].text, strlen(bad[i].text), ORIGIN, &err);
		ck_assert_msg(root == NULL, "case %zu parsed", i);
		cJSON_Delete(root);
		ck_assert_int_eq(err.code, HC_EINPUT);
		ck_assert_str_eq(err.msg, bad[i].msg);
	}
	/* well-formed multi-byte text passes: é, €, 𝄞 */
	const char *good = "{\"a\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"}";
	cJSON *root = jsonfile_parse(good, strlen(good), ORIGIN, &err);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "a")->valuestring,
			 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e");
	cJSON_Delete(root);
}
END_TEST

/*
 * Regression (found writing the fuzz target fuzz_scenario): cJSON stops at a NUL byte, so
 * text after one was never read and a document with trailing garbage past a NUL parsed.
 * Also an empty or blank text is an empty file, not malformed JSON at 1:1.
 */
/* The UTF-8 check finds a bad byte wherever it falls, inside or after runs of eight ASCII
 * bytes, and takes every valid sequence. */
START_TEST(test_utf8_check)
{
	static const struct {
		const char *text;
		long bad; /* offset of the first bad byte, or -1 */
	} cases[] = {
		{ "plain ascii, longer than eight bytes", -1 },
		{ "12345678\xff", 8 },
		{ "1234567\xff" "8", 7 },
		{ "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 0123456789", -1 },
		{ "0123456789abcdef\xc3", 16 },          /* cut two-byte sequence */
		{ "0123456789abcdef\xed\xa0\x80", 16 }, /* a surrogate */
		{ "0123456789abcdef\xc0\xaf", 16 },     /* overlong */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		const char *bad = utf8_invalid(t, strlen(t));
		long at = bad ? (long)(bad - t) : -1;
		ck_assert_msg(at == cases[i].bad, "case %zu: %ld, wanted %ld", i, at, cases[i].bad);
	}
}
END_TEST

START_TEST(test_nul_and_empty)
{
	static const char nul[] = "{\"a\": 1}\0garbage";
	struct hc_err err = HC_ERR_INIT;
	cJSON *root = jsonfile_parse(nul, sizeof(nul) - 1, ORIGIN, &err);
	ck_assert_ptr_null(root);
	ck_assert_int_eq(err.code, HC_EINPUT);
	ck_assert_str_eq(err.msg, ORIGIN ":1:9: a NUL byte; allowed: UTF-8 text");
	static const char *const empty[] = { "", " \n\t\r\n" };
	for (size_t i = 0; i < 2; i++) {
		root = jsonfile_parse(empty[i], strlen(empty[i]), ORIGIN, &err);
		ck_assert_ptr_null(root);
		ck_assert_str_eq(err.msg, ORIGIN ": empty file; allowed: a JSON document");
	}
}
END_TEST

/* Any JSON document read whole (scenarios, sheets): \u0000 and keys given twice. */
START_TEST(test_nul_escape_and_keys_twice)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "{\"model\": \"gpt-4o\\u0000evil\"}", ORIGIN ":1:18: \\u0000 (a NUL character) "
		  "in a string; allowed: strings without NUL" },
		{ "{\n\"a\": \"\\\\\\u0000\"}", ORIGIN ":2:9: \\u0000" },
		{ "{\"a\": [1, {\"k\": 1, \"j\": 2, \"k\": 3}]}", ORIGIN ": a[1].k: given twice; "
		  "allowed: each key once" },
	};
	struct hc_err err = HC_ERR_INIT;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *root = jsonfile_parse(bad[i].text, strlen(bad[i].text), ORIGIN, &err);
		ck_assert_ptr_null(root);
		ck_assert_msg(strstr(err.msg, bad[i].want), "case %zu: %s", i, err.msg);
	}
	/* the scan at the end of the text: a backslash last, an escape cut short */
	ck_assert_ptr_null(jsonfile_nul_escape("x\\", 2));
	ck_assert_ptr_null(jsonfile_nul_escape("\\u000", 5));
	ck_assert_ptr_nonnull(jsonfile_nul_escape("\\\\\\u0000", 8));
	/* an escaped backslash, then the text u0000 */
	const char *text = "{\"a\": \"\\\\u0000\"}";
	cJSON *root = jsonfile_parse(text, strlen(text), ORIGIN, &err);
	ck_assert_ptr_nonnull(root);
	cJSON_Delete(root);
	/* an object of 40 keys (sorted, not compared pairwise), the last repeating the 30th */
	char many[1024];
	size_t n = (size_t)snprintf(many, sizeof(many), "{\"x\": {");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "\"k%d\": %d, ", i, i);
	snprintf(many + n, sizeof(many) - n, "\"k29\": 0, \"k3\": 0}}");
	ck_assert_ptr_null(jsonfile_parse(many, strlen(many), ORIGIN, &err));
	ck_assert_str_eq(err.msg, ORIGIN ": x.k29: given twice; allowed: each key once");
	/* the same in a --set value that is JSON */
	cJSON *to = cJSON_CreateObject();
	ck_assert_int_eq(scenario_apply_set(to, "self_modification.model=\"gpt-4o\\u0000x\"", &err),
			 HC_EINPUT);
	ck_assert_str_eq(err.msg, "--set self_modification.model: \\u0000 (a NUL character) in "
				  "the value; allowed: strings without NUL");
	ck_assert_int_eq(scenario_apply_set(to, "self_modification={\"calls\": 1, \"calls\": 2}",
					    &err), HC_EINPUT);
	ck_assert_str_eq(err.msg, "--set self_modification: calls: given twice; allowed: each key "
				  "once");
	ck_assert_int_eq(scenario_apply_set(to, "name=a\\u0000b", &err), 0); /* text, not JSON */
	cJSON_Delete(to);
}
END_TEST

START_TEST(test_number_overflow)
{
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;
	int rc = parse_text(&sc, "{ 'name': 'a', 'iterations': 1e999 }", &err);

	ck_assert_int_eq(rc, HC_EINPUT);
	assert_mentions(err.msg, ORIGIN ": iterations: got", "too large", "a whole number from 0 "
			"to 100000", NULL);
	ck_assert_msg(!strstr(err.msg, "got null"), "overflow shown as null: %s", err.msg);

	expect_bad(&err, "archive", "{ 'root_bytes': -1e999 }");
	/* the mutation helper goes through cJSON_Parse, which turns -1e999 into -inf too */
	assert_mentions(err.msg, "archive.root_bytes: got", "too large", "from 0 to 1e+13", NULL);
}
END_TEST

START_TEST(test_missing_file)
{
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(scenario_load(&sc, SOURCE_DIR "/no/such/scenario.json", NULL, 0, &err),
			 HC_EINPUT);
	assert_mentions(err.msg, "cannot open", "no/such/scenario.json", NULL);
}
END_TEST

/* ---- defaults and comments ---- */

START_TEST(test_defaults)
{
	struct scenario sc;
	cJSON *root = tree(
		"{ 'name': 'min', 'iterations': 2,"
		"  'self_modification': { 'model': 'm', 'calls': 3, 'prompt_tokens': 10,"
		"                         'output_tokens': 5 },"
		"  'domains': [ { 'name': 'd', 'model': 'm', 'screen_tasks': 1, 'full_tasks': 2,"
		"                 'task': { 'calls': 1, 'prompt_tokens': 1, 'output_tokens': 1 } } ] }");

	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_str_eq(sc.origin, ORIGIN);
	ck_assert_str_eq(sc.description, "");
	ck_assert_uint_eq(sc.children_per_iteration, 1);
	ck_assert_int_eq(sc.parent_selection, PARENT_DGMH_CODE);
	ck_assert_int_eq(sc.evaluation, EVAL_STAGED);
	ck_assert_double_eq(sc.selection_lambda, 10);

	const struct self_modification *sm = &sc.self_modification;
	ck_assert_double_eq(sm->timeout_hours, 6);
	ck_assert_double_eq(sm->compile_failure_rate, 0);
	ck_assert_int_eq(sm->compile_seconds.kind, DIST_CONST);
	ck_assert_double_eq(sm->compile_seconds.a, 30);
	ck_assert_int_eq(sm->patch_bytes.kind, DIST_CONST);
	ck_assert_double_eq(sm->patch_bytes.a, 20000);

	const struct session_params *sp[2] = { &sm->session, &sc.domains[0].task };
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(sp[i]->max_calls, 40);
		ck_assert_uint_eq(sp[i]->max_output_tokens, 16384);
		ck_assert_double_eq(sp[i]->reasoning_fraction, 0);
		ck_assert_int_eq(sp[i]->tool_result_tokens.kind, DIST_CONST);
		ck_assert_double_eq(sp[i]->tool_result_tokens.a, 0);
		ck_assert_int_eq(sp[i]->tool_seconds.kind, DIST_CONST);
		ck_assert_double_eq(sp[i]->tool_seconds.a, 0);
		ck_assert_int_eq(sp[i]->caching, CACHING_OFF);
		ck_assert_double_eq(sp[i]->cache_hit_rate, 1);
	}
	ck_assert_double_eq(sm->session.calls.a, 3);
	ck_assert_double_eq(sm->session.prompt_tokens.a, 10);

	const struct domain *d = &sc.domains[0];
	ck_assert_uint_eq(d->eval_workers, 10);
	ck_assert_uint_eq(d->gate_min_passed, 1);
	ck_assert_double_eq(d->initial_score, 0.2);
	ck_assert_int_eq(d->improvement.kind, DIST_NORMAL);
	ck_assert_double_eq(d->improvement.a, 0);
	ck_assert_double_eq(d->improvement.b, 0.05);
	ck_assert_double_eq(d->sandbox_seconds.a, 60);
	ck_assert_double_eq(d->artifact_bytes.a, 100000);

	ck_assert_uint_eq(sc.n_models, 0);
	ck_assert_double_eq(sc.archive.root_bytes, 5e6);
	ck_assert_double_eq(sc.archive.node_metadata_bytes, 4096);
	ck_assert_int_eq(sc.archive.copy_run_dir, 1);
	ck_assert_double_eq(sc.archive.read_bytes_per_second, 2e8);
	ck_assert_double_eq(sc.archive.sandbox_start_seconds, 10);
	ck_assert_double_eq(sc.archive.patch_apply_seconds, 0.5);

	/* an endpoint not listed takes the table defaults */
	struct endpoint e = scenario_endpoint(&sc, "some-model");
	ck_assert_str_eq(e.name, "some-model");
	ck_assert_double_eq(e.ttft_seconds, 1);
	ck_assert_double_eq(e.decode_tokens_per_second, 50);
	ck_assert_double_eq(e.prefill_tokens_per_second, 0);
	ck_assert_double_eq(e.requests_per_minute, 0);
	ck_assert_double_eq(e.tokens_per_minute, 0);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_endpoint_listed)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	parse_ok(&sc, root);
	cJSON_Delete(root);
	struct endpoint e = scenario_endpoint(&sc, "gpt-4o");
	ck_assert_double_eq(e.ttft_seconds, 0.5);           /* given */
	ck_assert_double_eq(e.decode_tokens_per_second, 50); /* defaulted within the entry */
	e = scenario_endpoint(&sc, "claude-sonnet-4-5"); /* not listed: its profile */
	ck_assert_double_eq(e.ttft_seconds, 2.0);
	ck_assert_double_eq(e.decode_tokens_per_second, 60);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_zero_iterations)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	mutate(root, "iterations", "0");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_uint_eq(sc.iterations, 0);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_comment_keys_ignored)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	mutate(root, "_about", "'top'");
	mutate(root, "self_modification._source", "{ 'any': ['thing'] }");
	mutate(root, "domains.0._note", "3");
	mutate(root, "domains.0.task._x", "null");
	mutate(root, "models.0._source", "'assumed'");
	mutate(root, "archive", "{ '_source': 'assumed', 'root_bytes': 7 }");
	mutate(root, "self_modification.output_tokens",
	       "{ 'dist': 'lognormal', '_why': 'fit', 'mean': 100, 'cv': 0.5 }");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_double_eq(sc.archive.root_bytes, 7);
	ck_assert_int_eq(sc.self_modification.session.output_tokens.kind, DIST_LOGNORMAL);
	ck_assert_double_eq(sc.self_modification.session.output_tokens.a, 100);
	ck_assert_double_eq(sc.self_modification.session.output_tokens.b, 0.5);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_distributions_parse)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	mutate(root, "self_modification.calls", "{ 'dist': 'empirical', 'values': [3, 5, 9] }");
	mutate(root, "self_modification.prompt_tokens", "{ 'dist': 'uniform', 'min': 10, "
	       "'max': 20 }");
	mutate(root, "self_modification.output_tokens", "{ 'dist': 'gamma', 'mean': 100, "
	       "'cv': 2 }");
	mutate(root, "self_modification.tool_seconds", "{ 'dist': 'exponential', 'mean': 4 }");
	mutate(root, "self_modification.tool_result_tokens", "{ 'dist': 'const', 'value': 12 }");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	const struct session_params *s = &sc.self_modification.session;
	ck_assert_int_eq(s->calls.kind, DIST_EMPIRICAL);
	ck_assert_uint_eq(s->calls.n, 3);
	ck_assert_double_eq(s->calls.values[2], 9);
	ck_assert_int_eq(s->prompt_tokens.kind, DIST_UNIFORM);
	ck_assert_double_eq(s->prompt_tokens.a, 10);
	ck_assert_double_eq(s->prompt_tokens.b, 20);
	ck_assert_int_eq(s->output_tokens.kind, DIST_GAMMA);
	ck_assert_double_eq(s->output_tokens.b, 2);
	ck_assert_int_eq(s->tool_seconds.kind, DIST_EXPONENTIAL);
	ck_assert_double_eq(s->tool_seconds.a, 4);
	ck_assert_int_eq(s->tool_result_tokens.kind, DIST_CONST);
	ck_assert_double_eq(s->tool_result_tokens.a, 12);
	scenario_release(&sc);
}
END_TEST

/* ---- the effective dump ---- */

static void assert_round_trip(cJSON *root)
{
	struct scenario a, b;

	parse_ok(&a, root);
	cJSON *ja = scenario_to_json(&a);
	parse_ok(&b, ja);
	cJSON *jb = scenario_to_json(&b);
	char *ta = cJSON_Print(ja), *tb = cJSON_Print(jb);
	ck_assert_str_eq(ta, tb);
	/* the dump is not empty: every section is there */
	assert_mentions(ta, "\"iterations\"", "\"selection_lambda\"", "\"cache_hit_rate\"",
			"\"eval_workers\"", "\"archive\"", "\"patch_apply_seconds\"", NULL);
	free(ta);
	free(tb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	scenario_release(&a);
	scenario_release(&b);
}

START_TEST(test_dump_round_trip)
{
	cJSON *root = tree(BASE);

	mutate(root, "self_modification.calls", "{ 'dist': 'empirical', 'values': [3, 5.5, 9] }");
	mutate(root, "self_modification.output_tokens", "{ 'dist': 'lognormal', 'mean': 123.4, "
	       "'cv': 0.7 }");
	mutate(root, "domains.0.sandbox_seconds", "{ 'dist': 'uniform', 'min': 0.1, 'max': 0.3 }");
	mutate(root, "description", "'a run, \"quoted\", caf\xc3\xa9'");
	mutate(root, "selection_lambda", "0.1");
	assert_round_trip(root);
	cJSON_Delete(root);
}
END_TEST

START_TEST(test_dump_round_trip_preset)
{
	struct hc_err err = HC_ERR_INIT;
	cJSON *root = jsonfile_load(SOURCE_DIR "/data/scenarios/hyperagents-paper.json", &err);

	ck_assert_msg(root != NULL, "%s", err.msg);
	assert_round_trip(root);
	cJSON_Delete(root);
}
END_TEST

START_TEST(test_dump_values)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	parse_ok(&sc, root);
	cJSON_Delete(root);
	cJSON *j = scenario_to_json(&sc);
	const cJSON *d1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "domains"), 1);
	ck_assert_double_eq(cJSON_GetObjectItem(d1, "eval_workers")->valuedouble, 4);
	ck_assert_double_eq(cJSON_GetObjectItem(d1, "gate_min_passed")->valuedouble, 1);
	const cJSON *imp = cJSON_GetObjectItem(d1, "improvement");
	ck_assert_str_eq(cJSON_GetObjectItem(imp, "dist")->valuestring, "normal");
	ck_assert_double_eq(cJSON_GetObjectItem(imp, "sd")->valuedouble, 0.05);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "parent_selection")->valuestring, "dgmh-code");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "archive"),
						   "copy_run_dir")));
	cJSON_Delete(j);
	scenario_release(&sc);
}
END_TEST

/* ---- --set ---- */

static void set_ok(cJSON *root, const char *assignment)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = scenario_apply_set(root, assignment, &err);

	ck_assert_msg(rc == 0, "--set %s: rc %d: %s", assignment, rc, err.msg);
}

START_TEST(test_set_by_name_and_index)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	set_ok(root, "domains.paper_review.full_tasks=200");
	set_ok(root, "domains.1.eval_workers=7");
	set_ok(root, "domains.robotics.task.calls=4");
	set_ok(root, "iterations=9");
	set_ok(root, "self_modification.caching=\"explicit\"");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_uint_eq(sc.domains[0].full_tasks, 200);
	ck_assert_uint_eq(sc.domains[1].full_tasks, 6);
	ck_assert_uint_eq(sc.domains[1].eval_workers, 7);
	ck_assert_uint_eq(sc.domains[0].eval_workers, 10);
	ck_assert_double_eq(sc.domains[1].task.calls.a, 4);
	ck_assert_uint_eq(sc.iterations, 9);
	ck_assert_int_eq(sc.self_modification.session.caching, CACHING_EXPLICIT);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_set_dotted_model_name)
{
	/* both orders, so that the longest match wins wherever it sits */
	static const char *const lists[] = {
		"[ { 'name': 'gpt-4', 'ttft_seconds': 1 }, { 'name': 'gpt-4.1', 'ttft_seconds': 2 } ]",
		"[ { 'name': 'gpt-4.1', 'ttft_seconds': 2 }, { 'name': 'gpt-4', 'ttft_seconds': 1 } ]",
	};

	for (int k = 0; k < 2; k++) {
		struct scenario sc;
		cJSON *root = tree(BASE);
		mutate(root, "models", lists[k]);
		set_ok(root, "models.gpt-4.1.ttft_seconds=7.5");
		set_ok(root, "models.gpt-4.decode_tokens_per_second=99");
		parse_ok(&sc, root);
		cJSON_Delete(root);
		struct endpoint e41 = scenario_endpoint(&sc, "gpt-4.1");
		struct endpoint e4 = scenario_endpoint(&sc, "gpt-4");
		ck_assert_double_eq(e41.ttft_seconds, 7.5);
		ck_assert_double_eq(e41.decode_tokens_per_second, 50);
		ck_assert_double_eq(e4.ttft_seconds, 1);
		ck_assert_double_eq(e4.decode_tokens_per_second, 99);
		scenario_release(&sc);
	}
}
END_TEST

START_TEST(test_set_creates_object)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	ck_assert_ptr_null(cJSON_GetObjectItem(root, "archive"));
	set_ok(root, "archive.root_bytes=1");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_double_eq(sc.archive.root_bytes, 1);
	ck_assert_double_eq(sc.archive.node_metadata_bytes, 4096);
	scenario_release(&sc);
}
END_TEST

START_TEST(test_set_values)
{
	struct scenario sc;
	cJSON *root = tree(BASE);

	set_ok(root, "self_modification.output_tokens={\"dist\": \"lognormal\", \"mean\": 400, "
	       "\"cv\": 0.8}");
	set_ok(root, "self_modification.model=gpt-4.1");      /* not JSON: a string */
	set_ok(root, "description=two words, and a comma");
	set_ok(root, "name=");                                /* the empty string */
	const cJSON *sm = cJSON_GetObjectItem(root, "self_modification");
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(sm, "output_tokens")));
	ck_assert_str_eq(cJSON_GetObjectItem(sm, "model")->valuestring, "gpt-4.1");
	ck_assert_str_eq(cJSON_GetObjectItem(root, "description")->valuestring,
			 "two words, and a comma");
	ck_assert_str_eq(cJSON_GetObjectItem(root, "name")->valuestring, "");
	set_ok(root, "name=set");
	parse_ok(&sc, root);
	cJSON_Delete(root);
	ck_assert_int_eq(sc.self_modification.session.output_tokens.kind, DIST_LOGNORMAL);
	ck_assert_double_eq(sc.self_modification.session.output_tokens.a, 400);
	ck_assert_double_eq(sc.self_modification.session.output_tokens.b, 0.8);
	ck_assert_str_eq(sc.self_modification.model, "gpt-4.1");
	ck_assert_str_eq(sc.name, "set");
	scenario_release(&sc);
}
END_TEST

START_TEST(test_set_errors)
{
	struct hc_err err = HC_ERR_INIT;
	cJSON *root = tree(BASE);

	ck_assert_int_eq(scenario_apply_set(root, "iterations", &err), HC_EUSAGE);
	assert_mentions(err.msg, "'iterations'", "PATH=VALUE", NULL);
	ck_assert_int_eq(scenario_apply_set(root, "=5", &err), HC_EUSAGE);
	ck_assert_int_eq(scenario_apply_set(root, "domains.chess.full_tasks=5", &err), HC_EINPUT);
	assert_mentions(err.msg, "domains.chess.full_tasks", "'chess.full_tasks'", NULL);
	ck_assert_int_eq(scenario_apply_set(root, "domains.2.full_tasks=5", &err), HC_EINPUT);
	ck_assert_int_eq(scenario_apply_set(root, "domains.-1.full_tasks=5", &err), HC_EINPUT);
	ck_assert_int_eq(scenario_apply_set(root, "iterations.x=5", &err), HC_EINPUT);
	ck_assert_int_eq(scenario_apply_set(root, "domains..x=5", &err), HC_EINPUT);
	/* a failed --set leaves the tree as it was */
	struct scenario sc;
	parse_ok(&sc, root);
	ck_assert_uint_eq(sc.iterations, 3);
	ck_assert_uint_eq(sc.domains[0].full_tasks, 100);
	scenario_release(&sc);
	cJSON_Delete(root);
}
END_TEST

START_TEST(test_load_with_sets)
{
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;
	const char *sets[] = { "iterations=7", "domains.robotics_reward.full_tasks=12" };

	ck_assert_int_eq(scenario_load(&sc, NULL, sets, 2, &err), 0);
	ck_assert_str_eq(sc.origin, "embedded:hyperagents-paper.json");
	ck_assert_uint_eq(sc.iterations, 7);
	ck_assert_uint_eq(sc.domains[1].full_tasks, 12);
	scenario_release(&sc);

	const char *bad[] = { "iterations=-7" };
	ck_assert_int_eq(scenario_load(&sc, NULL, bad, 1, &err), HC_EINPUT);
	assert_mentions(err.msg, "embedded:hyperagents-paper.json: iterations: got -7", NULL);
	const char *usage[] = { "iterations" };
	ck_assert_int_eq(scenario_load(&sc, NULL, usage, 1, &err), HC_EUSAGE);
}
END_TEST

/* ---- presets ---- */

START_TEST(test_presets_load)
{
	glob_t g;
	struct price_sheet ps;
	struct hc_err err = HC_ERR_INIT;

	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_int_eq(glob(SOURCE_DIR "/data/scenarios/*.json", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 1);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct scenario sc;
		struct loop_models m;
		int rc = scenario_load(&sc, g.gl_pathv[i], NULL, 0, &err);
		ck_assert_msg(rc == 0, "%s: rc %d: %s", g.gl_pathv[i], rc, err.msg);
		ck_assert_str_eq(sc.origin, g.gl_pathv[i]);
		ck_assert_uint_ge(sc.n_domains, 1);
		/* every model the preset names has a price in the default sheet */
		rc = loop_resolve_models(&sc, &ps, &m, &err);
		ck_assert_msg(rc == 0, "%s: rc %d: %s", g.gl_pathv[i], rc, err.msg);
		scenario_release(&sc);
	}
	globfree(&g);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(test_reference)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	scenario_reference(f);
	fclose(f);
	assert_mentions(buf, "### `(top level)`", "### `domains[]`", "### `archive`",
			"| `full_tasks` | integer | required | 1 to 100000 |",
			"| `eval_workers` | integer | `10` |",
			"| `caching` | string | `\"off\"` | one of 'off', 'automatic', 'explicit' |",
			NULL);
	free(buf);
}
END_TEST

/* ---- suite ---- */

/* BASE with the (path, value) pairs set, parsed: returns the code, err holding the message. */
static int parse_mutated(struct scenario *sc, struct hc_err *err, ...)
{
	cJSON *root = tree(BASE);
	va_list ap;
	const char *path;

	va_start(ap, err);
	while ((path = va_arg(ap, const char *)))
		mutate(root, path, va_arg(ap, const char *));
	va_end(ap);
	*err = (struct hc_err)HC_ERR_INIT;
	int rc = parse_tree(sc, root, err);
	cJSON_Delete(root);
	return rc;
}

/* Each limit across fields holds exactly at its value and fails one step past it. */
START_TEST(test_limits_across_fields)
{
	struct scenario sc;
	struct hc_err err;

	/* archive nodes: 100000 x 10 is the limit, 90910 x 11 is past it */
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "100000",
				       "children_per_iteration", "10", NULL), 0);
	scenario_release(&sc);
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "90910",
				       "children_per_iteration", "11", NULL), HC_EINPUT);
	assert_mentions(err.msg, ORIGIN ": iterations x children_per_iteration",
			"90910 x 11 = 1000010 archive nodes", "at most 1000000", NULL);

	/* tasks of one iteration: 10 children x (99994 + 6) = 10^6 is the limit */
	ck_assert_int_eq(parse_mutated(&sc, &err, "children_per_iteration", "10",
				       "domains.0.full_tasks", "99994", NULL), 0);
	scenario_release(&sc);
	ck_assert_int_eq(parse_mutated(&sc, &err, "children_per_iteration", "10",
				       "domains.0.full_tasks", "99995", NULL), HC_EINPUT);
	assert_mentions(err.msg, "children_per_iteration x domains[].full_tasks",
			"10 x 100001 = 1000010 tasks", "at most 1000000", NULL);

	/*
	 * Expected calls: 100000 nodes x 5 self-modification calls + 100001 evaluations x
	 * (100 tasks x min(100, max_calls) + 6 tasks x 2). max_calls 40 (the default) caps
	 * them at 4.0e8; max_calls 1000 lets them reach 1.0012e9.
	 */
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "100000",
				       "domains.0.task.calls", "100", NULL), 0);
	scenario_release(&sc);
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "100000",
				       "domains.0.task.calls", "100",
				       "domains.0.task.max_calls", "1000", NULL), HC_EINPUT);
	assert_mentions(err.msg, "expected LLM calls of one run", "got 1e+09",
			"at most 1e+09", NULL);

	/* replications: 3 iterations are 4 nodes with the root; 1.01e7 / 4 = 2525000 runs */
	ck_assert_int_eq(parse_mutated(&sc, &err, NULL), 0);
	ck_assert_int_eq(scenario_check_limits(&sc, 2525000, &err), 0);
	ck_assert_int_eq(scenario_check_limits(&sc, 2525001, &err), HC_EINPUT);
	assert_mentions(err.msg, "runs x archive nodes: got 2525001 x 4 = 10100004",
			"at most 10100000", "at most 2525000 runs of this scenario", NULL);
	scenario_release(&sc);
	/* 100 iterations (the paper preset's): 100000 runs, the most --runs takes, are allowed */
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "100", NULL), 0);
	ck_assert_int_eq(scenario_check_limits(&sc, 100000, &err), 0);
	scenario_release(&sc);
	ck_assert_int_eq(parse_mutated(&sc, &err, "iterations", "101", NULL), 0);
	ck_assert_int_eq(scenario_check_limits(&sc, 100000, &err), HC_EINPUT);
	assert_mentions(err.msg, "got 100000 x 102 = 10200000", "at most 99019 runs", NULL);
	scenario_release(&sc);
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");

	check_add(s, "wrong_type", test_wrong_type, 10);
	check_add(s, "out_of_range", test_out_of_range, 10);
	check_add(s, "non_integer", test_non_integer, 10);
	check_add(s, "name_is_plain", test_name_is_plain, 10);
	check_add(s, "unknown_field", test_unknown_field, 10);
	check_add(s, "unknown_enum", test_unknown_enum, 10);
	check_add(s, "missing_required", test_missing_required, 10);
	check_add(s, "duplicate_key", test_duplicate_key, 10);
	check_add(s, "nul_escape_and_keys_twice", test_nul_escape_and_keys_twice, 10);
	check_add(s, "duplicate_domain_name", test_duplicate_domain_name, 10);
	check_add(s, "screen_over_full", test_screen_over_full, 10);
	check_add(s, "bad_distribution", test_bad_distribution, 10);
	check_add(s, "empirical_out_of_range", test_empirical_out_of_range, 10);
	check_add(s, "malformed_json", test_malformed_json, 10);
	check_add(s, "not_utf8", test_not_utf8, 10);
	check_add(s, "number_overflow", test_number_overflow, 10);
	check_add(s, "missing_file", test_missing_file, 10);
	check_add(s, "defaults", test_defaults, 10);
	check_add(s, "endpoint_listed", test_endpoint_listed, 10);
	check_add(s, "zero_iterations", test_zero_iterations, 10);
	check_add(s, "comment_keys_ignored", test_comment_keys_ignored, 10);
	check_add(s, "distributions_parse", test_distributions_parse, 10);
	check_add(s, "dump_round_trip", test_dump_round_trip, 10);
	check_add(s, "dump_round_trip_preset", test_dump_round_trip_preset, 10);
	check_add(s, "dump_values", test_dump_values, 10);
	check_add(s, "set_by_name_and_index", test_set_by_name_and_index, 10);
	check_add(s, "set_dotted_model_name", test_set_dotted_model_name, 10);
	check_add(s, "set_creates_object", test_set_creates_object, 10);
	check_add(s, "set_values", test_set_values, 10);
	check_add(s, "set_errors", test_set_errors, 10);
	check_add(s, "load_with_sets", test_load_with_sets, 10);
	check_add(s, "presets_load", test_presets_load, 30);
	check_add(s, "reference", test_reference, 10);
	check_add(s, "limits_across_fields", test_limits_across_fields, 10);
	check_add(s, "nul_and_empty", test_nul_and_empty, 10);
	check_add(s, "utf8_check", test_utf8_check, 10);
	return s;
}

int main(void)
{
	return check_run(scenario_suite());
}
