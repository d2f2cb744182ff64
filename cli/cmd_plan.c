/*
 * hypercap plan: the largest value of a scenario field that a budget (and a deadline) allows.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "model/plan.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "reports/jsonout.h"
#include "reports/results_dir.h"

static const char usage_head[] =
	"usage: hypercap plan [SCENARIO.json] --budget-usd B [options]\n"
	"\n"
	"Finds the largest value of one scenario field (default: iterations) whose P90 cost\n"
	"per run stays within the budget, and with --deadline-hours whose P90 wall time stays\n"
	"within the deadline: doubling from --min until a value fails, then bisection. Prints\n"
	"the points it tried and writes them to plan.csv, the answer to plan.json. Every point\n"
	"runs --runs replications from the same --seed; --set applies before the search.\n"
	"\n"
	"options:\n"
	"  --budget-usd B      the budget for one run, USD (required)\n"
	"  --deadline-hours H  the longest P90 wall time allowed (default: none)\n"
	"  --vary PATH         the whole-number field to search, as --set names it (default\n"
	"                      iterations; e.g. children_per_iteration,\n"
	"                      domains.paper_review.full_tasks)\n"
	"  --min N, --max N    the values searched (default 0 to 100000)\n";

static const char usage_tail[] =
	"\n"
	"On a terminal, stderr shows a progress line while the points run (the point, the\n"
	"replications done, their rate); it is erased at the end.\n"
	"Exit codes: 0 ok (also when nothing fits: plan.json says so), 1 runtime failure,\n"
	"2 usage error, 3 bad input data, 130 / 143 interrupted (SIGINT / SIGTERM). The method\n"
	"and its assumptions: docs/plan.md.\n";

struct options {
	struct cli_options shared;
	struct plan_request rq;
};

enum { OPT_BUDGET = 256, OPT_DEADLINE, OPT_VARY, OPT_MIN, OPT_MAX };

static const struct option own[] = {
	{ "budget-usd", required_argument, NULL, OPT_BUDGET },
	{ "deadline-hours", required_argument, NULL, OPT_DEADLINE },
	{ "vary", required_argument, NULL, OPT_VARY },
	{ "min", required_argument, NULL, OPT_MIN },
	{ "max", required_argument, NULL, OPT_MAX },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "plan",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_THREADS | CLI_SET | CLI_PRICES | CLI_OUT | CLI_QUIET,
	.runs = 20,
	.out = "out/<scenario name>-plan",
	.head = usage_head,
	.tail = usage_tail,
};

static int parse_positive(const char *opt, const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v) || v <= 0)
		return cli_usage_error("plan", "%s '%s': expected a number above 0", opt, text);
	*out = v;
	return 0;
}

/* One of the command's own options; 0 or EXIT_USAGE after a message. */
static int parse_one(int c, struct options *o)
{
	struct plan_request *rq = &o->rq;
	uint64_t n;
	switch (c) {
	case OPT_BUDGET:
		return parse_positive("--budget-usd", optarg, &rq->budget_usd);
	case OPT_DEADLINE:
		return parse_positive("--deadline-hours", optarg, &rq->deadline_hours);
	case OPT_VARY:
		rq->field = optarg;
		return 0;
	case OPT_MIN:
	case OPT_MAX:
		if (cli_parse_u64("plan", c == OPT_MIN ? "--min" : "--max", optarg, 0, 100000, &n))
			return EXIT_USAGE;
		*(c == OPT_MIN ? &rq->lo : &rq->hi) = (unsigned)n;
		return 0;
	}
	return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	const struct cli_options *sh = &o->shared;
	int c, rc;
	memset(o, 0, sizeof(*o));
	cli_options_init(&o->shared, &spec);
	o->rq = (struct plan_request){ .field = "iterations", .hi = 100000 };
	while ((c = cli_options_next(&o->shared, argc, argv, &rc)) != -1)
		if (parse_one(c, o))
			return EXIT_USAGE;
	if (rc >= 0)
		return rc;
	o->rq.runs = (unsigned)sh->runs;
	o->rq.seed = sh->seed;
	o->rq.threads = (unsigned)sh->threads;
	o->rq.sets = sh->sets;
	o->rq.n_sets = sh->n_sets;
	if (optind < argc)
		o->rq.scenario = argv[optind++];
	if (optind < argc)
		return cli_usage_error("plan", "unexpected argument '%s'", argv[optind]);
	if (o->rq.budget_usd <= 0)
		return cli_usage_error("plan", "--budget-usd is required");
	if (o->rq.lo > o->rq.hi)
		return cli_usage_error("plan", "--min %u is above --max %u", o->rq.lo, o->rq.hi);
	return -1;
}

struct plan_job {
	const struct options *o;
	const struct plan_result *res;
};

