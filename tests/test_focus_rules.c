/*
 * test_focus_rules: costs_focus.csv against the FinOps Foundation validator's FOCUS 1.2 rule
 * model (tests/fixtures/focus/model-1.2.json, vendored with its MIT license): the rules that
 * apply to an LLM bill (the applicability criteria in docs/focus.md), evaluated with the
 * validator's semantics for every kind of check the model uses; a simulate run, a run with a
 * fleet and a replay must have 0 MUST failures, and a file broken on purpose must have some.
 */
#include <check.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "reports/csvtab.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define FIXTURES SOURCE_DIR "/tests/fixtures/focus/"

/* An LLM API bill: usage measured and billed at public unit prices, tags on requests. */
static const char *const criteria[] = {
	"USAGE_MEASUREMENT_SUPPORTED", "PUBLIC_PRICE_LIST_SUPPORTED", "UNIT_PRICING_SUPPORTED",
	"ACCOUNT_NAMING_SUPPORTED", "TAGGING_SUPPORTED", NULL,
};

enum verdict { PASS, FAIL, SKIPPED, NOT_APPLICABLE, BUSY, UNSEEN };
/* SQL's three values: a requirement fails a row only when it is false there */
enum truth { F = 0, T = 1, U = 2 };

struct eval {
	const cJSON *rules;             /* ModelRules */
	const struct csvtab *t;
	size_t n;
	const cJSON **rule;             /* rule[i] and its verdict[i] */
	enum verdict *verdict;
	char *currencies;               /* currency_codes.csv's text */
	regex_t numeric, datetime, unit;
};

static int listed(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static size_t index_of(const struct eval *e, const char *id)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->rule[i]->string, id))
			return i;
	ck_abort_msg("rule %s is not in the model", id);
	return 0;
}

/* The rule's own applicability criteria: none, or one of those declared. */
static int applicable(const cJSON *rule)
{
	const cJSON *c, *list = cJSON_GetObjectItemCaseSensitive(rule, "ApplicabilityCriteria");
	if (cJSON_GetArraySize(list) == 0)
		return 1;
	cJSON_ArrayForEach(c, list)
		if (listed(c->valuestring, criteria))
			return 1;
	return 0;
}

/* The validator's column families: a column whose presence rule does not apply has no rules. */
static int column_applies(const struct eval *e, const char *column)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(str(e->rule[i], "Function"), "Presence") &&
		    !strcmp(str(e->rule[i], "EntityType"), "Dataset") &&
		    !strcmp(str(e->rule[i], "Reference"), column) && !applicable(e->rule[i]))
			return 0;
	return 1;
}

static enum verdict verdict_of(struct eval *e, const char *id);

static const char *cell(const struct eval *e, size_t row, const char *column)
{
	int c = csvtab_col(e->t, column);
	return c < 0 ? NULL : csvtab_cell(e->t, row, c);  /* a column it lacks reads as null */
}

static int matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7f)
			return 0;
	return 1;
}

static int is_object(const char *s)
{
	cJSON *j = cJSON_Parse(s);
	int ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	return ok;
}

static int is_currency(const struct eval *e, const char *s)
{
	char line[16];
	snprintf(line, sizeof(line), ",%s\n", s);
	return strlen(s) == 3 && strstr(e->currencies, line) != NULL;
}

static double value(const char *s)
{
	return strtod(s, NULL);
}

/* Checks of one column's format or type: null passes (the validator's "IS NOT NULL AND"). */
static enum truth format(const struct eval *e, const char *fn, const char *v)
{
	if (!v)
		return U;
	if (!strcmp(fn, "TypeDecimal") || !strcmp(fn, "FormatNumeric"))
		return matches(&e->numeric, v);
	if (!strcmp(fn, "TypeDateTime") || !strcmp(fn, "FormatDateTime"))
		return matches(&e->datetime, v);
	if (!strcmp(fn, "FormatString"))
		return is_ascii(v);
	if (!strcmp(fn, "FormatUnit"))
		return matches(&e->unit, v);
	if (!strcmp(fn, "FormatKeyValue"))
		return is_object(v);
	if (!strcmp(fn, "FormatCurrency"))
		return strlen(v) == 3 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3;
	if (!strcmp(fn, "CheckNationalCurrency"))
		return is_currency(e, v);
	ck_assert_str_eq(fn, "TypeString");
	return T;
}

