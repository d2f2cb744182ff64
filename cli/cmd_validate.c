/*
 * hypercap validate: check a scenario (and that its models have prices) without running it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "model/forecast.h"
#include "model/loop.h"
#include "model/prices.h"
#include "model/scenario.h"

static const char usage_head[] =
	"usage: hypercap validate SCENARIO.json [options]\n"
	"       hypercap validate --reference\n"
	"\n"
	"Checks every field of the scenario (types, limits, unknown fields) and that every\n"
	"model it names has the prices it needs. Prints 'ok' or one message naming the file,\n"
	"the JSON path, the bad value and what is allowed (exit code 3). --set applies first,\n"
	"as simulate applies it; --prices is the sheet the models are checked against.\n"
	"\n"
	"options:\n"
	"  --effective         print the effective scenario, every default filled in\n"
	"  --reference         print the field reference (docs/scenario.md) and exit\n";

enum { OPT_EFFECTIVE = 256, OPT_REFERENCE };

static const struct option own[] = {
	{ "effective", no_argument, NULL, OPT_EFFECTIVE },
	{ "reference", no_argument, NULL, OPT_REFERENCE },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_options_spec spec = {
	.cmd = "validate",
	.own = own,
	.takes = CLI_SET | CLI_PRICES,
	.head = usage_head,
};

static int check(const char *path, const struct cli_options *o, int effective)
{
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct price_sheet ps;
	struct loop_models models;
	if (price_sheet_load(&ps, o->prices, &err))
		return cli_fail(&err);
	if (scenario_load(&sc, path, o->sets, o->n_sets, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	int rc = loop_resolve_models(&sc, &ps, &models, &err);
	if (!rc) /* the priors' ends too (runs 1: the scenario's own limits) */
		rc = forecast_check(&sc, &ps, 1, &err);
	if (!rc && effective) {
		cJSON *tree = scenario_to_json(&sc);
		char *text = cJSON_Print(tree);
		cJSON_Delete(tree);
		if (text)
			puts(text);
		free(text);
	} else if (!rc) {
		printf("ok: %s: '%s', %u iterations, %zu domain%s, %zu model%s priced by %s",
		       sc.origin, sc.name, sc.iterations, sc.n_domains, sc.n_domains > 1 ? "s" : "",
		       models.n, models.n > 1 ? "s" : "", ps.origin);
		if (sc.n_priors)
			printf("; %zu assumed field%s (priors)", sc.n_priors,
			       sc.n_priors > 1 ? "s" : "");
		putchar('\n');
	}
	scenario_release(&sc);
	price_sheet_release(&ps);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct cli_options o;
	int effective = 0, c, rc;
	cli_options_init(&o, &spec);
	while ((c = cli_options_next(&o, argc, argv, &rc)) != -1) {
		if (c == OPT_EFFECTIVE) {
			effective = 1;
			continue;
		}
		scenario_reference(stdout); /* --reference */
		return EXIT_OK;
	}
	if (rc >= 0)
		return rc;
	if (optind != argc - 1)
		return cli_usage_error("validate", "expected one scenario file");
	return check(argv[optind], &o, effective);
}

const struct cmd cmd_validate = {
	.name = "validate",
	.summary = "check a scenario file without running it",
	.run = run,
};
