/*
 * cli/options: the shared options' table. A command's options parsed with its own among
 * them, the defaults, the strict limits and their messages, the bit set (what a command
 * does not take is refused and left out of --help), and the generated help lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "tests/check_main.h"

static const struct option own[] = {
	{ "mine", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

/* A command taking most of the shared options, but not --threads, --prices or --start. */
static const struct cli_options_spec probe = {
	.cmd = "probe",
	.own = own,
	.takes = CLI_RUNS | CLI_SEED | CLI_SET | CLI_OUT | CLI_REQUIRE_PLOTS | CLI_QUIET,
	.runs = 20,
	.out = "out/<probe name>",
	.head = "usage: hypercap probe\n",
};

struct parsed {
	int own[8]; /* the own options cli_options_next handed back, in order */
	size_t n_own;
	int code;   /* its *code at the end */
	char err[2048];
};

/* Parses the NULL-terminated arguments after the command's name, stderr read into p->err. */
static void parse(struct cli_options *o, const struct cli_options_spec *spec, struct parsed *p,
		  char **args)
{
	char *argv[600] = { "probe" };
	int argc = 1, c, saved = dup(STDERR_FILENO);
	FILE *tmp = tmpfile();
	ck_assert_ptr_nonnull(tmp);
	for (; args[argc - 1]; argc++)
		argv[argc] = args[argc - 1];
	memset(p, 0, sizeof(*p));
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	cli_options_init(o, spec);
	while ((c = cli_options_next(o, argc, argv, &p->code)) != -1 && p->n_own < 8)
		p->own[p->n_own++] = c;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	p->err[fread(p->err, 1, sizeof(p->err) - 1, tmp)] = '\0';
	fclose(tmp);
}

START_TEST(shared_and_own_options_parsed)
{
	struct cli_options o;
	struct parsed p;
	char *args[] = { "--runs", "7", "--seed", "18446744073709551615", "--set", "a=1",
			 "--mine", "x", "--set", "b=2", "--quiet", "--out", "d", "--require-plots",
			 "FILE", NULL };
	parse(&o, &probe, &p, args);
	ck_assert_int_eq(p.code, -1);
	ck_assert_str_eq(p.err, "");
	ck_assert_uint_eq(p.n_own, 1);
	ck_assert_int_eq(p.own[0], 'm');
	ck_assert_uint_eq(o.runs, 7);
	ck_assert(o.seed == UINT64_MAX);
	ck_assert_uint_eq(o.n_sets, 2);
	ck_assert_str_eq(o.sets[0], "a=1");
	ck_assert_str_eq(o.sets[1], "b=2");
	ck_assert_str_eq(o.out, "d");
	ck_assert_int_eq(o.quiet, 1);
	ck_assert_int_eq(o.require_plots, 1);
	ck_assert_int_eq(optind, 15); /* FILE, the operand */
}
END_TEST

START_TEST(defaults_of_the_command)
{
	struct cli_options o;
	struct parsed p;
	char *args[] = { NULL };
	parse(&o, &probe, &p, args);
	ck_assert_int_eq(p.code, -1);
	ck_assert_uint_eq(o.runs, 20);
	ck_assert_uint_eq(o.seed, 1);
	ck_assert_uint_eq(o.threads, 0);
	ck_assert_uint_eq(o.n_sets, 0);
	ck_assert_ptr_null(o.out);
	ck_assert_ptr_null(o.prices);
	ck_assert_int_eq(o.quiet, 0);
	ck_assert_int_gt(o.start, 0);
}
END_TEST

START_TEST(bad_values_name_command_and_option)
{
	static char *const bad[][3] = {
		{ "--runs", "0", "hypercap probe: --runs '0': expected a whole number from 1 to "
				 "100000, in digits only" },
		{ "--runs", "1e3", "hypercap probe: --runs '1e3': expected a whole number" },
		{ "--seed", "18446744073709551616", "hypercap probe: --seed "
			"'18446744073709551616': expected a whole number from 0 to "
			"18446744073709551615" },
		{ "--seed", "-1", "hypercap probe: --seed '-1'" },
	};
	struct cli_options o;
	struct parsed p;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *args[] = { bad[i][0], bad[i][1], NULL };
		parse(&o, &probe, &p, args);
		ck_assert_int_eq(p.code, EXIT_USAGE);
		ck_assert_msg(strstr(p.err, bad[i][2]), "%s %s: %s", bad[i][0], bad[i][1], p.err);
		ck_assert_ptr_nonnull(strstr(p.err, "(see 'hypercap probe --help')"));
	}
}
END_TEST

