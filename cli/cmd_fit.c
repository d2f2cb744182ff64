/*
 * hypercap fit: fit a scenario to a recorded trace, and optionally extrapolate it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "fit/fit.h"
#include "fit/fitbase.h"
#include "fit/fitboot.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/sensitivity.h"
#include "reports/focus.h"
#include "reports/jsonout.h"
#include "reports/report.h"
#include "reports/summary.h"
#include "trace/trace.h"

static const char usage_head[] =
	"usage: hypercap fit TRACE -o SCENARIO.json [options]\n"
	"       hypercap fit TRACE --extrapolate N [options]\n"
	"\n"
	"Fits a scenario to a recorded trace (see 'hypercap import'): calls per session,\n"
	"prompt, output and tool-result tokens, reasoning share and prompt caching per\n"
	"session kind (self-modification, each domain's tasks), tool seconds, pass rates,\n"
	"sandbox seconds, artifact and patch bytes, task counts, and evaluation concurrency\n"
	"(eval_workers) when the task spans show a pool of workers (else it says why it\n"
	"cannot, as for a subset of a run's tasks, and keeps the base's). Each quantity is\n"
	"fitted by maximum likelihood (lognormal, gamma, exponential; counts also empirical)\n"
	"and the lowest AIC chosen. Writes SCENARIO.json (loadable by simulate and validate) and\n"
	"SCENARIO.fit.json beside it: per field the sample, every candidate's parameters,\n"
	"AIC and Kolmogorov-Smirnov statistic, and the fields the trace does not inform,\n"
	"which keep the base scenario's values (a prior of the base stays that prior, drawn\n"
	"per replication); it prints those of them that enter the cost formulas, with their\n"
	"values.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   the fitted scenario (required unless --extrapolate)\n"
	"  --base SCENARIO     values for what the trace does not inform (default: by the\n"
	"                      loop the trace's header names: \"dgm\" (import dgm of a DGM\n"
	"                      run) the embedded data/scenarios/dgm-polyglot.json, else the\n"
	"                      embedded data/scenarios/hyperagents-paper.json)\n"
	"  --skip-bad          skip records that break the format (counted and reported)\n"
	"  --bootstrap B       refit B resamples of the trace's tasks and self-modification\n"
	"                      sessions, drawn with replacement (default 200; 0: none): the\n"
	"                      report gives each fitted mean's P10 / P50 / P90 over them, and\n"
	"                      replication r of --extrapolate runs on resample r mod B, so\n"
	"                      its bands carry the fit's uncertainty (--seed draws them)\n"
	"  --extrapolate N     then simulate N iterations of the fitted scenario and write a\n"
	"                      results directory as simulate does (report.html and plots\n"
	"                      included), with the fitted scenario (fitted-scenario.json)\n"
	"                      and the fit report (fit.json), and sensitivity.csv when it\n"
	"                      keeps priors of the base; the options below but --quiet\n"
	"                      are the extrapolation's (--set: on the fitted scenario)\n";

static const char usage_tail[] =
	"\n"
	"With --extrapolate on a terminal, stderr shows a progress line while the replications\n"
	"run (done, rate, time left); it is erased at the end and never written to a file.\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data, 130 / 143\n"
	"interrupted (SIGINT / SIGTERM).\n"
	"See docs/fit.md for the method and its measured accuracy.\n";

struct options {
	struct cli_options shared;
	const char *trace, *output, *base;
	uint64_t extrapolate, bootstrap;
	int skip_bad, extrapolating;
	char iterations_set[32]; /* "iterations=N", the last of shared.sets when extrapolating */
};

enum { OPT_BASE = 256, OPT_SKIP_BAD, OPT_EXTRAPOLATE, OPT_BOOTSTRAP };

