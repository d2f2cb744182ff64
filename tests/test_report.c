/*
 * hypercap report end to end: the built binary on the hand-made sample results directory
 * (tests/fixtures/results-sample): six plots as PNG and SVG, the page and its headline, a
 * plot skipped when its input is absent, gnuplot missing (one line; --require-plots fails),
 * gnuplot failing, and bad input leaving the directory as it was.
 */
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define SAMPLE SOURCE_DIR "/tests/fixtures/results-sample"

static const char *const plot_names[] = { "tokens", "costs", "crossover", "archive",
					  "critical_path", "monthly", "sensitivity" };

static void copy_sample(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s/r'", SAMPLE, workdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs `hypercap report r ...` with PATH set to path (NULL: unchanged). */
static struct result report_with_path(const char *path, const char *opt)
{
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	if (path)
		setenv("PATH", path, 1);
	struct result r = run("report", "r", opt, NULL);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	return r;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Entries of workdir/sub whose name starts with prefix (the report's staging leftovers). */
static int count_in(const char *sub, const char *prefix)
{
	DIR *d = opendir(path_in(sub));
	int n = 0;
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static long file_size(const char *name)
{
	struct stat st;
	return stat(path_in(name), &st) ? -1 : (long)st.st_size;
}

START_TEST(help)
{
	struct result r = run("report", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: hypercap report DIR [--require-plots]"));
	result_free(&r);
	r = run("--help", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "report "));
	result_free(&r);
	r = run("report", NULL);
	ck_assert_int_eq(r.status, 2);
	result_free(&r);
}
END_TEST

START_TEST(sample_gives_seven_plots_and_the_page)
{
	copy_sample();
	struct result r = run("report", "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(strstr(r.out, "tokens, costs, crossover, archive, critical_path, "
				     "monthly, sensitivity"));
	result_free(&r);
	for (int i = 0; i < 7; i++) {
		char name[64];
		snprintf(name, sizeof(name), "r/plots/%s.png", plot_names[i]);
		char *png = slurp(path_in(name));
		ck_assert_msg(png && file_size(name) > 5000, "%s missing or tiny", name);
		ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
		free(png);
		snprintf(name, sizeof(name), "r/plots/%s.svg", plot_names[i]);
		char *svg = slurp(path_in(name));
		ck_assert_msg(svg && strstr(svg, "<svg") && strstr(svg, "</svg>"), "%s", name);
		ck_assert_ptr_nonnull(strstr(svg, "hyperagents-paper, 2026-07-25: "));
		free(svg);
	}
	ck_assert_int_eq(count_in("r", ".report"), 0);
	char *html = slurp(path_in("r/report.html"));
	ck_assert_ptr_nonnull(html);
	ck_assert_uint_eq(count(html, "<svg"), 7);
	/* the calendar's 13 months of the sample's monthly.csv, its period and assumptions */
	ck_assert_ptr_nonnull(strstr(html, "per calendar month (UTC) from --start, 13 months, "
				     "schedule cadence; each run"));
	ck_assert_ptr_null(strstr(html, "id=\"warnings\""));
	/* Self-contained: nothing fetched, nothing run. */
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<link"));
	ck_assert_ptr_null(strstr(html, "src="));
	/* The headline, from summary.json: 8,776,... tokens, API $21.31, total $113.40. */
	ck_assert_ptr_nonnull(strstr(html, "10 iterations ≈ 8.78M tokens ≈ <b>$21.31 on the "
				     "API</b> at the list prices of 2026-07-24; with sandbox "
				     "compute $92.07 and storage $0.02, <b>$113.40 in all</b>."));
	ck_assert_ptr_nonnull(strstr(html, "<b>$3,431.00 a month on 2 h100-sxm</b>"));
	ck_assert_ptr_nonnull(strstr(html, "At 1 run started a month (the steady state; "
				     "monthly.csv has each calendar month): $113.40 a month."));
	ck_assert_ptr_nonnull(strstr(html, "above 1.41B tokens/month"));
	ck_assert_ptr_nonnull(strstr(html, "The archive reaches <b>39.9 MB</b> (11 nodes)"));
	/* The growth law of the hand-made archive.csv: exactly linear plus a fixed offset. */
	ck_assert_ptr_nonnull(strstr(html, "archive: linear, +3.18 MB per iteration"));
	ck_assert_ptr_nonnull(strstr(html, "checkout per iteration: linear, +3.19 MB"));
	/* the hand-made critical_path: the GPU simulators' 86.6% of the wall time */
	ck_assert_ptr_nonnull(strstr(html, "GPU simulators hold 86.6% of the wall time"));
	/* the tornado's note: the sample's first sensitivity row and its swing */
	ck_assert_msg(strstr(html, "domains.robotics_reward.sandbox_seconds.mean moves the mean "
			     "bill by $"), "no sensitivity note");
	ck_assert_ptr_nonnull(strstr(html, "<th>model gpt-4o</th>"));
	ck_assert_ptr_nonnull(strstr(html, "<th>prices.source</th><td>LiteLLM"));
	ck_assert_ptr_nonnull(strstr(html, "<details><summary><code>scenario.json</code>"));
	free(html);
}
END_TEST

START_TEST(absent_input_skips_that_plot)
{
	copy_sample();
	ck_assert_int_eq(unlink(path_in("r/archive.csv")), 0);
	struct result r = run("report", "r", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "not drawn: archive (no archive.csv in this "
					    "directory)"));
	result_free(&r);
	ck_assert(!exists("r/plots/archive.png"));
	ck_assert(exists("r/plots/critical_path.svg"));
	char *html = slurp(path_in("r/report.html"));
	ck_assert_uint_eq(count(html, "<svg"), 6);
	free(html);
}
END_TEST

START_TEST(no_gnuplot_one_line_and_require_plots_fails)
{
	copy_sample();
	mkdir(path_in("empty-bin"), 0755);
	struct result r = report_with_path(path_in("empty-bin"), NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_uint_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "plots skipped: gnuplot is not on PATH"));
	result_free(&r);
	ck_assert(!exists("r/plots"));
	char *html = slurp(path_in("r/report.html"));
	ck_assert_ptr_nonnull(html);
	ck_assert_uint_eq(count(html, "<svg"), 0);
	ck_assert_ptr_nonnull(strstr(html, "gnuplot is not on PATH"));
	free(html);

	ck_assert_int_eq(unlink(path_in("r/report.html")), 0);
	r = report_with_path(path_in("empty-bin"), "--require-plots");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "--require-plots"));
	result_free(&r);
	ck_assert(!exists("r/report.html"));
}
END_TEST

