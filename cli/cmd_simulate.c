/*
 * hypercap simulate: forecast a run from a scenario and write a results directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/progress.h"
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "reports/focus.h"
#include "reports/summary.h"

#define MAX_SETS 256

static const char usage[] =
	"usage: hypercap simulate [SCENARIO.json] [options]\n"
	"\n"
	"Simulates the loop the scenario describes (no file: the embedded default,\n"
	"data/scenarios/hyperagents-paper.json) and writes a results directory with\n"
	"summary.json, scenario.json (the effective scenario), iterations.csv, timeseries.csv,\n"
	"archive.csv, montecarlo.csv, costs_focus.csv (FOCUS 1.2) and crossover.csv (the run's\n"
	"API mix against Llama 3.3 70B FP8 on reserved H100 SXM; docs/output.md).\n"
	"\n"
	"options:\n"
	"  --iterations N      override the scenario's iterations (0 to 100000)\n"
	"  --runs R            Monte Carlo replications (default 1; quantiles when > 1); at\n"
	"                      most 100000, and R x archive nodes at most 2000000\n"
	"  --seed S            master random seed (default 1); same seed, same bytes\n"
	"  --threads T         threads for replications (default: one per CPU; the result\n"
	"                      does not depend on it)\n"
	"  --set PATH=VALUE    override any scenario field, e.g.\n"
	"                      --set domains.paper_review.full_tasks=200 (repeatable)\n"
	"  --prices FILE       a hypercap price sheet or LiteLLM's catalogue as it is\n"
	"                      (default: data/prices/api-2026-07-24.json, embedded)\n"
	"  --start DATE        the calendar day (UTC) the run starts on, for costs_focus.csv\n"
	"                      (default today)\n"
	"  --out DIR           results directory (default out/<scenario name>); replaced whole\n"
	"                      only when it is a hypercap results directory or empty;\n"
	"                      anything else is refused (exit 2; docs/output.md)\n"
	"  --require-plots     fail (exit 1) when gnuplot is missing instead of skipping plots\n"
	"  --quiet             print nothing but errors (and no progress line)\n"
	"  -h, --help          this text\n"
	"\n"
	"On a terminal, stderr shows a progress line while the replications run (done,\n"
	"rate, time left); it is erased at the end and never written to a file or pipe.\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data, 130 / 143\n"
	"interrupted (SIGINT / SIGTERM).\n"
	"Roles go to their model's API, its batch API (\"batch\": true) or a self-hosted fleet\n"
	"(\"fleet\": NAME, with \"fleets\": [...]; the fleet costs its provisioned GPU-hours):\n"
	"  --set 'fleets=[{\"name\": \"h100\", \"replicas\": 2, \"pricing\": \"reserved\"}]'\n"
	"  --set domains.paper_review.fleet=h100\n"
	"See docs/scenario.md for the fields, docs/model.md and docs/costs.md for the formulas.\n";

struct options {
	const char *scenario, *prices, *out;
	const char *sets[MAX_SETS + 1];
	size_t n_sets;
	char iterations_set[64];
	uint64_t runs, seed, threads;
	time_t start;
	int quiet, require_plots;
};

enum { OPT_ITERATIONS = 256, OPT_RUNS, OPT_SEED, OPT_THREADS, OPT_SET, OPT_PRICES, OPT_OUT,
       OPT_QUIET, OPT_START, OPT_REQUIRE_PLOTS };

static const struct option long_options[] = {
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "set", required_argument, NULL, OPT_SET },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "start", required_argument, NULL, OPT_START },
	{ "require-plots", no_argument, NULL, OPT_REQUIRE_PLOTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	uint64_t n;
	int c;
	memset(o, 0, sizeof(*o));
	o->runs = 1;
	o->seed = 1;
	o->start = focus_default_start();
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case OPT_ITERATIONS:
			if (cli_parse_u64("simulate", "--iterations", optarg, 0, 100000, &n))
				return EXIT_USAGE;
			snprintf(o->iterations_set, sizeof(o->iterations_set), "iterations=%llu",
				 (unsigned long long)n);
			break;
		case OPT_RUNS:
			if (cli_parse_u64("simulate", "--runs", optarg, 1, 100000, &o->runs))
				return EXIT_USAGE;
			break;
		case OPT_SEED:
			if (cli_parse_u64("simulate", "--seed", optarg, 0, UINT64_MAX, &o->seed))
				return EXIT_USAGE;
			break;
		case OPT_THREADS:
			if (cli_parse_u64("simulate", "--threads", optarg, 1, 1024, &o->threads))
				return EXIT_USAGE;
			break;
		case OPT_SET:
			if (o->n_sets == MAX_SETS)
				return cli_usage_error("simulate", "more than %d --set options",
						       MAX_SETS);
			o->sets[o->n_sets++] = optarg;
			break;
		case OPT_PRICES:
			o->prices = optarg;
			break;
		case OPT_REQUIRE_PLOTS:
			o->require_plots = 1;
			break;
		case OPT_START:
			if (cli_parse_date("simulate", "--start", optarg, &o->start))
				return EXIT_USAGE;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_QUIET:
			o->quiet = 1;
			break;
		default:
			fprintf(stderr, "(see 'hypercap simulate --help')\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->scenario = argv[optind++];
	if (optind < argc)
		return cli_usage_error("simulate", "unexpected argument '%s'", argv[optind]);
	if (o->iterations_set[0])
		o->sets[o->n_sets++] = o->iterations_set; /* applied last: it wins */
	return -1;
}

