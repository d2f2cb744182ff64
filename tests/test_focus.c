/*
 * test_focus: costs_focus.csv against the FOCUS 1.2 rules it must follow (FACTS §4 and the
 * specification's column definitions): the 21 mandatory columns, custom columns prefixed
 * x_, ISO 8601 UTC dates, charge periods inside their billing month, allowed values, the
 * token quantities, and BilledCost summing to summary.json's cost_usd.total. The file is
 * read with libcsv's parser, independently of how it was written.
 */
#include <check.h>
#include <csv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/focus.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define MAX_COLS 64
#define MAX_ROWS 20000

struct table {
	char *cell[MAX_ROWS][MAX_COLS];
	size_t rows, cols, col;
};

static void on_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	ck_assert_uint_lt(t->col, MAX_COLS);
	if (!s) {                      /* an unquoted empty field: null */
		t->cell[t->rows][t->col++] = NULL;
		return;
	}
	char *v = malloc(len + 1);
	ck_assert_ptr_nonnull(v);
	memcpy(v, s, len);
	v[len] = '\0';
	t->cell[t->rows][t->col++] = v;
}

static void on_row(int c, void *data)
{
	struct table *t = data;
	(void)c;
	if (t->rows == 0)
		t->cols = t->col;
	ck_assert_uint_eq(t->col, t->cols); /* every row as wide as the header */
	t->col = 0;
	ck_assert_uint_lt(++t->rows, MAX_ROWS);
}

static struct table *read_csv(const char *name)
{
	char *text = slurp(path_in(name));
	struct csv_parser p;
	struct table *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL), 0);
	size_t n = strlen(text);
	ck_assert_uint_eq(csv_parse(&p, text, n, on_field, on_row, t), n);
	ck_assert_int_eq(csv_fini(&p, on_field, on_row, t), 0);
	csv_free(&p);
	free(text);
	return t;
}

static void free_table(struct table *t)
{
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols; c++)
			free(t->cell[r][c]);
	free(t);
}

static int col(const struct table *t, const char *name)
{
	for (size_t c = 0; c < t->cols; c++)
		if (!strcmp(t->cell[0][c], name))
			return (int)c;
	ck_abort_msg("no column %s", name);
	return -1;
}

static const char *at(const struct table *t, size_t row, const char *name)
{
	return t->cell[row][col(t, name)];
}

static double num(const struct table *t, size_t row, const char *name)
{
	const char *v = at(t, row, name);
	char *end;
	ck_assert_msg(v && *v, "row %zu: %s is empty", row, name);
	double x = strtod(v, &end);
	ck_assert_msg(!*end && isfinite(x), "row %zu: %s '%s' is not a number", row, name, v);
	return x;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (FOCUS: ISO 8601 in UTC) to seconds, checked field by field. */
static time_t date(const struct table *t, size_t row, const char *name)
{
	const char *v = at(t, row, name);
	int y, mo, d, h, mi, s, used = 0;
	ck_assert_msg(v && strlen(v) == 20 &&
		      sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s, &used) == 6 &&
		      used == 20, "row %zu: %s '%s' is not ISO 8601 UTC", row, name, v);
	char day[11];
	memcpy(day, v, 10);
	day[10] = '\0';
	time_t midnight = focus_parse_date(day);
	ck_assert_msg(midnight >= 0 && h < 24 && mi < 60 && s < 60, "%s: bad date %s", name, v);
	return midnight + h * 3600 + mi * 60 + s;
}

static int listed(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (v && !strcmp(v, *allowed))
			return 1;
	return 0;
}

static const char *const service_categories[] = {
	"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
	"Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
	"Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
	"Storage", "Web", "Other", NULL,
};
static const char *const charge_categories[] = { "Usage", "Purchase", "Tax", "Credit",
						  "Adjustment", NULL };

