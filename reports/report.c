/* report: plots and report.html drawn from a results directory. Contracts in report.h. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/jsonfile.h"
#include "reports/html.h"
#include "reports/report.h"
#include "reports/results_dir.h"

/* Where the new files are put together before they replace the old ones. */
struct stage {
	const char *dir;
	char path[PATH_MAX + 32];
	char plots[PATH_MAX + 48];
	char gnuplot[PATH_MAX];
};

/* The whole file, or NULL when it cannot be read (the caller decides if that matters). */
static char *read_text(const char *dir, const char *name)
{
	char path[2 * PATH_MAX];
	char *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return jsonfile_read(path, &text, &len, NULL) ? NULL : text;
}

static int load_summary(const char *dir, cJSON **summary, struct hc_err *err)
{
	char path[PATH_MAX + 64];
	char *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	if (access(path, F_OK))
		return hc_err_set(err, HC_EINPUT, "'%s' has no summary.json; allowed: a results "
				  "directory written by simulate, replay or crossover", dir);
	int rc = jsonfile_read(path, &text, &len, err);
	if (rc)
		return rc;
	*summary = jsonfile_parse(text, len, path, err);
	free(text);
	return *summary ? 0 : HC_EINPUT;
}

static int write_page(const struct stage *st, const struct html_page *page,
		      struct hc_err *err)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/report.html", st->path);
	FILE *f = fopen(path, "w");
	if (!f)
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", path,
				  strerror(errno));
	html_write(f, page);
	int failed = ferror(f);
	failed |= fclose(f) != 0;
	if (failed)
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", path,
				  strerror(errno));
	return 0;
}

static int render_page(const struct stage *st, const cJSON *summary,
		       const struct report_result *res, struct hc_err *err)
{
	struct html_page page = { .summary = summary, .plots = &res->plots };
	char name[64];
	page.scenario_text = read_text(st->dir, "scenario.json");
	cJSON *scenario = page.scenario_text ? cJSON_Parse(page.scenario_text) : NULL;
	page.scenario = scenario;
	if (res->gnuplot_missing)
		page.plots_skipped = REPORT_NO_GNUPLOT;
	for (int id = 0; id < PLOT_COUNT; id++) {
		snprintf(name, sizeof(name), "%s.svg", plot_name((enum plot_id)id));
		if (res->plots.drawn[id])
			page.svg[id] = read_text(st->plots, name);
	}
	int rc = write_page(st, &page, err);
	for (int id = 0; id < PLOT_COUNT; id++)
		free((char *)page.svg[id]);
	cJSON_Delete(scenario);
	free((char *)page.scenario_text);
	return rc;
}

/* Moves the staged plots/ and report.html into dir, the old plots/ out of the way first. */
static int install(const struct stage *st, int with_plots, struct hc_err *err)
{
	char from[PATH_MAX + 64], to[PATH_MAX + 64];
	struct stat sb;
	if (with_plots) {
		snprintf(to, sizeof(to), "%s/plots", st->dir);
		snprintf(from, sizeof(from), "%s/old-plots", st->path);
		int had_plots = !lstat(to, &sb);
		if (had_plots && rename(to, from))
			return hc_err_set(err, HC_ERUNTIME, "cannot replace '%s': %s", to,
					  strerror(errno));
		if (rename(st->plots, to)) {
			int e = errno;
			if (had_plots)
				rename(from, to);
			return hc_err_set(err, HC_ERUNTIME, "cannot rename '%s' to '%s': %s",
					  st->plots, to, strerror(e));
		}
	}
	snprintf(from, sizeof(from), "%s/report.html", st->path);
	snprintf(to, sizeof(to), "%s/report.html", st->dir);
	if (rename(from, to))
		return hc_err_set(err, HC_ERUNTIME, "cannot rename '%s' to '%s': %s", from, to,
				  strerror(errno));
	return 0;
}

/* Removes the staging directory: what is left is the old plots, or everything on failure. */
static void stage_end(struct stage *st)
{
	results_dir_remove_tree(st->path);
	results_dir_untrack(st->path);
}

static int stage_begin(struct stage *st, const char *dir, int with_plots, struct hc_err *err)
{
	st->dir = dir;
	snprintf(st->path, sizeof(st->path), "%s/.report-XXXXXX", dir);
	if (!mkdtemp(st->path))
		return hc_err_set(err, HC_ERUNTIME, "cannot create a directory in '%s': %s", dir,
				  strerror(errno));
	snprintf(st->plots, sizeof(st->plots), "%s/plots", st->path);
	int rc = results_dir_track(st->path, err);
	if (!rc && with_plots && mkdir(st->plots, 0777))
		rc = hc_err_set(err, HC_ERUNTIME, "cannot create '%s': %s", st->plots,
				strerror(errno));
	if (rc)
		stage_end(st);
	return rc;
}

int report_render(const char *dir, int require_plots, struct report_result *res,
		  struct hc_err *err)
{
	struct stage st;
	memset(res, 0, sizeof(*res));
	res->gnuplot_missing = plots_find_gnuplot(st.gnuplot, sizeof(st.gnuplot)) != 0;
	if (res->gnuplot_missing && require_plots)
		return hc_err_set(err, HC_ERUNTIME, "plots required (--require-plots) but gnuplot "
				  "is not on PATH; install it (Debian: apt-get install "
				  "gnuplot-nox)");
	cJSON *summary = NULL;
	int rc = load_summary(dir, &summary, err);
	if (rc)
		return rc;
	rc = stage_begin(&st, dir, !res->gnuplot_missing, err);
	if (rc) {
		cJSON_Delete(summary);
		return rc;
	}
	if (!res->gnuplot_missing)
		rc = plots_draw(dir, st.plots, st.gnuplot, summary, &res->plots, err);
	if (!rc)
		rc = render_page(&st, summary, res, err);
	if (!rc)
		rc = install(&st, !res->gnuplot_missing, err);
	stage_end(&st);
	cJSON_Delete(summary);
	return rc;
}
