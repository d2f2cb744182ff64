/*
 * hypercap compare: variants of a scenario against the base on common random numbers, the
 * paired deltas per component in compare.csv and compare.json, and a table on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "model/compare.h"
#include "model/crossover.h"
#include "model/fleet.h"
#include "model/forecast.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/variants.h"
#include "reports/compare_out.h"
#include "reports/numfmt.h"

/* The variants a comparison takes at most. */
#define COMPARE_MAX_VARIANTS 64

static const char usage_head[] =
	"usage: hypercap compare [BASE.json] --variant NAME --set PATH=VALUE [--set ...]\n"
	"                        [--variant NAME --set ...]... [options]\n"
	"       hypercap compare [BASE.json] --variants FILE [options]\n"
	"\n"
	"Forecasts the base scenario (no file: the embedded default) and each variant (the\n"
	"base with the --set assignments that follow its --variant) on common random numbers:\n"
	"replication i of every variant runs with the seed replication i of the base runs with.\n"
	"Writes a results directory with compare.csv (one row per variant and metric: the base's\n"
	"and the variant's means, the mean of the paired difference and its P10 and P90 over the\n"
	"replications), compare.json (the same, and each scenario's crossover against reserved\n"
	"H100s, as simulate's) and report.html (per variant a bar chart of the change in each\n"
	"part of the bill, per run and per month, with P10-P90 whiskers, and its crossover\n"
	"verdict), and prints the same table. Metrics: tokens, api_usd, self_hosted_usd,\n"
	"storage_usd, compute_usd, total_usd, wall_hours, and per month of the steady state\n"
	"monthly_api_usd, monthly_self_hosted_usd, monthly_storage_usd, monthly_compute_usd,\n"
	"monthly_total_usd. --set before the first --variant changes the base, and so every\n"
	"variant. A variants file is a JSON list of {\"name\": NAME, \"set\": {PATH: VALUE}},\n"
	"  [{\"name\": \"keep-a-year\", \"set\": {\"costs.retention_months\": 12}},\n"
	"   {\"name\": \"no-cache\", \"set\": {\"self_modification.caching\": \"off\"}}]\n"
	"whose variants come first, then those of --variant.\n"
	"\n"
	"options:\n"
	"  --variant NAME      start a variant; the --set options after it are its own\n"
	"  --variants FILE     the variants of a variants file (above)\n";

static const char usage_tail[] =
	"\n"
	"A variant identical to the base gives a delta of exactly 0. Not yet: one random stream\n"
	"per component, so a change in one place can still shift the draws elsewhere.\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data, 130 / 143\n"
	"interrupted (SIGINT / SIGTERM). See docs/compare.md.\n";

enum { OPT_VARIANT = 256, OPT_VARIANTS };

static const struct option own[] = {
	{ "variant", required_argument, NULL, OPT_VARIANT },
	{ "variants", required_argument, NULL, OPT_VARIANTS },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "compare",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_THREADS | CLI_SET | CLI_PRICES | CLI_OUT | CLI_QUIET,
	.runs = 10,
	.out = "out/compare",
	.head = usage_head,
	.tail = usage_tail,
};

struct options {
	struct cli_options shared;
	const char *base;
	const char *out;
	const char *variants_file;      /* --variants; NULL: none */
	const char *names[COMPARE_MAX_VARIANTS];
	size_t first_set[COMPARE_MAX_VARIANTS + 1]; /* variant v's sets: [first_set[v], [v+1]) */
	size_t n_variants;
};

/* --variant NAME: a new name, its sets starting after those given so far. */
static int add_variant(struct options *o, const char *name)
{
	if (o->n_variants == COMPARE_MAX_VARIANTS)
		return cli_usage_error("compare", "more than %d variants", COMPARE_MAX_VARIANTS);
	if (!name[0])
		return cli_usage_error("compare", "--variant needs a name");
	for (size_t v = 0; v < o->n_variants; v++)
		if (!strcmp(o->names[v], name))
			return cli_usage_error("compare", "variant '%s' given twice", name);
	o->names[o->n_variants] = name;
	o->first_set[o->n_variants++] = o->shared.n_sets;
	return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	int opt;
	while ((opt = cli_options_next(&o->shared, argc, argv, &rc)) == OPT_VARIANT ||
	       opt == OPT_VARIANTS) {
		if (opt == OPT_VARIANTS && o->variants_file)
			return cli_usage_error("compare", "--variants given twice");
		if (opt == OPT_VARIANTS)
			o->variants_file = optarg;
		else if (add_variant(o, optarg))
			return EXIT_USAGE;
	}
	if (rc >= 0)
		return rc;
	if (optind < argc)
		o->base = argv[optind++];
	if (optind < argc)
		return cli_usage_error("compare", "unexpected argument '%s'", argv[optind]);
	if (!o->n_variants && !o->variants_file)
		return cli_usage_error("compare", "expected at least one --variant NAME, or "
				       "--variants FILE");
	o->first_set[o->n_variants] = o->shared.n_sets;
	o->out = o->shared.out ? o->shared.out : "out/compare";
	return -1;
}

