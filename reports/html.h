/*
 * html: report.html, one self-contained page (inline CSS, plots inline as SVG, no scripts and
 * nothing fetched): the headline numbers in plain words, the plots, the tables by role and
 * model, the dollars by component, the effective scenario and the source and date of every
 * price. Everything read from files is HTML-escaped. docs/report.md describes the page.
 */
#ifndef REPORTS_HTML_H
#define REPORTS_HTML_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "reports/plots.h"

struct html_page {
	const cJSON *summary;      /* summary.json */
	const cJSON *scenario;     /* scenario.json, or NULL */
	const char *scenario_text; /* scenario.json as written, or NULL */
	const struct plots_result *plots; /* NULL when the plots were not drawn at all */
	const char *svg[PLOT_COUNT]; /* each drawn plot's SVG file, or NULL */
	const char *plots_skipped;   /* why no plot was drawn (gnuplot missing), or NULL */
};

/* Writes the page; the caller checks out for write errors. */
void html_write(FILE *out, const struct html_page *p);

/* Writes s with &, <, >, " and ' escaped. */
void html_escape(FILE *out, const char *s);

/*
 * Writes a gnuplot SVG file inline: from its <svg> element on, without gnuplot's <title>
 * elements, with every id (and every reference to one) prefixed by prefix, so that several
 * plots share one page without their ids colliding.
 */
void html_inline_svg(FILE *out, const char *svg, const char *prefix);

#endif
