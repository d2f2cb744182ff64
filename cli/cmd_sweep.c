/*
 * hypercap sweep: forecast every point of a grid over scenario fields, one row each in
 * sweep.csv; under mpirun (a -DHYPERCAP_MPI=ON build) the processes share the points.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/sweep_mpi.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/sweep.h"
#include "reports/sweep_out.h"

static const char usage_head[] =
	"usage: hypercap sweep GRID.json [options]\n"
	"\n"
	"Forecasts every point of a grid over scenario fields and writes a results directory\n"
	"with sweep.csv (one row per point: the point, its seed, its values, then per metric\n"
	"the mean, P10, P50 and P90 over the replications, then the same of the API,\n"
	"self-hosted, storage and compute dollars per run and per month and of the monthly\n"
	"total) and grid.json (the grid as used).\n"
	"GRID.json:\n"
	"  {\"scenario\": \"hyperagents-paper.json\",       (optional: the embedded default;\n"
	"                                                  relative to GRID.json's folder)\n"
	"   \"set\":  {\"iterations\": 20},                  (applied to every point)\n"
	"   \"grid\": {\"domains.paper_review.full_tasks\": [50, 100],\n"
	"            \"self_modification.session.caching\": [\"off\", \"automatic\"]},\n"
	"   \"zip\":  [{\"self_modification.model\": [\"claude-sonnet-4-5\", \"gpt-4o\"],\n"
	"             \"domains.paper_review.model\": [\"gpt-4o\", \"claude-sonnet-4-5\"]}]}\n"
	"Paths are those of --set (simulate --help). Points: the cartesian product of the\n"
	"\"grid\" lists and the \"zip\" groups (whose lists advance together), in row-major order\n"
	"(grid keys, then zip groups, as written; the last varies fastest). Every point runs\n"
	"with the seed S: common random numbers, replication i of every point draws from the\n"
	"same seed, so the points' differences are paired; a point equals\n"
	"`simulate --seed S --set ...` with its assignments.\n"
	"\n"
	"options:\n";

static const char usage_tail[] =
	"\n"
	"Built with -DHYPERCAP_MPI=ON: `mpirun -n K hypercap sweep ...` shares the points\n"
	"round-robin among K processes (use --threads 1 there); rank 0 writes sweep.csv,\n"
	"byte-identical to one process. --runs is the replications of each point.\n"
	"On a terminal, stderr shows a progress line over all the points' replications (done,\n"
	"rate, time left; rank 0 only, over its own points); it is erased at the end.\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data (the grid file,\n"
	"its JSON path, the value and what is allowed), 130 / 143 interrupted (SIGINT /\n"
	"SIGTERM). See docs/sweep.md.\n";

static const struct cli_options_spec spec = {
	.cmd = "sweep",
	.takes = CLI_RUNS | CLI_SEED | CLI_THREADS | CLI_PRICES | CLI_OUT | CLI_QUIET,
	.runs = 10,
	.out = "out/sweep",
	.head = usage_head,
	.tail = usage_tail,
};

struct options {
	struct cli_options shared;
	const char *grid;
	const char *out;
};

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	cli_options_next(&o->shared, argc, argv, &rc); /* sweep has no options of its own */
	if (rc >= 0)
		return rc;
	if (optind == argc)
		return cli_usage_error("sweep", "expected a grid file, e.g. hypercap sweep "
				       "grid.json");
	o->grid = argv[optind++];
	if (optind < argc)
		return cli_usage_error("sweep", "unexpected argument '%s'", argv[optind]);
	o->out = o->shared.out ? o->shared.out : "out/sweep";
	return -1;
}

/* Forecasts point p and formats its row into slot. */
static void run_point(const struct options *o, const struct sweep_grid *g,
		      const struct price_sheet *ps, size_t p, struct cli_progress *progress,
		      struct sweep_mpi_slot *slot)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct forecast f;
	uint64_t seed = o->shared.seed; /* every point: common random numbers */
	int rc = sweep_point_load(g, p, &sc, &err);
	if (!rc) {
		rc = forecast_run(&f, &sc, ps, (unsigned)o->shared.runs, (unsigned)o->shared.threads, seed,
				  cli_progress_hook(progress), FORECAST_DROP, &err);
		if (rc) {
			hc_err_prefix(&err, "%s: point %zu", g->origin, p);
		} else {
			rc = sweep_out_row(g, p, seed, &f, &slot->text, &err);
			forecast_release(&f);
		}
		scenario_release(&sc);
	}
	slot->code = rc;
	if (rc)
		slot->text = strdup(err.msg);
}

/* This process's points: rank, rank + size, ...; after a failure the rest are skipped. */
static void run_points(const struct options *o, const struct sweep_grid *g,
		       const struct price_sheet *ps, const struct sweep_mpi *procs,
		       struct sweep_mpi_slot *slots)
{
	struct cli_progress progress;
	size_t first = (size_t)procs->rank, step = (size_t)procs->size;
	size_t mine = first < g->n_points ? (g->n_points - first + step - 1) / step : 0;
	int failed = 0;
	/* other ranks' lines would overwrite rank 0's on a shared terminal */
	cli_progress_init(&progress, "sweep", mine * o->shared.runs, o->shared.quiet || procs->rank > 0);
	for (size_t p = (size_t)procs->rank; p < g->n_points; p += (size_t)procs->size) {
		if (failed) {
			slots[p].code = HC_ERUNTIME;
			slots[p].text = strdup("skipped after an earlier point failed");
			continue;
		}
		run_point(o, g, ps, p, &progress, &slots[p]);
		failed = slots[p].code != 0;
	}
	cli_progress_end(&progress);
}

