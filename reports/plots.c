/* plots: a results directory's plots, drawn by gnuplot through a pipe. Contracts in plots.h. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/jsonfile.h"
#include "reports/numfmt.h"
#include "reports/plotdata.h"
#include "reports/plots.h"

#define PATH_LEN 4096
#define SIZE "size 1000,560"

static const struct {
	const char *name, *caption;
} plots[PLOT_COUNT] = {
	[PLOT_TOKENS] = { "tokens", "Cumulative tokens by role" },
	[PLOT_COSTS] = { "costs", "Dollars by component" },
	[PLOT_CROSSOVER] = { "crossover", "API against a self-hosted fleet: monthly cost" },
	[PLOT_ARCHIVE] = { "archive", "Archive size and checkout I/O per iteration" },
	[PLOT_CRITICAL_PATH] = { "critical_path", "The critical path: where the wall time goes" },
	[PLOT_MONTHLY] = { "monthly", "Dollars per calendar month by component, and runs active" },
	[PLOT_SENSITIVITY] = { "sensitivity", "What the assumptions move: the bill at each "
			       "prior's P10 and P90" },
};

const char *plot_name(enum plot_id id)
{
	return plots[id].name;
}

const char *plot_caption(enum plot_id id)
{
	return plots[id].caption;
}

int plots_find_gnuplot(char *path, size_t size)
{
	const char *env = getenv("PATH");
	while (env && *env) {
		size_t len = strcspn(env, ":");
		struct stat st;
		/* An empty entry is the current directory (POSIX). */
		snprintf(path, size, "%.*s/gnuplot", len ? (int)len : 1, len ? env : ".");
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
			return 0;
		env += len + (env[len] == ':');
	}
	return -1;
}

/* What every plot reads: where from and to, the titles' heading, the results. */
struct ctx {
	const char *dir, *out_dir, *gnuplot;
	const cJSON *summary;
	char heading[300];
	struct plots_result *res;
};

/*
 * A plot's gnuplot script, built in memory first so that bad input fails before gnuplot
 * starts and nothing is drawn from half a script.
 */
struct script {
	FILE *out;
	char *text;
	size_t len;
};

static int script_open(struct script *s, struct hc_err *err)
{
	s->text = NULL;
	s->out = open_memstream(&s->text, &s->len);
	return s->out ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
}

/* Discards the script; returns rc. */
static int script_drop(struct script *s, int rc)
{
	fclose(s->out);
	free(s->text);
	return rc;
}

static void sh_quote(char *dst, size_t size, const char *s)
{
	size_t k = 0;
	dst[k++] = '\'';
	for (; *s && k + 6 < size; s++) {
		if (*s == '\'') {
			memcpy(dst + k, "'\\''", 4);
			k += 4;
		} else {
			dst[k++] = *s;
		}
	}
	dst[k++] = '\'';
	dst[k] = '\0';
}

/* The first line gnuplot complained with, for the error message. */
static void gp_complaint(const char *log, char *buf, size_t size)
{
	FILE *f = fopen(log, "r");
	char line[512];
	snprintf(buf, size, "no message");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		const char *t = line + strspn(line, " \t^");
		if (*t && strncmp(t, "gnuplot>", 8)) {
			snprintf(buf, size, "%s", t);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int gp_status(int status, const char *log, enum plot_id id, struct hc_err *err)
{
	char why[300];
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, sizeof(why), "the shell could not run it");
	else
		gp_complaint(log, why, sizeof(why));
	return hc_err_set(err, HC_ERUNTIME, "gnuplot failed drawing the %s plot (status %d): %s",
			  plots[id].name, status == -1 || !WIFEXITED(status) ? -1
					  : WEXITSTATUS(status), why);
}

/* Checks that gnuplot wrote both files: an exit status of 0 alone does not prove it. */
static int gp_wrote(const struct ctx *c, enum plot_id id, struct hc_err *err)
{
	static const char *const ext[] = { "png", "svg" };
	for (int k = 0; k < 2; k++) {
		char path[PATH_LEN + 64];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s.%s", c->out_dir, plots[id].name, ext[k]);
		if (stat(path, &st) || st.st_size == 0)
			return hc_err_set(err, HC_ERUNTIME, "gnuplot wrote no %s.%s (is it built "
					  "with the pngcairo and svg terminals?)", plots[id].name,
					  ext[k]);
	}
	return 0;
}

/*
 * Runs gnuplot on the script (which it consumes). gnuplot's stdout and stderr go to a log
 * beside the plots, read back for the message when it fails, then removed.
 */
static int gp_run(const struct ctx *c, enum plot_id id, struct script *s, struct hc_err *err)
{
	char log[PATH_LEN + 32], qbin[2 * PATH_LEN], qlog[2 * PATH_LEN + 64];
	char cmd[4 * PATH_LEN + 128];
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	if (fclose(s->out)) {
		free(s->text);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	snprintf(log, sizeof(log), "%s/.gnuplot-log", c->out_dir);
	sh_quote(qbin, sizeof(qbin), c->gnuplot);
	sh_quote(qlog, sizeof(qlog), log);
	snprintf(cmd, sizeof(cmd), "%s >%s 2>&1", qbin, qlog);
	/* A gnuplot that dies early must fail this plot, not kill hypercap with SIGPIPE. */
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &old);
	FILE *pipe = popen(cmd, "w");
	int rc = 0;
	if (!pipe) {
		rc = hc_err_set(err, HC_ERUNTIME, "cannot run '%s': %s", c->gnuplot,
				strerror(errno));
	} else {
		fputs("set encoding utf8\nset grid lc rgb '#dddddd'\n", pipe);
		fwrite(s->text, 1, s->len, pipe);
		int unread = fflush(pipe) != 0 || ferror(pipe);
		rc = gp_status(pclose(pipe), log, id, err);
		if (!rc && unread)
			rc = hc_err_set(err, HC_ERUNTIME, "gnuplot stopped reading the %s plot's "
					"script", plots[id].name);
	}
	if (!rc)
		rc = gp_wrote(c, id, err);
	sigaction(SIGPIPE, &old, NULL);
	remove(log);
	free(s->text);
	return rc;
}

/* A gnuplot single-quoted string: '' stands for a quote; control characters become spaces. */
static void gp_str(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", out);
		else
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
	}
	fputc('\'', out);
}

