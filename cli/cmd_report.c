/*
 * hypercap report: redraw the plots and report.html of a results directory from its files.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "reports/report.h"
#include "reports/results_dir.h"

static const char usage_head[] =
	"usage: hypercap report DIR [--require-plots]\n"
	"\n"
	"Redraws DIR/plots/ and DIR/report.html from the files of a results directory written\n"
	"by simulate, replay or crossover: summary.json (required), iterations.csv,\n"
	"crossover.csv, archive.csv, monthly.csv and scenario.json when present. Seven plots,\n"
	"each as PNG and SVG, drawn by gnuplot: cumulative tokens by role (P10-P90 band across\n"
	"replications), dollars by component, the API-against-fleet crossover, archive size\n"
	"and checkout I/O with their growth law, the critical path (the share of wall time\n"
	"in rebuilds, self-modification, evaluation queues, sandboxes, GPU simulators and batch\n"
	"waits), dollars per calendar month by component with the runs active, and with priors\n"
	"a tornado of the bill at each prior's P10 and P90. A plot whose input is absent is left\n"
	"out. report.html is one self-contained page: the headline numbers, the warnings, what\n"
	"drives the bill, the plots, self-hosting by pricing mode, the re-timing of a replay,\n"
	"tokens and dollars by role and model, the prices used with their sources and dates, and\n"
	"the effective scenario.\n"
	"\n"
	"Without gnuplot on PATH, report.html is written without plots and one line says so.\n"
	"\n"
	"options:\n";

static const char usage_tail[] =
	"\n"
	"The plots and the page: docs/report.md.\n";

static const struct cli_options_spec spec = {
	.cmd = "report",
	.takes = CLI_REQUIRE_PLOTS,
	.head = usage_head,
	.tail = usage_tail,
};

int cli_report_render(const char *dir, int require_plots, struct report_result *res,
		      struct hc_err *err)
{
	int rc = report_render(dir, require_plots, res, err);
	if (!rc && res->gnuplot_missing)
		fprintf(stderr, "hypercap: %s\n", REPORT_NO_GNUPLOT);
	return rc;
}

static void print_outcome(const char *dir, const struct report_result *res)
{
	const char *sep = "";
	printf("report: %s/report.html\n", dir);
	if (res->gnuplot_missing)
		return;
	printf("plots in %s/plots/:", dir);
	for (int id = 0; id < PLOT_COUNT; id++)
		if (res->plots.drawn[id]) {
			printf("%s %s", sep, plot_name((enum plot_id)id));
			sep = ",";
		}
	printf("%s\n", *sep ? " (PNG and SVG)" : " none");
	for (int id = 0; id < PLOT_COUNT; id++)
		if (!res->plots.drawn[id])
			printf("not drawn: %s (%s)\n", plot_name((enum plot_id)id),
			       res->plots.note[id]);
}

/*
 * DIR/plots/ and DIR/report.html are replaced: only in a results directory of ours. One
 * without summary.json is left to report_render, which says so (exit 3).
 */
static int check_dir(const char *dir, struct hc_err *err)
{
	char p[PATH_MAX + 16];
	struct stat st;
	snprintf(p, sizeof(p), "%s/summary.json", dir);
	if (results_dir_is_ours(dir) || stat(p, &st))
		return 0;
	return hc_err_set(err, HC_EUSAGE, "'%s' is not a hypercap results directory (no %s "
			  "file in it): its plots/ and report.html would be replaced; allowed: a "
			  "directory written by simulate, replay, crossover, plan, sweep or fit",
			  dir, RESULTS_DIR_MARKER);
}

static int run(int argc, char **argv)
{
	struct hc_err err = HC_ERR_INIT;
	struct report_result res;
	struct cli_options o;
	int rc;
	cli_options_init(&o, &spec);
	cli_options_next(&o, argc, argv, &rc); /* report has no options of its own */
	if (rc >= 0)
		return rc;
	if (optind != argc - 1)
		return cli_usage_error("report", "expected one results directory");
	size_t len = strlen(argv[optind]);
	while (len > 1 && argv[optind][len - 1] == '/')
		argv[optind][--len] = '\0';
	if (check_dir(argv[optind], &err) ||
	    cli_report_render(argv[optind], o.require_plots, &res, &err))
		return cli_fail(&err);
	print_outcome(argv[optind], &res);
	return EXIT_OK;
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "redraw the plots and report.html of a results directory",
	.run = run,
};
