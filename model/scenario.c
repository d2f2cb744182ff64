/* scenario: loading and checking a scenario through its field tables. Contracts in scenario.h. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsonfile.h"
#include "model/embedded.h"
#include "model/priors.h"
#include "model/profiles.h"
#include "model/scenario.h"
#include "model/textdist.h"

/* ---- the field tables ------------------------------------------------------------------ */

enum ftype { F_UINT, F_DOUBLE, F_BOOL, F_STRING, F_ENUM, F_DIST };

struct field {
	const char *name;
	enum ftype type;
	size_t offset;
	const char *def;            /* the default as JSON text; NULL: required */
	double min, max;            /* numbers, drawn values of a F_DIST, F_STRING length */
	const char *const *choices; /* F_ENUM, NULL-terminated; stores the index as an int */
	const char *unit;
	const char *help;
};

struct table {
	const char *path;  /* as the reference names it, e.g. "domains[]" */
	const char *intro;
	const struct field *fields;
	size_t n;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A string's max is its buffer's size less the NUL. */
#define STR(st, f, d, lo, h) { #f, F_STRING, offsetof(st, f), d, lo, sizeof(((st *)0)->f) - 1, \
			       NULL, "", h }
#define UINT(st, f, d, lo, hi, u, h) { #f, F_UINT, offsetof(st, f), d, lo, hi, NULL, u, h }
#define DBL(st, f, d, lo, hi, u, h) { #f, F_DOUBLE, offsetof(st, f), d, lo, hi, NULL, u, h }
#define BOOL(st, f, d, h) { #f, F_BOOL, offsetof(st, f), d, 0, 1, NULL, "", h }
#define ENUM(st, f, d, c, h) { #f, F_ENUM, offsetof(st, f), d, 0, 0, c, "", h }
#define DIST(st, f, d, lo, hi, u, h) { #f, F_DIST, offsetof(st, f), d, lo, hi, NULL, u, h }

static const char *const parent_rules[] = { "paper", "dgmh-code", "dgm-code", NULL };
static const char *const eval_modes[] = { "staged", "full", NULL };
static const char *const cachings[] = { "off", "automatic", "explicit", NULL };
static const char *const cache_ttls[] = { "5m", "1h", NULL };
/* in the order of enum precision and enum gpu_pricing (model/fleet.h) */
static const char *const precisions[] = { "fp8", "bf16", NULL };
static const char *const pricings[] = { "on-demand", "spot", "reserved", "owned", NULL };
static const char *const schedules[] = { "cadence", "back-to-back", "at-once", NULL };

static const struct field top_fields[] = {
	STR(struct scenario, name, NULL, 1, "A short name, used in titles and file names "
	    "(`out/<name>`): no `/`, `\\`, `..`, control characters or leading `.`."),
	STR(struct scenario, description, "\"\"", 0, "One or two sentences: what the run is."),
	UINT(struct scenario, iterations, NULL, 0, 100000, "",
	     "Iterations of the outer loop. 0 runs only the initial agent's evaluation."),
	UINT(struct scenario, children_per_iteration, "1", 1, 64, "",
	     "Children made in parallel per iteration (DGM-H 1, DGM 2 to 4)."),
	ENUM(struct scenario, parent_selection, "\"dgmh-code\"", parent_rules,
	     "Parent selection rule (docs/model.md, \"Parent selection\")."),
	ENUM(struct scenario, evaluation, "\"staged\"", eval_modes,
	     "staged: the rest of the full set runs only if every domain's screen passes the "
	     "gate; full: every child runs the full set (the paper's token accounting)."),
	DBL(struct scenario, selection_lambda, "10", 0, 1000, "",
	    "Steepness of the sigmoid in parent selection (λ)."),
};

static const struct field session_fields[] = {
	STR(struct session_params, calibrated_for, "\"\"", 0,
	    "The model these sizes were calibrated for (\"\": the role's model). When the role "
	    "names another, output_tokens and reasoning_fraction move to it by the two models' "
	    "profiles (docs/model.md, \"Model profiles\")."),
	DIST(struct session_params, calls, NULL, 1, 10000, "calls",
	     "LLM calls in one session (rounded, at least 1)."),
	UINT(struct session_params, max_calls, "40", 1, 10000, "calls",
	     "Cap on calls per session (DGM-H caps its tool loop at 40)."),
	DIST(struct session_params, prompt_tokens, NULL, 0, 2e6, "tokens",
	     "Input of the first call: system prompt, task and initial context."),
	DIST(struct session_params, output_tokens, NULL, 0, 1e6, "tokens",
	     "Output of each call, reasoning included, before the cap."),
	UINT(struct session_params, max_output_tokens, "16384", 1, 1000000, "tokens",
	     "Cap on the output of one call (DGM-H: 16,384)."),
	DBL(struct session_params, reasoning_fraction, "0", 0, 1, "",
	    "Share of output that is reasoning: billed as output, not carried into the next "
	    "call's context."),
	DIST(struct session_params, tool_result_tokens, "0", 0, 1e6, "tokens",
	     "Tokens a tool result adds to the context after each call."),
	DIST(struct session_params, tool_seconds, "0", 0, 86400, "s",
	     "Tool execution time after each call."),
	ENUM(struct session_params, caching, "\"off\"", cachings,
	     "Prompt caching: off; automatic (OpenAI: cached prefix reads, no writes; refused on "
	     "Anthropic models); explicit (Anthropic, when the caller sends cache_control "
	     "markers: the prefix is read, the new part written)."),
	DBL(struct session_params, cache_hit_rate, "1", 0, 1, "",
	    "Share of the repeated prefix that is read from the cache (automatic: of a "
	    "prefix of 1,024 tokens or more, rounded down to 1,024 + 128k)."),
	ENUM(struct session_params, cache_write_ttl, "\"5m\"", cache_ttls,
	     "Explicit caching: writes go to the 5-minute cache or the 1-hour one (billed at "
	     "its own rate)."),
};

static const struct field route_fields[] = {
	STR(struct route, fleet, "\"\"", 0,
	    "A fleet of `fleets[]` that serves these calls instead of the model's API (\"\": "
	    "the API)."),
	BOOL(struct route, batch, "false",
	     "Send the calls through the provider's batch API: batch rates, and each answer "
	     "arrives batch_latency_hours later."),
	DBL(struct route, batch_latency_hours, "24", 0, 720, "h",
	    "Wait for a batched call's answer: the providers' completion window is 24 h; most "
	    "batches finish sooner."),
	BOOL(struct route, batch_worker_waits, "false",
	     "With batch: the caller keeps its sandbox (and GPU simulator), billed, while the "
	     "answer is pending; false: submission and scoring are separate steps, and a task "
	     "frees its evaluation worker until the answer arrives."),
};

static const struct field selfmod_fields[] = {
	STR(struct self_modification, model, NULL, 1,
	    "The meta agent's model (a price sheet name or alias)."),
	DBL(struct self_modification, timeout_hours, "6", 0.001, 1000, "h",
	    "The session stops making calls after this long (DGM-H: 6 h)."),
	DBL(struct self_modification, compile_failure_rate, "0", 0, 1, "",
	    "Chance that a child fails the compile check and is not evaluated."),
	DIST(struct self_modification, compile_seconds, "30", 0, 86400, "s",
	     "The compile check (DGM-H's timeout: 300 s)."),
	DIST(struct self_modification, patch_bytes, "20000", 0, 1e9, "bytes",
	     "Size of the child's incremental patch."),
};

