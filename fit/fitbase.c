/* fitbase: the base scenario of a fit and its cost-relevant fields. Contracts in fitbase.h. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/jsonfile.h"
#include "fit/fitbase.h"
#include "model/embedded.h"
#include "trace/trace.h"

int fitbase_load(struct scenario *sc, const char *path, const char *loop,
		 enum fitbase_why *why, struct hc_err *err)
{
	int dgm = !strcmp(loop, TRACE_LOOP_DGM);
	*why = path ? FITBASE_GIVEN : dgm || !strcmp(loop, TRACE_LOOP_DGMH) ? FITBASE_LOOP
									     : FITBASE_DEFAULT;
	if (path)
		return scenario_load(sc, path, NULL, 0, err);
	const struct embedded_file *e = embedded_find(dgm ? EMBEDDED_DGM_SCENARIO
							  : EMBEDDED_SCENARIO);
	char origin[64];
	snprintf(origin, sizeof(origin), "embedded:%s", e->name);
	cJSON *root = jsonfile_parse(e->data, e->len, origin, err);
	if (!root)
		return err ? err->code : HC_EINPUT;
	int rc = scenario_from_json(sc, root, origin, err);
	cJSON_Delete(root);
	return rc;
}

static const char *const top[] = { "iterations", "children_per_iteration", "evaluation", NULL };
static const char *const session[] = {
	"calls", "max_calls", "prompt_tokens", "output_tokens", "max_output_tokens",
	"reasoning_fraction", "tool_result_tokens", "caching", "cache_hit_rate",
	"cache_write_ttl", NULL,
};
static const char *const route[] = { "model", "batch", "fleet", NULL };
static const char *const selfmod[] = { "compile_failure_rate", "compile_seconds",
				       "patch_bytes", NULL };
static const char *const domain[] = {
	"screen_tasks", "full_tasks", "gate_min_passed", "initial_score", "improvement",
	"sandbox_seconds", "artifact_bytes", "sandbox_gpus", NULL,
};
static const char *const archive[] = { "root_bytes", "node_metadata_bytes", "copy_run_dir",
				       NULL };
static const char *const costs[] = {
	"storage_usd_per_gb_month", "retention_months", "storage_usd_per_1000_requests",
	"vcpu_hour_usd", "sandbox_vcpus", "sim_gpu_hour_usd", NULL,
};
static const char *const fleet[] = {
	"serve_model", "precision", "gpu", "gpus_per_replica", "replicas", "pricing",
	"gpu_hour_usd", "request_input_tokens", "request_output_tokens", NULL,
};

/* Where the fields of each list are: the path without its last part, '*' a name. */
static const struct {
	const char *where;
	const char *const *leaves;
} cost_fields[] = {
	{ "", top },
	{ "self_modification", session },
	{ "self_modification", route },
	{ "self_modification", selfmod },
	{ "domains.*.task", session },
	{ "domains.*", route },
	{ "domains.*", domain },
	{ "archive", archive },
	{ "costs", costs },
	{ "fleets.*", fleet },
};

/* Caching's fields enter the cost only when caching is on (the write TTL: explicit). */
static int caching_applies(const char *leaf, const cJSON *section)
{
	const char *caching = json_get_str(section, "caching", NULL);
	caching = caching ? caching : "off";
	if (!strcmp(leaf, "cache_hit_rate"))
		return strcmp(caching, "off") != 0;
	if (!strcmp(leaf, "cache_write_ttl"))
		return !strcmp(caching, "explicit");
	return 1;
}

/* 1 when where matches pattern, whose '*' stands for one name (a run without '.'). */
static int where_matches(const char *pattern, const char *where)
{
	for (; *pattern; pattern++) {
		if (*pattern != '*') {
			if (*where++ != *pattern)
				return 0;
			continue;
		}
		size_t name = strcspn(where, ".");
		if (!name)
			return 0;
		where += name;
	}
	return !*where;
}

int fitbase_cost_relevant(const char *path, const cJSON *section)
{
	const char *dot = strrchr(path, '.'), *leaf = dot ? dot + 1 : path;
	char where[512];
	snprintf(where, sizeof(where), "%.*s", dot ? (int)(dot - path) : 0, path);
	for (size_t i = 0; i < sizeof(cost_fields) / sizeof(cost_fields[0]); i++) {
		if (!where_matches(cost_fields[i].where, where))
			continue;
		for (const char *const *l = cost_fields[i].leaves; *l; l++)
			if (!strcmp(*l, leaf))
				return caching_applies(leaf, section);
	}
	return 0;
}