static const struct option own[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "extrapolate", required_argument, NULL, OPT_EXTRAPOLATE },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "fit",
	.shortopts = "ho:",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_THREADS | CLI_PRICES | CLI_OUT | CLI_REQUIRE_PLOTS |
		 CLI_QUIET | CLI_SET,
	.runs = 20,
	.out = "out/fit-<trace name>",
	.head = usage_head,
	.tail = usage_tail,
};

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c, rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	o->bootstrap = FITBOOT_DEFAULT;
	while ((c = cli_options_next(&o->shared, argc, argv, &rc)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_BASE:
			o->base = optarg;
			break;
		case OPT_SKIP_BAD:
			o->skip_bad = 1;
			break;
		case OPT_EXTRAPOLATE:
			o->extrapolating = 1;
			if (cli_parse_u64("fit", "--extrapolate", optarg, 0, 100000,
					  &o->extrapolate))
				return EXIT_USAGE;
			break;
		case OPT_BOOTSTRAP:
			if (cli_parse_u64("fit", "--bootstrap", optarg, 0, FITBOOT_MAX,
					  &o->bootstrap))
				return EXIT_USAGE;
			break;
		}
	}
	if (rc >= 0)
		return rc;
	if (optind == argc)
		return cli_usage_error("fit", "TRACE is required");
	o->trace = argv[optind++];
	if (optind < argc)
		return cli_usage_error("fit", "unexpected argument '%s'", argv[optind]);
	if (!o->output && !o->extrapolating)
		return cli_usage_error("fit", "-o SCENARIO.json is required (or --extrapolate N)");
	if (o->shared.n_sets && !o->extrapolating)
		return cli_usage_error("fit", "--set applies to --extrapolate's scenario");
	if (o->extrapolating) {
		snprintf(o->iterations_set, sizeof(o->iterations_set), "iterations=%llu",
			 (unsigned long long)o->extrapolate);
		o->shared.sets[o->shared.n_sets++] = o->iterations_set;
	}
	return -1;
}

/*
 * The base name of path without its directories, leading dots and what follows the next
 * '.'; characters a scenario name does not allow (docs/scenario.md) become '_'.
 */
static void stem(char *buf, size_t size, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	base += strspn(base, ".");
	size_t len = strcspn(base, ".");
	snprintf(buf, size, "%.*s", (int)len, len ? base : "trace");
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			*p = '_';
}

/* SCENARIO.json -> SCENARIO.fit.json; any other name gets ".fit.json" added. */
static void report_path(char *buf, size_t size, const char *output)
{
	size_t len = strlen(output);
	if (len > 5 && !strcmp(output + len - 5, ".json"))
		len -= 5;
	snprintf(buf, size, "%.*s.fit.json", (int)len, output);
}

/* The value a field got, in a few words. */
static void describe_value(const struct fit_field *fl, char *buf, size_t size)
{
	if (fl->kind == FIT_TEXT)
		snprintf(buf, size, "%s", fl->text);
	else if (fl->kind == FIT_NUMBER)
		snprintf(buf, size, "%g", fl->number);
	else if (fl->dist.kind == DIST_EMPIRICAL)
		snprintf(buf, size, "empirical, %zu values", fl->dist.n);
	else if (fl->dist.kind == DIST_EXPONENTIAL)
		snprintf(buf, size, "%s %g", fl->text, fl->dist.a);
	else
		snprintf(buf, size, "%s %g, cv %g", fl->text, fl->dist.a, fl->dist.b);
}

/* One line per informed field: its value; for a fit, n, KS and every candidate's AIC. */
static void print_field(const struct fit_field *fl)
{
	const struct fitdist *fd = &fl->fit;
	char shown[TRACE_STR_MAX + 64];
	describe_value(fl, shown, sizeof(shown));
	if (!fl->fitted || fd->chosen < 0 || !fd->cand[fd->chosen].fitted) {
		printf("  %-42s %s\n", fl->path, shown);
		return;
	}
	printf("  %-42s %-34s n %zu, KS %.3f, AIC", fl->path, shown, fd->n,
	       fd->cand[fd->chosen].ks);
	for (int f = 0; f < FITDIST_COUNT; f++)
		if (fd->cand[f].fitted)
			printf(" %s %.1f", fitdist_family_name(f), fd->cand[f].aic);
	putchar('\n');
}

