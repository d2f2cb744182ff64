/*
 * import dgm: a Darwin Goedel Machine evaluation directory (the shape of DGM's
 * initial_polyglot/ and of every node's evaluation): metadata.json and predictions/<run>/
 * with, per task, <task>.md (the agent's log), <task>.json (the prediction), <task>_eval.md,
 * <task>_eval.sh and <task>_docker.log.
 *
 * Every OpenAI Response(...) printed in a task's log becomes an llm_call; every task an
 * eval_task; the evaluated node an archive_add. Runs and tasks are taken in byte order of
 * their names, so the output does not depend on the file system's order.
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
#include "model/jsonfile.h"
#include "replay/import.h"

#define DGM_PATH_MAX 4096

/* The files of one task, by suffix; their sizes are the task's artifact bytes. */
static const char *const task_files[] = { ".md", ".json", "_eval.md", "_eval.sh",
					  "_docker.log" };

struct dgm {
	const char *dir;
	cJSON *meta; /* metadata.json */
	const char *node; /* its run_id */
	struct trace_writer *w;
	long long node_bytes;
};

struct names {
	char **v;
	size_t n, cap;
};

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int names_add(struct names *ns, const char *s, size_t len)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return -1;
		ns->v = v;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strndup(s, len)))
		return -1;
	ns->n++;
	return 0;
}

