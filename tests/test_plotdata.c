/*
 * plotdata, csvtab, numfmt and the HTML helpers: the numbers the plots are fed, against
 * hand computations (quantiles by R type 7, least squares in closed form), and the text the
 * page is built from.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "reports/csvtab.h"
#include "reports/html.h"
#include "reports/numfmt.h"
#include "reports/plotdata.h"
#include "tests/check_main.h"

static char csv_path[64];

/* Writes text to a fresh temporary file and loads it; the test owns the table. */
static int load_csv(const char *text, struct csvtab *t, struct hc_err *err)
{
	snprintf(csv_path, sizeof(csv_path), "/tmp/hypercap-csv-XXXXXX");
	int fd = mkstemp(csv_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int rc = csvtab_load(t, csv_path, err);
	unlink(csv_path);
	return rc;
}

START_TEST(csvtab_reads_quotes_and_empty_cells)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	double v;
	ck_assert_int_eq(load_csv("a,b,c\n1,\"x, \"\"y\"\"\",\n2.5,,7\n", &t, &err), 0);
	ck_assert_uint_eq(t.n_rows, 2);
	ck_assert_uint_eq(t.n_cols, 3);
	ck_assert_int_eq(csvtab_col(&t, "c"), 2);
	ck_assert_int_eq(csvtab_col(&t, "d"), -1);
	ck_assert_str_eq(csvtab_cell(&t, 0, 1), "x, \"y\"");
	ck_assert_ptr_null(csvtab_cell(&t, 0, 2));
	ck_assert_int_eq(csvtab_num(&t, 1, 0, &v, &err), 0);
	ck_assert_double_eq(v, 2.5);
	ck_assert_int_eq(csvtab_num(&t, 1, 1, &v, &err), 0);
	ck_assert(isnan(v));
	ck_assert_int_eq(csvtab_num(&t, 0, 1, &v, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "line 2: column 'b': 'x, \"y\"' is not a number"), "%s",
		      err.msg);
	int col;
	ck_assert_int_eq(csvtab_need(&t, "hour", &col, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "no column 'hour'"), "%s", err.msg);
	csvtab_release(&t);
}
END_TEST

START_TEST(csvtab_names_the_bad_line)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(load_csv("a,b\n1,2\n3,4,5\n", &t, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "line 3: 3 fields; allowed: 2"), "%s", err.msg);
	ck_assert_int_eq(load_csv("", &t, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "empty file"), "%s", err.msg);
	ck_assert_int_eq(load_csv("a,b\n1,\"open\n", &t, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "inside a quoted field"), "%s", err.msg);
	ck_assert_int_eq(csvtab_load(&t, "/nonexistent/x.csv", &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "/nonexistent/x.csv"), "%s", err.msg);
}
END_TEST

/* R type 7: Q(p) = x[h] + (h - floor h)(x[h+1] - x[h]) with h = (n - 1) p, 0-based. */
START_TEST(band_is_type_7_quantiles_per_column)
{
	const double v[] = { 1, 10, /* replication 0: iterations 0 and 1 */
			     3, 40,
			     2, 20 };
	double copy[6], p10[2], p50[2], p90[2];
	memcpy(copy, v, sizeof(v));
	ck_assert_int_eq(plotdata_band(copy, 3, 2, p10, p50, p90, NULL), 0);
	ck_assert_double_eq_tol(p10[0], 1.2, 1e-12); /* 1 + 0.2 (2 - 1) */
	ck_assert_double_eq_tol(p50[0], 2, 1e-12);
	ck_assert_double_eq_tol(p90[0], 2.8, 1e-12); /* 2 + 0.8 (3 - 2) */
	ck_assert_double_eq_tol(p10[1], 12, 1e-12); /* 10 + 0.2 (20 - 10) */
	ck_assert_double_eq_tol(p50[1], 20, 1e-12);
	ck_assert_double_eq_tol(p90[1], 36, 1e-12); /* 20 + 0.8 (40 - 20) */
	ck_assert_mem_eq(copy, v, sizeof(v));
	ck_assert_int_eq(plotdata_band(copy, 1, 2, p10, p50, p90, NULL), 0);
	ck_assert_double_eq(p10[1], 10);
	ck_assert_double_eq(p90[1], 10);
}
END_TEST

