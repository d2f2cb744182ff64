/*
 * fitconc: evaluation concurrency inferred from the task spans of a trace (docs/fit.md,
 * "Evaluation concurrency").
 *
 * A task's span is [earliest start, latest end] of its eval_task record and its evaluation
 * calls, grouped by (domain, node, task). Per node of a domain: the peak (the most spans
 * open at once, an end counted FITCONC_TOLERANCE_SECONDS early so that a hand-off is not an
 * overlap), the burst (the spans that start within that tolerance of the node's first
 * start) and whether every later start is a hand-off (another span ended within
 * max(FITCONC_TOLERANCE_SECONDS, 5% of the median span) before it). A pool of k workers
 * given all its tasks at once shows burst = peak = k < tasks and only hand-offs: then the
 * pool is k. Otherwise the trace cannot say: all tasks at once (the pool is at least that
 * many), or a start that no end frees or more at once later than at first (a subset of a
 * run's tasks, or tasks not submitted together).
 */
#ifndef FIT_FITCONC_H
#define FIT_FITCONC_H

#include <stddef.h>
#include "base/strtab.h"

#define FITCONC_TOLERANCE_SECONDS 1.0

struct fitconc_span {
	size_t domain, node;    /* node: the (domain, node) pair's id */
	double start, end;
};

struct fitconc {
	struct strtab task_index, node_index;
	struct fitconc_span *spans;
	size_t n_spans, cap_spans;
};

#define FITCONC_INIT { STRTAB_INIT, STRTAB_INIT, NULL, 0, 0 }

enum fitconc_verdict {
	FITCONC_NO_TIMES,       /* no task of the domain has a start and an end */
	FITCONC_POOL,           /* workers: the pool every node's spans show */
	FITCONC_ALL_AT_ONCE,    /* every task of a node started together: at least peak */
	FITCONC_NOT_A_POOL,     /* a node's starts are not a pool's: a subset, or not at once */
};

/* One domain's inference; peak, burst, tasks and node are those of the node with the
 * largest peak (for NOT_A_POOL, of the first node that is not a pool's). */
struct fitconc_result {
	enum fitconc_verdict verdict;
	unsigned workers;       /* FITCONC_POOL: the largest pool of its nodes; else 0 */
	unsigned peak, burst, late_starts, handoffs;
	size_t tasks;           /* spans of that node */
	size_t nodes;           /* nodes of the domain with spans */
};

void fitconc_release(struct fitconc *c);

/* Widens the span of (domain, node, task) by [start, end]; a NAN end is the start, a NAN
 * start is ignored. HC_ERUNTIME when memory runs out. */
int fitconc_add(struct fitconc *c, size_t domain, const char *node, const char *task,
		double start, double end);

/* The inference for domain. HC_ERUNTIME when memory runs out. */
int fitconc_domain(const struct fitconc *c, size_t domain, struct fitconc_result *out);

/* "verdict" names for the report: "no_times", "pool", "all_at_once", "not_a_pool". */
const char *fitconc_verdict_name(enum fitconc_verdict v);

/* The sentence the console and the report give, with the value kept (kept: the base's). */
void fitconc_sentence(const struct fitconc_result *r, unsigned kept, char *buf, size_t size);

#endif
