/* html_shared: loops on shared capacity in report.html. Contracts in html_shared.h. */
#include <math.h>
#include <stdlib.h>
#include "base/jsonfile.h"
#include "reports/html.h"
#include "reports/html_shared.h"
#include "reports/numfmt.h"

#define LOOPS_MODES_MAX 64

struct loops_entry {
	const cJSON *mode;
	size_t index; /* in crossover.loops.modes: the last tie-break, for one order everywhere */
};

/* Break-even loops for ordering: none up to max_loops sorts last. */
static double loops_key(const cJSON *m)
{
	double be = json_get_num(m, "break_even_loops", NULL);
	return be > 0 ? be : INFINITY;
}

/* Fewest loops first, then the cheaper GPU-hour, then the sheet's order. */
static int by_loops(const void *a, const void *b)
{
	const struct loops_entry *x = a, *y = b;
	double kx = loops_key(x->mode), ky = loops_key(y->mode);
	double px = json_get_num(x->mode, "gpu_hour_usd", NULL);
	double py = json_get_num(y->mode, "gpu_hour_usd", NULL);
	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void loops_row(FILE *out, const cJSON *m, double max_loops)
{
	double be = json_get_num(m, "break_even_loops", NULL);
	const char *source = json_get_str(m, "source", NULL);
	char a[32], b[32], c[32];
	fputs(cJSON_IsTrue(json_get(m, "headline", NULL)) ? "<tr class=\"total\"><th>" : "<tr><th>",
	      out);
	html_escape(out, json_get_str(m, "pricing", NULL) ? json_get_str(m, "pricing", NULL) : "?");
	fputs("<br><span class=\"basis\">", out);
	html_escape(out, source ? source : "");
	fprintf(out, "</span></th><td class=\"n\">$%.2f</td>", json_get_num(m, "gpu_hour_usd", NULL));
	if (be > 0)
		fprintf(out, "<td class=\"n\">%.0f<span class=\"bar\" style=\"width:%.2fem\"></span>"
			"</td>", be, 6 * be / max_loops);
	else
		fprintf(out, "<td class=\"n\">none up to %.0f</td>", max_loops);
	fprintf(out, "<td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td class=\"n\">%.1f%%</td>"
		"<td class=\"n\">%.2f s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		"<td class=\"n\">%s</td></tr>\n", json_get_num(m, "at_loops", NULL),
		json_get_num(m, "replicas", NULL),
		100 * json_get_num(m, "simulated_utilisation", NULL),
		json_get_num(m, "mean_wait_seconds", NULL),
		numfmt_usd(json_get_num(m, "fleet_usd_per_month", NULL), a, sizeof(a)),
		numfmt_usd(json_get_num(m, "api_usd_per_month", NULL), b, sizeof(b)),
		numfmt_count(json_get_num(m, "tokens_per_month", NULL), c, sizeof(c)));
}

void html_shared_loops(FILE *out, const cJSON *s)
{
	const cJSON *l = json_get(s, "crossover", "loops"), *m;
	const cJSON *modes = json_get(l, "modes", NULL);
	struct loops_entry sorted[LOOPS_MODES_MAX];
	double max_loops = json_get_num(l, "max_loops", NULL);
	size_t n = 0;
	if (!cJSON_GetArraySize(modes) || !(max_loops > 0))
		return;
	cJSON_ArrayForEach(m, modes)
		if (n < LOOPS_MODES_MAX) {
			sorted[n].mode = m;
			sorted[n].index = n;
			n++;
		}
	qsort(sorted, n, sizeof(*sorted), by_loops);
	fprintf(out, "<h2 id=\"loops\">Loops at once on one fleet, by pricing mode</h2>\n<p>Up to "
		"%.0f loops of this scenario simulated at once on one fleet serving every role "
		"(replicas added until the mean wait for a slot is at most %g s), against the "
		"same loops on the API. Each price of the GPU sheet, fewest loops first: the "
		"fewest loops at once at which the fleet costs a loop no more than the API "
		"(break-even; the bar is its share of %.0f), and at that many (or at %.0f when "
		"none) the fleet's replicas, its <b>simulated</b> utilisation (busy slot time "
		"over slot time) and mean wait, and a month of those loops on each side (runs a "
		"month by the scenario's calendar). The bold row is the headline's. Formulas: "
		"<code>docs/costs.md</code>, \"Loops on one fleet\".</p>\n<table class=\"loops\">\n"
		"<tr><th>pricing</th><th>$/GPU-hour</th><th>break-even loops</th><th>loops "
		"shown</th><th>replicas</th><th>utilisation (simulated)</th><th>mean wait</th>"
		"<th>fleet a month</th><th>API a month</th><th>tokens a month</th></tr>\n",
		max_loops, json_get_num(l, "max_wait_seconds", NULL), max_loops, max_loops);
	for (size_t i = 0; i < n; i++)
		loops_row(out, sorted[i].mode, max_loops);
	fputs("</table>\n", out);
}

static void panel_row(FILE *out, const char *what, const char *value)
{
	fprintf(out, "<tr><th>%s</th><td class=\"n\">%s</td></tr>\n", what, value);
}

/* Each fleet's simulated utilisation and mean wait (fleets.<name>). */
static void fleet_rows(FILE *out, const cJSON *s)
{
	const cJSON *f;
	char v[96];
	cJSON_ArrayForEach(f, json_get(s, "fleets", NULL)) {
		fputs("<tr><th>fleet <code>", out);
		html_escape(out, f->string ? f->string : "?");
		snprintf(v, sizeof(v), "%.2f%% busy, %.3f s mean wait a call",
			 100 * json_get_num(f, "utilisation", NULL),
			 json_get_num(f, "mean_wait_seconds", NULL));
		fprintf(out, "</code>: utilisation (simulated)</th><td class=\"n\">%s</td></tr>\n", v);
	}
}

void html_shared_panel(FILE *out, const cJSON *s)
{
	const cJSON *sh = json_get(s, "shared", NULL);
	double loops = json_get_num(sh, "loops", NULL);
	double workers = json_get_num(sh, "eval_workers", NULL);
	char v[96], u[32];
	if (!sh || !(loops > 1 || workers > 0))
		return;
	fputs("<h2 id=\"shared\">Shared capacity</h2>\n<p>The loops of one run share rate limits, "
	      "fleets and evaluation workers (<code>shared</code> in <code>summary.json</code>; "
	      "<code>docs/model.md</code>, \"Shared capacity\"); every figure is simulated, a "
	      "mean over replications.</p>\n<table class=\"shared\">\n", out);
	snprintf(v, sizeof(v), "%.0f", loops);
	panel_row(out, "loops at once", v);
	if (workers > 0)
		snprintf(v, sizeof(v), "%.0f, shared by the loops", workers);
	else
		snprintf(v, sizeof(v), "per child");
	panel_row(out, "evaluation workers", v);
	snprintf(v, sizeof(v), "%.1f h (alone: %.1f h)",
		 json_get_num(sh, "loop_wall_time_hours", NULL),
		 json_get_num(sh, "alone_wall_time_hours", NULL));
	panel_row(out, "a loop's wall time", v);
	snprintf(v, sizeof(v), "%.3f", json_get_num(sh, "stretch", NULL));
	panel_row(out, "stretch (shared over alone)", v);
	snprintf(v, sizeof(v), "%.3f s a call", json_get_num(sh, "mean_wait_seconds", "rate_limits"));
	panel_row(out, "mean wait for rate limits", v);
	snprintf(v, sizeof(v), "%.3f s a call", json_get_num(sh, "mean_wait_seconds", "fleet_slots"));
	panel_row(out, "mean wait for a fleet slot", v);
	snprintf(v, sizeof(v), "%.1f s a task", json_get_num(sh, "mean_wait_seconds", "eval_workers"));
	panel_row(out, "mean wait for an evaluation worker", v);
	if (workers > 0) {
		snprintf(v, sizeof(v), "%.1f%%", 100 * json_get_num(sh, "eval_worker_utilisation", NULL));
		panel_row(out, "evaluation workers' utilisation (simulated)", v);
	}
	fleet_rows(out, s);
	panel_row(out, "cost a loop", numfmt_usd(json_get_num(sh, "cost_usd_per_loop", NULL), u,
						 sizeof(u)));
	fputs("</table>\n", out);
}
