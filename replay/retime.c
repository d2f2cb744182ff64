/*
 * retime: see retime.h.
 *
 * Three steps: load (records into calls and chains, keyed through string tables), build
 * (recorded spans, the gaps that stay, evaluations, groups) and run (processes on the
 * engine: groups, nodes, sessions, evaluations, tasks, calls). The processes mirror
 * model/loop.c, with recorded durations where the loop draws them.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "replay/retime.h"

struct retime_call {
	double start, end;     /* recorded; Unix seconds when loaded, then seconds from origin */
	double dur, gap;       /* recorded: the call, and the tool time between it and the next */
	double requested, ran; /* re-timed: when it asked for its endpoint, how long it lasted */
	int has_end, has_usage;
	unsigned flags; /* price_call_cost's: batch, service tier */
	struct usage usage;
	size_t model, chain;
	long line;
};

/* Calls that ran one after another: a node's session or one of its tasks. */
struct retime_chain {
	int is_task;
	size_t node, domain, task;  /* ids in names; domain and task "" for a session */
	double rec_start, rec_end;  /* the recorded span; NAN while unknown */
	double sandbox;             /* tasks: recorded test run seconds, NAN when unknown */
	size_t first, n;            /* its calls, after sorting */
	double lead;                /* recorded: from its start to its first call's start */
	size_t eval;                /* tasks: the evaluation */
	double release, start, end; /* re-timed */
};

/* The tasks of one node in one domain, on one pool of workers. */
struct retime_eval {
	size_t node;
	size_t first, n;            /* into task_order */
	unsigned peak;              /* recorded concurrency: the most task spans overlapping */
	unsigned servers;
	struct pool pool;
	size_t pending;
	double end;
};

struct retime_node {
	size_t name;
	long iteration;             /* -1 while unknown */
	int iteration_from_add;     /* archive_add's iteration is taken over the calls' */
	long session;               /* chain, or -1 */
	size_t first_eval, n_evals;
	size_t n_tasks;
	double rec_first, rec_end, rec_eval_start, rec_eval_end;
	double lead;                /* recorded: from its iteration's start to its first activity */
	size_t group;
	size_t pending;
	double eval_start;
};

static const char *const param_names[RETIME_PARAM_COUNT] = { "rpm", "tpm", "ttft", "decode" };

const char *retime_param_name(enum retime_param p)
{
	return param_names[p];
}

int retime_setting_parse(struct retime_setting *s, enum retime_param param, const char *text,
			 struct hc_err *err)
{
	static const char *const allowed[RETIME_PARAM_COUNT] = {
		"MODEL=N, N requests per minute > 0",
		"MODEL=N, N tokens per minute > 0",
		"MODEL=S, S seconds to the first token >= 0",
		"MODEL=N, N output tokens per second > 0",
	};
	const char *eq = strrchr(text, '=');
	char *stop;
	memset(s, 0, sizeof(*s));
	s->param = param;
	if (!eq || eq == text || (size_t)(eq - text) >= sizeof(s->model))
		return hc_err_set(err, HC_EINPUT, "got '%s'; allowed: %s", text, allowed[param]);
	memcpy(s->model, text, (size_t)(eq - text));
	s->value = strtod(eq + 1, &stop);
	int ok = eq[1] && !*stop && isfinite(s->value) &&
		 (param == RETIME_TTFT ? s->value >= 0 : s->value > 0);
	if (!ok)
		return hc_err_set(err, HC_EINPUT, "got '%s'; allowed: %s", text, allowed[param]);
	return 0;
}

int retime_route_parse(struct retime_route *r, const char *text, struct hc_err *err)
{
	const char *eq = strrchr(text, '=');
	memset(r, 0, sizeof(*r));
	if (!eq || eq == text || !eq[1] || (size_t)(eq - text) >= sizeof(r->model) ||
	    strlen(eq + 1) >= sizeof(r->fleet))
		return hc_err_set(err, HC_EINPUT, "got '%s'; allowed: MODEL=NAME, NAME a fleet "
				  "of the scenario's fleets[]", text);
	memcpy(r->model, text, (size_t)(eq - text));
	memcpy(r->fleet, eq + 1, strlen(eq + 1));
	return 0;
}

static struct retime *rt_of(struct sim *s)
{
	return (struct retime *)((char *)s - offsetof(struct retime, sim));
}

/* ---- load ---------------------------------------------------------------------------------- */

static int node_of(struct retime *rt, const char *name, size_t *out)
{
	if (strtab_intern(&rt->nodes_tab, name, out))
		return HC_ERUNTIME;
	if (*out < rt->n_nodes)
		return 0;
	struct retime_node *nodes = array_room(rt->nodes, rt->n_nodes, &rt->cap_nodes,
					       sizeof(*nodes));
	if (!nodes)
		return HC_ERUNTIME;
	rt->nodes = nodes;
	struct retime_node *n = &rt->nodes[rt->n_nodes++];
	memset(n, 0, sizeof(*n));
	n->name = *out;
	n->iteration = -1;
	n->session = -1;
	return 0;
}

/*
 * The chain of a node's session (task NULL) or of one of its tasks, added when new. The key
 * joins the names with the unit separator (0x1f): names holding it could share a key.
 */
