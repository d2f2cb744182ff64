/*
 * import dgm, DGM's run output: the directory output_dgm/<run_id>/ that DGM_outer.py writes.
 *
 *  - dgm_metadata.jsonl: after every generation, json.dumps({"generation", "selfimprove_entries",
 *    "children", "children_compiled", "archive"}, indent=2), appended: indented JSON objects
 *    one after another, read here as a stream of JSON values;
 *  - initial/: the initial agent's evaluation (DGM's initial/ or initial_polyglot/ copied);
 *  - <child>/ for every self-improvement attempt (self_improve_step.py): metadata.json
 *    (run_id, parent_commit, overall_performance, ...), self_evo.md (the coding agent's log),
 *    model_patch.diff and its evaluation, predictions/<child>_0/.
 *
 * Every child's calls and tasks are written, compiled or not (they were paid for); a node's
 * archive_add when it first appears in an archive list, which DGM_outer.py extends only with
 * compiled children. A child of generation g is iteration g + 1; the initial agent is 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/array.h"
#include "base/jsonfile.h"
#include "import/dgm_logs.h"
#include "import/import_dgm.h"

/*
 * The model of the coding agent that writes self_evo.md: CLAUDE_MODEL in DGM's
 * llm_withtools.py, which logs no usage (see dgm_logs.h).
 */
#define DGM_SELF_MODEL "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0"
#define DGM_SELF_PROVIDER "aws.bedrock"

/* A child once imported: what its archive_add needs. */
struct child {
	char *name, *parent;
	long iteration;
	double score;
	long long patch_bytes, artifact_bytes;
	int added; /* its archive_add is written */
};

struct run {
	const char *dir;
	struct trace_writer *w;
	char path[DGM_PATH_MAX]; /* dgm_metadata.jsonl */
	struct child *v;
	size_t n, cap;
};

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].parent);
	}
	free(r->v);
}

static struct child *child_find(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

static struct child *child_add(struct run *r, const char *name, const char *parent)
{
	struct child *v = array_room(r->v, r->n, &r->cap, sizeof(*v));
	if (!v)
		return NULL;
	r->v = v;
	struct child *c = &r->v[r->n];
	*c = (struct child){ strdup(name), strdup(parent), 0, NAN, -1, 0, 0 };
	if (!c->name || !c->parent) {
		free(c->name);
		free(c->parent);
		return NULL;
	}
	r->n++;
	return c;
}

/* The strings of arr[key]; HC_EINPUT naming PATH:LINE: key when it is not an array of them. */
static int string_list(const struct run *r, long line, const cJSON *o, const char *key,
		       const cJSON **out, struct hc_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	char got[80];
	size_t i = 0;
	if (!cJSON_IsArray(arr))
		return hc_err_set(err, HC_EINPUT, "%s:%ld: %s: got %s; allowed: a list of node "
				  "names", r->path, line, key,
				  json_describe(arr, got, sizeof(got)));
	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsString(e) || !e->valuestring[0] ||
		    strlen(e->valuestring) >= TRACE_STR_MAX || strchr(e->valuestring, '/') ||
		    e->valuestring[0] == '.')
			return hc_err_set(err, HC_EINPUT, "%s:%ld: %s[%zu]: got %s; allowed: a "
					  "node name (a directory of the run)", r->path, line, key,
					  i, json_describe(e, got, sizeof(got)));
		i++;
	}
	*out = arr;
	return 0;
}

/* The coding agent's log of one self-improvement attempt: estimated self_modify calls. */
static int import_self_evo(struct run *r, const struct dgm_node *n, const char *childdir,
			   struct hc_err *err)
{
	char p[DGM_PATH_MAX];
	struct dgm_log log;
	dgm_log_init(&log, r->w);
	strcpy(log.tmpl.role, "self_modify");
	strcpy(log.tmpl.provider, DGM_SELF_PROVIDER);
	strcpy(log.tmpl.model, DGM_SELF_MODEL);
	if (dgm_path(p, sizeof(p), err, "%s/self_evo.md", childdir) ||
	    dgm_node_call(&log.tmpl, n, err))
		return HC_EINPUT;
	/* an attempt that failed before its coding agent ran has no log */
	return dgm_is_file(p) ? dgm_log_import(&log, p, err) : 0;
}