/* A number in a datablock; NaN is an undefined point to gnuplot. */
static void gp_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, " %.9g", v);
	else
		fputs(" NaN", out);
}

static void gp_title(FILE *out, const struct ctx *c, const char *what)
{
	char t[600];
	snprintf(t, sizeof(t), "%s: %s", c->heading, what);
	fputs("set title ", out);
	gp_str(out, t);
	fputs(" font ',13'\n", out);
}

/* Sets the PNG terminal and output; the "plot" command follows, then gp_svg. */
static void gp_png(FILE *out, const struct ctx *c, enum plot_id id)
{
	char path[PATH_LEN + 64];
	fputs("set terminal pngcairo noenhanced " SIZE " font 'Sans,11'\nset output ", out);
	snprintf(path, sizeof(path), "%s/%s.png", c->out_dir, plots[id].name);
	gp_str(out, path);
	fputc('\n', out);
}

/* Draws the plot just drawn as PNG again as SVG. */
static void gp_svg(FILE *out, const struct ctx *c, enum plot_id id)
{
	char path[PATH_LEN + 64];
	fputs("set terminal svg noenhanced " SIZE " font 'Sans,11' background 'white'\n"
	      "set output ", out);
	snprintf(path, sizeof(path), "%s/%s.svg", c->out_dir, plots[id].name);
	gp_str(out, path);
	fputs("\nreplot\nset output\n", out);
}

static void set_note(struct ctx *c, enum plot_id id, const char *why)
{
	snprintf(c->res->note[id], sizeof(c->res->note[id]), "%s", why);
}

/*
 * dir/name into path: 1 when absent (the plot is skipped and the note says why). Every
 * plot_* function below returns 0 when it drew, 1 when it skipped and a negative code on
 * failure.
 */
static int input_path(struct ctx *c, enum plot_id id, const char *name, char *path,
		      size_t size)
{
	char why[100];
	snprintf(path, size, "%s/%s", c->dir, name);
	if (!access(path, F_OK))
		return 0;
	snprintf(why, sizeof(why), "no %s in this directory", name);
	set_note(c, id, why);
	return 1;
}

/* Reads dir/name whole: 1 when absent, as input_path. */
static int load_input(struct ctx *c, enum plot_id id, const char *name, struct csvtab *t,
		      struct hc_err *err)
{
	char path[PATH_LEN + 64];
	int rc = input_path(c, id, name, path, sizeof(path));
	return rc ? rc : csvtab_load(t, path, err);
}

/* ---- 1. cumulative tokens by role ---- */

/* The datablock: iteration, then P10 P50 P90 of self_modify, evaluate, total (millions). */
static int token_block(FILE *out, const struct plotdata_tokens *a, struct hc_err *err)
{
	size_t iters = a->iters;
	double *q = malloc(9 * iters * sizeof(*q));
	int rc = !q ? hc_err_set(err, HC_ERUNTIME, "out of memory") : 0;
	for (int k = 0; !rc && k < 3; k++)
		rc = plotdata_tokens_band(a, (enum plotdata_series)k, q + 3 * (size_t)k * iters,
					  q + (3 * (size_t)k + 1) * iters,
					  q + (3 * (size_t)k + 2) * iters, err);
	if (!rc) {
		fputs("$d << EOD\n", out);
		for (size_t i = 0; i < iters; i++) {
			fprintf(out, "%zu", i);
			for (size_t k = 0; k < 9; k++)
				gp_num(out, q[k * iters + i] / 1e6);
			fputc('\n', out);
		}
		fputs("EOD\n", out);
	}
	free(q);
	return rc;
}

/* A single iteration is one point, which a line does not draw: points then, and room. */
static void token_plot_cmd(FILE *out, size_t reps, size_t iters)
{
	static const char *const series[] = { "self_modify", "evaluate", "total" };
	const char *style = iters < 2 ? "lp pt 7 ps 1.5" : "l";
	if (iters < 2)
		fputs("set xrange [-0.5:0.5]\nset xtics 1\nset yrange [0:*]\n", out);
	fputs("plot ", out);
	for (int s = 0; s < 3; s++) {
		int col = 2 + 3 * s;
		if (reps > 1)
			fprintf(out, "$d u 1:%d:%d w filledcurves lc %d %s, ", col, col + 2, s + 1,
				s ? "notitle" : "title 'P10-P90 across replications'");
		fprintf(out, "$d u 1:%d w %s lw 2 lc %d title '%s%s'%s", col + 1, style, s + 1,
			series[s], reps > 1 ? " (median)" : "", s < 2 ? ", " : "\n");
	}
}

