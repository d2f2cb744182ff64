/*
 * Fitting: the maximum-likelihood fits against closed forms and an independent computation,
 * the trace-level fit on hand-made records, and the accuracy docs/fit.md reports:
 * self-consistency on DGM's logs, the screen-to-full backtest, and a synthetic trace's
 * first half forecasting its second. Then `hypercap fit` end to end.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include "base/jsonfile.h"
#include "fit/fit.h"
#include "fit/fitbase.h"
#include "fit/fitboot.h"
#include "fit/fitdist.h"
#include "import/import.h"
#include "model/forecast.h"
#include "model/priors.h"
#include "model/session.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define DGM_DIR SOURCE_DIR "/data/dgm-polyglot-initial"
#define FIX SOURCE_DIR "/tests/fixtures/"
#define DGM_TOTAL 643294.0 /* data/README.md */
#define DGM_INPUT 410728.0
#define DGM_CACHED 122856.0
#define DGM_OUTPUT 232566.0

/* ---- maximum likelihood ------------------------------------------------------------------ */

/* x = e^0, e^1, e^2, e^3: mu = 1.5, sigma^2 = 1.25 (population variance of 0, 1, 2, 3). */
START_TEST(lognormal_mle_is_the_closed_form)
{
	double x[] = { 1, exp(1), exp(2), exp(3) };
	struct fitdist_candidate c;
	fitdist_lognormal(x, 4, &c);
	ck_assert_int_eq(c.fitted, 1);
	ck_assert_double_eq_tol(c.p1, 1.5, 1e-12);
	ck_assert_double_eq_tol(c.p2, sqrt(1.25), 1e-12);
	ck_assert_double_eq_tol(c.mean, exp(1.5 + 1.25 / 2), 1e-9);
	ck_assert_double_eq_tol(c.cv, sqrt(expm1(1.25)), 1e-12);
	double ll = 0;
	for (int i = 0; i < 4; i++)
		ll += log(gsl_ran_lognormal_pdf(x[i], 1.5, sqrt(1.25)));
	ck_assert_double_eq_tol(c.loglik, ll, 1e-9);
	ck_assert_double_eq_tol(c.aic, 4 - 2 * ll, 1e-9);
}
END_TEST

/*
 * The reference values below were computed once, independently of this code, with mpmath
 * at 30 digits (Python 3.11, mpmath 1.3.0):
 *   k = findroot(log(k) - digamma(k) - (log(mean) - mean(log x)), 1.5); theta = mean / k
 *   loglik = sum((k-1) log x - x/theta - loggamma(k) - k log theta)
 *   KS = max_i max((i+1)/n - F(x_i), F(x_i) - i/n), F = gammainc(k, 0, x/theta, regularized)
 * and the same for the lognormal (mu, sigma, loglik) and the exponential (loglik, KS).
 */
static double sample12[] = { 0.42, 1.31, 2.07, 0.88, 3.64, 1.15, 5.21, 0.27, 2.93, 1.76,
			     0.65, 4.02 };

START_TEST(gamma_mle_matches_an_independent_computation)
{
	struct fitdist_candidate c;
	ck_assert_int_eq(fitdist_gamma(sample12, 12, &c), 0);
	ck_assert_double_eq_tol(c.p1, 1.611421150024547, 1e-9);
	ck_assert_double_eq_tol(c.p2, 1.257171865531536, 1e-9);
	ck_assert_double_eq_tol(c.loglik, -19.75385663215790, 1e-9);
	ck_assert_double_eq_tol(c.mean, 2.025833333333333, 1e-12);
	double sorted[12];
	memcpy(sorted, sample12, sizeof(sorted));
	struct fitdist fd;
	ck_assert_int_eq(fitdist_continuous(&fd, sorted, 12, NULL), 0);
	ck_assert_double_eq_tol(fd.cand[FITDIST_GAMMA].ks, 0.1090876785306947, 1e-9);
	ck_assert_double_eq_tol(fd.cand[FITDIST_LOGNORMAL].p1, 0.3646707653082136, 1e-12);
	ck_assert_double_eq_tol(fd.cand[FITDIST_LOGNORMAL].p2, 0.8897235073626085, 1e-12);
	ck_assert_double_eq_tol(fd.cand[FITDIST_LOGNORMAL].loglik, -20.00117721726699, 1e-9);
	ck_assert_double_eq_tol(fd.cand[FITDIST_EXPONENTIAL].loglik, -20.47177366248038, 1e-9);
	ck_assert_double_eq_tol(fd.cand[FITDIST_EXPONENTIAL].ks, 0.1247786789101667, 1e-9);
	/* AIC: exponential 42.94 < gamma 43.51 < lognormal 44.00: one parameter fewer wins */
	ck_assert_int_eq(fd.chosen, FITDIST_EXPONENTIAL);
	ck_assert_int_eq(fd.dist.kind, DIST_EXPONENTIAL);
	ck_assert_double_eq_tol(fd.dist.a, 2.025833333333333, 1e-12);
	fitdist_release(&fd);
}
END_TEST

/* Large samples of a known family: AIC picks it and the fit recovers mean and cv. */
START_TEST(aic_picks_the_family_that_made_the_data)
{
	static const struct dist truth[] = {
		{ .kind = DIST_LOGNORMAL, .a = 100, .b = 0.8 },
		{ .kind = DIST_GAMMA, .a = 100, .b = 0.5 },
		{ .kind = DIST_EXPONENTIAL, .a = 100 },
	};
	static const int family[] = { FITDIST_LOGNORMAL, FITDIST_GAMMA, FITDIST_EXPONENTIAL };
	enum { N = 20000 };
	static double x[N];
	for (int t = 0; t < 3; t++) {
		struct rng r;
		struct fitdist fd;
		ck_assert_int_eq(rng_init(&r, 7, (uint64_t)t), 0);
		for (int i = 0; i < N; i++)
			x[i] = dist_sample(&truth[t], &r);
		rng_release(&r);
		ck_assert_int_eq(fitdist_continuous(&fd, x, N, NULL), 0);
		/* an exponential is a gamma of shape 1: the gamma's extra parameter may win */
		if (t == 2 && fd.chosen == FITDIST_GAMMA)
			ck_assert_double_eq_tol(fd.dist.b, 1, 0.02);
		else
			ck_assert_int_eq(fd.chosen, family[t]);
		ck_assert_double_eq_tol(fd.dist.a, 100, 3);
		if (t < 2)
			ck_assert_double_eq_tol(fd.dist.b, truth[t].b, 0.03);
		ck_assert_double_lt(fd.cand[family[t]].ks, 0.01);
		fitdist_release(&fd);
	}
}
END_TEST

/* DGM's calls per task (docs/calibration.md): 9 distinct values, fitted best as they are. */
START_TEST(few_distinct_counts_stay_empirical)
{
	static const int hist[][2] = { { 1, 2 }, { 3, 20 }, { 4, 23 }, { 5, 5 }, { 6, 3 },
				       { 8, 2 }, { 9, 2 }, { 10, 1 }, { 14, 1 } };
	double x[59];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(hist) / sizeof(hist[0]); i++)
		for (int j = 0; j < hist[i][1]; j++)
			x[n++] = hist[i][0];
	ck_assert_uint_eq(n, 59);
	struct fitdist fd;
	ck_assert_int_eq(fitdist_count(&fd, x, n, 1000, NULL), 0);
	ck_assert_int_eq(fd.chosen, FITDIST_EMPIRICAL);
	/* log-likelihood sum n_k ln(n_k / n), 8 parameters */
	double ll = 0;
	for (size_t i = 0; i < sizeof(hist) / sizeof(hist[0]); i++)
		ll += hist[i][1] * log(hist[i][1] / 59.0);
	ck_assert_double_eq_tol(fd.cand[FITDIST_EMPIRICAL].loglik, ll, 1e-9);
	ck_assert_double_eq_tol(fd.cand[FITDIST_EMPIRICAL].aic, 16 - 2 * ll, 1e-9);
	ck_assert_double_gt(fd.cand[FITDIST_LOGNORMAL].aic, fd.cand[FITDIST_EMPIRICAL].aic);
	ck_assert_uint_eq(fd.dist.n, 59);
	struct fitdist_count_moments m;
	ck_assert_int_eq(fitdist_count_moments(&fd.dist, 1000, &m), 0);
	ck_assert_double_eq_tol(m.k, 255.0 / 59, 1e-12);
	fitdist_release(&fd);
}
END_TEST

/* Many counts from a smooth family: the smooth family beats 40-odd empirical parameters. */
START_TEST(many_counts_get_a_smooth_family)
{
	enum { N = 5000 };
	static double x[N];
	struct dist d = { .kind = DIST_GAMMA, .a = 20, .b = 0.5 };
	struct rng r;
	ck_assert_int_eq(rng_init(&r, 3, 0), 0);
	for (int i = 0; i < N; i++)
		x[i] = fmax(1, round(dist_sample(&d, &r)));
	rng_release(&r);
	struct fitdist fd;
	ck_assert_int_eq(fitdist_count(&fd, x, N, 1000, NULL), 0);
	ck_assert_int_eq(fd.chosen, FITDIST_GAMMA);
	ck_assert_double_eq_tol(fd.dist.b, 0.5, 0.03);
	fitdist_release(&fd);
}
END_TEST

