/*
 * hypercap replay: re-price a recorded trace exactly, optionally re-time it through the
 * engine's resources, and write a results directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "replay/reprice.h"
#include "replay/retime.h"
#include "reports/numfmt.h"
#include "reports/replay_report.h"
#include "reports/results_dir.h"
#include "trace/trace.h"

/* Iterations are listed one per row up to this many; above it only the totals. */
#define MAX_ITERATION_ROWS 12
/* --rpm, --tpm, --ttft and --decode together, over all models; --fleet. */
#define MAX_SETTINGS 64
#define MAX_ROUTES 32

static const char usage_head[] =
	"usage: hypercap replay TRACE [options]\n"
	"\n"
	"Re-prices every LLM call recorded in TRACE (a hypercap trace, see 'hypercap\n"
	"import') at a price sheet's list prices, exactly: no simulation. Prints totals by\n"
	"role, model, domain and iteration and writes a results directory with summary.json,\n"
	"calls.csv (one row per call with its cost), iterations.csv and timeseries.csv (the\n"
	"calls per iteration and per hour), costs_focus.csv (the priced calls as a FOCUS 1.2\n"
	"export, docs/focus.md) and the plots and report.html. A call whose usage the trace does\n"
	"not give is counted and reported, never priced as 0. With --retime, also runs the\n"
	"recorded run again on the simulator's resources under the conditions given.\n"
	"\n"
	"options:\n"
	"  --skip-bad          skip records that break the format (a key given twice,\n"
	"                      \\u0000, a line over 16 MiB...; counted and reported)\n"
	"                      instead of stopping at the first\n";

static const char usage_tail[] =
	"\n"
	"re-timing (docs/replay.md, \"Re-timing\"):\n"
	"  --retime            run the recorded sessions, tasks and calls again through the\n"
	"                      engine's resources: wall time, utilisation and queue waits\n"
	"                      against the recorded ones (summary.json \"retime\", retime.csv)\n"
	"  --eval-workers N    tasks of one evaluation (a node's domain) at once, 1 to 100000\n"
	"                      (default: each evaluation's recorded concurrency, the most task\n"
	"                      spans open at once)\n"
	"  --task-starts queued|recorded\n"
	"                      queued (default): an evaluation's tasks all ask for a worker at\n"
	"                      its start, in recorded order, as DGM's thread pool does;\n"
	"                      recorded: each at its recorded offset from that start\n"
	"  --children N        nodes run in parallel, 1 to 10000: the nodes after the initial\n"
	"                      evaluation regrouped in recorded order (default: the recorded\n"
	"                      iterations)\n"
	"  --rpm MODEL=N       requests per minute allowed for MODEL (a token bucket holding a\n"
	"                      minute's worth); repeat for other models; default no limit\n"
	"  --tpm MODEL=N       tokens (input + output) per minute allowed for MODEL\n"
	"  --latency recorded|model\n"
	"                      recorded (default): each call lasts as recorded; model: ttft +\n"
	"                      output tokens / decode speed, with --ttft and --decode for every\n"
	"                      model of the trace\n"
	"  --ttft MODEL=S      seconds to the first token\n"
	"  --decode MODEL=N    output tokens per second\n"
	"  --fleet MODEL=NAME  MODEL's calls served by the self-hosted fleet NAME of the\n"
	"                      scenario's fleets[] (GPU, model served, replicas, pricing):\n"
	"                      each queues for a batch slot and holds it as in 'simulate';\n"
	"                      the fleet costs its GPU-hours over the re-timed wall time\n"
	"                      (summary.json retime.fleets); repeat for other models\n"
	"  --scenario FILE     the scenario whose fleets[] --fleet names (default: the\n"
	"                      embedded default); --set (above) changes its fields, e.g.\n"
	"                      --set 'fleets=[{\"name\":\"h100\",\"serve_model\":\n"
	"                      \"llama-3.3-70b\",\"gpu\":\"h100-sxm\",\"replicas\":2}]'\n"
	"\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data, 130 / 143\n"
	"interrupted (SIGINT / SIGTERM).\n"
	"See docs/replay.md and docs/trace-format.md.\n";

struct options {
	struct cli_options shared;
	const char *trace;
	int skip_bad;
	int retime;
	const char *retime_option; /* the first re-timing option given, for the usage error */
	struct retime_conf conf;
	struct retime_setting settings[MAX_SETTINGS];
	struct retime_route routes[MAX_ROUTES];
	const char *scenario;
};