/* Where the base came from, in a few words. */
static void describe_base(char *buf, size_t size, enum fitbase_why why, const char *loop)
{
	if (why == FITBASE_GIVEN)
		snprintf(buf, size, "given by --base");
	else if (why == FITBASE_LOOP)
		snprintf(buf, size, "the preset of loop \"%s\", which the trace's header names",
			 loop);
	else if (*loop)
		snprintf(buf, size, "the default: no preset for loop \"%.60s\"", loop);
	else
		snprintf(buf, size, "the default: the trace's header names no loop");
}

/* The cost-relevant fields that kept the base's values, one a line; a prior as a prior. */
static void print_defaulted(const struct fit_summary *s)
{
	char priors[64] = "";
	if (s->n_defaulted_priors)
		snprintf(priors, sizeof(priors), ", %zu of them priors drawn per replication",
			 s->n_defaulted_priors);
	printf("\n\n  %zu fields keep the base's values (\"defaulted\" in the report)%s; %zu of "
	       "them enter the cost formulas%s\n", s->n_defaulted, priors, s->n_cost_defaulted,
	       s->n_cost_defaulted ? ":" : "");
	for (size_t i = 0; i < s->n_cost_defaulted; i++)
		printf("    %-44s %s\n", s->cost_defaulted[i].path, s->cost_defaulted[i].value);
}

static void print_report(const struct fit_summary *s, const char *base_why, const char *written)
{
	printf("%s: %zu calls fitted; base %s (%s)\n\n", s->trace, s->calls_fitted, s->base,
	       base_why);
	for (size_t i = 0; i < s->n_fields; i++)
		print_field(&s->fields[i]);
	for (size_t i = 0; i < s->n_checks; i++) {
		const struct fit_tokens *o = &s->checks[i].observed, *x = &s->checks[i].expected;
		printf("\n  %s per session, fitted model / trace: input %.0f / %.0f, cache read "
		       "%.0f / %.0f, output %.0f / %.0f", s->checks[i].group, x->input, o->input,
		       x->cache_read, o->cache_read, x->output, o->output);
	}
	for (size_t i = 0; i < s->n_concurrency; i++)
		printf("\n  domains.%s.eval_workers: %s", s->concurrency[i].domain,
		       s->concurrency[i].sentence);
	print_defaulted(s);
	if (written)
		printf("\nwrote %s\n", written);
}

/* The bootstrap's tokens per session, one line a session kind. */
static void print_bootstrap(const struct fitboot *b)
{
	if (!b->resamples)
		return;
	printf("bootstrap: %u resamples of %zu tasks and %zu self-modification sessions "
	       "(\"bootstrap\" in the report)\n", b->resamples, b->tasks, b->sessions);
	for (size_t k = 0; k < b->n_spread; k++) {
		const struct fitboot_spread *s = &b->spread[k];
		if (strstr(s->path, ".tokens_per_session"))
			printf("  %-42s %.0f, P10 / P50 / P90 %.0f / %.0f / %.0f\n", s->path,
			       s->fitted, s->p10, s->p50, s->p90);
	}
}

static void print_warnings(const struct fit *f, const struct trace_reader *r)
{
	if (r->n_skipped)
		fprintf(stderr, "hypercap fit: warning: skipped %zu bad record%s; the first: %s\n",
			r->n_skipped, r->n_skipped > 1 ? "s" : "", r->first_skipped);
	if (r->truncated_line)
		fprintf(stderr, "hypercap fit: warning: %s:%ld: the last line is cut short (an "
			"interrupted write?); ignored\n", r->path, r->truncated_line);
	if (f->no_usage)
		fprintf(stderr, "hypercap fit: warning: %zu calls have no usage and are left out\n",
			f->no_usage);
	if (f->other_roles)
		fprintf(stderr, "hypercap fit: warning: %zu calls have a role other than "
			"self_modify or evaluate and are left out\n", f->other_roles);
	if (f->estimated)
		fprintf(stderr, "hypercap fit: note: %zu calls have estimated token counts; they "
			"are fitted like reported ones\n", f->estimated);
}

