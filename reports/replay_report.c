/*
 * replay_report: see replay_report.h.
 */
#include <math.h>
#include <string.h>
#include "reports/csvout.h"
#include "reports/replay_report.h"
#include "reports/summary.h"

static cJSON *usage_json(const struct usage *u)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)usage_total(u));
	cJSON_AddNumberToObject(o, "input", (double)u->input);
	cJSON_AddNumberToObject(o, "output", (double)u->output);
	cJSON_AddNumberToObject(o, "cache_read", (double)u->cache_read);
	cJSON_AddNumberToObject(o, "cache_write", (double)u->cache_write);
	cJSON_AddNumberToObject(o, "reasoning", (double)u->reasoning);
	cJSON_AddNumberToObject(o, "calls", (double)u->calls);
	return o;
}

static cJSON *tokens_json(const struct reprice *rp)
{
	cJSON *t = usage_json(&rp->total);
	char key[32];
	for (int d = 0; d < REPRICE_DIM_COUNT; d++) {
		const struct reprice_groups *gs = &rp->by[d];
		snprintf(key, sizeof(key), "by_%s", reprice_dim_name((enum reprice_dim)d));
		cJSON *by = cJSON_AddObjectToObject(t, key);
		snprintf(key, sizeof(key), "detail_by_%s", reprice_dim_name((enum reprice_dim)d));
		cJSON *detail = cJSON_AddObjectToObject(t, key);
		for (size_t i = 0; i < gs->n; i++) {
			cJSON_AddNumberToObject(by, gs->v[i].name,
						(double)usage_total(&gs->v[i].usage));
			cJSON *u = usage_json(&gs->v[i].usage);
			cJSON_AddNumberToObject(u, "unknown_usage_calls",
						(double)gs->v[i].unknown_usage);
			cJSON_AddItemToObject(detail, gs->v[i].name, u);
		}
	}
	cJSON_AddItemToObject(t, "estimated", usage_json(&rp->estimated_usage));
	return t;
}

static cJSON *cost_json(const struct reprice *rp)
{
	cJSON *c = cJSON_CreateObject();
	char key[32];
	cJSON_AddNumberToObject(c, "api", rp->cost);
	cJSON_AddNumberToObject(c, "total", rp->cost);
	cJSON_AddNumberToObject(c, "estimated", rp->estimated_cost);
	for (int d = 0; d < REPRICE_DIM_COUNT; d++) {
		const struct reprice_groups *gs = &rp->by[d];
		snprintf(key, sizeof(key), "by_%s", reprice_dim_name((enum reprice_dim)d));
		cJSON *by = cJSON_AddObjectToObject(c, key);
		for (size_t i = 0; i < gs->n; i++)
			cJSON_AddNumberToObject(by, gs->v[i].name, gs->v[i].cost);
	}
	return c;
}