static int chain_of(struct retime *rt, const char *node, const char *domain, const char *task,
		    size_t *out)
{
	char key[3 * TRACE_STR_MAX + 8];
	if (task)
		snprintf(key, sizeof(key), "t\x1f%s\x1f%s\x1f%s", node, domain, task);
	else
		snprintf(key, sizeof(key), "s\x1f%s", node);
	if (strtab_intern(&rt->keys, key, out))
		return HC_ERUNTIME;
	if (*out < rt->n_chains)
		return 0;
	struct retime_chain *chains = array_room(rt->chains, rt->n_chains, &rt->cap_chains,
					   sizeof(*chains));
	if (!chains)
		return HC_ERUNTIME;
	rt->chains = chains;
	struct retime_chain *ch = &rt->chains[rt->n_chains];
	memset(ch, 0, sizeof(*ch));
	ch->is_task = task != NULL;
	ch->rec_start = ch->rec_end = ch->sandbox = NAN;
	if (node_of(rt, node, &ch->node) ||
	    strtab_intern(&rt->names, task ? domain : "", &ch->domain) ||
	    strtab_intern(&rt->names, task ? task : "", &ch->task))
		return HC_ERUNTIME;
	rt->n_chains++;
	return 0;
}

static int load_call(struct retime *rt, const struct trace_llm_call *c, long line,
		     struct hc_err *err)
{
	if (isnan(c->start_time))
		return hc_err_set(err, HC_EINPUT, "start_time: missing; allowed: re-timing needs "
				  "the start_time of every llm_call");
	int session = !strcmp(c->role, "self_modify");
	const struct price *p = rt->conf.ps ? price_sheet_find(rt->conf.ps, c->model) : NULL;
	size_t chain, model;
	struct retime_call *calls = array_room(rt->calls, rt->n_calls, &rt->cap_calls,
					       sizeof(*calls));
	if (calls)
		rt->calls = calls;
	if (!calls || chain_of(rt, c->node, c->domain, session ? NULL : c->task, &chain) ||
	    strtab_intern(&rt->models, p ? p->name : c->model, &model))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	struct retime_node *node = &rt->nodes[rt->chains[chain].node];
	if (!node->iteration_from_add && c->iteration > node->iteration)
		node->iteration = c->iteration;
	struct retime_call *rc = &rt->calls[rt->n_calls++];
	memset(rc, 0, sizeof(*rc));
	rc->start = c->start_time;
	rc->end = c->end_time;
	rc->has_end = !isnan(c->end_time);
	rc->has_usage = c->has_usage;
	rc->flags = (c->batch ? PRICE_BATCH : 0) | price_service_tier(c->service_tier);
	rc->usage = c->usage;
	rc->model = model;
	rc->chain = chain;
	rc->line = line;
	return 0;
}

static double min_known(double a, double b)
{
	return isnan(a) || b < a ? b : a;
}

static double max_known(double a, double b)
{
	return isnan(a) || b > a ? b : a;
}

static int load_task(struct retime *rt, const struct trace_eval_task *t, struct hc_err *err)
{
	size_t chain;
	if (chain_of(rt, t->node, t->domain, t->task, &chain))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	struct retime_chain *ch = &rt->chains[chain];
	/* a task recorded twice (a re-run) holds its slot over both spans */
	if (!isnan(t->start_time) && !isnan(t->end_time)) {
		ch->rec_start = min_known(ch->rec_start, t->start_time);
		ch->rec_end = max_known(ch->rec_end, t->end_time);
	}
	if (!isnan(t->sandbox_seconds))
		ch->sandbox = (isnan(ch->sandbox) ? 0 : ch->sandbox) + t->sandbox_seconds;
	return 0;
}

static int load_add(struct retime *rt, const struct trace_archive_add *a, struct hc_err *err)
{
	size_t id;
	if (node_of(rt, a->node, &id))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (a->iteration >= 0) {
		rt->nodes[id].iteration = a->iteration;
		rt->nodes[id].iteration_from_add = 1;
	}
	return 0;
}

static int load(struct retime *rt, const char *path, int skip_bad, struct hc_err *err)
{
	struct trace_reader r;
	struct trace_record rec;
	int rc = trace_reader_open(&r, path, skip_bad, err);
	while (!rc && (rc = trace_reader_next(&r, &rec, err)) == 1) {
		rc = rec.kind == TRACE_LLM_CALL	 ? load_call(rt, &rec.u.call, r.line, err) :
		     rec.kind == TRACE_EVAL_TASK ? load_task(rt, &rec.u.task, err) :
						   load_add(rt, &rec.u.add, err);
		if (rc == HC_EINPUT)
			hc_err_prefix(err, "%s:%ld", r.path, r.line);
	}
	trace_reader_close(&r);
	return rc;
}

/* ---- build --------------------------------------------------------------------------------- */