static int add_token_row(const struct csvtab *t, void *a, struct hc_err *err)
{
	return plotdata_tokens_add(a, t, 0, err);
}

/* iterations.csv in one pass, its rows summed as they are read (it grows with replications). */
static int read_tokens(struct ctx *c, struct plotdata_tokens *a, struct hc_err *err)
{
	char path[PATH_LEN + 64];
	int rc = input_path(c, PLOT_TOKENS, "iterations.csv", path, sizeof(path));
	if (!rc)
		rc = csvtab_each(path, add_token_row, a, err);
	if (!rc)
		rc = plotdata_tokens_end(a, err);
	if (!rc && !a->reps) {
		set_note(c, PLOT_TOKENS, "iterations.csv has no rows (a trace that names no "
			 "iteration)");
		rc = 1;
	}
	return rc;
}

static int plot_tokens(struct ctx *c, struct hc_err *err)
{
	struct plotdata_tokens a = PLOTDATA_TOKENS_INIT;
	struct script s;
	int rc = read_tokens(c, &a, err);
	if (!rc && !(rc = script_open(&s, err)) && (rc = token_block(s.out, &a, err)) != 0)
		script_drop(&s, rc);
	size_t reps = a.reps, iters = a.iters;
	plotdata_tokens_release(&a);
	if (rc)
		return rc;
	gp_title(s.out, c, "cumulative tokens by role");
	fputs("set xlabel 'iteration'\nset ylabel 'cumulative tokens (millions)'\n"
	      "set key top left Left reverse\nset style fill transparent solid 0.2 noborder\n",
	      s.out);
	gp_png(s.out, c, PLOT_TOKENS);
	token_plot_cmd(s.out, reps, iters);
	gp_svg(s.out, c, PLOT_TOKENS);
	if (reps > 1)
		snprintf(c->res->note[PLOT_TOKENS], sizeof(c->res->note[0]), "lines: the median "
			 "over %zu replications; bands: P10 to P90", reps);
	return gp_run(c, PLOT_TOKENS, &s, err);
}

/* ---- 2. dollars by component ---- */

#define MAX_COMPONENTS 32

struct components {
	size_t n;
	double usd[MAX_COMPONENTS], total;
	char label[MAX_COMPONENTS][160];
};

static void add_component(struct components *k, const char *label, const char *name, double usd)
{
	if (!(usd > 0) || k->n == MAX_COMPONENTS)
		return;
	snprintf(k->label[k->n], sizeof(k->label[0]), "%s%s", label, name);
	k->usd[k->n++] = usd;
	k->total += usd;
}

/* API dollars by model (or in one piece), self-hosted GPUs, sandbox compute, storage. */
static void collect_components(const cJSON *cost, struct components *k)
{
	const cJSON *m;
	int split = 0;
	memset(k, 0, sizeof(*k));
	cJSON_ArrayForEach(m, json_get(cost, "by_model", NULL))
		if (cJSON_IsNumber(m) && m->string) {
			add_component(k, "API: ", m->string, m->valuedouble);
			split = 1;
		}
	if (!split)
		add_component(k, "API", "", json_get_num(cost, "api", NULL));
	add_component(k, "self-hosted GPUs", "", json_get_num(cost, "self_hosted", NULL));
	add_component(k, "sandbox compute", "", json_get_num(cost, "compute", NULL));
	add_component(k, "storage", "", json_get_num(cost, "storage", NULL));
}

static void costs_plot_cmd(FILE *out, const struct components *k)
{
	char usd[64], t[300];
	fputs("plot ", out);
	for (size_t i = 0; i < k->n; i++) {
		snprintf(t, sizeof(t), "%s  %s (%.0f%%)", k->label[i],
			 numfmt_usd(k->usd[i], usd, sizeof(usd)), 100 * k->usd[i] / k->total);
		fprintf(out, "%s$d u %zu title ", i ? ", " : "", i + 1);
		gp_str(out, t);
	}
	fputc('\n', out);
}

static int plot_costs(struct ctx *c, struct hc_err *err)
{
	const char *kind = json_get_str(c->summary, "kind", NULL);
	struct components k;
	struct script s;
	char usd[64];
	collect_components(json_get(c->summary, "cost_usd", NULL), &k);
	if (!k.n) {
		set_note(c, PLOT_COSTS, "summary.json has no cost_usd");
		return 1;
	}
	if (script_open(&s, err))
		return HC_ERUNTIME;
	fputs("$d << EOD\n", s.out);
	for (size_t i = 0; i < k.n; i++)
		gp_num(s.out, k.usd[i]);
	fputs("\nEOD\n", s.out);
	gp_title(s.out, c, "dollars by component");
	fprintf(s.out, "set style data histograms\nset style histogram rowstacked\n"
		"set style fill solid 0.85 border -1\nset boxwidth 0.5\nset xrange [-0.75:0.75]\n"
		"set yrange [0:%.9g]\nset xtics ('%s' 0)\nset ylabel 'dollars (USD)'\n"
		"set format y '$%%.%df'\nset key outside right top vertical Left reverse\n"
		"set label 'total %s' at 0,%.9g center offset 0,0.8\n", k.total * 1.1,
		kind && !strcmp(kind, "replay") ? "the recorded trace" : "one run",
		plotdata_axis_decimals(k.total * 1.1),
		numfmt_usd(k.total, usd, sizeof(usd)), k.total);
	gp_png(s.out, c, PLOT_COSTS);
	costs_plot_cmd(s.out, &k);
	gp_svg(s.out, c, PLOT_COSTS);
	return gp_run(c, PLOT_COSTS, &s, err);
}