START_TEST(cumulative_tokens_sum_children_then_iterations)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	double *sm, *ev;
	size_t reps, iters;
	ck_assert_int_eq(load_csv("replication,iteration,child,self_modify_tokens,"
				  "evaluate_tokens\n"
				  "0,0,0,0,100\n0,1,0,10,50\n0,1,1,5,50\n0,2,0,1,\n"
				  "1,0,0,0,100\n1,1,0,20,60\n", &t, &err), 0);
	ck_assert_int_eq(plotdata_cumulative_tokens(&t, &sm, &ev, &reps, &iters, &err), 0);
	ck_assert_uint_eq(reps, 2);
	ck_assert_uint_eq(iters, 3);
	const double want_sm[] = { 0, 15, 16, 0, 20, 20 }, want_ev[] = { 100, 200, 200,
									  100, 160, 160 };
	for (int i = 0; i < 6; i++) {
		ck_assert_double_eq(sm[i], want_sm[i]);
		ck_assert_double_eq(ev[i], want_ev[i]);
	}
	free(sm);
	free(ev);
	csvtab_release(&t);

	ck_assert_int_eq(load_csv("replication,iteration,self_modify_tokens,evaluate_tokens\n"
				  "0,-1,0,0\n", &t, &err), 0);
	ck_assert_int_eq(plotdata_cumulative_tokens(&t, &sm, &ev, &reps, &iters, &err),
			 HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "column 'iteration': '-1'; allowed: a whole number"), "%s",
		      err.msg);
	csvtab_release(&t);
}
END_TEST

