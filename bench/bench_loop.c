/*
 * bench_loop: the time of one replication of a scenario (default
 * data/scenarios/hyperagents-500.json) with the embedded price sheet: median of 21 runs,
 * each on its own random stream, and the engine events per second inside the loop model.
 * Peak memory is the process's maximum resident set size after all runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include "model/loop.h"
#include "sim/stats.h"

#define RUNS 21

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "data/scenarios/hyperagents-500.json";
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct loop_models models;
	double ms[RUNS], events = 0, seconds = 0;

	gsl_set_error_handler_off();
	if (price_sheet_load(&ps, NULL, &err) || scenario_load(&sc, path, NULL, 0, &err) ||
	    loop_resolve_models(&sc, &ps, &models, &err)) {
		fprintf(stderr, "bench_loop: %s\n", err.msg);
		return 1;
	}
	for (unsigned i = 0; i < RUNS; i++) {
		struct loop_result res;
		double t0 = now_s();
		if (loop_run(&sc, &models, 1, i, &res, &err)) {
			fprintf(stderr, "bench_loop: %s\n", err.msg);
			return 1;
		}
		double dt = now_s() - t0;
		ms[i] = dt * 1e3;
		events += (double)res.events;
		seconds += dt;
		loop_result_release(&res);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("loop_scenario %s\n", sc.name);
	printf("loop_iterations %u\n", sc.iterations);
	printf("loop_replication_ms_median %.2f\n", stats_quantile(ms, RUNS, 0.5));
	printf("loop_replication_ms_min %.2f\n", ms[0]);
	printf("loop_events_per_replication %.0f\n", events / RUNS);
	printf("loop_events_per_s %.3g\n", events / seconds);
	printf("loop_peak_rss_mb %.1f\n", ru.ru_maxrss / 1024.0);
	scenario_release(&sc);
	price_sheet_release(&ps);
	return 0;
}
