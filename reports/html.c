/* html: report.html, one self-contained page. Contracts in html.h. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include "base/jsonfile.h"
#include "reports/bill.h"
#include "reports/html.h"
#include "reports/html_shared.h"
#include "reports/numfmt.h"

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
	"max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}"
	"h1{margin-bottom:0.1em}h2{margin-top:2em;border-bottom:1px solid #ddd}"
	".meta{color:#666;margin-top:0}"
	".headline{font-size:1.15em;background:#f5f7fa;border-left:4px solid #3a6ea5;"
	"padding:0.6em 1em}"
	"figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;display:block;"
	"border:1px solid #eee}figcaption{margin-bottom:0.4em}"
	"table{border-collapse:collapse;margin:0.5em 0}"
	"th,td{padding:0.25em 0.8em;border-bottom:1px solid #e3e3e3;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.total td,tr.total th{font-weight:bold;border-top:2px solid #bbb}"
	"pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:0.85em}"
	".note{color:#8a5300}.warnings{border-left:4px solid #c77700;padding:0.1em 1em;"
	"background:#fff8ec}footer{margin-top:3em;color:#888;font-size:0.85em}"
	".drivers li{margin:0.4em 0}.drivers .basis{color:#555;font-size:0.9em}"
	".drivers .bar,.modes .bar,.loops .bar{display:inline-block;height:0.7em;background:#3a6ea5;"
	"margin-left:0.5em}.modes .basis,.loops .basis{color:#555;font-size:0.8em;font-weight:normal}";

void html_escape(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
}

/* Inside a tag, the places an id is named: id="..", href="#..", url(#..). */
static size_t id_reference(const char *s)
{
	static const char *const refs[] = { " id=\"", " id='", "\tid=\"", "\tid='", "\nid=\"",
		"\nid='", "href=\"#", "href='#", "url(#" };
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (!strncmp(s, refs[i], strlen(refs[i])))
			return strlen(refs[i]);
	return 0;
}

void html_inline_svg(FILE *out, const char *svg, const char *prefix)
{
	const char *s = strstr(svg, "<svg");
	int in_tag = 0;
	while (s && *s) {
		size_t n = in_tag ? id_reference(s) : 0;
		if (n) {
			fwrite(s, 1, n, out);
			fputs(prefix, out);
			s += n;
			continue;
		}
		/* gnuplot's <title>s ("Gnuplot", "gnuplot_plot_1") would show as tooltips. */
		if (!strncmp(s, "<title>", 7) && strstr(s, "</title>")) {
			s = strstr(s, "</title>") + 8;
			continue;
		}
		if (*s == '<')
			in_tag = 1;
		else if (*s == '>')
			in_tag = 0;
		fputc(*s++, out);
	}
}

/* Escaped text with the first letter in capitals (a sentence taken from a file). */
static void sentence(FILE *out, const char *s)
{
	if (!*s)
		return;
	char first[2] = { (char)toupper((unsigned char)s[0]), '\0' };
	html_escape(out, first);
	html_escape(out, s + 1);
}

/* "sandbox compute $866.49 and storage $0.17": the costs beyond the API that are not zero. */
static void other_costs(FILE *out, const cJSON *cost)
{
	static const char *const keys[][2] = { { "self_hosted", "self-hosted GPUs" },
		{ "compute", "sandbox compute" }, { "storage", "storage" } };
	char usd[32];
	int n = 0, shown = 0;
	for (int i = 0; i < 3; i++)
		n += json_get_num(cost, keys[i][0], NULL) > 0;
	for (int i = 0; i < 3; i++) {
		double v = json_get_num(cost, keys[i][0], NULL);
		if (!(v > 0))
			continue;
		shown++;
		fprintf(out, "%s%s %s", shown == 1 ? "" : shown == n ? " and " : ", ", keys[i][1],
			numfmt_usd(v, usd, sizeof(usd)));
	}
}

