/*
 * fit: a scenario fitted to a recorded trace, for `hypercap fit` (docs/fit.md).
 *
 * Records are added one at a time (fit_add, or fit_trace for a whole file), so a trace of
 * any length is read in constant memory per record: what is kept is one small state per
 * session, node and (node, domain) pair, and the sample vectors the distributions are fitted
 * to (one number per session, call, transition or task).
 *
 * A session is the llm_calls with usage that share (run, node, role, domain, task); role
 * self_modify makes the meta agent's sessions, role evaluate a domain's task sessions (calls
 * of other roles, and calls without usage, are counted and left out). Calls of a session
 * are taken in file order.
 *
 * fit_build turns what was added into a scenario: the base scenario's effective tree with
 * every field the trace informs replaced (distributions by fit/fitdist.h, the tool
 * result and cache hit rate calibrated so that the model's expected tokens per session equal
 * the trace's), and the report that SCENARIO.fit.json holds: per field the sample, every
 * candidate with its parameters, log-likelihood, AIC and KS statistic, the choice, the
 * list of fields that kept the base's value, those of them that are priors, and the
 * cost-relevant ones among them with their values. A field the base gives as a prior
 * (model/priors.h) and the trace does not inform keeps the prior's object as the base gives
 * it, so the fitted scenario draws it per replication as the base would; a field the trace
 * informs has the fitted value and no prior. fit/fitbase.h picks the base.
 */
#ifndef FIT_FIT_H
#define FIT_FIT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"
#include "base/strtab.h"
#include "fit/fitconc.h"
#include "fit/fitdist.h"
#include "model/scenario.h"
#include "trace/trace.h"

struct fit_vec {
	double *v;
	size_t n, cap;
};

struct fit_tally {
	char name[TRACE_STR_MAX];
	size_t n;
};

/* One kind of session: the meta agent's, or one domain's task agent's. */
struct fit_group {
	char name[TRACE_STR_MAX];  /* the scenario's domain name; "" for self-modification */
	char trace_name[TRACE_STR_MAX]; /* the domain as the trace first spelt it */
	struct fit_vec calls;      /* per session, filled by fit_build (which sorts every vector) */
	struct fit_vec prompt;     /* per session: the first call's input */
	struct fit_vec output;     /* per call */
	struct fit_vec tool_result;/* per transition: input_t+1 - input_t - visible output_t */
	struct fit_vec tool_seconds; /* per transition: start_t+1 - end_t, when both known */
	size_t sessions, n_calls, estimated;
	double input, cache_read, cache_write, output_tokens, reasoning;
	struct fit_tally *models;
	size_t n_models;
	/* domains, from eval_task records */
	struct fit_vec sandbox, artifact;
	size_t passed, failed, errored, unknown;
	unsigned tasks_max, tasks_min; /* tasks or sessions per node: largest, smallest */
};

struct fit_session;     /* fit/fit.c: one per session, node and (node, domain) */
struct fit_node;
struct fit_node_domain;

struct fit {
	/* what callers may read */
	size_t records[TRACE_KIND_COUNT];
	size_t no_usage;     /* llm_calls without usage: left out */
	size_t other_roles;  /* llm_calls of roles other than self_modify and evaluate */
	size_t estimated;    /* llm_calls with estimated counts (fitted like reported ones) */
	long max_iteration;  /* -1 when no record names one */
	/* the state */
	struct fit_group selfmod;
	struct fit_group domains[SCENARIO_MAX_DOMAINS];
	size_t n_domains;
	/* keys to ids, the ids indexing the arrays below */
	struct strtab session_index, node_index, node_domain_index;
	struct fit_session *sessions;
	size_t n_sessions, cap_sessions;
	struct fit_node *nodes;
	size_t n_nodes, cap_nodes;
	struct fit_node_domain *node_domains;
	size_t n_node_domains, cap_node_domains;
	struct fit_vec patch_bytes, node_artifact_bytes;
	struct fitconc conc; /* evaluation task spans, for the concurrency */
	int finished;
};

void fit_init(struct fit *f);
void fit_release(struct fit *f);

