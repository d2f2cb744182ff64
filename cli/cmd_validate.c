/*
 * hypercap validate: check a scenario (and that its models have prices) without running it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "model/loop.h"
#include "model/prices.h"
#include "model/scenario.h"

#define MAX_SETS 256

static const char usage[] =
	"usage: hypercap validate SCENARIO.json [options]\n"
	"       hypercap validate --reference\n"
	"\n"
	"Checks every field of the scenario (types, limits, unknown fields) and that every\n"
	"model it names has the prices it needs. Prints 'ok' or one message naming the file,\n"
	"the JSON path, the bad value and what is allowed (exit code 3).\n"
	"\n"
	"options:\n"
	"  --set PATH=VALUE    apply an override first, as simulate does (repeatable)\n"
	"  --prices FILE       the price sheet (ours or LiteLLM's catalogue) to check models\n"
	"                      against (default: embedded)\n"
	"  --effective         print the effective scenario, every default filled in\n"
	"  --reference         print the field reference (docs/scenario.md) and exit\n"
	"  -h, --help          this text\n";

enum { OPT_SET = 256, OPT_PRICES, OPT_EFFECTIVE, OPT_REFERENCE };

static const struct option long_options[] = {
	{ "set", required_argument, NULL, OPT_SET },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "effective", no_argument, NULL, OPT_EFFECTIVE },
	{ "reference", no_argument, NULL, OPT_REFERENCE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int check(const char *path, const char *const *sets, size_t n_sets, const char *prices,
		 int effective)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct loop_models models;
	if (price_sheet_load(&ps, prices, &err))
		return cli_fail(&err);
	if (scenario_load(&sc, path, sets, n_sets, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	int rc = loop_resolve_models(&sc, &ps, &models, &err);
	if (!rc && effective) {
		cJSON *tree = scenario_to_json(&sc);
		char *text = cJSON_Print(tree);
		cJSON_Delete(tree);
		if (text)
			puts(text);
		free(text);
	} else if (!rc) {
		printf("ok: %s: '%s', %u iterations, %zu domain%s, %zu model%s priced by %s\n",
		       sc.origin, sc.name, sc.iterations, sc.n_domains, sc.n_domains > 1 ? "s" : "",
		       models.n, models.n > 1 ? "s" : "", ps.origin);
	}
	scenario_release(&sc);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	const char *sets[MAX_SETS];
	size_t n_sets = 0;
	const char *prices = NULL;
	int effective = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case OPT_SET:
			if (n_sets == MAX_SETS)
				return cli_usage_error("validate", "more than %d --set options",
						       MAX_SETS);
			sets[n_sets++] = optarg;
			break;
		case OPT_PRICES:
			prices = optarg;
			break;
		case OPT_EFFECTIVE:
			effective = 1;
			break;
		case OPT_REFERENCE:
			scenario_reference(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "(see 'hypercap validate --help')\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("validate", "expected one scenario file");
	return check(argv[optind], sets, n_sets, prices, effective);
}

const struct cmd cmd_validate = {
	.name = "validate",
	.summary = "check a scenario file without running it",
	.run = run,
};