START_TEST(gnuplot_failing_leaves_old_plots)
{
	copy_sample();
	struct result r = run("report", "r", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	long before = file_size("r/plots/tokens.png");
	mkdir(path_in("bad-bin"), 0755);
	write_file("bad-bin/gnuplot", "#!/bin/sh\necho 'line 7: undefined variable: boom' >&2\n"
		   "exit 1\n");
	chmod(path_in("bad-bin/gnuplot"), 0755);
	r = report_with_path(path_in("bad-bin"), NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "gnuplot failed drawing the tokens plot (status 1): line 7: "
				    "undefined variable: boom"), "%s", r.err);
	result_free(&r);
	ck_assert_int_eq(file_size("r/plots/tokens.png"), before);
	ck_assert_int_eq(count_in("r", ".report"), 0);
}
END_TEST

START_TEST(bad_input_exits_3_and_writes_nothing)
{
	copy_sample();
	write_file("r/archive.csv", "iteration,nodes,archive_bytes,checkout_bytes\n0,1,8,0\n"
		   "1,2,lots,5\n");
	struct result r = run("report", "r", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "r/archive.csv: line 3: column 'archive_bytes': 'lots' is "
				    "not a number"), "%s", r.err);
	result_free(&r);
	ck_assert(!exists("r/report.html"));
	ck_assert(!exists("r/plots"));
	ck_assert_int_eq(count_in("r", ".report"), 0);

	r = run("report", "nowhere", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "'nowhere' has no summary.json"));
	result_free(&r);
}
END_TEST

/* The real commands' directories: replay has tokens and costs; crossover has everything
 * simulate writes and its crossover. */
START_TEST(replay_and_crossover_directories)
{
	struct result r = run("replay", SOURCE_DIR "/tests/fixtures/trace/priced.jsonl", "--out",
			      "rp", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("report", "rp", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "plots in rp/plots/: tokens, costs (PNG and SVG)"));
	result_free(&r);
	char *html = slurp(path_in("rp/report.html"));
	ck_assert_ptr_nonnull(strstr(html, "5 calls ≈ 1.32M tokens ≈ <b>$1.92 on the API</b>"));
	free(html);

	r = run("crossover", "--set", "iterations=3", "--out", "cx", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("report", "cx", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "plots in cx/plots/: tokens, costs, crossover, archive, "
			     "critical_path, monthly (PNG and SVG)"), "%s", r.out);
	result_free(&r);
	html = slurp(path_in("cx/report.html"));
	ck_assert_ptr_nonnull(strstr(html, "Self-hosting llama-3.3-70b FP8 on h100-sxm"));
	free(html);
}
END_TEST

