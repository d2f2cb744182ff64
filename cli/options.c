/*
 * options: the shared options' table and what reads it; also cli.h's usage error and its
 * strict parsers of whole numbers and dates, so that tests/test_options links this file
 * without main.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "reports/focus.h"

/* --help: the text of an option starts after this column and lines end by HELP_WIDTH. */
#define HELP_INDENT 21
#define HELP_WIDTH 85

enum kind { KIND_COUNT, KIND_TEXT, KIND_SET, KIND_DATE, KIND_FLAG };

struct row {
	const char *name; /* without "--" */
	const char *arg;  /* the argument's name in --help; NULL: a flag */
	unsigned bit;
	enum kind kind;
	size_t offset;	   /* what it sets in struct cli_options */
	uint64_t min, max; /* a KIND_COUNT's limits */
	uint64_t def;	   /* a KIND_COUNT's default (--runs: the command's, when it gives one) */
	const char *help;  /* "%s" stands for the command's default (--runs, --out) */
};

#define AT(field) offsetof(struct cli_options, field)

static const struct row rows[] = {
	{ "runs", "R", CLI_RUNS, KIND_COUNT, AT(runs), 1, 100000, 1,
	  "Monte Carlo replications (default %s; quantiles when > 1); at most 100000, and "
	  "R x archive nodes at most 10100000" },
	{ "seed", "S", CLI_SEED, KIND_COUNT, AT(seed), 0, UINT64_MAX, 1,
	  "master random seed (default 1); same seed, same bytes" },
	{ "threads", "T", CLI_THREADS, KIND_COUNT, AT(threads), 1, 1024, 0,
	  "threads for replications, 1 to 1024 (default: one per CPU; the result does not "
	  "depend on it)" },
	{ "set", "PATH=VALUE", CLI_SET, KIND_SET, AT(sets), 0, 0, 0,
	  "override a scenario field (repeatable; docs/scenario.md), e.g. iterations=20 or "
	  "domains.paper_review.full_tasks=200" },
	{ "prices", "FILE", CLI_PRICES, KIND_TEXT, AT(prices), 0, 0, 0,
	  "a hypercap price sheet or LiteLLM's catalogue as it is (default: "
	  "data/prices/api-2026-07-24.json, embedded); rates are USD: a sheet in another "
	  "currency is refused (exit 3)" },
	{ "start", "DATE", CLI_START, KIND_DATE, AT(start), 0, 0, 0,
	  "the calendar day (UTC) the run starts on, for costs_focus.csv (default today)" },
	{ "out", "DIR", CLI_OUT, KIND_TEXT, AT(out), 0, 0, 0,
	  "results directory (default %s); replaced whole only when it is a hypercap results "
	  "directory or empty; anything else is refused (exit 2; docs/output.md)" },
	{ "require-plots", NULL, CLI_REQUIRE_PLOTS, KIND_FLAG, AT(require_plots), 0, 0, 0,
	  "fail (exit 1) when gnuplot is missing instead of skipping plots" },
	{ "quiet", NULL, CLI_QUIET, KIND_FLAG, AT(quiet), 0, 0, 0,
	  "print nothing but errors and warnings (no results table, no progress line)" },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* The table getopt_long is given: spec->own, the shared options spec takes, "help". */
static void build_table(struct option *table, const struct cli_options_spec *spec)
{
	size_t n = 0;
	for (; spec->own && spec->own[n].name; n++) {
		if (n == CLI_OWN_OPTIONS_MAX)
			abort();
		table[n] = spec->own[n];
	}
	for (size_t i = 0; i < N_ROWS; i++)
		if (spec->takes & rows[i].bit)
			table[n++] = (struct option){ rows[i].name,
						      rows[i].arg ? required_argument : no_argument,
						      NULL, CLI_OPTION_VAL(rows[i].bit) };
	table[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	table[n] = (struct option){ NULL, 0, NULL, 0 };
}

void cli_options_init(struct cli_options *o, const struct cli_options_spec *spec)
{
	memset(o, 0, sizeof(*o));
	o->spec = spec;
	build_table(o->table, spec);
	for (size_t i = 0; i < N_ROWS; i++)
		if (rows[i].kind == KIND_COUNT)
			*(uint64_t *)((char *)o + rows[i].offset) = rows[i].def;
	if (spec->runs)
		o->runs = spec->runs;
	o->start = focus_default_start();
	optind = 1;
}

int cli_options_next(struct cli_options *o, int argc, char **argv, int *code)
{
	const struct cli_options_spec *spec = o->spec;
	const char *shortopts = spec->shortopts ? spec->shortopts : "h";
	int c, rc;
	*code = -1;
	while ((c = getopt_long(argc, argv, shortopts, o->table, &o->index)) != -1) {
		if (c == 'h' && spec->head) {
			*code = cli_options_usage(spec);
			return -1;
		}
		rc = cli_options_take(o, c, optarg);
		if (rc > 0) {
			*code = rc;
			return -1;
		}
		if (rc < 0)
			return c;
	}
	return -1;
}

static const struct row *row_of(const struct cli_options_spec *spec, int c)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (c == CLI_OPTION_VAL(rows[i].bit) && (spec->takes & rows[i].bit))
			return &rows[i];
	return NULL;
}

int cli_options_take(struct cli_options *o, int c, const char *arg)
{
	const char *cmd = o->spec->cmd;
	const struct row *r = row_of(o->spec, c);
	char opt[32];
	if (c == '?') {
		fprintf(stderr, "(see 'hypercap %s --help')\n", cmd);
		return EXIT_USAGE;
	}
	if (!r)
		return -1;
	void *field = (char *)o + r->offset;
	snprintf(opt, sizeof(opt), "--%s", r->name);
	switch (r->kind) {
	case KIND_COUNT:
		return cli_parse_u64(cmd, opt, arg, r->min, r->max, field) ? EXIT_USAGE : 0;
	case KIND_DATE:
		return cli_parse_date(cmd, opt, arg, field) ? EXIT_USAGE : 0;
	case KIND_SET:
		if (o->n_sets == CLI_MAX_SETS)
			return cli_usage_error(cmd, "more than %d --set options", CLI_MAX_SETS);
		o->sets[o->n_sets++] = arg;
		return 0;
	case KIND_TEXT:
		*(const char **)field = arg;
		return 0;
	case KIND_FLAG:
		*(int *)field = 1;
		return 0;
	}
	return -1;
}

/* "  --left" and text from column HELP_INDENT + 1 on, wrapped by words within HELP_WIDTH. */
static void print_wrapped(FILE *out, const char *left, const char *text)
{
	int col = fprintf(out, "  %-*s", HELP_INDENT - 2, left);
	while (*text) {
		int len = (int)strcspn(text, " ");
		if (col > HELP_INDENT && col + 1 + len > HELP_WIDTH)
			col = fprintf(out, "\n%*s", HELP_INDENT, "") - 1;
		col += fprintf(out, " %.*s", len, text);
		text += len + strspn(text + len, " ");
	}
	fputc('\n', out);
}

void cli_options_help(FILE *out, const struct cli_options_spec *spec)
{
	char left[64], dflt[32], text[512];
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];
		if (!(spec->takes & r->bit))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", r->name, r->arg ? " " : "",
			 r->arg ? r->arg : "");
		snprintf(dflt, sizeof(dflt), "%llu",
			 (unsigned long long)(spec->runs ? spec->runs : r->def));
		snprintf(text, sizeof(text), r->help, r->bit == CLI_OUT ? spec->out : dflt);
		print_wrapped(out, left, text);
	}
	print_wrapped(out, "-h, --help", "this text");
}

int cli_options_usage(const struct cli_options_spec *spec)
{
	fputs(spec->head, stdout);
	cli_options_help(stdout, spec);
	if (spec->tail)
		fputs(spec->tail, stdout);
	return EXIT_OK;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hypercap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'hypercap %s --help')\n", cmd);
	return EXIT_USAGE;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	char *end;
	unsigned long long v = 0;
	/* strtoull alone would take " 5", "+5" and "-1" (as 2^64 - 1) and clamp at 2^64 - 1 */
	int ok = text[0] && text[strspn(text, "0123456789")] == '\0';
	if (ok) {
		errno = 0;
		v = strtoull(text, &end, 10);
		ok = !errno && v >= min && v <= max;
	}
	if (!ok)
		return cli_usage_error(cmd, "%s '%s': expected a whole number from %llu to %llu, "
				       "in digits only (no sign, space, decimal point or exponent)",
				       opt, text, (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int cli_parse_date(const char *cmd, const char *opt, const char *text, time_t *out)
{
	*out = focus_parse_date(text);
	if (*out < 0)
		return cli_usage_error(cmd, "%s '%s': expected a date YYYY-MM-DD (UTC) from 1970 on",
				       opt, text);
	return 0;
}