/* ---- 3. the crossover ---- */

/* Writes the rows with positive volume and costs (log axes); the number written. */
static int crossover_block(FILE *out, const struct csvtab *t, size_t *written,
			   struct hc_err *err)
{
	int col[4];
	if (csvtab_need(t, "tokens_per_month", &col[0], err) ||
	    csvtab_need(t, "api_usd", &col[1], err) ||
	    csvtab_need(t, "self_hosted_usd", &col[2], err))
		return HC_EINPUT;
	col[3] = csvtab_col(t, "self_hosted_continuous_usd");
	*written = 0;
	fputs("$d << EOD\n", out);
	for (size_t i = 0; i < t->n_rows; i++) {
		double v[4] = { NAN, NAN, NAN, NAN };
		for (int k = 0; k < 4; k++)
			if (col[k] >= 0 && csvtab_num(t, i, col[k], &v[k], err))
				return HC_EINPUT;
		if (!(v[0] > 0 && v[1] > 0 && v[2] > 0))
			continue;
		for (int k = 0; k < 4; k++)
			gp_num(out, v[k] > 0 ? v[k] : NAN);
		fputc('\n', out);
		(*written)++;
	}
	fputs("EOD\n", out);
	if (*written < 2)
		return hc_err_set(err, HC_EINPUT, "%s: %zu rows with positive volume and costs; "
				  "allowed: at least 2 to draw", t->path, *written);
	return 0;
}

/* A dashed vertical line at volume x, labelled at height `at` (a share of the graph). */
static void crossover_marker(FILE *out, double x, const char *text, double at, int dt)
{
	fprintf(out, "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt %d lw 1.5 "
		"lc rgb '#444444'\nset label ", x, x, dt);
	gp_str(out, text);
	fprintf(out, " at %.9g, graph %.2f left offset char 0.8,0\n", x, at);
}

static void crossover_marks(FILE *out, struct ctx *c)
{
	const cJSON *x = json_get(c->summary, "crossover", NULL);
	double be = json_get_num(x, "break_even_tokens_per_month", NULL);
	double here = json_get_num(x, "at_scenario_volume", "tokens_per_month");
	char v[32], text[128];
	if (be > 0) {
		snprintf(text, sizeof(text), "break-even: %s tokens/month",
			 numfmt_count(be, v, sizeof(v)));
		crossover_marker(out, be, text, 0.93, 2);
		snprintf(c->res->note[PLOT_CROSSOVER], sizeof(c->res->note[0]), "the fleet costs "
			 "less above %s tokens a month", v);
	} else if (x) {
		set_note(c, PLOT_CROSSOVER, "no break-even: the fleet never costs less");
	}
	if (here > 0) {
		snprintf(text, sizeof(text), "this scenario: %s tokens/month",
			 numfmt_count(here, v, sizeof(v)));
		crossover_marker(out, here, text, 0.86, 3);
	}
}

static void crossover_plot_cmd(FILE *out, const struct ctx *c)
{
	const cJSON *x = json_get(c->summary, "crossover", NULL);
	const char *api = json_get_str(x, "api", NULL);
	const char *serve = json_get_str(x, "serve_model", NULL);
	const char *gpu = json_get_str(x, "gpu", NULL);
	double gpus = json_get_num(x, "replica", "gpus");
	char t[300];
	fputs("plot $d u 1:2 w l lw 2 lc 1 title ", out);
	snprintf(t, sizeof(t), "API: %s", api ? api : "the scenario's models");
	gp_str(out, t);
	fputs(", $d u 1:3 w steps lw 2 lc 2 title ", out);
	if (serve && gpu && gpus > 0)
		snprintf(t, sizeof(t), "fleet: %s on %s, whole replicas of %.0f GPU%s", serve, gpu,
			 gpus, gpus == 1 ? "" : "s");
	else
		snprintf(t, sizeof(t), "self-hosted fleet, whole replicas");
	gp_str(out, t);
	fputs(", $d u 1:4 w l dt 2 lw 1.5 lc 2 title 'fleet if replicas were divisible'\n", out);
}

static int plot_crossover(struct ctx *c, struct hc_err *err)
{
	struct csvtab t;
	struct script s;
	size_t n;
	int rc = load_input(c, PLOT_CROSSOVER, "crossover.csv", &t, err);
	if (rc)
		return rc;
	rc = script_open(&s, err);
	if (!rc && (rc = crossover_block(s.out, &t, &n, err)) != 0)
		script_drop(&s, rc);
	csvtab_release(&t);
	if (rc)
		return rc;
	gp_title(s.out, c, "monthly cost, API against a self-hosted fleet");
	fputs("set logscale xy\nset format x '%.0s%c'\nset format y '$%.0s%c'\n"
	      "set xlabel 'monthly token volume (tokens/month; k = 10^3, M = 10^6, G = 10^9)'\n"
	      "set ylabel 'monthly cost (USD/month)'\nset key bottom right\n", s.out);
	crossover_marks(s.out, c);
	gp_png(s.out, c, PLOT_CROSSOVER);
	crossover_plot_cmd(s.out, c);
	gp_svg(s.out, c, PLOT_CROSSOVER);
	return gp_run(c, PLOT_CROSSOVER, &s, err);
}