/* "100 iterations ≈ 83.9M tokens ≈ $198.12 on the API ...; with ...: $1,064.78 in all." */
static void headline_run(FILE *out, const cJSON *s)
{
	const cJSON *cost = json_get(s, "cost_usd", NULL);
	double iters = json_get_num(s, "iterations", NULL);
	double tokens = json_get_num(s, "tokens", "total");
	double api = json_get_num(cost, "api", NULL), total = json_get_num(cost, "total", NULL);
	const char *trace = json_get_str(s, "trace", "file");
	const char *date = json_get_str(s, "prices", "date");
	char v[32];
	if (isnan(tokens))
		return;
	fputs("<p>", out);
	if (trace) {
		fputs("The recorded trace <code>", out);
		html_escape(out, trace);
		fprintf(out, "</code>: %s calls ≈ ",
			numfmt_count(json_get_num(s, "calls", "total"), v, sizeof(v)));
	} else if (!isnan(iters)) {
		fprintf(out, "%.0f iterations ≈ ", iters);
	}
	fprintf(out, "%s tokens", numfmt_count(tokens, v, sizeof(v)));
	if (!isnan(api))
		fprintf(out, " ≈ <b>%s on the API</b>", numfmt_usd(api, v, sizeof(v)));
	if (date) {
		fputs(" at the list prices of ", out);
		html_escape(out, date);
	}
	if (total > api * (1 + 1e-9)) {
		fputs("; with ", out);
		other_costs(out, cost);
		fprintf(out, ", <b>%s in all</b>", numfmt_usd(total, v, sizeof(v)));
	}
	fputs(".</p>\n", out);
}

/* The fleet at the run's monthly volume, and the crossover sentence. */
static void headline_fleet(FILE *out, const cJSON *s)
{
	const cJSON *x = json_get(s, "crossover", NULL);
	const cJSON *here = json_get(x, "at_scenario_volume", NULL);
	const char *gpu = json_get_str(x, "gpu", NULL), *said = json_get_str(x, "sentence", NULL);
	double volume = json_get_num(here, "tokens_per_month", NULL);
	double gpus = json_get_num(here, "gpus", NULL);
	char a[32], b[32], c[32];
	if (!x)
		return;
	fputs("<p>", out);
	if (volume > 0 && gpus > 0 && gpu) {
		fprintf(out, "At this run's volume, %s tokens a month: %s a month on the API, "
			"<b>%s a month on %.0f ", numfmt_count(volume, a, sizeof(a)),
			numfmt_usd(json_get_num(here, "api_usd", NULL), b, sizeof(b)),
			numfmt_usd(json_get_num(here, "self_hosted_usd", NULL), c, sizeof(c)),
			gpus);
		html_escape(out, gpu);
		fputs("</b>. ", out);
	}
	if (said) {
		sentence(out, said);
		fputc('.', out);
	}
	fputs("</p>\n", out);
}

/* "3.2 hours (0.1 days)", minutes below an hour, seconds below ten minutes. */
static const char *hours_text(double hours, char *buf, size_t size)
{
	if (hours >= 24)
		snprintf(buf, size, "%.1f hours (%.1f days)", hours, hours / 24);
	else if (hours >= 1)
		snprintf(buf, size, "%.1f hours", hours);
	else if (hours >= 10.0 / 60)
		snprintf(buf, size, "%.1f minutes", hours * 60);
	else
		snprintf(buf, size, "%.0f seconds", hours * 3600);
	return buf;
}

/*
 * The wall time, labelled: simulated for a forecast; for a replay the recorded one and, when
 * re-timed, the re-timed one beside it.
 */
static void wall_time(FILE *out, const cJSON *s, double hours)
{
	const char *kind = json_get_str(s, "kind", NULL);
	double retimed = json_get_num(s, "retime", "wall_hours");
	char a[64], b[64];
	if (!(hours >= 0))
		return;
	if (!kind || strcmp(kind, "replay")) {
		fprintf(out, "Simulated wall time %s. ", hours_text(hours, a, sizeof(a)));
		return;
	}
	fprintf(out, "Recorded wall time %s (first to last time in the trace)",
		hours_text(hours, a, sizeof(a)));
	if (retimed >= 0)
		fprintf(out, "; <b>re-timed: %s</b> (the section Re-timing below)",
			hours_text(retimed, b, sizeof(b)));
	fputs(". ", out);
}

