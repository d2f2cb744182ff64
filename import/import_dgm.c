/*
 * import dgm: the Darwin Goedel Machine's and DGM-H's directories. Which of three layouts a
 * directory is follows from the one file only that layout has at its top:
 *
 *  - dgm_metadata.jsonl: DGM's run output (output_dgm/<run_id>/), import_dgm_run.c;
 *  - archive.jsonl: DGM-H's run output (outputs/generate_<run_id>/), import_dgmh.c;
 *  - metadata.json: a DGM evaluation directory (initial_polyglot/ and every node's
 *    evaluation), read here: metadata.json and predictions/<run>/ with, per task, <task>.md
 *    (the agent's log), <task>.json (the prediction), <task>_eval.md, <task>_eval.sh and
 *    <task>_docker.log. Every call in a log becomes an llm_call (dgm_logs.h), every task an
 *    eval_task, the node an archive_add.
 *
 * Also here: what the three share (import_dgm.h).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "base/lines.h"
#include "import/dgm_logs.h"
#include "import/import_dgm.h"

/* The files of one task, by suffix; their sizes are the task's artifact bytes. */
static const char *const task_files[] = { ".md", ".json", "_eval.md", "_eval.sh",
					  "_docker.log" };

void dgm_names_release(struct dgm_names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int names_add(struct dgm_names *ns, const char *s, size_t len)
{
	char **v = array_room(ns->v, ns->n, &ns->cap, sizeof(*v));
	if (!v)
		return -1;
	ns->v = v;
	if (!(ns->v[ns->n] = strndup(s, len)))
		return -1;
	ns->n++;
	return 0;
}

int dgm_names_add(struct dgm_names *ns, const char *s)
{
	return names_add(ns, s, strlen(s));
}

int dgm_path(char *buf, size_t size, struct hc_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return hc_err_set(err, HC_EINPUT, "path too long: '%.60s...'", buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t k = strlen(suffix);
	return len >= k && !memcmp(s + len - k, suffix, k);
}

int dgm_is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int dgm_is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

long long dgm_file_bytes(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

/* Whether the entry name of dir is wanted, and the length of the name to keep. */
static int wanted(const char *dir, const char *name, int want_dirs, const char *prefix,
		  const char *suffix, const char *exclude, size_t *len)
{
	char p[DGM_PATH_MAX];
	*len = strlen(name);
	if (name[0] == '.' || dgm_path(p, sizeof(p), NULL, "%s/%s", dir, name))
		return 0;
	if (want_dirs)
		return dgm_is_dir(p);
	if (!dgm_is_file(p) || strncmp(name, prefix, strlen(prefix)) ||
	    !ends_with(name, *len, suffix) || (exclude && ends_with(name, *len, exclude)) ||
	    *len < strlen(prefix) + strlen(suffix))
		return 0;
	*len -= strlen(suffix);
	return 1;
}

int dgm_list(const char *dir, int want_dirs, const char *prefix, const char *suffix,
	     const char *exclude, struct dgm_names *ns, struct hc_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return hc_err_set(err, errno == ENOENT || errno == ENOTDIR ? HC_EINPUT :
									      HC_ERUNTIME,
				  "cannot open directory '%s': %s", dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	size_t skip = want_dirs ? 0 : strlen(prefix), len;
	while (!rc && (e = readdir(d)))
		if (wanted(dir, e->d_name, want_dirs, prefix, suffix, exclude, &len) &&
		    names_add(ns, e->d_name + skip, len - skip))
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	closedir(d);
	if (!rc && ns->n)
		qsort(ns->v, ns->n, sizeof(*ns->v), cmp_names);
	return rc;
}

int dgm_tree_bytes(const char *dir, long long *bytes, struct hc_err *err)
{
	struct dgm_names sub = { 0 }, files = { 0 };
	char p[DGM_PATH_MAX];
	int rc = dgm_list(dir, 0, "", "", NULL, &files, err);
	for (size_t i = 0; !rc && i < files.n; i++)
		if (!(rc = dgm_path(p, sizeof(p), err, "%s/%s", dir, files.v[i])))
			*bytes += dgm_file_bytes(p);
	if (!rc)
		rc = dgm_list(dir, 1, "", "", NULL, &sub, err);
	for (size_t i = 0; !rc && i < sub.n; i++)
		if (!(rc = dgm_path(p, sizeof(p), err, "%s/%s", dir, sub.v[i])))
			rc = dgm_tree_bytes(p, bytes, err);
	dgm_names_release(&files);
	dgm_names_release(&sub);
	return rc;
}

int dgm_node_call(struct trace_llm_call *c, const struct dgm_node *n, struct hc_err *err)
{
	c->iteration = n->iteration;
	if (trace_set_str(c->node, n->node, "node", err) ||
	    trace_set_str(c->parent, n->parent, "parent", err))
		return HC_EINPUT;
	return 0;
}

int dgm_put_node(struct trace_writer *w, const struct dgm_node *n, double score,
		 long long patch_bytes, long long artifact_bytes, struct hc_err *err)
{
	struct trace_record rec;
	trace_record_init(&rec, TRACE_ARCHIVE_ADD);
	struct trace_archive_add *a = &rec.u.add;
	if (trace_set_str(a->node, n->node, "node", err) ||
	    trace_set_str(a->parent, n->parent, "parent", err))
		return HC_EINPUT;
	a->iteration = n->iteration;
	a->score = score;
	a->patch_bytes = patch_bytes;
	a->artifact_bytes = artifact_bytes;
	return trace_writer_put(w, &rec, err);
}

/* Polyglot task ids are "<language>__<exercise>"; anything else is taken as SWE-bench. */
static const char *task_domain(const char *task)
{
	static const char *const langs[] = { "cpp__", "go__", "java__", "javascript__",
					     "python__", "rust__" };
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (!strncmp(task, langs[i], strlen(langs[i])))
			return "polyglot";
	return "swe_bench";
}

/* Seconds of the "HH:MM:SS,mmm" time at the start of a DGM log line, or NAN. */
static double log_clock(const char *line)
{
	int h, m, s, ms;
	char date[11];
	if (sscanf(line, "%10s %d:%d:%d,%d", date, &h, &m, &s, &ms) != 5)
		return NAN;
	double t;
	char iso[32];
	snprintf(iso, sizeof(iso), "%sT%02d:%02d:%02d", date, h, m, s);
	return import_time_parse(iso, &t) ? NAN : t + ms / 1000.0;
}

/* Whole milliseconds, as logged, without the rounding noise of large doubles. */
static double log_millis(double t)
{
	return round(t * 1000) / 1000;
}

/*
 * Times from the task's docker log (DGM's harness logs every step with a timestamp): the
 * task's span, from its first timestamped line (looking for an old container) to its last
 * (the container removed), and the test run's seconds, from "Running the eval" to "Attempting
 * to stop container". Each NAN when the log lacks it.
 */
static void docker_times(const char *path, struct trace_eval_task *t)
{
	struct lines lines;
	char *buf;
	size_t n;
	int rc, complete;
	double first = NAN, last = NAN, start = NAN, stop = NAN;
	if (lines_open(&lines, path, LINES_MAX, NULL))
		return;
	/* best effort: a line over the limit is passed over, a read error ends the look */
	while ((rc = lines_next(&lines, &buf, &n, &complete, NULL)) != 0) {
		if (rc == HC_EINPUT)
			continue;
		if (rc < 0)
			break;
		double clock = log_clock(buf);
		if (isnan(clock))
			continue;
		if (isnan(first))
			first = clock;
		last = clock;
		if (strstr(buf, " - INFO - Running the eval"))
			start = clock;
		else if (!isnan(start) && strstr(buf, " - INFO - Attempting to stop container"))
			stop = clock;
	}
	lines_release(&lines);
	if (last >= first) {
		t->start_time = log_millis(first);
		t->end_time = log_millis(last);
	}
	if (stop >= start)
		t->sandbox_seconds = round((stop - start) * 1000) / 1000;
}

int dgm_in_list(const cJSON *obj, const char *key, const char *s)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(obj, key))
		if (cJSON_IsString(e) && !strcmp(e->valuestring, s))
			return 1;
	return 0;
}

/* pass / fail / error from the prediction's eval_result, else from perf's id lists. */
static const char *task_result(const cJSON *perf, const char *json_path, const char *task)
{
	const char *result = NULL;
	cJSON *pred = jsonfile_load(json_path, NULL);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(pred, "eval_result");
	if (cJSON_IsString(v))
		result = !strcmp(v->valuestring, "resolved")	      ? "pass" :
			 !strcmp(v->valuestring, "unresolved")	      ? "fail" :
			 !strcmp(v->valuestring, "empty_patch")	      ? "fail" :
								"error";
	cJSON_Delete(pred);
	if (result)
		return result;
	if (dgm_in_list(perf, "total_resolved_ids", task))
		return "pass";
	if (dgm_in_list(perf, "total_unresolved_ids", task) ||
	    dgm_in_list(perf, "total_emptypatch_ids", task))
		return "fail";
	return "unknown";
}

struct eval_ctx {
	struct trace_writer *w;
	const struct dgm_node *n;
	const cJSON *perf;
	struct dgm_eval *out;
};

static int import_task(struct eval_ctx *x, const char *run, const char *rundir,
		       const char *task, struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	struct dgm_log log;
	dgm_log_init(&log, x->w);
	strcpy(log.tmpl.role, "evaluate");
	strcpy(log.tmpl.domain, task_domain(task));
	if (dgm_node_call(&log.tmpl, x->n, err) || trace_set_str(log.tmpl.run, run, "run", err) ||
	    trace_set_str(log.tmpl.task, task, "task", err) ||
	    dgm_path(p, sizeof(p), err, "%s/%s.md", rundir, task))
		return hc_err_prefix(err, "%s/%s", rundir, task);
	int rc = dgm_log_import(&log, p, err);
	if (rc)
		return rc;
	struct trace_record rec;
	trace_record_init(&rec, TRACE_EVAL_TASK);
	struct trace_eval_task *t = &rec.u.task;
	strcpy(t->node, log.tmpl.node);
	strcpy(t->task, log.tmpl.task);
	strcpy(t->domain, log.tmpl.domain);
	t->artifact_bytes = 0;
	for (size_t i = 0; i < sizeof(task_files) / sizeof(task_files[0]); i++) {
		if (dgm_path(p, sizeof(p), err, "%s/%s%s", rundir, task, task_files[i]))
			return HC_EINPUT;
		if (dgm_file_bytes(p) > 0)
			t->artifact_bytes += dgm_file_bytes(p);
	}
	if (dgm_path(p, sizeof(p), err, "%s/%s_docker.log", rundir, task))
		return HC_EINPUT;
	docker_times(p, t);
	if (dgm_path(p, sizeof(p), err, "%s/%s.json", rundir, task))
		return HC_EINPUT;
	strcpy(t->result, task_result(x->perf, p, task));
	x->out->bytes += t->artifact_bytes;
	x->out->tasks++;
	return trace_writer_put(x->w, &rec, err);
}

static int import_runs(struct eval_ctx *x, const char *preds, int require_runs,
		       struct hc_err *err)
{
	char rundir[DGM_PATH_MAX];
	struct dgm_names runs = { 0 }, tasks = { 0 };
	if (!require_runs && !dgm_is_dir(preds))
		return 0;
	int rc = dgm_list(preds, 1, "", "", NULL, &runs, err);
	if (!rc && runs.n == 0 && require_runs)
		rc = hc_err_set(err, HC_EINPUT, "%s: no run directories; allowed: a DGM run "
				"directory with predictions/<run>/<task>.md logs", preds);
	for (size_t i = 0; !rc && i < runs.n; i++) {
		rc = dgm_path(rundir, sizeof(rundir), err, "%s/%s", preds, runs.v[i]);
		if (!rc)
			rc = dgm_list(rundir, 0, "", ".md", "_eval.md", &tasks, err);
		for (size_t k = 0; !rc && k < tasks.n; k++)
			rc = import_task(x, runs.v[i], rundir, tasks.v[k], err);
		dgm_names_release(&tasks);
	}
	dgm_names_release(&runs);
	return rc;
}

int dgm_import_predictions(struct trace_writer *w, const struct dgm_node *n, const char *preds,
			   const cJSON *perf, int require_runs, struct dgm_eval *out,
			   struct hc_err *err)
{
	struct eval_ctx x = { w, n, perf, out };
	return import_runs(&x, preds, require_runs, err);
}

int dgm_import_eval(struct trace_writer *w, const struct dgm_node *n, const char *dir,
		    const cJSON *meta, const char *path, int require_runs,
		    struct dgm_eval *out, struct hc_err *err)
{
	char preds[DGM_PATH_MAX], got[80];
	const cJSON *perf = cJSON_GetObjectItemCaseSensitive(meta, "overall_performance");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(perf, "accuracy_score");
	*out = (struct dgm_eval){ NAN, 0, 0 };
	if (perf && !cJSON_IsNull(perf) && !cJSON_IsObject(perf))
		return hc_err_set(err, HC_EINPUT, "%s: overall_performance: got %s; allowed: an "
				  "object", path, json_describe(perf, got, sizeof(got)));
	if (score && (!cJSON_IsNumber(score) || !(score->valuedouble >= 0) ||
		      score->valuedouble > 1))
		return hc_err_set(err, HC_EINPUT, "%s: overall_performance.accuracy_score: got %s; "
				  "allowed: a number from 0 to 1", path,
				  json_describe(score, got, sizeof(got)));
	if (score)
		out->score = score->valuedouble;
	if (dgm_path(preds, sizeof(preds), err, "%s/predictions", dir))
		return HC_EINPUT;
	return dgm_import_predictions(w, n, preds, perf, require_runs, out, err);
}

int import_dgm_eval_dir(const char *dir, struct trace_writer *w, struct hc_err *err)
{
	char p[DGM_PATH_MAX], got[80];
	cJSON *meta;
	if (dgm_path(p, sizeof(p), err, "%s/metadata.json", dir) ||
	    !(meta = jsonfile_load(p, err)))
		return HC_EINPUT;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(meta, "run_id");
	struct dgm_eval ev;
	int rc;
	if (!cJSON_IsString(id) || !id->valuestring[0]) {
		rc = hc_err_set(err, HC_EINPUT, "%s: run_id: got %s; allowed: the node's name", p,
				json_describe(id, got, sizeof(got)));
	} else {
		struct dgm_node n = { id->valuestring, NULL, 0 };
		rc = dgm_import_eval(w, &n, dir, meta, p, 1, &ev, err);
		/* DGM's initial agent has no patch; another node's is not in this directory. */
		if (!rc)
			rc = dgm_put_node(w, &n, ev.score, !strcmp(n.node, "initial") ? 0 : -1,
					  ev.bytes, err);
	}
	cJSON_Delete(meta);
	return rc;
}

/* Each layout's marker file, what it is, the loop that wrote it (the trace header's "loop"). */
static const struct {
	const char *marker, *what, *loop;
	int (*run)(const char *dir, struct trace_writer *w, struct hc_err *err);
} layouts[] = {
	{ "dgm_metadata.jsonl", "DGM run output", TRACE_LOOP_DGM, import_dgm_run },
	{ "archive.jsonl", "DGM-H run output", TRACE_LOOP_DGMH, import_dgmh_run },
	{ "metadata.json", "DGM evaluation directory", TRACE_LOOP_DGM, import_dgm_eval_dir },
};

#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

int import_dgm(const char *dir, struct trace_writer *w, struct import_stats *st,
	       struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	size_t found = N_LAYOUTS, n_found = 0;
	(void)st; /* nothing in these directories is left out */
	if (!dgm_is_dir(dir))
		return hc_err_set(err, HC_EINPUT, "'%s': not a directory; allowed: a DGM or DGM-H "
				  "directory", dir);
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		if (dgm_path(p, sizeof(p), err, "%s/%s", dir, layouts[i].marker))
			return HC_EINPUT;
		if (dgm_is_file(p) && n_found++ == 0)
			found = i;
	}
	if (n_found == 1) {
		int rc = trace_writer_set_loop(w, layouts[found].loop, err);
		return rc ? rc : layouts[found].run(dir, w, err);
	}
	return hc_err_set(err, HC_EINPUT, "'%s': %s; allowed: a directory with exactly one of "
			  "%s (%s), %s (%s) or %s (%s)", dir,
			  n_found ? "more than one layout's file" : "no DGM or DGM-H layout's file",
			  layouts[0].marker, layouts[0].what, layouts[1].marker, layouts[1].what,
			  layouts[2].marker, layouts[2].what);
}
