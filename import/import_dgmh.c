/*
 * import dgm, DGM-H's run output: the directory outputs/generate_<run_id>/ that HyperAgents'
 * generate_loop.py writes.
 *
 *  - archive.jsonl: one JSON object per line, {"current_genid": G, "archive": [...]},
 *    appended as each node joins the archive (update_and_save_archive, utils/gl_utils.py);
 *    G is "initial" or a generation number, and the list ends with G;
 *  - gen_G/metadata.json: parent_genid, run_full_eval, ... (generate(); not written for
 *    gen_initial in a run without meta patch files);
 *  - gen_G/agent_output/: meta_agent_chat_history.md (the meta agent's log) and
 *    model_patch.diff (its patch against the parent);
 *  - gen_G/<domain>_eval/ (and <domain>_eval_<split>/ for other splits): report.json and the
 *    task agent's log per task, agent_evals/chat_history_<question>.md (domains/harness.py);
 *    for polyglot, DGM's predictions layout (<run>/<task>.md, ...).
 *
 * Every node in archive.jsonl gives its calls, its tasks and an archive_add; DGM-H appends
 * failed children too. Its iteration is G (initial: 0). The logs carry no usage: their calls
 * get estimated counts (dgm_logs.h) at the models the paper names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/jsonfile.h"
#include "base/lines.h"
#include "import/dgm_logs.h"
#include "import/import_dgm.h"

/* The meta agent's model: CLAUDE_MODEL of agent/llm.py, Claude Sonnet 4.5 in the paper. */
#define DGMH_META_MODEL "anthropic/claude-sonnet-4-5-20250929"

/*
 * What DGM-H's utils/domain_utils.py says of each domain: the report.json key of its score
 * (get_domain_score_key; balrog's is a percentage), the share of the full evaluation that the
 * staged one runs (get_domain_stagedeval_frac; NAN where it gives none), and the task agent's
 * model in the paper (NULL where it names none: those calls cannot be priced). A name ending
 * in '_' is a prefix.
 */
static const struct domain {
	const char *name, *score_key;
	double scale, staged_frac;
	const char *model, *provider;
} domains[] = {
	{ "search_arena", "overall_accuracy", 1, 10.0 / 100, NULL, NULL },
	{ "paper_review", "overall_accuracy", 1, 10.0 / 100, "gpt-4o", "openai" },
	{ "imo_grading", "overall_accuracy", 1, 10.0 / 100, "o4-mini", "openai" },
	{ "imo_proof", "points_percentage", 1, 10.0 / 60, NULL, NULL },
	{ "balrog_babyai", "average_progress", 0.01, 1.0 / 10, NULL, NULL },
	{ "balrog_minihack", "average_progress", 0.01, 1.0 / 5, NULL, NULL },
	{ "balrog_", "average_progress", 0.01, NAN, NULL, NULL },
	{ "genesis_", "average_fitness", 1, 3.0 / 6, "claude-sonnet-4-5-20250929", "anthropic" },
	{ "polyglot", "accuracy_score", 1, 10.0 / 60, NULL, NULL },
};

#define N_DOMAINS (sizeof(domains) / sizeof(domains[0]))

static const struct domain *domain_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_DOMAINS; i++) {
		size_t k = strlen(domains[i].name);
		int prefix = domains[i].name[k - 1] == '_';
		if ((prefix ? len > k : len == k) && !strncmp(name, domains[i].name, k))
			return &domains[i];
	}
	return NULL;
}

struct dgmh {
	const char *dir;
	struct trace_writer *w;
	char path[DGM_PATH_MAX]; /* archive.jsonl */
	struct dgm_names seen;   /* nodes so far */
};

/* What a node's records share, and what its archive_add adds up. */
struct node {
	struct dgm_node n;
	char name[32], parent[32];
	char dir[DGM_PATH_MAX];
	int run_full_eval;
	double score_sum;
	size_t scored, unscored; /* train-split domains with and without a score */
	long long bytes;
};