/* The summary tree (caller deletes); r is the reader the trace was read with. */
static cJSON *replay_summary_build(const struct reprice *rp, const struct trace_reader *r)
{
	const struct price_sheet *ps = rp->ps;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "hypercap_summary", 1);
	cJSON_AddStringToObject(root, "kind", "replay");
	cJSON *trace = cJSON_AddObjectToObject(root, "trace");
	cJSON_AddStringToObject(trace, "file", r->path);
	cJSON_AddStringToObject(trace, "source", r->header.source);
	cJSON_AddStringToObject(trace, "created", r->header.created);
	cJSON_AddNumberToObject(trace, "skipped_bad_records", (double)r->n_skipped);
	cJSON_AddNumberToObject(trace, "truncated_last_line", (double)r->truncated_line);
	cJSON_AddNumberToObject(root, "iterations", (double)rp->max_iteration);
	cJSON *sheet = cJSON_AddObjectToObject(root, "prices");
	cJSON_AddStringToObject(sheet, "sheet", ps->origin);
	cJSON_AddStringToObject(sheet, "date", ps->date);
	cJSON_AddStringToObject(sheet, "source", ps->source);
	cJSON *calls = cJSON_AddObjectToObject(root, "calls");
	cJSON_AddNumberToObject(calls, "total", (double)rp->calls);
	cJSON_AddNumberToObject(calls, "priced", (double)(rp->calls - rp->unknown_usage));
	cJSON_AddNumberToObject(calls, "unknown_usage", (double)rp->unknown_usage);
	cJSON_AddNumberToObject(calls, "estimated", (double)rp->estimated);
	cJSON_AddItemToObject(root, "tokens", tokens_json(rp));
	cJSON_AddItemToObject(root, "cost_usd", cost_json(rp));
	cJSON *ev = cJSON_AddObjectToObject(root, "evaluation");
	cJSON_AddNumberToObject(ev, "tasks", (double)rp->tasks);
	cJSON_AddNumberToObject(ev, "pass", (double)rp->task_pass);
	cJSON_AddNumberToObject(ev, "fail", (double)rp->task_fail);
	cJSON_AddNumberToObject(ev, "error", (double)rp->task_error);
	cJSON_AddNumberToObject(ev, "unknown", (double)rp->task_unknown);
	cJSON_AddNumberToObject(ev, "sandbox_seconds", rp->sandbox_seconds);
	cJSON_AddNumberToObject(ev, "artifact_bytes", (double)rp->task_artifact_bytes);
	cJSON *arch = cJSON_AddObjectToObject(root, "archive");
	cJSON_AddNumberToObject(arch, "nodes", (double)rp->nodes);
	cJSON_AddNumberToObject(arch, "bytes", (double)rp->archive_bytes);
	if (!isnan(rp->first_time))
		cJSON_AddNumberToObject(root, "wall_time_hours",
					(rp->last_time - rp->first_time) / 3600);
	return root;
}

/* value, or null when it is NAN (a limit not set, a rate over no time). */
static void add_or_null(cJSON *o, const char *key, double value)
{
	if (isnan(value))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, value);
}

static double per_minute(double n, double seconds)
{
	return seconds > 0 ? n / (seconds / 60) : NAN;
}

static cJSON *endpoint_json(const struct retime_endpoint *ep, double wall)
{
	const struct endpoint *e = &ep->e;
	double rpm = per_minute((double)ep->calls, wall), tpm = per_minute(ep->tokens, wall);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "calls", (double)ep->calls);
	add_or_null(o, "rpm_limit", e->requests_per_minute > 0 ? e->requests_per_minute : NAN);
	add_or_null(o, "tpm_limit", e->tokens_per_minute > 0 ? e->tokens_per_minute : NAN);
	add_or_null(o, "ttft_seconds", e->ttft_seconds);
	add_or_null(o, "decode_tokens_per_second", e->decode_tokens_per_second);
	add_or_null(o, "requests_per_minute", rpm);
	add_or_null(o, "tokens_per_minute", tpm);
	add_or_null(o, "rpm_utilisation",
		    e->requests_per_minute > 0 ? rpm / e->requests_per_minute : NAN);
	add_or_null(o, "tpm_utilisation",
		    e->tokens_per_minute > 0 ? tpm / e->tokens_per_minute : NAN);
	cJSON_AddNumberToObject(o, "delayed_calls", (double)ep->delayed);
	cJSON_AddNumberToObject(o, "mean_wait_seconds", ep->wait.n ? ep->wait.mean : 0);
	cJSON_AddNumberToObject(o, "max_wait_seconds", ep->wait.n ? ep->wait.max : 0);
	cJSON_AddNumberToObject(o, "busy_hours", ep->busy_seconds / 3600);
	add_or_null(o, "mean_concurrency", wall > 0 ? ep->busy_seconds / wall : NAN);
	return o;
}

