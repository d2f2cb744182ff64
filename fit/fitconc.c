/* fitconc: evaluation concurrency from task spans. Contracts in fitconc.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "base/hc_err.h"
#include "fit/fitconc.h"
#include "trace/trace.h"

#define KEY_SEP '\x1f'

void fitconc_release(struct fitconc *c)
{
	strtab_release(&c->task_index);
	strtab_release(&c->node_index);
	free(c->spans);
	memset(c, 0, sizeof(*c));
}

int fitconc_add(struct fitconc *c, size_t domain, const char *node, const char *task,
		double start, double end)
{
	char key[2 * TRACE_STR_MAX + 32]; /* the domain's index, the node and the task */
	size_t node_id, id;
	if (isnan(start))
		return 0;
	end = isnan(end) ? start : end;
	snprintf(key, sizeof(key), "%zu%c%s", domain, KEY_SEP, node);
	if (strtab_intern(&c->node_index, key, &node_id))
		return HC_ERUNTIME;
	snprintf(key, sizeof(key), "%zu%c%s%c%s", domain, KEY_SEP, node, KEY_SEP, task);
	struct fitconc_span *s = array_room(c->spans, c->n_spans, &c->cap_spans, sizeof(*s));
	if (!s)
		return HC_ERUNTIME;
	c->spans = s;
	if (strtab_intern(&c->task_index, key, &id))
		return HC_ERUNTIME;
	if (id == c->n_spans) {
		c->spans[c->n_spans++] = (struct fitconc_span){ domain, node_id, start, end };
		return 0;
	}
	c->spans[id].start = fmin(c->spans[id].start, start);
	c->spans[id].end = fmax(c->spans[id].end, end);
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct fitconc_span *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The most spans open at once, each end counted the tolerance early; ends sort first.
 * s sorted by start; ends: scratch of n. */
static unsigned peak_of(const struct fitconc_span *s, size_t n, double *ends)
{
	for (size_t i = 0; i < n; i++)
		ends[i] = s[i].end - FITCONC_TOLERANCE_SECONDS;
	qsort(ends, n, sizeof(*ends), by_value);
	unsigned open = 0, peak = 0;
	size_t e = 0;
	for (size_t i = 0; i < n; i++) {
		while (e < n && ends[e] <= s[i].start) {
			e++;
			open--;
		}
		open++;
		peak = open > peak ? open : peak;
	}
	return peak;
}

/* The median of x[0..n), n > 0; sorts x. */
static double median(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), by_value);
	return (x[(n - 1) / 2] + x[n / 2]) / 2;
}