struct extrapolation {
	const struct cli_options *o;
	struct forecast *f;
	const struct price_sheet *ps;
	const struct fit_result *res;
	const struct fitboot *boot;
	struct sensitivity *sens; /* the fitted scenario's priors (sensitivity.csv) */
	int ran;                /* f holds a forecast */
};

/* The forecast, its rows streamed into rd as replications finish, then the rest. */
static int write_extrapolation(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	struct extrapolation *x = ctx;
	const struct cli_options *sh = x->o;
	const char *names[] = { "fitted-scenario.json", "fit.json" };
	const cJSON *trees[] = { x->res->scenario, x->res->report };
	const struct summary_extras extras = { focus_default_start(), NULL, x->sens };
	unsigned sens_runs = sh->runs < SENSITIVITY_RUNS ? (unsigned)sh->runs : SENSITIVITY_RUNS;
	struct summary_stream stream;
	struct cli_progress progress;
	struct report_result report;
	if (summary_stream_begin(&stream, rd, err))
		return err->code;
	struct forecast_sink sink = summary_stream_sink(&stream);
	cli_progress_init(&progress, "fit --extrapolate", sh->runs, sh->quiet);
	int rc = forecast_run_variants(x->f, &x->res->sc, x->boot->variants, x->boot->resamples,
				       x->ps, (unsigned)sh->runs, (unsigned)sh->threads, sh->seed,
				       cli_progress_hook(&progress), &sink, err);
	cli_progress_end(&progress);
	x->ran = !rc;
	if (!rc)
		rc = sensitivity_run(x->sens, &x->res->sc, x->ps, sens_runs, (unsigned)sh->threads,
				     sh->seed, err);
	if (!rc && summary_write_all(rd, x->f, x->ps, &extras, &stream, err))
		rc = err->code;
	for (size_t i = 0; !rc && i < 2; i++)
		rc = results_dir_write_json(rd, names[i], trees[i], err);
	if (!rc)
		rc = cli_report_render(rd->tmp, sh->require_plots, &report, err);
	summary_stream_release(&stream);
	return rc;
}

/* The results directory of --extrapolate: --out, or out/fit-<trace name>. */
static void fit_outdir(const struct options *o, char *buf, size_t size)
{
	char name[128];
	stem(name, sizeof(name), o->trace);
	if (o->shared.out)
		snprintf(buf, size, "%s", o->shared.out);
	else
		snprintf(buf, size, "out/fit-%s", name);
}

/* Checked before the fit starts, so that nothing is computed for a refused directory. */
static int check_outdir(const struct options *o, struct hc_err *err)
{
	char outdir[PATH_MAX];
	const char *inputs[] = { o->trace, o->base, o->shared.prices };
	fit_outdir(o, outdir, sizeof(outdir));
	return results_dir_check(outdir, "--out", inputs, 3, err);
}

