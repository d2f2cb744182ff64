/*
 * hypercap crossover: API spend against a self-hosted fleet, and where they cross.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "reports/crossover_out.h"
#include "reports/numfmt.h"
#include "reports/summary.h"

static const char usage_head[] =
	"usage: hypercap crossover [SCENARIO.json] [options]\n"
	"\n"
	"Prices the scenario's token mix (input, cached and output tokens per call) on the API\n"
	"and on a self-hosted fleet, and finds the monthly volume above which the fleet costs\n"
	"less, for every pricing mode the GPU sheet prices (on-demand, spot, reserved, owned)\n"
	"and every named on-demand offer it lists, each with its source; for each, how busy\n"
	"the fleet is at that volume, computed from the replica's throughput (not simulated).\n"
	"With --loops, every mode and offer is also priced against simulated loops sharing one\n"
	"fleet, with its simulated utilisation. When the served model is not the API's, a line\n"
	"says that quality is not modelled. Writes summary.json (key crossover.*),\n"
	"crossover_modes.csv (one row per mode and offer), crossover_loops.csv (with --loops:\n"
	"one row per mode and offer) and crossover.csv (a log grid of volumes at --pricing's\n"
	"price) into a results directory that also holds the simulation's files behind the\n"
	"mix, as simulate writes them (--runs and --seed are that simulation's).\n"
	"\n"
	"options:\n"
	"  --api-model M       price the whole mix at model M (default: the scenario's models)\n"
	"  --serve-model M     the open-weights model served (default llama-3.3-70b)\n"
	"  --precision P       fp8 (default) or bf16\n"
	"  --gpu NAME          h100-sxm (default), h100-pcie, h200, b200, a100-80gb\n"
	"  --gpus N            GPUs per replica (default: the smallest tensor-parallel size that\n"
	"                      fits)\n"
	"  --pricing MODE      the headline row (sentence, crossover.csv): on-demand (default),\n"
	"                      spot, reserved, owned, or a named offer of the GPU (h100-sxm:\n"
	"                      GCP a3, Azure, Lambda, RunPod)\n"
	"  --gpu-hour-usd X    the headline's GPU-hour price instead of the sheet's\n"
	"  --utilization U     the most a replica is run at before the fleet adds one, 0.01 to\n"
	"                      1 (default 0.6); the modes' utilisation follows from the volume\n"
	"  --min-replicas N    replicas kept running at any volume (default 1)\n"
	"  --loops N           also size one fleet of this replica and price for up to N loops\n"
	"                      at once (shared.loops) serving every role, and find for every\n"
	"                      mode and offer the fewest loops at which it costs a loop no more\n"
	"                      than the API, with the fleet's simulated utilisation (2 to 1000)\n"
	"  --max-wait S        the mean wait for a fleet slot the sizing allows, in seconds\n"
	"                      (default 10)\n";

static const char usage_tail[] =
	"\n"
	"Formulas and sources: docs/costs.md.\n";

struct options {
	struct cli_options shared;
	const char *scenario;
	struct crossover_request rq;
	unsigned loops;         /* 0: no sizing for loops */
	double max_wait;
};

enum { OPT_API = 256, OPT_SERVE, OPT_PRECISION, OPT_GPU, OPT_GPUS, OPT_PRICING, OPT_GPU_USD,
       OPT_UTIL, OPT_MIN_REPLICAS, OPT_LOOPS, OPT_MAX_WAIT };

static const struct option own[] = {
	{ "api-model", required_argument, NULL, OPT_API },
	{ "serve-model", required_argument, NULL, OPT_SERVE },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "gpu", required_argument, NULL, OPT_GPU },
	{ "gpus", required_argument, NULL, OPT_GPUS },
	{ "pricing", required_argument, NULL, OPT_PRICING },
	{ "gpu-hour-usd", required_argument, NULL, OPT_GPU_USD },
	{ "utilization", required_argument, NULL, OPT_UTIL },
	{ "min-replicas", required_argument, NULL, OPT_MIN_REPLICAS },
	{ "loops", required_argument, NULL, OPT_LOOPS },
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "crossover",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_SET | CLI_PRICES | CLI_START | CLI_OUT |
		 CLI_REQUIRE_PLOTS,
	.runs = 1,
	.out = "out/<scenario name>-crossover",
	.head = usage_head,
	.tail = usage_tail,
};

static int parse_double(const char *opt, const char *text, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v) || v < lo || v > hi)
		return cli_usage_error("crossover", "%s '%s': expected a number from %g to %g", opt,
				       text, lo, hi);
	*out = v;
	return 0;
}