/* The meta agent's log: estimated self_modify calls. */
static int import_meta_agent(struct dgmh *h, struct node *nd, struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	struct dgm_log log;
	dgm_log_init(&log, h->w);
	strcpy(log.tmpl.role, "self_modify");
	strcpy(log.tmpl.provider, "anthropic");
	strcpy(log.tmpl.model, DGMH_META_MODEL);
	log.chat_lines = 1;
	if (dgm_node_call(&log.tmpl, &nd->n, err) ||
	    dgm_path(p, sizeof(p), err, "%s/agent_output/meta_agent_chat_history.md", nd->dir))
		return HC_EINPUT;
	return dgm_is_file(p) ? dgm_log_import(&log, p, err) : 0;
}

/* One task of a domain harness's evaluation: its agent's calls and the task. */
static int import_question(struct dgmh *h, struct node *nd, const struct domain *d,
			   const char *domain, const char *evals, const char *task,
			   const cJSON *report, struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	struct dgm_log log;
	struct trace_record rec;
	dgm_log_init(&log, h->w);
	strcpy(log.tmpl.role, "evaluate");
	strcpy(log.tmpl.domain, domain);
	log.chat_lines = 1;
	if (d->model) {
		strcpy(log.tmpl.model, d->model);
		strcpy(log.tmpl.provider, d->provider);
	}
	if (dgm_node_call(&log.tmpl, &nd->n, err) || trace_set_str(log.tmpl.task, task, "task", err)
	    || dgm_path(p, sizeof(p), err, "%s/chat_history_%s.md", evals, task))
		return hc_err_prefix(err, "%s", evals);
	int rc = dgm_log_import(&log, p, err);
	if (rc)
		return rc;
	trace_record_init(&rec, TRACE_EVAL_TASK);
	struct trace_eval_task *t = &rec.u.task;
	strcpy(t->node, log.tmpl.node);
	strcpy(t->domain, domain);
	strcpy(t->task, log.tmpl.task);
	strcpy(t->result, dgm_in_list(report, "question_ids_passed", task) ? "pass" :
			  dgm_in_list(report, "question_ids_failed", task) ? "fail" :
									     "unknown");
	t->artifact_bytes = dgm_file_bytes(p);
	return trace_writer_put(h->w, &rec, err);
}

/* The report's score for the domain, scaled as DGM-H's get_saved_score does; NAN unknown. */
static int report_score(const struct node *nd, const struct domain *d, const cJSON *report,
			const char *path, double *score, struct hc_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(report, d->score_key);
	char got[80];
	*score = NAN;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble * d->scale >= 0) ||
	    v->valuedouble * d->scale > 1)
		return hc_err_set(err, HC_EINPUT, "%s: %s: got %s; allowed: a number from 0 to %g",
				  path, d->score_key, json_describe(v, got, sizeof(got)),
				  1 / d->scale);
	*score = v->valuedouble * d->scale;
	/* a node evaluated on the staged sample only scores that sample's share */
	if (!strcmp(nd->name, "initial") || !nd->run_full_eval)
		*score *= d->staged_frac;
	return 0;
}

/* One <domain>_eval[_<split>] directory of the node. */
static int import_eval_dir(struct dgmh *h, struct node *nd, const char *name,
			   struct hc_err *err)
{
	char dir[DGM_PATH_MAX], p[DGM_PATH_MAX], domain[TRACE_STR_MAX];
	const char *at = strstr(name, "_eval");
	const struct domain *d = domain_find(name, (size_t)(at - name));
	struct dgm_names tasks = { 0 };
	cJSON *report = NULL;
	int rc = dgm_path(dir, sizeof(dir), err, "%s/%s", nd->dir, name);
	if (!rc && !d)
		rc = hc_err_set(err, HC_EINPUT, "%s: domain '%.*s' unknown; allowed: "
				"search_arena, paper_review, imo_grading, imo_proof, balrog_*, "
				"genesis_*, polyglot", dir, (int)(at - name), name);
	snprintf(domain, sizeof(domain), "%.*s", (int)(at - name), name);
	if (!rc && !(rc = dgm_path(p, sizeof(p), err, "%s/report.json", dir)) && dgm_is_file(p) &&
	    !(report = jsonfile_load(p, err)))
		rc = HC_EINPUT;
	if (!rc && !strcmp(at, "_eval")) {
		double score;
		if (!(rc = report_score(nd, d, report, p, &score, err))) {
			nd->scored += !isnan(score);
			nd->unscored += isnan(score);
			nd->score_sum += isnan(score) ? 0 : score;
		}
	}
	if (!rc && !(rc = dgm_path(p, sizeof(p), err, "%s/agent_evals", dir)) && dgm_is_dir(p)) {
		rc = dgm_list(p, 0, "chat_history_", ".md", NULL, &tasks, err);
		for (size_t i = 0; !rc && i < tasks.n; i++)
			rc = import_question(h, nd, d, domain, p, tasks.v[i], report, err);
	} else if (!rc && !strcmp(domain, "polyglot")) {
		struct dgm_eval ev = { NAN, 0, 0 };
		rc = dgm_import_predictions(h->w, &nd->n, dir, report, 0, &ev, err);
	}
	if (!rc)
		rc = dgm_tree_bytes(dir, &nd->bytes, err);
	dgm_names_release(&tasks);
	cJSON_Delete(report);
	return rc;
}