static int extrapolate(const struct options *o, struct fit_result *res,
		       const struct fitboot *boot)
{
	const struct cli_options *sh = &o->shared;
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct forecast f;
	struct results_dir rd;
	char outdir[PATH_MAX];
	if (price_sheet_load(&ps, sh->prices, &err))
		return cli_fail(&err);
	fit_outdir(o, outdir, sizeof(outdir));
	struct sensitivity sens = SENSITIVITY_INIT;
	struct extrapolation x = { sh, &f, &ps, res, boot, &sens, 0 };
	int rc = forecast_check(&res->sc, &ps, (unsigned)sh->runs, &err);
	if (!rc)
		rc = results_dir_write(&rd, outdir, write_extrapolation, &x, &err);
	if (!rc && !sh->quiet) {
		putchar('\n');
		cli_print_forecast(&f, &ps, rd.path);
		cli_print_sensitivity(&sens, &f);
		printf("report: %s/report.html\n", rd.path);
	}
	if (x.ran)
		forecast_release(&f);
	sensitivity_release(&sens);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int write_scenario(const struct options *o, const struct fit_result *res,
			  char *written, size_t size, struct hc_err *err)
{
	char report[PATH_MAX + 16];
	report_path(report, sizeof(report), o->output);
	const char *paths[] = { o->output, report };
	const cJSON *trees[] = { res->scenario, res->report };
	snprintf(written, size, "%s and %s", o->output, report);
	return jsonout_files(2, paths, trees, err);
}

/*
 * --set and iterations = N on the scenario the extrapolation runs, as on every resample's
 * (the written scenario stays the fit).
 */
static int apply_sets(const struct options *o, struct fit_result *res, struct hc_err *err)
{
	struct scenario sc;
	if (!o->shared.n_sets)
		return 0;
	if (fitboot_scenario(&sc, res->scenario, o->shared.sets, o->shared.n_sets, err))
		return err->code;
	scenario_release(&res->sc);
	res->sc = sc;
	return 0;
}

/* The resamples, their spread into the report as "bootstrap" (fit/fitboot.h). */
static int bootstrap(const struct options *o, const struct scenario *base, const char *name,
		     struct fit_result *res, struct fitboot *boot, struct hc_err *err)
{
	const struct fitboot_input in = { o->trace, o->skip_bad, base, name, o->shared.sets,
					  o->shared.n_sets };
	if (!o->bootstrap)
		return 0;
	if (fitboot_run(boot, &in, &res->summary, &res->sc, (unsigned)o->bootstrap,
			o->shared.seed, err))
		return err->code;
	cJSON *report = fitboot_report(boot);
	if (!report)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	cJSON_AddItemToObject(res->report, "bootstrap", report);
	return 0;
}

static int fit(const struct options *o)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario base;
	struct trace_reader r;
	struct fit f;
	struct fit_result res;
	enum fitbase_why why;
	char name[SCENARIO_NAME_MAX], written[2 * PATH_MAX + 32] = "", stem_buf[128], base_why[200];

	if (o->extrapolating && check_outdir(o, &err))
		return cli_fail(&err);
	if (trace_reader_open(&r, o->trace, o->skip_bad, &err))
		return cli_fail(&err);
	if (fitbase_load(&base, o->base, r.header.loop, &why, &err)) {
		trace_reader_close(&r);
		return cli_fail(&err);
	}
	describe_base(base_why, sizeof(base_why), why, r.header.loop);
	fit_init(&f);
	stem(stem_buf, sizeof(stem_buf), o->output ? o->output : o->trace);
	snprintf(name, sizeof(name), "%s%.80s", o->output ? "" : "fit-", stem_buf);
	memset(&res, 0, sizeof(res));
	struct fitboot boot = FITBOOT_INIT;
	int rc = fit_trace(&f, &r, &err);
	if (!rc)
		rc = fit_build(&f, &base, name, o->trace, &res, &err);
	if (!rc)
		rc = apply_sets(o, &res, &err);
	if (!rc)
		rc = bootstrap(o, &base, name, &res, &boot, &err);
	if (!rc) {
		print_warnings(&f, &r);
		if (o->output)
			rc = write_scenario(o, &res, written, sizeof(written), &err);
		if (!rc && !o->shared.quiet) {
			print_report(&res.summary, base_why, o->output ? written : NULL);
			print_bootstrap(&boot);
		}
	}
	fit_release(&f);
	trace_reader_close(&r);
	scenario_release(&base);
	int code = rc ? cli_fail(&err) : o->extrapolating ? extrapolate(o, &res, &boot) : EXIT_OK;
	fitboot_release(&boot);
	fit_result_release(&res);
	return code;
}

static int run(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : fit(&o);
}

const struct cmd cmd_fit = {
	.name = "fit",
	.summary = "fit a scenario to a recorded trace (and --extrapolate N iterations)",
	.run = run,
};
