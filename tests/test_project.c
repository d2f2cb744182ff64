/*
 * The projection (fit/project.h): exact on a run without randomness, and its accuracy on
 * whole runs generated from DGM's logs and from the DGM-H preset (tests/synth_run.h): the
 * projection after 10 %, 25 % and 50 % of the iterations against the run's final bill, and
 * how often that bill falls inside the projected P10-P90. docs/metering.md gives the figures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fit/project.h"
#include "tests/check_main.h"
#include "tests/synth_run.h"

#define DGM_DIR SOURCE_DIR "/data/dgm-polyglot-initial"

static int put_project(void *ctx, const struct trace_record *rec)
{
	ck_assert_int_eq(project_add(ctx, rec, NULL), 0);
	return 0;
}

/* The whole run's bill, priced call by call here (not by project.c). */
struct bill {
	const struct price_sheet *ps;
	double usd, tokens;
};

static int put_bill(void *ctx, const struct trace_record *rec)
{
	struct bill *b = ctx;
	const struct price *p = price_sheet_find(b->ps, rec->u.call.model);
	ck_assert_msg(p != NULL, "no price for %s", rec->u.call.model);
	const struct usage *u = &rec->u.call.usage;
	double usd = price_cost(p, u);
	ck_assert(isfinite(usd));
	b->usd += usd;
	b->tokens += (double)(u->input + u->output);
	return 0;
}

/* Projects the run of (sc, tasks, seed) from iterations 0 .. upto. */
static void project_run(const struct scenario *sc, const struct synth_recorded *tasks,
			uint64_t seed, const struct price_sheet *ps, long upto,
			struct projection *out)
{
	struct hc_err err = HC_ERR_INIT;
	struct project p;
	struct project_config cfg = { .base = sc, .prices = ps, .last_iteration = sc->iterations,
				      .runs = 20, .seed = seed + 1000 };
	ck_assert_int_eq(project_init(&p, &cfg, upto, &err), 0);
	synth_run(sc, tasks, seed, put_project, &p);
	ck_assert_msg(project_finish(&p, out, &err) == 0, "%s", err.msg);
	project_release(&p);
}

static void load(struct scenario *sc, const char *preset, const char *const *sets, size_t n)
{
	struct hc_err err = HC_ERR_INIT;
	char path[256];
	snprintf(path, sizeof(path), SOURCE_DIR "/data/scenarios/%s", preset);
	ck_assert_msg(scenario_load(sc, path, sets, n, &err) == 0, "%s", err.msg);
}

/*
 * Without randomness (every count and size a constant, no caching, the full evaluation) the
 * remainder is the same in every replication, and spent + remainder is the run's bill to the
 * cent, priced here call by call.
 */
START_TEST(constant_run_is_projected_exactly)
{
	static const char *const sets[] = {
		"iterations=20", "self_modification.calls=4", "self_modification.prompt_tokens=5000",
		"self_modification.output_tokens=400", "self_modification.tool_result_tokens=600",
		"self_modification.caching=\"off\"",
		"domains.paper_review.task.prompt_tokens=4500",
		"domains.paper_review.task.output_tokens=500",
		"domains.robotics_reward.task.prompt_tokens=700",
		"domains.robotics_reward.task.output_tokens=300",
	};
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct projection pr;
	load(&sc, "hyperagents-paper.json", sets, sizeof(sets) / sizeof(*sets));
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	struct bill all = { &ps, 0, 0 };
	synth_run(&sc, NULL, 7, put_bill, &all);
	project_run(&sc, NULL, 7, &ps, 5, &pr);
	printf("constant run: bill $%.4f, projected from 5 of 20 iterations P10 $%.4f P50 $%.4f "
	       "P90 $%.4f (spent $%.4f)\n", all.usd, pr.usd.p10, pr.usd.p50, pr.usd.p90,
	       pr.spent_usd);
	ck_assert_double_eq_tol(pr.usd.p50, all.usd, 1e-6 * all.usd);
	ck_assert_double_eq_tol(pr.usd.p10, pr.usd.p90, 1e-9 * all.usd);
	ck_assert_double_eq_tol(pr.tokens.p50, all.tokens, 1e-6 * all.tokens);
	ck_assert_double_lt(pr.spent_usd, 0.4 * all.usd);
	ck_assert_uint_eq(pr.unpriced, 0);
	price_sheet_release(&ps);
	scenario_release(&sc);
}
END_TEST

