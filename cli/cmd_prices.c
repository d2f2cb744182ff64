/*
 * hypercap prices: list a price sheet, show one model's rates, and import LiteLLM's catalog
 * into a hypercap sheet.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "model/prices.h"

#define MAX_MODELS 256

static const char usage_list[] =
	"usage: hypercap prices list [--prices FILE]\n"
	"\n"
	"Lists every model of the sheet, one per line: name, provider, and the input, output,\n"
	"cache read and cache write (5-minute and 1-hour) rates in USD per 1M tokens, under a\n"
	"header with the sheet's date and source.\n";

static const char usage_show[] =
	"usage: hypercap prices show MODEL [--prices FILE]\n"
	"\n"
	"Shows every rate of one model (\"unknown\" where the sheet gives none): the base\n"
	"rates, the reasoning and batch rates, each long-context tier the model has with its\n"
	"rates, and its tiered_pricing table; its provider, LiteLLM key and aliases, and the\n"
	"sheet's date and source. MODEL is a name or an alias; an unknown or ambiguous one is\n"
	"an error listing close matches (exit code 3).\n";

static const char usage_import[] =
	"usage: hypercap prices import litellm FILE [-o SHEET] [--model NAME]... [--prices FILE]\n"
	"\n"
	"Writes a hypercap price sheet (docs/prices.md) from LiteLLM's\n"
	"model_prices_and_context_window.json: its date, source, and per model the rates per\n"
	"1M tokens, aliases and LiteLLM key. By default the models of the embedded sheet (or of\n"
	"--prices FILE), under their names and aliases; with --model, the models those names\n"
	"resolve to in FILE, under their LiteLLM names. SHEET is written whole or not at all;\n"
	"without -o the sheet goes to standard output.\n";

static const char usage_options[] =
	"\n"
	"options:\n"
	"  --model NAME        import: a model to import (repeatable)\n"
	"  -o, --output SHEET  import: the file to write\n";

static const char usage_end[] =
	"\n"
	"Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data, 130 / 143\n"
	"interrupted (SIGINT / SIGTERM).\n"
	"See docs/prices.md for the formats, the lookup rules and the cost rules.\n";

enum { OPT_MODEL = 256 };

static const struct option own[] = {
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/* --help depends on the action before it (print_usage): no .head. */
static const struct cli_options_spec spec = {
	.cmd = "prices",
	.shortopts = "ho:",
	.own = own,
	.takes = CLI_PRICES,
};

struct options {
	struct cli_options shared;
	const char *output;
	const char *models[MAX_MODELS];
	size_t n_models;
};

static void print_usage(const char *action)
{
	if (action && strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "import"))
		action = NULL;
	if (!action || !strcmp(action, "list"))
		fputs(usage_list, stdout);
	if (!action)
		fputs("\n", stdout);
	if (!action || !strcmp(action, "show"))
		fputs(usage_show, stdout);
	if (!action)
		fputs("\n", stdout);
	if (!action || !strcmp(action, "import"))
		fputs(usage_import, stdout);
	fputs(usage_options, stdout);
	cli_options_help(stdout, &spec);
	fputs(usage_end, stdout);
}

/* A rate or count for people: "3.75", "unknown". */
static const char *value(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%.6g", v);
	return buf;
}

static void print_sheet_header(const struct price_sheet *ps)
{
	if (ps->format == PRICE_FORMAT_LITELLM)
		printf("# %s: LiteLLM catalog, dated %s (%s%s); %zu models (%zu entries skipped: "
		       "not chat, completion, responses or embedding, or without the per-token "
		       "rates they need nor a tiered_pricing table)\n", ps->origin, ps->date,
		       strcmp(ps->date, "unknown") ? "from " : "", ps->date_basis, ps->n_models,
		       ps->n_skipped);
	else
		printf("# %s: hypercap price sheet, dated %s; %zu models\n", ps->origin, ps->date,
		       ps->n_models);
	printf("# source: %s\n", ps->source);
}

