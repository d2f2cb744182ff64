/*
 * test_invariants: what must hold for every run, checked on runs that exercise the API, the
 * batch API and a self-hosted fleet at once (issue 8):
 *
 * - tokens by role sum to the total, and so do tokens by model, and each child's row;
 * - FOCUS BilledCost sums to summary.json's cost_usd.total;
 * - the archive's bytes are the sum of its nodes' bytes (docs/model.md, computed here from
 *   each child's compile and gate outcome);
 * - more iterations never mean fewer tokens, nor a lower cost (same seed);
 * - a higher price never means a lower cost, and prices never change tokens;
 * - re-pricing a trace at the prices it was metered with gives the metered spend.
 */
#include <math.h>
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "replay/reprice.h"
#include "reports/csvtab.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"
#include "trace/trace.h"

/* The embedded paper preset with evaluate calls of one domain batched, the other on a fleet,
 * and the meta agent caching explicitly (the preset caches nothing, as the released code
 * sends no cache markers) so that every cache rate is exercised. */
static const char *const MIXED[] = {
	"self_modification.caching=\"explicit\"",
	"fleets=[{\"name\": \"h100\", \"replicas\": 2, \"pricing\": \"reserved\"}]",
	"domains.robotics_reward.fleet=h100",
	"domains.paper_review.batch=true",
};
#define N_MIXED (sizeof(MIXED) / sizeof(MIXED[0]))

static void load_mixed(struct scenario *sc, unsigned iterations, const char *extra)
{
	const char *sets[N_MIXED + 2];
	char it[32];
	size_t n = 0;
	for (; n < N_MIXED; n++)
		sets[n] = MIXED[n];
	snprintf(it, sizeof(it), "iterations=%u", iterations);
	sets[n++] = it;
	if (extra)
		sets[n++] = extra;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(!scenario_load(sc, NULL, sets, n, &err), "%s", err.msg);
}

static void run_forecast(struct forecast *f, const struct scenario *sc,
			 const struct price_sheet *ps, unsigned runs, uint64_t seed)
{
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(!forecast_run(f, sc, ps, runs, 1, seed, NULL, NULL, &err), "%s", err.msg);
}

static void assert_usage_eq(const struct usage *a, const struct usage *b, const char *what)
{
	ck_assert_msg(a->calls == b->calls && a->input == b->input &&
		      a->cache_read == b->cache_read && a->cache_write == b->cache_write &&
		      a->output == b->output && a->reasoning == b->reasoning,
		      "%s: calls %lld/%lld input %lld/%lld cache_read %lld/%lld cache_write "
		      "%lld/%lld output %lld/%lld reasoning %lld/%lld", what,
		      (long long)a->calls, (long long)b->calls, (long long)a->input,
		      (long long)b->input, (long long)a->cache_read, (long long)b->cache_read,
		      (long long)a->cache_write, (long long)b->cache_write, (long long)a->output,
		      (long long)b->output, (long long)a->reasoning, (long long)b->reasoning);
}

static int close_to(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
}