/* The projection, and each iteration's last end as this test sees it, of a run. */
struct paced {
	struct project p;
	double end[21];
};

static int put_paced(void *ctx, const struct trace_record *rec)
{
	struct paced *pc = ctx;
	long i = rec->u.call.iteration;
	if (i >= 0 && i <= 20 && !(rec->u.call.end_time <= pc->end[i]))
		pc->end[i] = rec->u.call.end_time;
	return put_project(&pc->p, rec);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * The expected end (docs/metering.md, "Live forecast"): projected from iterations 0 .. 5 of a
 * 20-iteration DGM-H run, the end of iteration 5 plus 15 times the median of iterations
 * 1 .. 5's durations (end to end), computed here from the calls' end times; from iteration 0
 * alone, when the call is made plus the model's P50 hours left.
 */
START_TEST(expected_end_follows_the_runs_pace)
{
	static const char *const sets[] = { "iterations=20" };
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct projection pr;
	struct paced pc;
	const char *from;
	double d[5];
	load(&sc, "hyperagents-paper.json", sets, 1);
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	struct project_config cfg = { .base = &sc, .prices = &ps, .last_iteration = 20,
				      .runs = 20, .seed = 1 };
	for (long upto = 0; upto <= 5; upto += 5) {
		for (int i = 0; i <= 20; i++)
			pc.end[i] = NAN;
		ck_assert_int_eq(project_init(&pc.p, &cfg, upto, &err), 0);
		synth_run(&sc, NULL, 3, put_paced, &pc);
		ck_assert_msg(project_finish(&pc.p, &pr, &err) == 0, "%s", err.msg);
		project_release(&pc.p);
		double end = project_expected_end(&pr, 1e9, &from);
		if (!upto) {
			ck_assert(isnan(pr.seconds_per_iteration));
			ck_assert_str_eq(from, "model");
			ck_assert_double_eq_tol(end, 1e9 + 3600 * pr.hours_left.p50, 1e-6);
			continue;
		}
		for (int i = 1; i <= 5; i++)
			d[i - 1] = pc.end[i] - pc.end[i - 1];
		qsort(d, 5, sizeof(*d), by_value);
		printf("paced run: iterations 1-5 took %.0f to %.0f s, median %.0f s; expected "
		       "end %.0f h after iteration 5, the model's P50 %.1f h\n", d[0], d[4], d[2],
		       (end - pc.end[5]) / 3600, pr.hours_left.p50);
		ck_assert_str_eq(from, "pace");
		ck_assert_double_eq_tol(pr.seconds_per_iteration, d[2], 1e-9 * d[2]);
		ck_assert_double_eq(pr.upto_end, pc.end[5]);
		ck_assert_double_eq_tol(end, pc.end[5] + 15 * d[2], 1e-6);
	}
	price_sheet_release(&ps);
	scenario_release(&sc);
}
END_TEST

#define SEEDS 10
static const double fractions[] = { 0.10, 0.25, 0.50 };
#define N_FRACTIONS 3

/* Per fraction of the iterations done: the mean |P50 / bill - 1| and the band's coverage. */
struct accuracy {
	double mean_abs_error[N_FRACTIONS], signed_error[N_FRACTIONS], worst_error[N_FRACTIONS];
	unsigned inside[N_FRACTIONS], seeds;
};

static void backtest(const char *name, const struct scenario *sc,
		     const struct synth_recorded *tasks, struct accuracy *acc)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	memset(acc, 0, sizeof(*acc));
	acc->seeds = SEEDS;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct bill all = { &ps, 0, 0 };
		synth_run(sc, tasks, seed, put_bill, &all);
		for (int k = 0; k < N_FRACTIONS; k++) {
			struct projection pr;
			long upto = lround(fractions[k] * sc->iterations);
			project_run(sc, tasks, seed, &ps, upto, &pr);
			double e = pr.usd.p50 / all.usd - 1;
			acc->mean_abs_error[k] += fabs(e) / SEEDS;
			acc->signed_error[k] += e / SEEDS;
			if (fabs(e) > fabs(acc->worst_error[k]))
				acc->worst_error[k] = e;
			acc->inside[k] += pr.usd.p10 <= all.usd && all.usd <= pr.usd.p90;
			if (seed == 1)
				printf("%s seed 1 after %ld of %u iterations: bill $%.2f, spent $%.2f, "
				       "P10 $%.2f P50 $%.2f P90 $%.2f\n", name, upto,
				       sc->iterations, all.usd, pr.spent_usd, pr.usd.p10,
				       pr.usd.p50, pr.usd.p90);
		}
	}
	for (int k = 0; k < N_FRACTIONS; k++)
		printf("%s after %.0f%%: P50 error mean %+.1f%%, mean |.| %.1f%%, worst %+.1f%%; "
		       "bill inside P10-P90 in %u of %u runs\n", name, 100 * fractions[k],
		       100 * acc->signed_error[k], 100 * acc->mean_abs_error[k],
		       100 * acc->worst_error[k], acc->inside[k], acc->seeds);
	fflush(stdout);
	price_sheet_release(&ps);
}