/* ---- 4. archive bytes and checkout I/O ---- */

enum { A_ITER, A_BYTES, A_P10, A_P90, A_CHECKOUT, A_COLS };

struct archive_series {
	size_t n;
	double *v[A_COLS]; /* one array per column, n values each; NaN when empty */
	double max;
};

static void archive_free(struct archive_series *a)
{
	for (int k = 0; k < A_COLS; k++)
		free(a->v[k]);
}

static int archive_read(const struct csvtab *t, struct archive_series *a, struct hc_err *err)
{
	static const char *const names[A_COLS] = { "iteration", "archive_bytes",
		"archive_bytes_p10", "archive_bytes_p90", "checkout_bytes" };
	int col[A_COLS];
	memset(a, 0, sizeof(*a));
	for (int k = 0; k < A_COLS; k++)
		if (k == A_P10 || k == A_P90)
			col[k] = csvtab_col(t, names[k]);
		else if (csvtab_need(t, names[k], &col[k], err))
			return HC_EINPUT;
	if (t->n_rows < 1)
		return hc_err_set(err, HC_EINPUT, "%s: no rows; allowed: one row per iteration",
				  t->path);
	a->n = t->n_rows;
	for (int k = 0; k < A_COLS; k++)
		if (!(a->v[k] = malloc(a->n * sizeof(double))))
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; i < a->n; i++)
		for (int k = 0; k < A_COLS; k++) {
			a->v[k][i] = NAN;
			if (col[k] >= 0 && csvtab_num(t, i, col[k], &a->v[k][i], err))
				return HC_EINPUT;
			if (k != A_ITER && a->v[k][i] > a->max)
				a->max = a->v[k][i];
		}
	return 0;
}

/* Fits y against iteration over the rows from iteration `from` with a value. */
static int archive_fit(const struct archive_series *a, int k, double from, struct growth_fit *g)
{
	double *x = malloc(a->n * sizeof(*x)), *y = malloc(a->n * sizeof(*y));
	size_t m = 0;
	int rc = -1;
	for (size_t i = 0; x && y && i < a->n; i++)
		if (a->v[A_ITER][i] >= from && isfinite(a->v[k][i])) {
			x[m] = a->v[A_ITER][i];
			y[m++] = a->v[k][i];
		}
	if (x && y)
		rc = plotdata_growth_fit(x, y, m, g, NULL);
	free(x);
	free(y);
	return rc;
}

/* "archive: linear, +3.19 MB per iteration (R² 0.9998; quadratic 0.9999)". */
static void law_text(const char *what, const struct growth_fit *g, char *buf, size_t size)
{
	char v[32];
	if (g->quadratic)
		snprintf(buf, size, "%s: quadratic, %s%s per iteration² (R² %.4f; linear %.4f)",
			 what, g->quad[2] < 0 ? "-" : "+",
			 numfmt_bytes(fabs(g->quad[2]), v, sizeof(v)), g->r2_quad, g->r2_lin);
	else
		snprintf(buf, size, "%s: linear, %s%s per iteration (R² %.4f; quadratic %.4f)",
			 what, g->lin[1] < 0 ? "-" : "+",
			 numfmt_bytes(fabs(g->lin[1]), v, sizeof(v)),
			 g->r2_lin, g->r2_quad);
}

/* Defines gnuplot function f(x) in display units, and writes its key title into buf. */
static void law_function(FILE *out, const char *f, const char *what, const struct growth_fit *g,
			 double unit, char *buf, size_t size)
{
	if (g->quadratic)
		fprintf(out, "%s(x) = %.9g + %.9g * x + %.9g * x**2\n", f, g->quad[0] / unit,
			g->quad[1] / unit, g->quad[2] / unit);
	else
		fprintf(out, "%s(x) = %.9g + %.9g * x\n", f, g->lin[0] / unit, g->lin[1] / unit);
	law_text(what, g, buf, size);
}

static void archive_block(FILE *out, const struct archive_series *a, double unit, int *band)
{
	*band = 0;
	fputs("$d << EOD\n", out);
	for (size_t i = 0; i < a->n; i++) {
		for (int k = 0; k < A_COLS; k++)
			gp_num(out, k == A_ITER ? a->v[k][i] : a->v[k][i] / unit);
		fputc('\n', out);
		*band |= isfinite(a->v[A_P10][i]) && isfinite(a->v[A_P90][i]);
	}
	fputs("EOD\n", out);
}