/* For each non-null A, the number of distinct B (nulls counting as one value) is n. */
static int distinct_count(const struct eval *e, const char *a, const char *b, int n)
{
	int ca = csvtab_col(e->t, a), cb = csvtab_col(e->t, b);
	for (size_t r = 0; r < e->t->n_rows; r++) {
		const char *key = csvtab_cell(e->t, r, ca);
		if (!key)
			continue;
		const char *values[64];
		int seen = 0;
		for (size_t s = 0; s < e->t->n_rows && seen < 64; s++) {
			const char *k = csvtab_cell(e->t, s, ca), *v = csvtab_cell(e->t, s, cb);
			if (!k || strcmp(k, key))
				continue;
			int known = 0;
			for (int i = 0; i < seen && !known; i++)
				known = (!v && !values[i]) || (v && values[i] && !strcmp(v, values[i]));
			if (!known)
				values[seen++] = v;
		}
		if (seen != n)
			return 0;
	}
	return 1;
}

static enum truth all(enum truth a, enum truth b)
{
	return a == F || b == F ? F : a == U || b == U ? U : T;
}

static enum truth any(enum truth a, enum truth b)
{
	return a == T || b == T ? T : a == U || b == U ? U : F;
}

/* A cell equal to a value of the model: text, or a number compared as a number. */
static int equals(const char *v, const cJSON *val)
{
	return cJSON_IsNumber(val) ? value(v) == val->valuedouble : !strcmp(v, val->valuestring);
}

static enum truth compare(const char *a, const char *b, int same)
{
	if (!a || !b)
		return U;
	return (strcmp(a, b) == 0) == same;
}

/* A check of the model on one row (dataset-wide checks give the same answer on every row). */
static enum truth check(struct eval *e, const cJSON *c, size_t row)
{
	const char *fn = str(c, "CheckFunction");
	const char *col = str(c, "ColumnName");
	const cJSON *val = cJSON_GetObjectItemCaseSensitive(c, "Value");
	if (!strcmp(fn, "AND") || !strcmp(fn, "OR")) {
		int and = !strcmp(fn, "AND");
		enum truth acc = and ? T : F;
		const cJSON *item;
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "Items"))
			acc = and ? all(acc, check(e, item, row)) : any(acc, check(e, item, row));
		return acc;
	}
	if (!strcmp(fn, "CheckModelRule"))
		return verdict_of(e, str(c, "ModelRuleId")) != FAIL;
	if (!strcmp(fn, "ColumnPresent"))
		return csvtab_col(e->t, col) >= 0;
	if (!strcmp(fn, "CheckDistinctCount"))
		return distinct_count(e, str(c, "ColumnAName"), str(c, "ColumnBName"),
				      cJSON_GetObjectItemCaseSensitive(c, "ExpectedCount")->valueint);
	const char *v = cell(e, row, col);
	if (!strcmp(fn, "CheckValue"))
		return cJSON_IsNull(val) ? !v : v ? equals(v, val) : U;
	if (!strcmp(fn, "CheckNotValue"))
		return cJSON_IsNull(val) ? v != NULL : !v || !equals(v, val);
	if (!strcmp(fn, "CheckDecimalValue"))
		return T;               /* the validator skips this check (CheckDecimalValueGenerator) */
	if (!strcmp(fn, "CheckSameValue") || !strcmp(fn, "CheckNotSameValue"))
		return compare(cell(e, row, str(c, "ColumnAName")),
			       cell(e, row, str(c, "ColumnBName")), !strcmp(fn, "CheckSameValue"));
	if (!strcmp(fn, "CheckGreaterOrEqualThanValue"))
		return v ? value(v) >= val->valuedouble : U;
	if (!strcmp(fn, "ColumnByColumnEqualsColumnValue")) {
		const char *a = cell(e, row, str(c, "ColumnAName"));
		const char *b = cell(e, row, str(c, "ColumnBName"));
		const char *r = cell(e, row, str(c, "ResultColumnName"));
		return a && b && r ? value(a) * value(b) == value(r) : U;
	}
	return format(e, fn, v);
}