/* snprintf into a path buffer; HC_EINPUT when the path does not fit. */
static int path_fmt(char *buf, size_t size, struct hc_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int path_fmt(char *buf, size_t size, struct hc_err *err, const char *fmt, ...)
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

/*
 * The entries of dir, sorted. With want_dirs, its subdirectories; otherwise the task names:
 * every <task>.md that is not an _eval.md log.
 */
static int list_dir(const char *dir, int want_dirs, struct names *ns, struct hc_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return hc_err_set(err, errno == ENOENT || errno == ENOTDIR ? HC_EINPUT : HC_ERUNTIME,
				  "cannot open directory '%s': %s", dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		const char *name = e->d_name;
		size_t len = strlen(name);
		if (name[0] == '.')
			continue;
		if (want_dirs) {
			char p[DGM_PATH_MAX];
			struct stat st;
			if (path_fmt(p, sizeof(p), NULL, "%s/%s", dir, name) || stat(p, &st) ||
			    !S_ISDIR(st.st_mode))
				continue;
		} else if (!ends_with(name, len, ".md") || ends_with(name, len, "_eval.md")) {
			continue;
		} else {
			len -= 3;
		}
		if (names_add(ns, name, len))
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	closedir(d);
	if (!rc)
		qsort(ns->v, ns->n, sizeof(*ns->v), cmp_names);
	return rc;
}

/* ---- one Response(...) printed by the OpenAI Python library ---- */

/* The quoted value after key (e.g. "model='") at or after from, into dst; -1 when absent. */
static int quoted(const char *from, const char *key, char *dst, size_t size)
{
	const char *p = strstr(from, key);
	if (!p)
		return -1;
	p += strlen(key);
	const char *q = strchr(p, '\'');
	if (!q || (size_t)(q - p) >= size)
		return -1;
	memcpy(dst, p, (size_t)(q - p));
	dst[q - p] = '\0';
	return 0;
}

/* The whole number after key inside [from, end); -1 when absent. */
static int count_in(const char *from, const char *end, const char *key, int64_t *out)
{
	const char *p = strstr(from, key);
	if (!p || p >= end)
		return -1;
	char *stop;
	errno = 0;
	long long v = strtoll(p + strlen(key), &stop, 10);
	if (stop == p + strlen(key) || errno)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parses the Response starting at resp (the text "Response(id='") into call; *next is set
 * past it. HC_EINPUT with a message (the caller adds FILE:LINE) when a part is missing.
 */
static int parse_response(const char *resp, struct trace_llm_call *c, const char **next,
			  struct hc_err *err)
{
	char num[64];
	const char *usage = strstr(resp, "usage=ResponseUsage(");
	const char *none = strstr(resp, "usage=None");
	if (quoted(resp, "Response(id='", c->id, sizeof(c->id)))
		return hc_err_set(err, HC_EINPUT, "Response(...): id: missing or longer than %d "
				  "bytes", TRACE_STR_MAX - 1);
	if (quoted(resp, "model='", c->model, sizeof(c->model)))
		return hc_err_set(err, HC_EINPUT, "Response(...) '%s': model='...': missing",
				  c->id);
	const char *at = strstr(resp, "created_at=");
	if (at) {
		char *stop;
		snprintf(num, sizeof(num), "%.40s", at + strlen("created_at="));
		c->start_time = strtod(num, &stop);
		if (stop == num)
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': created_at: got "
					  "'%.20s'; allowed: Unix seconds", c->id, num);
	}
	if (usage && (!none || usage < none)) {
		const char *end = strstr(usage, "total_tokens=");
		int64_t total;
		struct usage *u = &c->usage;
		if (!end || count_in(usage, end, "input_tokens=", &u->input) ||
		    count_in(usage, end, "cached_tokens=", &u->cache_read) ||
		    count_in(usage, end, "output_tokens=", &u->output) ||
		    count_in(usage, end, "reasoning_tokens=", &u->reasoning) ||
		    count_in(end, end + 1, "total_tokens=", &total))
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: got '%.120s'; "
					  "allowed: ResponseUsage(input_tokens=N, input_tokens_details="
					  "InputTokensDetails(cached_tokens=N), output_tokens=N, "
					  "output_tokens_details=OutputTokensDetails(reasoning_tokens=N), "
					  "total_tokens=N)", c->id, usage);
		if (total != u->input + u->output)
			return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: total_tokens=%lld "
					  "is not input_tokens + output_tokens = %lld", c->id,
					  (long long)total, (long long)(u->input + u->output));
		u->calls = 1;
		c->has_usage = 1;
		*next = end;
	} else if (none) {
		*next = none + strlen("usage=None");
	} else {
		return hc_err_set(err, HC_EINPUT, "Response(...) '%s': usage: missing; allowed: "
				  "usage=ResponseUsage(...) or usage=None on the same line", c->id);
	}
	/* The response's own status is the last one before its usage (output items have theirs). */
	const char *status = NULL;
	for (const char *p = resp; (p = strstr(p, " status='")) && p < *next; p++)
		status = p;
	if (status)
		quoted(status, " status='", c->status, sizeof(c->status));
	return 0;
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

static int import_log(struct dgm *g, const char *run, const char *task, const char *path,
		      struct hc_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return hc_err_set(err, HC_EINPUT, "cannot open '%s': %s", path, strerror(errno));
	char *buf = NULL;
	size_t cap = 0;
	long line = 0;
	int rc = 0;
	struct trace_record rec;
	while (!rc && getline(&buf, &cap, f) >= 0) {
		line++;
		for (const char *p = buf; !rc && (p = strstr(p, "Response(id='"));) {
			trace_record_init(&rec, TRACE_LLM_CALL);
			struct trace_llm_call *c = &rec.u.call;
			rc = parse_response(p, c, &p, err);
			if (!rc && (trace_set_str(c->run, run, "run", err) ||
				    trace_set_str(c->node, g->node, "node", err) ||
				    trace_set_str(c->task, task, "task", err)))
				rc = HC_EINPUT;
			if (rc) {
				hc_err_prefix(err, "%s:%ld", path, line);
				break;
			}
			c->iteration = 0;
			strcpy(c->role, "evaluate");
			strcpy(c->domain, task_domain(task));
			strcpy(c->provider, "openai");
			rc = trace_writer_put(g->w, &rec, err);
		}
	}
	if (!rc && ferror(f))
		rc = hc_err_set(err, HC_ERUNTIME, "cannot read '%s'", path);
	free(buf);
	fclose(f);
	return rc;
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
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char *buf = NULL;
	size_t cap = 0;
	double first = NAN, last = NAN, start = NAN, stop = NAN;
	while (getline(&buf, &cap, f) >= 0) {
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
	free(buf);
	fclose(f);
	if (last >= first) {
		t->start_time = log_millis(first);
		t->end_time = log_millis(last);
	}
	if (stop >= start)
		t->sandbox_seconds = round((stop - start) * 1000) / 1000;
}

static int in_list(const cJSON *perf, const char *key, const char *task)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(perf, key))
		if (cJSON_IsString(e) && !strcmp(e->valuestring, task))
			return 1;
	return 0;
}

/* pass / fail / error from the prediction's eval_result, else from metadata.json's lists. */
static const char *task_result(struct dgm *g, const char *json_path, const char *task)
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
	const cJSON *perf = cJSON_GetObjectItemCaseSensitive(g->meta, "overall_performance");
	if (in_list(perf, "total_resolved_ids", task))
		return "pass";
	if (in_list(perf, "total_unresolved_ids", task) ||
	    in_list(perf, "total_emptypatch_ids", task))
		return "fail";
	return "unknown";
}