static cJSON *workers_json(const struct retime *rt)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "servers_min", rt->workers_min);
	cJSON_AddNumberToObject(o, "servers_max", rt->workers_max);
	cJSON_AddNumberToObject(o, "tasks", (double)rt->tasks);
	cJSON_AddNumberToObject(o, "busy_hours", rt->task_busy_seconds / 3600);
	add_or_null(o, "utilisation", rt->worker_capacity_seconds > 0 ?
					      rt->task_busy_seconds / rt->worker_capacity_seconds :
					      NAN);
	cJSON_AddNumberToObject(o, "mean_wait_seconds", rt->task_wait.n ? rt->task_wait.mean : 0);
	cJSON_AddNumberToObject(o, "max_wait_seconds", rt->task_wait.n ? rt->task_wait.max : 0);
	return o;
}

/* The summary's "retime" object (caller deletes; docs/replay.md, "Re-timing"). */
static cJSON *replay_retime_json(const struct retime *rt)
{
	const struct retime_conf *c = &rt->conf;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "recorded_wall_hours", rt->recorded_wall / 3600);
	cJSON_AddNumberToObject(o, "wall_hours", rt->wall / 3600);
	cJSON_AddNumberToObject(o, "recorded_evaluation_hours", rt->recorded_eval / 3600);
	cJSON_AddNumberToObject(o, "evaluation_hours", rt->eval / 3600);
	cJSON_AddNumberToObject(o, "eval_workers", rt->workers_max);
	const char *workers_from = c->eval_workers ? "option" :
						     "recorded: peak overlap of task spans";
	cJSON_AddStringToObject(o, "eval_workers_from", workers_from);
	cJSON_AddStringToObject(o, "task_starts",
				c->starts == RETIME_STARTS_QUEUED ? "queued" : "recorded");
	cJSON_AddNumberToObject(o, "children", (double)rt->max_children);
	cJSON_AddStringToObject(o, "children_from", c->children ? "option" : "recorded iterations");
	cJSON_AddNumberToObject(o, "groups", (double)rt->n_groups);
	cJSON_AddStringToObject(o, "latency",
				c->latency == RETIME_LATENCY_MODEL ? "model" : "recorded");
	cJSON_AddNumberToObject(o, "nodes", (double)rt->n_active);
	cJSON_AddNumberToObject(o, "tasks", (double)rt->tasks);
	cJSON_AddNumberToObject(o, "calls", (double)rt->n_calls);
	cJSON_AddNumberToObject(o, "recorded_idle_worker_hours",
				rt->recorded_idle_worker_seconds / 3600);
	cJSON_AddNumberToObject(o, "calls_without_end_time", (double)rt->calls_without_end);
	cJSON_AddNumberToObject(o, "calls_kept_recorded", (double)rt->calls_kept_recorded);
	cJSON_AddNumberToObject(o, "overlapping_calls", (double)rt->overlapping_calls);
	cJSON_AddNumberToObject(o, "untimed_tasks", (double)rt->untimed_tasks);
	cJSON *res = cJSON_AddObjectToObject(o, "resources");
	cJSON_AddItemToObject(res, "eval_workers", workers_json(rt));
	cJSON *eps = cJSON_AddObjectToObject(res, "endpoints");
	for (size_t i = 0; i < rt->n_endpoints; i++)
		cJSON_AddItemToObject(eps, rt->endpoints[i].model,
				      endpoint_json(&rt->endpoints[i], rt->wall));
	cJSON *fleets = cJSON_AddObjectToObject(o, "fleets");
	for (size_t f = 0; f < rt->n_fleets; f++) {
		const struct retime_fleet *fl = &rt->fleets[f];
		cJSON *x = summary_fleet_json(&fl->lf, &fl->result);
		cJSON_AddNumberToObject(x, "calls_without_usage", (double)fl->calls_without_usage);
		cJSON_AddNumberToObject(x, "api_cost_usd", fl->api_cost_usd);
		cJSON_AddNumberToObject(x, "calls_not_api_priced", (double)fl->unpriced);
		cJSON_AddItemToObject(fleets, fl->name, x);
	}
	return o;
}