/* Columns a check reads row by row; 0 when one of them is not in the file. */
static int columns_present(const struct eval *e, const cJSON *c)
{
	const char *fn = str(c, "CheckFunction");
	if (!strcmp(fn, "AND") || !strcmp(fn, "OR")) {
		const cJSON *item;
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "Items"))
			if (!columns_present(e, item))
				return 0;
		return 1;
	}
	if (!strcmp(fn, "ColumnPresent") || !strcmp(fn, "CheckModelRule"))
		return 1;
	static const char *const keys[] = { "ColumnName", "ColumnAName", "ColumnBName",
					    "ResultColumnName", NULL };
	for (const char *const *k = keys; *k; k++)
		if (*str(c, *k) && csvtab_col(e->t, str(c, *k)) < 0)
			return 0;
	return 1;
}

/* 1 when c reads cells row by row; 0 when it is a check of the whole file. */
static int row_level(const cJSON *c)
{
	const char *fn = str(c, "CheckFunction");
	const cJSON *item;
	if (strcmp(fn, "AND") && strcmp(fn, "OR"))
		return strcmp(fn, "ColumnPresent") && strcmp(fn, "CheckDistinctCount") &&
		       strcmp(fn, "CheckModelRule");
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "Items"))
		if (row_level(item))
			return 1;
	return 0;
}

/* The requirement on every row its condition selects (an empty condition selects all). */
static enum verdict requirement(struct eval *e, const cJSON *criteria_json)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(criteria_json, "Requirement");
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(criteria_json, "Condition");
	int conditional = cJSON_GetArraySize(cond) > 0;
	if (!columns_present(e, req) || (conditional && !columns_present(e, cond)))
		return FAIL;            /* the validator's query fails on a missing column */
	if (!conditional && !row_level(req))
		return check(e, req, 0) == F ? FAIL : PASS;
	for (size_t r = 0; r < e->t->n_rows; r++)
		if ((!conditional || check(e, cond, r) == T) && check(e, req, r) == F)
			return FAIL;
	return PASS;
}

/* 1 when every rule c refers to (CheckModelRule) was skipped or does not apply. */
static int references_skipped(struct eval *e, const cJSON *c)
{
	const char *fn = str(c, "CheckFunction");
	const cJSON *item;
	if (!strcmp(fn, "CheckModelRule")) {
		enum verdict v = verdict_of(e, str(c, "ModelRuleId"));
		return v == SKIPPED || v == NOT_APPLICABLE;
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "Items"))
		if (!references_skipped(e, item))
			return 0;
	return 1;
}

/*
 * The validator's dependency skips: a rule with a dependency skipped or not applicable is
 * skipped; a composite only when the rules it refers to were all skipped too. A failed
 * dependency (a missing column) skips nothing: the rules on that column fail as well.
 */
static int skipped_by_dependencies(struct eval *e, const cJSON *rule, const cJSON *vc)
{
	const cJSON *dep;
	int skipped = 0;
	cJSON_ArrayForEach(dep, cJSON_GetObjectItemCaseSensitive(vc, "Dependencies")) {
		enum verdict v = verdict_of(e, dep->valuestring);
		skipped |= v == SKIPPED || v == NOT_APPLICABLE;
	}
	if (skipped && !strcmp(str(rule, "Function"), "Composite"))
		return references_skipped(e, cJSON_GetObjectItemCaseSensitive(vc, "Requirement"));
	return skipped;
}