static const struct field domain_fields[] = {
	STR(struct domain, name, NULL, 1, "The domain's name: letters, digits, '_' and '-'."),
	STR(struct domain, model, NULL, 1, "The task agent's model."),
	UINT(struct domain, screen_tasks, NULL, 1, 100000, "tasks", "Tasks in the screen."),
	UINT(struct domain, full_tasks, NULL, 1, 100000, "tasks",
	     "Tasks in the full set, the screen's included."),
	UINT(struct domain, eval_workers, "10", 1, 10000, "tasks",
	     "Tasks evaluated at once per child (DGM-H default 10)."),
	UINT(struct domain, gate_min_passed, "1", 0, 100000, "tasks",
	     "Screen tasks that must pass for the rest of the full set to run (\"above 0\": 1)."),
	DBL(struct domain, initial_score, "0.2", 0, 1, "",
	    "The initial agent's chance to solve one task."),
	DIST(struct domain, improvement, "{\"dist\": \"normal\", \"mean\": 0.0, \"sd\": 0.05}", -1,
	     1, "", "A child's chance minus its parent's at initial_score; elsewhere scaled by "
	     "the headroom left, (score_ceiling − parent) / (score_ceiling − initial_score) "
	     "(docs/model.md, \"Evaluation and scores\")."),
	DBL(struct domain, score_ceiling, "1", 0, 1, "",
	    "The best chance to solve a task the benchmark allows; scores approach it and never "
	    "pass it. At least initial_score (equal: children keep their parent's chance)."),
	DIST(struct domain, sandbox_seconds, "60", 0, 86400, "s",
	     "A task's test run after the agent finishes."),
	DIST(struct domain, artifact_bytes, "100000", 0, 1e10, "bytes",
	     "Logs and results one evaluated task leaves in the archive."),
	DBL(struct domain, sandbox_gpus, "0", 0, 1024, "GPUs",
	    "GPUs a task's sandbox holds, for GPU simulators (billed at costs.sim_gpu_hour_usd)."),
};

static const struct field endpoint_fields[] = {
	STR(struct endpoint, name, NULL, 1, "The model this endpoint serves."),
	DBL(struct endpoint, ttft_seconds, "1", 0, 3600, "s", "Time to first token."),
	DBL(struct endpoint, prefill_tokens_per_second, "0", 0, 1e9, "tokens/s",
	    "Prompt processing speed added to the time to first token (0: not modelled)."),
	DBL(struct endpoint, decode_tokens_per_second, "50", 0.001, 1e9, "tokens/s",
	    "Output speed of one call."),
	DBL(struct endpoint, requests_per_minute, "0", 0, 1e9, "requests/min",
	    "Rate limit on requests (0: none)."),
	DBL(struct endpoint, tokens_per_minute, "0", 0, 1e12, "tokens/min",
	    "Rate limit on input + output tokens (0: none)."),
};

static const struct field fleet_fields[] = {
	STR(struct fleet_spec, name, NULL, 1, "The fleet's name, used by `fleet` routes."),
	STR(struct fleet_spec, serve_model, "\"llama-3.3-70b\"", 1,
	    "The open-weights model served (a serving sheet name or alias)."),
	ENUM(struct fleet_spec, precision, "\"fp8\"", precisions, "Weights and KV cache precision."),
	STR(struct fleet_spec, gpu, "\"h100-sxm\"", 1, "The GPU (a GPU sheet name or alias)."),
	UINT(struct fleet_spec, gpus_per_replica, "0", 0, 16, "GPUs",
	     "Tensor-parallel size of a replica (0: the smallest that fits a batch of 8)."),
	UINT(struct fleet_spec, replicas, "1", 1, 10000, "replicas",
	     "Replicas provisioned for the whole run, idle or not."),
	ENUM(struct fleet_spec, pricing, "\"on-demand\"", pricings,
	     "How the GPUs are paid for (docs/costs.md)."),
	DBL(struct fleet_spec, gpu_hour_usd, "0", 0, 1000, "USD/GPU-hour",
	    "Price per provisioned GPU-hour (0: the GPU sheet's price for `pricing`)."),
	DBL(struct fleet_spec, ttft_seconds, "0.05", 0, 3600, "s",
	    "Scheduling and network overhead per call, before prefill."),
	DBL(struct fleet_spec, request_input_tokens, "0", 0, 2e6, "tokens",
	    "Prompt length the replica's batch and speed are sized for (0: the mean of the "
	    "routed sessions)."),
	DBL(struct fleet_spec, request_output_tokens, "0", 0, 1e6, "tokens",
	    "Output length the replica is sized for (0: the mean of the routed sessions)."),
};

static const struct field archive_fields[] = {
	DBL(struct archive_params, root_bytes, "5e6", 0, 1e13, "bytes",
	    "The initial agent's repository, the archive's root."),
	DBL(struct archive_params, node_metadata_bytes, "4096", 0, 1e9, "bytes",
	    "Metadata per node besides its patch and artifacts."),
	BOOL(struct archive_params, copy_run_dir, "true",
	     "Rebuilding a parent copies the whole run directory, as DGM-H does."),
	DBL(struct archive_params, read_bytes_per_second, "2e8", 1, 1e12, "bytes/s",
	    "Storage read speed for rebuilds."),
	DBL(struct archive_params, sandbox_start_seconds, "10", 0, 86400, "s",
	    "Starting the sandbox for a rebuild."),
	DBL(struct archive_params, patch_apply_seconds, "0.5", 0, 3600, "s",
	    "Applying one ancestor's patch."),
};

static const struct field cost_fields[] = {
	DBL(struct cost_params, storage_usd_per_gb_month, "0.023", 0, 1000, "USD/GB-month",
	    "Archive storage price (object storage, standard class)."),
	DBL(struct cost_params, retention_months, "12", 0, 1200, "months",
	    "How long the final archive is kept and paid for after the run (during the run it "
	    "is billed as it grows)."),
	UINT(struct cost_params, retention_keep_top, "0", 0, 1000000, "nodes",
	     "Retention policy after the run: keep the K best nodes whole and the patches and "
	     "metadata of their lineages, drop the rest (0: keep the whole archive)."),
	UINT(struct cost_params, retention_keep_iterations, "0", 0, 1000000, "iterations",
	     "Retention policy after the run: keep the run directories (patch, metadata, "
	     "artifacts) of the nodes of the last N iterations whole; older nodes keep only "
	     "their patch and metadata, which rebuild the rest (0: keep every run directory). "
	     "Applies to what retention_keep_top keeps."),
	DBL(struct cost_params, storage_usd_per_1000_requests, "0.005", 0, 1000, "USD",
	    "Price of 1,000 writes, one per object written (PUT; AWS S3 Standard us-east-1, "
	    "aws.amazon.com/s3/pricing, 2026-12-06)."),
	DBL(struct cost_params, storage_usd_per_1000_reads, "0.0004", 0, 1000, "USD",
	    "Price of 1,000 reads, one per object a rebuild reads (GET; AWS S3 Standard "
	    "us-east-1, aws.amazon.com/s3/pricing, 2026-12-06)."),
	DBL(struct cost_params, vcpu_hour_usd, "0.04048", 0, 1000, "USD/vCPU-hour",
	    "Sandbox compute price."),
	DBL(struct cost_params, sandbox_vcpus, "2", 0, 1024, "vCPUs",
	    "vCPUs of one sandbox (a self-modification or one evaluation task)."),
	DBL(struct cost_params, sim_gpu_hour_usd, "0", 0, 1000, "USD/GPU-hour",
	    "Price of a simulator GPU (domains with sandbox_gpus > 0)."),
	DBL(struct cost_params, runs_per_month, "1", 0, 1e6, "runs",
	    "Runs a month the schedule starts, per loop; one starts when the last ended."),
	DBL(struct cost_params, parallel_runs, "1", 1, 1e4, "runs",
	    "Runs going at once (e.g. domains as separate loops); each is a run of this file."),
	ENUM(struct cost_params, schedule, "\"cadence\"", schedules,
	     "How each of the parallel_runs loops starts runs: cadence, runs_per_month a month "
	     "but never before the last ended; back-to-back, a run when the last ends; at-once, "
	     "one run at --start and no more. Runs start in the first 8,760 hours."),
	DBL(struct cost_params, fine_tune_gpus, "8", 0, 1e5, "GPUs",
	    "The fine-tune comparator: GPUs (8 x H100, one node)."),
	DBL(struct cost_params, fine_tune_hours, "72", 0, 1e5, "h", "The fine-tune comparator: hours."),
	DBL(struct cost_params, fine_tune_gpu_hour_usd, "3", 0, 1000, "USD/GPU-hour",
	    "The fine-tune comparator: price per GPU-hour."),
};