static int call_cmp(const void *a, const void *b)
{
	const struct retime_call *x = a, *y = b;
	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Moves every time to seconds from the earliest one, which becomes the origin. */
static void to_offsets(struct retime *rt)
{
	double origin = NAN;
	for (size_t i = 0; i < rt->n_calls; i++)
		origin = min_known(origin, rt->calls[i].start);
	for (size_t i = 0; i < rt->n_chains; i++)
		if (!isnan(rt->chains[i].rec_start))
			origin = min_known(origin, rt->chains[i].rec_start);
	rt->origin = isnan(origin) ? 0 : origin;
	for (size_t i = 0; i < rt->n_calls; i++) {
		rt->calls[i].start -= rt->origin;
		rt->calls[i].end -= rt->origin;
	}
	for (size_t i = 0; i < rt->n_chains; i++) {
		rt->chains[i].rec_start -= rt->origin;
		rt->chains[i].rec_end -= rt->origin;
	}
}

/*
 * A chain's recorded span from its calls: a task's recorded span is widened to hold its
 * calls; a task without one runs from its first call's start to its last call's end (or
 * start) plus its test run, a lower bound.
 */
static void chain_span(struct retime *rt, struct retime_chain *ch)
{
	if (!ch->n) {
		rt->untimed_tasks += isnan(ch->rec_start);
		return;
	}
	const struct retime_call *c = &rt->calls[ch->first];
	double first = c[0].start, last = first;
	for (size_t i = 0; i < ch->n; i++)
		last = max_known(last, c[i].has_end ? c[i].end : c[i].start);
	if (!isnan(ch->rec_start)) {
		ch->rec_start = min_known(ch->rec_start, first);
		ch->rec_end = max_known(ch->rec_end, last);
		return;
	}
	ch->rec_start = first;
	ch->rec_end = last;
	if (ch->is_task) {
		rt->untimed_tasks++;
		ch->rec_end += isnan(ch->sandbox) ? 0 : ch->sandbox;
	}
}

/*
 * What stays of a chain's recorded timing: the lead before its first call, each call's
 * duration and the gap after it up to the next call (or the chain's end). A call without an
 * end time has no gap: its duration is the whole block up to the next start.
 */
static void chain_steps(struct retime *rt, struct retime_chain *ch)
{
	struct retime_call *c = &rt->calls[ch->first];
	if (!ch->n) {
		ch->lead = ch->rec_end - ch->rec_start;
		return;
	}
	ch->lead = c[0].start > ch->rec_start ? c[0].start - ch->rec_start : 0;
	for (size_t i = 0; i < ch->n; i++) {
		double next = i + 1 < ch->n ? c[i + 1].start : ch->rec_end;
		if (c[i].has_end) {
			c[i].dur = c[i].end - c[i].start;
			c[i].gap = next - c[i].end;
			if (c[i].gap < 0) {
				rt->overlapping_calls++;
				c[i].gap = 0;
			}
		} else {
			c[i].dur = next > c[i].start ? next - c[i].start : 0;
			c[i].gap = 0;
			rt->calls_without_end++;
		}
		rt->calls_kept_recorded += rt->conf.latency == RETIME_LATENCY_MODEL &&
					   !c[i].has_usage;
	}
}

/* What orders the tasks: node, domain, recorded start (unknown last), first appearance. */
struct task_key {
	size_t node, domain;
	double start;
	size_t chain;
};

static int task_cmp(const void *a, const void *b)
{
	const struct task_key *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (isnan(x->start) != isnan(y->start))
		return isnan(x->start) ? 1 : -1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->chain < y->chain ? -1 : 1;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * The recorded concurrency of an evaluation (the most task spans open at once, an end
 * counted before a start at the same instant) and its recorded idle time: worker-seconds
 * that stood idle at that concurrency while tasks of the evaluation had not yet started, had
 * they all been queued at its first start. A pool that queues all tasks at once (DGM's
 * thread pool) leaves none idle; a trace that misses tasks which ran beside the recorded
 * ones shows idle time. O(n log n) in the evaluation's tasks.
 */
static void eval_recorded(struct retime *rt, struct retime_eval *ev, double *s, double *e)
{
	size_t n = ev->n, i = 0, j = 0;
	long running = 0, peak = 1;
	for (size_t k = 0; k < n; k++) {
		s[k] = rt->chains[rt->task_order[ev->first + k]].rec_start;
		e[k] = rt->chains[rt->task_order[ev->first + k]].rec_end;
	}
	qsort(s, n, sizeof(*s), dbl_cmp);
	qsort(e, n, sizeof(*e), dbl_cmp);
	while (i < n) {
		if (j < n && e[j] <= s[i]) {
			running--;
			j++;
			continue;
		}
		running++;
		i++;
		if (running > peak)
			peak = running;
	}
	ev->peak = (unsigned)peak;
	double t = s[0], idle = 0;
	running = 0;
	for (i = j = 0; i < n;) {
		for (; j < n && e[j] <= t; j++)
			running--;
		for (; i < n && s[i] <= t; i++)
			running++;
		if (i == n)
			break;
		double next = j < n && e[j] < s[i] ? e[j] : s[i];
		long free = peak - running, waiting = (long)(n - i);
		if (free > 0)
			idle += (double)(free < waiting ? free : waiting) * (next - t);
		t = next;
	}
	rt->recorded_idle_worker_seconds += idle;
}

static int build_evals(struct retime *rt)
{
	size_t n_tasks = 0;
	for (size_t i = 0; i < rt->n_chains; i++)
		n_tasks += rt->chains[i].is_task;
	rt->tasks = n_tasks;
	rt->task_order = malloc((n_tasks ? n_tasks : 1) * sizeof(*rt->task_order));
	rt->evals = malloc((n_tasks ? n_tasks : 1) * sizeof(*rt->evals));
	if (!rt->task_order || !rt->evals)
		return HC_ERUNTIME;
	struct task_key *keys = malloc((n_tasks ? n_tasks : 1) * sizeof(*keys));
	if (!keys)
		return HC_ERUNTIME;
	n_tasks = 0;
	for (size_t i = 0; i < rt->n_chains; i++) {
		const struct retime_chain *ch = &rt->chains[i];
		if (ch->is_task)
			keys[n_tasks++] =
				(struct task_key){ ch->node, ch->domain, ch->rec_start, i };
	}
	qsort(keys, n_tasks, sizeof(*keys), task_cmp);
	for (size_t k = 0; k < n_tasks; k++)
		rt->task_order[k] = keys[k].chain;
	free(keys);
	for (size_t k = 0; k < n_tasks; k++) {
		struct retime_chain *ch = &rt->chains[rt->task_order[k]];
		struct retime_eval *ev = rt->n_evals ? &rt->evals[rt->n_evals - 1] : NULL;
		if (!ev || ev->node != ch->node ||
		    rt->chains[rt->task_order[ev->first]].domain != ch->domain) {
			ev = &rt->evals[rt->n_evals++];
			memset(ev, 0, sizeof(*ev));
			ev->node = ch->node;
			ev->first = k;
			struct retime_node *node = &rt->nodes[ch->node];
			if (!node->n_evals)
				node->first_eval = rt->n_evals - 1;
			node->n_evals++;
		}
		ch->eval = (size_t)(ev - rt->evals);
		ev->n++;
		rt->nodes[ch->node].n_tasks++;
	}
	return 0;
}

/* A node's task k < n_tasks: its tasks are together in task_order, sorted by node first. */
static struct retime_chain *node_task(const struct retime *rt, const struct retime_node *node,
				      size_t k)
{
	return &rt->chains[rt->task_order[rt->evals[node->first_eval].first + k]];
}

/*
 * A node's recorded evaluation span, its session's tail and its first and last activity. A
 * task with neither times nor calls is placed at the evaluation's start.
 */
static void node_spans(struct retime *rt, struct retime_node *node)
{
	struct retime_chain *session = node->session >= 0 ? &rt->chains[node->session] : NULL;
	node->rec_eval_start = node->rec_eval_end = NAN;
	for (size_t k = 0; k < node->n_tasks; k++)
		if (!isnan(node_task(rt, node, k)->rec_start))
			node->rec_eval_start = min_known(node->rec_eval_start,
							 node_task(rt, node, k)->rec_start);
	if (node->n_tasks && isnan(node->rec_eval_start))
		node->rec_eval_start = session ? session->rec_end : 0;
	for (size_t k = 0; k < node->n_tasks; k++) {
		struct retime_chain *ch = node_task(rt, node, k);
		if (isnan(ch->rec_start)) {
			ch->rec_start = node->rec_eval_start;
			ch->rec_end = ch->rec_start + (isnan(ch->sandbox) ? 0 : ch->sandbox);
		}
		node->rec_eval_end = max_known(node->rec_eval_end, ch->rec_end);
	}
	/* the session's last call runs on to the evaluation: the compile check and the like */
	if (session && node->n_tasks && node->rec_eval_start > session->rec_end)
		session->rec_end = node->rec_eval_start;
	node->rec_first = session ? min_known(node->rec_eval_start, session->rec_start) :
				    node->rec_eval_start;
	node->rec_end = session ? max_known(node->rec_eval_end, session->rec_end) :
				  node->rec_eval_end;
	if (node->n_tasks)
		rt->recorded_eval += node->rec_eval_end - node->rec_eval_start;
}

/* What orders the nodes: iteration (unknown counts as 0), recorded first activity, name. */
struct node_key {
	long iteration;
	double first;
	const char *name;
	size_t node;
};

static int node_cmp(const void *a, const void *b)
{
	const struct node_key *x = a, *y = b;
	if (x->iteration != y->iteration)
		return x->iteration < y->iteration ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return strcmp(x->name, y->name);
}

static long node_iteration(const struct retime_node *n)
{
	return n->iteration > 0 ? n->iteration : 0;
}

/*
 * Each node's lead, from the recorded start of its iteration (the end of the previous one's
 * last node; for the first, its first activity) to its own first activity; then the groups:
 * the recorded iterations, or with conf.children the iteration-0 nodes (the initial
 * evaluation) and then the other nodes in batches of that many.
 */
static int build_groups(struct retime *rt, size_t n)
{
	double it_start = NAN, prev_end = NAN, it_end = NAN;
	long it = -1;
	rt->group_first = malloc((n + 1) * sizeof(*rt->group_first));
	if (!rt->group_first)
		return HC_ERUNTIME;
	for (size_t k = 0; k < n; k++) {
		struct retime_node *node = &rt->nodes[rt->node_order[k]];
		if (k == 0 || node_iteration(node) != it) {
			if (k)
				prev_end = it_end;
			it = node_iteration(node);
			it_start = k ? prev_end : node->rec_first;
			it_end = NAN;
			if (!rt->conf.children)
				rt->group_first[rt->n_groups++] = k;
		}
		if (k == 0)
			rt->first_start = it_start;
		node->lead = node->rec_first > it_start ? node->rec_first - it_start : 0;
		it_end = max_known(it_end, node->rec_end);
		rt->recorded_wall = max_known(rt->recorded_wall, node->rec_end);
	}
	if (rt->conf.children) {
		size_t k = 0;
		if (node_iteration(&rt->nodes[rt->node_order[0]]) == 0) {
			rt->group_first[rt->n_groups++] = 0;
			while (k < n && node_iteration(&rt->nodes[rt->node_order[k]]) == 0)
				k++;
		}
		for (; k < n; k += rt->conf.children)
			rt->group_first[rt->n_groups++] = k;
	}
	rt->group_first[rt->n_groups] = n;
	rt->n_active = n;
	for (size_t g = 0; g < rt->n_groups; g++) {
		size_t size = rt->group_first[g + 1] - rt->group_first[g];
		if (size > rt->max_children)
			rt->max_children = size;
		for (size_t k = rt->group_first[g]; k < rt->group_first[g + 1]; k++)
			rt->nodes[rt->node_order[k]].group = g;
	}
	return 0;
}

/* node_order: the nodes with a session or tasks, in run order; their number in *n. */
static int order_nodes(struct retime *rt, size_t *n)
{
	struct node_key *keys = malloc((rt->n_nodes ? rt->n_nodes : 1) * sizeof(*keys));
	rt->node_order = malloc((rt->n_nodes ? rt->n_nodes : 1) * sizeof(*rt->node_order));
	if (!keys || !rt->node_order) {
		free(keys);
		return HC_ERUNTIME;
	}
	*n = 0;
	for (size_t i = 0; i < rt->n_nodes; i++) {
		const struct retime_node *node = &rt->nodes[i];
		if (node->session >= 0 || node->n_tasks)
			keys[(*n)++] = (struct node_key){ node_iteration(node), node->rec_first,
							  strtab_str(&rt->nodes_tab, node->name),
							  i };
	}
	qsort(keys, *n, sizeof(*keys), node_cmp);
	for (size_t k = 0; k < *n; k++)
		rt->node_order[k] = keys[k].node;
	free(keys);
	return 0;
}

static int build_rows(struct retime *rt, size_t n_nodes)
{
	rt->rows = malloc((rt->n_chains ? rt->n_chains : 1) * sizeof(*rt->rows));
	if (!rt->rows)
		return HC_ERUNTIME;
	for (size_t k = 0; k < n_nodes; k++) {
		const struct retime_node *node = &rt->nodes[rt->node_order[k]];
		if (node->session >= 0)
			rt->rows[rt->n_rows++] = (size_t)node->session;
		for (size_t t = 0; t < node->n_tasks; t++)
			rt->rows[rt->n_rows++] = (size_t)(node_task(rt, node, t) - rt->chains);
	}
	return 0;
}

/* The endpoint a setting names: through the price sheet's names and aliases, else as is. */
static long endpoint_find(const struct retime *rt, const char *name)
{
	const struct price *p = rt->conf.ps ? price_sheet_find(rt->conf.ps, name) : NULL;
	long id = p ? strtab_find(&rt->models, p->name) : -1;
	return id >= 0 ? id : strtab_find(&rt->models, name);
}

/* "'a', 'b', 'c'": the trace's models, for messages. */
static void model_list(const struct retime *rt, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < rt->models.n && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "",
					strtab_str(&rt->models, i));
}

/* "'a', 'b'": the fleets of the scenario routes draw on, for messages. */
static void fleet_list(const struct scenario *sc, char *buf, size_t size)
{
	size_t len = 0;
	snprintf(buf, size, "none");
	for (size_t i = 0; sc && i < sc->n_fleets && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "",
					sc->fleets[i].name);
}

/* The run's fleet of that name, added when new; -1 (err set) when the scenario lacks it. */
static long fleet_of(struct retime *rt, const char *name, struct hc_err *err)
{
	const struct scenario *sc = rt->conf.fleets_from;
	char fleets[512];
	for (size_t f = 0; f < rt->n_fleets; f++)
		if (!strcmp(rt->fleets[f].name, name))
			return (long)f;
	for (size_t i = 0; sc && i < sc->n_fleets; i++) {
		if (strcmp(sc->fleets[i].name, name))
			continue;
		struct retime_fleet *fl = &rt->fleets[rt->n_fleets];
		fl->name = sc->fleets[i].name;
		fl->lf.spec = &sc->fleets[i];
		return (long)rt->n_fleets++;
	}
	fleet_list(sc, fleets, sizeof(fleets));
	hc_err_set(err, HC_EINPUT, "--fleet: fleet '%s' is not in '%s'; allowed: one of its "
		   "fleets[]: %s", name, sc ? sc->origin : "the scenario", fleets);
	return -1;
}

static int build_routes(struct retime *rt, const char *models, struct hc_err *err)
{
	rt->fleets = calloc(rt->conf.n_routes ? rt->conf.n_routes : 1, sizeof(*rt->fleets));
	if (!rt->fleets)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t k = 0; k < rt->conf.n_routes; k++) {
		const struct retime_route *r = &rt->conf.routes[k];
		long id = endpoint_find(rt, r->model);
		if (id < 0)
			return hc_err_set(err, HC_EINPUT, "--fleet: model '%s' is not in the trace; "
					  "allowed: one of its models: %s", r->model, models);
		long f = fleet_of(rt, r->fleet, err);
		if (f < 0)
			return HC_EINPUT;
		rt->endpoints[id].fleet = (int)f;
	}
	return 0;
}