enum { OPT_SKIP_BAD = 256, OPT_RETIME, OPT_EVAL_WORKERS, OPT_TASK_STARTS, OPT_CHILDREN,
       OPT_LATENCY, OPT_RPM, OPT_TPM, OPT_TTFT, OPT_DECODE, OPT_FLEET, OPT_SCENARIO };

static const struct option own[] = {
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "retime", no_argument, NULL, OPT_RETIME },
	{ "eval-workers", required_argument, NULL, OPT_EVAL_WORKERS },
	{ "task-starts", required_argument, NULL, OPT_TASK_STARTS },
	{ "children", required_argument, NULL, OPT_CHILDREN },
	{ "latency", required_argument, NULL, OPT_LATENCY },
	{ "rpm", required_argument, NULL, OPT_RPM },
	{ "tpm", required_argument, NULL, OPT_TPM },
	{ "ttft", required_argument, NULL, OPT_TTFT },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "fleet", required_argument, NULL, OPT_FLEET },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ NULL, 0, NULL, 0 },
};

/* --set is a re-timing option too: it changes the scenario --fleet takes its fleets from. */
static const struct cli_options_spec spec = {
	.cmd = "replay",
	.own = own,
	.takes = CLI_SET | CLI_PRICES | CLI_OUT | CLI_REQUIRE_PLOTS | CLI_QUIET,
	.out = "out/replay-<trace name>",
	.head = usage_head,
	.tail = usage_tail,
};

/* A bad option value: "hypercap: --OPT: got 'TEXT'; allowed: ...", exit 3. */
static int bad_value(const char *opt, const char *text, const char *allowed)
{
	fprintf(stderr, "hypercap: --%s: got '%s'; allowed: %s\n", opt, text, allowed);
	return EXIT_INPUT;
}

/* A whole number in [1, max] for --opt into *out; 0 or EXIT_USAGE (cli_parse_u64). */
static int parse_count(const char *opt, const char *text, unsigned max, unsigned *out)
{
	char name[64];
	uint64_t v;
	snprintf(name, sizeof(name), "--%s", opt);
	if (cli_parse_u64("replay", name, text, 1, max, &v))
		return EXIT_USAGE;
	*out = (unsigned)v;
	return 0;
}

/* One of two words for --opt: *out = 0 for the first, 1 for the second; 0 or EXIT_INPUT. */
static int parse_choice(const char *opt, const char *text, const char *first,
			const char *second, int *out)
{
	char allowed[64];
	if (strcmp(text, first) && strcmp(text, second)) {
		snprintf(allowed, sizeof(allowed), "%s or %s", first, second);
		return bad_value(opt, text, allowed);
	}
	*out = !strcmp(text, second);
	return 0;
}

static int parse_setting(struct options *o, enum retime_param p, const char *text)
{
	struct hc_err err = HC_ERR_INIT;
	if (o->conf.n_settings == MAX_SETTINGS)
		return cli_usage_error("replay", "more than %d --rpm, --tpm, --ttft and --decode "
				       "options", MAX_SETTINGS);
	if (retime_setting_parse(&o->settings[o->conf.n_settings], p, text, &err)) {
		hc_err_prefix(&err, "--%s", retime_param_name(p));
		return cli_fail(&err);
	}
	o->conf.n_settings++;
	return 0;
}

static int parse_route(struct options *o, const char *text)
{
	struct hc_err err = HC_ERR_INIT;
	if (o->conf.n_routes == MAX_ROUTES)
		return cli_usage_error("replay", "more than %d --fleet options", MAX_ROUTES);
	if (retime_route_parse(&o->routes[o->conf.n_routes], text, &err)) {
		hc_err_prefix(&err, "--fleet");
		return cli_fail(&err);
	}
	o->conf.n_routes++;
	return 0;
}

/* A re-timing option, named name for the usage error; 0 or the exit code. */
static int parse_retime_option(struct options *o, int opt, const char *name)
{
	int choice, rc;
	if (!o->retime_option)
		o->retime_option = name;
	switch (opt) {
	case OPT_EVAL_WORKERS:
		return parse_count(name, optarg, RETIME_MAX_WORKERS, &o->conf.eval_workers);
	case OPT_CHILDREN:
		return parse_count(name, optarg, RETIME_MAX_CHILDREN, &o->conf.children);
	case OPT_TASK_STARTS:
		rc = parse_choice(name, optarg, "queued", "recorded", &choice);
		o->conf.starts = choice ? RETIME_STARTS_RECORDED : RETIME_STARTS_QUEUED;
		return rc;
	case OPT_LATENCY:
		rc = parse_choice(name, optarg, "recorded", "model", &choice);
		o->conf.latency = choice ? RETIME_LATENCY_MODEL : RETIME_LATENCY_RECORDED;
		return rc;
	case OPT_FLEET:
		return parse_route(o, optarg);
	case OPT_SCENARIO:
		o->scenario = optarg;
		return 0;
	default:
		return parse_setting(o, (enum retime_param)(RETIME_RPM + opt - OPT_RPM), optarg);
	}
}