/*
 * Adds one record. HC_EINPUT when the trace has more domains than a scenario holds (16), naming
 * the domain; HC_ERUNTIME out of memory.
 */
int fit_add(struct fit *f, const struct trace_record *rec, struct hc_err *err);

/* Adds every record of r; errors are prefixed with the trace's path and line. */
int fit_trace(struct fit *f, struct trace_reader *r, struct hc_err *err);

#define FIT_PATH_MAX 512 /* a field's path in the scenario, "domains.<name>.task.calls" */

/* How a field's value reads in the report. */
enum fit_value { FIT_TEXT, FIT_NUMBER, FIT_DIST };

/* A field the trace informed: an entry of the report's "fields", in the report's order. */
struct fit_field {
	char path[FIT_PATH_MAX];
	enum fit_value kind;
	char text[TRACE_STR_MAX]; /* FIT_TEXT: the value; FIT_DIST: the family, "lognormal"... */
	double number;            /* FIT_NUMBER: the value (a constant distribution is one) */
	struct dist dist;         /* FIT_DIST: kind, mean (a), cv (b), n values (values NULL) */
	int fitted;               /* fit holds a distribution fitted to a sample: */
	struct fitdist fit;       /* its sample, candidates and choice (values NULL) */
};

/* Tokens per session. */
struct fit_tokens {
	double input, cache_read, output;
};

/* A session kind's calibration: the report's "checks". */
struct fit_check {
	char group[FIT_PATH_MAX]; /* "self_modification" or "domains.<name>.task" */
	size_t sessions, calls;
	struct fit_tokens observed, expected; /* the trace's; the fitted model's expectation */
};

/* A cost-relevant field (fit/fitbase.h) that kept the base's value. */
struct fit_default {
	char path[FIT_PATH_MAX];
	char value[160]; /* the base's value as compact JSON, cut with "..." when longer; a
			  * prior in a few words: "lognormal P10 1 P90 4 (prior)" */
};

/* A domain's evaluation concurrency (fit/fitconc.h): the report's "concurrency". */
struct fit_concurrency {
	char domain[TRACE_STR_MAX];
	struct fitconc_result r;
	unsigned eval_workers;     /* the fitted scenario's: the pool, or the base's kept */
	char sentence[480];
};

/* The report's figures, typed: what SCENARIO.fit.json is written from. */
struct fit_summary {
	char trace[4096], base[300]; /* the trace's path; the base scenario's origin */
	size_t records[TRACE_KIND_COUNT];
	size_t calls_fitted, calls_estimated, calls_without_usage, calls_other_roles;
	struct fit_field *fields;
	size_t n_fields, cap_fields;
	struct fit_check checks[SCENARIO_MAX_DOMAINS + 1];
	size_t n_checks;
	struct fit_concurrency concurrency[SCENARIO_MAX_DOMAINS];
	size_t n_concurrency;
	size_t n_defaulted;          /* fields that keep the base's values ("defaulted") */
	size_t n_defaulted_priors;   /* those of them that keep the base's prior */
	struct fit_default *cost_defaulted; /* those of them that are cost-relevant */
	size_t n_cost_defaulted, cap_cost_defaulted;
};

struct fit_result {
	cJSON *scenario;       /* the fitted scenario as a file holds it */
	cJSON *report;         /* SCENARIO.fit.json, written from summary */
	struct scenario sc;    /* the same, parsed (what simulate would load) */
	struct fit_summary summary;
};

/*
 * Fits the scenario named name to what was added, starting from base (whose origin the
 * report names); trace names the trace in the description and the report. HC_EINPUT when the
 * trace informs nothing (no call of a known role with usage, no eval_task, no archive_add),
 * or when a fitted value falls outside what a scenario allows (the message names the field).
 * res->summary holds the report's figures typed (what the report is written from, and what
 * `hypercap fit` prints). The caller releases res with fit_result_release (on failure too).
 * fit_build may run once per struct fit.
 */
int fit_build(struct fit *f, const struct scenario *base, const char *name, const char *trace,
	      struct fit_result *res, struct hc_err *err);

void fit_result_release(struct fit_result *res);

#endif
