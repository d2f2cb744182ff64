/*
 * report.html in a real browser: headless Chromium (Debian's `chromium`) opens the page of
 * the sample results directory with a probe appended that measures every inline SVG and
 * image and writes a verdict into the DOM (--dump-dom), then takes a screenshot kept with
 * the test output (build/test-output/report.png).
 *
 * Chromium missing fails the test (CI installs it through scripts/deps.sh); set
 * HYPERCAP_SKIP_BROWSER=1 to skip it on a machine without one.
 */
#include "tests/check_main.h"
#include "tests/chromium.h"
#include "tests/cli_harness.h"

#define SAMPLE SOURCE_DIR "/tests/fixtures/results-sample"

/*
 * Runs synchronously at the end of the body, after layout: an SVG that renders has a
 * non-empty box on the page and draws something (a non-empty bounding box of its content);
 * every series of a plot draws more than its key sample (a 39-unit line or one mark; a band
 * is a polygon of more than four points; a series of labels, its texts): a line through a
 * single point draws nothing; an image that renders is
 * complete with a natural width. The panel "What drives this bill" has items and a bar; the
 * re-timing section, when there is one, a table with a height; the warnings, when there are
 * any, a box with a height; the table of pricing modes, when there is one, a height; the
 * table of modes by break-even loops and the panel "Shared capacity", when there, a height
 * (and the loops table's first bar a width).
 * Compare's charts: every bar of a change (rect.delta) lies inside its chart. The verdict
 * counts them (bars: those wider than 0).
 */
static const char probe[] =
	"<script>(function () {\n"
	"var bad = [], svgs = document.querySelectorAll('svg'),\n"
	"    imgs = document.querySelectorAll('img');\n"
	"svgs.forEach(function (s, i) {\n"
	"  var r = s.getBoundingClientRect(), b = s.getBBox();\n"
	"  if (!(r.width > 0 && r.height > 0)) bad.push('svg ' + i + ' is ' + r.width + 'x' +\n"
	"      r.height);\n"
	"  if (!(b.width > 0 && b.height > 0)) bad.push('svg ' + i + ' draws nothing');\n"
	"});\n"
	"imgs.forEach(function (m, i) {\n"
	"  if (!m.complete || !(m.naturalWidth > 0)) bad.push('img ' + i + ' is broken');\n"
	"});\n"
	"document.querySelectorAll('svg g[id*=\"gnuplot_plot_\"]').forEach(function (g) {\n"
	"  var len = 0, marks = g.querySelectorAll('use, polygon, rect, image').length;\n"
	"  g.querySelectorAll('path').forEach(function (p) { len += p.getTotalLength(); });\n"
	"  if (!g.querySelector('path, use')) marks += g.querySelectorAll('text').length;\n"
	"  g.querySelectorAll('polygon').forEach(function (p) {\n"
	"    if (p.points.numberOfItems > 4) marks += 2; });\n"
	"  if (!(len > 45 || marks > 1)) bad.push(g.id + ' draws only its key');\n"
	"});\n"
	"var d = document.getElementById('drivers'), items = 0;\n"
	"if (d) {\n"
	"  items = d.querySelectorAll('li').length;\n"
	"  if (!(d.getBoundingClientRect().height > 0)) bad.push('the drivers panel is empty');\n"
	"  var bar = d.querySelector('.bar');\n"
	"  if (!bar || !(bar.getBoundingClientRect().width > 0)) bad.push('no drivers bar');\n"
	"}\n"
	"var w = document.getElementById('warnings'), warned = 0;\n"
	"if (w) {\n"
	"  warned = w.querySelectorAll('p').length;\n"
	"  if (!(w.getBoundingClientRect().height > 0)) bad.push('the warnings are hidden');\n"
	"}\n"
	"var mt = document.querySelector('table.modes'), modes = 0;\n"
	"if (mt) {\n"
	"  modes = mt.querySelectorAll('tr').length - 1;\n"
	"  if (!(mt.getBoundingClientRect().height > 0)) bad.push('the modes table is empty');\n"
	"}\n"
	"var lt = document.querySelector('table.loops'), loops = 0;\n"
	"if (lt) {\n"
	"  loops = lt.querySelectorAll('tr').length - 1;\n"
	"  if (!(lt.getBoundingClientRect().height > 0)) bad.push('the loops table is empty');\n"
	"  var lb = lt.querySelector('.bar');\n"
	"  if (lb && !(lb.getBoundingClientRect().width > 0)) bad.push('a loops bar is empty');\n"
	"}\n"
	"var sh = document.querySelector('table.shared'), shared = 0;\n"
	"if (sh) {\n"
	"  shared = sh.querySelectorAll('tr').length;\n"
	"  if (!(sh.getBoundingClientRect().height > 0)) bad.push('the shared panel is empty');\n"
	"}\n"
	"var t = document.getElementById('retime');\n"
	"if (t && !(t.nextElementSibling.getBoundingClientRect().height > 0))\n"
	"  bad.push('the retime table is empty');\n"
	"var bars = 0;\n"
	"document.querySelectorAll('svg.compare-chart rect.delta').forEach(function (b) {\n"
	"  var r = b.getBoundingClientRect(), c = b.ownerSVGElement.getBoundingClientRect();\n"
	"  if (r.left < c.left - 1 || r.right > c.right + 1) bad.push('a bar leaves its chart');\n"
	"  if (r.width > 0) bars++;\n"
	"});\n"
	"var p = document.createElement('pre');\n"
	"p.textContent = 'VERDICT ' + (bad.length ? 'FAIL ' + bad.join('; ') : 'OK') +\n"
	"    ' svgs=' + svgs.length + ' imgs=' + imgs.length + ' drivers=' + items +\n"
	"    ' retime=' + (t ? 1 : 0) + ' warnings=' + warned + ' modes=' + modes +\n"
	"    ' bars=' + bars + ' loops=' + loops + ' shared=' + shared + ' END';\n"
	"document.body.appendChild(p);\n"
	"})();</script>\n";