static int import_evals(struct dgmh *h, struct node *nd, struct hc_err *err)
{
	struct dgm_names subs = { 0 };
	int rc = dgm_list(nd->dir, 1, "", "", NULL, &subs, err);
	for (size_t i = 0; !rc && i < subs.n; i++) {
		const char *at = strstr(subs.v[i], "_eval");
		if (at && at > subs.v[i] && (!at[5] || at[5] == '_'))
			rc = import_eval_dir(h, nd, subs.v[i], err);
	}
	dgm_names_release(&subs);
	return rc;
}

/* A genid as archive.jsonl and metadata.json write it: "initial" or a whole number. */
static int genid_text(const cJSON *v, char *buf, size_t size, long *number)
{
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "initial")) {
		snprintf(buf, size, "initial");
		*number = 0;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
	    v->valuedouble != (long)v->valuedouble)
		return -1;
	*number = (long)v->valuedouble;
	snprintf(buf, size, "%ld", *number);
	return 0;
}

/* gen_G/metadata.json: the node's parent and whether it ran the full evaluation. */
static int read_metadata(struct node *nd, struct hc_err *err)
{
	char p[DGM_PATH_MAX], got[80];
	long number;
	if (dgm_path(p, sizeof(p), err, "%s/metadata.json", nd->dir))
		return HC_EINPUT;
	/* the default setup writes none for the initial node: a root, staged evaluation only */
	if (!strcmp(nd->name, "initial") && !dgm_is_file(p))
		return 0;
	cJSON *meta = jsonfile_load(p, err);
	if (!meta)
		return HC_EINPUT;
	const cJSON *parent = cJSON_GetObjectItemCaseSensitive(meta, "parent_genid");
	const cJSON *full = cJSON_GetObjectItemCaseSensitive(meta, "run_full_eval");
	int rc = 0;
	if (parent && !cJSON_IsNull(parent) &&
	    genid_text(parent, nd->parent, sizeof(nd->parent), &number))
		rc = hc_err_set(err, HC_EINPUT, "%s: parent_genid: got %s; allowed: null, "
				"\"initial\" or a generation number", p,
				json_describe(parent, got, sizeof(got)));
	else if (full && !cJSON_IsNull(full) && !cJSON_IsBool(full))
		rc = hc_err_set(err, HC_EINPUT, "%s: run_full_eval: got %s; allowed: true or false",
				p, json_describe(full, got, sizeof(got)));
	nd->n.parent = nd->parent[0] ? nd->parent : NULL;
	nd->run_full_eval = cJSON_IsTrue(full);
	cJSON_Delete(meta);
	return rc;
}