static int list(const struct price_sheet *ps)
{
	static const char *const columns[] = { "input", "output", "cache_read", "cache_write",
					       "cache_write_1h" };
	const struct price_field *fields[5];
	int wname = (int)strlen("model"), wprov = (int)strlen("provider");
	char buf[32];
	for (size_t k = 0; k < 5; k++)
		for (fields[k] = price_fields; strcmp(fields[k]->key, columns[k]); fields[k]++)
			;
	for (size_t i = 0; i < ps->n_models; i++) {
		int n = (int)strlen(ps->models[i].name), m = (int)strlen(ps->models[i].provider);
		wname = n > wname ? n : wname;
		wprov = m > wprov ? m : wprov;
	}
	print_sheet_header(ps);
	printf("# rates in USD per 1M tokens; cache_write is the 5-minute cache\n");
	printf("%-*s  %-*s", wname, "model", wprov, "provider");
	for (size_t k = 0; k < 5; k++)
		printf("  %*s", k < 2 ? 8 : 14, columns[k]);
	printf("\n");
	for (size_t i = 0; i < ps->n_models; i++) {
		const struct price *p = &ps->models[i];
		printf("%-*s  %-*s", wname, p->name, wprov, *p->provider ? p->provider : "-");
		for (size_t k = 0; k < 5; k++)
			printf("  %*s", k < 2 ? 8 : 14, value(price_get(p, fields[k]), buf,
							       sizeof(buf)));
		printf("\n");
	}
	return EXIT_OK;
}

/* The long-context tiers p has (those with an input rate), each with its five rates. */
static void show_tiers(const struct price *p)
{
	char buf[32];
	int any = 0;
	for (int t = 0; t < PRICE_N_TIERS; t++) {
		if (isnan(price_tier_input(p, t)))
			continue;
		if (!any++)
			printf("  long-context tiers, every token of a call whose input exceeds N, "
			       "USD per 1M tokens:\n");
		for (const struct price_field *f = price_fields; f->key; f++)
			if (f->tier == t)
				printf("    %-32s %10s\n", f->label,
				       value(price_get(p, f), buf, sizeof(buf)));
	}
	if (!any)
		printf("  long-context tiers                 none\n");
}

/* p's tiered_pricing table, one row a line: the input range and every rate of the row. */
static void show_ranges(const struct price *p)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];
	if (!p->n_ranges)
		return;
	printf("  tiered_pricing, every token of a call whose input is in the range, USD per 1M "
	       "tokens:\n    range: input output cache-read cache-write-5min cache-write-1h "
	       "reasoning-output (unknown: docs/prices.md says what stands in)\n");
	for (size_t i = 0; i < p->n_ranges; i++) {
		const struct price_range *r = &p->ranges[i];
		printf("    (%.0f, %.0f]: %s %s %s %s %s %s\n", r->above, r->upto,
		       value(r->input, a, sizeof(a)), value(r->output, b, sizeof(b)),
		       value(r->cache_read, c, sizeof(c)), value(r->cache_write, d, sizeof(d)),
		       value(r->cache_write_1h, e, sizeof(e)),
		       value(r->reasoning_output, f, sizeof(f)));
	}
}

static int show(const struct price_sheet *ps, const char *name)
{
	const struct price *p;
	struct hc_err err = HC_ERR_INIT;
	char buf[32];
	if (price_sheet_lookup(ps, name, &p, &err))
		return cli_fail(&err);
	printf("%s\n", p->name);
	printf("  provider     %s\n", *p->provider ? p->provider : "unknown");
	printf("  LiteLLM key  %s\n", *p->litellm_key ? p->litellm_key : "unknown");
	printf("  aliases      ");
	for (size_t j = 0; j < p->n_aliases; j++)
		printf("%s%s", j ? ", " : "", p->aliases[j].name);
	printf("%s\n", p->n_aliases ? "" : "none");
	printf("  sheet        %s\n", ps->origin);
	if (*ps->date_basis)
		printf("  date         %s (%s%s)\n", ps->date,
		       strcmp(ps->date, "unknown") ? "from " : "", ps->date_basis);
	else
		printf("  date         %s\n", ps->date);
	printf("  source       %s\n", ps->source);
	printf("  rates, USD per 1M tokens:\n");
	for (const struct price_field *f = price_fields; f->key; f++)
		if (f->is_rate && f->tier < 0)
			printf("    %-32s %10s\n", f->label, value(price_get(p, f), buf, sizeof(buf)));
	show_tiers(p);
	show_ranges(p);
	for (const struct price_field *f = price_fields; f->key; f++)
		if (!f->is_rate)
			printf("  %-34s %10s\n", f->label, value(price_get(p, f), buf, sizeof(buf)));
	return EXIT_OK;
}