static int apply_setting(struct retime *rt, const struct retime_setting *st, const char *models,
			 struct hc_err *err)
{
	long id = endpoint_find(rt, st->model);
	if (id < 0)
		return hc_err_set(err, HC_EINPUT, "--%s: model '%s' is not in the trace; allowed: "
				  "one of its models: %s", param_names[st->param], st->model,
				  models);
	if (rt->endpoints[id].fleet >= 0)
		return hc_err_set(err, HC_EINPUT, "--%s: model '%s' is served by the fleet '%s' "
				  "(--fleet), which has no rate limits and runs at its replicas' "
				  "speed; allowed: a model on an API", param_names[st->param],
				  st->model, rt->fleets[rt->endpoints[id].fleet].name);
	struct endpoint *e = &rt->endpoints[id].e;
	double *field[RETIME_PARAM_COUNT] = {
		&e->requests_per_minute, &e->tokens_per_minute, &e->ttft_seconds,
		&e->decode_tokens_per_second,
	};
	*field[st->param] = st->value;
	return 0;
}

static int build_endpoints(struct retime *rt, struct hc_err *err)
{
	char models[512];
	rt->n_endpoints = rt->models.n;
	rt->endpoints = calloc(rt->n_endpoints ? rt->n_endpoints : 1, sizeof(*rt->endpoints));
	if (!rt->endpoints)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; i < rt->n_endpoints; i++) {
		struct retime_endpoint *ep = &rt->endpoints[i];
		ep->model = strtab_str(&rt->models, i);
		snprintf(ep->e.name, sizeof(ep->e.name), "%s", ep->model);
		ep->e.ttft_seconds = ep->e.decode_tokens_per_second = NAN;
		ep->fleet = -1;
		welford_init(&ep->wait);
	}
	model_list(rt, models, sizeof(models));
	if (build_routes(rt, models, err))
		return err ? err->code : HC_EINPUT;
	for (size_t k = 0; k < rt->conf.n_settings; k++)
		if (apply_setting(rt, &rt->conf.settings[k], models, err))
			return err ? err->code : HC_EINPUT;
	for (size_t i = 0; i < rt->n_endpoints; i++) {
		struct retime_endpoint *ep = &rt->endpoints[i];
		if (rt->conf.latency == RETIME_LATENCY_MODEL && ep->fleet < 0 &&
		    (isnan(ep->e.ttft_seconds) || isnan(ep->e.decode_tokens_per_second)))
			return hc_err_set(err, HC_EINPUT, "--latency model: model '%s' has no %s; "
					  "allowed: --ttft MODEL=S and --decode MODEL=N for every "
					  "model of the trace on an API (%s)", ep->model,
					  isnan(ep->e.ttft_seconds) ? "--ttft" : "--decode",
					  models);
		endpoint_limits_init(&ep->limits, &ep->e);
	}
	return 0;
}