/* Writes retime.csv: a header, then one row per session and task (struct retime_row). */
static void replay_retime_csv(FILE *out, const struct retime *rt)
{
	struct retime_row row;
	fputs("kind,node,iteration,group,domain,task,calls,workers,recorded_start_seconds,"
	      "recorded_end_seconds,start_seconds,end_seconds,wait_seconds\n", out);
	for (size_t i = 0; i < rt->n_rows; i++) {
		retime_row(rt, i, &row);
		fputs(row.kind, out);
		csvout_text(out, row.node);
		csvout_num(out, row.iteration >= 0 ? (double)row.iteration : NAN, "%.0f");
		fprintf(out, ",%zu", row.group);
		csvout_text(out, row.domain);
		csvout_text(out, row.task);
		fprintf(out, ",%zu", row.calls);
		csvout_num(out, row.workers ? row.workers : NAN, "%.0f");
		fprintf(out, ",%.3f,%.3f,%.3f,%.3f,%.3f\n", row.recorded_start, row.recorded_end,
			row.start, row.end, row.wait);
	}
}

/* Writes calls.csv's header. */
static void replay_calls_header(FILE *out)
{
	fputs("line,id,run,iteration,node,role,domain,task,provider,model,priced_as,status,"
	      "start_time,end_time,input_tokens,cache_read_tokens,cache_write_tokens,"
	      "output_tokens,reasoning_tokens,estimated,cost_usd\n", out);
}

/* Writes one call's row; p NULL and cost NAN for a call without usage (empty cells). */
static void replay_calls_row(FILE *out, long line, const struct trace_llm_call *c,
			     const struct price *p, double cost)
{
	fprintf(out, "%ld", line);
	csvout_text(out, c->id);
	csvout_text(out, c->run);
	csvout_num(out, c->iteration >= 0 ? (double)c->iteration : NAN, "%.0f");
	csvout_text(out, c->node);
	csvout_text(out, c->role);
	csvout_text(out, c->domain);
	csvout_text(out, c->task);
	csvout_text(out, c->provider);
	csvout_text(out, c->model);
	csvout_text(out, p ? p->name : "");
	csvout_text(out, c->status);
	csvout_num(out, c->start_time, "%.3f");
	csvout_num(out, c->end_time, "%.3f");
	if (c->has_usage)
		fprintf(out, ",%lld,%lld,%lld,%lld,%lld,%d,%.9f\n", (long long)c->usage.input,
			(long long)c->usage.cache_read, (long long)c->usage.cache_write,
			(long long)c->usage.output, (long long)c->usage.reasoning, c->estimated,
			cost);
	else
		fputs(",,,,,,0,\n", out);
}

/*
 * The costs_focus.csv rows of a priced call, one per token SKU (docs/focus.md): its period is
 * the call's start to end (whole seconds), or one second at `undated` when the trace gives no
 * times.
 */
static void replay_focus_row(FILE *out, const struct focus_account *acc,
			     const struct trace_llm_call *c, const struct price *p, double cost,
			     time_t undated)
{
	char where[TRACE_STR_MAX + 16];
	int dated = isfinite(c->start_time);
	time_t start = dated ? (time_t)floor(c->start_time) : undated;
	time_t end = dated && isfinite(c->end_time) ? (time_t)ceil(c->end_time) : start + 1;
	snprintf(where, sizeof(where), "call %s", c->id[0] ? c->id : "(no id)");
	struct focus_charge ch = {
		.start = start, .end = end, .cost = cost, .category = "AI and Machine Learning",
		.subcategory = "Generative AI", .service = "LLM API", .provider = p->provider,
		.type = "api_tokens", .description = where, .source = "replay",
		.iteration = c->iteration, .role = c->role, .model = p->name, .domain = c->domain,
	};
	struct focus_tokens t = { (double)c->usage.input, (double)c->usage.cache_read,
				  (double)c->usage.cache_write, (double)c->usage.output,
				  (double)c->usage.cache_write_1h, (double)c->usage.reasoning };
	focus_write_tokens(out, acc, &ch, p, &t);
}