static void check_row(const struct table *t, size_t r)
{
	double billed = num(t, r, "BilledCost");
	ck_assert_double_ge(billed, 0);
	ck_assert_double_eq(num(t, r, "EffectiveCost"), billed);
	ck_assert_double_eq(num(t, r, "ListCost"), billed);
	ck_assert_double_eq(num(t, r, "ContractedCost"), billed);
	ck_assert_str_eq(at(t, r, "BillingCurrency"), "USD");
	ck_assert_ptr_nonnull(at(t, r, "BillingAccountId"));
	ck_assert_ptr_nonnull(at(t, r, "ChargeDescription"));
	ck_assert_msg(listed(at(t, r, "ChargeCategory"), charge_categories), "row %zu", r);
	ck_assert_msg(at(t, r, "ChargeClass") == NULL, "row %zu: ChargeClass is for corrections",
		      r);
	ck_assert_msg(listed(at(t, r, "ServiceCategory"), service_categories), "row %zu: %s", r,
		      at(t, r, "ServiceCategory"));
	ck_assert_ptr_nonnull(at(t, r, "ServiceName"));
	ck_assert_ptr_nonnull(at(t, r, "ProviderName"));
	ck_assert_ptr_nonnull(at(t, r, "PricingUnit"));
	ck_assert_double_ge(num(t, r, "PricingQuantity"), 0);
	time_t b0 = date(t, r, "BillingPeriodStart"), b1 = date(t, r, "BillingPeriodEnd");
	time_t c0 = date(t, r, "ChargePeriodStart"), c1 = date(t, r, "ChargePeriodEnd");
	ck_assert_msg(c0 < c1 && b0 <= c0 && c1 <= b1, "row %zu: charge period outside its "
		      "billing period", r);
	/* a billing period is a calendar month: it starts on the 1st at midnight */
	ck_assert_str_eq(at(t, r, "BillingPeriodStart") + 8, "01T00:00:00Z");
	ck_assert_str_eq(at(t, r, "BillingPeriodEnd") + 8, "01T00:00:00Z");
	ck_assert_int_le(b1 - b0, 31 * 86400);
	if (!strcmp(at(t, r, "PricingUnit"), "1000000 Tokens")) {
		ck_assert_str_eq(at(t, r, "ServiceCategory"), "AI and Machine Learning");
		ck_assert_str_eq(at(t, r, "ConsumedUnit"), "Tokens");
		double tokens = num(t, r, "ConsumedQuantity");
		ck_assert_double_eq_tol(num(t, r, "PricingQuantity") * 1e6, tokens,
					1e-9 * tokens + 1e-6);
	}
	/* ChargeDescription starts with a word; numbers are fixed-point (NumericFormat) */
	ck_assert_msg(at(t, r, "ChargeDescription")[0] != ' ', "row %zu: '%s'", r,
		      at(t, r, "ChargeDescription"));
	for (size_t c = 0; c < t->cols; c++) {
		const char *v = t->cell[r][c];
		char *end;
		if (v && *v && (strtod(v, &end), !*end))
			ck_assert_msg(!strpbrk(v, "eEnNiI"), "row %zu: %s '%s'", r, t->cell[0][c],
				      v);
	}
}

static void check_export(const char *dir, double *billed_sum, size_t *rows)
{
	char name[300];
	snprintf(name, sizeof(name), "%s/costs_focus.csv", dir);
	struct table *t = read_csv(name);
	for (size_t i = 0; i < 21; i++)
		ck_assert_msg(!strcmp(t->cell[0][i], focus_mandatory_columns[i]),
			      "column %zu: %s", i, t->cell[0][i]);
	for (size_t c = 21; c < 21 + FOCUS_OPTIONAL_COLUMNS; c++)
		ck_assert_str_eq(t->cell[0][c], focus_optional_columns[c - 21]);
	for (size_t c = 21 + FOCUS_OPTIONAL_COLUMNS; c < t->cols; c++)
		ck_assert_msg(!strncmp(t->cell[0][c], "x_", 2), "custom column %s", t->cell[0][c]);
	*billed_sum = 0;
	for (size_t r = 1; r < t->rows; r++) {
		check_row(t, r);
		*billed_sum += num(t, r, "BilledCost");
	}
	*rows = t->rows - 1;
	free_table(t);
}

