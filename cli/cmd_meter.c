/*
 * hypercap meter: a recording proxy in front of the provider, with a budget guard, optionally
 * running the loop it meters as a child (meter/meter.h, docs/metering.md).
 *
 * The main thread blocks SIGINT, SIGTERM and SIGCHLD before the server starts (its threads
 * inherit the mask) and waits for them with sigtimedwait, a quarter second at a time: that
 * tick syncs the trace, draws the status line and applies --budget-action stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "base/clock.h"
#include "cli/cli.h"
#include "fit/fitbase.h"
#include "meter/meter.h"
#include "trace/trace.h"
#include "model/prices.h"
#include "reports/numfmt.h"

static const char usage[] =
	"usage: hypercap meter --upstream URL --trace FILE [options] [-- CMD ARGS...]\n"
	"\n"
	"Forwards every request to URL and records each call's token usage into FILE (a\n"
	"hypercap trace, appended to) as it completes, with live spend and a budget guard.\n"
	"Free requests (any GET such as /v1/models, the token counts .../count_tokens and\n"
	".../input_tokens) are forwarded, never recorded and never refused by the budget.\n"
	"Server-sent event streams pass through as they arrive. With -- CMD, runs CMD with\n"
	"HYPERCAP_PROXY_URL, OPENAI_BASE_URL (and OPENAI_API_BASE) set to the proxy's /v1 and\n"
	"ANTHROPIC_BASE_URL (and ANTHROPIC_API_BASE) to the proxy, and exits with its status.\n"
	"Without CMD it runs until SIGINT or SIGTERM.\n"
	"\n"
	"options:\n"
	"  --upstream URL         the provider, e.g. https://api.openai.com (required)\n"
	"  --upstream-anthropic URL\n"
	"                         where requests carrying anthropic-version go instead, e.g.\n"
	"                         https://api.anthropic.com, for a loop that calls both\n"
	"  --trace FILE           the trace to append to (required)\n"
	"  --listen ADDR:PORT     where to listen (default 127.0.0.1:8089; port 0: any free)\n"
	"  --allow-remote         allow a --listen address other than loopback\n"
	"  --prices FILE          the price sheet for live spend (default: the embedded one,\n"
	"                         which has no embeddings model; LiteLLM's catalog has them)\n"
	"  --budget-usd X         past X dollars, new calls get HTTP 429; a call without\n"
	"                         readable usage counts at its worst case (request bytes in,\n"
	"                         max_tokens or 32768 out); a request for a model the sheet\n"
	"                         cannot price gets HTTP 400 (embeddings need an input rate)\n"
	"  --budget-action ACT    reject (default): only that; stop: also end CMD with\n"
	"                         SIGTERM, then SIGKILL after --grace seconds\n"
	"  --grace S              seconds between SIGTERM and SIGKILL (default 10; at most\n"
	"                         2592000, 30 days); also how long the meter, stopping, lets\n"
	"                         calls in flight end and be recorded before it cuts them off\n"
	"  --connect-timeout S    upstream connect timeout in seconds (default 10; 0.001 to\n"
	"                         2592000)\n"
	"  --timeout S            upstream whole-request timeout in seconds (default 900;\n"
	"                         0.001 to 2592000)\n"
	"  --record-bodies        add request and answer bodies to the records, the values of\n"
	"                         credential headers redacted (off by default)\n"
	"  --max-connections N    client connections served at once (default 256, fewer if\n"
	"                         the open-file limit holds less); a few more get HTTP 503\n"
	"  --idle-timeout S       close a connection without a request in flight after S idle\n"
	"                         seconds (default 30)\n"
	"  --forecast[=SCENARIO]  project the run's final bill each time an iteration\n"
	"                         completes (a call tagged with a later iteration is\n"
	"                         recorded): fit the run so far onto SCENARIO (default: the\n"
	"                         preset of the loop, else hyperagents-paper.json), simulate\n"
	"                         the remaining iterations, P10/P50/P90 in\n"
	"                         /_hypercap/status; off the request path. Only on a new\n"
	"                         trace, or one holding no records yet: a run its own trace\n"
	"  --loop L               dgm or dgm-h: the loop being metered, written into a new\n"
	"                         trace's header; the forecast's base is its preset\n"
	"                         (data/scenarios/dgm-polyglot.json for dgm,\n"
	"                         hyperagents-paper.json for dgm-h). Default: the loop the\n"
	"                         trace's header names, if any\n"
	"  --iterations N         the run's last iteration (default: SCENARIO's iterations)\n"
	"  --guard G              spent (default): the budget guard above; projected: also,\n"
	"                         once the projected P90 passes --budget-usd, refuse calls\n"
	"                         tagged with a later iteration than the latest started\n"
	"                         (HTTP 429), or stop CMD as --budget-action says; implies\n"
	"                         --forecast\n"
	"  -h, --help             this text\n"
	"\n"
	"Tags label the records: a base URL with a path prefix\n"
	"  http://127.0.0.1:8089/hc/iteration=12/role=evaluate/v1\n"
	"or headers X-Hypercap-Run, -Iteration, -Node, -Parent, -Role, -Domain, -Task; both are\n"
	"stripped before forwarding. GET /_hypercap/status answers the totals as JSON; on a\n"
	"terminal a status line shows them. Record statuses: the provider's own, usage_unknown,\n"
	"upstream_error (docs/trace-format.md). A record's retries is the SDKs' attempt number\n"
	"(header x-stainless-retry-count). A background response (\"background\": true) is\n"
	"recorded when GET .../responses/{id} answers with its usage. API keys are never\n"
	"written: a URL with user-info (user:key@) is refused. Only a request target that is\n"
	"a path (/...) is forwarded, after URL's own path; any other gets HTTP 400.\n"
	"\n"
	"A write the disk refuses is cut back to the last whole record and tried again; a\n"
	"trace deleted or moved away is started again at FILE (both with a warning).\n"
	"\n"
	"Exit codes: CMD's status (128+N when killed by signal N); without CMD 0, 1 runtime\n"
	"failure (also when any record could not be written: the last line says how many),\n"
	"2 usage error, 3 bad input data. See docs/metering.md.\n";

enum { OPT_UPSTREAM = 256, OPT_UPSTREAM_ANTHROPIC, OPT_TRACE, OPT_LISTEN, OPT_ALLOW_REMOTE,
       OPT_PRICES, OPT_BUDGET, OPT_BUDGET_ACTION, OPT_GRACE, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT,
       OPT_RECORD_BODIES, OPT_MAX_CONNECTIONS, OPT_IDLE_TIMEOUT, OPT_FORECAST, OPT_ITERATIONS,
       OPT_GUARD, OPT_LOOP };

static const struct option long_options[] = {
	{ "upstream", required_argument, NULL, OPT_UPSTREAM },
	{ "upstream-anthropic", required_argument, NULL, OPT_UPSTREAM_ANTHROPIC },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "budget-usd", required_argument, NULL, OPT_BUDGET },
	{ "budget-action", required_argument, NULL, OPT_BUDGET_ACTION },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "record-bodies", no_argument, NULL, OPT_RECORD_BODIES },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "forecast", optional_argument, NULL, OPT_FORECAST },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "guard", required_argument, NULL, OPT_GUARD },
	{ "loop", required_argument, NULL, OPT_LOOP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	struct meter_config cfg;
	char addr[64];
	const char *prices;
	int allow_remote, stop_child;
	int forecast;             /* --forecast or --guard projected */
	const char *scenario;     /* --forecast=SCENARIO; NULL: the default base */
	long iterations;          /* --iterations; -1: the scenario's */
	const char *loop;         /* --loop; NULL: the trace's header's */
	char base_why[160];       /* why the forecast's base is what it is */
	double grace_s;
	char **cmd; /* NULL-terminated, or NULL */
};