/* Writes text to a fresh temporary file, named in csv_path; the test unlinks it. */
static const char *write_csv(const char *text)
{
	snprintf(csv_path, sizeof(csv_path), "/tmp/hypercap-csv-XXXXXX");
	int fd = mkstemp(csv_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return csv_path;
}

struct seen {
	size_t rows;
	char text[256];
};

/* Keeps each row's cells and line; stops with HC_EINPUT at a cell "stop". */
static int see_row(const struct csvtab *t, void *ctx, struct hc_err *err)
{
	struct seen *s = ctx;
	ck_assert_uint_eq(t->n_rows, 1);
	ck_assert_uint_eq(t->row0, s->rows++);
	for (size_t c = 0; c < t->n_cols; c++) {
		const char *v = csvtab_cell(t, 0, (int)c);
		if (v && !strcmp(v, "stop"))
			return hc_err_set(err, HC_EINPUT, "stopped at line %zu", t->row0 + 2);
		strncat(s->text, v ? v : "-", sizeof(s->text) - strlen(s->text) - 2);
		strcat(s->text, ";");
	}
	return 0;
}

static int see_number(const struct csvtab *t, void *ctx, struct hc_err *err)
{
	double v;
	(void)ctx;
	return csvtab_num(t, 0, 1, &v, err);
}

START_TEST(csvtab_each_hands_one_row_at_a_time)
{
	struct hc_err err = HC_ERR_INIT;
	struct seen s = { 0 };
	const char *path = write_csv("a,b\n1,\"x, \"\"y\"\"\"\n,2\n3,4\n");
	ck_assert_int_eq(csvtab_each(path, see_row, &s, &err), 0);
	ck_assert_uint_eq(s.rows, 3);
	ck_assert_str_eq(s.text, "1;x, \"y\";-;2;3;4;");
	/* a bad number names the file's line, not the row's place in the table */
	ck_assert_int_eq(csvtab_each(path, see_number, NULL, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ": line 2: column 'b': 'x, \"y\"' is not a number"), "%s",
		      err.msg);
	unlink(path);

	memset(&s, 0, sizeof(s));
	path = write_csv("a,b\n1,2\n3,stop\n5,6\n");
	ck_assert_int_eq(csvtab_each(path, see_row, &s, &err), HC_EINPUT);
	ck_assert_str_eq(err.msg, "stopped at line 3");
	ck_assert_uint_eq(s.rows, 2);
	unlink(path);

	memset(&s, 0, sizeof(s));
	path = write_csv("a,b\n1,2\n3,4\n5\n");
	ck_assert_int_eq(csvtab_each(path, see_row, &s, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ": line 4: 1 fields; allowed: 2"), "%s", err.msg);
	unlink(path);
}
END_TEST

static int add_row(const struct csvtab *t, void *a, struct hc_err *err)
{
	return plotdata_tokens_add(a, t, 0, err);
}

/* Streams text into a, as the token plot reads iterations.csv. */
static int stream_tokens(const char *text, struct plotdata_tokens *a, struct hc_err *err)
{
	const char *path = write_csv(text);
	int rc = csvtab_each(path, add_row, a, err);
	unlink(path);
	return rc ? rc : plotdata_tokens_end(a, err);
}

/*
 * By hand: replication 0 sums its children per iteration then runs the sums; replication 1
 * has no rows (0); replication 2 stops after iteration 0 and keeps its sum. Whole token
 * counts are kept as uint32_t; a half token, or 2^32, turns every sum to a double, exactly.
 */
START_TEST(tokens_streamed_by_hand)
{
	static const char head[] = "replication,iteration,self_modify_tokens,evaluate_tokens\n";
	static const char *const tails[] = { "2,0,4,1\n", "2,0,4.5,1\n", "2,0,4294967296,1\n" };
	const double sm2[] = { 4, 4.5, 4294967296.0 };
	for (int v = 0; v < 3; v++) {
		struct plotdata_tokens a = PLOTDATA_TOKENS_INIT;
		struct hc_err err = HC_ERR_INIT;
		char text[512];
		snprintf(text, sizeof(text), "%s0,0,0,100\n0,2,1,\n0,1,10,50\n0,1,5,50\n%s", head,
			 tails[v]);
		ck_assert_int_eq(stream_tokens(text, &a, &err), 0);
		ck_assert_uint_eq(a.reps, 3);
		ck_assert_uint_eq(a.iters, 3);
		ck_assert_int_eq(a.wide, v > 0);
		const double want[3][3][3] = {
			{ { 0, 15, 16 }, { 100, 200, 200 }, { 100, 215, 216 } },
			{ { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },
			{ { sm2[v], sm2[v], sm2[v] }, { 1, 1, 1 },
			  { sm2[v] + 1, sm2[v] + 1, sm2[v] + 1 } },
		};
		for (size_t r = 0; r < 3; r++)
			for (int k = 0; k < 3; k++)
				for (size_t i = 0; i < 3; i++)
					ck_assert_double_eq(plotdata_tokens_at(
						&a, (enum plotdata_series)k, r, i), want[r][k][i]);
		double p10[3], p50[3], p90[3];
		ck_assert_int_eq(plotdata_tokens_band(&a, PLOTDATA_TOTAL, p10, p50, p90, &err), 0);
		/* type 7 over { 100, 0, sm2 + 1 } at iteration 0: the middle one; P10 0.2 of it */
		double mid = sm2[v] + 1 < 100 ? sm2[v] + 1 : 100;
		ck_assert_double_eq(p50[0], mid);
		ck_assert_double_eq_tol(p10[0], 0.2 * mid, 1e-9);
		plotdata_tokens_release(&a);
	}
}
END_TEST

START_TEST(tokens_refuse_rows_out_of_replication_order)
{
	struct plotdata_tokens a = PLOTDATA_TOKENS_INIT;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(stream_tokens("replication,iteration,self_modify_tokens,evaluate_tokens\n"
				       "0,0,1,1\n1,0,1,1\n0,1,1,1\n", &a, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, ": line 4: replication 0 after 1; allowed: rows in "
			     "replication order"), "%s", err.msg);
	plotdata_tokens_release(&a);
	ck_assert_int_eq(stream_tokens("replication,iteration,tokens\n0,0,1\n", &a, &err),
			 HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "no column 'self_modify_tokens'"), "%s", err.msg);
	plotdata_tokens_release(&a);
}
END_TEST

/*
 * y = 2 + 3x + e, e = +1, -1, ... on x = 0..9. By hand: Sxx = 82.5, S(x,e) = -5, so the
 * slope is 3 - 5/82.5 = 3 - 2/33 and the intercept 15.5 - 4.5 slope = 25/11; RSS = 10 -
 * 25/82.5 = 320/33; TSS = 9 Sxx + 6 S(x,e) + 10 = 722.5. e is orthogonal to the centred
 * (x - 4.5)^2 - 8.25, so the quadratic explains nothing more: the law is linear.
 */
START_TEST(growth_fit_linear_against_hand_numbers)
{
	double x[10], y[10];
	struct growth_fit g;
	for (int i = 0; i < 10; i++) {
		x[i] = i;
		y[i] = 2 + 3 * i + (i % 2 ? -1 : 1);
	}
	ck_assert_int_eq(plotdata_growth_fit(x, y, 10, &g, NULL), 0);
	ck_assert_double_eq_tol(g.lin[1], 3 - 2.0 / 33, 1e-12);
	ck_assert_double_eq_tol(g.lin[0], 25.0 / 11, 1e-12);
	ck_assert_double_eq_tol(g.r2_lin, 1 - (320.0 / 33) / 722.5, 1e-12);
	ck_assert_double_eq_tol(g.r2_quad, g.r2_lin, 1e-12);
	ck_assert_double_eq_tol(g.quad[2], 0, 1e-12);
	ck_assert_int_eq(g.quadratic, 0);
}
END_TEST

/*
 * y = 1 + x^2 / 2 on x = 0..10: the quadratic is exact. The line: Sxx = 110, S(x, x^2) =
 * sum x^3 - 5 sum x^2 = 3025 - 1925 = 1100, so slope 0.5 * 1100 / 110 = 5 and intercept
 * mean(y) - 25 = 18.5 - 25 = -6.5; TSS = 0.25 (sum x^4 - 11 * 35^2) = 0.25 * 11858 =
 * 2964.5 and the line explains 550^2 / 110 = 2750 of it.
 */
START_TEST(growth_fit_quadratic_against_hand_numbers)
{
	double x[11], y[11];
	struct growth_fit g;
	for (int i = 0; i <= 10; i++) {
		x[i] = i;
		y[i] = 1 + 0.5 * i * i;
	}
	ck_assert_int_eq(plotdata_growth_fit(x, y, 11, &g, NULL), 0);
	ck_assert_double_eq_tol(g.quad[0], 1, 1e-9);
	ck_assert_double_eq_tol(g.quad[1], 0, 1e-9);
	ck_assert_double_eq_tol(g.quad[2], 0.5, 1e-12);
	ck_assert_double_eq_tol(g.lin[1], 5, 1e-12);
	ck_assert_double_eq_tol(g.lin[0], -6.5, 1e-12);
	ck_assert_double_eq_tol(g.r2_lin, 2750 / 2964.5, 1e-12);
	ck_assert_double_eq_tol(g.r2_quad, 1, 1e-12);
	ck_assert_int_eq(g.quadratic, 1);
}
END_TEST

START_TEST(growth_fit_edges)
{
	const double x[] = { 0, 1, 2, 3 }, flat[] = { 5, 5, 5, 5 }, line[] = { 1, 3, 5, 7 };
	struct growth_fit g;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(plotdata_growth_fit(x, flat, 4, &g, NULL), 0);
	ck_assert_double_eq(g.r2_lin, 1);
	ck_assert_int_eq(g.quadratic, 0);
	/* An exact line: both residuals are rounding noise; the law stays linear. */
	ck_assert_int_eq(plotdata_growth_fit(x, line, 4, &g, NULL), 0);
	ck_assert_int_eq(g.quadratic, 0);
	ck_assert_double_eq_tol(g.lin[1], 2, 1e-12);
	ck_assert_int_eq(plotdata_growth_fit(x, line, 2, &g, &err), HC_EINPUT);
	ck_assert_msg(strstr(err.msg, "at least 3"), "%s", err.msg);
}
END_TEST

START_TEST(numbers_for_people)
{
	char b[64];
	ck_assert_str_eq(numfmt_usd(1064.782, b, sizeof(b)), "$1,064.78");
	ck_assert_str_eq(numfmt_usd(1234567.891, b, sizeof(b)), "$1,234,567.89");
	ck_assert_str_eq(numfmt_usd(0.004, b, sizeof(b)), "$0.0040");
	ck_assert_str_eq(numfmt_usd(0.00045, b, sizeof(b)), "$0.00045");
	ck_assert_str_eq(numfmt_usd(-0.004, b, sizeof(b)), "-$0.0040");
	ck_assert_str_eq(numfmt_usd(0.005, b, sizeof(b)), "$0.01");
	ck_assert_str_eq(numfmt_usd(0, b, sizeof(b)), "$0.00");
	ck_assert_str_eq(numfmt_usd(-3, b, sizeof(b)), "-$3.00");
	ck_assert_str_eq(numfmt_usd(NAN, b, sizeof(b)), "–");
	ck_assert_str_eq(numfmt_count(88.6e6, b, sizeof(b)), "88.6M");
	ck_assert_str_eq(numfmt_count(4345350481.6, b, sizeof(b)), "4.35B");
	ck_assert_str_eq(numfmt_count(999, b, sizeof(b)), "999");
	ck_assert_str_eq(numfmt_bytes(329e6, b, sizeof(b)), "329 MB");
	ck_assert_str_eq(numfmt_bytes(17.2e9, b, sizeof(b)), "17.2 GB");
}
END_TEST

static char *capture(void (*write)(FILE *, const char *, const char *), const char *a,
		     const char *b)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	write(f, a, b);
	fclose(f);
	return text;
}