static enum verdict decide(struct eval *e, const cJSON *rule)
{
	const cJSON *vc = cJSON_GetObjectItemCaseSensitive(rule, "ValidationCriteria");
	const char *keyword = str(vc, "Keyword");
	if (!applicable(rule) || !column_applies(e, str(rule, "Reference")))
		return NOT_APPLICABLE;
	if (!strcmp(str(rule, "Type"), "Dynamic") || !strcmp(keyword, "MAY") ||
	    !strcmp(keyword, "OPTIONAL"))
		return SKIPPED;
	if (skipped_by_dependencies(e, rule, vc))
		return SKIPPED;
	return requirement(e, vc);
}

static enum verdict verdict_of(struct eval *e, const char *id)
{
	size_t i = index_of(e, id);
	if (e->verdict[i] == BUSY)
		return PASS;            /* a cycle: the rule is being decided further up */
	if (e->verdict[i] == UNSEEN) {
		e->verdict[i] = BUSY;
		e->verdict[i] = decide(e, e->rule[i]);
	}
	return e->verdict[i];
}

static void regex(regex_t *re, const char *pattern)
{
	ck_assert_int_eq(regcomp(re, pattern, REG_EXTENDED | REG_NOSUB), 0);
}

/* FOCUS's UnitFormat as the validator spells it (count units: words of letters and digits). */
#define DATA "(b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|" \
	     "PiB|EiB)"
#define TIME1 "(Year|Month|Day|Hour|Minute|Second)"
#define TIMES "(Years|Months|Days|Hours|Minutes|Seconds)"
#define COUNT "([A-Za-z][A-Za-z0-9]*( +[A-Za-z][A-Za-z0-9]*)*)"
#define UNIT_FORMAT "^(" DATA "|" TIME1 "|" TIMES "|" COUNT ")$|^(" DATA "|" COUNT ")-" TIMES \
	"$|^(" DATA "|" COUNT "|" TIMES ")/" TIME1 "$|^[0-9]+ (" DATA "|" TIME1 "|" TIMES "|" \
	COUNT ")$|^(" DATA "|" COUNT "|" TIMES ")/[0-9]+ " TIMES "$"

static cJSON *model;

static void eval_init(struct eval *e, const struct csvtab *t)
{
	*e = (struct eval){ .t = t };
	e->rules = cJSON_GetObjectItemCaseSensitive(model, "ModelRules");
	e->n = (size_t)cJSON_GetArraySize(e->rules);
	e->rule = calloc(e->n, sizeof(*e->rule));
	e->verdict = calloc(e->n, sizeof(*e->verdict));
	ck_assert(e->rule && e->verdict);
	size_t i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, e->rules) {
		e->rule[i] = r;
		e->verdict[i++] = UNSEEN;
	}
	e->currencies = slurp(FIXTURES "currency_codes.csv");
	ck_assert_ptr_nonnull(e->currencies);
	/* NumericFormat: no exponent (the validator's own pattern allows one; the spec does not) */
	regex(&e->numeric, "^[+-]?([0-9]*[.])?[0-9]+$");
	regex(&e->datetime, "^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$");
	regex(&e->unit, UNIT_FORMAT);
}

static void eval_release(struct eval *e)
{
	regfree(&e->numeric);
	regfree(&e->datetime);
	regfree(&e->unit);
	free(e->currencies);
	free(e->rule);
	free(e->verdict);
}

static int is_must(const cJSON *rule)
{
	const char *k = str(cJSON_GetObjectItemCaseSensitive(rule, "ValidationCriteria"), "Keyword");
	return !strcmp(k, "MUST") || !strcmp(k, "MUST NOT");
}

/* 1 when the rule id is an item of an OR composite: a branch, which counts through it (e.g.
 * InvoiceId-C-003-C: null when not invoiced, OR not null when invoiced). */