/* What the options say together; 0 or EXIT_USAGE. */
static int check_retime_options(struct options *o)
{
	int latency_given = 0;
	if (!o->retime_option && o->shared.n_sets)
		o->retime_option = "set";
	if (o->retime_option && !o->retime)
		return cli_usage_error("replay", "--%s needs --retime", o->retime_option);
	for (size_t i = 0; i < o->conf.n_settings; i++)
		latency_given |= o->settings[i].param == RETIME_TTFT ||
				 o->settings[i].param == RETIME_DECODE;
	if (latency_given && o->conf.latency != RETIME_LATENCY_MODEL)
		return cli_usage_error("replay", "--ttft and --decode need --latency model");
	if ((o->scenario || o->shared.n_sets) && !o->conf.n_routes)
		return cli_usage_error("replay", "--scenario and --set need --fleet");
	o->conf.settings = o->settings;
	o->conf.routes = o->routes;
	return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c, rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	while ((c = cli_options_next(&o->shared, argc, argv, &rc)) != -1) {
		if (c == OPT_SKIP_BAD)
			o->skip_bad = 1;
		else if (c == OPT_RETIME)
			o->retime = 1;
		else if ((rc = parse_retime_option(o, c, o->shared.table[o->shared.index].name)))
			return rc;
	}
	if (rc >= 0)
		return rc;
	if (optind == argc)
		return cli_usage_error("replay", "TRACE is required");
	o->trace = argv[optind++];
	if (optind < argc)
		return cli_usage_error("replay", "unexpected argument '%s'", argv[optind]);
	return check_retime_options(o) ? EXIT_USAGE : -1;
}

/* out/replay-<file name without directories and extension> */
static void default_out(char *buf, size_t size, const char *trace)
{
	const char *base = strrchr(trace, '/');
	base = base ? base + 1 : trace;
	size_t len = strcspn(base, ".");
	snprintf(buf, size, "out/replay-%.*s", (int)(len ? len : strlen(base)), base);
}

static void print_row(const char *label, const struct usage *u, size_t unknown, double usd)
{
	char calls[16], total[16], input[16], cached[16], output[16];
	printf("  %-24s %8s %9s %9s %9s %9s %12.2f", label,
	       numfmt_count((double)u->calls + (double)unknown, calls, 16),
	       numfmt_count((double)usage_total(u), total, 16),
	       numfmt_count((double)u->input, input, 16),
	       numfmt_count((double)u->cache_read, cached, 16),
	       numfmt_count((double)u->output, output, 16), usd);
	if (unknown)
		printf("   (%zu without usage)", unknown);
	putchar('\n');
}

static void print_table(const struct reprice *rp, const struct trace_reader *r)
{
	printf("%s: %zu calls re-priced at prices of %s\n\n", r->path, rp->calls, rp->ps->date);
	printf("  %-24s %8s %9s %9s %9s %9s %12s\n", "", "calls", "tokens", "input", "cached",
	       "output", "USD");
	for (int d = 0; d < REPRICE_DIM_COUNT; d++) {
		const struct reprice_groups *gs = &rp->by[d];
		if (d == REPRICE_ITERATION && gs->n > MAX_ITERATION_ROWS) {
			printf("  (%zu iterations: see summary.json and calls.csv)\n", gs->n);
			continue;
		}
		for (size_t i = 0; i < gs->n; i++) {
			char label[64];
			snprintf(label, sizeof(label), "%s %.40s",
				 reprice_dim_name((enum reprice_dim)d), gs->v[i].name);
			print_row(label, &gs->v[i].usage, gs->v[i].unknown_usage, gs->v[i].cost);
		}
	}
	print_row("total", &rp->total, rp->unknown_usage, rp->cost);
	if (rp->tasks)
		printf("\n  evaluation: %zu tasks, %zu passed, %zu failed; sandbox %.1f h\n",
		       rp->tasks, rp->task_pass, rp->task_fail, rp->sandbox_seconds / 3600);
}