/* Rebuilds on the critical path: seconds an iteration and their share of the wall time. */
static void rebuild_sentence(FILE *out, const cJSON *s)
{
	double per_iteration = json_get_num(s, "rebuild", "seconds_per_iteration");
	double share = json_get_num(s, "rebuild", "share_of_wall_time");
	if (per_iteration >= 0 && share >= 0)
		fprintf(out, "Rebuilds on the critical path take %.3g s an iteration, %.1f%% of the "
			"wall time. ", per_iteration, 100 * share);
}

/* The archive, wall time, the spread across replications and the monthly burn. */
static void headline_scale(FILE *out, const cJSON *s)
{
	const cJSON *arch = json_get(s, "archive", NULL), *q = json_get(s, "quantiles", NULL);
	double bytes = json_get_num(arch, "bytes", NULL), io = json_get_num(arch, "io_bytes", NULL);
	double hours = json_get_num(s, "wall_time_hours", NULL);
	double runs = json_get_num(s, "replications", NULL);
	double month = json_get_num(s, "monthly", "cost_usd");
	double per_month = json_get_num(s, "monthly", "runs");
	double nodes = json_get_num(arch, "nodes", NULL);
	char a[32], b[32];
	if (!(bytes >= 0) && !(hours >= 0) && !q && !(month >= 0))
		return;
	fputs("<p>", out);
	if (bytes >= 0)
		fprintf(out, "The archive reaches <b>%s</b> (%.0f node%s)%s", numfmt_bytes(bytes, a,
			sizeof(a)), nodes, nodes == 1 ? "" : "s", io >= 0 ? "; " : ". ");
	if (io >= 0)
		fprintf(out, "rebuilding parents reads %s in all. ",
			numfmt_bytes(io, a, sizeof(a)));
	rebuild_sentence(out, s);
	wall_time(out, s, hours);
	const char *schedule = json_get_str(s, "monthly", "schedule");
	if (schedule && !strcmp(schedule, "at-once") && month >= 0)
		fprintf(out, "The runs started at once cost %s in a 730-hour month while they go "
			"(monthly.csv has each calendar month). ", numfmt_usd(month, a, sizeof(a)));
	else if (per_month > 0 && month >= 0)
		fprintf(out, "At %.3g run%s started a month (the steady state; monthly.csv has "
			"each calendar month): %s a month. ", per_month, per_month == 1 ? "" : "s",
			numfmt_usd(month, a, sizeof(a)));
	if (q && runs > 1) {
		fprintf(out, "Figures are means over %.0f replications; P10 to P90: tokens %s to ",
			runs, numfmt_count(json_get_num(q, "tokens_total", "p10"), a, sizeof(a)));
		fprintf(out, "%s, ",
			numfmt_count(json_get_num(q, "tokens_total", "p90"), a, sizeof(a)));
		fprintf(out, "dollars %s to %s.",
			numfmt_usd(json_get_num(q, "cost_usd_total", "p10"), a, sizeof(a)),
			numfmt_usd(json_get_num(q, "cost_usd_total", "p90"), b, sizeof(b)));
	}
	fputs("</p>\n", out);
}

/* summary.json's warnings (a schedule the runs cannot keep, a batch that stretches the wall
 * time), as on the console. */
static void warnings_panel(FILE *out, const cJSON *s)
{
	const cJSON *w, *all = json_get(s, "warnings", NULL);
	if (!cJSON_GetArraySize(all))
		return;
	fputs("<div id=\"warnings\" class=\"warnings\">\n", out);
	cJSON_ArrayForEach(w, all)
		if (cJSON_IsString(w)) {
			fputs("<p class=\"note\"><b>Warning:</b> ", out);
			html_escape(out, w->valuestring);
			fputs("</p>\n", out);
		}
	fputs("</div>\n", out);
}