static int is_branch(const struct eval *e, const char *id)
{
	for (size_t i = 0; i < e->n; i++) {
		const cJSON *vc = cJSON_GetObjectItemCaseSensitive(e->rule[i], "ValidationCriteria");
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(vc, "Requirement"), *item;
		if (strcmp(str(e->rule[i], "Function"), "Composite") ||
		    strcmp(str(req, "CheckFunction"), "OR"))
			continue;
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(req, "Items"))
			if (!strcmp(str(item, "ModelRuleId"), id))
				return 1;
	}
	return 0;
}

/* Evaluates every rule against t; the failed MUST rules go to failed (space-separated). */
static size_t table_failures(const struct csvtab *t, char *failed, size_t size, size_t *passed)
{
	struct eval e;
	eval_init(&e, t);
	size_t n = 0, used = 0;
	*passed = 0;
	failed[0] = '\0';
	for (size_t i = 0; i < e.n; i++) {
		enum verdict v = verdict_of(&e, e.rule[i]->string);
		if (!is_must(e.rule[i]) || is_branch(&e, e.rule[i]->string))
			continue;
		*passed += v == PASS;
		n += v == FAIL;
		if (v == FAIL && used < size)
			used += (size_t)snprintf(failed + used, size - used, " %s",
						 e.rule[i]->string);
	}
	eval_release(&e);
	return n;
}

static size_t must_failures(const char *csv, char *failed, size_t size, size_t *passed)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(!csvtab_load(&t, path_in(csv), &err), "%s", err.msg);
	size_t n = table_failures(&t, failed, size, passed);
	csvtab_release(&t);
	return n;
}

/* The rules the issue found failing, which must now be checked and pass, not be skipped. */
static void assert_passes(const char *csv, const char *const *ids)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	struct eval e;
	ck_assert_msg(!csvtab_load(&t, path_in(csv), &err), "%s", err.msg);
	eval_init(&e, &t);
	for (; *ids; ids++)
		ck_assert_msg(verdict_of(&e, *ids) == PASS, "%s: %s is %d", csv, *ids,
			      verdict_of(&e, *ids));
	eval_release(&e);
	csvtab_release(&t);
}

static const char *const named_in_issue[] = {
	"CostAndUsage-D-004-C", "CostAndUsage-D-011-C", "CostAndUsage-D-066-C",
	"CostAndUsage-D-058-C", "CostAndUsage-D-059-C", "CostAndUsage-D-060-C",
	"CostAndUsage-D-061-C", "CostAndUsage-D-064-C", "ListCost-C-009-C", "ListUnitPrice-C-010-C",
	"ListUnitPrice-C-005-C", "ConsumedQuantity-C-006-C", "SkuPriceId-C-008-M",
	"ServiceSubcategory-C-004-M", "ChargeFrequency-C-003-M", "BilledCost-C-002-M", NULL,
};

static void assert_valid(const char *csv)
{
	char failed[4096];
	size_t passed;
	size_t n = must_failures(csv, failed, sizeof(failed), &passed);
	ck_assert_msg(n == 0, "%s: %zu MUST rules fail:%s", csv, n, failed);
	ck_assert_uint_ge(passed, 200);  /* most of the model is checked, not skipped */
	assert_passes(csv, named_in_issue);
}

