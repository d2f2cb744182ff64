/*
 * cli: the command table and what the subcommands share. Only cli/ prints or picks exit
 * codes; everything below returns values.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdint.h>
#include <time.h>
#include "base/hc_err.h"
#include "reports/report.h"

struct forecast;
struct price_sheet;

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INPUT = 3 };

struct cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
};

extern const struct cmd cmd_simulate;
extern const struct cmd cmd_crossover;
extern const struct cmd cmd_validate;
extern const struct cmd cmd_prices;
extern const struct cmd cmd_import;
extern const struct cmd cmd_replay;
extern const struct cmd cmd_plan;
extern const struct cmd cmd_report;
extern const struct cmd cmd_fit;
extern const struct cmd cmd_sweep;
extern const struct cmd cmd_compare;
extern const struct cmd cmd_meter;

/*
 * Installs the SIGINT and SIGTERM handling of cli/interrupt.c: the pending temporary results
 * are removed and the process exits 130 (SIGINT) or 143 (SIGTERM). 0, or -1 when it could
 * not be set up (the signals then keep their default action).
 */
int cli_interrupt_init(void);

/* Prints "hypercap: <message>" to stderr and returns the exit code for err->code. */
int cli_fail(const struct hc_err *err);

/* The exit code for an HC_E* code (0: EXIT_OK). */
int cli_exit_code(int code);

/* Prints a usage error and the hint to see --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parses a whole number in [min, max] for option opt: decimal digits only (no sign, spaces,
 * decimal point or exponent, so "1e3" is refused), up to 2^64 - 1 without clamping. 0, or
 * EXIT_USAGE after a message naming the option, the text and the range allowed.
 */
int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
		  uint64_t *out);

/* --start DATE: "YYYY-MM-DD" to its UTC midnight; prints a usage error otherwise. */
int cli_parse_date(const char *cmd, const char *opt, const char *text, time_t *out);
/*
 * report_render on dir, printing the one line REPORT_NO_GNUPLOT to stderr when gnuplot is
 * missing: what simulate, replay and crossover call on their temporary results directory
 * (and `hypercap report` on a finished one). Returns report_render's code.
 */
int cli_report_render(const char *dir, int require_plots, struct report_result *res,
		      struct hc_err *err);

/* The results directory: given when not NULL, else "out/<name><suffix>". */
void cli_outdir(char *buf, size_t size, const char *given, const char *name, const char *suffix);


/* Prints the forecast's table (simulate's output) and where its results went. */
struct sensitivity;

void cli_print_forecast(const struct forecast *f, const struct price_sheet *ps,
			const char *outdir);

/* The priors' top five drivers of the bill (the swings of sensitivity.csv); nothing without. */
void cli_print_sensitivity(const struct sensitivity *s, const struct forecast *f);

#endif