/*
 * DGM: the preset's loop (80 iterations of 4 children, staged) on DGM's recorded tasks, which
 * resample the initial agent's results, so no agent of the run improves. With the preset's
 * improvement (children drift up and pass the screen more often) the model expects a dearer
 * run than these logs make: the projection runs high. With improvement 0, what the logs show,
 * it is close. docs/metering.md gives both.
 */
START_TEST(dgm_logs_backtest)
{
	static const char *const flat[] = { "domains.polyglot.improvement=0" };
	static struct synth_recorded tasks;
	struct scenario sc;
	struct accuracy acc;
	ck_assert_int_eq(synth_load_dgm(&tasks, DGM_DIR), 0);
	ck_assert_uint_eq(tasks.n_sess, 59);
	ck_assert_uint_eq(tasks.n_calls, 255);
	load(&sc, "dgm-polyglot.json", flat, 1);
	backtest("DGM logs", &sc, &tasks, &acc);
	ck_assert_double_lt(acc.mean_abs_error[1], 0.06);
	ck_assert_uint_ge(acc.inside[1], 6);
	scenario_release(&sc);
	load(&sc, "dgm-polyglot.json", NULL, 0);
	backtest("DGM logs, preset's improvement", &sc, &tasks, &acc);
	ck_assert_double_gt(acc.signed_error[1], 0.10);
	scenario_release(&sc);
}
END_TEST

/* DGM-H: the HyperAgents preset's 100 iterations, drawn from its own session models. */
START_TEST(dgmh_synthetic_backtest)
{
	struct scenario sc;
	struct accuracy acc;
	load(&sc, "hyperagents-paper.json", NULL, 0);
	ck_assert_uint_eq(sc.iterations, 100);
	backtest("DGM-H synthetic", &sc, NULL, &acc);
	ck_assert_double_lt(acc.mean_abs_error[1], 0.06);
	ck_assert_uint_ge(acc.inside[1], 6);
	scenario_release(&sc);
}
END_TEST

/* ---- the guard that looks ahead ---- */

#define GUARD_SEEDS 4
#define GUARD_STEP 3 /* projections from every third iteration: the test's time */
/* budgets as a share of the run's bill: under 1 the run overshoots, over 1 it stays below */
static const double budget_shares[] = { 0.8, 1 / 0.95, 1 / 0.9, 1 / 0.8 };
#define N_SHARES 4

/*
 * Projects each run from every third iteration from the guard's first to N - 1 (the meter
 * projects from every iteration), and applies
 * project_guard_trips to budgets of budget_shares x the bill: for an overshooting run, the
 * first trip must come before its spend reaches the budget; a run 20 % or more below its
 * budget must never trip. Prints the trips (false stops above 1).
 */