static void archive_plot(struct ctx *c, FILE *out, const struct archive_series *a)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	struct growth_fit ga, gc;
	char law_a[200] = "", law_c[200] = "", label[64];
	double unit = 1;
	int u = 0, band;
	while (a->max / unit >= 1000 && u < 5) {
		unit *= 1000;
		u++;
	}
	archive_block(out, a, unit, &band);
	/* Iteration 0 is the initial agent: no rebuild, so no checkout, precedes it. */
	int fit_a = !archive_fit(a, A_BYTES, 0, &ga), fit_c = !archive_fit(a, A_CHECKOUT, 1, &gc);
	if (fit_a)
		law_function(out, "fa", "archive", &ga, unit, law_a, sizeof(law_a));
	if (fit_c)
		law_function(out, "fc", "checkout per iteration", &gc, unit, law_c, sizeof(law_c));
	snprintf(c->res->note[PLOT_ARCHIVE], sizeof(c->res->note[0]), "%s%s%s", law_a,
		 *law_a && *law_c ? "; " : "", law_c);
	gp_title(out, c, "archive size and checkout I/O per iteration");
	snprintf(label, sizeof(label), "bytes (%s)", units[u]);
	fputs("set xlabel 'iteration'\nset ylabel ", out);
	gp_str(out, label);
	/* Headroom above the data for the key and its growth laws. */
	fprintf(out, "\nset key top left Left reverse\n"
		"set style fill transparent solid 0.2 noborder\nset yrange [0:%.9g]\n",
		a->max > 0 ? 1.35 * a->max / unit : 1);
	gp_png(out, c, PLOT_ARCHIVE);
	fputs("plot ", out);
	if (band)
		fputs("$d u 1:3:4 w filledcurves lc 1 title 'archive P10-P90', ", out);
	fputs("$d u 1:2 w l lw 2 lc 1 title 'archive size at the iteration''s end', ", out);
	if (fit_a) {
		fputs("fa(x) w l dt 2 lw 1.5 lc 1 title ", out);
		gp_str(out, law_a);
		fputs(", ", out);
	}
	/* Points help up to a hundred iterations; beyond, they merge into a thick line. */
	fprintf(out, "$d u 1:5 w %s lw 1.5 lc 2 title 'checkout bytes read in the iteration'",
		a->n <= 100 ? "lp pt 7 ps 0.4" : "l");
	if (fit_c) {
		fputs(", fc(x) w l dt 2 lw 1.5 lc 2 title ", out);
		gp_str(out, law_c);
	}
	fputc('\n', out);
	gp_svg(out, c, PLOT_ARCHIVE);
}

static int plot_archive(struct ctx *c, struct hc_err *err)
{
	struct csvtab t;
	struct archive_series a;
	struct script s;
	int rc = load_input(c, PLOT_ARCHIVE, "archive.csv", &t, err);
	if (rc)
		return rc;
	rc = archive_read(&t, &a, err);
	csvtab_release(&t);
	if (!rc)
		rc = script_open(&s, err);
	if (!rc)
		archive_plot(c, s.out, &a);
	archive_free(&a);
	return rc ? rc : gp_run(c, PLOT_ARCHIVE, &s, err);
}

/* ---- 5. the critical path ---- */

static const char *const phase_labels[][2] = {
	{ "rebuild", "rebuilds" }, { "self_modify", "self-modification" },
	{ "eval_queue", "evaluation queues" }, { "sandbox", "sandboxes" },
	{ "gpu_simulator", "GPU simulators" }, { "batch_wait", "batch waits" },
};

#define PHASES (sizeof(phase_labels) / sizeof(phase_labels[0]))

/* One bar per phase of summary.json's critical_path: its share of wall time and hours. */
static int plot_critical_path(struct ctx *c, struct hc_err *err)
{
	const cJSON *cp = json_get(c->summary, "critical_path", NULL);
	double hours = json_get_num(c->summary, "wall_time_hours", NULL), top = 0;
	struct script s;
	char t[200];
	size_t most = 0;
	if (!cp || !(hours > 0)) {
		set_note(c, PLOT_CRITICAL_PATH, "summary.json has no critical_path");
		return 1;
	}
	if (script_open(&s, err))
		return HC_ERUNTIME;
	fputs("$d << EOD\n", s.out);
	for (size_t i = 0; i < PHASES; i++) {
		double share = json_get_num(cp, phase_labels[i][0], "share");
		double h = json_get_num(cp, phase_labels[i][0], "hours");
		fprintf(s.out, "\"%s\"", phase_labels[i][1]);
		gp_num(s.out, isfinite(share) ? 100 * share : 0);
		gp_num(s.out, isfinite(h) ? h : 0);
		fputc('\n', s.out);
		if (share > top) {
			top = share;
			most = i;
		}
	}
	fputs("EOD\n", s.out);
	snprintf(t, sizeof(t), "the critical path: where the %.1f hours of wall time go", hours);
	gp_title(s.out, c, t);
	fprintf(s.out, "set style fill solid 0.85 border -1\nset boxwidth 0.6\nset xrange [-0.6:%zu.6]"
		"\nset yrange [0:%.9g]\nset ylabel 'share of wall time (%%)'\nset key off\n",
		PHASES - 1, top * 100 * 1.2 + 1);
	gp_png(s.out, c, PLOT_CRITICAL_PATH);
	fputs("plot $d u 0:2:xtic(1) w boxes lc rgb '#3a6ea5', "
	      "$d u 0:2:(sprintf('%.1f%% (%.1f h)', $2, $3)) w labels offset 0,0.8\n", s.out);
	gp_svg(s.out, c, PLOT_CRITICAL_PATH);
	snprintf(c->res->note[PLOT_CRITICAL_PATH], sizeof(c->res->note[0]), "%s hold %.1f%% of "
		 "the wall time", phase_labels[most][1], 100 * top);
	return gp_run(c, PLOT_CRITICAL_PATH, &s, err);
}

/* ---- 6. dollars per calendar month ---- */

/* monthly.csv's columns the plot draws: the month, the components stacked, runs active. */
static const char *const monthly_cols[] = { "month", "usd_api", "usd_self_hosted",
	"usd_storage", "usd_compute", "runs_active" };