/* The first index of the sorted x[0..n) whose value is at least v (or above v, when after). */
static size_t bound(const double *x, size_t n, double v, int after)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < v || (after && x[mid] == v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The starts from `from` on that another span's end precedes by at most gap or follows by
 * at most the tolerance: one binary search each in the sorted ends (scratch of n). */
static unsigned count_handoffs(const struct fitconc_span *s, size_t n, size_t from, double gap,
			       double *ends)
{
	unsigned handoffs = 0;
	for (size_t i = 0; i < n; i++)
		ends[i] = s[i].end;
	qsort(ends, n, sizeof(*ends), by_value);
	for (size_t i = from; i < n; i++) {
		double lo = s[i].start - gap, hi = s[i].start + FITCONC_TOLERANCE_SECONDS;
		size_t in_window = bound(ends, n, hi, 1) - bound(ends, n, lo, 0);
		in_window -= s[i].end >= lo && s[i].end <= hi; /* its own end is not a hand-off */
		handoffs += in_window > 0;
	}
	return handoffs;
}

/* One node's spans (sorted here by start) into r; scratch holds n numbers. */
static void judge_node(struct fitconc_span *s, size_t n, double *scratch,
		       struct fitconc_result *r)
{
	qsort(s, n, sizeof(*s), by_start);
	memset(r, 0, sizeof(*r));
	r->tasks = n;
	r->peak = peak_of(s, n, scratch);
	while (r->burst < n && s[r->burst].start <= s[0].start + FITCONC_TOLERANCE_SECONDS)
		r->burst++;
	for (size_t i = 0; i < n; i++)
		scratch[i] = s[i].end - s[i].start;
	double gap = fmax(FITCONC_TOLERANCE_SECONDS, 0.05 * median(scratch, n));
	r->late_starts = (unsigned)(n - r->burst);
	r->handoffs = count_handoffs(s, n, r->burst, gap, scratch);
	if (r->peak > r->burst || r->handoffs < r->late_starts)
		r->verdict = FITCONC_NOT_A_POOL;
	else if (r->burst == n)
		r->verdict = FITCONC_ALL_AT_ONCE;
	else
		r->verdict = FITCONC_POOL;
	r->workers = r->verdict == FITCONC_POOL ? r->peak : 0;
}

/* What decides a domain: a node that is not a pool's, then a pool, then all at once. */
static int rank(enum fitconc_verdict v)
{
	static const int ranks[] = { [FITCONC_NO_TIMES] = 0, [FITCONC_ALL_AT_ONCE] = 1,
				     [FITCONC_POOL] = 2, [FITCONC_NOT_A_POOL] = 3 };
	return ranks[v];
}

/* Folds one node's result into the domain's: the first node of the highest rank, or of
 * that rank the largest peak; the pool is the largest of the nodes'. */
static void fold(struct fitconc_result *d, const struct fitconc_result *node)
{
	size_t nodes = d->nodes + 1;
	unsigned workers = d->workers > node->workers ? d->workers : node->workers;
	int higher = rank(node->verdict) > rank(d->verdict);
	int same = rank(node->verdict) == rank(d->verdict);
	if (higher || (same && node->verdict != FITCONC_NOT_A_POOL && node->peak > d->peak))
		*d = *node;
	d->workers = d->verdict == FITCONC_POOL ? workers : 0;
	d->nodes = nodes;
}

int fitconc_domain(const struct fitconc *c, size_t domain, struct fitconc_result *out)
{
	memset(out, 0, sizeof(*out));
	struct fitconc_span *mine = malloc((c->n_spans + 1) * sizeof(*mine));
	double *ends = malloc((c->n_spans + 1) * sizeof(*ends));
	if (!mine || !ends) {
		free(mine);
		free(ends);
		return HC_ERUNTIME;
	}
	for (size_t node = 0; node < c->node_index.n; node++) {
		size_t n = 0;
		for (size_t i = 0; i < c->n_spans; i++)
			if (c->spans[i].domain == domain && c->spans[i].node == node)
				mine[n++] = c->spans[i];
		if (!n)
			continue;
		struct fitconc_result r;
		judge_node(mine, n, ends, &r);
		fold(out, &r);
	}
	free(mine);
	free(ends);
	return 0;
}

const char *fitconc_verdict_name(enum fitconc_verdict v)
{
	static const char *const names[] = { "no_times", "pool", "all_at_once", "not_a_pool" };
	return names[v];
}

/* Why the starts are not a pool's: more at once later than at first, starts no end frees. */
static void not_a_pool(const struct fitconc_result *r, unsigned kept, char *buf, size_t size)
{
	char later[96] = "", unfreed[96] = "";
	if (r->peak > r->burst)
		snprintf(later, sizeof(later), "%u started together but up to %u ran at once "
			 "later", r->burst, r->peak);
	if (r->handoffs < r->late_starts)
		snprintf(unfreed, sizeof(unfreed), "%u of %u later starts followed no other "
			 "task's end", r->late_starts - r->handoffs, r->late_starts);
	snprintf(buf, size, "cannot infer: %s%s%s, as a subset of a run's tasks shows (fewer "
		 "overlaps than the run had) or tasks not submitted together; at least %u at "
		 "once; kept %u", later, later[0] && unfreed[0] ? ", and " : "", unfreed, r->peak,
		 kept);
}

void fitconc_sentence(const struct fitconc_result *r, unsigned kept, char *buf, size_t size)
{
	switch (r->verdict) {
	case FITCONC_POOL:
		snprintf(buf, size, "%u workers: %u of %zu tasks started together, never more "
			 "ran at once, and each later one started as another ended", r->workers,
			 r->burst, r->tasks);
		break;
	case FITCONC_ALL_AT_ONCE:
		snprintf(buf, size, "cannot infer: all %zu tasks of a node started together, so "
			 "the workers were at least %u; kept %u", r->tasks, r->peak, kept);
		break;
	case FITCONC_NOT_A_POOL:
		not_a_pool(r, kept, buf, size);
		break;
	case FITCONC_NO_TIMES:
	default:
		snprintf(buf, size, "cannot infer: no task has a start and an end time; kept %u",
			 kept);
		break;
	}
}
