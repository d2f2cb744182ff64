/* summary: summary.json and iterations.csv of a forecast. Contracts in summary.h. */
#include <stdlib.h>
#include <string.h>
#include "model/calendar.h"
#include "reports/crossover_out.h"
#include "reports/csvout.h"
#include "reports/sensitivity_out.h"
#include "reports/jsonout.h"
#include "reports/summary.h"

static cJSON *usage_json(const struct usage_mean *u)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", u->total);
	cJSON_AddNumberToObject(o, "input", u->input);
	cJSON_AddNumberToObject(o, "output", u->output);
	cJSON_AddNumberToObject(o, "cache_read", u->cache_read);
	cJSON_AddNumberToObject(o, "cache_write", u->cache_write);
	cJSON_AddNumberToObject(o, "reasoning", u->reasoning);
	cJSON_AddNumberToObject(o, "calls", u->calls);
	return o;
}

static cJSON *tokens_json(const struct forecast *f)
{
	const struct forecast_means *m = &f->mean;
	cJSON *t = usage_json(&m->total);
	cJSON *by_role = cJSON_AddObjectToObject(t, "by_role");
	cJSON *detail = cJSON_AddObjectToObject(t, "detail_by_role");
	for (int r = 0; r < ROLE_COUNT; r++) {
		cJSON_AddNumberToObject(by_role, role_name((enum role)r), m->by_role[r].total);
		cJSON_AddItemToObject(detail, role_name((enum role)r), usage_json(&m->by_role[r]));
	}
	cJSON *by_model = cJSON_AddObjectToObject(t, "by_model");
	detail = cJSON_AddObjectToObject(t, "detail_by_model");
	for (size_t k = 0; k < f->models.n; k++) {
		const char *name = f->models.labels[k];
		cJSON_AddNumberToObject(by_model, name, m->by_model[k].total);
		cJSON_AddItemToObject(detail, name, usage_json(&m->by_model[k]));
	}
	return t;
}

static cJSON *cost_json(const struct forecast *f)
{
	const struct forecast_means *m = &f->mean;
	cJSON *c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "api", m->cost_api);
	cJSON_AddNumberToObject(c, "self_hosted", m->cost_self_hosted);
	cJSON_AddNumberToObject(c, "storage", m->cost_storage);
	cJSON_AddNumberToObject(c, "compute", m->cost_compute);
	cJSON_AddNumberToObject(c, "total", m->cost_total);
	cJSON *by_role = cJSON_AddObjectToObject(c, "by_role");
	for (int r = 0; r < ROLE_COUNT; r++)
		cJSON_AddNumberToObject(by_role, role_name((enum role)r), m->cost_by_role[r]);
	cJSON *by_model = cJSON_AddObjectToObject(c, "by_model");
	for (size_t k = 0; k < f->models.n; k++)
		cJSON_AddNumberToObject(by_model, f->models.labels[k], m->cost_by_model[k]);
	return c;
}

cJSON *summary_fleet_json(const struct fleet *lf, const struct fleet_result *r)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "serve_model", lf->model.name);
	cJSON_AddStringToObject(x, "gpu", lf->spec->gpu);
	cJSON_AddStringToObject(x, "pricing", gpu_pricing_name(lf->spec->pricing));
	cJSON_AddNumberToObject(x, "gpu_hour_usd", lf->gpu_hour_usd);
	cJSON_AddNumberToObject(x, "replicas", lf->spec->replicas);
	cJSON_AddNumberToObject(x, "gpus_per_replica", lf->replica.gpus);
	cJSON_AddNumberToObject(x, "batch", lf->replica.batch);
	cJSON_AddNumberToObject(x, "replica_output_tokens_per_s", lf->replica.output_tokens_per_s);
	cJSON_AddNumberToObject(x, "sized_input_tokens", lf->isl);
	cJSON_AddNumberToObject(x, "sized_output_tokens", lf->osl);
	cJSON_AddNumberToObject(x, "calls", r->calls);
	cJSON_AddNumberToObject(x, "gpu_hours", r->gpu_hours);
	cJSON_AddNumberToObject(x, "cost_usd", r->cost_usd);
	cJSON_AddNumberToObject(x, "utilisation", r->utilisation);
	cJSON_AddNumberToObject(x, "mean_wait_seconds", r->wait_seconds);
	return x;
}