static const char *const monthly_titles[] = { "", "API", "self-hosted GPUs", "storage",
	"sandbox compute" };
#define MONTHLY_COLS (sizeof(monthly_cols) / sizeof(monthly_cols[0]))
#define MONTHLY_PARTS 4

/* The datablock, one row a month; drawn[k]: component k has dollars in some month. */
static int monthly_block(FILE *out, const struct csvtab *t, int drawn[MONTHLY_PARTS + 1],
			 double *top, struct hc_err *err)
{
	int col[MONTHLY_COLS];
	for (size_t k = 0; k < MONTHLY_COLS; k++)
		if (csvtab_need(t, monthly_cols[k], &col[k], err))
			return HC_EINPUT;
	memset(drawn, 0, (MONTHLY_PARTS + 1) * sizeof(*drawn));
	*top = 0;
	fputs("$d << EOD\n", out);
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *month = csvtab_cell(t, i, col[0]);
		double stack = 0;
		/* a datablock's string is double-quoted: the month's digits and '-' only */
		fprintf(out, "\"%.7s\"", month && strspn(month, "0123456789-") == strlen(month)
			? month : "?");
		for (size_t k = 1; k < MONTHLY_COLS; k++) {
			double v;
			if (csvtab_num(t, i, col[k], &v, err))
				return HC_EINPUT;
			gp_num(out, v);
			if (k <= MONTHLY_PARTS && v > 0) {
				drawn[k] = 1;
				stack += v;
			}
		}
		*top = fmax(*top, stack);
		fputc('\n', out);
	}
	fputs("EOD\n", out);
	return 0;
}

/* Stacked bars of the components with dollars, runs active on the right axis. */
static void monthly_plot_cmd(FILE *out, const int drawn[MONTHLY_PARTS + 1], size_t months)
{
	size_t every = months > 24 ? (months + 23) / 24 : 1; /* at most 24 month labels */
	fputs("plot ", out);
	for (size_t k = 1; k <= MONTHLY_PARTS; k++) {
		if (!drawn[k])
			continue;
		fprintf(out, "$d u %zu:xtic(int($0) %% %zu == 0 ? strcol(1) : '') lc %zu title '%s', ",
			k + 1, every, k, monthly_titles[k]);
	}
	fprintf(out, "$d u 0:%zu axes x1y2 w %s lw 2 lc rgb '#222222' title "
		"'runs active (right axis)'\n", MONTHLY_COLS,
		months < 2 ? "lp pt 7 ps 1.5" : "lp pt 7 ps 0.5");
}

/* What the plot assumes: the schedule, the loops at once, the spreading, the replications. */
static void monthly_note(struct ctx *c, size_t months)
{
	const char *schedule = json_get_str(c->summary, "monthly", "schedule");
	double runs = json_get_num(c->summary, "replications", NULL);
	snprintf(c->res->note[PLOT_MONTHLY], sizeof(c->res->note[0]), "per calendar month (UTC) "
		 "from --start, %zu month%s, schedule %s; each run's dollars spread evenly over "
		 "its wall time; means over %.0f replication%s (monthly.csv, with P10/P50/P90)",
		 months, months == 1 ? "" : "s", schedule ? schedule : "cadence",
		 runs >= 1 ? runs : 1, runs > 1 ? "s" : "");
}

static int plot_monthly(struct ctx *c, struct hc_err *err)
{
	struct csvtab t;
	struct script s;
	int drawn[MONTHLY_PARTS + 1], any = 0;
	double top;
	int rc = load_input(c, PLOT_MONTHLY, "monthly.csv", &t, err);
	if (rc)
		return rc;
	size_t months = t.n_rows;
	rc = script_open(&s, err);
	if (!rc && (rc = monthly_block(s.out, &t, drawn, &top, err)) != 0)
		script_drop(&s, rc);
	csvtab_release(&t);
	if (rc)
		return rc;
	for (size_t k = 1; k <= MONTHLY_PARTS; k++)
		any |= drawn[k];
	if (!any) {
		set_note(c, PLOT_MONTHLY, "monthly.csv has no dollars in any month");
		return script_drop(&s, 1);
	}
	gp_title(s.out, c, "dollars per calendar month by component, and runs active");
	fprintf(s.out, "set format y '$%%.%df'\n", plotdata_axis_decimals(top * 1.1));
	fputs("set style data histograms\nset style histogram rowstacked\n"
	      "set style fill solid 0.85 border -1\nset boxwidth 0.75\nset yrange [0:*]\n"
	      "set y2range [0:*]\nset ytics nomirror\nset y2tics\n"
	      "set ylabel 'dollars per calendar month (USD)'\n"
	      "set y2label 'runs active (mean over the month)'\nset xtics rotate by -45\n"
	      "set key outside below horizontal\n", s.out);
	gp_png(s.out, c, PLOT_MONTHLY);
	monthly_plot_cmd(s.out, drawn, months);
	gp_svg(s.out, c, PLOT_MONTHLY);
	monthly_note(c, months);
	return gp_run(c, PLOT_MONTHLY, &s, err);
}

/* ---- 7. sensitivity: a tornado of the priors ---- */

#define TORNADO_ROWS 10