struct results_job {
	const struct sweep_grid *g;
	char **rows;
	struct sweep_out_settings settings;
};

static int write_results(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	const struct results_job *job = ctx;
	return sweep_out_write_all(rd, job->g, job->rows, &job->settings, err);
}

/* Rank 0: the first failure in point order, or the results directory. */
static int finish_root(const struct options *o, const struct sweep_grid *g,
		       const struct price_sheet *ps, const struct sweep_mpi *procs,
		       struct sweep_mpi_slot *slots)
{
	struct hc_err err = HC_ERR_INIT;
	char **rows = calloc(g->n_points, sizeof(*rows));
	if (!rows)
		return cli_fail(&(struct hc_err){ HC_ERUNTIME, "out of memory" });
	for (size_t p = 0; p < g->n_points; p++) {
		if (slots[p].code) {
			hc_err_set(&err, slots[p].code, "%s", slots[p].text ? slots[p].text
									   : "out of memory");
			free(rows);
			return cli_fail(&err);
		}
		rows[p] = slots[p].text;
	}
	struct results_dir rd;
	struct results_job job = { g, rows, { (unsigned)o->shared.runs, o->shared.seed, ps } };
	int rc = results_dir_write(&rd, o->out, write_results, &job, &err);
	free(rows);
	if (rc)
		return cli_fail(&err);
	if (!o->shared.quiet)
		printf("%s: %zu points x %llu replications, seed %llu, %d process%s; results in "
		       "%s/\n", g->origin, g->n_points, (unsigned long long)o->shared.runs,
		       (unsigned long long)o->shared.seed, procs->size, procs->size > 1 ? "es" : "",
		       rd.path);
	return EXIT_OK;
}

static int compute(const struct options *o, const struct sweep_grid *g,
		   const struct price_sheet *ps, const struct sweep_mpi *procs)
{
	struct sweep_mpi_slot *slots = calloc(g->n_points, sizeof(*slots));
	if (!slots)
		return cli_fail(&(struct hc_err){ HC_ERUNTIME, "out of memory" });
	run_points(o, g, ps, procs, slots);
	int rc;
	if (sweep_mpi_gather(procs, slots, g->n_points))
		rc = cli_fail(&(struct hc_err){ HC_ERUNTIME, "lost the rows of other processes" });
	else
		rc = procs->rank == 0 ? finish_root(o, g, ps, procs, slots) : EXIT_OK;
	for (size_t p = 0; p < g->n_points; p++)
		free(slots[p].text);
	free(slots);
	return rc;
}

static int sweep(const struct options *o, const struct sweep_mpi *procs)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct sweep_grid g;
	int print;
	int code = price_sheet_load(&ps, o->shared.prices, &err);
	int have_ps = !code, have_grid = 0;
	if (!code) {
		code = sweep_grid_load(&g, o->grid, &err);
		have_grid = !code;
	}
	if (!code)
		code = sweep_grid_check(&g, &ps, &err);
	const char *inputs[] = { o->grid, o->shared.prices, have_grid ? g.scenario : NULL };
	if (!code)
		code = results_dir_check(o->out, "--out", inputs, 3, &err);
	/* every process read the same files; they stop together if any could not */
	code = sweep_mpi_agree(procs, code, &print);
	int rc;
	if (!code)
		rc = compute(o, &g, &ps, procs);
	else
		rc = print ? cli_fail(&err) : cli_exit_code(code);
	if (have_grid)
		sweep_grid_release(&g);
	if (have_ps)
		price_sheet_release(&ps);
	return rc;
}

/* parse_options with stdout gone and stderr muted while it runs. */
static int quiet_parse(int argc, char **argv, struct options *o)
{
	int null = open("/dev/null", O_WRONLY), saved = dup(STDERR_FILENO);
	if (null < 0 || saved < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		return EXIT_RUNTIME;
	close(null);
	int rc = parse_options(argc, argv, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	return rc;
}

static int run(int argc, char **argv)
{
	struct sweep_mpi procs;
	struct options o;
	if (sweep_mpi_init(&procs))
		return cli_fail(&(struct hc_err){ HC_ERUNTIME, "MPI did not start" });
	/* One voice: other ranks print nothing to stdout, and their usage errors would repeat
	 * rank 0's; their stderr stays for what only they can see. */
	int rc = procs.rank > 0 ? quiet_parse(argc, argv, &o) : parse_options(argc, argv, &o);
	if (rc < 0)
		rc = sweep(&o, &procs);
	return sweep_mpi_finish(&procs, rc);
}

const struct cmd cmd_sweep = {
	.name = "sweep",
	.summary = "forecast every point of a grid over scenario fields (MPI when built with it)",
	.run = run,
};
