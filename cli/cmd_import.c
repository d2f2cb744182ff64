/*
 * hypercap import: convert a recorded run or a provider's log into a hypercap trace.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "import/import.h"
#include "reports/results_dir.h"

static const char usage_head[] =
	"usage: hypercap import KIND SOURCE -o TRACE.jsonl\n"
	"\n"
	"Converts SOURCE into a hypercap trace (JSON Lines, docs/trace-format.md) that\n"
	"'hypercap replay' re-prices. Token counts are converted to one convention: input\n"
	"includes cache reads and writes, output includes reasoning.\n"
	"\n"
	"kinds:\n";

static const char usage_tail[] =
	"\n"
	"dgm reads the layout SOURCE has, from the one file at its top that says which:\n"
	"  dgm_metadata.jsonl  DGM's run output (output_dgm/<run_id>/): initial/, and per\n"
	"                      child metadata.json, self_evo.md, model_patch.diff, predictions/\n"
	"  archive.jsonl       DGM-H's run output (outputs/generate_<run_id>/): gen_N/ with\n"
	"                      metadata.json, agent_output/, <domain>_eval/report.json\n"
	"  metadata.json       one DGM evaluation: predictions/<run>/<task>.md logs\n"
	"Logs with text but no usage give estimated counts (\"estimated\": true, chars/4).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   the trace to write (required); written whole or not at all;\n"
	"                      an existing FILE is replaced only when it is a hypercap\n"
	"                      trace, never when it is SOURCE itself (exit 2)\n";

static const char usage_end[] =
	"\n"
	"The trace's \"created\" time is now, or SOURCE_DATE_EPOCH when set (reproducible\n"
	"output). Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 bad input data\n"
	"(also: a JSON key given twice, \\u0000 in a string, a line or row over 16 MiB),\n"
	"130 / 143 interrupted (SIGINT / SIGTERM: the temporary trace is removed).\n"
	"See docs/replay.md for what each kind reads.\n";

static const struct option own[] = {
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/* --help lists the kinds of the import table (print_usage): no .head. */
static const struct cli_options_spec spec = {
	.cmd = "import",
	.shortopts = "ho:",
	.own = own,
	.takes = CLI_QUIET,
};

static void print_usage(void)
{
	size_t n;
	const struct import_kind *kinds = import_kinds(&n);
	fputs(usage_head, stdout);
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", kinds[i].name, kinds[i].summary);
	fputs(usage_tail, stdout);
	cli_options_help(stdout, &spec);
	fputs(usage_end, stdout);
}

/* ISO 8601 UTC of SOURCE_DATE_EPOCH when set, else of now. */
static int created_time(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	uint64_t v;
	struct tm tm;
	if (sde && *sde) {
		if (cli_parse_u64("import", "SOURCE_DATE_EPOCH", sde, 0, 253402300799ULL, &v))
			return EXIT_USAGE;
		t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* 1 when path starts with a trace header ({"hypercap_trace": ...). */
static int is_trace(const char *path)
{
	char head[64] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	const char *p = head + strspn(head, " \t");
	return *p == '{' && !strncmp(p + 1 + strspn(p + 1, " \t"), "\"hypercap_trace\"", 16);
}

/*
 * -o is replaced whole, so it is never SOURCE itself (the same inode, whatever the name)
 * and, when it exists, only a regular file holding a trace. 0 or EXIT_USAGE.
 */
static int check_output(const char *out, const char *source)
{
	static const char allowed[] = "allowed: a new file, or a hypercap trace to replace";
	struct stat so, ss;
	if (!stat(out, &so) && !stat(source, &ss) && so.st_dev == ss.st_dev &&
	    so.st_ino == ss.st_ino)
		return cli_usage_error("import", "-o '%s' is SOURCE '%s' itself: the import would "
				       "replace the log it reads; allowed: another file", out,
				       source);
	if (lstat(out, &so))
		return 0; /* absent, or not writable: trace_writer_open says why */
	if (!S_ISREG(so.st_mode))
		return cli_usage_error("import", "-o '%s': exists and is not a regular file (a "
				       "directory or a symbolic link); %s", out, allowed);
	if (!is_trace(out))
		return cli_usage_error("import", "-o '%s': exists and is not a hypercap trace; %s",
				       out, allowed);
	return 0;
}

static int run(int argc, char **argv)
{
	struct cli_options o;
	const char *out = NULL;
	int c, rc;
	cli_options_init(&o, &spec);
	while ((c = cli_options_next(&o, argc, argv, &rc)) != -1) {
		if (c == 'h') {
			print_usage();
			return EXIT_OK;
		}
		out = optarg; /* -o */
	}
	if (rc >= 0)
		return rc;
	if (argc - optind < 2)
		return cli_usage_error("import", "KIND and SOURCE are required");
	if (argc - optind > 2)
		return cli_usage_error("import", "unexpected argument '%s'", argv[optind + 2]);
	const char *kind_name = argv[optind], *source = argv[optind + 1];
	const struct import_kind *kind = import_kind_find(kind_name);
	if (!kind)
		return cli_usage_error("import", "kind '%s': allowed: dgm, openai, anthropic, otel, "
				       "litellm", kind_name);
	if (!out)
		return cli_usage_error("import", "-o TRACE.jsonl is required");
	if (check_output(out, source))
		return EXIT_USAGE;

	char created[32], origin[4200];
	if (created_time(created, sizeof(created)))
		return EXIT_USAGE;
	snprintf(origin, sizeof(origin), "%s:%s", kind->name, source);
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct import_stats st = { 0 };
	char tmp[sizeof(w.file.tmp)] = "";
	rc = trace_writer_open(&w, out, origin, created, &err);
	/* SIGINT or SIGTERM removes the temporary trace (cli/interrupt.c). */
	if (!rc) {
		snprintf(tmp, sizeof(tmp), "%s", w.file.tmp);
		rc = results_dir_track(tmp, &err);
	}
	if (!rc && (rc = kind->run(source, &w, &st, &err)) == 0)
		rc = trace_writer_commit(&w, &err);
	trace_writer_abort(&w);
	results_dir_untrack(tmp);
	if (rc)
		return cli_fail(&err);
	if (st.skipped)
		fprintf(stderr, "hypercap import: skipped %zu %s\n", st.skipped, st.skipped_what);
	if (st.noted)
		fprintf(stderr, "hypercap import: warning: %zu %s\n", st.noted, st.noted_what);
	if (!o.quiet)
		printf("%s: %zu llm_call, %zu eval_task, %zu archive_add records from %s\n", out,
		       w.n_records[TRACE_LLM_CALL], w.n_records[TRACE_EVAL_TASK],
		       w.n_records[TRACE_ARCHIVE_ADD], source);
	return EXIT_OK;
}

const struct cmd cmd_import = {
	.name = "import",
	.summary = "convert a DGM run or provider logs into a hypercap trace",
	.run = run,
};