/* Capped means and count moments against Monte Carlo draws through session_draw_count. */
START_TEST(capped_mean_and_count_moments_match_draws)
{
	const struct dist ds[] = {
		{ .kind = DIST_LOGNORMAL, .a = 1000, .b = 5 },
		{ .kind = DIST_GAMMA, .a = 1000, .b = 2 },
		{ .kind = DIST_EXPONENTIAL, .a = 1000 },
	};
	struct rng r;
	ck_assert_int_eq(rng_init(&r, 11, 0), 0);
	for (int t = 0; t < 3; t++) {
		double sum = 0, k = 0, pairs = 0, pairs1 = 0;
		enum { N = 400000 };
		for (int i = 0; i < N; i++)
			sum += fmin(dist_sample(&ds[t], &r), 5000);
		ck_assert_double_eq_tol(fitdist_capped_mean(&ds[t], 5000) / (sum / N), 1, 0.01);
		struct dist calls = ds[t];
		calls.a = 5; /* counts: mean 5, capped at 12 */
		struct fitdist_count_moments m;
		ck_assert_int_eq(fitdist_count_moments(&calls, 12, &m), 0);
		for (int i = 0; i < N; i++) {
			double kk = fmin(session_draw_count(&calls, &r, 1), 12);
			k += kk;
			pairs += kk * (kk - 1) / 2;
			pairs1 += (kk - 1) * (kk - 2) / 2;
		}
		ck_assert_double_eq_tol(m.k / (k / N), 1, 0.01);
		ck_assert_double_eq_tol(m.pairs / (pairs / N), 1, 0.02);
		ck_assert_double_eq_tol(m.pairs1 / (pairs1 / N), 1, 0.03);
		ck_assert_double_eq_tol(m.k1, m.k - 1, 1e-12);
	}
	rng_release(&r);
	/* matching: the mean that makes the capped mean 900 under a cap of 5000 */
	struct dist d = ds[0];
	d.a = 900;
	ck_assert_int_eq(fitdist_match_capped_mean(&d, 900, 5000, 1e6), 0);
	ck_assert_double_gt(d.a, 900);
	ck_assert_double_eq_tol(fitdist_capped_mean(&d, 5000), 900, 1e-6);
}
END_TEST

START_TEST(zeros_count_in_the_mean_not_the_likelihood)
{
	double x[] = { 0, 0, 10, 20, 30, 40 };
	struct fitdist fd;
	ck_assert_int_eq(fitdist_continuous(&fd, x, 6, NULL), 0);
	ck_assert_uint_eq(fd.n_zero, 2);
	ck_assert_double_eq_tol(fd.mean, 100.0 / 6, 1e-12);
	ck_assert_double_eq_tol(fd.dist.a, 100.0 / 6, 1e-12);
	ck_assert_double_eq_tol(fd.cand[FITDIST_EXPONENTIAL].p1, 25, 1e-12);
	fitdist_release(&fd);
	double same[] = { 0, 7, 7 };
	ck_assert_int_eq(fitdist_continuous(&fd, same, 3, NULL), 0);
	ck_assert_int_eq(fd.chosen, FITDIST_CONST);
	ck_assert_int_eq(fd.dist.kind, DIST_CONST);
	ck_assert_double_eq_tol(fd.dist.a, 14.0 / 3, 1e-12);
	fitdist_release(&fd);
}
END_TEST

/* ---- the trace-level fit ---------------------------------------------------------------- */

static void add_call(struct fit *f, const char *node, const char *role, const char *task,
		     long iteration, int64_t in, int64_t cached, int64_t written, int64_t out,
		     int64_t reasoning, double start, double end)
{
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	trace_record_init(&rec, TRACE_LLM_CALL);
	struct trace_llm_call *c = &rec.u.call;
	strcpy(c->run, "r");
	strcpy(c->node, node);
	strcpy(c->role, role);
	strcpy(c->task, task);
	strcpy(c->domain, strcmp(role, "evaluate") ? "" : "code.v2");
	strcpy(c->model, strcmp(role, "evaluate") ? "claude-sonnet-4-5" : "gpt-4o");
	c->iteration = iteration;
	c->has_usage = 1;
	c->usage = (struct usage){ 1, in, cached, written, out, reasoning, 0 };
	c->start_time = start;
	c->end_time = end;
	ck_assert_int_eq(fit_add(f, &rec, &err), 0);
}

static void add_task(struct fit *f, const char *node, const char *task, const char *result,
		     double seconds)
{
	struct trace_record rec;
	trace_record_init(&rec, TRACE_EVAL_TASK);
	strcpy(rec.u.task.node, node);
	strcpy(rec.u.task.domain, "code.v2");
	strcpy(rec.u.task.task, task);
	strcpy(rec.u.task.result, result);
	rec.u.task.sandbox_seconds = seconds;
	ck_assert_int_eq(fit_add(f, &rec, NULL), 0);
}

static const cJSON *field(const struct fit_result *res, const char *path)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(res->report, "fields"), path);
	ck_assert_msg(e != NULL, "the report has no field %s", path);
	return e;
}

static int defaulted(const struct fit_result *res, const char *path)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(res->report, "defaulted"))
		if (!strcmp(e->valuestring, path))
			return 1;
	return 0;
}

/* The typed summary says what the report says: fields in order, fits, checks, defaulted. */
static void check_summary(const struct fit_result *res)
{
	const struct fit_summary *s = &res->summary;
	const cJSON *e, *fields = cJSON_GetObjectItemCaseSensitive(res->report, "fields");
	size_t i = 0;
	ck_assert_uint_eq(s->n_fields, (size_t)cJSON_GetArraySize(fields));
	cJSON_ArrayForEach(e, fields) {
		const struct fit_field *fl = &s->fields[i++];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "value");
		ck_assert_str_eq(fl->path, e->string);
		ck_assert_int_eq(fl->kind, cJSON_IsString(v) ? FIT_TEXT :
					   cJSON_IsNumber(v) ? FIT_NUMBER : FIT_DIST);
		if (fl->kind == FIT_NUMBER)
			ck_assert_double_eq(fl->number, v->valuedouble);
		ck_assert_int_eq(fl->fitted, cJSON_GetObjectItemCaseSensitive(e, "n") != NULL);
		if (fl->fitted)
			ck_assert_str_eq(fitdist_family_name(fl->fit.chosen),
					 json_get_str(e, "chosen", NULL));
	}
	ck_assert_uint_eq(s->n_checks, (size_t)cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(res->report, "checks")));
	ck_assert_uint_eq(s->n_defaulted, (size_t)cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(res->report, "defaulted")));
	const cJSON *costly = cJSON_GetObjectItemCaseSensitive(res->report, "defaulted_cost");
	ck_assert_uint_eq(s->n_cost_defaulted, (size_t)cJSON_GetArraySize(costly));
	i = 0;
	cJSON_ArrayForEach(e, costly) {
		char *text = cJSON_PrintUnformatted(e);
		ck_assert_str_eq(s->cost_defaulted[i].path, e->string);
		ck_assert_str_eq(s->cost_defaulted[i++].value, text);
		free(text);
	}
	ck_assert_uint_eq(s->calls_fitted, 7);
	ck_assert_str_eq(s->trace, "hand.jsonl");
}

/*
 * Two children of iteration 1 (a, b) and their evaluation; b never got evaluated (a compile
 * failure). The meta agent's sessions: a 2 calls, b 3 calls, explicit caching.
 */