static int import(const char *file, const struct options *o)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet catalog, like, out = PRICE_SHEET_INIT;
	if (price_sheet_load(&catalog, file, &err))
		return cli_fail(&err);
	if (catalog.format != PRICE_FORMAT_LITELLM) {
		price_sheet_release(&catalog);
		hc_err_set(&err, HC_EINPUT, "%s: not LiteLLM's model_prices_and_context_window.json "
			   "(it is a hypercap price sheet)", file);
		return cli_fail(&err);
	}
	int rc = price_sheet_load(&like, o->shared.prices, &err);
	if (!rc) {
		rc = price_sheet_extract(&out, &catalog, &like, o->models, o->n_models, &err);
		price_sheet_release(&like);
	}
	if (!rc && o->output) {
		rc = price_sheet_save(&out, o->output, &err);
		if (!rc)
			printf("wrote %s: %zu models from %s, dated %s\n", o->output, out.n_models,
			       file, out.date);
	} else if (!rc) {
		char *text = price_sheet_to_json(&out);
		rc = text ? 0 : hc_err_set(&err, HC_ERUNTIME, "out of memory");
		if (text)
			puts(text);
		free(text);
	}
	price_sheet_release(&out);
	price_sheet_release(&catalog);
	return rc ? cli_fail(&err) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct options o = { .n_models = 0 };
	const char *action = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	int c, rc;
	cli_options_init(&o.shared, &spec);
	while ((c = cli_options_next(&o.shared, argc, argv, &rc)) != -1) {
		switch (c) {
		case 'h':
			print_usage(action);
			return EXIT_OK;
		case OPT_MODEL:
			if (o.n_models == MAX_MODELS)
				return cli_usage_error("prices", "more than %d --model options",
						       MAX_MODELS);
			o.models[o.n_models++] = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		}
	}
	if (rc >= 0)
		return rc;
	char **args = argv + optind;
	int n = argc - optind;
	if (n == 0)
		return cli_usage_error("prices", "expected list, show MODEL or import litellm FILE");
	int importing = !strcmp(args[0], "import");
	if (!importing && (o.output || o.n_models))
		return cli_usage_error("prices", "-o and --model apply to import only");
	if (!strcmp(args[0], "list") || !strcmp(args[0], "show")) {
		int showing = args[0][0] == 's';
		if (n != 1 + showing)
			return cli_usage_error("prices", showing ? "show expects one MODEL"
								 : "list expects no argument");
		struct price_sheet ps;
		struct hc_err err = HC_ERR_INIT;
		if (price_sheet_load(&ps, o.shared.prices, &err))
			return cli_fail(&err);
		rc = showing ? show(&ps, args[1]) : list(&ps);
		price_sheet_release(&ps);
		return rc;
	}
	if (importing) {
		if (n < 2 || strcmp(args[1], "litellm"))
			return cli_usage_error("prices", "import: expected the source 'litellm', got "
					       "'%s'", n < 2 ? "" : args[1]);
		if (n != 3)
			return cli_usage_error("prices", "import litellm expects one FILE");
		return import(args[2], &o);
	}
	return cli_usage_error("prices", "unknown action '%s'; allowed: list, show, import",
			       args[0]);
}

const struct cmd cmd_prices = {
	.name = "prices",
	.summary = "list, show or import API price sheets",
	.run = run,
};
