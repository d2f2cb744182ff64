/*
 * bench_growth: how the cost of one replication grows with the work. One replication of
 * hyperagents-500.json (one thread) with iterations = 100, 1,000, 10,000 and 100,000, each in
 * a child process (bench_child.h) for its peak memory, with the wall and CPU time of the
 * replication (loop_run alone), the median of BENCH_REPEATS (5) runs (one at 100,000);
 * with the archive the run leaves (nodes, bytes) and the checkout bytes it read.
 *
 * The growth law: the exponent b of time ~ a * iterations^b, the least-squares slope of
 * log(CPU time) on log(iterations) over the four points (1: linear, 2: quadratic), and the
 * local exponents between neighbouring points (the law steepens as the archive grows); for
 * memory, the slope between the two largest runs of the peak above the empty process's
 * (iterations = 0: below 1,000 iterations the growth is under ru_maxrss's resolution).
 *
 * usage: bench_growth [SCENARIO]   (default data/scenarios/hyperagents-500.json)
 */
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_errno.h>
#include "bench/bench_child.h"
#include "model/forecast.h"
#include "model/scenario.h"

#define N_SIZES 4
static const unsigned sizes[N_SIZES] = { 100, 1000, 10000, 100000 };

struct growth_case {
	const char *path;
	unsigned iterations;
};

static double cpu_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* fig: seconds, archive nodes, archive bytes, checkout bytes, events, CPU seconds */
static int run_once(void *ctx, double *fig)
{
	const struct growth_case *c = ctx;
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct scenario sc;
	struct loop_models models;
	struct loop_result res;
	char set[64];
	const char *sets[] = { set };

	snprintf(set, sizeof(set), "iterations=%u", c->iterations);
	if (price_sheet_load(&ps, NULL, &err) || scenario_load(&sc, c->path, sets, 1, &err) ||
	    loop_resolve_models(&sc, &ps, &models, &err)) {
		fprintf(stderr, "bench_growth: %s\n", err.msg);
		return 1;
	}
	double t0 = bench_now_s(), c0 = cpu_now_s();
	if (loop_run(&sc, &models, 1, 0, &res, &err)) {
		fprintf(stderr, "bench_growth: %s\n", err.msg);
		return 1;
	}
	fig[0] = bench_now_s() - t0;
	fig[5] = cpu_now_s() - c0;
	fig[1] = (double)res.archive_nodes;
	fig[2] = res.archive_bytes;
	fig[3] = res.io_bytes;
	fig[4] = (double)res.events;
	loop_result_release(&res);
	scenario_release(&sc);
	price_sheet_release(&ps);
	return 0;
}

/* The least-squares slope of log(y) on log(x). */
static double loglog_slope(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0;
	for (size_t i = 0; i < n; i++) {
		mx += log(x[i]) / n;
		my += log(y[i]) / n;
	}
	for (size_t i = 0; i < n; i++) {
		sxy += (log(x[i]) - mx) * (log(y[i]) - my);
		sxx += (log(x[i]) - mx) * (log(x[i]) - mx);
	}
	return sxy / sxx;
}

/* Medians of repeats runs: wall and CPU seconds, peak memory; the last run's other figures. */
static void measure(struct growth_case *c, unsigned repeats, double *s, double *cpu,
		    double *rss, double *fig)
{
	double ts[99] = { 0 }, cs[99] = { 0 }, ms[99] = { 0 };
	struct child_run r = { 0 };
	for (unsigned i = 0; i < repeats; i++) {
		r = child_measure(run_once, c);
		ts[i] = r.fig[0];
		cs[i] = r.fig[5];
		ms[i] = r.peak_rss_mb;
	}
	*s = bench_median(ts, repeats);
	*cpu = bench_median(cs, repeats);
	*rss = bench_median(ms, repeats);
	for (int k = 0; k < 6; k++)
		fig[k] = r.fig[k];
}

int main(int argc, char **argv)
{
	struct growth_case c = { argc > 1 ? argv[1] : "data/scenarios/hyperagents-500.json", 0 };
	unsigned repeats = bench_repeats(5);
	double x[N_SIZES], s[N_SIZES], cpu[N_SIZES], rss[N_SIZES], extra[N_SIZES];
	double nodes[N_SIZES], base_s, base_cpu, base_rss, fig[6];

	gsl_set_error_handler_off();
	measure(&c, repeats, &base_s, &base_cpu, &base_rss, fig);
	printf("growth_base_peak_rss_mb %.1f (iterations 0)\n", base_rss);
	for (int i = 0; i < N_SIZES; i++) {
		unsigned runs = sizes[i] >= 100000 ? 1 : repeats;
		c.iterations = sizes[i];
		measure(&c, runs, &s[i], &cpu[i], &rss[i], fig);
		x[i] = sizes[i];
		nodes[i] = fig[1];
		extra[i] = fmax(rss[i] - base_rss, 0.01);
		printf("growth_%u_s %.4f (median of %u)\n", sizes[i], s[i], runs);
		printf("growth_%u_cpu_s %.4f (median)\n", sizes[i], cpu[i]);
		printf("growth_%u_us_per_iteration %.1f\n", sizes[i], s[i] / sizes[i] * 1e6);
		printf("growth_%u_peak_rss_mb %.1f\n", sizes[i], rss[i]);
		printf("growth_%u_archive_nodes %.0f\n", sizes[i], fig[1]);
		printf("growth_%u_archive_mb %.1f\n", sizes[i], fig[2] / 1e6);
		printf("growth_%u_checkout_gb %.2f\n", sizes[i], fig[3] / 1e9);
		printf("growth_%u_events %.0f\n", sizes[i], fig[4]);
	}
	printf("growth_time_exponent %.2f (CPU time ~ iterations^b, least squares on log-log)\n",
	       loglog_slope(x, cpu, N_SIZES));
	printf("growth_wall_time_exponent %.2f\n", loglog_slope(x, s, N_SIZES));
	printf("growth_time_vs_archive_nodes_exponent %.2f\n", loglog_slope(nodes, cpu, N_SIZES));
	for (int i = 0; i + 1 < N_SIZES; i++)
		printf("growth_time_exponent_%u_%u %.2f (local)\n", sizes[i], sizes[i + 1],
		       loglog_slope(x + i, cpu + i, 2));
	printf("growth_memory_exponent %.2f (peak memory above iterations 0, %u to %u)\n",
	       loglog_slope(x + N_SIZES - 2, extra + N_SIZES - 2, 2), sizes[N_SIZES - 2],
	       sizes[N_SIZES - 1]);
	return 0;
}
