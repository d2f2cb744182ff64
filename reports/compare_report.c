/* compare_report: compare's report.html. Contracts in compare_report.h. */
#include <ctype.h>
#include <math.h>
#include "reports/compare_report.h"
#include "reports/crossover_out.h"
#include "reports/html.h"
#include "reports/numfmt.h"

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
	"max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}"
	"h2{margin-top:2em;border-bottom:1px solid #ddd}.meta{color:#666}"
	"figure{margin:1em 0}figure svg{max-width:100%;height:auto;display:block;"
	"border:1px solid #eee}"
	"table{border-collapse:collapse;margin:0.5em 0}"
	"th,td{padding:0.25em 0.8em;border-bottom:1px solid #e3e3e3;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	".verdict{background:#f5f7fa;border-left:4px solid #3a6ea5;padding:0.5em 1em}";

/* The parts of the bill drawn, per run and per month, and their colours. */
#define PARTS 5
static const enum compare_metric per_run[PARTS] = {
	COMPARE_API, COMPARE_SELF_HOSTED, COMPARE_STORAGE, COMPARE_COMPUTE, COMPARE_TOTAL,
};
static const enum compare_metric per_month[PARTS] = {
	COMPARE_MONTHLY_API, COMPARE_MONTHLY_SELF_HOSTED, COMPARE_MONTHLY_STORAGE,
	COMPARE_MONTHLY_COMPUTE, COMPARE_MONTHLY_TOTAL,
};
static const char *const part_labels[PARTS] = {
	"API", "self-hosted", "storage", "compute", "total",
};
static const char *const colours[PARTS] = {
	"#3a6ea5", "#7a5195", "#ef7f1a", "#2a9d8f", "#444444",
};

/* The chart's geometry, in SVG units. */
#define LABEL_W 110.0
#define PANEL_W 330.0
#define GAP 80.0 /* holds the figures written right of the bars */
#define ROW_H 26.0
#define TOP 34.0

/* Dollars: numfmt_usd from $1 on; below, three significant digits ("$0.0146"), so that a
 * change of a cent in storage reads as what it is. */
static const char *usd(double v, char *buf, size_t size)
{
	if (fabs(v) >= 1 || v == 0)
		return numfmt_usd(v, buf, size);
	snprintf(buf, size, "%s$%#.3g", v < 0 ? "-" : "", fabs(v));
	return buf;
}

/* "+$1.23", "-$0.00450", "$0.00" for exactly 0. */
static const char *signed_usd(double v, char *buf, size_t size)
{
	char abs_text[32];
	usd(fabs(v), abs_text, sizeof(abs_text));
	snprintf(buf, size, "%s%s", v > 0 ? "+" : v < 0 ? "-" : "", abs_text);
	return buf;
}

/* The panel's value range: 0 and every mean, P10 and P90 in it; [0, 1] when all are 0. */
static void panel_range(const struct compare_delta *d, const enum compare_metric *m,
			double *lo, double *hi)
{
	*lo = *hi = 0;
	for (int k = 0; k < PARTS; k++) {
		const struct compare_delta *x = &d[m[k]];
		*lo = fmin(*lo, fmin(x->mean, x->p10));
		*hi = fmax(*hi, fmax(x->mean, x->p90));
	}
	if (*hi == *lo)
		*hi = 1;
}

/* One panel: a zero line, per part a bar of the mean change and a P10-P90 whisker. */
static void panel(FILE *out, const struct compare_delta *d, const enum compare_metric *m,
		  double x0, const char *title)
{
	double lo, hi;
	panel_range(d, m, &lo, &hi);
	double scale = PANEL_W / (hi - lo), zero = x0 + (0 - lo) * scale;
	double bottom = TOP + PARTS * ROW_H;
	fprintf(out, "<text x=\"%.1f\" y=\"18\" font-weight=\"bold\">%s</text>\n", x0, title);
	fprintf(out, "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#888\"/>\n", zero, TOP - 4, zero, bottom);
	for (int k = 0; k < PARTS; k++) {
		const struct compare_delta *x = &d[m[k]];
		double y = TOP + k * ROW_H, mid = y + ROW_H / 2 - 2;
		double a = x0 + (fmin(0, x->mean) - lo) * scale;
		double w = fabs(x->mean) * scale;
		char text[40];
		fprintf(out, "<rect class=\"delta\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>\n", a, y + 4, w,
			ROW_H - 12, colours[k], part_labels[k],
			signed_usd(x->mean, text, sizeof(text)));
		double p10 = x0 + (x->p10 - lo) * scale, p90 = x0 + (x->p90 - lo) * scale;
		fprintf(out, "<path class=\"whisker\" d=\"M%.2f %.1fH%.2fM%.2f %.1fV%.1fM%.2f %.1fV%.1f\" "
			"stroke=\"#222\" fill=\"none\"/>\n", p10, mid, p90, p10, mid - 5, mid + 5,
			p90, mid - 5, mid + 5);
		/* right of the zero line, the bar and the whisker: into the gap after the panel */
		double tx = fmax(zero, fmax(p90, a + w)) + 4;
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n", tx,
			mid + 4, text);
	}
}

static void chart(FILE *out, const struct compare_out_variant *v)
{
	double width = LABEL_W + 2 * PANEL_W + GAP + 60, height = TOP + PARTS * ROW_H + 10;
	fprintf(out, "<figure><svg class=\"compare-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
		"font-size=\"12\">\n", width, height, width, height);
	for (int k = 0; k < PARTS; k++)
		fprintf(out, "<text x=\"4\" y=\"%.1f\">%s</text>\n", TOP + k * ROW_H + ROW_H / 2 + 2,
			part_labels[k]);
	panel(out, v->delta, per_run, LABEL_W, "change per run");
	panel(out, v->delta, per_month, LABEL_W + PANEL_W + GAP, "change per month");
	fputs("</svg></figure>\n", out);
}