/* The scenarios: [0] the base, [1 + v] variant v (the base's sets, then its own); the
 * variants: the variants file's, then those of --variant. */
struct compare_job {
	const struct options *opt;
	const struct price_sheet *ps;
	struct variants_file file;
	struct scenario *sc;
	struct compare_out_variant variants[COMPARE_MAX_VARIANTS];
	size_t n_variants;
	/* [0] the base's, [1 + v] variant v's crossover; priced[s] 0 when it could not be */
	struct crossover_plan *plans;
	const struct crossover_plan *base_crossover;
	int priced[COMPARE_MAX_VARIANTS + 1];
	char no_crossover[HC_ERR_MSG_MAX];  /* why the first unpriced one was not */
};

/* Loads the base (v NULL) or variant v, and checks it for the runs asked; errors name v. */
static int load_one(const struct options *o, const struct price_sheet *ps,
		    const struct compare_out_variant *v, struct scenario *sc, struct hc_err *err)
{
	const char *sets[2 * CLI_MAX_SETS];
	size_t n = o->first_set[0];
	memcpy(sets, o->shared.sets, n * sizeof(*sets));
	if (v && v->n_sets) { /* a variant with no assignments has no array */
		memcpy(sets + n, v->sets, v->n_sets * sizeof(*sets));
		n += v->n_sets;
	}
	int rc = scenario_load(sc, o->base, sets, n, err);
	if (!rc && forecast_check(sc, ps, (unsigned)o->shared.runs, err)) {
		scenario_release(sc);
		rc = err->code;
	}
	if (rc && v)
		hc_err_prefix(err, "variant '%s'", v->name);
	return rc;
}

/* Loads every scenario into job->sc; on failure none is left loaded. */
static int load_all(struct compare_job *job, struct hc_err *err)
{
	const struct options *o = job->opt;
	for (size_t s = 0; s <= job->n_variants; s++) {
		const struct compare_out_variant *v = s ? &job->variants[s - 1] : NULL;
		if (load_one(o, job->ps, v, &job->sc[s], err)) {
			if (s && s <= job->file.n) /* the file's variant: its place in the file */
				hc_err_prefix(err, "%s: [%zu].set", job->file.origin, s - 1);
			while (s-- > 0)
				scenario_release(&job->sc[s]);
			return err->code;
		}
	}
	return 0;
}

/* One forecast of scenario s (0: the base) with the shared runs, threads and seed. */
static int forecast_one(const struct compare_job *job, size_t s, struct forecast *f,
			struct cli_progress *progress, struct hc_err *err)
{
	const struct cli_options *o = &job->opt->shared;
	return forecast_run(f, &job->sc[s], job->ps, (unsigned)o->runs, (unsigned)o->threads,
			    o->seed, cli_progress_hook(progress), FORECAST_DROP, err);
}

/* Scenario s's crossover against reserved H100s, as simulate's; unpriced: a note. */
static void crossover_one(struct compare_job *job, size_t s, const struct forecast *f,
			  const struct gpu_sheet *gs, const struct serving_sheet *ss)
{
	struct hc_err err = HC_ERR_INIT;
	struct crossover_request rq = crossover_default_request(PRICING_RESERVED);
	job->priced[s] = gs && !crossover_plan(f, job->ps, gs, ss, &rq, &job->plans[s], &err);
	if (!job->priced[s] && gs && !job->no_crossover[0])
		snprintf(job->no_crossover, sizeof(job->no_crossover), "%s", err.msg);
}