/*
 * Each fleet's calls: how many, their API cost, and the mean call with usage, which sizes the
 * replica (docs/replay.md, "Re-timing onto a fleet"); then its batch slots.
 */
static int size_fleets(struct retime *rt, const struct gpu_sheet *gs,
		       const struct serving_sheet *ss, struct hc_err *err)
{
	for (size_t f = 0; f < rt->n_fleets; f++) {
		struct retime_fleet *fl = &rt->fleets[f];
		double n = 0, input = 0, cached = 0, output = 0;
		for (size_t i = 0; i < rt->n_calls; i++) {
			const struct retime_call *c = &rt->calls[i];
			const struct retime_endpoint *ep = &rt->endpoints[c->model];
			if (ep->fleet != (int)f)
				continue;
			fl->result.calls++;
			fl->calls_without_usage += !c->has_usage;
			const struct price *p = rt->conf.ps ? price_sheet_find(rt->conf.ps, ep->model)
							    : NULL;
			unsigned flags = c->flags;
			double cost = p && c->has_usage ? price_call_cost(p, &c->usage, flags) : NAN;
			if (isnan(cost))
				fl->unpriced++;
			else
				fl->api_cost_usd += cost;
			if (!c->has_usage)
				continue;
			n++;
			input += (double)c->usage.input;
			cached += (double)c->usage.cache_read;
			output += (double)c->usage.output;
		}
		const struct scenario *sc = rt->conf.fleets_from;
		char where[sizeof(sc->origin) + 64];
		snprintf(where, sizeof(where), "--fleet: %s: fleets[%d]", sc->origin,
			 (int)(fl->lf.spec - sc->fleets));
		n = n ? n : 1;
		if (fleet_size(&fl->lf, fl->lf.spec, where, input / n, cached / n, output / n, gs,
			       ss, err))
			return HC_EINPUT;
		if (pool_init(&fl->slots, &rt->sim, fl->lf.slots))
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		rt->n_fleet_pools++;
	}
	return 0;
}

