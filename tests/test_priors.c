/*
 * test_priors: uncertain scenario fields (model/priors.c) and the sensitivity of the bill to
 * each (model/sensitivity.c). Oracles: the distributions' closed-form means and quantiles,
 * the deterministic scenario a zero-width prior must reproduce exactly, and a field that
 * enters the bill linearly (the simulator GPU price: dollars = price x GPU-hours).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/forecast.h"
#include "model/priors.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/sensitivity.h"
#include "sim/stats.h"
#include "tests/check_main.h"
#include <cjson/cJSON.h>

#define SEED 7u
#define DRAWS 10000

/*
 * A small loop without priors of its own: a meta agent and a robotics-like domain whose
 * sandbox holds a simulator GPU. The tests add priors with --set.
 */
static const char PLAIN[] =
	"{\"name\": \"plain\", \"iterations\": 4, \"evaluation\": \"full\","
	" \"self_modification\": {\"model\": \"claude-sonnet-4-5\", \"calls\": 3,"
	"  \"prompt_tokens\": {\"dist\": \"lognormal\", \"mean\": 5000, \"cv\": 0.2},"
	"  \"output_tokens\": 200, \"tool_result_tokens\": 300, \"caching\": \"off\"},"
	" \"domains\": [{\"name\": \"robotics_reward\", \"model\": \"claude-sonnet-4-5\","
	"  \"screen_tasks\": 1, \"full_tasks\": 3, \"sandbox_gpus\": 1,"
	"  \"sandbox_seconds\": {\"dist\": \"lognormal\", \"mean\": 1800, \"cv\": 0.3},"
	"  \"task\": {\"calls\": 1, \"prompt_tokens\": 700, \"output_tokens\": 300}}],"
	" \"costs\": {\"sim_gpu_hour_usd\": 2.79}}";

/* rc of PLAIN with the sets applied, as a file with them would load. */
static int plain_try(struct scenario *sc, const char *const *sets, size_t n, struct hc_err *err)
{
	cJSON *root = cJSON_Parse(PLAIN);
	ck_assert_ptr_nonnull(root);
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = scenario_apply_set(root, sets[i], err);
	if (!rc)
		rc = scenario_from_json(sc, root, "plain.json", err);
	cJSON_Delete(root);
	return rc;
}

static void load(struct scenario *sc, const char *const *sets, size_t n)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = plain_try(sc, sets, n, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
}

static int plain_try_release(const char *const *sets, size_t n, struct hc_err *err)
{
	struct scenario sc;
	int rc = plain_try(&sc, sets, n, err);
	if (!rc)
		scenario_release(&sc);
	return rc;
}

static void forecast(struct forecast *f, const struct scenario *sc, const struct price_sheet *ps,
		     unsigned runs, unsigned threads)
{
	struct hc_err err = HC_ERR_INIT;
	int rc = forecast_run(f, sc, ps, runs, threads, SEED, NULL, FORECAST_DROP, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
}

static void sheet(struct price_sheet *ps)
{
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(price_sheet_load(ps, NULL, &err) == 0, "%s", err.msg);
}

/* Draws of costs.sim_gpu_hour_usd under the prior text, one a replication. */
static double *gpu_price_draws(const char *prior)
{
	char set[300];
	snprintf(set, sizeof(set), "costs.sim_gpu_hour_usd=%s", prior);
	const char *sets[] = { set, "iterations=1" };
	struct scenario sc;
	load(&sc, sets, 2);
	double *x = malloc(DRAWS * sizeof(*x));
	ck_assert_ptr_nonnull(x);
	for (unsigned r = 0; r < DRAWS; r++) {
		struct scenario d;
		struct hc_err err = HC_ERR_INIT;
		ck_assert_msg(scenario_draw(&sc, SEED, r, &d, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(d.n_priors, 0);
		x[r] = d.costs.sim_gpu_hour_usd;
		scenario_release(&d);
	}
	scenario_release(&sc);
	return x;
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / n;
}

START_TEST(uniform_draws_have_its_mean_and_quantiles)
{
	double *x = gpu_price_draws("{\"prior\": \"uniform\", \"low\": 10, \"high\": 40}");
	/* U(10, 40): mean 25, sd 30 / sqrt(12) = 8.66, standard error 0.087 over 10,000 draws;
	 * quantile q at 10 + 30 q, standard error sqrt(q (1 - q) / n) x 30 = 0.09 at q = 0.1 */
	ck_assert_double_eq_tol(mean_of(x, DRAWS), 25, 0.35);
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.10), 13, 0.4);
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.50), 25, 0.6);
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.90), 37, 0.4);
	ck_assert(x[0] >= 10 && x[DRAWS - 1] <= 40); /* sorted by stats_quantile */
	free(x);
}
END_TEST

