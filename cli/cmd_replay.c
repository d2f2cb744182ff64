/*
 * hypercap replay: re-price a recorded trace exactly and write a results directory.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "model/prices.h"
#include "replay/reprice.h"
#include "replay/trace.h"
#include "reports/replay_report.h"
#include "reports/results_dir.h"

/* Iterations are listed one per row up to this many; above it only the totals. */
#define MAX_ITERATION_ROWS 12

static const char usage[] =
	"usage: hypercap replay TRACE [options]\n"
	"\n"
	"Re-prices every LLM call recorded in TRACE (a hypercap trace, see 'hypercap\n"
	"import') at a price sheet's list prices, exactly: no simulation. Prints totals by\n"
	"role, model, domain and iteration and writes a results directory with summary.json\n"
	"and calls.csv (one row per call with its cost). A call whose usage the trace does\n"
	"not give is counted and reported, never priced as 0.\n"
	"\n"
	"options:\n"
	"  --prices FILE       a hypercap price sheet (default: data/prices/api-2026-07-24.json,\n"
	"                      embedded)\n"
	"  --out DIR           results directory (default out/replay-<trace name>); replaced\n"
	"                      whole\n"
	"  --skip-bad          skip records that break the format (counted and reported)\n"
	"                      instead of stopping at the first\n"
	"  --quiet             print nothing but errors and warnings\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data.\n"
	"See docs/replay.md and docs/trace-format.md.\n";

struct options {
	const char *trace, *prices, *out;
	int skip_bad, quiet;
};

enum { OPT_PRICES = 256, OPT_OUT, OPT_SKIP_BAD, OPT_QUIET };

static const struct option long_options[] = {
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case OPT_PRICES:
			o->prices = optarg;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_SKIP_BAD:
			o->skip_bad = 1;
			break;
		case OPT_QUIET:
			o->quiet = 1;
			break;
		default:
			fprintf(stderr, "(see 'hypercap replay --help')\n");
			return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage_error("replay", "TRACE is required");
	o->trace = argv[optind++];
	if (optind < argc)
		return cli_usage_error("replay", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* out/replay-<file name without directories and extension> */
static void default_out(char *buf, size_t size, const char *trace)
{
	const char *base = strrchr(trace, '/');
	base = base ? base + 1 : trace;
	size_t len = strcspn(base, ".");
	snprintf(buf, size, "out/replay-%.*s", (int)(len ? len : strlen(base)), base);
}

static int write_row(void *ctx, long line, const struct trace_llm_call *c,
		     const struct price *p, double cost, struct hc_err *err)
{
	(void)err;
	replay_calls_row(ctx, line, c, p, cost);
	return 0;
}

static void print_row(const char *label, const struct usage *u, size_t unknown, double usd)
{
	char calls[16], total[16], input[16], cached[16], output[16];
	printf("  %-24s %8s %9s %9s %9s %9s %12.2f", label,
	       cli_human((double)u->calls + (double)unknown, calls, 16),
	       cli_human((double)usage_total(u), total, 16), cli_human((double)u->input, input, 16),
	       cli_human((double)u->cache_read, cached, 16),
	       cli_human((double)u->output, output, 16), usd);
	if (unknown)
		printf("   (%zu without usage)", unknown);
	putchar('\n');
}

static void print_table(const struct reprice *rp, const struct trace_reader *r,
			const char *outdir)
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
	printf("\nresults in %s/\n", outdir);
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
	struct reprice *rp;
	struct trace_reader *r;
};

static int write_results(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	struct reprice *rp = ((struct replay_job *)ctx)->rp;
	struct trace_reader *r = ((struct replay_job *)ctx)->r;
	FILE *csv = results_dir_open(rd, "calls.csv", err);
	if (!csv)
		return HC_ERUNTIME;
	replay_calls_header(csv);
	int rc = reprice_trace(rp, r, write_row, csv, err);
	int closed = results_dir_close(rd, csv, "calls.csv", rc ? NULL : err);
	if (rc || closed)
		return rc ? rc : closed;
	cJSON *tree = replay_summary_build(rp, r);
	char *text = tree ? cJSON_Print(tree) : NULL;
	cJSON_Delete(tree);
	if (!text)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	FILE *f = results_dir_open(rd, "summary.json", err);
	if (f) {
		fputs(text, f);
		fputc('\n', f);
	}
	free(text);
	return f ? results_dir_close(rd, f, "summary.json", err) : HC_ERUNTIME;
}

static int replay(const struct options *o)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct trace_reader r;
	struct results_dir rd;
	struct reprice rp;
	char outdir[PATH_MAX];

	if (price_sheet_load(&ps, o->prices, &err))
		return cli_fail(&err);
	if (trace_reader_open(&r, o->trace, o->skip_bad, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	if (o->out)
		snprintf(outdir, sizeof(outdir), "%s", o->out);
	else
		default_out(outdir, sizeof(outdir), o->trace);
	reprice_init(&rp, &ps);
	struct replay_job job = { &rp, &r };
	int rc = results_dir_write(&rd, outdir, write_results, &job, &err);
	if (!rc) {
		print_warnings(&rp, &r);
		if (!o->quiet)
			print_table(&rp, &r, rd.path);
	}
	reprice_release(&rp);
	trace_reader_close(&r);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : replay(&o);
}

const struct cmd cmd_replay = {
	.name = "replay",
	.summary = "re-price a recorded trace exactly (totals by role, model, domain, iteration)",
	.run = run,
};