/* Per phase of the critical path: its hours and its share of the wall time. */
static cJSON *critical_path_json(const struct forecast_means *m)
{
	cJSON *o = cJSON_CreateObject();
	for (int p = 0; p < PHASE_COUNT; p++) {
		cJSON *x = cJSON_AddObjectToObject(o, loop_phase_name((enum loop_phase)p));
		cJSON_AddNumberToObject(x, "hours", m->critical_path_hours[p]);
		cJSON_AddNumberToObject(x, "share", m->wall_hours > 0 ?
					m->critical_path_hours[p] / m->wall_hours : 0);
	}
	return o;
}

static cJSON *fleets_json(const struct forecast *f)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t k = 0; k < f->models.n_fleets; k++)
		cJSON_AddItemToObject(o, f->models.fleets[k].spec->name,
				      summary_fleet_json(&f->models.fleets[k], &f->mean.fleet[k]));
	return o;
}

/* Loops on shared capacity (docs/model.md, "Shared capacity"): wall times, stretch, waits. */
static cJSON *shared_json(const struct forecast *f)
{
	const struct forecast_means *m = &f->mean;
	unsigned loops = f->sc->shared.loops;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "loops", loops);
	if (f->sc->shared.eval_workers)
		cJSON_AddNumberToObject(o, "eval_workers", f->sc->shared.eval_workers);
	else
		cJSON_AddStringToObject(o, "eval_workers", "per child");
	cJSON_AddNumberToObject(o, "loop_wall_time_hours", m->loop_wall_hours);
	cJSON_AddNumberToObject(o, "alone_wall_time_hours", f->alone_wall_hours);
	cJSON_AddNumberToObject(o, "stretch", f->stretch);
	cJSON_AddNumberToObject(o, "cost_usd_per_loop", m->cost_total / loops);
	cJSON *w = cJSON_AddObjectToObject(o, "mean_wait_seconds");
	cJSON_AddNumberToObject(w, "rate_limits", m->rate_wait_seconds);
	cJSON_AddNumberToObject(w, "fleet_slots", m->fleet_wait_seconds);
	cJSON_AddNumberToObject(w, "eval_workers", m->eval_wait_seconds);
	cJSON_AddNumberToObject(o, "eval_worker_utilisation", m->eval_utilisation);
	return o;
}

static cJSON *quantiles_json(const struct forecast *f)
{
	cJSON *q = cJSON_CreateObject();
	for (int i = 0; i < METRIC_COUNT; i++) {
		const struct metric_stats *s = &f->metrics[i];
		cJSON *o = cJSON_AddObjectToObject(q, metric_name((enum metric)i));
		cJSON_AddNumberToObject(o, "p10", s->p10);
		cJSON_AddNumberToObject(o, "p50", s->p50);
		cJSON_AddNumberToObject(o, "p90", s->p90);
		cJSON_AddNumberToObject(o, "mean", s->mean);
		cJSON_AddNumberToObject(o, "ci95", s->ci95);
		cJSON_AddNumberToObject(o, "sd", s->sd);
	}
	return q;
}

/* Which month summary.json's monthly is, the schedule, and the runs it asks for a month. */
static void monthly_schedule_json(cJSON *o, const struct cost_params *cp, double runs)
{
	static const char *const names[] = { "cadence", "back-to-back", "at-once" };
	cJSON_AddStringToObject(o, "schedule", names[cp->schedule]);
	cJSON_AddStringToObject(o, "month", cp->schedule == SCHEDULE_AT_ONCE
				? "a 730-hour month while the runs started at once go (monthly.csv: "
				  "each calendar month)"
				: "steady state: a 730-hour month with the schedule's runs all going "
				  "(monthly.csv: each calendar month)");
	cJSON_AddNumberToObject(o, "runs_scheduled", cp->schedule == SCHEDULE_CADENCE
				? cp->runs_per_month * cp->parallel_runs : runs);
}