/* Each scenario's crossover for the results: its plan, or NULL when it was not priced. */
static void link_crossovers(struct compare_job *job)
{
	job->base_crossover = job->priced[0] ? &job->plans[0] : NULL;
	for (size_t v = 0; v < job->n_variants; v++)
		job->variants[v].crossover = job->priced[1 + v] ? &job->plans[1 + v] : NULL;
}

/* The base's forecast, then each variant's against it; the deltas into job->variants. */
static int run_all(struct compare_job *job, struct cli_progress *progress, struct hc_err *err)
{
	struct forecast base, f;
	struct gpu_sheet gs;
	struct serving_sheet ss;
	struct hc_err sheets_err = HC_ERR_INIT;
	int sheets = !fleet_sheets_load(&gs, &ss, &sheets_err);
	if (!sheets)
		snprintf(job->no_crossover, sizeof(job->no_crossover), "%s", sheets_err.msg);
	int rc = forecast_one(job, 0, &base, progress, err);
	if (rc) {
		if (sheets)
			fleet_sheets_release(&gs, &ss);
		return rc;
	}
	crossover_one(job, 0, &base, sheets ? &gs : NULL, &ss);
	for (size_t v = 0; !rc && v < job->n_variants; v++) {
		rc = forecast_one(job, 1 + v, &f, progress, err);
		if (rc) {
			hc_err_prefix(err, "variant '%s'", job->variants[v].name);
			break;
		}
		rc = compare_deltas(&base, &f, job->variants[v].delta, err);
		crossover_one(job, 1 + v, &f, sheets ? &gs : NULL, &ss);
		forecast_release(&f);
	}
	forecast_release(&base);
	if (sheets)
		fleet_sheets_release(&gs, &ss);
	link_crossovers(job);
	return rc;
}

/* The forecasts, then compare.csv and compare.json, into the temporary directory. */
static int write_results(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	struct compare_job *job = ctx;
	const struct options *o = job->opt;
	struct cli_progress progress;
	cli_progress_init(&progress, "compare", (job->n_variants + 1) * o->shared.runs,
			  o->shared.quiet);
	int rc = run_all(job, &progress, err);
	cli_progress_end(&progress);
	if (rc)
		return rc;
	struct compare_out out = {
		o->base, o->shared.sets, o->first_set[0], (unsigned)o->shared.runs, o->shared.seed,
		job->ps, job->variants, job->n_variants, job->base_crossover,
		job->no_crossover,
	};
	return compare_out_write_all(rd, &out, err);
}

/* A figure for the table: tokens whole, dollars to 1/100 cent (storage is small). */
static void print_cell(enum compare_metric m, double v, int sign)
{
	int decimals = m == COMPARE_TOKENS ? 0 : m == COMPARE_WALL_HOURS ? 3 : 4;
	printf(sign ? " %+15.*f" : " %15.*f", decimals, v);
}

/* Who is cheaper at the variant's monthly volume, and whether the base's verdict holds. */
static void print_crossover(const struct crossover_plan *p, const struct crossover_plan *base)
{
	if (!p)
		return;
	char volume[32], api_usd[32], fleet_usd[32];
	int api = p->at_scenario.api_usd <= p->at_scenario.self_hosted_usd;
	printf("  crossover: at %s tokens a month the %s is cheaper (API %s, %.0f GPUs %s a "
	       "month)", numfmt_count(p->at_scenario.tokens_per_month, volume, sizeof(volume)),
	       api ? "API" : "fleet", numfmt_usd(p->at_scenario.api_usd, api_usd, sizeof(api_usd)),
	       p->at_scenario.gpus, numfmt_usd(p->at_scenario.self_hosted_usd, fleet_usd,
					       sizeof(fleet_usd)));
	if (base)
		printf("%s", api == (base->at_scenario.api_usd <= base->at_scenario.self_hosted_usd)
		       ? ", as for the base" : "; the verdict changes from the base's");
	putchar('\n');
}