static void escape(FILE *f, const char *s, const char *unused)
{
	(void)unused;
	html_escape(f, s);
}

/*
 * gnuplot's tick step on [0, max] (quantize_normal_tics: a power of ten scaled by 0.2, 0.5, 1
 * or 2 by how many ticks fit), written out independently of plotdata_axis_decimals.
 */
static double gnuplot_step(double max)
{
	double norm = pow(10, floor(log10(max))), posns = 20 / (max / norm);
	return norm * (posns > 40 ? 0.05 : posns > 20 ? 0.1 : posns > 10 ? 0.2 :
		       posns > 4 ? 0.5 : posns > 2 ? 1 : posns > 0.5 ? 2 : 5);
}

/* The dollar axis of a $1.20 bill read "$1, $1, $1, $0": every tick now reads apart. */
START_TEST(axis_decimals_tell_ticks_apart)
{
	static const double maxima[] = { 1.32, 0.05, 0.0123, 3, 9.9, 11, 19.99, 1100, 1, 0.2 };
	ck_assert_int_eq(plotdata_axis_decimals(1.32), 1);
	ck_assert_int_eq(plotdata_axis_decimals(0.05), 3);
	ck_assert_int_eq(plotdata_axis_decimals(11), 0);
	ck_assert_int_eq(plotdata_axis_decimals(1100), 0);
	ck_assert_int_eq(plotdata_axis_decimals(10), 0);
	ck_assert_int_eq(plotdata_axis_decimals(0), 0);
	ck_assert_int_eq(plotdata_axis_decimals(NAN), 0);
	ck_assert_int_eq(plotdata_axis_decimals(-5), 0);
	for (size_t i = 0; i < sizeof(maxima) / sizeof(maxima[0]); i++) {
		double step = gnuplot_step(maxima[i]);
		int d = plotdata_axis_decimals(maxima[i]);
		char prev[32] = "", cur[32];
		for (double k = 0; k * step <= maxima[i] + 1e-12; k++) {
			snprintf(cur, sizeof(cur), "%.*f", d, k * step);
			ck_assert_msg(strcmp(cur, prev), "max %g: tick %s twice", maxima[i], cur);
			ck_assert_double_eq_tol(strtod(cur, NULL), k * step, 1e-12);
			snprintf(prev, sizeof(prev), "%s", cur);
		}
	}
}
END_TEST

