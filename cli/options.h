/*
 * options: the options several commands share (--runs, --seed, --threads, --prices, --out,
 * --quiet, --set, --require-plots, --start) in one table of name, argument, what it sets,
 * limits, default and help, as git's parse-options. A command names the ones it takes in
 * a bit set beside its own getopt_long table; cli_options_init appends them to that table,
 * cli_options_next hands the command only its own options, and --help's lines for the
 * shared options come from the same table:
 *
 *	cli_options_init(&o->shared, &spec);
 *	while ((c = cli_options_next(&o->shared, argc, argv, &rc)) != -1)
 *		... the command's own options ...
 *	if (rc >= 0)
 *		return rc;
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* One bit a shared option; the table in options.c lists them in this order. */
enum cli_option_bit {
	CLI_RUNS = 1 << 0,	    /* --runs R: 1 to 100000 (default: the command's) */
	CLI_SEED = 1 << 1,	    /* --seed S: 0 to 2^64 - 1 (default 1) */
	CLI_THREADS = 1 << 2,	    /* --threads T: 1 to 1024 (default 0: one per CPU) */
	CLI_SET = 1 << 3,	    /* --set PATH=VALUE, up to CLI_MAX_SETS */
	CLI_PRICES = 1 << 4,	    /* --prices FILE (default NULL: the embedded sheet) */
	CLI_START = 1 << 5,	    /* --start DATE (default: today, focus_default_start) */
	CLI_OUT = 1 << 6,	    /* --out DIR (default NULL: the command's) */
	CLI_REQUIRE_PLOTS = 1 << 7, /* --require-plots */
	CLI_QUIET = 1 << 8,	    /* --quiet */
};

/* getopt_long's value for the shared option of bit b: above any value of a command's own. */
#define CLI_OPTION_VAL(b) ((int)(0x10000u | (unsigned)(b)))

/* The --set options a command takes at most. */
#define CLI_MAX_SETS 256

/* The entries of a command's own getopt_long table at most (its NULL end left out). */
#define CLI_OWN_OPTIONS_MAX 32

/* What the getopt_long table of struct cli_options holds at most. */
#define CLI_OPTIONS_TABLE_MAX (CLI_OWN_OPTIONS_MAX + 16)

/*
 * What a command says of its options: one static const struct per command. head and tail
 * are its --help around the shared options' lines (cli_options_usage); without head, -h
 * comes back to the command as an own option, for a --help it builds at run time.
 */
struct cli_options_spec {
	const char *cmd;	  /* the command's name: "hypercap CMD: ..." in messages */
	const char *shortopts;	  /* getopt_long's short options; NULL: "h" */
	const struct option *own; /* its own long options, ending in an entry whose name is NULL */
	unsigned takes;		  /* the CLI_* bits of the shared options it takes */
	uint64_t runs;		  /* --runs' default */
	const char *out;	  /* --out's default as --help says it: "out/<scenario name>" */
	const char *head, *tail;  /* --help: before the shared options' lines, after -h's */
};

/*
 * A command's options being parsed: its getopt_long table and what the shared options set.
 * sets[] has one slot beyond CLI_MAX_SETS for an override a command appends itself after
 * parsing (simulate's --iterations, which wins).
 */
struct cli_options {
	const struct cli_options_spec *spec;
	struct option table[CLI_OPTIONS_TABLE_MAX];
	int index; /* getopt_long's index into table of the last long option */
	uint64_t runs, seed, threads;
	const char *sets[CLI_MAX_SETS + 1];
	size_t n_sets;
	const char *prices, *out;
	time_t start;
	int require_plots, quiet;
};

/*
 * Sets o to the defaults of spec's command, builds its getopt_long table (spec->own, then
 * the shared options spec takes, then "help" as 'h') and restarts getopt (optind = 1).
 * spec must outlive o. More than CLI_OWN_OPTIONS_MAX own options abort: a programming
 * error, which any run of the command shows.
 */
void cli_options_init(struct cli_options *o, const struct cli_options_spec *spec);

/*
 * The next of the command's own options, as getopt_long returns it (optarg set), after
 * taking the shared ones on the way (cli_options_take) and -h, --help (cli_options_usage)
 * when spec->head is set. -1 when there is none left: then *code is -1 when the options
 * are over (optind at the first operand), or the exit code to return (EXIT_OK after
 * --help, EXIT_USAGE after a message).
 */
int cli_options_next(struct cli_options *o, int argc, char **argv, int *code);

/*
 * Takes getopt_long's answer c (and its optarg arg) when it is a shared option of o's
 * command, or '?' (an unknown option or a missing argument, which getopt_long has
 * reported): 0 when it took c, -1 when c is the command's own, or EXIT_USAGE after a
 * message naming the command, the option, the text and what is allowed.
 */
int cli_options_take(struct cli_options *o, int c, const char *arg);

/*
 * The help lines of the shared options spec takes, in the table's order and wrapped under
 * one another like the commands' own, then the line of -h, --help.
 */
void cli_options_help(FILE *out, const struct cli_options_spec *spec);

/* Prints spec->head, the help lines and spec->tail to stdout; returns EXIT_OK. */
int cli_options_usage(const struct cli_options_spec *spec);

#endif