/* Seconds of a timeout or --grace: 30 days, so that milliseconds fit a long anywhere. */
#define MAX_SECONDS 2592000.0

/*
 * A number of seconds or dollars in [min, max]: decimal (a digit or '.' first: no sign,
 * space, "inf", "nan" or hexadecimal), an exponent allowed.
 */
static int parse_number(const char *opt, const char *text, double min, double max, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (!strchr("0123456789.", text[0]) || !text[0] || text[strcspn(text, "xXpP")] ||
	    end == text || *end || !isfinite(v) || v < min || v > max)
		return cli_usage_error("meter", "%s '%s': expected a number from %.10g to %.10g",
				       opt, text, min, max);
	*out = v;
	return 0;
}

static int parse_listen(struct opts *o, const char *text)
{
	const char *colon = strrchr(text, ':');
	uint64_t port;
	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(o->addr))
		return cli_usage_error("meter", "--listen '%s': expected ADDR:PORT, e.g. "
				       "127.0.0.1:8089", text);
	if (cli_parse_u64("meter", "--listen PORT", colon + 1, 0, 65535, &port))
		return EXIT_USAGE;
	snprintf(o->addr, sizeof(o->addr), "%.*s", (int)(colon - text), text);
	if (!strcmp(o->addr, "localhost"))
		strcpy(o->addr, "127.0.0.1");
	o->cfg.port = (unsigned)port;
	return 0;
}