START_TEST(html_escapes_and_prefixes_svg_ids)
{
	char *s = capture(escape, "<script>a & 'b' \"c\"</script>", NULL);
	ck_assert_str_eq(s, "&lt;script&gt;a &amp; &#39;b&#39; &quot;c&quot;&lt;/script&gt;");
	free(s);
	s = capture(html_inline_svg, "<?xml version=\"1.0\"?>\n<svg width=\"10\">\n"
		    "<title>Gnuplot</title><g id=\"gnuplot_canvas\"><path id='gpPt0'/>"
		    "<use xlink:href='#gpPt0' clip-path=\"url(#c1)\"/>"
		    "<text> id='not an id' </text></g></svg>\n", "p1-");
	ck_assert_str_eq(s, "<svg width=\"10\">\n<g id=\"p1-gnuplot_canvas\"><path id='p1-gpPt0'/>"
		    "<use xlink:href='#p1-gpPt0' clip-path=\"url(#p1-c1)\"/>"
		    "<text> id='not an id' </text></g></svg>\n");
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plotdata");
	check_add(s, "csvtab_quotes_and_empty_cells", csvtab_reads_quotes_and_empty_cells, 10);
	check_add(s, "csvtab_names_the_bad_line", csvtab_names_the_bad_line, 10);
	check_add(s, "band_type_7_per_column", band_is_type_7_quantiles_per_column, 10);
	check_add(s, "cumulative_tokens", cumulative_tokens_sum_children_then_iterations, 10);
	check_add(s, "csvtab_each", csvtab_each_hands_one_row_at_a_time, 10);
	check_add(s, "tokens_streamed", tokens_streamed_by_hand, 10);
	check_add(s, "tokens_in_replication_order", tokens_refuse_rows_out_of_replication_order, 10);
	check_add(s, "growth_fit_linear", growth_fit_linear_against_hand_numbers, 10);
	check_add(s, "growth_fit_quadratic", growth_fit_quadratic_against_hand_numbers, 10);
	check_add(s, "growth_fit_edges", growth_fit_edges, 10);
	check_add(s, "numbers_for_people", numbers_for_people, 10);
	check_add(s, "axis_decimals", axis_decimals_tell_ticks_apart, 10);
	check_add(s, "html_escape_and_svg_ids", html_escapes_and_prefixes_svg_ids, 10);
	return check_run(s);
}