/* Writes iterations.csv: one row per iteration the calls name (t sorted). */
static void replay_iterations_csv(FILE *out, const struct tally *t)
{
	fputs("replication,iteration,calls", out);
	for (int r = 0; r < TALLY_ROLES; r++)
		fprintf(out, ",%s_calls,%s_tokens", tally_role_name((enum tally_role)r),
			tally_role_name((enum tally_role)r));
	fputs(",input_tokens,cache_read_tokens,cache_write_tokens,output_tokens,"
	      "reasoning_tokens,cost_usd,calls_without_usage\n", out);
	for (size_t i = 0; i < t->n_iterations; i++) {
		const struct tally_iteration *it = &t->iterations[i];
		const struct usage *u = &it->usage;
		size_t calls = 0;
		for (int r = 0; r < TALLY_ROLES; r++)
			calls += it->calls[r];
		fprintf(out, "0,%ld,%zu", it->iteration, calls);
		for (int r = 0; r < TALLY_ROLES; r++)
			fprintf(out, ",%zu,%.0f", it->calls[r], it->tokens[r]);
		fprintf(out, ",%lld,%lld,%lld,%lld,%lld,%.10g,%zu\n", (long long)u->input,
			(long long)u->cache_read, (long long)u->cache_write, (long long)u->output,
			(long long)u->reasoning, it->cost_usd, it->without_usage);
	}
}