START_TEST(records_become_sessions_and_fields)
{
	struct fit f;
	struct scenario base;
	struct fit_result res;
	struct hc_err err = HC_ERR_INIT;
	fit_init(&f);
	/* session a: 1000 in; then 1000 + (300 - 100) visible + 50 tool result = 1250 */
	add_call(&f, "a", "self_modify", "", 1, 1000, 0, 1000, 300, 100, 0, 10);
	add_call(&f, "a", "self_modify", "", 1, 1250, 1000, 250, 200, 0, 12, 20);
	/* session b: 2000; 2000 + 400 + 100 = 2500; 2500 + 100 + 0 = 2600 */
	add_call(&f, "b", "self_modify", "", 1, 2000, 0, 2000, 400, 0, 0, 5);
	add_call(&f, "b", "self_modify", "", 1, 2500, 2000, 500, 100, 0, 9, 15);
	add_call(&f, "b", "self_modify", "", 1, 2600, 2500, 100, 100, 0, 15, 16);
	/* a's evaluation: 2 tasks of one call each, 1 pass */
	add_call(&f, "a", "evaluate", "t1", 1, 500, 0, 0, 50, 0, 30, 31);
	add_call(&f, "a", "evaluate", "t2", 1, 700, 0, 0, 70, 0, 30, 31);
	add_task(&f, "a", "t1", "pass", 10);
	add_task(&f, "a", "t2", "fail", 30);
	/* a role hypercap does not model, and a call without usage: counted, left out */
	add_call(&f, "a", "judge", "", 1, 9, 0, 0, 9, 0, 0, 1);
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	strcpy(rec.u.call.role, "self_modify");
	ck_assert_int_eq(fit_add(&f, &rec, &err), 0);

	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_msg(fit_build(&f, &base, "hand", "hand.jsonl", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f.other_roles, 1);
	ck_assert_uint_eq(f.no_usage, 1);
	ck_assert_uint_eq(f.selfmod.sessions, 2);
	/* tool results: a 50; b 100 and 0 (sorted by the fit). tool seconds: 2, 4, 0 */
	ck_assert_uint_eq(f.selfmod.tool_result.n, 3);
	ck_assert_double_eq(f.selfmod.tool_result.v[0], 0);
	ck_assert_double_eq(f.selfmod.tool_result.v[1], 50);
	ck_assert_double_eq(f.selfmod.tool_result.v[2], 100);
	ck_assert_uint_eq(f.selfmod.tool_seconds.n, 3);

	const struct session_params *sm = &res.sc.self_modification.session;
	ck_assert_int_eq(sm->caching, CACHING_EXPLICIT);
	ck_assert_double_eq_tol(sm->reasoning_fraction, 100.0 / 1100, 1e-6);
	ck_assert_int_eq(sm->calls.kind, DIST_EMPIRICAL); /* 2 and 3 */
	ck_assert_double_eq_tol(dist_mean(&sm->prompt_tokens), 1500, 1e-9);
	/*
	 * Calibration by hand. K in {2, 3}: E[K] = 2.5, E[K(K-1)/2] = 2, E[K-1] = 1.5,
	 * E[(K-1)(K-2)/2] = 0.5. Observed input per session (1000 + 1250 + 2000 + 2500 + 2600)
	 * / 2 = 4675; v = (1 - 100/1100) x 220 = 200. r = (4675 - 2.5 x 1500) / 2 - 200 = 262.5.
	 * Cache reads per session 5500 / 2 = 2750 = h (1.5 x 1500 + 0.5 x 462.5): h = 1.108,
	 * more than the model can read: clamped to 1.
	 */
	ck_assert_double_eq_tol(dist_mean(&sm->tool_result_tokens), 262.5, 1e-3);
	ck_assert_double_eq(sm->cache_hit_rate, 1);
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(
		field(&res, "self_modification.cache_hit_rate"), "note"));
	ck_assert_str_eq(res.sc.self_modification.model, "claude-sonnet-4-5");
	ck_assert_double_eq_tol(res.sc.self_modification.compile_failure_rate, 0.5, 1e-12);
	ck_assert_uint_eq(res.sc.iterations, 1);
	ck_assert_uint_eq(res.sc.children_per_iteration, 2);

	ck_assert_uint_eq(res.sc.n_domains, 1);
	const struct domain *d = &res.sc.domains[0];
	ck_assert_str_eq(d->name, "code_v2"); /* '.' is not allowed in a domain name */
	ck_assert_str_eq(d->model, "gpt-4o");
	ck_assert_uint_eq(d->full_tasks, 2);
	ck_assert_uint_eq(d->screen_tasks, 2); /* the base's 10, capped at full_tasks */
	ck_assert_double_eq_tol(d->initial_score, 0.5, 1e-12);
	ck_assert_double_eq_tol(dist_mean(&d->sandbox_seconds), 20, 1e-9);
	ck_assert_int_eq(d->task.calls.kind, DIST_CONST);

	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(
		field(&res, "self_modification.calls"), "candidates"));
	ck_assert_int_eq(defaulted(&res, "archive.root_bytes"), 1);
	ck_assert_int_eq(defaulted(&res, "domains.code_v2.eval_workers"), 1);
	ck_assert_int_eq(defaulted(&res, "self_modification.calls"), 0);
	ck_assert_int_eq(defaulted(&res, "domains.code_v2.initial_score"), 0);
	check_summary(&res);
	fit_result_release(&res);
	scenario_release(&base);
	fit_release(&f);
}
END_TEST

START_TEST(nothing_to_fit_is_bad_input)
{
	struct fit f;
	struct scenario base;
	struct fit_result res;
	struct hc_err err = HC_ERR_INIT;
	fit_init(&f);
	add_call(&f, "a", "", "", -1, 10, 0, 0, 1, 0, NAN, NAN);
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_int_eq(fit_build(&f, &base, "x", "t.jsonl", &res, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "t.jsonl: nothing to fit") && strstr(err.msg, "1 calls of "
		      "other roles"), "%s", err.msg);
	fit_result_release(&res);
	scenario_release(&base);
	fit_release(&f);
}
END_TEST

/* A fitted value out of a scenario's bounds is bad input naming the field. */
START_TEST(out_of_bounds_fit_names_the_field)
{
	struct fit f;
	struct scenario base;
	struct fit_result res;
	struct hc_err err = HC_ERR_INIT;
	fit_init(&f);
	add_call(&f, "a", "self_modify", "", 1, 3000000, 0, 0, 10, 0, 0, 1);
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_int_eq(fit_build(&f, &base, "x", "big.jsonl", &res, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "big.jsonl: the fit gives a value a scenario does not "
			     "allow") &&
		      strstr(err.msg, "self_modification.prompt_tokens: got 3000000"), "%s",
		      err.msg);
	fit_result_release(&res);
	scenario_release(&base);
	fit_release(&f);
}
END_TEST

/* ---- evaluation concurrency ---------------------------------------------------------------- */

/*
 * A pool of `workers` given n tasks at once: task i lasts 100 + (37 i mod 50) s and starts on
 * the worker that frees first (at 0 for the first `workers`), as a thread pool runs them.
 * Each task is an eval_task with its span and one evaluation call inside it; every `keep`-th
 * task is added (keep 1: the whole run), or only its call when calls_only.
 */
static void add_pool_run(struct fit *f, unsigned workers, int n, int keep, int calls_only)
{
	double free_at[16] = { 0 };
	for (int i = 0; i < n; i++) {
		unsigned w = 0;
		for (unsigned k = 1; k < workers; k++)
			w = free_at[k] < free_at[w] ? k : w;
		double start = free_at[w], end = start + 100 + (37 * i) % 50;
		free_at[w] = end;
		if (i % keep)
			continue;
		char task[32];
		snprintf(task, sizeof(task), "t%d", i);
		add_call(f, "initial", "evaluate", task, 0, 1000, 0, 0, 100, 0, start + 2, end - 3);
		if (calls_only)
			continue;
		struct trace_record rec;
		trace_record_init(&rec, TRACE_EVAL_TASK);
		strcpy(rec.u.task.node, "initial");
		strcpy(rec.u.task.domain, "code.v2");
		strcpy(rec.u.task.task, task);
		strcpy(rec.u.task.result, "pass");
		rec.u.task.start_time = start;
		rec.u.task.end_time = end;
		ck_assert_int_eq(fit_add(f, &rec, NULL), 0);
	}
}

/* Fits f on the default base; the domain's concurrency and the fitted eval_workers. */
static const struct fit_concurrency *fit_concurrency_of(struct fit *f, struct fit_result *res)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario base;
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_msg(fit_build(f, &base, "pool", "pool.jsonl", res, &err) == 0, "%s", err.msg);
	scenario_release(&base);
	ck_assert_uint_eq(res->summary.n_concurrency, 1);
	const struct fit_concurrency *c = &res->summary.concurrency[0];
	ck_assert_str_eq(c->domain, "code_v2");
	ck_assert_uint_eq(res->sc.domains[0].eval_workers, c->eval_workers);
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(res->report, "concurrency"), "code_v2");
	ck_assert_str_eq(json_get_str(rep, "verdict", NULL), fitconc_verdict_name(c->r.verdict));
	ck_assert_str_eq(json_get_str(rep, "sentence", NULL), c->sentence);
	ck_assert_double_eq(json_get_num(rep, "eval_workers", NULL), c->eval_workers);
	return c;
}

/* A whole run on 4 workers (40 tasks): the pool is 4, from eval_task spans or calls alone. */
START_TEST(concurrency_of_a_whole_run)
{
	for (int calls_only = 0; calls_only < 2; calls_only++) {
		struct fit f;
		struct fit_result res;
		fit_init(&f);
		add_pool_run(&f, 4, 40, 1, calls_only);
		const struct fit_concurrency *c = fit_concurrency_of(&f, &res);
		ck_assert_msg(c->r.verdict == FITCONC_POOL, "%s", c->sentence);
		ck_assert_uint_eq(c->r.workers, 4);
		ck_assert_uint_eq(c->r.peak, 4);
		ck_assert_uint_eq(c->r.burst, 4);
		ck_assert_uint_eq(c->r.handoffs, 36);
		ck_assert_uint_eq(c->eval_workers, 4);
		ck_assert_ptr_nonnull(strstr(c->sentence, "4 workers: 4 of 40 tasks"));
		ck_assert_double_eq(json_at(field(&res, "domains.code_v2.eval_workers"), "value"), 4);
		fit_result_release(&res);
		fit_release(&f);
	}
}
END_TEST

/*
 * What the trace cannot tell, said plainly, the base's 10 kept: every third task of a run
 * on 8 workers (fewer overlaps than the run had); 6 tasks on 8 workers (all at once); no
 * times at all.
 */
START_TEST(concurrency_it_cannot_infer)
{
	struct fit f;
	struct fit_result res;
	fit_init(&f);
	add_pool_run(&f, 8, 60, 3, 0);
	const struct fit_concurrency *c = fit_concurrency_of(&f, &res);
	ck_assert_msg(c->r.verdict == FITCONC_NOT_A_POOL, "%s", c->sentence);
	ck_assert_uint_eq(c->eval_workers, 10);
	ck_assert_uint_lt(c->r.peak, 8);
	ck_assert_ptr_nonnull(strstr(c->sentence, "cannot infer: "));
	ck_assert_ptr_nonnull(strstr(c->sentence, "as a subset of a run's tasks shows"));
	ck_assert_ptr_nonnull(strstr(c->sentence, "; kept 10"));
	ck_assert_int_eq(defaulted(&res, "domains.code_v2.eval_workers"), 1);
	fit_result_release(&res);
	fit_release(&f);

	fit_init(&f);
	add_pool_run(&f, 8, 6, 1, 0);
	c = fit_concurrency_of(&f, &res);
	ck_assert_msg(c->r.verdict == FITCONC_ALL_AT_ONCE, "%s", c->sentence);
	ck_assert_str_eq(c->sentence, "cannot infer: all 6 tasks of a node started together, so "
			 "the workers were at least 6; kept 10");
	fit_result_release(&res);
	fit_release(&f);

	fit_init(&f);
	add_call(&f, "initial", "evaluate", "t", 0, 1000, 0, 0, 100, 0, NAN, NAN);
	c = fit_concurrency_of(&f, &res);
	ck_assert_int_eq(c->r.verdict, FITCONC_NO_TIMES);
	ck_assert_str_eq(c->sentence, "cannot infer: no task has a start and an end time; kept 10");
	fit_result_release(&res);
	fit_release(&f);
}
END_TEST