START_TEST(triangular_and_lognormal_draws)
{
	/* triangular (1, 2, 4): mean (1 + 2 + 4) / 3 = 7 / 3; P(X < 2) = (2 - 1) / (4 - 1) */
	double *x = gpu_price_draws("{\"prior\": \"triangular\", \"low\": 1, \"mode\": 2, "
				    "\"high\": 4}");
	ck_assert_double_eq_tol(mean_of(x, DRAWS), 7.0 / 3, 0.03);
	size_t below = 0;
	for (size_t i = 0; i < DRAWS; i++)
		below += x[i] < 2;
	ck_assert_double_eq_tol((double)below / DRAWS, 1.0 / 3, 0.02);
	free(x);
	/* lognormal with P10 2 and P90 8: median sqrt(16) = 4 */
	x = gpu_price_draws("{\"prior\": \"lognormal\", \"p10\": 2, \"p90\": 8}");
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.10), 2, 0.1);
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.50), 4, 0.12);
	ck_assert_double_eq_tol(stats_quantile(x, DRAWS, 0.90), 8, 0.4);
	free(x);
}
END_TEST

START_TEST(choice_draws_follow_the_weights)
{
	const char *sets[] = { "self_modification.caching={\"prior\": \"choice\", \"values\": "
			       "{\"off\": 0.75, \"explicit\": 0.25}}", "iterations=1" };
	struct scenario sc, d;
	struct hc_err err = HC_ERR_INIT;
	size_t explicit = 0;
	load(&sc, sets, 2);
	/* the field holds the likeliest value */
	ck_assert_int_eq(sc.self_modification.session.caching, CACHING_OFF);
	for (unsigned r = 0; r < 4000; r++) {
		ck_assert_msg(scenario_draw(&sc, SEED, r, &d, &err) == 0, "%s", err.msg);
		explicit += d.self_modification.session.caching == CACHING_EXPLICIT;
		scenario_release(&d);
	}
	/* binomial(4000, 0.25): sd 27 */
	ck_assert_uint_ge(explicit, 1000 - 110);
	ck_assert_uint_le(explicit, 1000 + 110);
	scenario_release(&sc);
}
END_TEST

/* A prior's draws come from its own stream: fixing another prior leaves them alone. */
START_TEST(fixing_one_prior_leaves_the_others_draws)
{
	const char *both[] = {
		"costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 1, \"high\": 4}",
		"costs.vcpu_hour_usd={\"prior\": \"uniform\", \"low\": 0.01, \"high\": 0.1}",
	};
	const char *one[] = { both[0], "costs.vcpu_hour_usd=0.05" };
	struct scenario a, b, da, db;
	struct hc_err err = HC_ERR_INIT;
	load(&a, both, 2);
	load(&b, one, 2);
	ck_assert_uint_eq(a.n_priors, 2);
	ck_assert_uint_eq(b.n_priors, 1);
	for (unsigned r = 0; r < 50; r++) {
		ck_assert_int_eq(scenario_draw(&a, SEED, r, &da, &err), 0);
		ck_assert_int_eq(scenario_draw(&b, SEED, r, &db, &err), 0);
		ck_assert_double_eq(da.costs.sim_gpu_hour_usd, db.costs.sim_gpu_hour_usd);
		ck_assert_double_eq(db.costs.vcpu_hour_usd, 0.05);
		scenario_release(&da);
		scenario_release(&db);
	}
	scenario_release(&a);
	scenario_release(&b);
}
END_TEST

