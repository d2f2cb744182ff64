/*
 * replay_report: see replay_report.h.
 */
#include <math.h>
#include <string.h>
#include <csv.h>
#include "reports/replay_report.h"

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

cJSON *replay_summary_build(const struct reprice *rp, const struct trace_reader *r)
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

void replay_calls_header(FILE *out)
{
	fputs("line,id,run,iteration,node,role,domain,task,provider,model,priced_as,status,"
	      "start_time,end_time,input_tokens,cache_read_tokens,cache_write_tokens,"
	      "output_tokens,reasoning_tokens,estimated,cost_usd\n", out);
}

static void text(FILE *out, const char *s)
{
	csv_fwrite(out, s, strlen(s));
	fputc(',', out);
}

static void number(FILE *out, double v, const char *fmt)
{
	if (!isnan(v))
		fprintf(out, fmt, v);
	fputc(',', out);
}

void replay_calls_row(FILE *out, long line, const struct trace_llm_call *c,
		      const struct price *p, double cost)
{
	fprintf(out, "%ld,", line);
	text(out, c->id);
	text(out, c->run);
	number(out, c->iteration >= 0 ? (double)c->iteration : NAN, "%.0f");
	text(out, c->node);
	text(out, c->role);
	text(out, c->domain);
	text(out, c->task);
	text(out, c->provider);
	text(out, c->model);
	text(out, p ? p->name : "");
	text(out, c->status);
	number(out, c->start_time, "%.3f");
	number(out, c->end_time, "%.3f");
	if (c->has_usage)
		fprintf(out, "%lld,%lld,%lld,%lld,%lld,%d,%.9f\n", (long long)c->usage.input,
			(long long)c->usage.cache_read, (long long)c->usage.cache_write,
			(long long)c->usage.output, (long long)c->usage.reasoning, c->estimated,
			cost);
	else
		fputs(",,,,,0,\n", out);
}