/*
 * A schedule the runs cannot keep (1,000 runs a month) is a warning in the report as on the
 * console; two loops started at once for 2 iterations fall in one calendar month, and the
 * headline says it is a month while they go, not a steady state.
 */
START_TEST(busy_schedule_warns_and_at_once_headline)
{
	struct result r = run("simulate", "--iterations", "3", "--set", "costs.runs_per_month=1000",
			      NO_GPU_SIM, "--start", "2027-01-01", "--out", "busy", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("report", "busy", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	char *html = slurp(path_in("busy/report.html"));
	ck_assert_ptr_nonnull(strstr(html, "<div id=\"warnings\" class=\"warnings\">\n<p class="
				     "\"note\"><b>Warning:</b> the schedule cannot be kept: 1000 "
				     "runs a month"));
	/* the rebuild sentence restates summary.json's rebuild object */
	cJSON *sum = load_json("busy/summary.json");
	char want[160];
	snprintf(want, sizeof(want), "Rebuilds on the critical path take %.3g s an iteration, "
		 "%.1f%% of the wall time.", json_at(sum, "rebuild.seconds_per_iteration"),
		 100 * json_at(sum, "rebuild.share_of_wall_time"));
	ck_assert_msg(strstr(html, want), "no '%s'", want);
	/* the pricing modes: one row each, the headline's bold; the reserved row's share of
	 * break-even is the run's monthly tokens over the break-even of summary.json */
	const cJSON *modes = cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "crossover"), "modes");
	ck_assert_int_ge(cJSON_GetArraySize(modes), 4);
	ck_assert_uint_eq(count(html, "<tr class=\"total\"><th>reserved<br>"), 1);
	const cJSON *m;
	cJSON_ArrayForEach(m, modes)
		if (!strcmp(cJSON_GetObjectItem(m, "pricing")->valuestring, "reserved")) {
			snprintf(want, sizeof(want), "<td class=\"n\">%.3g%%<span class=\"bar\"",
				 100 * json_at(sum, "monthly.tokens") /
				 json_at(m, "break_even_tokens_per_month"));
			ck_assert_msg(strstr(html, want), "no '%s'", want);
		}
	char *table = strstr(html, "<table class=\"modes\">");
	ck_assert_ptr_nonnull(table);
	*strstr(table, "</table>") = '\0';
	ck_assert_uint_eq(count(table, "<tr"), 1 + (size_t)cJSON_GetArraySize(modes));
	cJSON_Delete(sum);
	free(html);
	r = run("simulate", "--iterations", "2", "--set", "costs.schedule=\"at-once\"", "--set",
		"costs.parallel_runs=2", NO_GPU_SIM, "--start", "2027-01-01", "--out", "once",
		"--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("report", "once", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	html = slurp(path_in("once/report.html"));
	ck_assert_ptr_nonnull(strstr(html, "The runs started at once cost "));
	ck_assert_ptr_nonnull(strstr(html, "1 month, schedule at-once"));
	ck_assert_ptr_null(strstr(html, "id=\"warnings\""));
	free(html);
}
END_TEST

/* The utilisation cell of a loops row: the simulated figure of the row tried at at_loops. */
static double tried_utilisation(const cJSON *loops, double at)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(loops, "tried"))
		if (json_at(t, "loops") == at)
			return json_at(t, "utilisation");
	ck_abort_msg("no row tried at %g loops", at);
	return NAN;
}

/*
 * crossover --loops: the table of modes by break-even loops has one row per price of
 * crossover.modes, fewest loops first (none last), each with the simulated utilisation of
 * the row tried at its loops (crossover.loops.tried) and the same rows as
 * crossover_loops.csv; the volume table says its utilisation is computed.
 */