START_TEST(zero_width_prior_is_the_deterministic_scenario)
{
	const char *plain_sets[] = { "iterations=4", "costs.sim_gpu_hour_usd=2.79" };
	const char *prior_sets[] = {
		"iterations=4",
		"costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 2.79, \"high\": 2.79}",
		"domains.robotics_reward.sandbox_seconds.mean={\"prior\": \"triangular\", "
		"\"low\": 1800, \"mode\": 1800, \"high\": 1800}",
		"self_modification.prompt_tokens.mean={\"prior\": \"lognormal\", \"p10\": 5000, "
		"\"p90\": 5000}",
		"self_modification.caching={\"prior\": \"choice\", \"values\": {\"off\": 1}}",
	};
	struct scenario plain, uncertain;
	struct price_sheet ps;
	struct forecast a, b;
	sheet(&ps);
	load(&plain, plain_sets, 2);
	load(&uncertain, prior_sets, 5);
	ck_assert_uint_eq(uncertain.n_priors, 4);
	forecast(&a, &plain, &ps, 6, 2);
	forecast(&b, &uncertain, &ps, 6, 2);
	for (unsigned r = 0; r < 6; r++)
		for (int m = 0; m < METRIC_COUNT; m++)
			ck_assert_double_eq(a.per_rep[r].metric[m], b.per_rep[r].metric[m]);
	forecast_release(&a);
	forecast_release(&b);
	scenario_release(&plain);
	scenario_release(&uncertain);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(linear_field_swing_is_price_times_gpu_hours)
{
	const char *sets[] = { "iterations=5", "costs.sim_gpu_hour_usd={\"prior\": \"uniform\", "
			       "\"low\": 1, \"high\": 4}" };
	struct scenario sc, median;
	struct price_sheet ps;
	struct sensitivity s;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;
	sheet(&ps);
	load(&sc, sets, 2);
	ck_assert_int_eq(sensitivity_run(&s, &sc, &ps, 8, 2, SEED, &err), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.rows[0].low, "1.3");
	ck_assert_str_eq(s.rows[0].high, "3.7000000000000002");
	/* the same replications at the median price: GPU-hours do not depend on the price, so
	 * the swing is (P90 - P10) x GPU-hours = (3.7 - 1.3) x mean sandbox GPU-hours */
	ck_assert_int_eq(scenario_with_value(&sc, "costs.sim_gpu_hour_usd", "2.5", &median, &err), 0);
	forecast(&f, &median, &ps, 8, 1);
	double expect = (3.7 - 1.3) * f.mean.sandbox_gpu_hours;
	ck_assert(expect > 0);
	ck_assert_double_eq_tol(sensitivity_swing(&s.rows[0], SENS_COST_USD), expect,
				1e-9 * expect);
	ck_assert_double_eq(sensitivity_swing(&s.rows[0], SENS_TOKENS), 0);
	ck_assert_double_eq(sensitivity_swing(&s.rows[0], SENS_WALL_HOURS), 0);
	forecast_release(&f);
	sensitivity_release(&s);
	scenario_release(&median);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

START_TEST(sensitivity_is_the_same_on_any_threads_and_sorted)
{
	const char *sets[] = {
		"iterations=3",
		"costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 1, \"high\": 4}",
		"domains.robotics_reward.sandbox_seconds.mean={\"prior\": \"triangular\", "
		"\"low\": 600, \"mode\": 1800, \"high\": 2700}",
		"costs.storage_usd_per_gb_month={\"prior\": \"uniform\", \"low\": 0.01, "
		"\"high\": 0.03}",
	};
	struct scenario sc;
	struct price_sheet ps;
	struct sensitivity one, two;
	struct hc_err err = HC_ERR_INIT;
	sheet(&ps);
	load(&sc, sets, 4);
	ck_assert_int_eq(sensitivity_run(&one, &sc, &ps, 5, 1, SEED, &err), 0);
	ck_assert_int_eq(sensitivity_run(&two, &sc, &ps, 5, 2, SEED, &err), 0);
	ck_assert_uint_eq(one.n, 3);
	for (size_t i = 0; i < one.n; i++) {
		ck_assert_ptr_eq(one.rows[i].prior, two.rows[i].prior);
		ck_assert(!memcmp(one.rows[i].at_low, two.rows[i].at_low,
				  sizeof(one.rows[i].at_low)));
		ck_assert(!memcmp(one.rows[i].at_high, two.rows[i].at_high,
				  sizeof(one.rows[i].at_high)));
		if (i)
			ck_assert(fabs(sensitivity_swing(&one.rows[i - 1], SENS_COST_USD)) >=
				  fabs(sensitivity_swing(&one.rows[i], SENS_COST_USD)));
	}
	ck_assert_str_eq(one.rows[2].prior->path, "costs.storage_usd_per_gb_month");
	sensitivity_release(&one);
	sensitivity_release(&two);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

/* The mean cost of the paper preset (100 runs) with one --set, the other priors drawn. */
static double paper_mean_cost_with(const char *set, const struct price_sheet *ps)
{
	const char *sets[] = { set };
	struct scenario sc;
	struct forecast f;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_msg(!scenario_load(&sc, SOURCE_DIR "/data/scenarios/hyperagents-paper.json",
				     sets, 1, &err), "%s", err.msg);
	forecast(&f, &sc, ps, 100, 2);
	double mean = f.metrics[METRIC_COST_TOTAL].mean;
	forecast_release(&f);
	scenario_release(&sc);
	return mean;
}

/*
 * Issue 16's test of the paper preset's priors: the band is many times the per-call noise
 * alone, holds the single-assumption swings the issue names (the simulator at 10 minutes, a
 * 9,000-token paper-review prompt, explicit caching), and the simulator time leads the list with caching among the first three (docs/model.md, "Priors
 * of the presets").
 */
START_TEST(paper_preset_band_holds_its_assumptions)
{
	struct scenario sc, median;
	struct price_sheet ps;
	struct sensitivity s;
	struct forecast drawn, fixed;
	struct hc_err err = HC_ERR_INIT;
	sheet(&ps);
	ck_assert_msg(!scenario_load(&sc, SOURCE_DIR "/data/scenarios/hyperagents-paper.json",
				     NULL, 0, &err), "%s", err.msg);
	ck_assert_int_eq(scenario_at_medians(&sc, &median, &err), 0);
	forecast(&drawn, &sc, &ps, 100, 2);
	forecast(&fixed, &median, &ps, 100, 2);
	ck_assert_int_eq(sensitivity_run(&s, &sc, &ps, 10, 2, SEED, &err), 0);
	const struct metric_stats *d = &drawn.metrics[METRIC_COST_TOTAL];
	const struct metric_stats *f = &fixed.metrics[METRIC_COST_TOTAL];
	ck_assert_msg(d->p90 - d->p10 > 10 * (f->p90 - f->p10), "band %.2f against %.2f",
		      d->p90 - d->p10, f->p90 - f->p10);
	ck_assert_str_eq(s.rows[0].prior->path, "domains.robotics_reward.sandbox_seconds.mean");
	int caching = -1;
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(s.rows[i].prior->path, "self_modification.caching"))
			caching = (int)i;
	ck_assert_msg(caching >= 0, "caching is not among the first three");
	ck_assert(d->p90 - d->p10 > fabs(sensitivity_swing(&s.rows[caching], SENS_COST_USD)));
	const char *swings[] = {
		"domains.robotics_reward.sandbox_seconds.mean=600",
		"domains.paper_review.task.prompt_tokens.mean=9000",
		"self_modification.caching=explicit",
	};
	for (size_t i = 0; i < sizeof(swings) / sizeof(*swings); i++) {
		double cost = paper_mean_cost_with(swings[i], &ps);
		ck_assert_msg(cost > d->p10 && cost < d->p90, "%s: %.2f outside P10-P90 %.2f - %.2f",
			      swings[i], cost, d->p10, d->p90);
	}
	/* 30 minutes, the prior's own P90, lands in the band's upper half, at its edge */
	double at_p90 = paper_mean_cost_with("domains.robotics_reward.sandbox_seconds.mean=1800", &ps);
	ck_assert_msg(at_p90 > d->p50, "30 minutes: %.2f below P50 %.2f", at_p90, d->p50);
	sensitivity_release(&s);
	forecast_release(&drawn);
	forecast_release(&fixed);
	scenario_release(&median);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

/* {"assumed": true, "value": V}: listed as assumed, the value in every draw, no swing. */
START_TEST(assumed_value_is_listed_and_fixed)
{
	const char *sets[] = {
		"domains.robotics_reward.sandbox_gpus={\"assumed\": true, \"value\": 2, "
		"\"_source\": \"a guess\"}",
		"self_modification.cache_write_ttl={\"assumed\": true, \"value\": \"1h\"}",
		"costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 1, \"high\": 4}",
	};
	struct scenario sc, d;
	struct price_sheet ps;
	struct sensitivity s;
	struct hc_err err = HC_ERR_INIT;
	sheet(&ps);
	load(&sc, sets, 3);
	ck_assert_uint_eq(sc.n_priors, 3);
	ck_assert(sc.priors[0].fixed && sc.priors[1].fixed && !sc.priors[2].fixed);
	ck_assert_double_eq(sc.domains[0].sandbox_gpus, 2);
	ck_assert_int_eq(sc.self_modification.session.cache_write_ttl, CACHE_TTL_1H);
	for (unsigned r = 0; r < 20; r++) {
		ck_assert_int_eq(scenario_draw(&sc, SEED, r, &d, &err), 0);
		ck_assert_double_eq(d.domains[0].sandbox_gpus, 2);
		ck_assert_int_eq(d.self_modification.session.cache_write_ttl, CACHE_TTL_1H);
		scenario_release(&d);
	}
	ck_assert_int_eq(sensitivity_run(&s, &sc, &ps, 2, 1, SEED, &err), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.rows[0].prior->path, "costs.sim_gpu_hour_usd");
	sensitivity_release(&s);
	scenario_release(&sc);
	price_sheet_release(&ps);
}
END_TEST

/* Each bad prior: HC_EINPUT, and the message names the path and the rule. */
START_TEST(bad_priors_name_the_path)
{
	static const struct {
		const char *set, *says;
	} cases[] = {
		{ "iterations={\"prior\": \"uniform\", \"low\": 10, \"high\": 20}",
		  "iterations: a uniform prior cannot be given here" },
		{ "domains.robotics_reward.full_tasks={\"prior\": \"uniform\", \"low\": 1, "
		  "\"high\": 3}", "domains.robotics_reward.full_tasks: a uniform prior cannot" },
		{ "self_modification.model={\"prior\": \"choice\", \"values\": {\"gpt-4o\": 1}}",
		  "self_modification.model: a choice prior cannot be given here" },
		{ "self_modification.caching={\"prior\": \"uniform\", \"low\": 0, \"high\": 1}",
		  "self_modification.caching: a uniform prior cannot be given here" },
		{ "costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 4, \"high\": 1}",
		  "costs.sim_gpu_hour_usd: a uniform prior needs numbers low <= high" },
		{ "costs.sim_gpu_hour_usd={\"prior\": \"triangular\", \"low\": 1, \"mode\": 5, "
		  "\"high\": 4}", "costs.sim_gpu_hour_usd: a triangular prior needs numbers low" },
		{ "costs.sim_gpu_hour_usd={\"prior\": \"lognormal\", \"p10\": 0, \"p90\": 4}",
		  "costs.sim_gpu_hour_usd: a lognormal prior needs numbers 0 < p10 <= p90" },
		{ "costs.sim_gpu_hour_usd={\"prior\": \"beta\", \"low\": 1}",
		  "costs.sim_gpu_hour_usd: unknown \"prior\" kind" },
		{ "costs.sim_gpu_hour_usd={\"prior\": \"uniform\", \"low\": 1, \"hi\": 4}",
		  "unknown key 'hi' for a uniform prior" },
		{ "self_modification.caching={\"prior\": \"choice\", \"values\": {\"off\": 0.5, "
		  "\"explicit\": 0.4}}", "self_modification.caching: a choice's weights sum to 1" },
		{ "self_modification.caching={\"prior\": \"choice\", \"values\": {\"off\": 0.5, "
		  "\"sometimes\": 0.5}}", "the prior at self_modification.caching" },
		{ "self_modification.cache_hit_rate={\"prior\": \"uniform\", \"low\": 0.5, "
		  "\"high\": 1.5}", "self_modification.cache_hit_rate: got 1.5; allowed: a number "
		  "from 0 to 1 (the value 1.5 of the prior at self_modification.cache_hit_rate)" },
		{ "domains.robotics_reward.sandbox_gpus={\"assumed\": false, \"value\": 1}",
		  "domains.robotics_reward.sandbox_gpus: \"assumed\" is true when given" },
		{ "domains.robotics_reward.full_tasks={\"assumed\": true, \"value\": 3}",
		  "domains.robotics_reward.full_tasks: an assumed value cannot be given here" },
		{ "self_modification.caching={\"assumed\": true, \"value\": 1}",
		  "self_modification.caching: an assumed value cannot be given here" },
		{ "domains.robotics_reward.sandbox_gpus={\"assumed\": true, \"value\": 1, "
		  "\"low\": 0}", "an assumed value takes only" },
		{ "domains.robotics_reward.sandbox_seconds.cv={\"prior\": \"lognormal\", "
		  "\"p10\": 1, \"p90\": 9}", "the prior at domains.robotics_reward.sandbox_seconds.cv" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hc_err err = HC_ERR_INIT;
		const char *sets[] = { cases[i].set };
		ck_assert_int_eq(plain_try_release(sets, 1, &err), HC_EINPUT);
		ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: %s", i, err.msg);
		ck_assert_msg(strstr(err.msg, "plain.json: "), "case %zu names no file: %s", i, err.msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("priors");
	check_add(s, "uniform_draws", uniform_draws_have_its_mean_and_quantiles, 120);
	check_add(s, "triangular_lognormal", triangular_and_lognormal_draws, 120);
	check_add(s, "choice_draws", choice_draws_follow_the_weights, 120);
	check_add(s, "own_streams", fixing_one_prior_leaves_the_others_draws, 120);
	check_add(s, "zero_width", zero_width_prior_is_the_deterministic_scenario, 120);
	check_add(s, "linear_swing", linear_field_swing_is_price_times_gpu_hours, 120);
	check_add(s, "threads", sensitivity_is_the_same_on_any_threads_and_sorted, 120);
	check_add(s, "assumed_value", assumed_value_is_listed_and_fixed, 120);
	check_add(s, "paper_preset", paper_preset_band_holds_its_assumptions, 120);
	check_add(s, "bad_priors", bad_priors_name_the_path, 120);
	return check_run(s);
}