static const struct field shared_fields[] = {
	UINT(struct shared_params, loops, "1", 1, 1000, "loops",
	     "Loops of this file running at once in one replication, on one clock: they share "
	     "every model's rate limits and every fleet (docs/model.md, \"Shared capacity\"). "
	     "Unlike costs.parallel_runs, which copies a run and shares nothing."),
	UINT(struct shared_params, eval_workers, "0", 0, 1000000, "workers",
	     "Evaluation workers per domain shared by every child of every loop (0: each "
	     "child has its domains' own eval_workers, nothing shared)."),
};

static const struct table top_table = { "(top level)",
	"Also `self_modification`, `domains`, `models`, `fleets`, `archive`, `costs` and "
	"`shared` below. "
	"Keys that start with `_` are comments and are ignored everywhere.", top_fields,
	COUNT(top_fields) };
static const struct table selfmod_table = { "self_modification",
	"The meta agent's session; the session fields below also belong here.",
	selfmod_fields, COUNT(selfmod_fields) };
static const struct table session_table = { "self_modification, domains[].task",
	"An agentic session: call t's input is the first prompt plus every earlier visible "
	"output and tool result.", session_fields, COUNT(session_fields) };
static const struct table domain_table = { "domains[]",
	"One to 16 domains, evaluated in parallel; `task` holds the task agent's session.",
	domain_fields, COUNT(domain_fields) };
static const struct table endpoint_table = { "models[]",
	"Optional: latency and rate limits per model. A model not listed takes its profile's "
	"ttft_seconds and decode_tokens_per_second (data/models/), else these defaults, with a "
	"warning.",
	endpoint_fields, COUNT(endpoint_fields) };
static const struct table route_table = { "self_modification, domains[]",
	"Routing: where the role's calls go (docs/costs.md).", route_fields,
	COUNT(route_fields) };
static const struct table fleet_table = { "fleets[]",
	"Optional: self-hosted fleets (GPU and serving sheets: docs/costs.md). Calls routed to a "
	"fleet queue on its replicas' batch slots; the fleet costs its provisioned GPU-hours.",
	fleet_fields, COUNT(fleet_fields) };
static const struct table archive_table = { "archive", "Archive sizes and rebuild I/O.",
	archive_fields, COUNT(archive_fields) };
static const struct table cost_table = { "costs",
	"Storage, sandbox compute and the monthly burn (docs/costs.md); API prices come from the "
	"price sheet.", cost_fields, COUNT(cost_fields) };
static const struct table shared_table = { "shared",
	"Optional: loops running at once on shared capacity (docs/model.md).", shared_fields,
	COUNT(shared_fields) };

/* ---- parsing one value ------------------------------------------------------------------ */

struct ctx {
	const char *origin;
	struct hc_err *err;
};

static int bad_value(const struct ctx *c, const char *path, const cJSON *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad_value(const struct ctx *c, const char *path, const cJSON *v, const char *fmt, ...)
{
	char got[80], allowed[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(allowed, sizeof(allowed), fmt, ap);
	va_end(ap);
	return hc_err_set(c->err, HC_EINPUT, "%s: %s: got %s; allowed: %s", c->origin, path,
			  json_describe(v, got, sizeof(got)), allowed);
}

static int number_in(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= lo &&
	       v->valuedouble <= hi;
}

static void choices_text(const char *const *choices, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; choices[i] && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s'%s'", i ? ", " : "one of ",
					 choices[i]);
}

/* the parameter keys of each kind, in the order of struct dist's a and b */
static const char *const dist_keys[][2] = {
	{ "value", NULL }, { "min", "max" }, { "mean", "sd" }, { "mean", "cv" }, { "mean", "cv" },
	{ "mean", NULL }, { "values", NULL },
};

#define DIST_MAX_CV 10.0
#define DIST_MAX_VALUES 100000

static int parse_empirical(const struct ctx *c, const char *path, const struct field *f,
			   const cJSON *list, struct dist *d)
{
	int n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || n < 1 || n > DIST_MAX_VALUES)
		return bad_value(c, path, list, "an array of 1 to %d numbers", DIST_MAX_VALUES);
	double *values = malloc((size_t)n * sizeof(*values));
	if (!values)
		return hc_err_set(c->err, HC_ERUNTIME, "out of memory");
	size_t i = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, list) {
		if (!number_in(v, f->min, f->max)) {
			free(values);
			char p[300];
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			return bad_value(c, p, v, "a number from %g to %g", f->min, f->max);
		}
		values[i++] = v->valuedouble;
	}
	d->values = values;
	d->n = i;
	return 0;
}

static int parse_dist_object(const struct ctx *c, const char *path, const struct field *f,
			     const cJSON *v, struct dist *d)
{
	char p[256], allowed[200];
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(v, "dist");
	int k = cJSON_IsString(kind) ? dist_kind_parse(kind->valuestring) : -1;
	snprintf(p, sizeof(p), "%s.dist", path);
	choices_text(dist_kind_names, allowed, sizeof(allowed));
	if (k < 0)
		return bad_value(c, p, kind, "%s", allowed);
	memset(d, 0, sizeof(*d));
	d->kind = (enum dist_kind)k;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		const char *key = item->string;
		snprintf(p, sizeof(p), "%s.%s", path, key);
		/* as parse_object does: a repeated key would silently override (and leak the
		 * values of an empirical distribution) */
		for (const cJSON *prev = v->child; prev != item; prev = prev->next)
			if (!strcmp(prev->string, key))
				return hc_err_set(c->err, HC_EINPUT, "%s: %s: given twice; "
						  "allowed: each key once", c->origin, p);
		if (!strcmp(key, "dist") || key[0] == '_')
			continue;
		int slot = dist_keys[k][0] && !strcmp(key, dist_keys[k][0]) ? 0 :
			   dist_keys[k][1] && !strcmp(key, dist_keys[k][1]) ? 1 : -1;
		if (slot < 0)
			return hc_err_set(c->err, HC_EINPUT, "%s: %s: unknown key for a %s "
					  "distribution; allowed: '%s'%s%s%s", c->origin, p,
					  dist_kind_names[k], dist_keys[k][0],
					  dist_keys[k][1] ? ", '" : "",
					  dist_keys[k][1] ? dist_keys[k][1] : "",
					  dist_keys[k][1] ? "'" : "");
		if (d->kind == DIST_EMPIRICAL) {
			if (parse_empirical(c, p, f, item, d))
				return c->err ? c->err->code : HC_EINPUT;
			continue;
		}
		int is_spread = slot == 1 && (d->kind == DIST_NORMAL || d->kind == DIST_LOGNORMAL ||
					      d->kind == DIST_GAMMA);
		double lo = is_spread ? 0 : f->min;
		double hi = is_spread ? (d->kind == DIST_NORMAL ? f->max - f->min : DIST_MAX_CV)
				      : f->max;
		if (!number_in(item, lo, hi))
			return bad_value(c, p, item, "a number from %g to %g", lo, hi);
		*(slot ? &d->b : &d->a) = item->valuedouble;
	}
	for (int slot = 0; slot < 2; slot++) {
		const char *key = dist_keys[k][slot];
		if (key && !cJSON_GetObjectItemCaseSensitive(v, key)) {
			snprintf(p, sizeof(p), "%s.%s", path, key);
			return hc_err_set(c->err, HC_EINPUT, "%s: %s: missing; a %s distribution "
					  "needs it", c->origin, p, dist_kind_names[k]);
		}
	}
	if (d->kind == DIST_UNIFORM && d->a > d->b)
		return bad_value(c, path, v, "a uniform distribution with min <= max");
	if ((d->kind == DIST_LOGNORMAL || d->kind == DIST_GAMMA) && d->a <= 0 && d->b > 0)
		return bad_value(c, path, v, "a positive mean when cv > 0");
	dist_prepare(d);
	return 0;
}