/*
 * The bootstrap of a trace read once (fit/fitboot.h) against the report the same resamples
 * gave when the trace was read again per resample: tests/fixtures/fitboot/ holds that
 * report's "bootstrap", written by `hypercap fit --bootstrap 20 --seed 1` before the change,
 * for DGM's logs (tasks only) and the DGM-H fixture (tasks and self-modification sessions).
 */
static void bootstrap_as_before(const char *dir, const char *expected)
{
	struct hc_err err = HC_ERR_INIT;
	char path[64];
	struct trace_writer w;
	struct trace_reader r;
	struct import_stats st = { 0 };
	struct scenario base;
	enum fitbase_why why;
	struct fit f;
	struct fit_result res;
	struct fitboot boot;
	snprintf(path, sizeof(path), "/tmp/hypercap-fitboot-%d.jsonl", (int)getpid());
	ck_assert_int_eq(trace_writer_open(&w, path, "dgm", "2026-12-07T00:00:00Z", &err), 0);
	ck_assert_int_eq(import_dgm(dir, &w, &st, &err), 0);
	ck_assert_int_eq(trace_writer_commit(&w, &err), 0);
	fit_init(&f);
	ck_assert_int_eq(trace_reader_open(&r, path, 0, &err), 0);
	ck_assert_msg(fitbase_load(&base, NULL, r.header.loop, &why, &err) == 0, "%s", err.msg);
	ck_assert_msg(fit_trace(&f, &r, &err) == 0, "%s", err.msg);
	trace_reader_close(&r);
	ck_assert_msg(fit_build(&f, &base, "boot", path, &res, &err) == 0, "%s", err.msg);
	const struct fitboot_input in = { path, 0, &base, "boot", NULL, 0 };
	ck_assert_msg(fitboot_run(&boot, &in, &res.summary, &res.sc, 20, 1, &err) == 0, "%s",
		      err.msg);
	unlink(path);
	cJSON *want = jsonfile_load(expected, &err), *got = fitboot_report(&boot);
	ck_assert_msg(want != NULL, "%s", err.msg);
	char *a = cJSON_PrintUnformatted(want), *b = cJSON_PrintUnformatted(got);
	ck_assert_str_eq(b, a);
	cJSON_free(a);
	cJSON_free(b);
	cJSON_Delete(want);
	cJSON_Delete(got);
	fitboot_release(&boot);
	fit_result_release(&res);
	fit_release(&f);
	scenario_release(&base);
}

START_TEST(bootstrap_from_memory_gives_the_same_report)
{
	bootstrap_as_before(DGM_DIR, SOURCE_DIR "/tests/fixtures/fitboot/dgm-20-seed1.json");
	bootstrap_as_before(SOURCE_DIR "/tests/fixtures/dgmh-run",
			    SOURCE_DIR "/tests/fixtures/fitboot/dgmh-run-20-seed1.json");
}
END_TEST

/* ---- accuracy ------------------------------------------------------------------------------ */

static void import_dgm_trace(char *path, size_t size)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct import_stats st = { 0 };
	snprintf(path, size, "/tmp/hypercap-fit-%d.jsonl", (int)getpid());
	ck_assert_int_eq(trace_writer_open(&w, path, "dgm", "2026-07-24T00:00:00Z", &err), 0);
	ck_assert_int_eq(import_dgm(DGM_DIR, &w, &st, &err), 0);
	ck_assert_int_eq(trace_writer_commit(&w, &err), 0);
}

/* Does rec belong to one of the tasks (a NULL list keeps every record)? */
static int kept(const struct trace_record *rec, const cJSON *tasks)
{
	const char *task = rec->kind == TRACE_LLM_CALL ? rec->u.call.task :
			   rec->kind == TRACE_EVAL_TASK ? rec->u.task.task : NULL;
	const cJSON *t;
	if (!tasks || !task)
		return 1;
	cJSON_ArrayForEach(t, tasks)
		if (!strcmp(t->valuestring, task))
			return 1;
	return 0;
}