START_TEST(tokens_by_role_and_model_sum_to_total)
{
	struct scenario sc;
	struct price_sheet ps = PRICE_SHEET_INIT;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;
	load_mixed(&sc, 8, NULL);
	ck_assert(!price_sheet_load(&ps, NULL, &err));
	run_forecast(&f, &sc, &ps, 3, 7);
	for (unsigned r = 0; r < f.runs; r++) {
		const struct loop_result *lr = &f.reps[r];
		struct usage roles = { 0 }, models = { 0 }, rows = { 0 };
		double role_cost = 0, model_cost = 0, row_cost = 0;
		for (int k = 0; k < ROLE_COUNT; k++) {
			usage_add(&roles, &lr->by_role[k]);
			role_cost += lr->cost_by_role[k];
		}
		for (size_t t = 0; t < f.models.n; t++) {
			usage_add(&models, &lr->by_model[t]);
			model_cost += lr->cost_by_model[t];
		}
		for (size_t i = 0; i < lr->n_rows * ROLE_COUNT * lr->n_targets; i++) {
			usage_add(&rows, &lr->row_usage[i]);
			row_cost += lr->row_cost[i];
		}
		ck_assert_int_gt(roles.calls, 0);
		assert_usage_eq(&roles, &models, "by role against by model");
		assert_usage_eq(&roles, &rows, "by role against the iteration rows");
		ck_assert_msg(close_to(role_cost, model_cost) && close_to(role_cost, row_cost),
			      "API USD: by role %.9f, by model %.9f, rows %.9f", role_cost,
			      model_cost, row_cost);
		/* the fleet's calls carry tokens but no API dollars */
		ck_assert_int_gt(lr->by_model[f.models.domain[1]].calls, 0);
		ck_assert(lr->cost_by_model[f.models.domain[1]] == 0);
	}
	/* the means: total = by role = by model, and total tokens = input + output */
	double role_sum = 0, model_sum = 0;
	for (int k = 0; k < ROLE_COUNT; k++)
		role_sum += f.mean.by_role[k].total;
	for (size_t t = 0; t < f.models.n; t++)
		model_sum += f.mean.by_model[t].total;
	ck_assert(close_to(role_sum, f.mean.total.total));
	ck_assert(close_to(model_sum, f.mean.total.total));
	ck_assert(close_to(f.mean.total.input + f.mean.total.output, f.mean.total.total));
	forecast_release(&f);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(focus_billed_cost_sums_to_total)
{
	struct result r = run("simulate", "--iterations", "6", "--runs", "3", "--seed", "5",
			      "--set", MIXED[0], "--set", MIXED[1], "--set", MIXED[2], "--set",
			      "costs.schedule=\"at-once\"", "--start", "2026-01-31", "--out", "o",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	int col;
	ck_assert_msg(!csvtab_load(&t, path_in("o/costs_focus.csv"), &err), "%s", err.msg);
	ck_assert(!csvtab_need(&t, "BilledCost", &col, &err));
	double billed = 0;
	for (size_t row = 0; row < t.n_rows; row++) {
		double v;
		ck_assert_msg(!csvtab_num(&t, row, col, &v, &err), "%s", err.msg);
		billed += v;
	}
	csvtab_release(&t);
	cJSON *summary = load_json("o/summary.json");
	double total = json_at(summary, "cost_usd.total");
	ck_assert_msg(fabs(billed - total) <= 1e-6 * total, "BilledCost sums to %.9f; "
		      "cost_usd.total is %.9f", billed, total);
	/* the fleet's GPU-hours are in the bill: the total is more than the API's */
	ck_assert_double_gt(total, json_at(summary, "cost_usd.api") + 1);
	cJSON_Delete(summary);
}
END_TEST

/*
 * A node's bytes (docs/model.md): patch + node_metadata_bytes + artifact_bytes per task it
 * was evaluated on: none when it failed the compile check, the screens when it failed the
 * gate, else the full sets; the root adds root_bytes. Constants make every term known.
 */
START_TEST(archive_bytes_are_the_sum_of_node_bytes)
{
	static const char *const sets[] = {
		"iterations=12", "children_per_iteration=3", "evaluation=staged",
		"self_modification.compile_failure_rate=0.3", "self_modification.patch_bytes=7000",
		"archive.root_bytes=1000000", "archive.node_metadata_bytes=300",
		"domains.paper_review.artifact_bytes=11",
		"domains.robotics_reward.artifact_bytes=13",
		"domains.paper_review.gate_min_passed=3",
	};
	struct scenario sc;
	struct price_sheet ps = PRICE_SHEET_INIT;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(!scenario_load(&sc, NULL, sets, sizeof(sets) / sizeof(sets[0]), &err), "%s",
		      err.msg);
	ck_assert(!price_sheet_load(&ps, NULL, &err));
	run_forecast(&f, &sc, &ps, 4, 3);
	double screen = 0, full = 0;
	for (size_t d = 0; d < sc.n_domains; d++) {
		double art = d == 0 ? 11 : 13;
		screen += sc.domains[d].screen_tasks * art;
		full += sc.domains[d].full_tasks * art;
	}
	unsigned failed_compiles = 0, failed_gates = 0;
	for (unsigned r = 0; r < f.runs; r++) {
		const struct loop_result *lr = &f.reps[r];
		double bytes = 1000000; /* root_bytes; the root's own row adds the rest */
		for (size_t i = 0; i < lr->n_rows; i++) {
			const struct iteration_row *row = &lr->rows[i];
			int is_root = row->parent < 0;
			bytes += 300 + (is_root ? 0 : 7000);
			if (!row->compiled)
				failed_compiles++;
			else if (row->gate == 0)
				failed_gates++, bytes += screen;
			else
				bytes += full;
			ck_assert_msg(close_to(row->archive_bytes, bytes), "replication %u row "
				      "%zu: archive_bytes %.0f, the nodes so far sum to %.0f", r,
				      i, row->archive_bytes, bytes);
		}
		ck_assert_uint_eq(lr->archive_nodes, lr->n_rows);
		ck_assert(close_to(lr->archive_bytes, bytes));
	}
	/* every branch of the node's bytes was taken */
	ck_assert_uint_gt(failed_compiles, 0);
	ck_assert_uint_gt(failed_gates, 0);
	forecast_release(&f);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(more_iterations_never_fewer_tokens)
{
	static const unsigned its[] = { 0, 1, 2, 3, 5, 8, 13, 21 };
	struct price_sheet ps = PRICE_SHEET_INIT;
	struct hc_err err = HC_ERR_INIT;
	ck_assert(!price_sheet_load(&ps, NULL, &err));
	for (uint64_t seed = 1; seed <= 3; seed++) {
		double last_tokens[ROLE_COUNT] = { 0 }, last_cost = 0;
		for (size_t i = 0; i < sizeof(its) / sizeof(its[0]); i++) {
			struct scenario sc;
			struct forecast f;
			load_mixed(&sc, its[i], "evaluation=staged");
			run_forecast(&f, &sc, &ps, 2, seed);
			for (int k = 0; k < ROLE_COUNT; k++) {
				double tokens = f.mean.by_role[k].total;
				ck_assert_msg(tokens >= last_tokens[k], "seed %llu, role %d: %u "
					      "iterations give %.0f tokens, fewer iterations %.0f",
					      (unsigned long long)seed, k, its[i], tokens,
					      last_tokens[k]);
				last_tokens[k] = tokens;
			}
			ck_assert_msg(f.mean.cost_total >= last_cost, "seed %llu: %u iterations "
				      "cost %.6f, fewer %.6f", (unsigned long long)seed, its[i],
				      f.mean.cost_total, last_cost);
			last_cost = f.mean.cost_total;
			forecast_release(&f);
			scenario_release(&sc);
		}
		ck_assert_double_gt(last_tokens[ROLE_SELF_MODIFY], 0);
	}
	price_sheet_release(&ps);
}
END_TEST

/* Every model's rate in field fi times factor (unknown rates stay unknown). */
static void scale_rate(struct price_sheet *ps, const struct price_field *fi, double factor)
{
	for (size_t m = 0; m < ps->n_models; m++) {
		double *v = (double *)(void *)((char *)&ps->models[m] + fi->offset);
		*v *= factor;
	}
}

/* The rates MIXED uses: its self-modification input is all cache reads and writes. */
static int used_by_mixed(const char *key)
{
	static const char *const used[] = { "output", "cache_read", "cache_write_1h",
					    "batch_input", "batch_output", NULL };
	for (size_t i = 0; used[i]; i++)
		if (!strcmp(key, used[i]))
			return 1;
	return 0;
}

START_TEST(higher_price_never_lower_cost)
{
	struct scenario sc;
	struct price_sheet base = PRICE_SHEET_INIT;
	struct forecast f0;
	struct hc_err err = HC_ERR_INIT;
	/* explicit caching with 1-hour writes, batched and fleet-served evaluation */
	load_mixed(&sc, 6, "self_modification.cache_write_ttl=1h");
	ck_assert(!price_sheet_load(&base, NULL, &err));
	run_forecast(&f0, &sc, &base, 2, 11);
	for (const struct price_field *fi = price_fields; fi->key; fi++) {
		if (!fi->is_rate)
			continue;
		struct price_sheet ps = PRICE_SHEET_INIT;
		struct forecast f;
		ck_assert(!price_sheet_load(&ps, NULL, &err));
		scale_rate(&ps, fi, 1.5);
		run_forecast(&f, &sc, &ps, 2, 11);
		for (unsigned r = 0; r < f.runs; r++) {
			const struct loop_result *a = &f0.reps[r], *b = &f.reps[r];
			for (int k = 0; k < ROLE_COUNT; k++)
				assert_usage_eq(&a->by_role[k], &b->by_role[k], fi->key);
			double ca = a->cost_by_role[0] + a->cost_by_role[1];
			double cb = b->cost_by_role[0] + b->cost_by_role[1];
			ck_assert_msg(cb >= ca, "%s x 1.5: API cost %.9f, at the old rate %.9f",
				      fi->key, cb, ca);
			/* a rate the run uses must show; the others must change nothing */
			ck_assert_msg(used_by_mixed(fi->key) ? cb > ca : cb == ca,
				      "%s x 1.5: API cost %.9f, at the old rate %.9f", fi->key, cb,
				      ca);
		}
		forecast_release(&f);
		price_sheet_release(&ps);
	}
	forecast_release(&f0);
	scenario_release(&sc);
	price_sheet_release(&base);
}
END_TEST

/* One call of the constructed trace: its usage and what it was billed, worked by hand. */
struct metered {
	const char *model;
	long long input, cache_read, cache_write, output, reasoning;
	double usd;
};

/*
 * At the rates of data/prices/api-2026-07-24.json, USD per 1M tokens:
 * gpt-4o in 2.5, cached 1.25, out 10; claude-sonnet-4-5 in 3, cache read 0.3, write 3.75,
 * out 15, and above 200k input in 6, out 22.5; o3-mini in 1.1, out 4.4.
 */
static const struct metered METERED[] = {
	/* (6000 x 2.5 + 4000 x 1.25 + 2000 x 10) / 1e6 */
	{ "gpt-4o", 10000, 4000, 0, 2000, 0, 0.04 },
	/* (10000 x 3 + 30000 x 0.3 + 10000 x 3.75 + 3000 x 15) / 1e6 */
	{ "claude-sonnet-4-5", 50000, 30000, 10000, 3000, 1000, 0.1215 },
	/* (1000 x 1.1 + 5000 x 4.4) / 1e6; reasoning bills as output */
	{ "o3-mini", 1000, 0, 0, 5000, 4000, 0.0231 },
	/* past 200k input, every token at the long-context rates: 250000 x 6 + 1000 x 22.5 */
	{ "anthropic/claude-sonnet-4-5-20250929", 250000, 0, 0, 1000, 0, 1.5225 },
};
#define N_METERED (sizeof(METERED) / sizeof(METERED[0]))

START_TEST(reprice_at_metered_prices_gives_metered_spend)
{
	char path[300];
	struct trace_writer w;
	struct hc_err err = HC_ERR_INIT;
	double metered = 0;
	snprintf(path, sizeof(path), "%s/metered.jsonl", workdir);
	ck_assert(!trace_writer_open(&w, path, "test", "2026-01-01T00:00:00Z", &err));
	for (size_t i = 0; i < N_METERED; i++) {
		const struct metered *m = &METERED[i];
		struct trace_record rec;
		trace_record_init(&rec, TRACE_LLM_CALL);
		struct trace_llm_call *c = &rec.u.call;
		snprintf(c->model, sizeof(c->model), "%s", m->model);
		snprintf(c->role, sizeof(c->role), "%s", i % 2 ? "evaluate" : "self_modify");
		c->has_usage = 1;
		c->usage = (struct usage){ 1, m->input, m->cache_read, m->cache_write, m->output,
					   m->reasoning, 0 };
		ck_assert_msg(!trace_writer_put(&w, &rec, &err), "%s", err.msg);
		metered += m->usd;
	}
	ck_assert(!trace_writer_commit(&w, &err));

	struct price_sheet ps = PRICE_SHEET_INIT;
	struct trace_reader r;
	struct reprice rp;
	ck_assert(!price_sheet_load(&ps, NULL, &err));
	ck_assert(!trace_reader_open(&r, path, 0, &err));
	reprice_init(&rp, &ps);
	ck_assert_msg(!reprice_trace(&rp, &r, NULL, NULL, &err), "%s", err.msg);
	trace_reader_close(&r);
	ck_assert_uint_eq(rp.calls, N_METERED);
	ck_assert_msg(fabs(rp.cost - metered) < 1e-12, "re-priced %.12f, metered %.12f", rp.cost,
		      metered);
	double by_role = 0;
	for (size_t g = 0; g < rp.by[REPRICE_ROLE].n; g++)
		by_role += rp.by[REPRICE_ROLE].v[g].cost;
	ck_assert(close_to(by_role, metered));
	reprice_release(&rp);
	price_sheet_release(&ps);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("invariants");
	check_add(s, "tokens_by_role_and_model_sum_to_total",
		  tokens_by_role_and_model_sum_to_total, 60);
	check_add(s, "archive_bytes_are_the_sum_of_node_bytes",
		  archive_bytes_are_the_sum_of_node_bytes, 60);
	check_add(s, "more_iterations_never_fewer_tokens", more_iterations_never_fewer_tokens,
		  120);
	check_add(s, "higher_price_never_lower_cost", higher_price_never_lower_cost, 120);
	TCase *tc = tcase_create("with_workdir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, focus_billed_cost_sums_to_total);
	tcase_add_test(tc, reprice_at_metered_prices_gives_metered_spend);
	suite_add_tcase(s, tc);
	return check_run(s);
}