static int parse_dist(const struct ctx *c, const char *path, const struct field *f,
		      const cJSON *v, struct dist *d)
{
	if (cJSON_IsNumber(v)) {
		if (!number_in(v, f->min, f->max))
			return bad_value(c, path, v, "a number from %g to %g, or a distribution "
					 "object", f->min, f->max);
		*d = (struct dist){ .kind = DIST_CONST, .a = v->valuedouble };
		return 0;
	}
	if (!cJSON_IsObject(v))
		return bad_value(c, path, v, "a number from %g to %g, or a distribution object "
				 "such as {\"dist\": \"lognormal\", \"mean\": M, \"cv\": C}",
				 f->min, f->max);
	return parse_dist_object(c, path, f, v, d);
}

static int parse_value(const struct ctx *c, const char *path, const struct field *f,
		       const cJSON *v, void *base)
{
	void *at = (char *)base + f->offset;
	char allowed[200];
	switch (f->type) {
	case F_UINT:
		if (!number_in(v, f->min, f->max) || v->valuedouble != floor(v->valuedouble))
			return bad_value(c, path, v, "a whole number from %g to %g", f->min,
					 f->max);
		*(unsigned *)at = (unsigned)v->valuedouble;
		return 0;
	case F_DOUBLE:
		if (!number_in(v, f->min, f->max))
			return bad_value(c, path, v, "a number from %g to %g", f->min, f->max);
		*(double *)at = v->valuedouble;
		return 0;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			return bad_value(c, path, v, "true or false");
		*(int *)at = cJSON_IsTrue(v);
		return 0;
	case F_STRING:
		if (!cJSON_IsString(v) || strlen(v->valuestring) < f->min ||
		    strlen(v->valuestring) > f->max)
			return bad_value(c, path, v, "a string of %g to %g characters", f->min,
					 f->max);
		strcpy(at, v->valuestring);
		return 0;
	case F_ENUM:
		for (int i = 0; cJSON_IsString(v) && f->choices[i]; i++)
			if (!strcmp(v->valuestring, f->choices[i])) {
				*(int *)at = i;
				return 0;
			}
		choices_text(f->choices, allowed, sizeof(allowed));
		return bad_value(c, path, v, "%s", allowed);
	case F_DIST:
		return parse_dist(c, path, f, v, (struct dist *)at);
	}
	return hc_err_set(c->err, HC_ERUNTIME, "field '%s' has no type", f->name);
}

/* ---- parsing an object against tables -------------------------------------------------- */

struct part {
	const struct table *table;
	void *base;
};

static const struct field *find_field(const struct part *parts, size_t n, const char *name,
				      void **base)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < parts[i].table->n; j++)
			if (!strcmp(parts[i].table->fields[j].name, name)) {
				*base = parts[i].base;
				return &parts[i].table->fields[j];
			}
	return NULL;
}

static int unknown_key(const struct ctx *c, const char *path, const char *key,
		       const struct part *parts, size_t n, const char *const *subs)
{
	const char *names[64];
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < parts[i].table->n && k < 64; j++)
			names[k++] = parts[i].table->fields[j].name;
	for (size_t i = 0; subs && subs[i] && k < 64; i++)
		names[k++] = subs[i];
	char near[200];
	textdist_suggest(key, names, k, near, sizeof(near));
	int none = !strcmp(near, "none");
	return hc_err_set(c->err, HC_EINPUT, "%s: %s%s%s: unknown field; %s%s%sallowed: the "
			  "fields docs/scenario.md lists for this section", c->origin, path,
			  *path ? "." : "", key, none ? "" : "did you mean ", none ? "" : near,
			  none ? "" : "? ");
}

static int is_listed(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static void join_path(char *buf, size_t size, const char *path, const char *key)
{
	snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key);
}

/*
 * Parses the fields of obj described by parts, applies the defaults of the fields it lacks,
 * and rejects keys that are neither a field nor one of the sub-sections subs.
 */