/* Fits DGM's trace (only tasks when given), simulates full_tasks tasks: the forecast. */
static void fit_and_forecast(const cJSON *tasks, unsigned full_tasks, unsigned runs,
			     struct forecast *fc, struct fit_result *res, struct price_sheet *ps)
{
	char path[64];
	struct hc_err err = HC_ERR_INIT;
	struct trace_reader r;
	struct trace_record rec;
	struct scenario base;
	struct fit f;
	import_dgm_trace(path, sizeof(path));
	ck_assert_int_eq(trace_reader_open(&r, path, 0, &err), 0);
	fit_init(&f);
	while (trace_reader_next(&r, &rec, &err) == 1)
		if (kept(&rec, tasks))
			ck_assert_int_eq(fit_add(&f, &rec, &err), 0);
	trace_reader_close(&r);
	unlink(path);
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_msg(fit_build(&f, &base, "dgm", path, res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res->sc.iterations, 0); /* the initial agent's evaluation only */
	/* set in the tree, from which the priors the fit kept draw each replication */
	char full[SCENARIO_NAME_MAX + 40];
	const char *const sets[] = { full };
	snprintf(full, sizeof(full), "domains.%s.full_tasks=%u", res->sc.domains[0].name,
		 full_tasks);
	scenario_release(&res->sc);
	ck_assert_msg(fitboot_scenario(&res->sc, res->scenario, sets, 1, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(price_sheet_load(ps, NULL, &err), 0);
	ck_assert_msg(forecast_run(fc, &res->sc, ps, runs, 0, 1, NULL, NULL, &err) == 0,
		      "%s", err.msg);
	scenario_release(&base);
	fit_release(&f);
}

/*
 * DGM's logs hold 59 of the run's 225 tasks (metadata.json), which ran on at least 40
 * workers (docs/calibration.md): 12 start together, up to 16 run at once later, and 20 of
 * the 47 later starts follow no end among the 59. The fit says it cannot infer and keeps
 * the base's value (the default base's 10).
 */
START_TEST(concurrency_on_dgm_logs)
{
	char path[64];
	struct hc_err err = HC_ERR_INIT;
	struct trace_reader r;
	struct trace_record rec;
	struct scenario base;
	struct fit_result res;
	struct fit f;
	import_dgm_trace(path, sizeof(path));
	ck_assert_int_eq(trace_reader_open(&r, path, 0, &err), 0);
	fit_init(&f);
	while (trace_reader_next(&r, &rec, &err) == 1)
		ck_assert_int_eq(fit_add(&f, &rec, &err), 0);
	trace_reader_close(&r);
	unlink(path);
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_msg(fit_build(&f, &base, "dgm", path, &res, &err) == 0, "%s", err.msg);
	const struct fit_concurrency *c = &res.summary.concurrency[0];
	printf("DGM logs, concurrency: %s\n", c->sentence);
	ck_assert_int_eq(c->r.verdict, FITCONC_NOT_A_POOL);
	ck_assert_uint_eq(c->r.tasks, 59);
	ck_assert_uint_eq(c->r.burst, 12);
	ck_assert_uint_eq(c->r.peak, 16);
	ck_assert_uint_eq(c->r.late_starts, 47);
	ck_assert_uint_eq(c->r.handoffs, 27);
	ck_assert_uint_eq(c->eval_workers, base.domains[0].eval_workers);
	ck_assert_uint_eq(res.sc.domains[0].eval_workers, base.domains[0].eval_workers);
	fit_result_release(&res);
	scenario_release(&base);
	fit_release(&f);
}
END_TEST

/*
 * (a) The scenario fitted to all 59 tasks, simulated (iteration 0: the initial agent on the
 * full set, 1,000 replications), reproduces the trace's totals: docs/fit.md gives the figures.
 */
START_TEST(self_consistency_on_dgm_logs)
{
	struct forecast fc;
	struct fit_result res;
	struct price_sheet ps;
	fit_and_forecast(NULL, 59, 1000, &fc, &res, &ps);
	ck_assert_uint_eq(res.sc.domains[0].full_tasks, 59);
	const struct usage_mean *u = &fc.mean.total;
	double e_total = u->total / DGM_TOTAL - 1, e_input = u->input / DGM_INPUT - 1;
	double e_output = u->output / DGM_OUTPUT - 1, e_cached = u->cache_read / DGM_CACHED - 1;
	printf("self-consistency: total %+.2f%% (%.0f), input %+.2f%%, output %+.2f%%, cached "
	       "%+.2f%%; P10 %.0f P90 %.0f\n", 100 * e_total, u->total, 100 * e_input,
	       100 * e_output, 100 * e_cached, fc.metrics[METRIC_TOKENS_TOTAL].p10,
	       fc.metrics[METRIC_TOKENS_TOTAL].p90);
	fflush(stdout);
	ck_assert_double_lt(fabs(e_total), 0.05);
	ck_assert_double_lt(fabs(e_input), 0.05);
	ck_assert_double_lt(fabs(e_output), 0.05);
	ck_assert_double_lt(fabs(e_cached), 0.05);
	ck_assert_double_lt(fc.metrics[METRIC_TOKENS_TOTAL].p10, DGM_TOTAL);
	ck_assert_double_gt(fc.metrics[METRIC_TOKENS_TOTAL].p90, DGM_TOTAL);
	forecast_release(&fc);
	fit_result_release(&res);
	price_sheet_release(&ps);
}
END_TEST

/* (b) Fit on the 10-task screen (subsets/small.json), forecast the 59 tasks. */
START_TEST(backtest_screen_to_full_set)
{
	struct hc_err err = HC_ERR_INIT;
	struct forecast fc;
	struct fit_result res;
	struct price_sheet ps;
	cJSON *small = jsonfile_load(SOURCE_DIR "/data/dgm-polyglot-subsets/small.json", &err);
	ck_assert_msg(small != NULL, "%s", err.msg);
	ck_assert_int_eq(cJSON_GetArraySize(small), 10);
	fit_and_forecast(small, 59, 1000, &fc, &res, &ps);
	double e = fc.mean.total.total / DGM_TOTAL - 1;
	printf("backtest, screen of 10 -> 59 tasks: total %+.2f%% (forecast %.0f, actual %.0f; "
	       "P10 %.0f, P90 %.0f)\n", 100 * e, fc.mean.total.total, DGM_TOTAL,
	       fc.metrics[METRIC_TOKENS_TOTAL].p10, fc.metrics[METRIC_TOKENS_TOTAL].p90);
	fflush(stdout);
	ck_assert_double_lt(fabs(e), 0.25);
	forecast_release(&fc);
	fit_result_release(&res);
	price_sheet_release(&ps);
	cJSON_Delete(small);
}
END_TEST

/* ---- the bootstrap (fit/fitboot.h) -------------------------------------------------------- */

/* Writes a trace of n tasks with the same three calls and the same eval_task each. */
static void write_identical_tasks(const char *path, int n)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct trace_record rec;
	static const int64_t in[] = { 900, 1400, 2100 }, out[] = { 300, 500, 1200 };
	ck_assert_int_eq(trace_writer_open(&w, path, "test", "2026-12-07T00:00:00Z", &err), 0);
	for (int t = 0; t < n; t++) {
		for (int k = 0; k < 3; k++) {
			trace_record_init(&rec, TRACE_LLM_CALL);
			struct trace_llm_call *c = &rec.u.call;
			snprintf(c->id, sizeof(c->id), "c%d-%d", t, k);
			strcpy(c->run, "r");
			strcpy(c->node, "initial");
			strcpy(c->role, "evaluate");
			strcpy(c->domain, "code");
			snprintf(c->task, sizeof(c->task), "task%d", t);
			strcpy(c->model, "gpt-4o");
			c->iteration = 0;
			c->has_usage = 1;
			c->usage = (struct usage){ 1, in[k], 200 * k, 0, out[k], 100, 0 };
			ck_assert_msg(trace_writer_put(&w, &rec, &err) == 0, "%s", err.msg);
		}
		trace_record_init(&rec, TRACE_EVAL_TASK);
		strcpy(rec.u.task.node, "initial");
		strcpy(rec.u.task.domain, "code");
		snprintf(rec.u.task.task, sizeof(rec.u.task.task), "task%d", t);
		strcpy(rec.u.task.result, "fail");
		rec.u.task.sandbox_seconds = 40;
		ck_assert_msg(trace_writer_put(&w, &rec, &err) == 0, "%s", err.msg);
	}
	ck_assert_int_eq(trace_writer_commit(&w, &err), 0);
}

/* Fits the trace at path and bootstraps it (resamples, seed 1). */
static void fit_and_bootstrap(const char *path, unsigned resamples, struct fit_result *res,
			      struct scenario *base, struct fitboot *boot)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_reader r;
	struct fit f;
	fit_init(&f);
	ck_assert_int_eq(scenario_load(base, NULL, NULL, 0, &err), 0);
	ck_assert_int_eq(trace_reader_open(&r, path, 0, &err), 0);
	ck_assert_msg(fit_trace(&f, &r, &err) == 0, "%s", err.msg);
	trace_reader_close(&r);
	ck_assert_msg(fit_build(&f, base, "boot", path, res, &err) == 0, "%s", err.msg);
	const struct fitboot_input in = { path, 0, base, "boot", NULL, 0 };
	ck_assert_msg(fitboot_run(boot, &in, &res->summary, &res->sc, resamples, 1, &err) == 0,
		      "%s", err.msg);
	fit_release(&f);
}

/*
 * Tasks that are all alike: every resample holds the same tasks again, so every fitted figure
 * of every resample is the full fit's, and the spread has zero width.
 */
START_TEST(identical_tasks_give_a_zero_width_bootstrap)
{
	char path[64];
	struct fit_result res;
	struct scenario base;
	struct fitboot boot;
	snprintf(path, sizeof(path), "/tmp/hypercap-boot-%d.jsonl", (int)getpid());
	write_identical_tasks(path, 12);
	fit_and_bootstrap(path, 30, &res, &base, &boot);
	unlink(path);
	ck_assert_uint_eq(boot.resamples, 30);
	ck_assert_uint_eq(boot.tasks, 12);
	ck_assert_uint_eq(boot.sessions, 0);
	int tokens_seen = 0;
	for (size_t k = 0; k < boot.n_spread; k++) {
		const struct fitboot_spread *sp = &boot.spread[k];
		ck_assert_msg(sp->n == 30, "%s: %zu resamples", sp->path, sp->n);
		ck_assert_msg(sp->p10 == sp->fitted && sp->p90 == sp->fitted,
			      "%s: fitted %g, P10 %g, P90 %g", sp->path, sp->fitted, sp->p10,
			      sp->p90);
		if (strstr(sp->path, "tokens_per_session")) {
			tokens_seen = 1;
			ck_assert_double_eq(sp->fitted, 900 + 1400 + 2100 + 300 + 500 + 1200);
		}
	}
	ck_assert_int_eq(tokens_seen, 1);
	for (unsigned i = 0; i < boot.resamples; i++) {
		const struct session_params *v = &boot.variants[i].domains[0].task;
		const struct session_params *full = &res.sc.domains[0].task;
		ck_assert_double_eq(v->prompt_tokens.a, full->prompt_tokens.a);
		ck_assert_double_eq(v->output_tokens.a, full->output_tokens.a);
		ck_assert_double_eq(v->cache_hit_rate, full->cache_hit_rate);
		ck_assert_uint_eq(boot.variants[i].domains[0].full_tasks, 12);
	}
	fitboot_release(&boot);
	fit_result_release(&res);
	scenario_release(&base);
}
END_TEST

/* The synthetic loop: one domain's task sessions drawn from known distributions. */
static const struct session_params synth_params = {
	.calls = { .kind = DIST_GAMMA, .a = 6, .b = 0.5 },
	.max_calls = 40,
	.prompt_tokens = { .kind = DIST_LOGNORMAL, .a = 2000, .b = 0.4 },
	.output_tokens = { .kind = DIST_LOGNORMAL, .a = 600, .b = 1.2 },
	.max_output_tokens = 16384,
	.reasoning_fraction = 0.25,
	.tool_result_tokens = { .kind = DIST_GAMMA, .a = 250, .b = 0.9 },
	.tool_seconds = { .kind = DIST_EXPONENTIAL, .a = 5 },
	.caching = CACHING_EXPLICIT,
	.cache_hit_rate = 0.8,
};

/* Draws one task: its session's calls and its eval_task; adds them to f when given. */
static double synth_task(struct fit *f, struct rng *r, int i, double *clock)
{
	static const struct dist sandbox = { .kind = DIST_LOGNORMAL, .a = 60, .b = 0.5 };
	struct session s;
	struct usage u;
	struct trace_record rec;
	double tool, tokens = 0;
	char task[32];
	snprintf(task, sizeof(task), "task-%d", i);
	session_start(&s, &synth_params, r);
	while (session_next(&s, r, &u, &tool)) {
		trace_record_init(&rec, TRACE_LLM_CALL);
		struct trace_llm_call *c = &rec.u.call;
		strcpy(c->node, "initial");
		strcpy(c->role, "evaluate");
		strcpy(c->domain, "synthetic");
		strcpy(c->task, task);
		strcpy(c->model, "claude-sonnet-4-5"); /* priced for cache writes */
		c->iteration = 0;
		c->has_usage = 1;
		c->usage = u;
		c->start_time = *clock;
		c->end_time = *clock + 1 + (double)u.output / 100;
		*clock = c->end_time + tool;
		tokens += (double)usage_total(&u);
		if (f)
			ck_assert_int_eq(fit_add(f, &rec, NULL), 0);
	}
	trace_record_init(&rec, TRACE_EVAL_TASK);
	strcpy(rec.u.task.node, "initial");
	strcpy(rec.u.task.domain, "synthetic");
	strcpy(rec.u.task.task, task);
	strcpy(rec.u.task.result, rng_bernoulli(r, 0.3) ? "pass" : "fail");
	rec.u.task.sandbox_seconds = dist_sample(&sandbox, r);
	if (f)
		ck_assert_int_eq(fit_add(f, &rec, NULL), 0);
	return tokens;
}

/* (c) Fit the first half of a long synthetic trace, forecast the second half. */
START_TEST(first_half_forecasts_second_half)
{
	enum { HALF = 800 };
	struct hc_err err = HC_ERR_INIT;
	struct fit f;
	struct rng r;
	struct scenario base;
	struct fit_result res;
	struct price_sheet ps;
	struct forecast fc;
	double clock = 0, first = 0, second = 0;
	fit_init(&f);
	/* SYNTH_SEED reruns the experiment with other draws (docs/fit.md gives 30 of them) */
	const char *seed = getenv("SYNTH_SEED");
	ck_assert_int_eq(rng_init(&r, seed ? strtoull(seed, NULL, 10) : 20260724, 0), 0);
	for (int i = 0; i < HALF; i++)
		first += synth_task(&f, &r, i, &clock);
	for (int i = HALF; i < 2 * HALF; i++)
		second += synth_task(NULL, &r, i, &clock);
	rng_release(&r);
	ck_assert_int_eq(scenario_load(&base, NULL, NULL, 0, &err), 0);
	ck_assert_msg(fit_build(&f, &base, "synthetic", "synthetic", &res, &err) == 0, "%s",
		      err.msg);
	const struct session_params *p = &res.sc.domains[0].task;
	ck_assert_uint_eq(res.sc.domains[0].full_tasks, HALF);
	ck_assert_int_eq(p->prompt_tokens.kind, DIST_LOGNORMAL);
	ck_assert_double_eq_tol(p->prompt_tokens.b, 0.4, 0.04);
	ck_assert_int_eq(p->output_tokens.kind, DIST_LOGNORMAL);
	ck_assert_double_eq_tol(p->output_tokens.b, 1.2, 0.15);
	ck_assert_double_eq_tol(p->reasoning_fraction, 0.25, 0.005);
	ck_assert_double_eq_tol(dist_mean(&p->tool_result_tokens), 250, 25);
	ck_assert_double_eq_tol(dist_mean(&p->tool_seconds), 5, 0.3);
	ck_assert_int_eq(p->caching, CACHING_EXPLICIT);
	ck_assert_double_eq_tol(p->cache_hit_rate, 0.8, 0.02);
	ck_assert_double_eq_tol(dist_mean(&res.sc.domains[0].sandbox_seconds), 60, 4);
	ck_assert_double_eq_tol(res.sc.domains[0].initial_score, 0.3, 0.05);

	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	ck_assert_msg(forecast_run(&fc, &res.sc, &ps, 50, 0, 1, NULL, NULL, &err) == 0,
		      "%s", err.msg);
	double e = fc.mean.total.total / second - 1;
	printf("synthetic, first %d tasks -> next %d: total %+.2f%% (forecast %.0f, P10 %.0f, "
	       "P90 %.0f; actual %.0f; the first half's own total %.0f)\n", HALF, HALF, 100 * e,
	       fc.mean.total.total, fc.metrics[METRIC_TOKENS_TOTAL].p10,
	       fc.metrics[METRIC_TOKENS_TOTAL].p90, second, first);
	fflush(stdout);
	ck_assert_double_lt(fabs(e), 0.10);
	ck_assert_double_le(fc.metrics[METRIC_TOKENS_TOTAL].p10, second);
	ck_assert_double_ge(fc.metrics[METRIC_TOKENS_TOTAL].p90, second);
	ck_assert_double_lt(fabs(fc.mean.total.total / first - 1), 0.02);
	forecast_release(&fc);
	price_sheet_release(&ps);
	fit_result_release(&res);
	scenario_release(&base);
	fit_release(&f);
}
END_TEST

/* ---- hypercap fit end to end --------------------------------------------------------------- */

START_TEST(cli_fit_writes_a_scenario_simulate_loads)
{
	struct result r = run("import", "dgm", DGM_DIR, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("fit", "t.jsonl", "-o", "fitted.json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "domains.polyglot.task.calls"));
	ck_assert_ptr_nonnull(strstr(r.out, "wrote fitted.json and fitted.fit.json"));
	result_free(&r);
	cJSON *report = load_json("fitted.fit.json");
	ck_assert_double_eq(json_at(report, "records.llm_call"), 255);
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(report, "fields"),
		"domains.polyglot.task.output_tokens");
	ck_assert_double_eq(json_at(out, "n"), 255);
	ck_assert_double_gt(json_at(out, "candidates.gamma.aic"),
			    json_at(out, "candidates.lognormal.aic"));
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(out, "chosen")->valuestring,
			 "lognormal");
	char *listed = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(report,
									      "defaulted"));
	ck_assert_ptr_nonnull(strstr(listed, "\"self_modification.model\""));
	free(listed);
	cJSON_Delete(report);
	r = run("validate", "fitted.json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("simulate", "fitted.json", "--runs", "3", "--out", "sim", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	ck_assert_int_eq(exists("sim/summary.json"), 1);
}
END_TEST

START_TEST(cli_extrapolate_writes_a_results_directory)
{
	struct result r = run("import", "dgm", DGM_DIR, "-o", "t.jsonl", NULL);
	result_free(&r);
	r = run("fit", "t.jsonl", "--extrapolate", "3", "--runs", "5", "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "P10 / P50 / P90"));
	ck_assert_ptr_nonnull(strstr(r.out, "report: res/report.html\n"));
	result_free(&r);
	cJSON *s = load_json("res/summary.json");
	ck_assert_double_eq(json_at(s, "iterations"), 3);
	ck_assert_double_eq(json_at(s, "replications"), 5);
	ck_assert_double_le(json_at(s, "quantiles.tokens_total.p10"),
			    json_at(s, "quantiles.tokens_total.p90"));
	cJSON_Delete(s);
	s = load_json("res/fitted-scenario.json");
	ck_assert_double_eq(json_at(s, "iterations"), 0);
	cJSON_Delete(s);
	ck_assert_int_eq(exists("res/fit.json"), 1);
	ck_assert_int_eq(exists("res/iterations.csv"), 1);
	ck_assert_int_eq(exists("res/report.html"), 1);
	ck_assert_int_eq(count_prefixed("res.tmp"), 0);
}
END_TEST

/* Writes DGM's trace t.jsonl with only the tasks of DGM's screen (subsets/small.json). */
static void write_pilot(const char *pilot)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_reader r;
	struct trace_writer w;
	struct trace_record rec;
	cJSON *small = jsonfile_load(SOURCE_DIR "/data/dgm-polyglot-subsets/small.json", &err);
	ck_assert_msg(small != NULL, "%s", err.msg);
	ck_assert_int_eq(trace_reader_open(&r, path_in("t.jsonl"), 0, &err), 0);
	ck_assert_int_eq(trace_writer_open(&w, path_in(pilot), "dgm pilot",
					   "2026-12-07T00:00:00Z", &err), 0);
	ck_assert_int_eq(trace_writer_set_loop(&w, r.header.loop, &err), 0);
	while (trace_reader_next(&r, &rec, &err) == 1)
		if (kept(&rec, small))
			ck_assert_msg(trace_writer_put(&w, &rec, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(trace_writer_commit(&w, &err), 0);
	trace_reader_close(&r);
	cJSON_Delete(small);
}

/* fit TRACE --extrapolate 0 on 59 tasks, 200 runs on 200 resamples: summary.json. */
static cJSON *extrapolate_59_tasks(const char *trace, const char *out, const char *threads)
{
	struct result r = run("fit", trace, "--extrapolate", "0", "--runs", "200", "--bootstrap",
			      "200", "--set", "domains.polyglot.full_tasks=59", "--threads",
			      threads, "--out", out, "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	char name[64];
	snprintf(name, sizeof(name), "%s/summary.json", out);
	return load_json(name);
}

/*
 * DGM's 59 tasks and its 10-task screen as a pilot, each fitted with a bootstrap and
 * extrapolated to the initial agent's evaluation of the 59 tasks (200 runs on 200
 * resamples, seed 1): the pilot's P10-P90 of the total dollars is wider than the 59 tasks'
 * and holds their P50. Figures in docs/fit.md ("The fit's own uncertainty").
 */
START_TEST(cli_bootstrap_pilot_band_is_wider_and_holds_the_total)
{
	struct result r = run("import", "dgm", DGM_DIR, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	write_pilot("pilot.jsonl");
	cJSON *full = extrapolate_59_tasks("t.jsonl", "full", "2");
	cJSON *pilot = extrapolate_59_tasks("pilot.jsonl", "pilot", "2");
	double f10 = json_at(full, "quantiles.cost_usd_total.p10");
	double f50 = json_at(full, "quantiles.cost_usd_total.p50");
	double f90 = json_at(full, "quantiles.cost_usd_total.p90");
	double p10 = json_at(pilot, "quantiles.cost_usd_total.p10");
	double p50 = json_at(pilot, "quantiles.cost_usd_total.p50");
	double p90 = json_at(pilot, "quantiles.cost_usd_total.p90");
	printf("bootstrap, $ for 59 tasks: 59-task fit P10 %.3f P50 %.3f P90 %.3f (width %.3f); "
	       "10-task pilot P10 %.3f P50 %.3f P90 %.3f (width %.3f)\n", f10, f50, f90,
	       f90 - f10, p10, p50, p90, p90 - p10);
	fflush(stdout);
	ck_assert_double_gt(p90 - p10, 1.1 * (f90 - f10));
	ck_assert_double_lt(p10, f50);
	ck_assert_double_gt(p90, f50);
	ck_assert_double_eq(json_at(pilot, "fit_resamples"), 200);
	static const char *const reports[] = { "full/fit.json", "pilot/fit.json" };
	for (int i = 0; i < 2; i++) {
		cJSON *report = load_json(reports[i]);
		ck_assert_double_eq(json_at(report, "bootstrap.resamples"), 200);
		ck_assert_double_eq(json_at(report, "bootstrap.units.tasks"), i ? 10 : 59);
		const cJSON *sp = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(report, "bootstrap"), "spread");
		const cJSON *tok = cJSON_GetObjectItemCaseSensitive(
			sp, "domains.polyglot.task.tokens_per_session");
		printf("bootstrap, %s: tokens per task %.0f, P10 %.0f, P90 %.0f\n", reports[i],
		       json_at(tok, "fitted"), json_at(tok, "p10"), json_at(tok, "p90"));
		ck_assert_double_lt(json_at(tok, "p10"), json_at(tok, "fitted"));
		ck_assert_double_gt(json_at(tok, "p90"), json_at(tok, "fitted"));
		cJSON_Delete(report);
	}
	cJSON_Delete(full);
	cJSON_Delete(pilot);
}
END_TEST

/* The resamples draw from their own stream: 1 and 2 threads write the same bytes. */
START_TEST(cli_bootstrap_same_bytes_any_threads)
{
	struct result r = run("import", "dgm", DGM_DIR, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON_Delete(extrapolate_59_tasks("t.jsonl", "one", "1"));
	cJSON_Delete(extrapolate_59_tasks("t.jsonl", "two", "2"));
	static const char *const files[] = { "summary.json", "fit.json", "montecarlo.csv",
					     "iterations.csv" };
	for (size_t i = 0; i < 4; i++)
		assert_same_file("one", "two", files[i], "between 1 and 2 threads");
}
END_TEST

/* --bootstrap's limits, 0 turning it off, and --set only with --extrapolate. */
START_TEST(cli_bootstrap_options)
{
	struct result r = run("import", "dgm", DGM_DIR, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("fit", "t.jsonl", "-o", "f.json", "--bootstrap", "10001", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--bootstrap"));
	result_free(&r);
	r = run("fit", "t.jsonl", "-o", "f.json", "--set", "iterations=3", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--set applies to --extrapolate"));
	result_free(&r);
	r = run("fit", "t.jsonl", "-o", "f.json", "--bootstrap", "0", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_null(strstr(r.out, "bootstrap:"));
	result_free(&r);
	cJSON *report = load_json("f.fit.json");
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(report, "bootstrap"));
	cJSON_Delete(report);
	r = run("fit", "t.jsonl", "-o", "f.json", "--bootstrap", "5", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "bootstrap: 5 resamples of 59 tasks"));
	result_free(&r);
	report = load_json("f.fit.json");
	ck_assert_double_eq(json_at(report, "bootstrap.resamples"), 5);
	cJSON_Delete(report);
}
END_TEST

/* The fields the formulas of docs/costs.md use, and no others (docs/fit.md, "The base"). */
START_TEST(cost_relevant_fields)
{
	cJSON *off = cJSON_Parse("{\"caching\": \"off\"}");
	cJSON *automatic = cJSON_Parse("{\"caching\": \"automatic\"}");
	cJSON *exp = cJSON_Parse("{\"caching\": \"explicit\"}");
	static const char *const yes[] = {
		"iterations", "evaluation", "self_modification.model", "self_modification.calls",
		"self_modification.patch_bytes", "domains.polyglot.task.max_output_tokens",
		"domains.polyglot.full_tasks", "domains.polyglot.improvement",
		"domains.polyglot.batch", "archive.copy_run_dir", "costs.vcpu_hour_usd",
		"fleets.h100.replicas",
	};
	static const char *const no[] = {
		"name", "parent_selection", "self_modification.timeout_hours",
		"self_modification.tool_seconds", "domains.polyglot.eval_workers",
		"domains.polyglot.name", "domains.polyglot.task.model",
		"models.gpt-4o.ttft_seconds",
		"archive.read_bytes_per_second", "costs.runs_per_month", "fleets.h100.name",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(fitbase_cost_relevant(yes[i], off), "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!fitbase_cost_relevant(no[i], off), "%s", no[i]);
	ck_assert_int_eq(fitbase_cost_relevant("self_modification.cache_hit_rate", off), 0);
	ck_assert_int_eq(fitbase_cost_relevant("self_modification.cache_hit_rate", automatic), 1);
	ck_assert_int_eq(fitbase_cost_relevant("domains.x.task.cache_write_ttl", automatic), 0);
	ck_assert_int_eq(fitbase_cost_relevant("domains.x.task.cache_write_ttl", exp), 1);
	cJSON_Delete(off);
	cJSON_Delete(automatic);
	cJSON_Delete(exp);
}
END_TEST

/* Imports a run directory and fits it; the console and the report. */
static cJSON *cli_fit_run(const char *dir, const char *base, char **out)
{
	struct result r = run("import", "dgm", dir, "-o", "t.jsonl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = base ? run("fit", "t.jsonl", "-o", "f.json", "--base", base, NULL)
		 : run("fit", "t.jsonl", "-o", "f.json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	*out = r.out;
	free(r.err);
	return load_json("f.fit.json");
}

START_TEST(cli_dgm_trace_takes_the_dgm_base)
{
	char *out;
	cJSON *rep = cli_fit_run(FIX "dgm-run", NULL, &out);
	char *head = slurp(path_in("t.jsonl"));
	ck_assert_msg(strstr(head, "\"loop\":\"dgm\"}\n"), "%.200s", head);
	ck_assert_str_eq(json_get_str(rep, "base", NULL), "embedded:dgm-polyglot.json");
	ck_assert_msg(strstr(out, "base embedded:dgm-polyglot.json (the preset of loop \"dgm\""),
		      "%s", out);
	/* the DGM preset's values, not the HyperAgents one's (copy_run_dir true, 16,384) */
	ck_assert_msg(strstr(out, "\n    archive.copy_run_dir                         false\n"),
		      "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\n    self_modification.max_output_tokens          "
					  "8192\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n    costs.vcpu_hour_usd                          "
					  "0.04048\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n    domains.polyglot.improvement                 "
					  "{\"dist\":\"normal\",\"mean\":0,\"sd\":0.05}\n"));
	/* informed, timing-only, and caching off: not listed */
	ck_assert_ptr_null(strstr(out, "    domains.polyglot.task.calls "));
	ck_assert_ptr_null(strstr(out, "    domains.polyglot.eval_workers "));
	ck_assert_ptr_null(strstr(out, "    self_modification.cache_hit_rate "));
	ck_assert_msg(strstr(out, "fields keep the base's values (\"defaulted\" in the report); "
			     "23 of them enter the cost formulas:"), "%s", out);
	const cJSON *costly = cJSON_GetObjectItemCaseSensitive(rep, "defaulted_cost");
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(costly, "costs.sandbox_vcpus")
				    ->valuedouble, 2);
	ck_assert_int_eq(cJSON_GetArraySize(costly), 23);
	free(head);
	free(out);
	cJSON_Delete(rep);
}
END_TEST

START_TEST(cli_dgmh_trace_takes_the_hyperagents_base)
{
	char *out;
	cJSON *rep = cli_fit_run(FIX "dgmh-run", NULL, &out);
	char *head = slurp(path_in("t.jsonl"));
	ck_assert_msg(strstr(head, "\"loop\":\"dgm-h\"}\n"), "%.200s", head);
	ck_assert_str_eq(json_get_str(rep, "base", NULL), "embedded:hyperagents-paper.json");
	ck_assert_msg(strstr(out, "(the preset of loop \"dgm-h\""), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\n    costs.sim_gpu_hour_usd                       "
					  "2.79\n"));
	free(head);
	free(out);
	cJSON_Delete(rep);
	/* --base wins over the trace's loop */
	rep = cli_fit_run(FIX "dgm-run", SOURCE_DIR "/data/scenarios/hyperagents-staged.json",
			  &out);
	ck_assert_str_eq(json_get_str(rep, "base", NULL),
			 SOURCE_DIR "/data/scenarios/hyperagents-staged.json");
	ck_assert_msg(strstr(out, "hyperagents-staged.json (given by --base)"), "%s", out);
	free(out);
	cJSON_Delete(rep);
	/* a trace that names no loop: the default, and the console says why */
	struct result r = run("fit", SOURCE_DIR "/tests/fixtures/trace/priced.jsonl", "-o",
			      "p.json", NULL);
	ck_assert_msg(strstr(r.out, "base embedded:hyperagents-paper.json (the default: the "
			     "trace's header names no loop)"), "%s%s", r.out, r.err);
	result_free(&r);
}
END_TEST

/* ---- the base's priors in a fitted scenario ----------------------------------------------- */

#define HA_PRESET SOURCE_DIR "/data/scenarios/hyperagents-paper.json"

/* The compact JSON at path (as --set names it) in tree; the caller frees it. */
static char *json_text_at(cJSON *tree, const char *path)
{
	const cJSON *v = scenario_tree_at(tree, path, NULL);
	ck_assert_msg(v != NULL, "no value at %s", path);
	return cJSON_PrintUnformatted(v);
}

/* What DGM-H's run does not inform keeps the preset's prior (comment included), whole. */
static void check_kept(cJSON *preset, cJSON *fitted, const char *preset_path,
		       const char *fitted_path)
{
	char *want = json_text_at(preset, preset_path), *got = json_text_at(fitted, fitted_path);
	ck_assert_msg(strstr(want, "\"prior\":") && strstr(want, "\"_source\":"), "%s", want);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
}

/*
 * DGM-H's run fitted onto the HyperAgents preset: a field the trace does not inform keeps the
 * preset's prior whole, one inside a distribution too; a field it informs is fitted, with no
 * prior, where the preset has one (a choice; a distribution whose mean is one); the console
 * and the report say which defaulted fields are priors; the scenario validates.
 */
START_TEST(cli_fit_keeps_the_base_priors)
{
	char *out;
	struct hc_err err = HC_ERR_INIT;
	cJSON *rep = cli_fit_run(FIX "dgmh-run", NULL, &out);
	cJSON *fitted = load_json("f.json"), *preset = jsonfile_load(HA_PRESET, &err);
	ck_assert_msg(preset != NULL, "%s", err.msg);
	static const char *const assumed[] = {
		"domains.paper_review.sandbox_seconds", "self_modification.tool_seconds.mean",
		"models.gpt-4o.decode_tokens_per_second",
	};
	for (size_t i = 0; i < sizeof(assumed) / sizeof(assumed[0]); i++)
		check_kept(preset, fitted, assumed[i], assumed[i]);
	static const char *const informed[] = { "self_modification.caching",
						"domains.paper_review.task.prompt_tokens" };
	for (size_t i = 0; i < sizeof(informed) / sizeof(informed[0]); i++) {
		char *base = json_text_at(preset, informed[i]);
		char *got = json_text_at(fitted, informed[i]);
		ck_assert_msg(strstr(base, "\"prior\":"), "%s", base);
		ck_assert_msg(!strstr(got, "prior"), "%s: %s", informed[i], got);
		free(base);
		free(got);
	}
	ck_assert_msg(strstr(out, "\n    domains.paper_review.sandbox_seconds         lognormal "
			     "P10 1 P90 4 (prior)\n"), "%s", out);
	ck_assert_msg(strstr(out, "(\"defaulted\" in the report), 5 of them priors drawn per "
			     "replication; 24 of them"), "%s", out);
	char *listed = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
		rep, "defaulted_priors"));
	ck_assert_str_eq(listed, "[\"self_modification.tool_seconds\","
			 "\"self_modification.cache_hit_rate\","
			 "\"domains.paper_review.sandbox_seconds\","
			 "\"models.claude-sonnet-4-5.decode_tokens_per_second\","
			 "\"models.gpt-4o.decode_tokens_per_second\"]");
	free(listed);
	struct result r = run("validate", "f.json", NULL);
	ck_assert_msg(r.status == 0 && strstr(r.out, "5 assumed fields (priors)"), "%s%s", r.out,
		      r.err);
	result_free(&r);
	free(out);
	cJSON_Delete(rep);
	cJSON_Delete(fitted);
	/* a domain of the trace the base lacks is copied from its first: with its priors */
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		preset, "domains"), 0), "name", cJSON_CreateString("first"));
	char *text = cJSON_Print(preset);
	write_file("renamed.json", text);
	free(text);
	r = run("fit", "t.jsonl", "-o", "g.json", "--base", "renamed.json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	fitted = load_json("g.json");
	check_kept(preset, fitted, "domains.first.sandbox_seconds",
		   "domains.paper_review.sandbox_seconds");
	cJSON_Delete(fitted);
	cJSON_Delete(preset);
}
END_TEST

/* fit --extrapolate 20 of DGM-H's run, 100 runs on 20 resamples, with the assignments. */
static cJSON *extrapolate_dgmh(const char *dir, const char *const pins[5])
{
	struct result r = pins ? run("fit", "t.jsonl", "--extrapolate", "20", "--runs", "100",
				     "--bootstrap", "20", "--out", dir, "--quiet", "--set",
				     pins[0], "--set", pins[1], "--set", pins[2], "--set",
				     pins[3], "--set", pins[4], NULL)
			       : run("fit", "t.jsonl", "--extrapolate", "20", "--runs", "100",
				     "--bootstrap", "20", "--out", dir, "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	char name[64];
	snprintf(name, sizeof(name), "%s/summary.json", dir);
	return load_json(name);
}

/*
 * The priors the fitted scenario keeps widen fit --extrapolate's band: DGM-H's run, its wall
 * time's P10-P90 with the five priors drawn per replication, and with each pinned at its
 * median by --set (what the fit gave before it kept them). The priors are the time's
 * (tool and sandbox seconds, decode speeds).
 */
START_TEST(cli_extrapolate_draws_the_base_priors)
{
	char *out;
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	cJSON_Delete(cli_fit_run(FIX "dgmh-run", NULL, &out));
	free(out);
	ck_assert_msg(scenario_load(&sc, path_in("f.json"), NULL, 0, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sc.n_priors, 5);
	char pins[5][PRIOR_PATH_MAX + PRIOR_JSON_MAX + 1];
	const char *pin[5];
	for (size_t i = 0; i < 5; i++) {
		char median[PRIOR_JSON_MAX];
		prior_value_at(&sc.priors[i], 0.5, median);
		snprintf(pins[i], sizeof(pins[i]), "%s=%s", sc.priors[i].path, median);
		pin[i] = pins[i];
	}
	scenario_release(&sc);
	cJSON *drawn = extrapolate_dgmh("drawn", NULL), *pinned = extrapolate_dgmh("pinned", pin);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(drawn, "priors")), 5);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(pinned, "priors"));
	double d10 = json_at(drawn, "quantiles.wall_time_hours.p10");
	double d90 = json_at(drawn, "quantiles.wall_time_hours.p90");
	double p10 = json_at(pinned, "quantiles.wall_time_hours.p10");
	double p90 = json_at(pinned, "quantiles.wall_time_hours.p90");
	printf("DGM-H run, 20 iterations, wall hours P10-P90: priors drawn %.3f-%.3f, pinned at "
	       "medians %.3f-%.3f; USD P10-P90 %.4f-%.4f and %.4f-%.4f\n", d10, d90, p10, p90,
	       json_at(drawn, "quantiles.cost_usd_total.p10"),
	       json_at(drawn, "quantiles.cost_usd_total.p90"),
	       json_at(pinned, "quantiles.cost_usd_total.p10"),
	       json_at(pinned, "quantiles.cost_usd_total.p90"));
	fflush(stdout);
	ck_assert_double_gt(d90 - d10, 1.2 * (p90 - p10));
	ck_assert_int_eq(exists("drawn/sensitivity.csv"), 1);
	ck_assert_int_eq(exists("pinned/sensitivity.csv"), 0);
	cJSON_Delete(drawn);
	cJSON_Delete(pinned);
}
END_TEST

START_TEST(cli_bad_input_exits_3_and_writes_nothing)
{
	struct result r = run("fit", SOURCE_DIR "/tests/fixtures/trace/bad-record.jsonl", "-o",
			      "s.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "bad-record.jsonl:3: usage.gen_ai.usage.input_tokens: got -5"),
		      "%s", r.err);
	ck_assert_int_eq(exists("s.json"), 0);
	ck_assert_int_eq(exists("s.fit.json"), 0);
	result_free(&r);
	r = run("fit", SOURCE_DIR "/tests/fixtures/trace/bad-record.jsonl", "-o", "s.json",
		"--skip-bad", NULL);
	ck_assert_int_eq(r.status, 3); /* what is left has no roles */
	ck_assert_msg(strstr(r.err, "nothing to fit"), "%s", r.err);
	ck_assert_int_eq(exists("s.json"), 0);
	result_free(&r);
	r = run("fit", "t.jsonl", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "-o SCENARIO.json is required"));
	result_free(&r);
	r = run("fit", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap fit TRACE -o SCENARIO.json"));
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fit");
	check_add(s, "lognormal_mle", lognormal_mle_is_the_closed_form, 10);
	check_add(s, "gamma_mle", gamma_mle_matches_an_independent_computation, 10);
	check_add(s, "aic_family", aic_picks_the_family_that_made_the_data, 30);
	check_add(s, "few_counts", few_distinct_counts_stay_empirical, 10);
	check_add(s, "many_counts", many_counts_get_a_smooth_family, 30);
	check_add(s, "capped_moments", capped_mean_and_count_moments_match_draws, 60);
	check_add(s, "zeros", zeros_count_in_the_mean_not_the_likelihood, 10);
	check_add(s, "records", records_become_sessions_and_fields, 10);
	check_add(s, "nothing", nothing_to_fit_is_bad_input, 10);
	check_add(s, "bounds", out_of_bounds_fit_names_the_field, 10);
	check_add(s, "self_consistency", self_consistency_on_dgm_logs, 120);
	check_add(s, "backtest", backtest_screen_to_full_set, 120);
	check_add(s, "synthetic", first_half_forecasts_second_half, 120);
	check_add(s, "cost_relevant", cost_relevant_fields, 10);
	check_add(s, "concurrency_pool", concurrency_of_a_whole_run, 10);
	check_add(s, "concurrency_cannot", concurrency_it_cannot_infer, 10);
	check_add(s, "concurrency_dgm", concurrency_on_dgm_logs, 60);
	check_add(s, "bootstrap_identical", identical_tasks_give_a_zero_width_bootstrap, 30);
	check_add(s, "bootstrap_as_before", bootstrap_from_memory_gives_the_same_report, 60);
	TCase *tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cli_fit_writes_a_scenario_simulate_loads);
	tcase_add_test(tc, cli_extrapolate_writes_a_results_directory);
	tcase_add_test(tc, cli_bad_input_exits_3_and_writes_nothing);
	tcase_add_test(tc, cli_dgm_trace_takes_the_dgm_base);
	tcase_add_test(tc, cli_dgmh_trace_takes_the_hyperagents_base);
	tcase_add_test(tc, cli_bootstrap_pilot_band_is_wider_and_holds_the_total);
	tcase_add_test(tc, cli_bootstrap_same_bytes_any_threads);
	tcase_add_test(tc, cli_bootstrap_options);
	tcase_add_test(tc, cli_fit_keeps_the_base_priors);
	tcase_add_test(tc, cli_extrapolate_draws_the_base_priors);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return check_run(s);
}