static int build_fleets(struct retime *rt, struct hc_err *err)
{
	struct gpu_sheet gs;
	struct serving_sheet ss;
	if (!rt->n_fleets)
		return 0;
	if (fleet_sheets_load(&gs, &ss, err))
		return HC_ERUNTIME;
	int rc = size_fleets(rt, &gs, &ss, err);
	fleet_sheets_release(&gs, &ss);
	return rc;
}

static int build_pools(struct retime *rt)
{
	for (size_t e = 0; e < rt->n_evals; e++) {
		struct retime_eval *ev = &rt->evals[e];
		ev->servers = rt->conf.eval_workers ? rt->conf.eval_workers : ev->peak;
		if (pool_init(&ev->pool, &rt->sim, ev->servers))
			return HC_ERUNTIME;
		rt->n_pools++;
		if (!rt->workers_min || ev->servers < rt->workers_min)
			rt->workers_min = ev->servers;
		if (ev->servers > rt->workers_max)
			rt->workers_max = ev->servers;
	}
	return 0;
}

static int build(struct retime *rt, const char *path, struct hc_err *err)
{
	size_t n_nodes = 0, max_n = 0;
	to_offsets(rt);
	if (rt->n_calls) /* calls is NULL in a trace without any, and qsort's must not be */
		qsort(rt->calls, rt->n_calls, sizeof(*rt->calls), call_cmp);
	for (size_t i = 0; i < rt->n_calls; i++) {
		struct retime_chain *ch = &rt->chains[rt->calls[i].chain];
		if (!ch->n)
			ch->first = i;
		ch->n++;
	}
	for (size_t i = 0; i < rt->n_chains; i++) {
		chain_span(rt, &rt->chains[i]);
		if (!rt->chains[i].is_task)
			rt->nodes[rt->chains[i].node].session = (long)i;
	}
	if (build_evals(rt))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; i < rt->n_nodes; i++)
		node_spans(rt, &rt->nodes[i]);
	for (size_t i = 0; i < rt->n_chains; i++)
		chain_steps(rt, &rt->chains[i]);
	for (size_t e = 0; e < rt->n_evals; e++)
		if (rt->evals[e].n > max_n)
			max_n = rt->evals[e].n;
	double *s = malloc((max_n ? max_n : 1) * sizeof(*s));
	double *t = malloc((max_n ? max_n : 1) * sizeof(*t));
	if (!s || !t) {
		free(s);
		free(t);
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	for (size_t e = 0; e < rt->n_evals; e++)
		eval_recorded(rt, &rt->evals[e], s, t);
	free(s);
	free(t);
	if (order_nodes(rt, &n_nodes))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (!n_nodes)
		return hc_err_set(err, HC_EINPUT, "%s: no llm_call or eval_task records; allowed: "
				  "a trace with something to re-time", path);
	if (build_groups(rt, n_nodes) || build_rows(rt, n_nodes))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	if (build_endpoints(rt, err) || build_fleets(rt, err))
		return err ? err->code : HC_EINPUT;
	if (build_pools(rt))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	return 0;
}