static int parse_object(const struct ctx *c, const char *path, const cJSON *obj,
			const struct part *parts, size_t n, const char *const *subs)
{
	char p[256];
	if (!cJSON_IsObject(obj))
		return bad_value(c, *path ? path : "(top level)", obj, "an object");
	const cJSON *item;
	cJSON_ArrayForEach(item, obj) {
		void *base;
		for (const cJSON *prev = obj->child; prev != item; prev = prev->next)
			if (!strcmp(prev->string, item->string)) {
				join_path(p, sizeof(p), path, item->string);
				return hc_err_set(c->err, HC_EINPUT, "%s: %s: given twice; allowed: "
						  "each key once", c->origin, p);
			}
		if (item->string[0] == '_' || is_listed(subs, item->string))
			continue;
		const struct field *f = find_field(parts, n, item->string, &base);
		if (!f)
			return unknown_key(c, path, item->string, parts, n, subs);
		join_path(p, sizeof(p), path, f->name);
		if (parse_value(c, p, f, item, base))
			return c->err ? c->err->code : HC_EINPUT;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < parts[i].table->n; j++) {
			const struct field *f = &parts[i].table->fields[j];
			if (cJSON_GetObjectItemCaseSensitive(obj, f->name))
				continue;
			join_path(p, sizeof(p), path, f->name);
			if (!f->def)
				return hc_err_set(c->err, HC_EINPUT, "%s: %s: missing; this field is "
						  "required (%s)", c->origin, p, f->help);
			cJSON *def = cJSON_Parse(f->def);
			int rc = def ? parse_value(c, p, f, def, parts[i].base) :
				       hc_err_set(c->err, HC_ERUNTIME, "bad default for %s", p);
			cJSON_Delete(def);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- sections ---------------------------------------------------------------------------- */

static int valid_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/*
 * A name that becomes part of a path (out/<name>): no '/', '\\', "..", control characters or
 * leading '.', so that it names one entry inside out/ and never a hidden one.
 */
static int plain_name(const char *s)
{
	if (s[0] == '.' || strstr(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int check_domain(const struct ctx *c, const char *path, const struct domain *d)
{
	char p[256];
	if (!valid_name(d->name)) {
		snprintf(p, sizeof(p), "%s.name", path);
		return hc_err_set(c->err, HC_EINPUT, "%s: %s: got \"%s\"; allowed: letters, digits, "
				  "'_' and '-'", c->origin, p, d->name);
	}
	if (d->screen_tasks > d->full_tasks) {
		snprintf(p, sizeof(p), "%s.screen_tasks", path);
		return hc_err_set(c->err, HC_EINPUT, "%s: %s: got %u; allowed: at most full_tasks "
				  "(%u)", c->origin, p, d->screen_tasks, d->full_tasks);
	}
	if (d->score_ceiling < d->initial_score) {
		snprintf(p, sizeof(p), "%s.score_ceiling", path);
		return hc_err_set(c->err, HC_EINPUT, "%s: %s: got %g; allowed: at least "
				  "initial_score (%g)", c->origin, p, d->score_ceiling,
				  d->initial_score);
	}
	if (d->gate_min_passed > d->screen_tasks) {
		snprintf(p, sizeof(p), "%s.gate_min_passed", path);
		return hc_err_set(c->err, HC_EINPUT, "%s: %s: got %u; allowed: at most "
				  "screen_tasks (%u)", c->origin, p, d->gate_min_passed,
				  d->screen_tasks);
	}
	return 0;
}

static const char *const domain_subs[] = { "task", NULL };

static int parse_domain(const struct ctx *c, const char *path, const cJSON *obj, struct domain *d)
{
	char p[256];
	const struct part parts[] = { { &domain_table, d }, { &route_table, &d->route } };
	if (parse_object(c, path, obj, parts, 2, domain_subs))
		return c->err ? c->err->code : HC_EINPUT;
	const cJSON *task = cJSON_GetObjectItemCaseSensitive(obj, "task");
	snprintf(p, sizeof(p), "%s.task", path);
	if (!task)
		return hc_err_set(c->err, HC_EINPUT, "%s: %s: missing; this section is required "
				  "(the task agent's session)", c->origin, p);
	const struct part tparts[] = { { &session_table, &d->task } };
	if (parse_object(c, p, task, tparts, 1, NULL))
		return c->err ? c->err->code : HC_EINPUT;
	return check_domain(c, path, d);
}

/* Parses a named array: 1..max objects (min 0 when optional), names unique. */
static int parse_named_array(const struct ctx *c, const char *key, const cJSON *list,
			     size_t min, size_t max, void **out, size_t elem_size, size_t *count,
			     int (*parse)(const struct ctx *, const char *, const cJSON *, void *))
{
	int n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || (size_t)n < min || (size_t)n > max)
		return bad_value(c, key, list, "an array of %zu to %zu objects", min, max);
	char *items = calloc(n ? (size_t)n : 1, elem_size);
	if (!items)
		return hc_err_set(c->err, HC_ERUNTIME, "out of memory");
	*out = items;
	*count = 0;
	const cJSON *obj;
	cJSON_ArrayForEach(obj, list) {
		char p[64];
		snprintf(p, sizeof(p), "%s[%zu]", key, *count);
		char *item = items + *count * elem_size;
		(*count)++;
		if (parse(c, p, obj, item))
			return c->err ? c->err->code : HC_EINPUT;
		/* every element struct starts with its name */
		for (size_t j = 0; j + 1 < *count; j++)
			if (!strcmp(items + j * elem_size, item))
				return hc_err_set(c->err, HC_EINPUT, "%s: %s.name: \"%s\" is given "
						  "twice; allowed: unique names", c->origin, p, item);
	}
	return 0;
}

static int parse_domain_item(const struct ctx *c, const char *path, const cJSON *obj, void *d)
{
	return parse_domain(c, path, obj, d);
}

static int parse_endpoint_item(const struct ctx *c, const char *path, const cJSON *obj, void *e)
{
	const struct part parts[] = { { &endpoint_table, e } };
	return parse_object(c, path, obj, parts, 1, NULL);
}

static int parse_fleet_item(const struct ctx *c, const char *path, const cJSON *obj, void *f)
{
	const struct part parts[] = { { &fleet_table, f } };
	return parse_object(c, path, obj, parts, 1, NULL);
}

static const char *const top_subs[] = { "self_modification", "domains", "models", "fleets",
					"archive", "costs", "shared", NULL };

/* A route names a fleet of the file, or none. */
static int check_route(const struct ctx *c, const struct scenario *sc, const char *path,
		       const struct route *r)
{
	const char *names[SCENARIO_MAX_FLEETS];
	if (!r->fleet[0])
		return 0;
	for (size_t i = 0; i < sc->n_fleets; i++) {
		if (!strcmp(sc->fleets[i].name, r->fleet))
			return 0;
		names[i] = sc->fleets[i].name;
	}
	char near[200];
	textdist_suggest(r->fleet, names, sc->n_fleets, near, sizeof(near));
	return hc_err_set(c->err, HC_EINPUT, "%s: %s.fleet: got \"%s\"; allowed: \"\" (the API) "
			  "or a fleet of `fleets` (close matches: %s)", c->origin, path, r->fleet,
			  near);
}

static int check_routes(const struct ctx *c, const struct scenario *sc)
{
	char p[64];
	if (check_route(c, sc, "self_modification", &sc->self_modification.route))
		return HC_EINPUT;
	for (size_t d = 0; d < sc->n_domains; d++) {
		snprintf(p, sizeof(p), "domains[%zu]", d);
		if (check_route(c, sc, p, &sc->domains[d].route))
			return HC_EINPUT;
	}
	return 0;
}

/* Parses an optional section: absent, every field takes its default. */
static int parse_optional(const struct ctx *c, const cJSON *root, const char *key,
			  const struct table *t, void *base)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, key);
	cJSON *empty = obj ? NULL : cJSON_CreateObject();
	const struct part parts[] = { { t, base } };
	int rc = parse_object(c, key, obj ? obj : empty, parts, 1, NULL);
	cJSON_Delete(empty);
	return rc;
}

static int parse_scenario(const struct ctx *c, const cJSON *root, struct scenario *sc)
{
	const struct part top[] = { { &top_table, sc } };
	if (parse_object(c, "", root, top, 1, top_subs))
		return c->err ? c->err->code : HC_EINPUT;
	if (!plain_name(sc->name))
		return hc_err_set(c->err, HC_EINPUT, "%s: name: got \"%s\"; allowed: a plain file "
				  "name (no '/', '\\', \"..\", control characters or leading '.')",
				  c->origin, sc->name);
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(root, "self_modification");
	if (!sm)
		return hc_err_set(c->err, HC_EINPUT, "%s: self_modification: missing; this section "
				  "is required (the meta agent's session)", c->origin);
	const struct part smp[] = { { &selfmod_table, &sc->self_modification },
				    { &route_table, &sc->self_modification.route },
				    { &session_table, &sc->self_modification.session } };
	if (parse_object(c, "self_modification", sm, smp, 3, NULL))
		return c->err ? c->err->code : HC_EINPUT;
	if (parse_optional(c, root, "archive", &archive_table, &sc->archive) ||
	    parse_optional(c, root, "costs", &cost_table, &sc->costs) ||
	    parse_optional(c, root, "shared", &shared_table, &sc->shared))
		return c->err ? c->err->code : HC_EINPUT;
	const cJSON *domains = cJSON_GetObjectItemCaseSensitive(root, "domains");
	if (parse_named_array(c, "domains", domains, 1, SCENARIO_MAX_DOMAINS,
			      (void **)&sc->domains, sizeof(struct domain), &sc->n_domains,
			      parse_domain_item))
		return c->err ? c->err->code : HC_EINPUT;
	const cJSON *models = cJSON_GetObjectItemCaseSensitive(root, "models");
	if (models && parse_named_array(c, "models", models, 0, SCENARIO_MAX_MODELS,
					(void **)&sc->models, sizeof(struct endpoint),
					&sc->n_models, parse_endpoint_item))
		return c->err ? c->err->code : HC_EINPUT;
	const cJSON *fleets = cJSON_GetObjectItemCaseSensitive(root, "fleets");
	if (fleets && parse_named_array(c, "fleets", fleets, 0, SCENARIO_MAX_FLEETS,
					(void **)&sc->fleets, sizeof(struct fleet_spec),
					&sc->n_fleets, parse_fleet_item))
		return c->err ? c->err->code : HC_EINPUT;
	return check_routes(c, sc);
}

/* ---- limits across fields ----------------------------------------------------------------- */

/* Mean calls of a session: the distribution's mean, at least 1, capped at max_calls. */
static double session_calls(const struct session_params *s)
{
	double m = dist_mean(&s->calls);
	return fmin(fmax(m, 1), s->max_calls);
}

/* Expected LLM calls of one run if every child ran its full evaluation (staged runs fewer). */
static double expected_calls(const struct scenario *sc, unsigned long long nodes)
{
	double per_eval = 0;
	for (size_t d = 0; d < sc->n_domains; d++)
		per_eval += sc->domains[d].full_tasks * session_calls(&sc->domains[d].task);
	return (double)nodes * session_calls(&sc->self_modification.session) +
	       (double)(nodes + 1) * per_eval;
}

int scenario_check_limits(const struct scenario *sc, unsigned runs, struct hc_err *err)
{
	const char *o = sc->origin;
	unsigned children = sc->children_per_iteration;
	unsigned long long nodes = (unsigned long long)sc->iterations * children, tasks = 0;
	for (size_t d = 0; d < sc->n_domains; d++)
		tasks += sc->domains[d].full_tasks;
	if (nodes > SCENARIO_MAX_NODES)
		return hc_err_set(err, HC_EINPUT, "%s: iterations x children_per_iteration: "
				  "got %u x %u = %llu archive nodes; allowed: at most %d "
				  "(each is kept in memory)", o, sc->iterations, children, nodes,
				  SCENARIO_MAX_NODES);
	if (tasks * children > SCENARIO_MAX_ITERATION_TASKS)
		return hc_err_set(err, HC_EINPUT, "%s: children_per_iteration x "
				  "domains[].full_tasks: got %u x %llu = %llu tasks in one "
				  "iteration; allowed: at most %d", o, children, tasks,
				  tasks * children, SCENARIO_MAX_ITERATION_TASKS);
	double calls = expected_calls(sc, nodes) * sc->shared.loops;
	if (calls > SCENARIO_MAX_CALLS)
		return hc_err_set(err, HC_EINPUT, "%s: expected LLM calls of one run "
				  "(iterations, children_per_iteration, domains[].full_tasks, "
				  "the sessions' calls, shared.loops): got %.3g; allowed: at most "
				  "%.0e (over 10 minutes of simulation per run)", o, calls,
				  SCENARIO_MAX_CALLS);
	/* every loop of a replication keeps its archive and rows */
	nodes = (nodes + 1) * sc->shared.loops - 1;
	unsigned long long node_runs = (nodes + 1) * runs;
	if (node_runs > SCENARIO_MAX_NODE_RUNS)
		return hc_err_set(err, HC_EINPUT, "%s: runs x archive nodes: got %u x %llu = "
				  "%llu; allowed: at most %d (16 to 24 bytes a run and node are kept "
				  "in memory: at most %llu runs of this scenario)", o, runs, nodes + 1,
				  node_runs, SCENARIO_MAX_NODE_RUNS,
				  SCENARIO_MAX_NODE_RUNS / (nodes + 1));
	return 0;
}

/* A scenario without priors. */
static int scenario_parse_plain(struct scenario *sc, const cJSON *root, const char *origin,
				struct hc_err *err)
{
	struct ctx c = { origin, err };
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->origin, sizeof(sc->origin), "%s", origin);
	int rc = parse_scenario(&c, root, sc);
	if (!rc) {
		profiles_apply(sc);
		rc = scenario_check_limits(sc, 0, c.err);
	}
	if (rc)
		scenario_release(sc);
	return rc;
}

/* Each prior's ends (and a choice's every value) must make a valid scenario too. */
static int check_prior_ends(const cJSON *tree, const struct prior *priors, size_t n,
			    const char *origin, struct hc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char ends[PRIOR_MAX_VALUES][PRIOR_JSON_MAX];
		size_t n_ends = prior_ends(&priors[i], ends);
		for (size_t e = 0; e < n_ends; e++) {
			struct scenario probe;
			struct hc_err inner = HC_ERR_INIT;
			cJSON *copy = cJSON_Duplicate(tree, 1);
			int rc = copy ? prior_set(copy, priors[i].path, ends[e], &inner) : HC_ERUNTIME;
			if (!rc)
				rc = scenario_parse_plain(&probe, copy, origin, &inner);
			cJSON_Delete(copy);
			if (rc)
				return hc_err_set(err, rc, "%s (the value %s of "
						  "the prior at %s)", inner.msg, ends[e],
						  priors[i].path);
			scenario_release(&probe);
		}
	}
	return 0;
}