/* dir/report.html with the probe inserted before </body>, as workdir/probe.html. */
static void write_probe(const char *dir)
{
	char page[64];
	snprintf(page, sizeof(page), "%s/report.html", dir);
	char *html = slurp(path_in(page));
	ck_assert_ptr_nonnull(html);
	char *end = strstr(html, "</body>");
	ck_assert_ptr_nonnull(end);
	FILE *f = fopen(path_in("probe.html"), "w");
	ck_assert_ptr_nonnull(f);
	fwrite(html, 1, (size_t)(end - html), f);
	fputs(probe, f);
	fputs(end, f);
	ck_assert_int_eq(fclose(f), 0);
	free(html);
}

/* Runs chromium headless with the given action on workdir/page; its log in chromium.log. */
static int chromium(const char *bin, const char *action, const char *page, const char *out)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "timeout 60 '%s' --headless --no-sandbox --disable-gpu "
		 "--hide-scrollbars --user-data-dir='%s' --window-size=1200,5400 %s "
		 "'file://%s' >'%s' 2>>'%s'", bin, path_in("profile"), action, path_in(page),
		 out, path_in("chromium.log"));
	return system(cmd);
}

/* Opens dir/report.html with the probe and checks that its verdict starts with expected. */
static void expect_verdict(const char *bin, const char *dir, const char *expected)
{
	write_probe(dir);
	ck_assert_int_eq(chromium(bin, "--dump-dom", "probe.html", path_in("dom.html")), 0);
	char *dom = slurp(path_in("dom.html"));
	char *log = slurp(path_in("chromium.log"));
	ck_assert_ptr_nonnull(dom);
	char *verdict = strstr(dom, "<pre>VERDICT "); /* not the probe's own source */
	ck_assert_msg(verdict, "no verdict in the DOM; chromium said: %.2000s", log ? log : "");
	ck_assert_msg(!strncmp(verdict, expected, strlen(expected)), "%.300s", verdict);
	free(dom);
	free(log);
}

START_TEST(every_plot_renders_in_chromium)
{
	const char *bin = chromium_or_skip("test_browser");
	if (!bin)
		return;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s/r'", SAMPLE, workdir);
	ck_assert_int_eq(system(cmd), 0);
	struct result r = run("report", "r", "--require-plots", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "r", "<pre>VERDICT OK svgs=7 imgs=0 drivers=4 retime=0 warnings=0 modes=0 bars=0 loops=0 shared=0 END");

	mkdir(TEST_OUTPUT_DIR, 0777);
	char shot[600], action[700];
	snprintf(shot, sizeof(shot), "%s/report.png", TEST_OUTPUT_DIR);
	remove(shot);
	snprintf(action, sizeof(action), "--screenshot='%s'", shot);
	ck_assert_int_eq(chromium(bin, action, "r/report.html", "/dev/null"), 0);
	char *png = slurp(shot);
	ck_assert_msg(png && !memcmp(png, "\x89PNG\r\n\x1a\n", 8), "no screenshot at %s", shot);
	free(png);
	fprintf(stderr, "test_browser: screenshot in %s\n", shot);
}
END_TEST

