/*
 * import_dgm: what the three layouts of `hypercap import dgm` share. Internal to the DGM
 * importers: import_dgm.c (evaluation directories, and which layout a directory is),
 * import_dgm_run.c (DGM's run output) and import_dgmh.c (DGM-H's run output).
 *
 * Directories are listed in byte order of their names, so that the trace does not depend on
 * the file system's order.
 */
#ifndef IMPORT_IMPORT_DGM_H
#define IMPORT_IMPORT_DGM_H

#include <stddef.h>
#include "import/import.h"

#define DGM_PATH_MAX 4096

struct cJSON;

/* A sorted list of names; the list owns them. */
struct dgm_names {
	char **v;
	size_t n, cap;
};

void dgm_names_release(struct dgm_names *ns);

/* Appends a copy of s; -1 when out of memory. */
int dgm_names_add(struct dgm_names *ns, const char *s);

/* snprintf into a path buffer; HC_EINPUT when the path does not fit. */
int dgm_path(char *buf, size_t size, struct hc_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The entries of dir, sorted. With want_dirs, its subdirectories; otherwise its files whose
 * names start with prefix and end with suffix but not with exclude (which may be NULL),
 * with prefix and suffix taken off. HC_EINPUT when dir is missing.
 */
int dgm_list(const char *dir, int want_dirs, const char *prefix, const char *suffix,
	     const char *exclude, struct dgm_names *ns, struct hc_err *err);

/* 1 when path is a directory (a regular file), else 0. */
int dgm_is_dir(const char *path);
int dgm_is_file(const char *path);

/* The size of a regular file, or -1 when there is none. */
long long dgm_file_bytes(const char *path);

/* The bytes of every regular file under dir, added to *bytes. */
int dgm_tree_bytes(const char *dir, long long *bytes, struct hc_err *err);

/* A node of an archive, as its records name it. */
struct dgm_node {
	const char *node;
	const char *parent; /* NULL for a root */
	long iteration;
};

/* Sets a call template's node, parent and iteration (and nothing else) from n. */
int dgm_node_call(struct trace_llm_call *c, const struct dgm_node *n, struct hc_err *err);

/* What a node's evaluation added up to. */
struct dgm_eval {
	double score;     /* NAN when unknown */
	long long bytes;  /* the tasks' artifact bytes */
	size_t tasks;
};

/*
 * The tasks under preds, a directory of <run>/ directories with, per task, <task>.md (the
 * agent's log, read with dgm_logs), <task>.json, <task>_eval.md, <task>_eval.sh and
 * <task>_docker.log. Writes the calls of every log and an eval_task per task, adding to out's
 * bytes and tasks. A task's result is its prediction's eval_result, else from perf's
 * total_resolved_ids, total_unresolved_ids and total_emptypatch_ids (perf may be NULL). With
 * require_runs, a missing or empty preds is an error; otherwise it means no tasks.
 */
int dgm_import_predictions(struct trace_writer *w, const struct dgm_node *n, const char *preds,
			   const struct cJSON *perf, int require_runs, struct dgm_eval *out,
			   struct hc_err *err);

/*
 * A node's evaluation in DGM's layout: dir/metadata.json (meta, already loaded; path names
 * it in messages) and dir/predictions/, read with dgm_import_predictions (perf being
 * overall_performance). Fills out, the score being overall_performance.accuracy_score.
 */
int dgm_import_eval(struct trace_writer *w, const struct dgm_node *n, const char *dir,
		    const struct cJSON *meta, const char *path, int require_runs,
		    struct dgm_eval *out, struct hc_err *err);

/* An archive_add record. patch_bytes and artifact bytes -1 when unknown. */
int dgm_put_node(struct trace_writer *w, const struct dgm_node *n, double score,
		 long long patch_bytes, long long artifact_bytes, struct hc_err *err);

/* 1 when obj[key] is a list holding the string s. */
int dgm_in_list(const struct cJSON *obj, const char *key, const char *s);

/* The three layouts. */
int import_dgm_eval_dir(const char *dir, struct trace_writer *w, struct hc_err *err);
int import_dgm_run(const char *dir, struct trace_writer *w, struct hc_err *err);
int import_dgmh_run(const char *dir, struct trace_writer *w, struct hc_err *err);

#endif