/* One node: everything its generation's directory holds. */
static int import_node(struct dgmh *h, const char *genid, long iteration, struct hc_err *err)
{
	struct node nd = { .n = { NULL, NULL, iteration } };
	char p[DGM_PATH_MAX];
	snprintf(nd.name, sizeof(nd.name), "%s", genid);
	nd.n.node = nd.name;
	int rc = dgm_path(nd.dir, sizeof(nd.dir), err, "%s/gen_%s", h->dir, genid);
	if (!rc && !dgm_is_dir(nd.dir))
		rc = hc_err_set(err, HC_EINPUT, "%s: node %s: no directory '%s'", h->path, genid,
				nd.dir);
	if (!rc)
		rc = read_metadata(&nd, err);
	if (!rc)
		rc = import_meta_agent(h, &nd, err);
	if (!rc)
		rc = import_evals(h, &nd, err);
	if (!rc)
		rc = dgm_path(p, sizeof(p), err, "%s/agent_output/model_patch.diff", nd.dir);
	if (!rc) {
		long long patch = dgm_file_bytes(p);
		double score = nd.scored && !nd.unscored ? nd.score_sum / (double)nd.scored : NAN;
		rc = dgm_put_node(h->w, &nd.n, score,
				  patch < 0 && !strcmp(genid, "initial") ? 0 : patch, nd.bytes,
				  err);
	}
	return rc;
}

/* One line of archive.jsonl. */
static int import_archive_line(struct dgmh *h, const char *text, size_t len, long line,
			       struct hc_err *err)
{
	char genid[32], last[32], got[80], origin[320];
	long number = 0, ignored;
	cJSON *o = jsonfile_nul_escape(text, len) ? NULL : cJSON_ParseWithLength(text, len);
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(o, "current_genid");
	const cJSON *archive = cJSON_GetObjectItemCaseSensitive(o, "archive");
	int rc = 0;
	snprintf(origin, sizeof(origin), "%.280s:%ld", h->path, line);
	if (!cJSON_IsObject(o))
		rc = hc_err_set(err, HC_EINPUT, "%s: got '%.40s'; allowed: one JSON object per "
				"line, its strings without \\u0000", origin, text);
	else if (jsonfile_unique_keys(o, origin, err))
		rc = HC_EINPUT;
	else if (genid_text(cur, genid, sizeof(genid), &number))
		rc = hc_err_set(err, HC_EINPUT, "%s:%ld: current_genid: got %s; allowed: "
				"\"initial\" or a generation number", h->path, line,
				json_describe(cur, got, sizeof(got)));
	else if (!cJSON_IsArray(archive) || !cJSON_GetArraySize(archive) ||
		 genid_text(cJSON_GetArrayItem(archive, cJSON_GetArraySize(archive) - 1), last,
			    sizeof(last), &ignored) || strcmp(last, genid))
		rc = hc_err_set(err, HC_EINPUT, "%s:%ld: archive: got %s; allowed: the archive's "
				"genids, ending with current_genid %s", h->path, line,
				json_describe(archive, got, sizeof(got)), genid);
	for (size_t i = 0; !rc && i < h->seen.n; i++)
		if (!strcmp(h->seen.v[i], genid))
			rc = hc_err_set(err, HC_EINPUT, "%s:%ld: current_genid: %s joins the "
					"archive twice; allowed: each node once", h->path, line,
					genid);
	cJSON_Delete(o);
	if (!rc && dgm_names_add(&h->seen, genid))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	return rc ? rc : import_node(h, genid, number, err);
}

int import_dgmh_run(const char *dir, struct trace_writer *w, struct hc_err *err)
{
	struct dgmh h = { .dir = dir, .w = w };
	struct lines lines;
	char *text;
	size_t n;
	int complete;
	int rc = dgm_path(h.path, sizeof(h.path), err, "%s/archive.jsonl", dir);
	if (rc || (rc = lines_open(&lines, h.path, LINES_MAX, err)))
		return rc;
	while (!rc && (rc = lines_next(&lines, &text, &n, &complete, err)) == 1) {
		while (n && text[n - 1] == '\r')
			text[--n] = '\0';
		rc = text[strspn(text, " \t")] == '\0' ? 0 :
		     import_archive_line(&h, text, n, lines.line, err);
	}
	lines_release(&lines);
	if (!rc && h.seen.n == 0)
		rc = hc_err_set(err, HC_EINPUT, "%s: empty; allowed: a line per archived node",
				h.path);
	dgm_names_release(&h.seen);
	return rc;
}