/* The largest cost components with their shares and what each rests on; the rest summed. */
static void drivers_panel(FILE *out, const cJSON *s, const cJSON *scenario)
{
	enum { SHOWN = 4 };
	struct bill b;
	char v[32];
	double rest = 0;
	bill_parts(s, scenario, &b);
	if (!b.n)
		return;
	fputs("<section id=\"drivers\" class=\"drivers\">\n<h2>What drives this bill</h2>\n"
	      "<ol>\n", out);
	for (size_t i = 0; i < b.n; i++) {
		if (i >= SHOWN) {
			rest += b.part[i].usd;
			continue;
		}
		fprintf(out, "<li><b>");
		html_escape(out, b.part[i].name);
		fprintf(out, "</b>: %s, <b>%.1f%%</b> <span class=\"bar\" style=\"width:%.1fem\">"
			"</span><br><span class=\"basis\">", numfmt_usd(b.part[i].usd, v,
			sizeof(v)), 100 * b.part[i].share, 10 * b.part[i].share);
		html_escape(out, b.part[i].basis);
		fputs("</span></li>\n", out);
	}
	fputs("</ol>\n", out);
	if (b.n > SHOWN)
		fprintf(out, "<p>The other %zu component%s: %s (%.1f%%).</p>\n", b.n - SHOWN,
			b.n - SHOWN == 1 ? "" : "s", numfmt_usd(rest, v, sizeof(v)),
			b.total > 0 ? 100 * rest / b.total : 0);
	const char *kind = json_get_str(s, "kind", NULL);
	fprintf(out, "<p>%s; every formula is in <code>docs/costs.md</code>.</p>\n</section>\n",
		kind && !strcmp(kind, "replay") ? "Another price sheet is <code>--prices</code>"
		: "Each assumption is a field to change with <code>--set</code>");
}

/* One pricing mode of crossover.modes: its break-even against the run's monthly volume. */
static void mode_row(FILE *out, const cJSON *m, double volume)
{
	double be = json_get_num(m, "break_even_tokens_per_month", NULL);
	double util = json_get_num(m, "utilisation_at_break_even", NULL);
	double api = json_get_num(m, "at_scenario_volume", "api_usd");
	double fleet = json_get_num(m, "at_scenario_volume", "self_hosted_usd");
	const char *source = json_get_str(m, "source", NULL);
	char a[32], b[32];
	fputs(cJSON_IsTrue(json_get(m, "headline", NULL)) ? "<tr class=\"total\"><th>" : "<tr><th>",
	      out);
	html_escape(out, json_get_str(m, "pricing", NULL) ? json_get_str(m, "pricing", NULL) : "?");
	fputs("<br><span class=\"basis\">", out);
	html_escape(out, source ? source : "");
	fprintf(out, "</span></th><td class=\"n\">$%.2f</td><td class=\"n\">%s</td>",
		json_get_num(m, "gpu_hour_usd", NULL),
		numfmt_usd(json_get_num(m, "fixed_usd_per_month", NULL), a, sizeof(a)));
	if (be > 0)
		fprintf(out, "<td class=\"n\">%s</td><td class=\"n\">%.1f%%</td><td class=\"n\">"
			"%.3g%%<span class=\"bar\" style=\"width:%.2fem\"></span></td>",
			numfmt_count(be, b, sizeof(b)), 100 * util, 100 * volume / be,
			6 * fmin(1, volume / be));
	else
		fputs("<td class=\"n\">never</td><td class=\"n\">-</td><td class=\"n\">-</td>", out);
	fprintf(out, "<td>%s</td></tr>\n", fleet < api ? "the fleet" : "the API");
}

/* crossover.modes: each pricing mode's break-even against the forecast's monthly tokens. */
static void modes_table(FILE *out, const cJSON *s)
{
	const cJSON *m, *modes = json_get(s, "crossover", "modes");
	double volume = json_get_num(json_get(s, "crossover", "at_scenario_volume"),
				     "tokens_per_month", NULL);
	char v[32];
	if (!cJSON_GetArraySize(modes) || !(volume >= 0))
		return;
	fprintf(out, "<h2 id=\"modes\">Self-hosting by pricing mode</h2>\n<p>Each price of the "
		"GPU sheet: the fleet's fixed cost a 730-hour month, the monthly token volume above "
		"which it costs less than the API (break-even) and how busy its replicas are there "
		"(computed from their throughput at that volume, not simulated), "
		"against this run's %s tokens a month (<code>monthly.tokens</code>, the schedule's "
		"steady state); the bold row is the headline's. Formulas: <code>docs/costs.md"
		"</code>, \"Crossover\".</p>\n<table class=\"modes\">\n<tr><th>pricing</th>"
		"<th>$/GPU-hour</th><th>fixed a month</th><th>break-even tokens a month</th>"
		"<th>utilisation at break-even (computed)</th><th>this run's volume, share of break-even</th>"
		"<th>cheaper at this volume</th></tr>\n", numfmt_count(volume, v, sizeof(v)));
	cJSON_ArrayForEach(m, modes)
		mode_row(out, m, volume);
	fputs("</table>\n", out);
}