static void timeseries_row(FILE *out, const struct tally *t, long long first, long long hour,
			   const struct tally_hour *h, size_t row, double *cumulative)
{
	char stamp[32];
	time_t start = (time_t)(hour * 3600);
	struct tm tm;
	gmtime_r(&start, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:00:00Z", &tm);
	fprintf(out, "%lld,%s,%.0f", hour - first, stamp, h ? h->calls : 0);
	for (int r = 0; r < TALLY_ROLES; r++)
		fprintf(out, ",%.0f", h ? h->tokens[r] : 0);
	for (size_t m = 0; m < t->models.n; m++)
		fprintf(out, ",%.0f", h ? tally_model_tokens(t, row, m) : 0);
	*cumulative += h ? h->cost_usd : 0;
	fprintf(out, ",%.10g,%.10g\n", h ? h->cost_usd : 0, *cumulative);
}

/*
 * Writes timeseries.csv: one row per hour from the first call's to the last's (hours
 * without calls are zeros; above TALLY_MAX_SPAN_HOURS only hours with calls), t sorted.
 */
static void replay_timeseries_csv(FILE *out, const struct tally *t)
{
	double cumulative = 0;
	fputs("hour,hour_start_utc,calls", out);
	for (int r = 0; r < TALLY_ROLES; r++)
		fprintf(out, ",%s_tokens", tally_role_name((enum tally_role)r));
	for (size_t m = 0; m < t->models.n; m++) {
		char name[TRACE_STR_MAX + 8];
		snprintf(name, sizeof(name), "%s_tokens", strtab_str(&t->models, m));
		csvout_text(out, name);
	}
	fputs(",api_usd,api_usd_cumulative\n", out);
	if (!t->n_hours)
		return;
	long long first = t->hours[0].hour, last = t->hours[t->n_hours - 1].hour;
	int gaps = last - first < TALLY_MAX_SPAN_HOURS;
	size_t row = 0;
	for (long long hour = first; hour <= last; hour++) {
		int has = row < t->n_hours && t->hours[row].hour == hour;
		if (has || gaps)
			timeseries_row(out, t, first, hour, has ? &t->hours[row] : NULL, row,
				       &cumulative);
		if (has)
			row++;
		else if (!gaps)
			hour = t->hours[row].hour - 1;
	}
}

/* The per-call files: calls.csv, and costs_focus.csv for the priced calls; the tally. */
struct call_files {
	FILE *calls, *focus;
	struct focus_account account;
	time_t undated;  /* the period of calls without times */
	const struct price_sheet *ps;
	struct tally tally;
};

static int write_row(void *ctx, long line, const struct trace_llm_call *c,
		     const struct price *p, double cost, struct hc_err *err)
{
	struct call_files *files = ctx;
	const struct price *named = p ? p : price_sheet_find(files->ps, c->model);
	replay_calls_row(files->calls, line, c, p, cost);
	if (p)
		replay_focus_row(files->focus, &files->account, c, p, cost, files->undated);
	return tally_add(&files->tally, c, named ? named->name : c->model, cost, err);
}

/* iterations.csv and timeseries.csv from the tally. */
static int write_tables(struct results_dir *rd, struct tally *t, struct hc_err *err)
{
	tally_sort(t);
	FILE *f = results_dir_open(rd, "iterations.csv", err);
	if (!f)
		return HC_ERUNTIME;
	replay_iterations_csv(f, t);
	if (results_dir_close(rd, f, "iterations.csv", err))
		return HC_ERUNTIME;
	if (!(f = results_dir_open(rd, "timeseries.csv", err)))
		return HC_ERUNTIME;
	replay_timeseries_csv(f, t);
	return results_dir_close(rd, f, "timeseries.csv", err) ? HC_ERUNTIME : 0;
}

/* calls.csv and costs_focus.csv while re-pricing, then the tables; the summary tree. */
static int write_calls(struct results_dir *rd, const struct replay_report_input *in,
		       cJSON **summary, struct hc_err *err)
{
	struct call_files files = { .account = { "hypercap:replay", in->trace },
				    .undated = focus_default_start(), .ps = in->rp->ps };
	tally_init(&files.tally);
	files.calls = results_dir_open(rd, "calls.csv", err);
	files.focus = files.calls ? results_dir_open(rd, "costs_focus.csv", err) : NULL;
	if (!files.focus) {
		if (files.calls)
			fclose(files.calls);
		tally_release(&files.tally);
		return HC_ERUNTIME;
	}
	replay_calls_header(files.calls);
	focus_write_header(files.focus);
	int rc = reprice_trace(in->rp, in->r, write_row, &files, err);
	int closed = results_dir_close(rd, files.calls, "calls.csv", rc ? NULL : err);
	closed |= results_dir_close(rd, files.focus, "costs_focus.csv", rc ? NULL : err);
	if (!rc && closed)
		rc = HC_ERUNTIME;
	if (!rc)
		rc = write_tables(rd, &files.tally, err);
	cJSON *tree = rc ? NULL : replay_summary_build(in->rp, in->r);
	if (tree) {
		cJSON_AddNumberToObject(tree, "calls_without_iteration",
					(double)files.tally.without_iteration);
		cJSON_AddNumberToObject(tree, "calls_without_start_time",
					(double)files.tally.without_time);
	}
	tally_release(&files.tally);
	if (!rc && !tree)
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	*summary = tree;
	return rc;
}

/* Runs the re-timing, writes retime.csv and adds "retime" to the summary. */
static int write_retime(struct results_dir *rd, const struct replay_report_input *in,
			cJSON *summary, struct hc_err *err)
{
	struct retime_conf conf = *in->conf;
	conf.ps = in->rp->ps;
	conf.fleets_from = in->fleets_from;
	int rc = retime_run(in->rt, in->trace, in->skip_bad, &conf, err);
	if (rc)
		return rc;
	FILE *csv = results_dir_open(rd, "retime.csv", err);
	if (!csv)
		return HC_ERUNTIME;
	replay_retime_csv(csv, in->rt);
	if (results_dir_close(rd, csv, "retime.csv", err))
		return HC_ERUNTIME;
	cJSON *o = replay_retime_json(in->rt);
	if (!o)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	cJSON_AddItemToObject(summary, "retime", o);
	return 0;
}

int replay_report_write_all(struct results_dir *rd, const struct replay_report_input *in,
			    struct hc_err *err)
{
	cJSON *summary = NULL;
	int rc = write_calls(rd, in, &summary, err);
	if (!rc && in->rt)
		rc = write_retime(rd, in, summary, err);
	if (!rc)
		rc = results_dir_write_json(rd, "summary.json", summary, err);
	cJSON_Delete(summary);
	return rc;
}