int scenario_from_json(struct scenario *sc, const cJSON *root, const char *origin,
		       struct hc_err *err)
{
	struct hc_err local = HC_ERR_INIT;
	struct prior *priors = NULL;
	size_t n = 0;
	if (!err)
		err = &local;
	memset(sc, 0, sizeof(*sc));
	cJSON *tree = cJSON_Duplicate(root, 1), *given = cJSON_CreateObject();
	int rc = tree && given ? priors_extract(tree, origin, given, &priors, &n, err)
			       : hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!rc && n)
		rc = check_prior_ends(tree, priors, n, origin, err);
	if (!rc)
		rc = scenario_parse_plain(sc, tree, origin, err);
	if (rc || !n) {
		free(priors);
		cJSON_Delete(tree);
		cJSON_Delete(given);
		return rc;
	}
	sc->priors = priors;
	sc->n_priors = n;
	sc->tree = tree;
	sc->given = given;
	return 0;
}

/* ---- release ------------------------------------------------------------------------------ */

static void release_fields(const struct table *t, void *base)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->fields[i].type != F_DIST)
			continue;
		struct dist *d = (struct dist *)((char *)base + t->fields[i].offset);
		free((void *)d->values);
		d->values = NULL;
	}
}

void scenario_release(struct scenario *sc)
{
	release_fields(&selfmod_table, &sc->self_modification);
	release_fields(&session_table, &sc->self_modification.session);
	for (size_t i = 0; i < sc->n_domains; i++) {
		release_fields(&domain_table, &sc->domains[i]);
		release_fields(&session_table, &sc->domains[i].task);
	}
	free(sc->domains);
	free(sc->models);
	free(sc->fleets);
	free(sc->priors);
	cJSON_Delete(sc->tree);
	cJSON_Delete(sc->given);
	sc->priors = NULL;
	sc->n_priors = 0;
	sc->tree = NULL;
	sc->given = NULL;
	sc->domains = NULL;
	sc->models = NULL;
	sc->fleets = NULL;
	sc->n_domains = sc->n_models = sc->n_fleets = 0;
}

/* ---- what a prior may set ----------------------------------------------------------------- */

static const struct field *field_named(const struct table *const *ts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ts[i]->n; j++)
			if (!strcmp(ts[i]->fields[j].name, name))
				return &ts[i]->fields[j];
	return NULL;
}