static int write_csv(struct results_dir *rd, const struct plan_job *job, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "plan.csv", err);
	if (!out)
		return HC_ERUNTIME;
	fputs("value,cost_usd_p90,cost_usd_mean,wall_time_hours_p90,tokens_mean,fits\n", out);
	for (size_t i = 0; i < job->res->n; i++) {
		const struct plan_point *p = &job->res->points[i];
		fprintf(out, "%u,%.6f,%.6f,%.6f,%.0f,%d\n", p->value, p->cost_p90, p->cost_mean,
			p->wall_p90, p->tokens_mean, p->fits);
	}
	return results_dir_close(rd, out, "plan.csv", err);
}

static int write_json(struct results_dir *rd, const struct plan_job *job, struct hc_err *err)
{
	const struct plan_request *rq = &job->o->rq;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "scenario", job->res->scenario_name);
	cJSON_AddStringToObject(root, "field", rq->field);
	cJSON_AddNumberToObject(root, "budget_usd", rq->budget_usd);
	if (rq->deadline_hours > 0)
		cJSON_AddNumberToObject(root, "deadline_hours", rq->deadline_hours);
	cJSON_AddNumberToObject(root, "replications", rq->runs);
	jsonout_add_u64(root, "seed", rq->seed);
	if (job->res->found)
		cJSON_AddNumberToObject(root, "best", job->res->best);
	else
		cJSON_AddNullToObject(root, "best");
	cJSON_AddNumberToObject(root, "points_tried", (double)job->res->n);
	int rc = results_dir_write_json(rd, "plan.json", root, err);
	cJSON_Delete(root);
	return rc;
}

static int write_plan(struct results_dir *rd, void *ctx, struct hc_err *err)
{
	const struct plan_job *job = ctx;
	return write_csv(rd, job, err) || write_json(rd, job, err) ? HC_ERUNTIME : 0;
}

static void print_plan(const struct options *o, const struct plan_result *res, const char *dir)
{
	const struct plan_request *rq = &o->rq;
	printf("%s: %s for $%.2f per run (P90 over %u replications)%s\n\n", res->scenario_name,
	       rq->field, rq->budget_usd, rq->runs, rq->deadline_hours > 0 ? ", with a deadline"
								       : "");
	printf("  %10s %14s %14s %14s  %s\n", "value", "P90 USD", "mean USD", "P90 hours",
	       "fits");
	for (size_t i = 0; i < res->n; i++) {
		const struct plan_point *p = &res->points[i];
		printf("  %10u %14.2f %14.2f %14.1f  %s\n", p->value, p->cost_p90, p->cost_mean,
		       p->wall_p90, p->fits ? "yes" : "no");
	}
	if (res->found)
		printf("\n%s = %u is the largest value within $%.2f", rq->field, res->best,
		       rq->budget_usd);
	else
		printf("\neven %s = %u does not fit within $%.2f", rq->field, rq->lo,
		       rq->budget_usd);
	if (rq->deadline_hours > 0)
		printf(" and %.1f hours", rq->deadline_hours);
	printf(".\n\nresults in %s/\n", dir);
}

/* The results directory, checked before the search: the scenario is read for its name. */
static int plan_outdir(const struct options *o, char *outdir, size_t size, struct hc_err *err)
{
	struct scenario sc;
	const char *inputs[] = { o->rq.scenario, o->shared.prices };
	if (!o->shared.out) {
		if (scenario_load(&sc, o->rq.scenario, o->rq.sets, o->rq.n_sets, err))
			return err->code;
		cli_outdir(outdir, size, NULL, sc.name, "-plan");
		scenario_release(&sc);
	} else {
		cli_outdir(outdir, size, o->shared.out, NULL, "");
	}
	return results_dir_check(outdir, "--out", inputs, 2, err);
}

static int plan(const struct options *o)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	struct plan_result res;
	struct results_dir rd;
	char outdir[PATH_MAX];

	if (plan_outdir(o, outdir, sizeof(outdir), &err))
		return cli_fail(&err);
	if (price_sheet_load(&ps, o->shared.prices, &err))
		return cli_fail(&err);
	struct cli_progress progress;
	cli_progress_init(&progress, "plan", 0, o->shared.quiet);
	struct plan_request rq = o->rq;
	rq.progress = cli_progress_hook(&progress);
	int rc = plan_search(&rq, &ps, &res, &err);
	cli_progress_end(&progress);
	if (!rc) {
		struct plan_job job = { o, &res };
		rc = results_dir_write(&rd, outdir, write_plan, &job, &err);
		if (!rc && !o->shared.quiet)
			print_plan(o, &res, rd.path);
	}
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : plan(&o);
}

const struct cmd cmd_plan = {
	.name = "plan",
	.summary = "the most iterations (or tasks, children...) a budget allows",
	.run = run,
};