static void plot_figures(FILE *out, const struct html_page *p)
{
	int missing = 0;
	fputs("<h2>Plots</h2>\n", out);
	if (p->plots_skipped || !p->plots) {
		fputs("<p class=\"note\">", out);
		html_escape(out, p->plots_skipped ? p->plots_skipped : "no plots were drawn");
		fputs("</p>\n", out);
		return;
	}
	for (int id = 0; id < PLOT_COUNT; id++) {
		char prefix[32];
		if (!p->svg[id]) {
			missing = 1;
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%s-", plot_name((enum plot_id)id));
		fprintf(out, "<figure id=\"plot-%s\">\n<figcaption><b>%s</b>",
			plot_name((enum plot_id)id), plot_caption((enum plot_id)id));
		if (p->plots->note[id][0]) {
			fputs(": ", out);
			html_escape(out, p->plots->note[id]);
		}
		fprintf(out, " (<code>plots/%s.png</code>, <code>.svg</code>)</figcaption>\n",
			plot_name((enum plot_id)id));
		html_inline_svg(out, p->svg[id], prefix);
		fputs("</figure>\n", out);
	}
	if (!missing)
		return;
	fputs("<p>Not drawn:</p>\n<ul>\n", out);
	for (int id = 0; id < PLOT_COUNT; id++)
		if (!p->svg[id]) {
			fprintf(out, "<li>%s: ", plot_caption((enum plot_id)id));
			html_escape(out, p->plots->note[id]);
			fputs("</li>\n", out);
		}
	fputs("</ul>\n", out);
}

static void usage_row(FILE *out, const char *what, const char *name, const cJSON *detail,
		      double tokens, double usd, const char *cls)
{
	static const char *const parts[] = { "input", "cache_read", "output" };
	char v[32];
	fprintf(out, "<tr%s><th>%s ", cls, what);
	html_escape(out, name);
	fprintf(out, "</th><td class=\"n\">%s</td>",
		numfmt_count(json_get_num(detail, "calls", NULL), v, sizeof(v)));
	fprintf(out, "<td class=\"n\">%s</td>", numfmt_count(tokens, v, sizeof(v)));
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		fprintf(out, "<td class=\"n\">%s</td>",
			numfmt_count(json_get_num(detail, parts[i], NULL), v, sizeof(v)));
	fprintf(out, "<td class=\"n\">%s</td></tr>\n", isnan(usd) ? "–"
			: numfmt_usd(usd, v, sizeof(v)));
}

/* One row per member of tokens.by_<what>, with its detail and dollars. */
static void usage_rows(FILE *out, const cJSON *s, const char *what)
{
	char by[32], detail[40];
	const cJSON *m;
	snprintf(by, sizeof(by), "by_%s", what);
	snprintf(detail, sizeof(detail), "detail_by_%s", what);
	cJSON_ArrayForEach(m, json_get(s, "tokens", by))
		if (cJSON_IsNumber(m) && m->string)
			usage_row(out, what, m->string,
				  json_get(json_get(s, "tokens", detail), m->string, NULL),
				  m->valuedouble,
				  json_get_num(json_get(s, "cost_usd", by), m->string, NULL), "");
}

/*
 * Sums the detail_by_model entries served by an API (fleet 0: names not "fleet:...") or by a
 * self-hosted fleet (fleet 1) into sum's calls, input, cache_read, output and total; the
 * number of models summed.
 */
static int served_sum(const cJSON *s, int fleet, double sum[5])
{
	static const char *const parts[] = { "calls", "input", "cache_read", "output", "total" };
	const cJSON *m;
	int n = 0;
	memset(sum, 0, 5 * sizeof(*sum));
	cJSON_ArrayForEach(m, json_get(s, "tokens", "detail_by_model")) {
		if (!m->string || (strncmp(m->string, "fleet:", 6) == 0) != fleet)
			continue;
		for (int k = 0; k < 5; k++)
			sum[k] += json_get_num(m, parts[k], NULL);
		n++;
	}
	return n;
}

/* The API total (tokens sent to an API only) and, with fleets, the fleets' total. */
static void served_rows(FILE *out, const cJSON *s)
{
	const cJSON *tokens = json_get(s, "tokens", NULL);
	double sum[5];
	if (!json_get(tokens, "detail_by_model", NULL)) {
		usage_row(out, "total", "(API)", tokens, json_get_num(tokens, "total", NULL),
			  json_get_num(s, "cost_usd", "api"), " class=\"total\"");
		return;
	}
	for (int fleet = 0; fleet < 2; fleet++) {
		if (!served_sum(s, fleet, sum) && fleet)
			continue;
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "calls", sum[0]);
		cJSON_AddNumberToObject(d, "input", sum[1]);
		cJSON_AddNumberToObject(d, "cache_read", sum[2]);
		cJSON_AddNumberToObject(d, "output", sum[3]);
		usage_row(out, "total", fleet ? "(fleets)" : "(API)", d, sum[4],
			  json_get_num(s, "cost_usd", fleet ? "self_hosted" : "api"),
			  " class=\"total\"");
		cJSON_Delete(d);
	}
}