START_TEST(rules_simulate)
{
	struct result r = run("simulate", "--runs", "2", "--iterations", "8", "--start",
			      "2026-11-30", "--out", "s", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	assert_valid("s/costs_focus.csv");
}
END_TEST

START_TEST(rules_fleet)
{
	struct result r = run("simulate", "--iterations", "4", "--out", "f", "--quiet", "--set",
			      "fleets=[{\"name\": \"h100\", \"pricing\": \"reserved\"}]", "--set",
			      "domains.paper_review.fleet=h100", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	assert_valid("f/costs_focus.csv");
}
END_TEST

START_TEST(rules_replay)
{
	struct result r = run("replay", SOURCE_DIR "/tests/fixtures/trace/priced.jsonl", "--out",
			      "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	assert_valid("r/costs_focus.csv");
}
END_TEST

/* Real calls: the DGM run in tests/fixtures. */
START_TEST(rules_dgm_replay)
{
	struct result r = run("import", "dgm", SOURCE_DIR "/tests/fixtures/dgm-run", "-o",
			      "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("replay", "t.jsonl", "--out", "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	assert_valid("r/costs_focus.csv");
}
END_TEST

/* The evaluator can fail: a ListCost that is not ListUnitPrice × PricingQuantity, an exponent. */
START_TEST(rules_catch_a_broken_file)
{
	write_file("bad.csv", "BilledCost,ContractedCost,EffectiveCost,ListCost,ListUnitPrice,"
		   "PricingQuantity,ChargeCategory\n1e-3,1,1,1,2.5,0.5,Usage\n");
	char failed[4096];
	size_t passed;
	ck_assert_uint_gt(must_failures("bad.csv", failed, sizeof(failed), &passed), 0);
	ck_assert_msg(strstr(failed, " ListCost-C-009-C"), "%s", failed);
	ck_assert_msg(strstr(failed, " BilledCost-C-002-M"), "%s", failed);
	ck_assert_msg(strstr(failed, " CostAndUsage-D-005-M"), "%s", failed);
}
END_TEST

/* Sets the cell of row, column to v (NULL: null). */
static void set_cell(struct csvtab *t, size_t row, const char *column, const char *v)
{
	int c = csvtab_col(t, column);
	ck_assert_int_ge(c, 0);
	free(t->cells[row * t->n_cols + (size_t)c]);
	t->cells[row * t->n_cols + (size_t)c] = v ? strdup(v) : NULL;
}

/* Conditional and dataset-wide rules fail too (with the composites that hold them): a valid
 * export with three cells changed. */
START_TEST(rules_catch_broken_rows)
{
	struct result r = run("simulate", "--iterations", "2", "--out", "s", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	char failed[4096];
	size_t passed;
	ck_assert_msg(!csvtab_load(&t, path_in("s/costs_focus.csv"), &err), "%s", err.msg);
	ck_assert_uint_eq(table_failures(&t, failed, sizeof(failed), &passed), 0);
	/* a Usage row without ListUnitPrice; a quantity without its unit; a SkuPriceId of two
	 * SkuIds (rows 0 and 1 are two SKUs of one charge) */
	set_cell(&t, 0, "ListUnitPrice", NULL);
	set_cell(&t, 1, "ConsumedUnit", NULL);
	set_cell(&t, 1, "SkuPriceId", csvtab_cell(&t, 0, csvtab_col(&t, "SkuPriceId")));
	ck_assert_uint_gt(table_failures(&t, failed, sizeof(failed), &passed), 0);
	ck_assert_msg(strstr(failed, " ListUnitPrice-C-005-C") &&
		      strstr(failed, " ConsumedUnit-C-006-C") &&
		      strstr(failed, " SkuPriceId-C-008-M"), "%s", failed);
	csvtab_release(&t);
}
END_TEST

static void load_model(void)
{
	setup();
	char *text = slurp(FIXTURES "model-1.2.json");
	ck_assert_ptr_nonnull(text);
	model = cJSON_Parse(text);
	free(text);
	ck_assert_ptr_nonnull(model);
	ck_assert_str_eq(str(cJSON_GetObjectItemCaseSensitive(model, "Details"), "FOCUSVersion"),
			 "1.2");
}

static void free_model(void)
{
	cJSON_Delete(model);
	teardown();
}

int main(void)
{
	Suite *s = suite_create("focus_rules");
	TCase *tc = tcase_create("focus_rules");

	tcase_add_checked_fixture(tc, load_model, free_model);
	tcase_add_test(tc, rules_simulate);
	tcase_add_test(tc, rules_fleet);
	tcase_add_test(tc, rules_replay);
	tcase_add_test(tc, rules_dgm_replay);
	tcase_add_test(tc, rules_catch_a_broken_file);
	tcase_add_test(tc, rules_catch_broken_rows);
	suite_add_tcase(s, tc);
	return check_run(s);
}