struct summary_job {
	const struct forecast *f;
	const struct price_sheet *ps;
	struct summary_extras extras;
	int require_plots;
};

static int write_summary(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	const struct summary_job *job = ctx;
	struct report_result report;
	if (summary_write_all(rd, job->f, job->ps, &job->extras, err))
		return err->code;
	return cli_report_render(rd->tmp, job->require_plots, &report, err);
}

/* The run's API mix against reserved H100s; 0 with a note when it cannot be priced. */
static int default_crossover(const struct forecast *f, const struct price_sheet *ps,
			     struct crossover_plan *plan, int quiet)
{
	struct hc_err err = HC_ERR_INIT;
	struct gpu_sheet gs;
	struct serving_sheet ss;
	struct crossover_request rq = crossover_default_request(PRICING_RESERVED);
	int rc = fleet_sheets_load(&gs, &ss, &err);
	if (!rc) {
		rc = crossover_plan(f, ps, &gs, &ss, &rq, plan, &err);
		fleet_sheets_release(&gs, &ss);
	}
	if (rc && !quiet)
		fprintf(stderr, "simulate: no crossover.csv: %s\n", err.msg);
	return !rc;
}

static int simulate(const struct options *o)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct forecast f;
	struct results_dir rd;
	char outdir[PATH_MAX];

	if (price_sheet_load(&ps, o->prices, &err))
		return cli_fail(&err);
	if (scenario_load(&sc, o->scenario, o->sets, o->n_sets, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	cli_outdir(outdir, sizeof(outdir), o->out, sc.name, "");
	const char *inputs[] = { o->scenario, o->prices };
	if (results_dir_check(outdir, "--out", inputs, 2, &err)) {
		scenario_release(&sc);
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	struct cli_progress progress;
	cli_progress_init(&progress, "simulate", o->runs, o->quiet);
	int rc = forecast_run(&f, &sc, &ps, (unsigned)o->runs, (unsigned)o->threads, o->seed,
			      cli_progress_hook(&progress), &err);
	cli_progress_end(&progress);
	if (!rc) {
		struct crossover_plan plan;
		int has_plan = default_crossover(&f, &ps, &plan, o->quiet);
		struct summary_job job = { &f, &ps, { o->start, has_plan ? &plan : NULL },
					   o->require_plots };
		rc = results_dir_write(&rd, outdir, write_summary, &job, &err);
		if (!rc && !o->quiet) {
			cli_print_forecast(&f, &ps, rd.path);
			printf("report: %s/report.html\n", rd.path);
		}
		forecast_release(&f);
	}
	scenario_release(&sc);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : simulate(&o);
}

const struct cmd cmd_simulate = {
	.name = "simulate",
	.summary = "forecast tokens, dollars, wall time and archive size of a run",
	.run = run,
};