/* A prior's value in summary.json (a number or a choice's name) as a label. */
static void value_label(const cJSON *v, char *buf, size_t size)
{
	if (cJSON_IsString(v))
		snprintf(buf, size, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(buf, size, "%.4g", v->valuedouble);
	else
		snprintf(buf, size, "?");
}

/* One row of the tornado: the field, its mean cost at the low and high ends, the values. */
static void tornado_row(FILE *out, const cJSON *row)
{
	char low[64], high[64];
	value_label(json_get(row, "low", NULL), low, sizeof(low));
	value_label(json_get(row, "high", NULL), high, sizeof(high));
	fputc('"', out);
	for (const char *p = json_get_str(row, "path", NULL); p && *p; p++)
		fputc(*p == '"' || (unsigned char)*p < 0x20 ? ' ' : *p, out);
	fputc('"', out);
	gp_num(out, json_get_num(row, "cost_usd", "at_low"));
	gp_num(out, json_get_num(row, "cost_usd", "at_high"));
	fprintf(out, " \"%s -> %s\"\n", low, high);
}

/* One bar per prior of summary.json's sensitivity, from its P10 run's cost to its P90's. */
static int plot_sensitivity(struct ctx *c, struct hc_err *err)
{
	const cJSON *rows = json_get(c->summary, "sensitivity", "rows"), *row;
	double mean = json_get_num(c->summary, "cost_usd", "total");
	int n = cJSON_GetArraySize(rows), shown = n < TORNADO_ROWS ? n : TORNADO_ROWS, i = 0;
	struct script s;
	if (n < 1) {
		set_note(c, PLOT_SENSITIVITY, "the scenario has no priors (summary.json has no "
			 "sensitivity)");
		return 1;
	}
	if (script_open(&s, err))
		return HC_ERUNTIME;
	fputs("$d << EOD\n", s.out);
	cJSON_ArrayForEach(row, rows)
		if (i++ < shown)
			tornado_row(s.out, row);
	fputs("EOD\n", s.out);
	gp_title(s.out, c, "the bill at each prior's P10 and P90");
	fprintf(s.out, "set style fill solid 0.85 border -1\nset yrange [%d.5:-0.5]\n"
		"set xlabel 'mean cost of the run (USD), paired replications'\nset key off\n"
		"set lmargin 48\nset rmargin 16\nset grid xtics\nset offsets graph 0.05, "
		"graph 0.12, 0, 0\n", shown - 1);
	if (isfinite(mean))
		fprintf(s.out, "set arrow 1 from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 "
			"lc rgb '#555555'\n", mean, mean);
	gp_png(s.out, c, PLOT_SENSITIVITY);
	fputs("plot $d u (($2 + $3) / 2):0:($2 < $3 ? $2 : $3):($2 < $3 ? $3 : $2):($0 - 0.35):"
	      "($0 + 0.35):ytic(1) w boxxyerror lc rgb '#3a6ea5', "
	      "$d u ($2 < $3 ? $3 : $2):0:(' ' . strcol(4)) w labels left\n", s.out);
	gp_svg(s.out, c, PLOT_SENSITIVITY);
	snprintf(c->res->note[PLOT_SENSITIVITY], sizeof(c->res->note[0]), "%s moves the mean "
		 "bill by $%.2f between its P10 and P90; the dashed line is the forecast's mean",
		 json_get_str(cJSON_GetArrayItem(rows, 0), "path", NULL),
		 fabs(json_get_num(cJSON_GetArrayItem(rows, 0), "cost_usd", "swing")));
	return gp_run(c, PLOT_SENSITIVITY, &s, err);
}

/* "hyperagents-paper, 2026-07-25", or with the prices' date when the run has none. */
static void heading(const cJSON *summary, char *buf, size_t size)
{
	const char *name = json_get_str(summary, "scenario", NULL);
	const char *trace = json_get_str(summary, "trace", "file");
	const char *date = json_get_str(summary, "date", NULL);
	const char *prices = json_get_str(summary, "prices", "date");
	char who[200];
	if (name)
		snprintf(who, sizeof(who), "%s", name);
	else if (trace)
		snprintf(who, sizeof(who), "replay of %s", strrchr(trace, '/') ?
			 strrchr(trace, '/') + 1 : trace);
	else
		snprintf(who, sizeof(who), "hypercap");
	if (date)
		snprintf(buf, size, "%s, %s", who, date);
	else if (prices)
		snprintf(buf, size, "%s, prices of %s", who, prices);
	else
		snprintf(buf, size, "%s", who);
}

int plots_draw(const char *dir, const char *out_dir, const char *gnuplot, const cJSON *summary,
	       struct plots_result *res, struct hc_err *err)
{
	static int (*const draw[PLOT_COUNT])(struct ctx *, struct hc_err *) = {
		[PLOT_TOKENS] = plot_tokens,
		[PLOT_COSTS] = plot_costs,
		[PLOT_CROSSOVER] = plot_crossover,
		[PLOT_ARCHIVE] = plot_archive,
		[PLOT_CRITICAL_PATH] = plot_critical_path,
		[PLOT_MONTHLY] = plot_monthly,
		[PLOT_SENSITIVITY] = plot_sensitivity,
	};
	struct ctx c = { .dir = dir, .out_dir = out_dir, .gnuplot = gnuplot, .summary = summary,
			 .res = res };
	memset(res, 0, sizeof(*res));
	heading(summary, c.heading, sizeof(c.heading));
	for (int id = 0; id < PLOT_COUNT; id++) {
		int rc = draw[id](&c, err);
		if (rc < 0)
			return rc;
		res->drawn[id] = rc == 0;
	}
	return 0;
}
