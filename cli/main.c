/*
 * hypercap: cost and capacity planning for self-improving agent loops.
 * This file holds the command table and the dispatch; each subcommand is cmd_<name>.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "cli/cli.h"

static const struct cmd *const commands[] = {
	&cmd_simulate,
	&cmd_crossover,
	&cmd_validate,
	&cmd_prices,
	&cmd_import,
	&cmd_replay,
	&cmd_plan,
	&cmd_report,
	&cmd_fit,
	&cmd_sweep,
	&cmd_compare,
	&cmd_meter,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *out)
{
	fprintf(out, "usage: hypercap <command> [options]\n\n"
		     "Forecasts tokens, dollars, wall time and archive size of self-improving agent\n"
		     "loops (HyperAgents / DGM-H, the Darwin Goedel Machine).\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n'hypercap <command> --help' describes a command. Exit codes: 0 ok, "
		     "1 runtime failure,\n2 usage error, 3 bad input data, 130 / 143 interrupted "
		     "(SIGINT / SIGTERM). Docs: docs/.\n");
}

int cli_fail(const struct hc_err *err)
{
	fprintf(stderr, "hypercap: %s\n", err->msg[0] ? err->msg : "failed");
	return err->code ? cli_exit_code(err->code) : EXIT_RUNTIME;
}

int cli_exit_code(int code)
{
	switch (code) {
	case HC_OK:
		return EXIT_OK;
	case HC_EUSAGE:
		return EXIT_USAGE;
	case HC_EINPUT:
		return EXIT_INPUT;
	default:
		return EXIT_RUNTIME;
	}
}

void cli_outdir(char *buf, size_t size, const char *given, const char *name, const char *suffix)
{
	if (given)
		snprintf(buf, size, "%s", given);
	else
		snprintf(buf, size, "out/%s%s", name, suffix);
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hypercap %s\n", HYPERCAP_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i]->name))
			continue;
		if (cli_interrupt_init())
			fprintf(stderr, "hypercap: cannot handle SIGINT and SIGTERM: an interrupted "
				"run may leave a temporary directory\n");
		return commands[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "hypercap: unknown command '%s'\n\n", argv[1]);
	print_help(stderr);
	return EXIT_USAGE;
}