static void guard_backtest(const char *name, const struct scenario *sc,
			   const struct synth_recorded *tasks)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	unsigned tripped[N_SHARES] = { 0 };
	double spent_share_at_trip = 0;
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	for (uint64_t seed = 1; seed <= GUARD_SEEDS; seed++) {
		struct bill all = { &ps, 0, 0 };
		int done[N_SHARES] = { 0 };
		synth_run(sc, tasks, seed, put_bill, &all);
		for (long k = project_guard_first(sc->iterations); k < (long)sc->iterations;
		     k += GUARD_STEP) {
			struct projection pr;
			project_run(sc, tasks, seed, &ps, k, &pr);
			for (int b = 0; b < N_SHARES; b++) {
				double budget = budget_shares[b] * all.usd;
				if (done[b] || !project_guard_trips(&pr, budget))
					continue;
				done[b] = 1;
				tripped[b]++;
				if (b == 0) {
					ck_assert_double_lt(pr.spent_usd, budget);
					spent_share_at_trip += pr.spent_usd / budget / GUARD_SEEDS;
				}
			}
		}
	}
	printf("%s, projected guard over %d runs, a projection every %d iterations: budget "
	       "0.8 x bill tripped in %u (at %.0f%% of the budget spent, mean), bill / 0.95 in "
	       "%u, bill / 0.9 in %u, bill / 0.8 in %u\n", name, GUARD_SEEDS, GUARD_STEP, tripped[0],
	       100 * spent_share_at_trip, tripped[1], tripped[2], tripped[3]);
	fflush(stdout);
	ck_assert_uint_eq(tripped[0], GUARD_SEEDS);
	ck_assert_uint_eq(tripped[3], 0);
	price_sheet_release(&ps);
}

START_TEST(projected_guard_on_whole_runs)
{
	static const char *const flat[] = { "domains.polyglot.improvement=0" };
	static struct synth_recorded tasks;
	struct scenario sc;
	ck_assert_int_eq(synth_load_dgm(&tasks, DGM_DIR), 0);
	load(&sc, "dgm-polyglot.json", flat, 1);
	guard_backtest("DGM logs", &sc, &tasks);
	scenario_release(&sc);
	load(&sc, "hyperagents-paper.json", NULL, 0);
	guard_backtest("DGM-H synthetic", &sc, NULL);
	scenario_release(&sc);
}
END_TEST

/* ---- following the trace as it grows (project_follow) ---------------------------------------- */

static int put_line(void *ctx, const struct trace_record *rec)
{
	cJSON *o = trace_record_to_json(rec);
	char *line = cJSON_PrintUnformatted(o);
	fprintf(ctx, "%s\n", line);
	cJSON_free(line);
	cJSON_Delete(o);
	return 0;
}