/* keys[0] names a field of the tables; keys[1], if any, a distribution's parameter. */
static enum scenario_slot slot_of(const struct table *const *ts, size_t nt,
				  const char *const *keys, size_t n)
{
	static const char *const params[] = { "value", "min", "max", "mean", "sd", "cv", NULL };
	const struct field *f = n ? field_named(ts, nt, keys[0]) : NULL;
	if (!f || n > 2)
		return SCENARIO_SLOT_NONE;
	if (n == 2)
		return f->type == F_DIST && is_listed(params, keys[1]) ? SCENARIO_SLOT_NUMBER
								       : SCENARIO_SLOT_NONE;
	if (f->type == F_ENUM)
		return SCENARIO_SLOT_CHOICE;
	return f->type == F_DOUBLE || f->type == F_DIST ? SCENARIO_SLOT_NUMBER
							: SCENARIO_SLOT_NONE;
}

enum scenario_slot scenario_prior_slot(const char *const *keys, size_t n)
{
	const struct table *selfmod[] = { &selfmod_table, &route_table, &session_table };
	const struct table *domain[] = { &domain_table, &route_table };
	const struct table *session[] = { &session_table };
	const struct table *endpoint[] = { &endpoint_table };
	const struct table *fleet[] = { &fleet_table };
	const struct table *archive[] = { &archive_table };
	const struct table *costs[] = { &cost_table };
	const struct table *top[] = { &top_table };
	if (!n)
		return SCENARIO_SLOT_NONE;
	if (!strcmp(keys[0], "self_modification"))
		return slot_of(selfmod, 3, keys + 1, n - 1);
	if (!strcmp(keys[0], "domains") && n > 3 && !strcmp(keys[2], "task"))
		return slot_of(session, 1, keys + 3, n - 3);
	if (!strcmp(keys[0], "domains") && n > 2)
		return slot_of(domain, 2, keys + 2, n - 2);
	if (!strcmp(keys[0], "models") && n > 2)
		return slot_of(endpoint, 1, keys + 2, n - 2);
	if (!strcmp(keys[0], "fleets") && n > 2)
		return slot_of(fleet, 1, keys + 2, n - 2);
	if (!strcmp(keys[0], "archive"))
		return slot_of(archive, 1, keys + 1, n - 1);
	if (!strcmp(keys[0], "costs"))
		return slot_of(costs, 1, keys + 1, n - 1);
	return slot_of(top, 1, keys, n);
}

/* ---- the effective scenario ------------------------------------------------------------ */

static cJSON *dist_to_json(const struct dist *d)
{
	if (d->kind == DIST_CONST)
		return cJSON_CreateNumber(d->a);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dist", dist_kind_name(d->kind));
	if (d->kind == DIST_EMPIRICAL) {
		cJSON_AddItemToObject(o, "values", cJSON_CreateDoubleArray(d->values, (int)d->n));
		return o;
	}
	cJSON_AddNumberToObject(o, dist_keys[d->kind][0], d->a);
	if (dist_keys[d->kind][1])
		cJSON_AddNumberToObject(o, dist_keys[d->kind][1], d->b);
	return o;
}

static void fields_to_json(cJSON *o, const struct table *t, const void *base)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct field *f = &t->fields[i];
		const void *at = (const char *)base + f->offset;
		switch (f->type) {
		case F_UINT:
			cJSON_AddNumberToObject(o, f->name, *(const unsigned *)at);
			break;
		case F_DOUBLE:
			cJSON_AddNumberToObject(o, f->name, *(const double *)at);
			break;
		case F_BOOL:
			cJSON_AddBoolToObject(o, f->name, *(const int *)at);
			break;
		case F_STRING:
			cJSON_AddStringToObject(o, f->name, at);
			break;
		case F_ENUM:
			cJSON_AddStringToObject(o, f->name, f->choices[*(const int *)at]);
			break;
		case F_DIST:
			cJSON_AddItemToObject(o, f->name, dist_to_json((const struct dist *)at));
			break;
		}
	}
}

cJSON *scenario_to_json(const struct scenario *sc)
{
	cJSON *root = cJSON_CreateObject();
	fields_to_json(root, &top_table, sc);
	cJSON *sm = cJSON_AddObjectToObject(root, "self_modification");
	fields_to_json(sm, &selfmod_table, &sc->self_modification);
	fields_to_json(sm, &route_table, &sc->self_modification.route);
	fields_to_json(sm, &session_table, &sc->self_modification.session);
	cJSON *domains = cJSON_AddArrayToObject(root, "domains");
	for (size_t i = 0; i < sc->n_domains; i++) {
		cJSON *d = cJSON_CreateObject();
		fields_to_json(d, &domain_table, &sc->domains[i]);
		fields_to_json(d, &route_table, &sc->domains[i].route);
		fields_to_json(cJSON_AddObjectToObject(d, "task"), &session_table,
			       &sc->domains[i].task);
		cJSON_AddItemToArray(domains, d);
	}
	cJSON *models = cJSON_AddArrayToObject(root, "models");
	for (size_t i = 0; i < sc->n_models; i++) {
		cJSON *m = cJSON_CreateObject();
		fields_to_json(m, &endpoint_table, &sc->models[i]);
		cJSON_AddItemToArray(models, m);
	}
	cJSON *fleets = cJSON_AddArrayToObject(root, "fleets");
	for (size_t i = 0; i < sc->n_fleets; i++) {
		cJSON *f = cJSON_CreateObject();
		fields_to_json(f, &fleet_table, &sc->fleets[i]);
		cJSON_AddItemToArray(fleets, f);
	}
	fields_to_json(cJSON_AddObjectToObject(root, "archive"), &archive_table, &sc->archive);
	fields_to_json(cJSON_AddObjectToObject(root, "costs"), &cost_table, &sc->costs);
	fields_to_json(cJSON_AddObjectToObject(root, "shared"), &shared_table, &sc->shared);
	return root;
}

struct endpoint scenario_endpoint(const struct scenario *sc, const char *model)
{
	struct endpoint e;
	struct model_profile p;
	for (size_t i = 0; i < sc->n_models; i++)
		if (!strcmp(sc->models[i].name, model))
			return sc->models[i];
	memset(&e, 0, sizeof(e));
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "name", model);
	struct ctx c = { "defaults", NULL };
	struct hc_err ignored;
	c.err = &ignored;
	const struct part parts[] = { { &endpoint_table, &e } };
	parse_object(&c, "", obj, parts, 1, NULL); /* the defaults are valid: a test checks */
	cJSON_Delete(obj);
	if (model_profile_find(model, &p)) {
		e.ttft_seconds = p.ttft_seconds;
		e.decode_tokens_per_second = p.decode_tokens_per_second;
	}
	return e;
}

/* ---- --set ---------------------------------------------------------------------------- */

/* In an array of named objects, the element whose name is the longest prefix of path that
 * ends at a '.' or the end; *rest points after it. Else the element at a numeric index. */
static cJSON *array_element(cJSON *array, const char *path, const char **rest)
{
	cJSON *best = NULL, *item;
	size_t best_len = 0;
	cJSON_ArrayForEach(item, array) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
		if (!cJSON_IsString(name))
			continue;
		size_t n = strlen(name->valuestring);
		if (n > best_len && !strncmp(path, name->valuestring, n) &&
		    (path[n] == '.' || path[n] == '\0')) {
			best = item;
			best_len = n;
		}
	}
	if (best) {
		*rest = path + best_len;
		return best;
	}
	char *end;
	long idx = strtol(path, &end, 10);
	if (end == path || (*end != '.' && *end) || idx < 0)
		return NULL;
	*rest = end;
	return cJSON_GetArrayItem(array, (int)idx);
}