static void print_warnings(const struct reprice *rp, const struct trace_reader *r)
{
	if (r->n_skipped)
		fprintf(stderr, "hypercap replay: warning: skipped %zu bad record%s; the first: %s\n",
			r->n_skipped, r->n_skipped > 1 ? "s" : "", r->first_skipped);
	if (r->truncated_line)
		fprintf(stderr, "hypercap replay: warning: %s:%ld: the last line is cut short (an "
			"interrupted write?); ignored\n", r->path, r->truncated_line);
	if (rp->unknown_usage)
		fprintf(stderr, "hypercap replay: warning: %zu of %zu calls have no usage in the "
			"trace and are not priced\n", rp->unknown_usage, rp->calls);
	if (rp->estimated)
		fprintf(stderr, "hypercap replay: note: %zu calls have estimated token counts "
			"(USD %.2f of the total; cost_usd.estimated)\n", rp->estimated,
			rp->estimated_cost);
}

struct replay_job {
	struct replay_report_input in;
	int require_plots;
};

static int write_results(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	const struct replay_job *job = ctx;
	struct report_result report;
	int rc = replay_report_write_all(rd, &job->in, err);
	return rc ? rc : cli_report_render(rd->tmp, job->require_plots, &report, err);
}

/* A duration for people: seconds, minutes or hours. */
static const char *duration(double seconds, char *buf, size_t size)
{
	if (seconds < 120)
		snprintf(buf, size, "%.1f s", seconds);
	else if (seconds < 7200)
		snprintf(buf, size, "%.1f min", seconds / 60);
	else
		snprintf(buf, size, "%.2f h", seconds / 3600);
	return buf;
}

static void print_endpoint(const struct retime_endpoint *ep, double wall)
{
	const struct endpoint *e = &ep->e;
	char used[16], limit[16], wait[32];
	printf("  %-24s %zu call%s, mean wait %s, %zu delayed", ep->model, ep->calls,
	       ep->calls == 1 ? "" : "s",
	       duration(ep->wait.n ? ep->wait.mean : 0, wait, sizeof(wait)), ep->delayed);
	if (e->requests_per_minute > 0 && wall > 0)
		printf("; %.1f of %g requests/min", (double)ep->calls / (wall / 60),
		       e->requests_per_minute);
	if (e->tokens_per_minute > 0 && wall > 0)
		printf("; %s of %s tokens/min", numfmt_count(ep->tokens / (wall / 60), used, 16),
		       numfmt_count(e->tokens_per_minute, limit, 16));
	putchar('\n');
}

static void print_workers(const struct retime *rt)
{
	char wait[32];
	unsigned n = rt->conf.eval_workers ? rt->conf.eval_workers : rt->workers_max;
	printf("  eval workers: ");
	if (rt->workers_min != rt->workers_max)
		printf("%u to ", rt->workers_min);
	printf("%u per evaluation%s; utilisation %.1f%%, mean wait %s\n", n,
	       rt->conf.eval_workers ? "" : " (recorded concurrency)",
	       rt->worker_capacity_seconds > 0 ?
		       100 * rt->task_busy_seconds / rt->worker_capacity_seconds : 0,
	       duration(rt->task_wait.n ? rt->task_wait.mean : 0, wait, sizeof(wait)));
}

static void print_fleet(const struct retime_fleet *fl)
{
	const struct fleet_result *r = &fl->result;
	char wait[32];
	printf("  fleet %-18s %.0f calls on %u replica(s) of %u × %s (batch %u): %.1f GPU-hours, "
	       "USD %.2f (the API: %.2f%s); utilisation %.1f%%, mean wait %s\n", fl->name, r->calls,
	       fl->lf.spec->replicas, fl->lf.replica.gpus, fl->lf.spec->gpu, fl->lf.replica.batch,
	       r->gpu_hours, r->cost_usd, fl->api_cost_usd, fl->unpriced ? ", some unpriced" : "",
	       100 * r->utilisation, duration(r->wait_seconds, wait, sizeof(wait)));
}

static void print_retime(const struct retime *rt)
{
	const struct retime_conf *c = &rt->conf;
	char a[32], b[32];
	printf("\nre-timed: wall time %s against %s recorded (%+.1f%%)\n",
	       duration(rt->wall, a, sizeof(a)), duration(rt->recorded_wall, b, sizeof(b)),
	       rt->recorded_wall > 0 ? (rt->wall / rt->recorded_wall - 1) * 100 : 0);
	if (rt->tasks) {
		printf("  evaluation %s against %s recorded: %zu task%s %s\n",
		       duration(rt->eval, a, sizeof(a)), duration(rt->recorded_eval, b, sizeof(b)),
		       rt->tasks, rt->tasks == 1 ? "" : "s",
		       c->starts == RETIME_STARTS_QUEUED ? "queued at their evaluation's start" :
							   "started at their recorded offsets");
		print_workers(rt);
	}
	printf("  %zu node%s in %zu group%s of up to %zu (%s); call latency %s\n", rt->n_active,
	       rt->n_active == 1 ? "" : "s", rt->n_groups, rt->n_groups == 1 ? "" : "s",
	       rt->max_children, c->children ? "--children" : "the recorded iterations",
	       c->latency == RETIME_LATENCY_MODEL ? "ttft + output / decode" : "as recorded");
	for (size_t i = 0; i < rt->n_endpoints; i++)
		print_endpoint(&rt->endpoints[i], rt->wall);
	for (size_t f = 0; f < rt->n_fleets; f++)
		print_fleet(&rt->fleets[f]);
}