static void print_table(const struct options *o, const struct compare_out_variant *variants,
			size_t n_variants, const struct crossover_plan *base_crossover,
			const char *outdir)
{
	printf("%zu variant%s against %s: %llu paired replications, seed %llu\n",
	       n_variants, n_variants == 1 ? "" : "s", o->base ? o->base
	       : "the embedded default", (unsigned long long)o->shared.runs,
	       (unsigned long long)o->shared.seed);
	for (size_t v = 0; v < n_variants; v++) {
		printf("\n%s\n  %-24s %15s %15s %15s %15s %15s\n", variants[v].name, "metric",
		       "base", "variant", "delta", "delta P10", "delta P90");
		for (int m = 0; m < COMPARE_METRICS; m++) {
			const struct compare_delta *d = &variants[v].delta[m];
			printf("  %-24s", compare_metric_name((enum compare_metric)m));
			print_cell((enum compare_metric)m, d->base_mean, 0);
			print_cell((enum compare_metric)m, d->variant_mean, 0);
			print_cell((enum compare_metric)m, d->mean, 1);
			print_cell((enum compare_metric)m, d->p10, 1);
			print_cell((enum compare_metric)m, d->p90, 1);
			putchar('\n');
		}
		print_crossover(variants[v].crossover, base_crossover);
	}
	printf("\nresults in %s/\n", outdir);
}

/* Variant i of the file is named like one of --variant: the first such, or NULL. */
static const char *name_clash(const struct options *o, const struct variants_file *f,
			      size_t *i)
{
	for (*i = 0; *i < f->n; (*i)++)
		for (size_t v = 0; v < o->n_variants; v++)
			if (!strcmp(f->v[*i].name, o->names[v]))
				return o->names[v];
	return NULL;
}

/* Each variant's name and its own sets: the variants file's (loaded into job->file), then
 * those of --variant. */
static int variants_init(struct compare_job *job, struct hc_err *err)
{
	const struct options *o = job->opt;
	struct variants_file *f = &job->file;
	if (o->variants_file &&
	    variants_file_load(f, o->variants_file, COMPARE_MAX_VARIANTS - o->n_variants, err))
		return err->code;
	size_t i;
	const char *clash = name_clash(o, f, &i);
	if (clash)
		return hc_err_set(err, HC_EINPUT, "%s: [%zu].name: got \"%s\", also given by "
				  "--variant; allowed: a name no other variant has", f->origin, i,
				  clash);
	for (i = 0; i < f->n; i++) {
		job->variants[i].name = f->v[i].name;
		job->variants[i].sets = (const char *const *)f->v[i].sets;
		job->variants[i].n_sets = f->v[i].n_sets;
	}
	for (size_t v = 0; v < o->n_variants; v++) {
		struct compare_out_variant *out = &job->variants[f->n + v];
		out->name = o->names[v];
		out->sets = o->shared.sets + o->first_set[v];
		out->n_sets = o->first_set[v + 1] - o->first_set[v];
	}
	job->n_variants = f->n + o->n_variants;
	return 0;
}

/* Loads, checks, runs and writes; the scenarios and variants are the caller's. */
static int compare(struct compare_job *job)
{
	struct hc_err err = HC_ERR_INIT;
	const struct options *o = job->opt;
	const char *inputs[] = { o->base, o->shared.prices, o->variants_file };
	if (load_all(job, &err))
		return cli_fail(&err);
	int rc = results_dir_check(o->out, "--out", inputs, 3, &err);
	struct results_dir rd;
	if (!rc)
		rc = results_dir_write(&rd, o->out, write_results, job, &err);
	for (size_t s = 0; s <= job->n_variants; s++)
		scenario_release(&job->sc[s]);
	if (rc)
		return cli_fail(&err);
	if (!o->shared.quiet)
		print_table(o, job->variants, job->n_variants, job->base_crossover, rd.path);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (price_sheet_load(&ps, o.shared.prices, &err))
		return cli_fail(&err);
	struct compare_job *job = calloc(1, sizeof(*job));
	if (job) {
		job->opt = &o;
		job->ps = &ps;
		job->sc = calloc(COMPARE_MAX_VARIANTS + 1, sizeof(*job->sc));
		job->plans = calloc(COMPARE_MAX_VARIANTS + 1, sizeof(*job->plans));
	}
	if (!job || !job->sc || !job->plans)
		rc = cli_fail(&(struct hc_err){ HC_ERUNTIME, "out of memory" });
	else if (variants_init(job, &err))
		rc = cli_fail(&err);
	else
		rc = compare(job);
	if (job) {
		variants_file_release(&job->file);
		free(job->sc);
		free(job->plans);
	}
	free(job);
	price_sheet_release(&ps);
	return rc;
}

const struct cmd cmd_compare = {
	.name = "compare",
	.summary = "variants of a scenario against the base on common random numbers",
	.run = run,
};