/* One self-improvement attempt of generation: its calls and tasks, remembered for later. */
static int import_child(struct run *r, long generation, const char *name, struct hc_err *err)
{
	char dir[DGM_PATH_MAX], p[DGM_PATH_MAX], got[80];
	if (dgm_path(dir, sizeof(dir), err, "%s/%s", r->dir, name) ||
	    dgm_path(p, sizeof(p), err, "%s/metadata.json", dir))
		return HC_EINPUT;
	cJSON *meta = jsonfile_load(p, err);
	if (!meta)
		return HC_EINPUT;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(meta, "run_id");
	const cJSON *parent = cJSON_GetObjectItemCaseSensitive(meta, "parent_commit");
	int rc = 0;
	struct child *c = NULL;
	if (!cJSON_IsString(id) || strcmp(id->valuestring, name))
		rc = hc_err_set(err, HC_EINPUT, "%s: run_id: got %s; allowed: '%s', the name of "
				"its directory", p, json_describe(id, got, sizeof(got)), name);
	else if (!cJSON_IsString(parent) || !parent->valuestring[0])
		rc = hc_err_set(err, HC_EINPUT, "%s: parent_commit: got %s; allowed: 'initial' or "
				"a node's run_id", p, json_describe(parent, got, sizeof(got)));
	else if (child_find(r, name))
		rc = hc_err_set(err, HC_EINPUT, "%s: children: '%s' is a child of two "
				"generations; allowed: each once", r->path, name);
	else if (!(c = child_add(r, name, parent->valuestring)))
		rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!rc) {
		struct dgm_node n = { c->name, c->parent, generation + 1 };
		struct dgm_eval ev = { 0 };
		c->iteration = n.iteration;
		rc = import_self_evo(r, &n, dir, err);
		if (!rc)
			rc = dgm_import_eval(r->w, &n, dir, meta, p, 0, &ev, err);
		if (!rc && !(rc = dgm_path(p, sizeof(p), err, "%s/model_patch.diff", dir))) {
			c->score = ev.score;
			c->artifact_bytes = ev.bytes;
			c->patch_bytes = dgm_file_bytes(p);
		}
	}
	cJSON_Delete(meta);
	return rc;
}

/* The initial agent: its evaluation, and the archive's root. */
static int import_initial(struct run *r, struct hc_err *err)
{
	char dir[DGM_PATH_MAX], p[DGM_PATH_MAX];
	struct dgm_node n = { "initial", NULL, 0 };
	struct dgm_eval ev;
	cJSON *meta;
	if (dgm_path(dir, sizeof(dir), err, "%s/initial", r->dir) ||
	    dgm_path(p, sizeof(p), err, "%s/metadata.json", dir) ||
	    !(meta = jsonfile_load(p, err)))
		return HC_EINPUT;
	int rc = dgm_import_eval(r->w, &n, dir, meta, p, 1, &ev, err);
	cJSON_Delete(meta);
	if (!rc)
		rc = dgm_put_node(r->w, &n, ev.score, 0, ev.bytes, err);
	return rc;
}

/* The archive_add of every node that joins the archive with this generation. */
static int add_archived(struct run *r, long line, const cJSON *archive, struct hc_err *err)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, archive) {
		struct child *c = child_find(r, e->valuestring);
		if (!strcmp(e->valuestring, "initial"))
			continue;
		if (!c)
			return hc_err_set(err, HC_EINPUT, "%s:%ld: archive: '%s' is neither "
					  "'initial' nor a child of this or an earlier generation",
					  r->path, line, e->valuestring);
		if (c->added)
			continue;
		struct dgm_node n = { c->name, c->parent, c->iteration };
		int rc = dgm_put_node(r->w, &n, c->score, c->patch_bytes, c->artifact_bytes, err);
		if (rc)
			return rc;
		c->added = 1;
	}
	return 0;
}