/* ---- run ----------------------------------------------------------------------------------- */

static int modelled(const struct retime *rt, const struct retime_call *c)
{
	return rt->conf.latency == RETIME_LATENCY_MODEL && c->has_usage;
}

static void group_start(struct retime *rt);
static void eval_begin(struct retime *rt, struct retime_node *node);
static void call_request(struct sim *s, void *arg);

static void node_done(struct retime *rt)
{
	if (--rt->group_pending)
		return;
	if (++rt->group < rt->n_groups)
		group_start(rt);
}

static void eval_done(struct retime *rt, struct retime_eval *ev)
{
	struct retime_node *node = &rt->nodes[ev->node];
	ev->end = rt->sim.now;
	rt->worker_capacity_seconds += ev->servers * (ev->end - node->eval_start);
	if (--node->pending)
		return;
	rt->eval += rt->sim.now - node->eval_start;
	node_done(rt);
}

static void chain_done(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_chain *ch = arg;
	ch->end = s->now;
	if (!ch->is_task) {
		eval_begin(rt, &rt->nodes[ch->node]);
		return;
	}
	struct retime_eval *ev = &rt->evals[ch->eval];
	rt->task_busy_seconds += ch->end - ch->start;
	pool_done(&ev->pool);
	if (--ev->pending == 0)
		eval_done(rt, ev);
}

static void chain_begin(struct retime *rt, struct retime_chain *ch)
{
	ch->start = rt->sim.now;
	if (ch->n)
		sim_after(&rt->sim, ch->lead, call_request, &rt->calls[ch->first]);
	else
		sim_after(&rt->sim, ch->lead, chain_done, ch);
}

/*
 * The next call of the chain after this one's gap. A call without an end time has one
 * recorded block for itself and the tool time after it: when it ran for another time
 * (modelled latency, a fleet), the tool time is what that leaves of the block (none when it
 * overruns it).
 */
static void call_done(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_call *c = arg;
	struct retime_chain *ch = &rt->chains[c->chain];
	double gap = c->gap;
	if (!c->has_end)
		gap = c->dur > c->ran ? c->dur - c->ran : 0;
	if (c + 1 < rt->calls + ch->first + ch->n)
		sim_after(s, gap, call_request, c + 1);
	else
		sim_after(s, gap, chain_done, ch);
}

/* The call starts now, after waiting since its request, and lasts c->ran. */
static void call_start(struct retime_endpoint *ep, struct retime_call *c, double now)
{
	welford_add(&ep->wait, now - c->requested);
	ep->delayed += now > c->requested;
	ep->calls++;
	ep->busy_seconds += c->ran;
	ep->tokens += c->has_usage ? (double)usage_total(&c->usage) : 0;
}

static void fleet_call_end(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_call *c = arg;
	pool_done(&rt->fleets[rt->endpoints[c->model].fleet].slots);
	call_done(s, c);
}

/*
 * A slot of the fleet is the call's: it holds it for the fleet's overhead plus its slot time
 * (fleet_call_seconds) when it has usage, else for its recorded duration.
 */
static void fleet_call_start(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_call *c = arg;
	struct retime_endpoint *ep = &rt->endpoints[c->model];
	const struct fleet *fl = &rt->fleets[ep->fleet].lf;
	c->ran = c->has_usage ? fleet_call_seconds(fl, &c->usage) : c->dur;
	call_start(ep, c, s->now);
	sim_after(s, c->ran, fleet_call_end, c);
}