/* --start takes the calendar's days only, in digits only. */
START_TEST(start_refuses_impossible_dates)
{
	static const struct cli_options_spec dated = { .cmd = "dated", .takes = CLI_START };
	static char *const bad[] = { "2026-02-31", "2026-02-29", "1900-02-29", "2026-04-31",
		"2026-+2-01", "2026-02- 1", " 2026-02-01" };
	struct cli_options o;
	struct parsed p;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *args[] = { "--start", bad[i], NULL };
		char want[128];
		snprintf(want, sizeof(want), "hypercap dated: --start '%s': expected a date "
			 "YYYY-MM-DD (UTC) from 1970 on", bad[i]);
		parse(&o, &dated, &p, args);
		ck_assert_int_eq(p.code, EXIT_USAGE);
		ck_assert_msg(strstr(p.err, want), "%s: %s", bad[i], p.err);
	}
	char *leap[] = { "--start", "2024-02-29", NULL };
	parse(&o, &dated, &p, leap);
	ck_assert_int_eq(p.code, -1);
	ck_assert_str_eq(p.err, "");
	ck_assert_int_eq(o.start, 1709164800); /* date -u -d 2024-02-29 +%s */
}
END_TEST

START_TEST(too_many_sets_refused)
{
	static char *args[2 * CLI_MAX_SETS + 3];
	struct cli_options o;
	struct parsed p;
	for (size_t i = 0; i <= CLI_MAX_SETS; i++) {
		args[2 * i] = "--set";
		args[2 * i + 1] = "iterations=1";
	}
	parse(&o, &probe, &p, args);
	ck_assert_int_eq(p.code, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(p.err, "hypercap probe: more than 256 --set options"));
}
END_TEST

START_TEST(options_not_taken_are_refused)
{
	struct cli_options o;
	struct parsed p;
	char *args[] = { "--runs", "2", "--threads", "2", NULL };
	parse(&o, &probe, &p, args);
	ck_assert_int_eq(p.code, EXIT_USAGE);
	ck_assert_msg(strstr(p.err, "unrecognized option '--threads'"), "%s", p.err);
	ck_assert_ptr_nonnull(strstr(p.err, "(see 'hypercap probe --help')"));
	ck_assert_int_eq(cli_options_take(&o, CLI_OPTION_VAL(CLI_THREADS), "2"), -1);
	ck_assert_int_eq(cli_options_take(&o, CLI_OPTION_VAL(CLI_RUNS), "3"), 0);
	ck_assert_uint_eq(o.runs, 3);
	ck_assert_int_eq(cli_options_take(&o, 'm', "x"), -1);
}
END_TEST

START_TEST(help_without_head_comes_back)
{
	static const struct cli_options_spec headless = { .cmd = "probe", .own = own,
							  .takes = CLI_QUIET };
	struct cli_options o;
	struct parsed p;
	char *args[] = { "--quiet", "--help", NULL };
	parse(&o, &headless, &p, args);
	ck_assert_uint_eq(p.n_own, 1);
	ck_assert_int_eq(p.own[0], 'h');
	ck_assert_int_eq(o.quiet, 1);
}
END_TEST

START_TEST(help_lines_from_the_table)
{
	char *text = NULL, *line;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	ck_assert_ptr_nonnull(out);
	cli_options_help(out, &probe);
	fclose(out);
	/* what the command takes, in the table's order, with its defaults; nothing else */
	const char *runs = strstr(text, "  --runs R            Monte Carlo replications "
				  "(default 20;");
	const char *set = strstr(text, "\n  --set PATH=VALUE    ");
	const char *outdir = strstr(text, "\n  --out DIR           results directory (default "
				    "out/<probe name>)");
	ck_assert_ptr_eq(runs, text);
	ck_assert(set && outdir && set < outdir);
	ck_assert_ptr_nonnull(strstr(text, "\n  --quiet "));
	ck_assert_ptr_nonnull(strstr(text, "\n  --require-plots "));
	ck_assert_ptr_nonnull(strstr(text, "\n  -h, --help          this text\n"));
	ck_assert_ptr_null(strstr(text, "--threads"));
	ck_assert_ptr_null(strstr(text, "--prices"));
	ck_assert_ptr_null(strstr(text, "--start"));
	/* wrapped under the text's column, within 85 */
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		ck_assert_msg(strlen(line) <= 85, "too long: %s", line);
		ck_assert_msg(line[2] == '-' || strspn(line, " ") == 22, "%s", line);
	}
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	check_add(s, "shared_and_own_options_parsed", shared_and_own_options_parsed, 10);
	check_add(s, "defaults_of_the_command", defaults_of_the_command, 10);
	check_add(s, "bad_values_name_command_and_option", bad_values_name_command_and_option, 10);
	check_add(s, "start_refuses_impossible_dates", start_refuses_impossible_dates, 10);
	check_add(s, "too_many_sets_refused", too_many_sets_refused, 10);
	check_add(s, "options_not_taken_are_refused", options_not_taken_are_refused, 10);
	check_add(s, "help_without_head_comes_back", help_without_head_comes_back, 10);
	check_add(s, "help_lines_from_the_table", help_lines_from_the_table, 10);
	return check_run(s);
}