/* One of the command's own options; 0 or EXIT_USAGE after a message. */
static int parse_one(int c, struct options *o)
{
	uint64_t n;
	switch (c) {
	case OPT_API:
		o->rq.api_model = optarg;
		return 0;
	case OPT_SERVE:
		o->rq.serve_model = optarg;
		return 0;
	case OPT_PRECISION:
		if (strcmp(optarg, "fp8") && strcmp(optarg, "bf16"))
			return cli_usage_error("crossover", "--precision '%s': expected fp8 or bf16",
					       optarg);
		o->rq.precision = strcmp(optarg, "fp8") ? PRECISION_BF16 : PRECISION_FP8;
		return 0;
	case OPT_GPU:
		o->rq.gpu = optarg;
		return 0;
	case OPT_GPUS:
		if (cli_parse_u64("crossover", "--gpus", optarg, 1, 1024, &n))
			return EXIT_USAGE;
		o->rq.gpus = (unsigned)n;
		return 0;
	case OPT_PRICING: /* not a mode: an offer's name, checked against the GPU sheet */
		o->rq.pricing = gpu_pricing_parse(optarg);
		o->rq.offer = o->rq.pricing < 0 ? optarg : NULL;
		if (o->rq.pricing < 0)
			o->rq.pricing = PRICING_ON_DEMAND;
		return 0;
	case OPT_GPU_USD:
		return parse_double("--gpu-hour-usd", optarg, 0, 1000, &o->rq.gpu_hour_usd);
	case OPT_UTIL:
		return parse_double("--utilization", optarg, 0.01, 1, &o->rq.max_utilisation);
	case OPT_MIN_REPLICAS:
		if (cli_parse_u64("crossover", "--min-replicas", optarg, 1, 100000, &n))
			return EXIT_USAGE;
		o->rq.min_replicas = (double)n;
		return 0;
	case OPT_LOOPS:
		if (cli_parse_u64("crossover", "--loops", optarg, 2, 1000, &n))
			return EXIT_USAGE;
		o->loops = (unsigned)n;
		return 0;
	case OPT_MAX_WAIT:
		return parse_double("--max-wait", optarg, 0, 86400, &o->max_wait);
	}
	return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c, rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	o->rq = crossover_default_request(PRICING_ON_DEMAND);
	o->max_wait = 10;
	while ((c = cli_options_next(&o->shared, argc, argv, &rc)) != -1)
		if (parse_one(c, o))
			return EXIT_USAGE;
	if (rc >= 0)
		return rc;
	if (optind < argc)
		o->scenario = argv[optind++];
	if (optind < argc)
		return cli_usage_error("crossover", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* Every mode and offer: its price, fixed monthly bill, break-even and utilisation there. */
static void print_modes(const struct crossover_plan *p)
{
	char usd[32], be[32], n[32], busy[32];
	printf("\nevery price for %u x %s a replica, at least %.0f replica%s running (break-even: "
	       "the fleet's fixed\nmonthly cost over the API's $%.3f per 1M tokens; busy: the "
	       "volume over the replicas'\nfull-use capacity, computed from throughput, not "
	       "simulated):\n", p->in.replica_gpus,
	       p->gpu_name, p->in.min_replicas, p->in.min_replicas == 1 ? "" : "s",
	       p->res.api_usd_per_mtok);
	printf("  %-22s %8s %12s %18s %9s %6s   %s\n", "pricing", "$/GPU-h", "USD/month",
	       "break-even tok/mo", "replicas", "busy", "source");
	for (size_t i = 0; i < p->n_modes; i++) {
		const struct crossover_mode *m = &p->modes[i];
		const struct crossover_result *r = &m->res;
		int never = isnan(r->integer_break_even_tokens_per_month);
		snprintf(n, sizeof(n), "%.0f", r->replicas_at_break_even);
		snprintf(busy, sizeof(busy), "%.1f%%", 100 * r->utilisation_at_break_even);
		printf("%s %-22s %8.2f %12s %18s %9s %6s   %s\n",
		       (int)i == p->headline ? "*" : " ", m->name, m->gpu_hour_usd,
		       numfmt_usd(r->fixed_usd_per_month, usd, sizeof(usd)),
		       never ? "never" : numfmt_count(r->integer_break_even_tokens_per_month, be,
						      sizeof(be)),
		       never ? "-" : n, never ? "-" : busy, m->source);
	}
	printf("  (* the headline: the sentence below and crossover.csv)\n");
}

/* Loops on one fleet: every count tried at the headline's price. */
static void print_loops_rows(const struct crossover_loops *l)
{
	printf("\nloops at once on one fleet serving every role (mean wait for a slot at most "
	       "%g s), per loop,\nat the headline's price; busy and wait simulated:\n",
	       l->max_wait_seconds);
	printf("  %6s %9s %8s %6s %10s %12s %12s\n", "loops", "replicas", "wait s", "busy",
	       "wall h", "fleet USD", "API USD");
	for (size_t i = 0; i < l->n; i++) {
		const struct crossover_loops_row *r = &l->rows[i];
		printf("  %6u %8u%s %8.2f %5.1f%% %10.1f %12.2f %12.2f\n", r->loops, r->replicas,
		       r->sized ? " " : "+", r->wait_seconds, 100 * r->utilisation, r->wall_hours,
		       r->fleet_usd_per_loop, r->api_usd_per_loop);
	}
}

/* Every mode against the same simulated rows: break-even loops and the fleet there. */
static void print_loops_modes(const struct crossover_plan *p)
{
	const struct crossover_loops *l = &p->loops;
	char be[16], fleet[32], api[32], tok[32];
	printf("\nevery price against the same simulations: the fewest loops at once whose fleet "
	       "costs a loop\nno more than the API (-: none up to %u; then the figures at %u), the "
	       "simulated fleet there,\nand a month of those loops (runs a month by the "
	       "scenario's calendar):\n", l->max_loops, l->max_loops);
	printf("  %-22s %8s %6s %9s %6s %7s %13s %13s %10s\n", "pricing", "$/GPU-h", "loops",
	       "replicas", "busy", "wait s", "fleet USD/mo", "API USD/mo", "tok/mo");
	for (size_t i = 0; i < l->n_modes; i++) {
		const struct crossover_loops_mode *m = &l->modes[i];
		const struct crossover_loops_row *r = &l->rows[m->at];
		snprintf(be, sizeof(be), "%u", m->break_even_loops);
		printf("%s %-22s %8.2f %6s %8u%s %5.1f%% %7.2f %13s %13s %10s\n",
		       (int)i == p->headline ? "*" : " ", p->modes[i].name, p->modes[i].gpu_hour_usd,
		       m->break_even_loops ? be : "-", r->replicas, r->sized ? " " : "+",
		       100 * r->utilisation, r->wait_seconds,
		       numfmt_usd(m->fleet_usd_per_month, fleet, sizeof(fleet)),
		       numfmt_usd(m->api_usd_per_month, api, sizeof(api)),
		       numfmt_count(r->tokens_per_month, tok, sizeof(tok)));
	}
}

/* The headline's break-even loops, with the fleet's simulated utilisation there. */
static void print_loops_sentence(const struct crossover_plan *p)
{
	const struct crossover_loops *l = &p->loops;
	const struct crossover_loops_row *r = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->rows[i].loops == (l->break_even_loops ? l->break_even_loops : l->max_loops))
			r = &l->rows[i];
	if (!r)
		return;
	if (l->break_even_loops)
		printf("at %s the fleet costs a loop no more than the API from %u loops at once, "
		       "where its %u replica%s %s %.1f%% busy (simulated)\n", p->price_label,
		       l->break_even_loops, r->replicas, r->replicas == 1 ? "" : "s",
		       r->replicas == 1 ? "is" : "are", 100 * r->utilisation);
	else
		printf("at %s the fleet costs a loop more than the API up to %u loops at once, "
		       "where its %u replica%s %s %.1f%% busy (simulated)\n", p->price_label,
		       l->max_loops, r->replicas, r->replicas == 1 ? "" : "s",
		       r->replicas == 1 ? "is" : "are", 100 * r->utilisation);
}

static void print_plan(const struct crossover_plan *p, const char *outdir)
{
	char sentence[600];
	crossover_out_sentence(p, sentence, sizeof(sentence));
	printf("API: %s, $%.3f per 1M tokens (%.0f in, %.0f cached, %.0f out per call)\n",
	       p->api_label, p->res.api_usd_per_mtok, p->isl, p->isl_cached, p->osl);
	printf("fleet: %s, replicas of %u x %s (batch %u, %.0f output tokens/s, %zu measured "
	       "point%s), %s\n", p->serve_label, p->in.replica_gpus, p->gpu_name, p->replica_batch,
	       p->replica_output_tokens_per_s, p->measured_points,
	       p->measured_points == 1 ? "" : "s", p->price_label);
	char v[32], api[32], fleet[32];
	printf("       %s tokens per GPU-hour at full use ($%.3f per 1M tokens); a replica is "
	       "added above %.0f%% busy\n",
	       numfmt_count(p->in.replica_tokens_per_s * 3600 / p->in.replica_gpus, v, sizeof(v)),
	       p->res.self_hosted_usd_per_mtok, p->in.max_utilisation * 100);
	printf("at the scenario's %s tokens a month: API %s a month, fleet %s a month (%.0f GPUs, "
	       "%.2f%% busy)\n", numfmt_count(p->scenario_tokens_per_month, v, sizeof(v)),
	       numfmt_usd(p->at_scenario.api_usd, api, sizeof(api)),
	       numfmt_usd(p->at_scenario.self_hosted_usd, fleet, sizeof(fleet)),
	       p->at_scenario.gpus, 100 * p->at_scenario.utilisation);
	print_modes(p);
	if (p->loops.max_loops) {
		print_loops_rows(&p->loops);
		print_loops_modes(p);
	}
	printf("\n%s\n", sentence);
	if (p->loops.max_loops)
		print_loops_sentence(p);
	if (p->quality_note[0])
		printf("%s\n", p->quality_note);
	printf("\nresults in %s/\nreport: %s/report.html\n", outdir, outdir);
}

struct crossover_job {
	const struct options *opt;
	const struct scenario *sc;
	const struct price_sheet *ps;
	const struct gpu_sheet *gs;
	const struct serving_sheet *ss;
	struct crossover_plan *plan;
};

/* The forecast, its rows streamed into rd as replications finish, its plan, then the rest. */
static int write_crossover(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	const struct crossover_job *job = ctx;
	const struct cli_options *o = &job->opt->shared;
	struct summary_stream stream;
	struct report_result report;
	struct forecast f;
	if (summary_stream_begin(&stream, rd, err))
		return err->code;
	struct forecast_sink sink = summary_stream_sink(&stream);
	int rc = forecast_run(&f, job->sc, job->ps, (unsigned)o->runs, 0, o->seed, NULL, &sink,
			      err);
	if (!rc) {
		struct summary_extras extras = { o->start, job->plan, NULL };
		rc = crossover_plan(&f, job->ps, job->gs, job->ss, &job->opt->rq, job->plan, err);
		if (!rc && job->opt->loops)
			rc = crossover_loops_run(job->sc, job->ps, &job->opt->rq, job->plan,
						 job->opt->loops, job->opt->max_wait,
						 (unsigned)o->runs, 0, o->seed, err);
		if (!rc && summary_write_all(rd, &f, job->ps, &extras, &stream, err))
			rc = err->code;
		if (!rc)
			rc = cli_report_render(rd->tmp, o->require_plots, &report, err);
		forecast_release(&f);
	}
	summary_stream_release(&stream);
	return rc;
}

static int crossover(const struct options *opt)
{
	const struct cli_options *o = &opt->shared;
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct gpu_sheet gs;
	struct serving_sheet ss;
	struct scenario sc;
	struct crossover_plan plan;
	struct results_dir rd;
	char outdir[PATH_MAX];
	int rc;

	if (price_sheet_load(&ps, o->prices, &err))
		return cli_fail(&err);
	rc = fleet_sheets_load(&gs, &ss, &err);
	if (!rc && (rc = scenario_load(&sc, opt->scenario, o->sets, o->n_sets, &err)) != 0)
		fleet_sheets_release(&gs, &ss);
	if (rc) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	cli_outdir(outdir, sizeof(outdir), o->out, sc.name, "-crossover");
	const char *inputs[] = { opt->scenario, o->prices };
	rc = results_dir_check(outdir, "--out", inputs, 2, &err);
	if (!rc)
		rc = forecast_check(&sc, &ps, (unsigned)o->runs, &err);
	struct crossover_job job = { opt, &sc, &ps, &gs, &ss, &plan };
	if (!rc)
		rc = results_dir_write(&rd, outdir, write_crossover, &job, &err);
	if (!rc)
		print_plan(&plan, rd.path);
	scenario_release(&sc);
	fleet_sheets_release(&gs, &ss);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : crossover(&o);
}

const struct cmd cmd_crossover = {
	.name = "crossover",
	.summary = "where self-hosted GPUs become cheaper than the API",
	.run = run,
};