/* The figures of one part, base, variant, change and its P10 to P90, as table cells. */
static void cells(FILE *out, const struct compare_delta *d)
{
	char a[32], b[32], c[40], lo[40], hi[40];
	fprintf(out, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		"<td class=\"n\">%s to %s</td>", usd(d->base_mean, a, sizeof(a)),
		usd(d->variant_mean, b, sizeof(b)), signed_usd(d->mean, c, sizeof(c)),
		signed_usd(d->p10, lo, sizeof(lo)), signed_usd(d->p90, hi, sizeof(hi)));
}

static void table(FILE *out, const struct compare_out_variant *v)
{
	fputs("<table><tr><th rowspan=\"2\">part</th><th colspan=\"4\">per run</th>"
	      "<th colspan=\"4\">per month</th></tr>\n<tr>", out);
	for (int k = 0; k < 2; k++)
		fputs("<th>base</th><th>variant</th><th>change</th><th>P10 to P90</th>", out);
	fputs("</tr>\n", out);
	for (int k = 0; k < PARTS; k++) {
		fprintf(out, "<tr><th>%s</th>", part_labels[k]);
		cells(out, &v->delta[per_run[k]]);
		cells(out, &v->delta[per_month[k]]);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

/* 1 when the API costs no more than the fleet at the scenario's monthly volume. */
static int api_cheaper(const struct crossover_plan *p)
{
	return p->at_scenario.api_usd <= p->at_scenario.self_hosted_usd;
}

/* Who is cheaper at the scenario's volume, the bills, then crossover_out_sentence's account;
 * for a variant (base not NULL) whether the verdict is the base's. */
static void verdict(FILE *out, const char *who, const struct crossover_plan *p,
		    const struct crossover_plan *base, const char *why_not)
{
	char vol[32], api[32], fleet[32], said[600];
	fprintf(out, "<p class=\"verdict\"><b>%s</b>: ", who);
	if (!p) {
		fputs("no crossover: ", out);
		html_escape(out, why_not[0] ? why_not : "not priced");
		fputs("</p>\n", out);
		return;
	}
	const struct crossover_point *x = &p->at_scenario;
	fprintf(out, "at %s tokens a month, the %s is cheaper: %s a month on the API, %s on "
		"%.0f GPUs", numfmt_count(x->tokens_per_month, vol, sizeof(vol)),
		api_cheaper(p) ? "API" : "self-hosted fleet", usd(x->api_usd, api, sizeof(api)),
		usd(x->self_hosted_usd, fleet, sizeof(fleet)), x->gpus);
	if (base)
		fputs(api_cheaper(p) == api_cheaper(base) ? " (as for the base). "
		      : " (<b>the verdict changes</b>: not so for the base). ", out);
	else
		fputs(". ", out);
	crossover_out_sentence(p, said, sizeof(said));
	said[0] = (char)toupper((unsigned char)said[0]);
	html_escape(out, said);
	fputs(".</p>\n", out);
}

static void variant_section(FILE *out, const struct compare_out *c, size_t i)
{
	const struct compare_out_variant *v = &c->variants[i];
	fprintf(out, "<section class=\"variant\" id=\"variant-%zu\">\n<h2>", i + 1);
	html_escape(out, v->name);
	fputs("</h2>\n<p class=\"meta\">", out);
	for (size_t k = 0; k < v->n_sets; k++) {
		fputs(k ? ", <code>" : "the base with <code>", out);
		html_escape(out, v->sets[k]);
		fputs("</code>", out);
	}
	fputs(v->n_sets ? "</p>\n" : "the base itself</p>\n", out);
	chart(out, v);
	table(out, v);
	verdict(out, "Crossover, this variant", v->crossover, c->base_crossover, c->no_crossover);
	fputs("</section>\n", out);
}

static void header(FILE *out, const struct compare_out *c)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>hypercap compare</title><style>%s</style></head><body>\n"
		"<h1>Variants against the base</h1>\n<p class=\"meta\">Base: ", style);
	html_escape(out, c->base ? c->base : "the embedded default (hyperagents-paper)");
	for (size_t k = 0; k < c->n_base_sets; k++) {
		fputs(k ? ", <code>" : " with <code>", out);
		html_escape(out, c->base_sets[k]);
		fputs("</code>", out);
	}
	fprintf(out, ". %u paired replications, seed %llu; prices: ", c->runs,
		(unsigned long long)c->seed);
	html_escape(out, c->ps->origin);
	fputs(".</p>\n<p>Each bar is the mean change of a part of the bill against the base, per "
	      "run and per month of the steady state; the whisker spans the P10 to the P90 of the "
	      "paired difference (variant minus base, replication by replication, on the same "
	      "random numbers). Each chart has its own scale.</p>\n", out);
	verdict(out, "Crossover, the base", c->base_crossover, NULL, c->no_crossover);
}

void compare_report_write(FILE *out, const struct compare_out *c)
{
	header(out, c);
	for (size_t i = 0; i < c->n_variants; i++)
		variant_section(out, c, i);
	fputs("<footer class=\"meta\">hypercap compare; the figures are compare.csv's and "
	      "compare.json's (docs/compare.md).</footer>\n</body></html>\n", out);
}