cJSON *summary_build(const struct forecast *f, const struct price_sheet *ps,
		     const struct summary_extras *x)
{
	const struct forecast_means *m = &f->mean;
	char date[16];
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "hypercap_summary", 1);
	cJSON_AddStringToObject(root, "scenario", f->sc->name);
	focus_date(x->start, date, sizeof(date));
	cJSON_AddStringToObject(root, "date", date);
	cJSON_AddStringToObject(root, "scenario_source", f->sc->origin);
	cJSON_AddNumberToObject(root, "iterations", f->sc->iterations);
	cJSON_AddNumberToObject(root, "replications", f->runs);
	if (f->n_variants) /* fit --extrapolate's bootstrap (docs/fit.md) */
		cJSON_AddNumberToObject(root, "fit_resamples", f->n_variants);
	jsonout_add_u64(root, "seed", f->seed);
	cJSON *sheet = cJSON_AddObjectToObject(root, "prices");
	cJSON_AddStringToObject(sheet, "sheet", ps->origin);
	cJSON_AddStringToObject(sheet, "date", ps->date);
	cJSON_AddStringToObject(sheet, "source", ps->source);
	cJSON_AddItemToObject(root, "tokens", tokens_json(f));
	cJSON_AddItemToObject(root, "cost_usd", cost_json(f));
	cJSON_AddItemToObject(root, "fleets", fleets_json(f));
	cJSON *arch = cJSON_AddObjectToObject(root, "archive");
	cJSON_AddNumberToObject(arch, "nodes", m->archive_nodes);
	cJSON_AddNumberToObject(arch, "bytes", m->archive_bytes);
	cJSON_AddNumberToObject(arch, "io_bytes", m->io_bytes);
	cJSON_AddNumberToObject(arch, "max_depth", m->max_depth);
	cJSON_AddNumberToObject(root, "wall_time_hours", m->wall_hours);
	cJSON_AddItemToObject(root, "shared", shared_json(f));
	cJSON *sandbox = cJSON_AddObjectToObject(root, "sandbox");
	cJSON_AddNumberToObject(sandbox, "cpu_hours", m->sandbox_cpu_hours);
	cJSON_AddNumberToObject(sandbox, "gpu_hours", m->sandbox_gpu_hours);
	cJSON_AddNumberToObject(sandbox, "gpu_sim_share_of_wall_time",
				m->wall_hours > 0 ? m->gpu_sim_hours / m->wall_hours : 0);
	cJSON_AddItemToObject(root, "critical_path", critical_path_json(m));
	cJSON *rebuild = cJSON_AddObjectToObject(root, "rebuild");
	cJSON_AddNumberToObject(rebuild, "hours", m->rebuild_hours);
	cJSON_AddNumberToObject(rebuild, "seconds_per_iteration", m->rebuild_seconds_per_iteration);
	cJSON_AddNumberToObject(rebuild, "share_of_wall_time", m->rebuild_share);
	cJSON_AddNumberToObject(arch, "storage_requests", m->storage_requests);
	cJSON_AddNumberToObject(arch, "storage_reads", m->storage_reads);
	cJSON_AddNumberToObject(arch, "storage_writes", m->storage_writes);
	cJSON_AddNumberToObject(arch, "gb_months_during_run", m->archive_gb_months);
	cJSON_AddNumberToObject(arch, "retained_bytes", m->retained_bytes);
	cJSON *monthly = cJSON_AddObjectToObject(root, "monthly");
	monthly_schedule_json(monthly, &f->sc->costs, m->monthly_runs);
	cJSON_AddNumberToObject(monthly, "runs", m->monthly_runs);
	cJSON_AddNumberToObject(monthly, "tokens", m->monthly_tokens);
	cJSON_AddNumberToObject(monthly, "cost_usd", m->monthly_cost);
	cJSON_AddNumberToObject(monthly, "busy_share", m->monthly_busy_share);
	cJSON *ft = cJSON_AddObjectToObject(root, "fine_tune_comparator_usd");
	cJSON_AddNumberToObject(ft, "usd", m->fine_tune_comparator_usd);
	cJSON_AddStringToObject(ft, "note", "GPUs x hours x USD/GPU-hour (costs.fine_tune_*); "
			       "a full-parameter 70B fine-tune does not fit one 8xH100 node "
			       "(weights, gradients and Adam state at 16 bytes a parameter: "
			       "1.1 TB against 640 GB), a LoRA run does");
	cJSON *out = cJSON_AddObjectToObject(root, "outcomes");
	cJSON_AddNumberToObject(out, "best_score", m->best_score);
	cJSON_AddNumberToObject(out, "compile_failures", m->compile_failures);
	cJSON_AddNumberToObject(out, "gates_passed", m->gates_passed);
	cJSON_AddNumberToObject(out, "gates_failed", m->gates_failed);
	cJSON_AddNumberToObject(out, "timeouts", m->timeouts);
	char warnings[FORECAST_WARNINGS][FORECAST_WARNING_MAX];
	size_t n_warnings = forecast_warnings(f, warnings);
	cJSON *w = cJSON_AddArrayToObject(root, "warnings");
	for (size_t i = 0; i < n_warnings; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(warnings[i]));
	if (f->runs > 1)
		cJSON_AddItemToObject(root, "quantiles", quantiles_json(f));
	if (x->crossover)
		cJSON_AddItemToObject(root, "crossover", crossover_out_json(x->crossover));
	if (f->sc->n_priors)
		cJSON_AddItemToObject(root, "priors", sensitivity_out_priors_json(f->sc));
	if (x->sensitivity && x->sensitivity->n)
		cJSON_AddItemToObject(root, "sensitivity",
				      sensitivity_out_json(x->sensitivity, f));
	return root;
}