static cJSON *parse_set_value(const char *text)
{
	cJSON *v = cJSON_ParseWithOpts(text, NULL, 1);
	return v ? v : cJSON_CreateString(text);
}

/* A value that parses as JSON holds no \u0000 and no key twice, as a file must not. */
static int check_set_value(const char *text, const char *path, struct hc_err *err)
{
	cJSON *v = cJSON_ParseWithOpts(text, NULL, 1);
	char origin[300];
	int rc = 0;
	snprintf(origin, sizeof(origin), "--set %s", path);
	if (v && jsonfile_nul_escape(text, strlen(text)))
		rc = hc_err_set(err, HC_EINPUT, "%s: \\u0000 (a NUL character) in the value; "
				"allowed: strings without NUL", origin);
	else if (v)
		rc = jsonfile_unique_keys(v, origin, err);
	cJSON_Delete(v);
	return rc;
}

int scenario_apply_set(cJSON *root, const char *assignment, struct hc_err *err)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return hc_err_set(err, HC_EUSAGE, "--set '%s': expected PATH=VALUE, e.g. "
				  "domains.paper_review.full_tasks=200", assignment);
	char path[256];
	if ((size_t)(eq - assignment) >= sizeof(path))
		return hc_err_set(err, HC_EUSAGE, "--set: the path is too long");
	memcpy(path, assignment, (size_t)(eq - assignment));
	path[eq - assignment] = '\0';
	if (check_set_value(eq + 1, path, err))
		return HC_EINPUT;
	cJSON *node = root;
	const char *p = path;
	for (;;) {
		if (cJSON_IsArray(node)) {
			const char *rest;
			cJSON *el = array_element(node, p, &rest);
			if (!el)
				return hc_err_set(err, HC_EINPUT, "--set %s: no element '%s' in this "
						  "array; allowed: an element's name or index", path, p);
			if (!*rest) {
				return cJSON_ReplaceItemViaPointer(node, el, parse_set_value(eq + 1))
					       ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
			}
			node = el;
			p = rest + 1;
			continue;
		}
		if (!cJSON_IsObject(node))
			return hc_err_set(err, HC_EINPUT, "--set %s: '%s' is inside a value that is "
					  "not an object", path, p);
		const char *dot = strchr(p, '.');
		char key[128];
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len || len >= sizeof(key))
			return hc_err_set(err, HC_EUSAGE, "--set %s: empty or too long path part",
					  path);
		memcpy(key, p, len);
		key[len] = '\0';
		if (!dot) {
			cJSON_DeleteItemFromObjectCaseSensitive(node, key);
			cJSON_AddItemToObject(node, key, parse_set_value(eq + 1));
			return 0;
		}
		cJSON *child = cJSON_GetObjectItemCaseSensitive(node, key);
		if (!child)
			child = cJSON_AddObjectToObject(node, key);
		node = child;
		p = dot + 1;
	}
}

cJSON *scenario_tree_at(cJSON *root, const char *path, cJSON **parent)
{
	cJSON *node = root, *up = NULL;
	const char *p = path;
	while (node && *p) {
		const char *rest = p + strcspn(p, ".");
		up = node;
		if (cJSON_IsArray(node)) {
			node = array_element(node, p, &rest);
		} else {
			char key[128];
			size_t len = (size_t)(rest - p);
			if (!cJSON_IsObject(node) || len >= sizeof(key))
				return NULL;
			memcpy(key, p, len);
			key[len] = '\0';
			node = cJSON_GetObjectItemCaseSensitive(node, key);
		}
		p = *rest ? rest + 1 : rest;
	}
	if (parent)
		*parent = up;
	return node != root ? node : NULL;
}

int scenario_load(struct scenario *sc, const char *path, const char *const *sets, size_t n_sets,
		  struct hc_err *err)
{
	const struct embedded_file *def = embedded_find(EMBEDDED_SCENARIO);
	char origin[300];
	snprintf(origin, sizeof(origin), "%s", path ? path : "embedded:" EMBEDDED_SCENARIO);
	cJSON *root = path ? jsonfile_load(path, err)
			   : jsonfile_parse(def->data, def->len, origin, err);
	if (!root)
		return err ? err->code : HC_EINPUT;
	for (size_t i = 0; i < n_sets; i++) {
		int rc = scenario_apply_set(root, sets[i], err);
		if (rc) {
			cJSON_Delete(root);
			return rc;
		}
	}
	int rc = scenario_from_json(sc, root, origin, err);
	cJSON_Delete(root);
	return rc;
}

const char *parent_rule_name(enum parent_rule r)
{
	return parent_rules[r];
}

/* ---- the reference ---------------------------------------------------------------------- */

static const char *type_name(const struct field *f)
{
	static const char *const names[] = { "integer", "number", "boolean", "string", "string",
					     "number or distribution" };
	return names[f->type];
}

static void write_table(FILE *out, const struct table *t)
{
	fprintf(out, "### `%s`\n\n%s\n\n", t->path, t->intro);
	fprintf(out, "| field | type | default | allowed | unit | meaning |\n");
	fprintf(out, "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct field *f = &t->fields[i];
		char allowed[200];
		if (f->type == F_ENUM)
			choices_text(f->choices, allowed, sizeof(allowed));
		else if (f->type == F_BOOL)
			snprintf(allowed, sizeof(allowed), "true, false");
		else if (f->type == F_STRING)
			snprintf(allowed, sizeof(allowed), "%g to %g characters", f->min, f->max);
		else
			snprintf(allowed, sizeof(allowed), "%g to %g", f->min, f->max);
		fprintf(out, "| `%s` | %s | %s%s%s | %s | %s | %s |\n", f->name, type_name(f),
			f->def ? "`" : "", f->def ? f->def : "required", f->def ? "`" : "", allowed,
			f->unit, f->help);
	}
	fprintf(out, "\n");
}

/* The limits across fields, as scenario_check_limits applies them. */
static void write_limits(FILE *out)
{
	fprintf(out, "### Limits across fields\n\n"
		"Besides each field's range, a scenario is refused (exit 3) when these products "
		"exceed what a run can hold in memory or simulate in reasonable time.\n\n"
		"| quantity | allowed | why |\n|---|---|---|\n"
		"| `iterations` x `children_per_iteration` (archive nodes) | at most %d | every "
		"node and iteration row is kept |\n"
		"| `children_per_iteration` x the sum of `domains[].full_tasks` (tasks of one "
		"iteration) | at most %d | a child holds its tasks |\n"
		"| expected LLM calls of one run: (nodes + 1) x the sum over domains of "
		"`full_tasks` x mean task calls + nodes x mean self-modification calls (each mean "
		"at least 1, at most `max_calls`), times `shared.loops` | at most %.0e | over 10 "
		"minutes of simulation per run |\n"
		"| replications (`--runs`) x (nodes + 1) x `shared.loops` | at most %d | 16 to 24 bytes a run and "
		"node are kept: `archive.csv`'s quantiles and the token plot's (100,000 runs of "
		"the paper preset: 182 MB) |\n\n",
		SCENARIO_MAX_NODES, SCENARIO_MAX_ITERATION_TASKS, SCENARIO_MAX_CALLS,
		SCENARIO_MAX_NODE_RUNS);
}

void scenario_reference(FILE *out)
{
	write_table(out, &top_table);
	write_table(out, &selfmod_table);
	write_table(out, &session_table);
	write_table(out, &domain_table);
	write_table(out, &route_table);
	write_table(out, &endpoint_table);
	write_table(out, &fleet_table);
	write_table(out, &archive_table);
	write_table(out, &cost_table);
	write_table(out, &shared_table);
	write_limits(out);
}
