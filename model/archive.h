/*
 * archive: the tree of agent variants, with scores, child counts and byte sizes per node, and
 * the three parent-selection rules (docs/model.md, "Parent selection": the HyperAgents paper
 * §A.2, the DGM-H and DGM code).
 */
#ifndef MODEL_ARCHIVE_H
#define MODEL_ARCHIVE_H

#include <stddef.h>
#include "model/scenario.h"
#include "sim/rng.h"

struct node {
	int parent;                 /* -1 for the root */
	unsigned iteration;
	unsigned depth;             /* 0 for the root */
	double score;               /* mean over domains of solved / full_tasks */
	unsigned children;          /* every child made from it */
	unsigned compiled_children; /* those that passed the compile check */
	int valid;                  /* may be chosen as a parent */
	double patch_bytes;
	double bytes;               /* patch + metadata + evaluation artifacts */
	double lineage_patch_bytes; /* patches from the root to this node, its own included */
};

struct archive {
	struct node *nodes;
	size_t n, cap;
	double total_bytes;
	double top[3];              /* the three best scores of valid nodes, -1 for none */
	size_t n_valid;
	/*
	 * archive_select's weights (cap entries) and their Fenwick tree (cap + 1: tree[i] sums
	 * the weights of nodes (i - lowbit(i), i], 1-based), kept between selections, so that a
	 * selection costs O(log n): a weight is a pure function of the node's score, validity and
	 * child counts and of the rule, λ and m. A new child changes its parent's weight at once
	 * (archive_add); new nodes are weighed at the next selection; a change of rule, λ or m
	 * weighs them all again and rebuilds the tree, in O(n) (docs/performance.md).
	 */
	double *weight;
	double *tree;
	size_t tree_top;            /* the highest power of 2 not above cap */
	size_t memo_n;              /* nodes weighed so far; 0: the next selection rebuilds */
	enum parent_rule memo_rule;
	double memo_lambda, memo_m;
};

int archive_init(struct archive *a, size_t cap_hint);
void archive_release(struct archive *a);

/* Appends a node (parent -1 for the root) and counts it as its parent's child. Returns its
 * index, or HC_ERUNTIME when memory runs out. */
int archive_add(struct archive *a, const struct node *n);

/*
 * Draws a parent among the valid nodes with the rule's weights (O(log n) with the weights
 * kept; O(n) when m, λ or the rule changed since the last draw, or the archive grew its
 * capacity):
 * paper:     sigmoid(λ(s − m)) / (1 + compiled children), m = mean of the top-3 scores;
 * dgmh-code: sigmoid(λ(s − m)) · exp(−(children / 8)^3);
 * dgm-code:  sigmoid(λ(s − 0.5)) / (1 + children).
 * Returns the node's index (the root when no node is valid).
 */
int archive_select(struct archive *a, enum parent_rule rule, double lambda, struct rng *r);

/* The weight a rule gives one node, m being the rule's midpoint. */
double archive_weight(const struct node *n, enum parent_rule rule, double lambda, double m);

/*
 * The bytes the retention policies keep (docs/costs.md, "Storage"). keep_top: 0 keeps every
 * node; else the keep_top best valid nodes (score descending, the earlier node first on a
 * tie) whole, and of their ancestors only what rebuilds them: the patch, metadata_bytes and,
 * for the root, root_bytes. keep_iterations: 0 keeps the run directories of every node kept
 * whole; else only of the nodes of the last keep_iterations iterations (iteration above the
 * last one's minus keep_iterations), the older ones keeping only what rebuilds them. O(n log
 * n). Returns 0, or HC_ERUNTIME when memory runs out.
 */
int archive_retained_bytes(const struct archive *a, unsigned keep_top, unsigned keep_iterations,
			   double metadata_bytes, double root_bytes, double *bytes);

/* Mean of the (up to) three best scores among valid nodes; 0 when there are none. O(1). */
double archive_top3_mean(const struct archive *a);

#endif
