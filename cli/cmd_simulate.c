/*
 * hypercap simulate: forecast a run from a scenario and write a results directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/sensitivity.h"
#include "reports/focus.h"
#include "reports/summary.h"

static const char usage_head[] =
	"usage: hypercap simulate [SCENARIO.json] [options]\n"
	"\n"
	"Simulates the loop the scenario describes (no file: the embedded default,\n"
	"data/scenarios/hyperagents-paper.json) and writes a results directory with\n"
	"summary.json, scenario.json (the effective scenario), iterations.csv, timeseries.csv,\n"
	"archive.csv, montecarlo.csv, monthly.csv (each calendar month from --start, runs\n"
	"started by costs.schedule), costs_focus.csv (FOCUS 1.2, the same months), crossover.csv\n"
	"(the run's API mix against Llama 3.3 70B FP8 on reserved H100 SXM) and\n"
	"crossover_modes.csv (the same at every GPU price of the sheet; docs/output.md).\n"
	"\n"
	"Loops at once: --set shared.loops=N runs N loops on one clock sharing the models'\n"
	"rate limits, the fleets and, with shared.eval_workers, evaluation workers (summary.json\n"
	"shared: waits, stretch); costs.parallel_runs only copies a run and shares nothing.\n"
	"\n"
	"A scenario with priors (uncertain values, docs/scenario.md) also gets sensitivity.csv:\n"
	"each prior's swing of the bill between its P10 and P90, the top five printed.\n"
	"\n"
	"options:\n"
	"  --iterations N      override the scenario's iterations (0 to 100000)\n"
	"  --sensitivity-runs N\n"
	"                      replications of each sensitivity forecast when the scenario has\n"
	"                      priors: min(--runs, N), default 50; 0: no sensitivity.csv\n";

static const char usage_tail[] =
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
	struct cli_options shared;
	const char *scenario;
	char iterations_set[64];
	unsigned sensitivity_runs;
};

enum { OPT_ITERATIONS = 256, OPT_SENSITIVITY_RUNS };

static const struct option own[] = {
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "sensitivity-runs", required_argument, NULL, OPT_SENSITIVITY_RUNS },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "simulate",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_THREADS | CLI_SET | CLI_PRICES | CLI_START | CLI_OUT |
		 CLI_REQUIRE_PLOTS | CLI_QUIET,
	.runs = 1,
	.out = "out/<scenario name>",
	.head = usage_head,
	.tail = usage_tail,
};

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	uint64_t n;
	int rc;
	int opt;
	memset(o, 0, sizeof(*o));
	o->sensitivity_runs = SENSITIVITY_RUNS;
	cli_options_init(&o->shared, &spec);
	while ((opt = cli_options_next(&o->shared, argc, argv, &rc)) == OPT_ITERATIONS ||
	       opt == OPT_SENSITIVITY_RUNS) {
		const char *name = opt == OPT_ITERATIONS ? "--iterations" : "--sensitivity-runs";
		if (cli_parse_u64("simulate", name, optarg, 0, 100000, &n))
			return EXIT_USAGE;
		if (opt == OPT_SENSITIVITY_RUNS)
			o->sensitivity_runs = (unsigned)n;
		else
			snprintf(o->iterations_set, sizeof(o->iterations_set), "iterations=%llu",
				 (unsigned long long)n);
	}
	if (rc >= 0)
		return rc;
	if (optind < argc)
		o->scenario = argv[optind++];
	if (optind < argc)
		return cli_usage_error("simulate", "unexpected argument '%s'", argv[optind]);
	if (o->iterations_set[0]) /* applied last: it wins */
		o->shared.sets[o->shared.n_sets++] = o->iterations_set;
	return -1;
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

struct simulate_job {
	const struct options *opt;
	const struct scenario *sc;
	const struct price_sheet *ps;
	struct forecast *f;
	struct sensitivity *sens;
	int ran;                /* f holds a forecast */
};

static unsigned sensitivity_runs(const struct options *o)
{
	unsigned runs = (unsigned)o->shared.runs;
	return o->sensitivity_runs < runs ? o->sensitivity_runs : runs;
}

/* The forecast itself, its rows streamed into rd as replications finish, then the rest. */
static int forecast_into(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	struct simulate_job *job = ctx;
	const struct cli_options *o = &job->opt->shared;
	struct summary_stream stream;
	struct cli_progress progress;
	struct report_result report;
	if (summary_stream_begin(&stream, rd, err))
		return err->code;
	struct forecast_sink sink = summary_stream_sink(&stream);
	cli_progress_init(&progress, "simulate", o->runs, o->quiet);
	int rc = forecast_run(job->f, job->sc, job->ps, (unsigned)o->runs, (unsigned)o->threads,
			      o->seed, cli_progress_hook(&progress), &sink, err);
	cli_progress_end(&progress);
	if (!rc) {
		job->ran = 1;
		if (sensitivity_runs(job->opt))
			rc = sensitivity_run(job->sens, job->sc, job->ps, sensitivity_runs(job->opt),
					     (unsigned)o->threads, o->seed, err);
	}
	if (!rc) {
		struct crossover_plan plan;
		int has_plan = default_crossover(job->f, job->ps, &plan, o->quiet);
		struct summary_extras extras = { o->start, has_plan ? &plan : NULL, job->sens };
		if (summary_write_all(rd, job->f, job->ps, &extras, &stream, err))
			rc = err->code;
		else
			rc = cli_report_render(rd->tmp, o->require_plots, &report, err);
	}
	summary_stream_release(&stream);
	return rc;
}

/* The forecast's warnings, on stderr even with --quiet (summary.json has them too). */
static void print_warnings(const struct forecast *f)
{
	char warnings[FORECAST_WARNINGS][FORECAST_WARNING_MAX];
	size_t n = forecast_warnings(f, warnings);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "hypercap simulate: warning: %s\n", warnings[i]);
}

static int simulate(const struct options *opt)
{
	const struct cli_options *o = &opt->shared;
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct forecast f;
	struct results_dir rd;
	struct sensitivity sens = SENSITIVITY_INIT;
	char outdir[PATH_MAX];

	if (price_sheet_load(&ps, o->prices, &err))
		return cli_fail(&err);
	if (scenario_load(&sc, opt->scenario, o->sets, o->n_sets, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	cli_outdir(outdir, sizeof(outdir), o->out, sc.name, "");
	const char *inputs[] = { opt->scenario, o->prices };
	if (results_dir_check(outdir, "--out", inputs, 2, &err) ||
	    forecast_check(&sc, &ps, (unsigned)o->runs, &err)) {
		scenario_release(&sc);
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	struct simulate_job job = { opt, &sc, &ps, &f, &sens, 0 };
	int rc = results_dir_write(&rd, outdir, forecast_into, &job, &err);
	if (!rc && !o->quiet) {
		cli_print_forecast(&f, &ps, rd.path);
		cli_print_sensitivity(&sens, &f);
		printf("report: %s/report.html\n", rd.path);
		fflush(stdout);
	}
	if (!rc)
		print_warnings(&f);
	if (job.ran)
		forecast_release(&f);
	sensitivity_release(&sens);
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