static void retime_notes(const struct retime *rt)
{
	static const char *const note = "hypercap replay: note:";
	if (rt->conf.starts == RETIME_STARTS_QUEUED &&
	    rt->recorded_idle_worker_seconds > 0.01 * rt->task_busy_seconds)
		fprintf(stderr, "%s at its recorded concurrency the recorded evaluation left %.2f "
			"worker-hours idle while tasks had not started: the trace lacks work that "
			"ran beside it (a subset of the run?), so queued tasks finish sooner than "
			"recorded; --task-starts recorded keeps the recorded starts\n", note,
			rt->recorded_idle_worker_seconds / 3600);
	if (rt->conf.latency == RETIME_LATENCY_MODEL && rt->calls_without_end)
		fprintf(stderr, "%s %zu calls have no end_time: the modelled latency of each is "
			"taken out of the recorded time to the next call, the rest is tool time\n",
			note, rt->calls_without_end);
	for (size_t f = 0; f < rt->n_fleets; f++)
		if (rt->fleets[f].unpriced)
			fprintf(stderr, "%s %zu calls the fleet '%s' took have no usage or no API "
				"price; its api_cost_usd leaves them out\n", note,
				rt->fleets[f].unpriced, rt->fleets[f].name);
	if (rt->calls_kept_recorded)
		fprintf(stderr, "%s %zu calls have no usage and keep their recorded duration\n",
			note, rt->calls_kept_recorded);
	if (rt->overlapping_calls)
		fprintf(stderr, "%s %zu calls started before the previous call of their task or "
			"session ended; they are re-timed one after another\n", note,
			rt->overlapping_calls);
	if (rt->untimed_tasks)
		fprintf(stderr, "%s %zu tasks have no start_time and end_time: each runs from its "
			"first call to its last plus its test run, a lower bound\n", note,
			rt->untimed_tasks);
}

static int replay(const struct options *o, const struct scenario *fleets_from)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct trace_reader r;
	struct results_dir rd;
	struct reprice rp;
	struct retime rt;
	char outdir[PATH_MAX];
	const char *inputs[] = { o->trace, o->shared.prices, o->scenario };

	if (o->shared.out)
		snprintf(outdir, sizeof(outdir), "%s", o->shared.out);
	else
		default_out(outdir, sizeof(outdir), o->trace);
	if (results_dir_check(outdir, "--out", inputs, 3, &err))
		return cli_fail(&err);
	if (price_sheet_load(&ps, o->shared.prices, &err))
		return cli_fail(&err);
	if (trace_reader_open(&r, o->trace, o->skip_bad, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	reprice_init(&rp, &ps);
	memset(&rt, 0, sizeof(rt));
	struct replay_job job = { { o->trace, o->skip_bad, &rp, &r, o->retime ? &rt : NULL,
				    &o->conf, fleets_from }, o->shared.require_plots };
	int rc = results_dir_write(&rd, outdir, write_results, &job, &err);
	if (!rc) {
		print_warnings(&rp, &r);
		if (o->retime)
			retime_notes(&rt);
		if (!o->shared.quiet) {
			print_table(&rp, &r);
			if (o->retime)
				print_retime(&rt);
			printf("\nresults in %s/\nreport: %s/report.html\n", rd.path, rd.path);
		}
	}
	retime_release(&rt);
	reprice_release(&rp);
	trace_reader_close(&r);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

/* With --fleet, the scenario holding the fleets: loaded first, so a bad one writes nothing. */
static int run(int argc, char **argv)
{
	struct hc_err err = HC_ERR_INIT;
	struct options o;
	struct scenario sc;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (!o.conf.n_routes)
		return replay(&o, NULL);
	if (scenario_load(&sc, o.scenario, o.shared.sets, o.shared.n_sets, &err))
		return cli_fail(&err);
	rc = replay(&o, &sc);
	scenario_release(&sc);
	return rc;
}

const struct cmd cmd_replay = {
	.name = "replay",
	.summary = "re-price a recorded trace exactly; --retime: its wall time under other "
		   "resources",
	.run = run,
};