static void write_at(const char *path, const char *mode, const char *text, size_t n)
{
	FILE *f = fopen(path, mode);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* The projection as the projector made it before: the whole file read again. */
static void project_whole_file(const char *path, const struct project_config *cfg, long upto,
			       struct projection *out)
{
	struct hc_err err = HC_ERR_INIT;
	struct project p;
	struct trace_reader r;
	struct trace_record rec;
	ck_assert_int_eq(project_init(&p, cfg, upto, &err), 0);
	ck_assert_int_eq(trace_reader_open(&r, path, 1, &err), 0);
	while (trace_reader_next(&r, &rec, &err) == 1)
		ck_assert_int_eq(project_add(&p, &rec, &err), 0);
	trace_reader_close(&r);
	ck_assert_msg(project_finish(&p, out, &err) == 0, "%s", err.msg);
	project_release(&p);
}

static void same_band(const struct project_band *a, const struct project_band *b)
{
	ck_assert(a->p10 == b->p10 && a->p50 == b->p50 && a->p90 == b->p90);
}

static void same_number(double a, double b)
{
	ck_assert_msg(a == b || (isnan(a) && isnan(b)), "%.17g against %.17g", a, b);
}

static void same_projection(const struct projection *a, const struct projection *b)
{
	ck_assert_int_eq(a->upto, b->upto);
	ck_assert_uint_eq(a->calls, b->calls);
	ck_assert_uint_eq(a->unpriced, b->unpriced);
	same_number(a->spent_usd, b->spent_usd);
	same_number(a->spent_tokens, b->spent_tokens);
	same_number(a->elapsed_hours, b->elapsed_hours);
	same_band(&a->usd, &b->usd);
	same_band(&a->tokens, &b->tokens);
	same_band(&a->hours_left, &b->hours_left);
	same_number(a->seconds_per_iteration, b->seconds_per_iteration);
	same_number(a->upto_end, b->upto_end);
}

/* Lines (newlines) in text[0 .. n). */
static size_t count_lines(const char *text, size_t n)
{
	size_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	return lines;
}

/*
 * A run's trace appended in chunks that cut lines anywhere (as a reader may find a record
 * half written): after each, the records kept are the whole lines so far, a cut line waiting
 * for its newline; once the trace is whole, the projections equal those from the file read
 * at once. A trace replaced by another is read again from its start.
 */
START_TEST(following_in_chunks_projects_as_the_whole_file)
{
	static const char *const sets[] = { "iterations=8" };
	static const size_t chunks[] = { 1, 90, 3000, 1, 777, 20000, 5, 64000 };
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct project_follow fw;
	struct projection whole, followed;
	char path[64], *text;
	size_t len, at = 0;
	load(&sc, "hyperagents-paper.json", sets, 1);
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	FILE *mem = open_memstream(&text, &len);
	fprintf(mem, "{\"hypercap_trace\":1,\"source\":\"meter\",\"created\":\"2026-12-07\"}\n");
	synth_run(&sc, NULL, 5, put_line, mem);
	fclose(mem);
	snprintf(path, sizeof(path), "/tmp/hypercap-follow-%d.jsonl", (int)getpid());
	write_at(path, "wb", "", 0);
	project_follow_init(&fw, path);
	for (size_t c = 0; at < len; c = (c + 1) % (sizeof(chunks) / sizeof(*chunks))) {
		size_t n = chunks[c] < len - at ? chunks[c] : len - at;
		write_at(path, "ab", text + at, n);
		at += n;
		if (count_lines(text, at) == 0)
			continue; /* the header is not whole yet */
		ck_assert_msg(project_follow_read(&fw, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(fw.records.n, count_lines(text, at) - 1);
	}
	ck_assert_uint_gt(fw.records.n, 500);
	struct project_config cfg = { .base = &sc, .prices = &ps,
				      .last_iteration = sc.iterations, .runs = 8, .threads = 1,
				      .seed = 1 };
	for (long upto = 0; upto < 8; upto += 3) {
		project_whole_file(path, &cfg, upto, &whole);
		ck_assert_msg(project_follow_run(&fw, &cfg, upto, &followed, &err) == 0, "%s",
			      err.msg);
		same_projection(&followed, &whole);
	}
	/* another trace in its place: the first half of the same run */
	unlink(path);
	size_t half = len / 2;
	write_at(path, "wb", text, half);
	ck_assert_msg(project_follow_read(&fw, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fw.records.n, count_lines(text, half) - 1);
	project_whole_file(path, &cfg, 1, &whole);
	ck_assert_int_eq(project_follow_run(&fw, &cfg, 1, &followed, &err), 0);
	same_projection(&followed, &whole);
	project_follow_release(&fw);
	unlink(path);
	free(text);
	price_sheet_release(&ps);
	scenario_release(&sc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("project");
	check_add(s, "constant", constant_run_is_projected_exactly, 60);
	check_add(s, "pace", expected_end_follows_the_runs_pace, 60);
	check_add(s, "follow", following_in_chunks_projects_as_the_whole_file, 120);
	check_add(s, "dgm", dgm_logs_backtest, 600);
	check_add(s, "dgmh", dgmh_synthetic_backtest, 600);
	check_add(s, "guard", projected_guard_on_whole_runs, 900);
	return check_run(s);
}