static void usage_table(FILE *out, const cJSON *s)
{
	const cJSON *tokens = json_get(s, "tokens", NULL);
	if (!tokens)
		return;
	fputs("<h2>Tokens and dollars by role and model</h2>\n<table>\n<tr><th></th>"
	      "<th>calls</th><th>tokens</th><th>input</th><th>cached</th><th>output</th>"
	      "<th>API USD</th></tr>\n", out);
	usage_rows(out, s, "role");
	usage_rows(out, s, "model");
	served_rows(out, s);
	fputs("</table>\n<p>Tokens follow the OpenTelemetry GenAI convention: input includes "
	      "cached reads and cache writes, output includes reasoning.</p>\n", out);
}

/*
 * Rows "key: value" for every string, number or boolean under o, nested keys dotted; numbers
 * as dollars when usd is set. Members named in skip (NULL-terminated) are left out.
 */
static void flat_rows(FILE *out, const cJSON *o, const char *prefix, const char *const *skip,
		      int usd)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, o) {
		char key[300];
		int skipped = 0;
		for (const char *const *k = skip; k && *k; k++)
			skipped |= m->string && !strcmp(m->string, *k);
		if (skipped || !m->string)
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, m->string);
		if (cJSON_IsObject(m)) {
			char deeper[310];
			snprintf(deeper, sizeof(deeper), "%s.", key);
			flat_rows(out, m, deeper, NULL, usd);
			continue;
		}
		fputs("<tr><th>", out);
		html_escape(out, key);
		fputs("</th><td>", out);
		if (cJSON_IsString(m)) {
			html_escape(out, m->valuestring);
		} else if (cJSON_IsNumber(m) && usd) {
			char v[32];
			fputs(numfmt_usd(m->valuedouble, v, sizeof(v)), out);
		} else if (cJSON_IsNumber(m)) {
			fprintf(out, "%.10g", m->valuedouble);
		} else {
			char *text = cJSON_PrintUnformatted(m);
			html_escape(out, text ? text : "");
			cJSON_free(text);
		}
		fputs("</td></tr>\n", out);
	}
}

static void cost_table(FILE *out, const cJSON *s)
{
	static const char *const split[] = { "by_role", "by_model", NULL };
	const cJSON *cost = json_get(s, "cost_usd", NULL);
	if (!cost)
		return;
	fputs("<h2>Dollars by component</h2>\n<table>\n", out);
	flat_rows(out, cost, "cost_usd.", split, 1);
	fputs("</table>\n<p>Formulas: <code>docs/costs.md</code>; keys: "
	      "<code>docs/output.md</code>.</p>\n", out);
}