static void iterations_header(FILE *out)
{
	fputs("replication,iteration,child,parent,node,score,compiled,gate_passed,timed_out,"
	      "self_modify_calls,self_modify_tokens,evaluate_calls,evaluate_tokens,input_tokens,"
	      "cache_read_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd,"
	      "checkout_bytes,archive_bytes,finish_hours,rebuild_seconds,rebuild_share,loop\n", out);
}

static void iterations_rows(FILE *out, unsigned rep, const struct loop_result *r)
{
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct iteration_row *row = &r->rows[i];
		const struct usage *sm = &row->usage[ROLE_SELF_MODIFY];
		const struct usage *ev = &row->usage[ROLE_EVALUATE];
		struct usage all = *sm;
		usage_add(&all, ev);
		fprintf(out, "%u,%u,%u,%d,%d,%.4f,%d,", rep, row->iteration, row->child,
			row->parent, row->node, row->score, row->compiled);
		if (row->gate >= 0)
			fprintf(out, "%d", row->gate);
		fprintf(out, ",%d,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.6f,%.0f,%.0f,"
			"%.6f,%.3f,%.6f,%u\n", row->timed_out, (long long)sm->calls,
			(long long)usage_total(sm), (long long)ev->calls,
			(long long)usage_total(ev), (long long)all.input,
			(long long)all.cache_read, (long long)all.cache_write,
			(long long)all.output, (long long)all.reasoning, row->cost_usd,
			row->checkout_bytes, row->archive_bytes, row->finish_seconds / 3600,
			row->rebuild_seconds, row->iteration_seconds > 0 ?
			row->rebuild_seconds / row->iteration_seconds : 0, row->loop);
	}
}

int summary_stream_begin(struct summary_stream *s, struct results_dir *rd, struct hc_err *err)
{
	memset(s, 0, sizeof(*s));
	s->rd = rd;
	s->iterations = results_dir_open(rd, "iterations.csv", err);
	if (!s->iterations)
		return HC_ERUNTIME;
	iterations_header(s->iterations);
	return 0;
}

/* Replication 0 comes first: it sizes the sums, once the forecast knows its models. */
static int stream_add(void *ctx, const struct forecast *f, unsigned rep,
		      const struct loop_result *r, struct hc_err *err)
{
	struct summary_stream *s = ctx;
	if (rep == 0 && (series_archive_init(&s->archive, f) || focus_steps_init(&s->focus, f)))
		return hc_err_set(err, HC_ERUNTIME, "out of memory for %u replications", f->runs);
	iterations_rows(s->iterations, rep, r);
	series_archive_add(&s->archive, rep, r);
	focus_steps_add(&s->focus, f, r);
	return 0;
}

struct forecast_sink summary_stream_sink(struct summary_stream *s)
{
	return (struct forecast_sink){ stream_add, s };
}

void summary_stream_release(struct summary_stream *s)
{
	if (s->iterations)
		fclose(s->iterations);
	s->iterations = NULL;
	series_archive_release(&s->archive);
	focus_steps_release(&s->focus);
}

/* Writes tree into NAME and deletes it. */
static int write_json(struct results_dir *rd, const char *name, cJSON *tree, struct hc_err *err)
{
	int rc = tree ? results_dir_write_json(rd, name, tree, err)
		      : hc_err_set(err, HC_ERUNTIME, "out of memory");
	cJSON_Delete(tree);
	return rc;
}