START_TEST(loops_modes_table)
{
	struct result r = run("crossover", "--set", "iterations=3", "--loops", "8", "--out", "lx",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "busy (simulated)"));
	ck_assert_ptr_nonnull(strstr(r.out, "(computed from the replica's throughput, not "
				     "simulated)"));
	result_free(&r);
	cJSON *sum = load_json("lx/summary.json");
	const cJSON *loops = cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "crossover"), "loops");
	const cJSON *modes = cJSON_GetObjectItem(loops, "modes"), *m;
	int n = cJSON_GetArraySize(modes);
	ck_assert_int_eq(n, cJSON_GetArraySize(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(sum, "crossover"), "modes")));
	char *csv = slurp(path_in("lx/crossover_loops.csv"));
	ck_assert_uint_eq(count_lines(csv), 1 + (size_t)n);
	free(csv);
	char *html = slurp(path_in("lx/report.html"));
	ck_assert_ptr_nonnull(strstr(html, "utilisation at break-even (computed)"));
	char *table = strstr(html, "<table class=\"loops\">");
	ck_assert_ptr_nonnull(table);
	*strstr(table, "</table>") = '\0';
	ck_assert_uint_eq(count(table, "<tr"), 1 + (size_t)n);
	ck_assert_ptr_nonnull(strstr(table, "utilisation (simulated)"));
	cJSON_ArrayForEach(m, modes) {
		char want[200];
		double at = json_at(m, "at_loops");
		ck_assert_double_eq_tol(json_at(m, "simulated_utilisation"),
					tried_utilisation(loops, at), 1e-12);
		snprintf(want, sizeof(want), "<td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
			 "<td class=\"n\">%.1f%%</td>", at, json_at(m, "replicas"),
			 100 * tried_utilisation(loops, at));
		ck_assert_msg(strstr(table, want), "no '%s'", want);
	}
	/* fewest loops first, none (no bar) last */
	double last = 0, fewest = INFINITY;
	size_t rows = 0;
	cJSON_ArrayForEach(m, modes)
		if (cJSON_IsNumber(cJSON_GetObjectItem(m, "break_even_loops")))
			fewest = fmin(fewest, json_at(m, "break_even_loops"));
	for (const char *p = strstr(table, "</tr>"); (p = strstr(p, "<tr")); p++, rows++) {
		const char *price = strstr(p, "</th><td class=\"n\">$");
		const char *cell = strstr(price, "</td>") + strlen("</td><td class=\"n\">");
		double be = !strncmp(cell, "none", 4) ? INFINITY : atof(cell);
		ck_assert_double_ge(be, last);
		if (!rows)
			ck_assert_double_eq(be, fewest);
		last = be;
	}
	ck_assert_uint_eq(rows, (size_t)n);
	cJSON_Delete(sum);
	free(html);
}
END_TEST

/* Three loops on one run: the panel "Shared capacity" restates summary.json's shared; one
 * loop alone draws none. */
START_TEST(shared_capacity_panel)
{
	struct result r = run("simulate", "--iterations", "3", "--set", "shared.loops=3", "--out",
			      "sh", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON *sum = load_json("sh/summary.json");
	char *html = slurp(path_in("sh/report.html"));
	char want[200];
	ck_assert_ptr_nonnull(strstr(html, "<h2 id=\"shared\">Shared capacity</h2>"));
	snprintf(want, sizeof(want), "<th>a loop's wall time</th><td class=\"n\">%.1f h (alone: "
		 "%.1f h)</td>", json_at(sum, "shared.loop_wall_time_hours"),
		 json_at(sum, "shared.alone_wall_time_hours"));
	ck_assert_msg(strstr(html, want), "no '%s'", want);
	snprintf(want, sizeof(want), "<th>stretch (shared over alone)</th><td class=\"n\">%.3f"
		 "</td>", json_at(sum, "shared.stretch"));
	ck_assert_msg(strstr(html, want), "no '%s'", want);
	snprintf(want, sizeof(want), "<td class=\"n\">%.1f s a task</td>",
		 json_at(sum, "shared.mean_wait_seconds.eval_workers"));
	ck_assert_msg(strstr(html, want), "no '%s'", want);
	cJSON_Delete(sum);
	free(html);
	r = run("simulate", "--iterations", "2", "--out", "one", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	html = slurp(path_in("one/report.html"));
	ck_assert_ptr_null(strstr(html, "id=\"shared\""));
	free(html);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, help);
	tcase_add_test(tc, sample_gives_seven_plots_and_the_page);
	tcase_add_test(tc, absent_input_skips_that_plot);
	tcase_add_test(tc, no_gnuplot_one_line_and_require_plots_fails);
	tcase_add_test(tc, gnuplot_failing_leaves_old_plots);
	tcase_add_test(tc, bad_input_exits_3_and_writes_nothing);
	tcase_add_test(tc, replay_and_crossover_directories);
	tcase_add_test(tc, busy_schedule_warns_and_at_once_headline);
	tcase_add_test(tc, loops_modes_table);
	tcase_add_test(tc, shared_capacity_panel);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return check_run(s);
}