static void call_request(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_call *c = arg;
	struct retime_endpoint *ep = &rt->endpoints[c->model];
	c->requested = s->now;
	if (ep->fleet >= 0) {
		pool_request(&rt->fleets[ep->fleet].slots, fleet_call_start, c);
		return;
	}
	double tokens = c->has_usage ? (double)usage_total(&c->usage) : 0;
	double start = endpoint_limits_admit(&ep->limits, s->now, tokens);
	c->ran = modelled(rt, c) ? endpoint_latency(&ep->e, &c->usage) : c->dur;
	call_start(ep, c, start);
	sim_at(s, start + c->ran, call_done, c);
}

static void task_begin(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_chain *ch = arg;
	welford_add(&rt->task_wait, s->now - ch->release);
	chain_begin(rt, ch);
}

static void task_release(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_chain *ch = arg;
	ch->release = s->now;
	pool_request(&rt->evals[ch->eval].pool, task_begin, ch);
}

/* Every task of the node asks its domain's pool for a worker: now, or at its recorded offset. */
static void eval_begin(struct retime *rt, struct retime_node *node)
{
	node->eval_start = rt->sim.now;
	node->pending = node->n_evals;
	if (!node->n_evals) {
		node_done(rt);
		return;
	}
	for (size_t e = node->first_eval; e < node->first_eval + node->n_evals; e++) {
		struct retime_eval *ev = &rt->evals[e];
		ev->pending = ev->n;
		for (size_t k = 0; k < ev->n; k++) {
			struct retime_chain *ch = &rt->chains[rt->task_order[ev->first + k]];
			if (rt->conf.starts == RETIME_STARTS_QUEUED)
				task_release(&rt->sim, ch);
			else
				sim_after(&rt->sim, ch->rec_start - node->rec_eval_start,
					  task_release, ch);
		}
	}
}

static void node_begin(struct sim *s, void *arg)
{
	struct retime *rt = rt_of(s);
	struct retime_node *node = arg;
	if (node->session >= 0)
		chain_begin(rt, &rt->chains[node->session]);
	else
		eval_begin(rt, node);
}

static void group_start(struct retime *rt)
{
	size_t first = rt->group_first[rt->group], end = rt->group_first[rt->group + 1];
	rt->group_pending = end - first;
	for (size_t k = first; k < end; k++) {
		struct retime_node *node = &rt->nodes[rt->node_order[k]];
		sim_after(&rt->sim, node->lead, node_begin, node);
	}
}

static void first_group(struct sim *s, void *arg)
{
	(void)arg;
	group_start(rt_of(s));
}

int retime_run(struct retime *rt, const char *path, int skip_bad,
	       const struct retime_conf *conf, struct hc_err *err)
{
	memset(rt, 0, sizeof(*rt));
	rt->conf = *conf;
	rt->recorded_wall = NAN;
	welford_init(&rt->task_wait);
	sim_init(&rt->sim);
	int rc = load(rt, path, skip_bad, err);
	if (!rc)
		rc = build(rt, path, err);
	if (!rc) {
		sim_at(&rt->sim, rt->first_start, first_group, NULL);
		if (sim_run(&rt->sim, INFINITY, 0))
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory re-timing '%s'", path);
	}
	if (rc) {
		retime_release(rt);
		return rc;
	}
	rt->wall = rt->sim.now;
	for (size_t f = 0; f < rt->n_fleets; f++) {
		struct retime_fleet *fl = &rt->fleets[f];
		struct fleet_result *r = &fl->result;
		r->gpu_hours = (double)fl->lf.spec->replicas * fl->lf.replica.gpus * rt->wall / 3600;
		r->cost_usd = r->gpu_hours * fl->lf.gpu_hour_usd;
		r->utilisation = pool_utilisation(&fl->slots);
		r->wait_seconds = fl->slots.wait.n ? fl->slots.wait.mean : 0;
	}
	return 0;
}

void retime_release(struct retime *rt)
{
	for (size_t e = 0; e < rt->n_pools; e++)
		pool_release(&rt->evals[e].pool);
	for (size_t f = 0; f < rt->n_fleet_pools; f++)
		pool_release(&rt->fleets[f].slots);
	free(rt->fleets);
	free(rt->calls);
	free(rt->chains);
	free(rt->nodes);
	free(rt->evals);
	free(rt->task_order);
	free(rt->node_order);
	free(rt->group_first);
	free(rt->rows);
	free(rt->endpoints);
	strtab_release(&rt->nodes_tab);
	strtab_release(&rt->names);
	strtab_release(&rt->keys);
	strtab_release(&rt->models);
	sim_release(&rt->sim);
	memset(rt, 0, sizeof(*rt));
}

void retime_row(const struct retime *rt, size_t i, struct retime_row *row)
{
	const struct retime_chain *ch = &rt->chains[rt->rows[i]];
	const struct retime_node *node = &rt->nodes[ch->node];
	row->kind = ch->is_task ? "task" : "session";
	row->node = strtab_str(&rt->nodes_tab, node->name);
	row->domain = strtab_str(&rt->names, ch->domain);
	row->task = strtab_str(&rt->names, ch->task);
	row->iteration = node->iteration;
	row->group = node->group;
	row->calls = ch->n;
	row->workers = ch->is_task ? rt->evals[ch->eval].servers : 0;
	row->recorded_start = ch->rec_start;
	row->recorded_end = ch->rec_end;
	row->start = ch->start;
	row->end = ch->end;
	row->wait = ch->is_task ? ch->start - ch->release : 0;
}