static int is_loopback(const char *addr)
{
	struct in_addr a;
	return inet_pton(AF_INET, addr, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int parse_option(struct opts *o, int c, const char *arg)
{
	double v;
	uint64_t n;
	switch (c) {
	case OPT_UPSTREAM: o->cfg.upstream = arg; return 0;
	case OPT_UPSTREAM_ANTHROPIC: o->cfg.upstream_anthropic = arg; return 0;
	case OPT_TRACE: o->cfg.trace_path = arg; return 0;
	case OPT_LISTEN: return parse_listen(o, arg);
	case OPT_ALLOW_REMOTE: o->allow_remote = 1; return 0;
	case OPT_PRICES: o->prices = arg; return 0;
	case OPT_BUDGET:
		if (parse_number("--budget-usd", arg, 0, DBL_MAX, &o->cfg.budget_usd))
			return EXIT_USAGE;
		if (o->cfg.budget_usd <= 0)
			return cli_usage_error("meter", "--budget-usd '%s': expected dollars > 0",
					       arg);
		return 0;
	case OPT_GRACE: return parse_number("--grace", arg, 0, MAX_SECONDS, &o->grace_s);
	case OPT_RECORD_BODIES: o->cfg.record_bodies = 1; return 0;
	case OPT_FORECAST:
		o->forecast = 1;
		o->scenario = arg;
		return 0;
	case OPT_ITERATIONS:
		if (cli_parse_u64("meter", "--iterations", arg, 1, 100000, &n))
			return EXIT_USAGE;
		o->iterations = (long)n;
		return 0;
	case OPT_LOOP:
		if (strcmp(arg, TRACE_LOOP_DGM) && strcmp(arg, TRACE_LOOP_DGMH))
			return cli_usage_error("meter", "--loop '%s': allowed: dgm, dgm-h", arg);
		o->loop = o->cfg.loop = arg;
		return 0;
	case OPT_GUARD:
		if (strcmp(arg, "spent") && strcmp(arg, "projected"))
			return cli_usage_error("meter", "--guard '%s': allowed: spent, projected",
					       arg);
		o->cfg.guard_projected = !strcmp(arg, "projected");
		o->forecast |= o->cfg.guard_projected;
		return 0;
	case OPT_MAX_CONNECTIONS:
		if (cli_parse_u64("meter", "--max-connections", arg, 1, 100000, &n))
			return EXIT_USAGE;
		o->cfg.max_connections = (unsigned)n;
		return 0;
	case OPT_IDLE_TIMEOUT:
		if (cli_parse_u64("meter", "--idle-timeout", arg, 1, 86400, &n))
			return EXIT_USAGE;
		o->cfg.idle_timeout_s = (unsigned)n;
		return 0;
	case OPT_BUDGET_ACTION:
		if (strcmp(arg, "reject") && strcmp(arg, "stop"))
			return cli_usage_error("meter", "--budget-action '%s': allowed: reject, "
					       "stop", arg);
		o->stop_child = !strcmp(arg, "stop");
		return 0;
	case OPT_CONNECT_TIMEOUT:
	case OPT_TIMEOUT:
		if (parse_number(c == OPT_TIMEOUT ? "--timeout" : "--connect-timeout", arg, 0.001,
				 MAX_SECONDS, &v))
			return EXIT_USAGE;
		*(c == OPT_TIMEOUT ? &o->cfg.timeout_ms : &o->cfg.connect_timeout_ms) =
			(long)(v * 1000 + 0.5);
		return 0;
	default:
		fprintf(stderr, "(see 'hypercap meter --help')\n");
		return EXIT_USAGE;
	}
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	int c;
	memset(o, 0, sizeof(*o));
	strcpy(o->addr, "127.0.0.1");
	o->cfg.port = 8089;
	o->cfg.connect_timeout_ms = 10000;
	o->cfg.timeout_ms = 900000;
	o->cfg.budget_usd = NAN;
	o->cfg.max_connections = 256;
	o->grace_s = 10;
	o->iterations = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (parse_option(o, c, optarg))
			return EXIT_USAGE;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--"))
		return cli_usage_error("meter", "unexpected argument '%s' (a command goes after "
				       "--)", argv[optind]);
	o->cmd = optind < argc ? argv + optind : NULL;
	if (!o->cfg.upstream || !o->cfg.trace_path)
		return cli_usage_error("meter", "--upstream URL and --trace FILE are required");
	if (!is_loopback(o->addr) && !o->allow_remote)
		return cli_usage_error("meter", "--listen '%s': not a loopback address; add "
				       "--allow-remote to listen there (anyone who reaches it "
				       "spends your API keys' budget)", o->addr);
	if (o->iterations > 0 && !o->forecast)
		return cli_usage_error("meter", "--iterations needs --forecast (or --guard "
				       "projected)");
	if (o->cfg.guard_projected && isnan(o->cfg.budget_usd))
		return cli_usage_error("meter", "--guard projected needs --budget-usd");
	if (o->stop_child && !o->cmd)
		return cli_usage_error("meter", "--budget-action stop needs a command to stop "
				       "(-- CMD ARGS)");
	o->cfg.listen_addr = o->addr;
	o->cfg.drain_ms = (long)(o->grace_s * 1000 + 0.5); /* calls in flight when it stops */
	return 0;
}

static void created_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Forks CMD with the proxy's URLs in its environment and the default signal mask. */
static pid_t spawn(char **cmd, const char *host, unsigned port, const sigset_t *old_mask)
{
	char base[128], v1[140];
	snprintf(base, sizeof(base), "http://%s:%u", host, port);
	snprintf(v1, sizeof(v1), "%s/v1", base);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	setenv("HYPERCAP_PROXY_URL", base, 1);
	setenv("OPENAI_BASE_URL", v1, 1);
	setenv("OPENAI_API_BASE", v1, 1);
	setenv("ANTHROPIC_BASE_URL", base, 1);
	setenv("ANTHROPIC_API_BASE", base, 1);
	execvp(cmd[0], cmd);
	fprintf(stderr, "hypercap meter: cannot run '%s': %s\n", cmd[0], strerror(errno));
	_exit(127);
}

static void print_status(const struct meter_stats *st, int final)
{
	char tok[32], in[32], out[32];
	fprintf(stderr, "%shypercap meter: %zu calls, %s tokens (in %s, out %s), $%.4f, $%.2f/h",
		final ? "" : "\r", st->calls,
		numfmt_count((double)usage_total(&st->tokens), tok, 32),
		numfmt_count((double)st->tokens.input, in, 32),
		numfmt_count((double)st->tokens.output, out, 32), st->cost_usd,
		st->uptime_s > 0 ? st->cost_usd * 3600 / st->uptime_s : 0.0);
	if (st->estimated_usd > 0)
		fprintf(stderr, " + $%.4f estimated", st->estimated_usd);
	if (!isnan(st->budget_usd))
		fprintf(stderr, " of $%.2f%s", st->budget_usd, st->budget_spent ? " (spent)" : "");
	if (st->usage_unknown || st->upstream_errors || st->unpriced || st->rejected)
		fprintf(stderr, "; %zu usage unknown, %zu upstream errors, %zu unpriced, %zu "
			"rejected", st->usage_unknown, st->upstream_errors, st->unpriced,
			st->rejected);
	if (st->forecasting && st->forecast.have)
		fprintf(stderr, "; projected $%.2f (P10 $%.2f, P90 $%.2f)", st->forecast.p.usd.p50,
			st->forecast.p.usd.p10, st->forecast.p.usd.p90);
	if (st->records_pending || st->records_lost)
		fprintf(stderr, "; %zu records waiting, %zu lost", st->records_pending,
			st->records_lost);
	fputs(final ? "\n" : "\033[K", stderr);
}

struct run_state {
	pid_t child;
	int child_status, child_done;
	int stopping; /* SIGINT or SIGTERM without a child */
	double term_at; /* when the budget stop sent SIGTERM; 0: not yet */
	int killed;
	char warned_model[128];
	size_t warned_errors, warned_reopened, waiting;
};

/* The trace's troubles since the last tick: failed writes, records written late, reopening. */
static void warn_trace(const struct meter_stats *st, const struct opts *o, struct run_state *rs,
		       const char *bol)
{
	if (st->write_errors > rs->warned_errors) {
		fprintf(stderr, "%shypercap meter: warning: cannot record %zu call%s: %s\n", bol,
			st->write_errors - rs->warned_errors,
			st->write_errors - rs->warned_errors == 1 ? "" : "s", st->last_error);
		rs->warned_errors = st->write_errors;
	}
	if (rs->waiting && !st->records_pending)
		fprintf(stderr, "%shypercap meter: %s is written again: the records that waited "
			"are in it\n", bol, o->cfg.trace_path);
	rs->waiting = st->records_pending;
	if (st->trace_reopened > rs->warned_reopened) {
		rs->warned_reopened = st->trace_reopened;
		fprintf(stderr, "%shypercap meter: warning: %s was deleted or replaced while "
			"recording; the records from now on go into the file now at that path\n",
			bol, o->cfg.trace_path);
	}
}

/* One tick: warnings, the budget stop, the status line. */
static void tick(struct meter *m, const struct opts *o, struct run_state *rs, int tty)
{
	struct meter_stats st;
	struct hc_err err = HC_ERR_INIT;
	const char *bol = tty ? "\r\033[K" : "";
	int sync_failed = meter_sync(m, &err);
	meter_get_stats(m, &st);
	if (sync_failed && !st.records_pending) /* records that wait warned when they failed */
		fprintf(stderr, "%shypercap meter: %s\n", bol, err.msg);
	if (st.unpriced_model[0] && strcmp(st.unpriced_model, rs->warned_model)) {
		snprintf(rs->warned_model, sizeof(rs->warned_model), "%s", st.unpriced_model);
		fprintf(stderr, "%shypercap meter: warning: model '%s' is not in the price sheet: "
			"its calls are recorded but not priced, and the budget does not count "
			"them\n", bol, st.unpriced_model);
	}
	warn_trace(&st, o, rs, bol);
	int over = st.budget_spent || st.forecast.tripped;
	if (o->stop_child && over && rs->child > 0 && !rs->child_done) {
		if (rs->term_at == 0) {
			fprintf(stderr, "%shypercap meter: budget %s ($%.4f of $%.2f%s): "
				"stopping the command (SIGTERM)\n", tty ? "\r\033[K" : "",
				st.budget_spent ? "spent" : "projected to run out",
				st.budget_spent ? st.cost_usd + st.estimated_usd
						: st.forecast.p.usd.p90, st.budget_usd,
				st.budget_spent ? "" : " at P90");
			kill(rs->child, SIGTERM);
			rs->term_at = clock_monotonic_s();
		} else if (!rs->killed && clock_monotonic_s() - rs->term_at >= o->grace_s) {
			fprintf(stderr, "hypercap meter: the command outlived --grace %gs: "
				"SIGKILL\n", o->grace_s);
			kill(rs->child, SIGKILL);
			rs->killed = 1;
		}
	}
	if (tty)
		print_status(&st, 0);
}

static void reap(struct run_state *rs)
{
	int status;
	if (rs->child > 0 && !rs->child_done && waitpid(rs->child, &status, WNOHANG) == rs->child) {
		rs->child_done = 1;
		rs->child_status = WIFEXITED(status)	 ? WEXITSTATUS(status) :
				   WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
							 EXIT_RUNTIME;
	}
}

static int serve(struct meter *m, const struct opts *o, const sigset_t *set,
		 const sigset_t *old_mask)
{
	struct run_state rs;
	int tty = isatty(STDERR_FILENO);
	memset(&rs, 0, sizeof(rs));
	const char *host = strcmp(o->addr, "0.0.0.0") ? o->addr : "127.0.0.1";
	if (o->cmd && (rs.child = spawn(o->cmd, host, meter_port(m), old_mask)) < 0) {
		fprintf(stderr, "hypercap meter: cannot fork: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	struct timespec quarter = { 0, 250000000 };
	while (!rs.stopping && !(o->cmd && rs.child_done)) {
		siginfo_t info;
		int sig = sigtimedwait(set, &info, &quarter);
		if ((sig == SIGINT || sig == SIGTERM) && rs.child > 0 && !rs.child_done) {
			/*
			 * The command decides and we wait for it. A terminal's ^C reached the
			 * whole process group already (si_code > 0): sent once, not twice.
			 */
			if (info.si_code <= 0)
				kill(rs.child, sig);
		}
		else if (sig == SIGINT || sig == SIGTERM)
			rs.stopping = 1;
		reap(&rs);
		tick(m, o, &rs, tty);
	}
	if (tty)
		fputs("\r\033[K", stderr);
	return o->cmd ? rs.child_status : EXIT_OK;
}

/*
 * What an existing trace at path says: its header's loop, and whether it holds records
 * (any line after the header). A missing or empty file: no loop, no records.
 */
static int trace_so_far(const char *path, char *loop, size_t size, int *has_records,
			struct hc_err *err)
{
	struct trace_reader r;
	struct trace_record rec;
	FILE *f = fopen(path, "r");
	int empty = !f || fgetc(f) == EOF;
	if (f)
		fclose(f);
	loop[0] = '\0';
	*has_records = 0;
	if (empty)
		return 0;
	memset(&r, 0, sizeof(r));
	if (trace_reader_open(&r, path, 1, err))
		return hc_err_prefix(err, "meter: --trace");
	snprintf(loop, size, "%s", r.header.loop);
	*has_records = trace_reader_next(&r, &rec, NULL) != 0 || r.n_skipped;
	trace_reader_close(&r);
	return 0;
}

/* Why fitbase_load picked the base it did, for stderr and the status. */
static void say_why(struct opts *o, enum fitbase_why why, const char *loop)
{
	const char *name = !strcmp(loop, TRACE_LOOP_DGM) ? "DGM" : "HyperAgents";
	if (why == FITBASE_GIVEN)
		snprintf(o->base_why, sizeof(o->base_why), "given: --forecast=SCENARIO");
	else if (why == FITBASE_LOOP)
		snprintf(o->base_why, sizeof(o->base_why), "the %s preset, for %s %s", name,
			 o->loop ? "--loop" : "the trace header's loop", loop);
	else
		snprintf(o->base_why, sizeof(o->base_why), "the HyperAgents preset: no loop "
			 "named (--loop dgm for a DGM run)");
	o->cfg.forecast_base_why = o->base_why;
}

/*
 * The loop the forecast is for: --loop, else the trace's header's; refuses a trace that holds
 * records already (the projection would read an earlier run's) or names another loop.
 */
static int forecast_loop(const struct opts *o, char *loop, size_t size, struct hc_err *err)
{
	int has_records;
	if (trace_so_far(o->cfg.trace_path, loop, size, &has_records, err))
		return err->code;
	if (has_records)
		return hc_err_set(err, HC_EUSAGE, "meter: --forecast: '%s' holds records already "
				  "(an earlier run's); the projection reads every record of the "
				  "trace, so give this run its own --trace FILE",
				  o->cfg.trace_path);
	if (o->loop && loop[0] && strcmp(loop, o->loop))
		return hc_err_set(err, HC_EUSAGE, "meter: --loop %s: '%s' says loop %s",
				  o->loop, o->cfg.trace_path, loop);
	if (o->loop)
		snprintf(loop, size, "%s", o->loop);
	return 0;
}

/* The forecast's base: --forecast's scenario or the loop's preset, with --iterations. */
static int load_base(struct opts *o, struct scenario *sc, struct hc_err *err)
{
	enum fitbase_why why;
	char loop[TRACE_STR_MAX];
	if (forecast_loop(o, loop, sizeof(loop), err) ||
	    fitbase_load(sc, o->scenario, loop, &why, err))
		return -1;
	if (o->iterations > 0)
		sc->iterations = (unsigned)o->iterations;
	if (!sc->iterations) {
		hc_err_set(err, HC_EUSAGE, "meter: the forecast's scenario '%s' has no iterations "
			   "to project: give --iterations N", sc->origin);
		scenario_release(sc);
		return HC_EUSAGE;
	}
	say_why(o, why, loop);
	o->cfg.forecast = sc;
	return 0;
}

static int run(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(&o, argc, argv);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps = PRICE_SHEET_INIT;
	char created[32], source[300];
	struct scenario base;
	memset(&base, 0, sizeof(base));
	if (price_sheet_load(&ps, o.prices, &err))
		return cli_fail(&err);
	if (o.forecast && load_base(&o, &base, &err)) {
		price_sheet_release(&ps);
		return cli_fail(&err);
	}
	created_now(created, sizeof(created));
	snprintf(source, sizeof(source), "meter:%.280s", o.cfg.upstream);
	o.cfg.prices = &ps;
	o.cfg.source = source;
	o.cfg.created = created;

	sigset_t set, old_mask;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN); /* past a file size limit, a write fails (EFBIG) and is retried */
	struct meter *m;
	if (meter_start(&m, &o.cfg, &err)) {
		price_sheet_release(&ps);
		scenario_release(&base);
		return cli_fail(&err);
	}
	if (meter_max_connections(m) < o.cfg.max_connections) {
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		fprintf(stderr, "hypercap meter: warning: at most %u connections at once (not %u), "
			"to fit the limit of %llu open files (ulimit -Hn)\n",
			meter_max_connections(m), o.cfg.max_connections,
			(unsigned long long)rl.rlim_cur);
	}
	fprintf(stderr, "hypercap meter: listening on http://%s:%u, forwarding to %s, "
		"recording into %s\n", o.addr, meter_port(m), o.cfg.upstream, o.cfg.trace_path);
	if (o.forecast)
		fprintf(stderr, "hypercap meter: forecast base %s (%s), to iteration %u\n",
			base.origin, o.base_why, base.iterations);
	if (meter_dropped_bytes(m))
		fprintf(stderr, "hypercap meter: warning: %s ended in an interrupted record; its "
			"%lld bytes were cut off\n", o.cfg.trace_path, meter_dropped_bytes(m));
	int status = serve(m, &o, &set, &old_mask);
	struct meter_stats st;
	rc = meter_stop(m, &st, &err);
	price_sheet_release(&ps);
	scenario_release(&base);
	print_status(&st, 1);
	if (rc)
		return cli_fail(&err);
	return status;
}

const struct cmd cmd_meter = {
	.name = "meter",
	.summary = "record a real loop's calls through a proxy, with a budget guard",
	.run = run,
};