static int write_csv(struct results_dir *rd, const char *name,
		     int (*write)(FILE *, const struct forecast *), const struct forecast *f,
		     struct hc_err *err)
{
	FILE *out = results_dir_open(rd, name, err);
	if (!out)
		return HC_ERUNTIME;
	if (write(out, f)) {
		fclose(out);
		return hc_err_set(err, HC_ERUNTIME, "out of memory writing %s", name);
	}
	return results_dir_close(rd, out, name, err);
}

static int write_archive(struct results_dir *rd, const struct series_archive *a,
			 struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "archive.csv", err);
	if (!out)
		return HC_ERUNTIME;
	series_write_archive(out, a);
	return results_dir_close(rd, out, "archive.csv", err);
}

static int write_focus(struct results_dir *rd, const struct forecast *f,
		       const struct focus_steps *s, const struct calendar *c, time_t start,
		       struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "costs_focus.csv", err);
	if (!out)
		return HC_ERUNTIME;
	focus_write(out, f, s, c, start);
	return results_dir_close(rd, out, "costs_focus.csv", err);
}

static void monthly_row(FILE *out, const struct calendar_month *mo)
{
	fprintf(out, "%04d-%02d", mo->year, mo->month);
	csvout_num(out, mo->hours, "%.10g");
	csvout_num(out, mo->runs_active, "%.10g");
	csvout_num(out, mo->tokens, "%.0f");
	csvout_num(out, mo->tokens_p10, "%.0f");
	csvout_num(out, mo->tokens_p50, "%.0f");
	csvout_num(out, mo->tokens_p90, "%.0f");
	csvout_num(out, mo->usd_api, "%.6f");
	csvout_num(out, mo->usd_self_hosted, "%.6f");
	csvout_num(out, mo->usd_storage, "%.6f");
	csvout_num(out, mo->usd_compute, "%.6f");
	csvout_num(out, mo->usd_total, "%.6f");
	csvout_num(out, mo->usd_p10, "%.6f");
	csvout_num(out, mo->usd_p50, "%.6f");
	csvout_num(out, mo->usd_p90, "%.6f");
	fputc('\n', out);
}

static int write_monthly(struct results_dir *rd, const struct calendar *c, struct hc_err *err)
{
	FILE *out = results_dir_open(rd, "monthly.csv", err);
	if (!out)
		return HC_ERUNTIME;
	fputs("month,hours,runs_active,tokens,tokens_p10,tokens_p50,tokens_p90,usd_api,"
	      "usd_self_hosted,usd_storage,usd_compute,usd_total,usd_p10,usd_p50,usd_p90\n", out);
	for (size_t i = 0; i < c->n; i++)
		monthly_row(out, &c->month[i]);
	return results_dir_close(rd, out, "monthly.csv", err);
}

/* The calendar's two files: monthly.csv and costs_focus.csv, which follows it. */
static int write_calendar(struct results_dir *rd, const struct forecast *f,
			  const struct focus_steps *s, time_t start, struct hc_err *err)
{
	struct calendar c = CALENDAR_INIT;
	if (calendar_build(&c, f, start, err))
		return HC_ERUNTIME;
	int rc = write_focus(rd, f, s, &c, start, err) || write_monthly(rd, &c, err);
	calendar_release(&c);
	return rc ? HC_ERUNTIME : 0;
}

static int close_iterations(struct results_dir *rd, struct summary_stream *s, struct hc_err *err)
{
	FILE *out = s->iterations;
	s->iterations = NULL;
	return results_dir_close(rd, out, "iterations.csv", err);
}

int summary_write_all(struct results_dir *rd, const struct forecast *f,
		      const struct price_sheet *ps, const struct summary_extras *x,
		      struct summary_stream *s, struct hc_err *err)
{
	if (write_json(rd, "summary.json", summary_build(f, ps, x), err) ||
	    write_json(rd, "scenario.json", scenario_to_json(f->sc), err) ||
	    close_iterations(rd, s, err) ||
	    write_csv(rd, "timeseries.csv", series_write_timeseries, f, err) ||
	    write_archive(rd, &s->archive, err) ||
	    write_csv(rd, "montecarlo.csv", series_write_montecarlo, f, err) ||
	    write_calendar(rd, f, &s->focus, x->start, err))
		return HC_ERUNTIME;
	if (x->sensitivity && x->sensitivity->n &&
	    sensitivity_out_write_csv(rd, x->sensitivity, f, err))
		return HC_ERUNTIME;
	return x->crossover ? crossover_out_write_csv(rd, x->crossover, err) : 0;
}