/* One generation's record of dgm_metadata.jsonl, which starts at line: checked, not imported. */
static int check_generation(const struct run *r, const cJSON *o, long line, struct hc_err *err)
{
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(o, "generation"), *list;
	char got[80];
	if (!cJSON_IsObject(o))
		return hc_err_set(err, HC_EINPUT, "%s:%ld: got %s; allowed: a JSON object",
				  r->path, line, json_describe(o, got, sizeof(got)));
	if (!cJSON_IsNumber(gen) || gen->valuedouble < 0 || gen->valuedouble > 1e9 ||
	    gen->valuedouble != (long)gen->valuedouble)
		return hc_err_set(err, HC_EINPUT, "%s:%ld: generation: got %s; allowed: a whole "
				  "number >= 0", r->path, line,
				  json_describe(gen, got, sizeof(got)));
	if (string_list(r, line, o, "children", &list, err) ||
	    string_list(r, line, o, "archive", &list, err))
		return HC_EINPUT;
	return 0;
}

static int import_generation(struct run *r, const cJSON *o, long line, struct hc_err *err)
{
	long gen = (long)cJSON_GetObjectItemCaseSensitive(o, "generation")->valuedouble;
	const cJSON *e;
	int rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, "children")) {
		if ((rc = import_child(r, gen, e->valuestring, err)))
			return rc;
	}
	return add_archived(r, line, cJSON_GetObjectItemCaseSensitive(o, "archive"), err);
}

static long lines_in(const char *from, const char *to)
{
	long n = 0;
	for (; from < to; from++)
		n += *from == '\n';
	return n;
}

/*
 * Reads dgm_metadata.jsonl, JSON values one after another whatever their indentation, into
 * gens (an array of the records) and lines (where each starts), checking every record.
 */
static int read_generations(struct run *r, const char *text, cJSON *gens, cJSON *lines,
			    struct hc_err *err)
{
	const char *p = text, *nul = jsonfile_nul_escape(text, strlen(text));
	long line = 1;
	if (nul)
		return hc_err_set(err, HC_EINPUT, "%s:%ld: \\u0000 (a NUL character) in a string; "
				  "allowed: strings without NUL", r->path, 1 + lines_in(text, nul));
	while (1) {
		const char *start = p + strspn(p, " \t\r\n"), *end = NULL;
		line += lines_in(p, start);
		if (!*start)
			return 0;
		cJSON *o = cJSON_ParseWithOpts(start, &end, 0);
		if (!o) {
			const char *at = cJSON_GetErrorPtr();
			at = at && at >= start ? at : start;
			int shown = (int)strcspn(at, "\r\n");
			return hc_err_set(err, HC_EINPUT, "%s:%ld: not JSON near '%.*s'; allowed: "
					  "JSON objects one after another (DGM_outer.py writes "
					  "json.dumps(..., indent=2))", r->path,
					  line + lines_in(start, at), shown < 30 ? shown : 30, at);
		}
		cJSON_AddItemToArray(gens, o);
		char origin[320];
		snprintf(origin, sizeof(origin), "%.280s:%ld", r->path, line);
		int rc = jsonfile_unique_keys(o, origin, err);
		if (!rc)
			rc = check_generation(r, o, line, err);
		if (!rc && !cJSON_AddItemToArray(lines, cJSON_CreateNumber((double)line)))
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
		if (rc)
			return rc;
		line += lines_in(start, end);
		p = end;
	}
}

int import_dgm_run(const char *dir, struct trace_writer *w, struct hc_err *err)
{
	struct run r = { .dir = dir, .w = w };
	char *text = NULL;
	size_t len;
	cJSON *gens = cJSON_CreateArray(), *lines = cJSON_CreateArray();
	int rc = gens && lines ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!rc)
		rc = dgm_path(r.path, sizeof(r.path), err, "%s/dgm_metadata.jsonl", dir);
	if (!rc)
		rc = jsonfile_read(r.path, &text, &len, err);
	if (!rc)
		rc = read_generations(&r, text, gens, lines, err);
	if (!rc)
		rc = import_initial(&r, err);
	for (const cJSON *g = rc ? NULL : gens->child, *l = rc ? NULL : lines->child; g && !rc;
	     g = g->next, l = l->next)
		rc = import_generation(&r, g, (long)l->valuedouble, err);
	free(text);
	cJSON_Delete(gens);
	cJSON_Delete(lines);
	run_release(&r);
	return rc;
}
