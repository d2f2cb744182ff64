/*
 * bench_forecast: whole forecasts as `hypercap simulate` runs them (forecast_run: the
 * replications on threads, handed on in order as they finish and their rows dropped, then
 * their statistics), each in a child process for its peak memory (bench_child.h):
 *
 * - forecast_500_*: one replication of hyperagents-500.json (500 iterations), one thread;
 * - forecast_paper_10k_*: 10,000 replications of hyperagents-paper.json on 2 threads
 *   (targets, issue 18: under 10 s idle, 2 ms of CPU a replication, memory flat).
 *
 * usage: bench_forecast [SCENARIO_DIR]   (default data/scenarios); BENCH_REPEATS=n sets the
 * repeats (default 5 and 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include "bench/bench_child.h"
#include "model/forecast.h"
#include "model/scenario.h"

struct forecast_case {
	const char *name;
	char path[4096];
	unsigned runs, threads, repeats;
};

/* fig: seconds, replications per second, events per replication */
static int run_forecast(void *ctx, double *fig)
{
	const struct forecast_case *c = ctx;
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct scenario sc;
	struct forecast f;

	if (price_sheet_load(&ps, NULL, &err) || scenario_load(&sc, c->path, NULL, 0, &err)) {
		fprintf(stderr, "bench_forecast: %s\n", err.msg);
		return 1;
	}
	double t0 = bench_now_s();
	if (forecast_run(&f, &sc, &ps, c->runs, c->threads, 1, NULL, FORECAST_DROP, &err)) {
		fprintf(stderr, "bench_forecast: %s\n", err.msg);
		return 1;
	}
	fig[0] = bench_now_s() - t0;
	fig[1] = c->runs / fig[0];
	for (unsigned i = 0; i < c->runs; i++)
		fig[2] += (double)f.per_rep[i].events / c->runs;
	forecast_release(&f);
	scenario_release(&sc);
	price_sheet_release(&ps);
	return 0;
}

static void bench_case(struct forecast_case *c)
{
	double s[99] = { 0 }, rss[99] = { 0 }, cpu[99] = { 0 }, events = 0;

	for (unsigned i = 0; i < c->repeats; i++) {
		struct child_run r = child_measure(run_forecast, c);
		s[i] = r.fig[0];
		rss[i] = r.peak_rss_mb;
		cpu[i] = r.cpu_s;
		events = r.fig[2];
	}
	double median = bench_median(s, c->repeats);
	printf("%s_s %.3f (median of %u; min %.3f, max %.3f)\n", c->name, median, c->repeats,
	       s[0], s[c->repeats - 1]);
	printf("%s_cpu_s %.3f (median; user + system, all threads)\n", c->name,
	       bench_median(cpu, c->repeats));
	printf("%s_replications_per_s %.1f\n", c->name, c->runs / median);
	printf("%s_events_per_replication %.0f\n", c->name, events);
	printf("%s_peak_rss_mb %.1f (median; max %.1f)\n", c->name,
	       bench_median(rss, c->repeats), rss[c->repeats - 1]);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "data/scenarios";
	struct forecast_case one = { "forecast_500_1rep", "", 1, 1, bench_repeats(5) };
	struct forecast_case many = { "forecast_paper_10k", "", 10000, 2, bench_repeats(3) };

	gsl_set_error_handler_off();
	snprintf(one.path, sizeof(one.path), "%s/hyperagents-500.json", dir);
	snprintf(many.path, sizeof(many.path), "%s/hyperagents-paper.json", dir);
	bench_case(&one);
	bench_case(&many);
	return 0;
}