static int import_task(struct dgm *g, const char *run, const char *rundir, const char *task,
		       struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	if (path_fmt(p, sizeof(p), err, "%s/%s.md", rundir, task) ||
	    import_log(g, run, task, p, err))
		return HC_EINPUT;
	struct trace_record rec;
	trace_record_init(&rec, TRACE_EVAL_TASK);
	struct trace_eval_task *t = &rec.u.task;
	if (trace_set_str(t->node, g->node, "node", err) ||
	    trace_set_str(t->task, task, "task", err))
		return hc_err_prefix(err, "%s", p);
	strcpy(t->domain, task_domain(task));
	t->artifact_bytes = 0;
	for (size_t i = 0; i < sizeof(task_files) / sizeof(task_files[0]); i++) {
		struct stat st;
		if (path_fmt(p, sizeof(p), err, "%s/%s%s", rundir, task, task_files[i]))
			return HC_EINPUT;
		if (!stat(p, &st))
			t->artifact_bytes += st.st_size;
	}
	if (path_fmt(p, sizeof(p), err, "%s/%s_docker.log", rundir, task))
		return HC_EINPUT;
	docker_times(p, t);
	if (path_fmt(p, sizeof(p), err, "%s/%s.json", rundir, task))
		return HC_EINPUT;
	strcpy(t->result, task_result(g, p, task));
	g->node_bytes += t->artifact_bytes;
	return trace_writer_put(g->w, &rec, err);
}

static int import_runs(struct dgm *g, struct hc_err *err)
{
	char preds[DGM_PATH_MAX], rundir[DGM_PATH_MAX];
	struct names runs = { 0 }, tasks = { 0 };
	int rc = path_fmt(preds, sizeof(preds), err, "%s/predictions", g->dir);
	if (!rc)
		rc = list_dir(preds, 1, &runs, err);
	if (!rc && runs.n == 0)
		rc = hc_err_set(err, HC_EINPUT, "%s: no run directories; allowed: a DGM run "
				"directory with predictions/<run>/<task>.md logs", preds);
	for (size_t i = 0; !rc && i < runs.n; i++) {
		rc = path_fmt(rundir, sizeof(rundir), err, "%s/%s", preds, runs.v[i]);
		if (!rc)
			rc = list_dir(rundir, 0, &tasks, err);
		for (size_t k = 0; !rc && k < tasks.n; k++)
			rc = import_task(g, runs.v[i], rundir, tasks.v[k], err);
		names_release(&tasks);
	}
	names_release(&runs);
	return rc;
}

int import_dgm(const char *dir, struct trace_writer *w, struct import_stats *st,
	       struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	struct dgm g = { .dir = dir, .w = w };
	(void)st; /* nothing in such a directory is left out */
	if (path_fmt(p, sizeof(p), err, "%s/metadata.json", dir) ||
	    !(g.meta = jsonfile_load(p, err)))
		return HC_EINPUT;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(g.meta, "run_id");
	const cJSON *perf = cJSON_GetObjectItemCaseSensitive(g.meta, "overall_performance");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(perf, "accuracy_score");
	int rc = 0;
	char got[80];
	if (!cJSON_IsString(id) || !id->valuestring[0])
		rc = hc_err_set(err, HC_EINPUT, "%s: run_id: got %s; allowed: the node's name",
				p, json_describe(id, got, sizeof(got)));
	else if (score && !cJSON_IsNumber(score))
		rc = hc_err_set(err, HC_EINPUT, "%s: overall_performance.accuracy_score: got %s; "
				"allowed: a number from 0 to 1", p,
				json_describe(score, got, sizeof(got)));
	if (!rc) {
		g.node = id->valuestring;
		rc = import_runs(&g, err);
	}
	if (!rc) {
		struct trace_record rec;
		trace_record_init(&rec, TRACE_ARCHIVE_ADD);
		struct trace_archive_add *a = &rec.u.add;
		rc = trace_set_str(a->node, g.node, "run_id", err);
		a->iteration = 0;
		a->score = score ? score->valuedouble : NAN;
		/* DGM's initial agent has no patch; another node's is not in this directory. */
		a->patch_bytes = !strcmp(g.node, "initial") ? 0 : -1;
		a->artifact_bytes = g.node_bytes;
		if (!rc)
			rc = trace_writer_put(w, &rec, err);
	}
	cJSON_Delete(g.meta);
	return rc;
}