/*
 * The replay of a one-iteration trace, re-timed: its token chart draws its one iteration
 * (it drew nothing, on an axis from -1 to 1), the dollars panel and the re-timing section.
 */
START_TEST(one_iteration_replay_renders)
{
	const char *bin = chromium_or_skip("test_browser");
	if (!bin)
		return;
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "head -n 4 '%s/tests/fixtures/trace/retime-loop.jsonl' "
		 ">'%s/one.jsonl'", SOURCE_DIR, workdir);
	ck_assert_int_eq(system(cmd), 0);
	struct result r = run("replay", "one.jsonl", "--retime", "--eval-workers", "2",
			      "--require-plots", "--out", "one", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "one", "<pre>VERDICT OK svgs=2 imgs=0 drivers=1 retime=1 warnings=0 modes=0 bars=0 loops=0 shared=0 END");
}
END_TEST

/*
 * compare's report: one chart per variant. Keeping the archive a year moves storage and the
 * total, per run and per month (4 bars); explicit caching for the meta agent (the preset's
 * prior is mostly off) moves the API and the total (4 bars);
 * an identical variant draws no bar at all.
 */
START_TEST(compare_charts_render)
{
	const char *bin = chromium_or_skip("test_browser");
	if (!bin)
		return;
	struct result r = run("compare", "--set", "iterations=3", "--set",
			      "costs.retention_months=1", "--variant", "keep-a-year", "--set",
			      "costs.retention_months=12", "--variant", "cache", "--set",
			      "self_modification.caching=explicit", "--variant", "same", "--runs", "3",
			      "--out", "cmp", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "cmp",
		       "<pre>VERDICT OK svgs=3 imgs=0 drivers=0 retime=0 warnings=0 modes=0 bars=8 loops=0 shared=0 END");
}
END_TEST

/*
 * A simulation whose schedule the runs cannot keep: its month-by-month chart draws every
 * series (bars of each component, the runs-active line), the warning shows, and so does the
 * table of the 8 pricing modes of data/gpus' H100 sheet.
 */
START_TEST(busy_schedule_renders_its_months_and_warning)
{
	const char *bin = chromium_or_skip("test_browser");
	if (!bin)
		return;
	struct result r = run("simulate", "--iterations", "3", "--set", "costs.runs_per_month=1000",
			      "--set", "costs.parallel_runs=2", NO_GPU_SIM, "--start", "2027-01-15",
			      "--require-plots", "--out", "busy", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	r = run("report", "busy", "--require-plots", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "busy", "<pre>VERDICT OK svgs=7 imgs=0 drivers=");
	char *dom = slurp(path_in("dom.html"));
	ck_assert_ptr_nonnull(strstr(dom, "retime=0 warnings=1 modes=8 bars=0 loops=0 shared=0 END"));
	free(dom);
}
END_TEST

/*
 * crossover --loops: the table of the 8 prices of the H100 sheet by break-even loops; and a
 * run of three loops on shared capacity: its panel (9 rows: loops, workers, wall time,
 * stretch, three waits, the fleet serving paper review, the cost a loop).
 */
START_TEST(loops_and_shared_capacity_render)
{
	const char *bin = chromium_or_skip("test_browser");
	if (!bin)
		return;
	struct result r = run("crossover", "--set", "iterations=3", "--loops", "8", "--out", "lx",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "lx", "<pre>VERDICT OK svgs=");
	char *dom = slurp(path_in("dom.html"));
	ck_assert_ptr_nonnull(strstr(dom, "modes=8 bars=0 loops=8 shared=0 END"));
	free(dom);
	r = run("simulate", "--iterations", "3", "--set", "shared.loops=3", "--set",
		"fleets=[{\"name\":\"h100\",\"pricing\":\"reserved\"}]", "--set",
		"domains.paper_review.fleet=h100", "--out", "sh", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	expect_verdict(bin, "sh", "<pre>VERDICT OK svgs=");
	dom = slurp(path_in("dom.html"));
	ck_assert_ptr_nonnull(strstr(dom, "bars=0 loops=0 shared=9 END"));
	free(dom);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("browser");
	TCase *tc = tcase_create("browser");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_plot_renders_in_chromium);
	tcase_add_test(tc, one_iteration_replay_renders);
	tcase_add_test(tc, compare_charts_render);
	tcase_add_test(tc, busy_schedule_renders_its_months_and_warning);
	tcase_add_test(tc, loops_and_shared_capacity_render);
	tcase_set_timeout(tc, 150);
	suite_add_tcase(s, tc);
	return check_run(s);
}