/* Every price the figures used: the API sheet, the GPU-hour, the scenario's cost rates. */
static void price_table(FILE *out, const cJSON *s, const cJSON *scenario)
{
	const cJSON *x = json_get(s, "crossover", NULL), *m;
	fputs("<h2>Prices used, with sources and dates</h2>\n<table>\n", out);
	flat_rows(out, json_get(s, "prices", NULL), "prices.", NULL, 0);
	cJSON_ArrayForEach(m, x)
		if (m->string && (!strcmp(m->string, "gpu_price") ||
				  !strcmp(m->string, "gpu_hour_usd"))) {
			fputs("<tr><th>crossover.", out);
			html_escape(out, m->string);
			fputs("</th><td>", out);
			if (cJSON_IsString(m))
				html_escape(out, m->valuestring);
			else if (cJSON_IsNumber(m))
				fprintf(out, "%.10g", m->valuedouble);
			fputs("</td></tr>\n", out);
		}
	cJSON_ArrayForEach(m, json_get(scenario, "costs", NULL))
		if (m->string && strstr(m->string, "usd") && cJSON_IsNumber(m)) {
			fputs("<tr><th>scenario costs.", out);
			html_escape(out, m->string);
			fprintf(out, "</th><td>%.10g</td></tr>\n", m->valuedouble);
		}
	fputs("</table>\n<p>The scenario's cost rates are its own or the defaults, whose sources "
	      "and dates <code>docs/costs.md</code> gives.</p>\n", out);
}

/* A row "what | recorded | re-timed | change" of the re-timing table. */
static void retime_row(FILE *out, const char *what, double recorded, double retimed)
{
	char a[64], b[64];
	fprintf(out, "<tr><th>%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>", what,
		hours_text(recorded, a, sizeof(a)), hours_text(retimed, b, sizeof(b)));
	if (recorded > 0)
		fprintf(out, "<td class=\"n\">%+.1f%%</td></tr>\n",
			(retimed / recorded - 1) * 100);
	else
		fputs("<td class=\"n\">–</td></tr>\n", out);
}

/* The conditions the trace was re-timed under, as summary.json's retime object says. */
static void retime_conditions(FILE *out, const cJSON *rt)
{
	const cJSON *w = json_get(rt, "resources", "eval_workers");
	const char *from = json_get_str(rt, "eval_workers_from", NULL);
	fprintf(out, "<p>Conditions: %.0f evaluation workers (", json_get_num(rt, "eval_workers",
		NULL));
	html_escape(out, from ? from : "");
	fputs("); task starts ", out);
	html_escape(out, json_get_str(rt, "task_starts", NULL) ? json_get_str(rt, "task_starts",
		    NULL) : "");
	fputs("; call latency ", out);
	html_escape(out, json_get_str(rt, "latency", NULL) ? json_get_str(rt, "latency", NULL)
		    : "");
	fprintf(out, "; up to %.0f children at once. The workers were %.0f%% busy; a task waited "
		"%.1f s for one on average (at most %.1f s).</p>\n",
		json_get_num(rt, "children", NULL), 100 * json_get_num(w, "utilisation", NULL),
		json_get_num(w, "mean_wait_seconds", NULL),
		json_get_num(w, "max_wait_seconds", NULL));
}

/* One row per API endpoint and per fleet the re-timing queued calls on. */
static void retime_resources(FILE *out, const cJSON *rt)
{
	const cJSON *m;
	char v[32];
	fputs("<table>\n<tr><th>resource</th><th>calls</th><th>delayed</th>"
	      "<th>mean wait</th><th>utilisation</th><th>USD</th></tr>\n", out);
	cJSON_ArrayForEach(m, json_get(rt, "resources", "endpoints")) {
		double u = json_get_num(m, "rpm_utilisation", NULL);
		double t = json_get_num(m, "tpm_utilisation", NULL);
		fputs("<tr><th>API ", out);
		html_escape(out, m->string ? m->string : "");
		fprintf(out, "</th><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
			"<td class=\"n\">%.1f s</td>", json_get_num(m, "calls", NULL),
			json_get_num(m, "delayed_calls", NULL),
			json_get_num(m, "mean_wait_seconds", NULL));
		if (u >= 0 || t >= 0)
			fprintf(out, "<td class=\"n\">%.0f%% of its limit</td>",
				100 * (isnan(u) || t > u ? t : u));
		else
			fputs("<td class=\"n\">no limit</td>", out);
		fputs("<td class=\"n\">–</td></tr>\n", out);
	}
	cJSON_ArrayForEach(m, json_get(rt, "fleets", NULL)) {
		fputs("<tr><th>fleet ", out);
		html_escape(out, m->string ? m->string : "");
		fprintf(out, "</th><td class=\"n\">%.0f</td><td class=\"n\">–</td>"
			"<td class=\"n\">%.1f s</td><td class=\"n\">%.1f%%</td>"
			"<td class=\"n\">%s</td></tr>\n", json_get_num(m, "calls", NULL),
			json_get_num(m, "mean_wait_seconds", NULL),
			100 * json_get_num(m, "utilisation", NULL),
			numfmt_usd(json_get_num(m, "cost_usd", NULL), v, sizeof(v)));
	}
	fputs("</table>\n", out);
}