START_TEST(focus_paper_preset)
{
	struct result r = run("simulate", "--runs", "2", "--iterations", "20", "--start",
			      "2026-11-21", "--out", "p", "--quiet", "--set",
			      "costs.schedule=\"at-once\"", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	double sum;
	size_t rows;
	check_export("p", &sum, &rows);
	cJSON *s = load_json("p/summary.json");
	double total = json_at(s, "cost_usd.total");
	ck_assert_double_eq_tol(sum, total, 1e-6 * total);
	/* the run's charges, its iterations summed, in its one month: 2 API models' input and
	 * output, the sandbox, the archive during the run and kept after it, writes and reads */
	ck_assert_uint_ge(rows, 2 * 2 + 1 + 2 + 2);
	ck_assert_str_eq(cJSON_GetObjectItem(s, "date")->valuestring, "2026-11-21");
	cJSON_Delete(s);
}
END_TEST

/*
 * costs_focus.csv follows the calendar: in every calendar month, its BilledCost sums to
 * monthly.csv's usd_total for that month to the cent, on two presets and two schedules
 * (three replications, two loops at once). Every month of monthly.csv with dollars has rows,
 * and no row falls outside monthly.csv's months.
 */
START_TEST(focus_follows_the_calendar)
{
	static const char *const presets[] = { "hyperagents-paper.json", "dgm-polyglot.json" };
	static const char *const schedules[] = { "costs.schedule=\"cadence\"",
						 "costs.schedule=\"back-to-back\"" };
	for (size_t k = 0; k < 4; k++) {
		char scenario[512], out[16], path[64];
		snprintf(scenario, sizeof(scenario), SOURCE_DIR "/data/scenarios/%s", presets[k / 2]);
		snprintf(out, sizeof(out), "c%zu", k);
		struct result r = run("simulate", scenario, "--runs", "3", "--set", "iterations=4",
				      "--set", "costs.parallel_runs=2", "--set", schedules[k % 2],
				      "--start", "2027-01-15", "--out", out, "--quiet", NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		result_free(&r);
		snprintf(path, sizeof(path), "%s/monthly.csv", out);
		struct table *m = read_csv(path);
		snprintf(path, sizeof(path), "%s/costs_focus.csv", out);
		struct table *t = read_csv(path);
		double billed_all = 0, monthly_all = 0;
		for (size_t i = 1; i < m->rows; i++) {
			double billed = 0;
			for (size_t j = 1; j < t->rows; j++)
				if (!strncmp(at(t, j, "BillingPeriodStart"), at(m, i, "month"), 7))
					billed += num(t, j, "BilledCost");
			ck_assert_msg(fabs(billed - num(m, i, "usd_total")) < 0.005, "%s %s %s: "
				      "BilledCost %.6f, monthly.csv %.6f", presets[k / 2],
				      schedules[k % 2], at(m, i, "month"), billed,
				      num(m, i, "usd_total"));
			billed_all += billed;
			monthly_all += num(m, i, "usd_total");
		}
		double every = 0;
		for (size_t j = 1; j < t->rows; j++)
			every += num(t, j, "BilledCost");
		ck_assert_double_eq_tol(every, billed_all, 1e-9 * every);
		ck_assert_double_gt(monthly_all, 0);
		free_table(m);
		free_table(t);
	}
}
END_TEST

/* A run that starts on the last day of a month is split at midnight into two months. */
START_TEST(focus_month_boundary)
{
	struct result r = run("simulate", "--iterations", "40", "--start", "2026-11-30", "--out",
			      "b", "--quiet", "--set", "costs.retention_months=0", "--set",
			      "costs.schedule=\"at-once\"", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	struct table *t = read_csv("b/costs_focus.csv");
	size_t nov = 0, dec = 0;
	for (size_t i = 1; i < t->rows; i++) {
		nov += !strncmp(at(t, i, "BillingPeriodStart"), "2026-11-01", 10);
		dec += !strncmp(at(t, i, "BillingPeriodStart"), "2026-12-01", 10);
	}
	ck_assert_uint_gt(nov, 0);
	ck_assert_uint_gt(dec, 0);
	ck_assert_uint_eq(nov + dec, t->rows - 1);
	free_table(t);
	double sum;
	size_t rows;
	check_export("b", &sum, &rows);
	cJSON *s = load_json("b/summary.json");
	ck_assert_double_eq_tol(sum, json_at(s, "cost_usd.total"), 1e-6 * sum);
	cJSON_Delete(s);
}
END_TEST

/* Fleet GPU-hours are charges too; the sum still matches. */
START_TEST(focus_fleet)
{
	struct result r = run("simulate", "--iterations", "5", "--out", "f", "--quiet", "--set",
			      "fleets=[{\"name\": \"h100\", \"pricing\": \"reserved\"}]", "--set",
			      "domains.paper_review.fleet=h100", "--set",
			      "costs.schedule=\"at-once\"", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	double sum;
	size_t rows;
	check_export("f", &sum, &rows);
	cJSON *s = load_json("f/summary.json");
	ck_assert_double_eq_tol(sum, json_at(s, "cost_usd.total"), 1e-6 * sum);
	ck_assert_double_gt(json_at(s, "cost_usd.self_hosted"), 0);
	cJSON_Delete(s);
	struct table *t = read_csv("f/costs_focus.csv");
	double fleet = 0;
	for (size_t i = 1; i < t->rows; i++)
		if (!strcmp(at(t, i, "x_ChargeType"), "fleet_gpu_hours"))
			fleet += num(t, i, "BilledCost");
	s = load_json("f/summary.json");
	ck_assert_double_eq_tol(fleet, json_at(s, "cost_usd.self_hosted"), 1e-6 * fleet);
	cJSON_Delete(s);
	free_table(t);
}
END_TEST

/* A replay bills each priced call on its own dates; the sum is the replay's exact cost. */
START_TEST(focus_replay)
{
	struct result r = run("import", "dgm", SOURCE_DIR "/data/dgm-polyglot-initial", "-o",
			      "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("replay", "t.jsonl", "--out", "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	double sum;
	size_t rows;
	check_export("r", &sum, &rows);
	ck_assert_uint_eq(rows, 582); /* 253 calls: input and output, and cache reads for 76 */
	cJSON *s = load_json("r/summary.json");
	ck_assert_double_eq_tol(sum, json_at(s, "cost_usd.total"), 1e-9);
	cJSON_Delete(s);
	struct table *t = read_csv("r/costs_focus.csv");
	ck_assert_str_eq(at(t, 1, "x_Model"), "o3-mini");
	ck_assert_str_eq(at(t, 1, "ProviderName"), "openai");
	ck_assert_str_eq(at(t, 1, "BillingPeriodStart") + 7, "-01T00:00:00Z");
	free_table(t);
}
END_TEST

/* parallel_runs runs started at once are all billed: the sum is that many times one run's. */
START_TEST(focus_parallel_runs)
{
	struct result r = run("simulate", "--iterations", "5", "--out", "p", "--quiet", "--set",
			      "costs.parallel_runs=4", "--set", "costs.schedule=\"at-once\"", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	double sum;
	size_t rows;
	check_export("p", &sum, &rows);
	cJSON *s = load_json("p/summary.json");
	ck_assert_double_eq_tol(sum, 4 * json_at(s, "cost_usd.total"), 1e-6 * sum);
	cJSON_Delete(s);
	struct table *t = read_csv("p/costs_focus.csv");
	for (size_t i = 1; i < t->rows; i++)
		ck_assert_str_eq(at(t, i, "x_Source"), "forecast");
	free_table(t);
}
END_TEST

/*
 * One row per SKU, worked by hand from the embedded sheet: Claude Sonnet 4.5 at $3 input,
 * $0.30 cache read, $3.75 cache write (5 minutes) and $15 output per 1M tokens; a call of
 * 100000 input tokens (80000 cache reads, 15000 cache writes) and 5000 output tokens, with
 * no role, costs 5000 × 3 + 80000 × 0.3 + 15000 × 3.75 + 5000 × 15 = $0.17025 over 10^6.
 */
START_TEST(focus_skus)
{
	write_file("t.jsonl", "{\"hypercap_trace\": 1, \"source\": \"test\", \"created\": "
		   "\"2026-07-24T00:00:00Z\"}\n{\"type\": \"llm_call\", \"id\": \"b\", "
		   "\"start_time\": 1020, \"model\": \"claude-sonnet-4-5\", \"usage\": "
		   "{\"gen_ai.usage.input_tokens\": 100000, "
		   "\"gen_ai.usage.cache_read.input_tokens\": 80000, "
		   "\"gen_ai.usage.cache_creation.input_tokens\": 15000, "
		   "\"gen_ai.usage.output_tokens\": 5000}}\n");
	struct result r = run("replay", "t.jsonl", "--out", "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	double sum;
	size_t rows;
	check_export("r", &sum, &rows);
	ck_assert_uint_eq(rows, 4);
	ck_assert_double_eq_tol(sum, 0.17025, 1e-12);
	static const char *const sku[] = { "input", "cache-read", "cache-write-5m", "output" };
	static const double price[] = { 3, 0.3, 3.75, 15 }, tokens[] = { 5000, 80000, 15000,
									  5000 };
	struct table *t = read_csv("r/costs_focus.csv");
	for (size_t i = 0; i < 4; i++) {
		char id[128];
		snprintf(id, sizeof(id), "anthropic/claude-sonnet-4-5/%s", sku[i]);
		ck_assert_str_eq(at(t, i + 1, "SkuId"), id);
		ck_assert_double_eq(num(t, i + 1, "ListUnitPrice"), price[i]);
		ck_assert_double_eq(num(t, i + 1, "ConsumedQuantity"), tokens[i]);
		ck_assert_double_eq_tol(num(t, i + 1, "ListCost"), price[i] * tokens[i] / 1e6,
					1e-15);
		ck_assert_str_eq(at(t, i + 1, "x_Source"), "replay");
	}
	ck_assert_str_eq(at(t, 1, "ChargeDescription"), "input tokens on claude-sonnet-4-5, "
			 "call b");
	free_table(t);
}
END_TEST

/* 1-hour cache writes and reasoning (where the sheet prices it apart) are SKUs of their own. */
START_TEST(focus_skus_1h_and_reasoning)
{
	write_file("h.jsonl", "{\"hypercap_trace\": 1, \"source\": \"test\", \"created\": "
		   "\"2026-07-24T00:00:00Z\"}\n{\"type\": \"llm_call\", \"id\": \"h\", "
		   "\"start_time\": 1020, \"model\": \"claude-sonnet-4-5\", \"usage\": "
		   "{\"gen_ai.usage.input_tokens\": 100000, "
		   "\"gen_ai.usage.cache_creation.input_tokens\": 15000, "
		   "\"hypercap.usage.cache_creation_1h.input_tokens\": 10000, "
		   "\"gen_ai.usage.output_tokens\": 5000}}\n");
	struct result r = run("replay", "h.jsonl", "--out", "h", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	struct table *t = read_csv("h/costs_focus.csv");
	/* input 85,000 x $3, 5-minute writes 5,000 x $3.75, 1-hour 10,000 x $6, output 5,000 x $15 */
	static const char *const sku[] = { "input", "cache-write-5m", "cache-write-1h", "output" };
	static const double price[] = { 3, 3.75, 6, 15 }, tokens[] = { 85000, 5000, 10000, 5000 };
	double sum = 0;
	for (size_t i = 0; i < 4; i++) {
		char id[128];
		snprintf(id, sizeof(id), "anthropic/claude-sonnet-4-5/%s", sku[i]);
		ck_assert_str_eq(at(t, i + 1, "SkuId"), id);
		ck_assert_double_eq(num(t, i + 1, "ListUnitPrice"), price[i]);
		ck_assert_double_eq(num(t, i + 1, "ConsumedQuantity"), tokens[i]);
		sum += num(t, i + 1, "BilledCost");
	}
	ck_assert_double_eq_tol(sum, (85000 * 3 + 5000 * 3.75 + 10000 * 6 + 5000 * 15) / 1e6, 1e-12);
	free_table(t);

	write_file("q.jsonl", "{\"hypercap_trace\": 1, \"source\": \"test\", \"created\": "
		   "\"2026-07-24T00:00:00Z\"}\n{\"type\": \"llm_call\", \"id\": \"q\", "
		   "\"start_time\": 1020, \"model\": \"dashscope/qwen-plus-2025-04-28\", "
		   "\"usage\": {\"gen_ai.usage.input_tokens\": 1000, "
		   "\"gen_ai.usage.output_tokens\": 4000, "
		   "\"gen_ai.usage.reasoning.output_tokens\": 3000}}\n");
	r = run("replay", "q.jsonl", "--prices",
		SOURCE_DIR "/tests/fixtures/prices/litellm-parity-2026-07-24.json", "--out", "q",
		NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	t = read_csv("q/costs_focus.csv");
	/* input 1,000 x $0.4, output 1,000 x $1.2, reasoning 3,000 x $4 (per 1M tokens) */
	ck_assert_str_eq(at(t, 3, "SkuMeter"), "Reasoning Tokens");
	ck_assert_double_eq(num(t, 3, "ConsumedQuantity"), 3000);
	ck_assert_double_eq_tol(num(t, 3, "ListUnitPrice"), 4, 1e-9);
	ck_assert_double_eq(num(t, 2, "ConsumedQuantity"), 1000);
	sum = num(t, 1, "BilledCost") + num(t, 2, "BilledCost") + num(t, 3, "BilledCost");
	ck_assert_double_eq_tol(sum, (1000 * 0.4 + 1000 * 1.2 + 3000 * 4) / 1e6, 1e-12);
	free_table(t);
}
END_TEST

START_TEST(focus_bad_start)
{
	struct result r = run("simulate", "--start", "2026-02-30", "--out", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "--start '2026-02-30': expected a date YYYY-MM-DD"), "%s",
		      r.err);
	ck_assert_int_eq(exists("x"), 0);
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("focus");
	TCase *tc = tcase_create("focus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, focus_paper_preset);
	tcase_add_test(tc, focus_month_boundary);
	tcase_add_test(tc, focus_follows_the_calendar);
	tcase_add_test(tc, focus_fleet);
	tcase_add_test(tc, focus_replay);
	tcase_add_test(tc, focus_parallel_runs);
	tcase_add_test(tc, focus_skus);
	tcase_add_test(tc, focus_skus_1h_and_reasoning);
	tcase_add_test(tc, focus_bad_start);
	suite_add_tcase(s, tc);
	return check_run(s);
}