/* With --retime: the recorded and re-timed wall times, the conditions, the resources. */
static void retime_section(FILE *out, const cJSON *s)
{
	const cJSON *rt = json_get(s, "retime", NULL);
	if (!rt)
		return;
	fputs("<h2 id=\"retime\">Re-timing</h2>\n<table>\n<tr><th></th><th>recorded</th>"
	      "<th>re-timed</th><th>change</th></tr>\n", out);
	retime_row(out, "wall time", json_get_num(rt, "recorded_wall_hours", NULL),
		   json_get_num(rt, "wall_hours", NULL));
	retime_row(out, "evaluation", json_get_num(rt, "recorded_evaluation_hours", NULL),
		   json_get_num(rt, "evaluation_hours", NULL));
	fputs("</table>\n", out);
	retime_conditions(out, rt);
	retime_resources(out, rt);
	fputs("<p>The trace's calls and tasks run again on these resources "
	      "(<code>docs/replay.md</code>, \"Re-timing\"); every row per session and task is in "
	      "<code>retime.csv</code>.</p>\n", out);
}

static void scenario_section(FILE *out, const char *text)
{
	if (!text)
		return;
	fputs("<h2>The effective scenario</h2>\n<details><summary><code>scenario.json</code>: "
	      "the scenario as run, every default filled in</summary>\n<pre>", out);
	html_escape(out, text);
	fputs("</pre>\n</details>\n", out);
}

static void page_head(FILE *out, const cJSON *s)
{
	const char *name = json_get_str(s, "scenario", NULL);
	const char *trace = json_get_str(s, "trace", "file");
	const char *date = json_get_str(s, "date", NULL);
	const char *prices = json_get_str(s, "prices", "date");
	const char *title = name ? name : trace ? trace : "results";
	const char *kind = name ? "" : trace ? "replay of " : "";
	double runs = json_get_num(s, "replications", NULL), seed = json_get_num(s, "seed", NULL);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>hypercap: ", out);
	html_escape(out, kind);
	html_escape(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	html_escape(out, kind);
	html_escape(out, title);
	fputs("</h1>\n<p class=\"meta\">", out);
	if (date) {
		html_escape(out, date);
		fputs("; ", out);
	}
	if (prices) {
		fputs("prices of ", out);
		html_escape(out, prices);
		fputs("; ", out);
	}
	if (runs >= 1)
		fprintf(out, "%.0f replication%s; ", runs, runs == 1 ? "" : "s");
	/* a double is exact up to 2^53; a larger seed is exact only in summary.json */
	if (seed < 9007199254740992.0)
		fprintf(out, "seed %.0f; ", seed);
	else if (seed >= 0)
		fputs("seed: see summary.json; ", out);
	fputs("hypercap " HYPERCAP_VERSION "</p>\n", out);
}

void html_write(FILE *out, const struct html_page *p)
{
	page_head(out, p->summary);
	fputs("<div class=\"headline\">\n", out);
	headline_run(out, p->summary);
	headline_fleet(out, p->summary);
	headline_scale(out, p->summary);
	fputs("</div>\n", out);
	warnings_panel(out, p->summary);
	drivers_panel(out, p->summary, p->scenario);
	plot_figures(out, p);
	modes_table(out, p->summary);
	html_shared_loops(out, p->summary);
	html_shared_panel(out, p->summary);
	retime_section(out, p->summary);
	usage_table(out, p->summary);
	cost_table(out, p->summary);
	price_table(out, p->summary, p->scenario);
	scenario_section(out, p->scenario_text);
	fputs("<footer>Written by <code>hypercap report</code> from this directory's "
	      "files; every figure's formula: <code>docs/</code>.</footer>\n</body>\n</html>\n",
	      out);
}
