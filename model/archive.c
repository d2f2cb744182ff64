/* archive: the tree of agent variants and parent selection. Contracts in archive.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "base/hc_err.h"
#include "model/archive.h"

static size_t top_power(size_t cap)
{
	size_t p = 1;
	while (p <= cap / 2)
		p *= 2;
	return p;
}

int archive_init(struct archive *a, size_t cap_hint)
{
	a->n = a->n_valid = 0;
	a->total_bytes = 0;
	a->top[0] = a->top[1] = a->top[2] = -1;
	a->memo_n = 0;
	a->memo_rule = PARENT_PAPER;
	a->memo_lambda = a->memo_m = NAN;
	a->cap = cap_hint ? cap_hint : 16;
	a->tree_top = top_power(a->cap);
	a->nodes = malloc(a->cap * sizeof(*a->nodes));
	a->weight = malloc(a->cap * sizeof(*a->weight));
	a->tree = malloc((a->cap + 1) * sizeof(*a->tree));
	if (!a->nodes || !a->weight || !a->tree) {
		archive_release(a);
		return HC_ERUNTIME;
	}
	return 0;
}

void archive_release(struct archive *a)
{
	free(a->nodes);
	free(a->weight);
	free(a->tree);
	a->nodes = NULL;
	a->weight = NULL;
	a->tree = NULL;
	a->n = a->cap = a->memo_n = 0;
}

/* A larger tree has other ranges: the next selection rebuilds it (memo_n = 0). */
static int archive_grow(struct archive *a)
{
	size_t cap = array_capacity(a->cap, a->n + 1, 16, sizeof(struct node));
	struct node *nodes = cap ? realloc(a->nodes, cap * sizeof(*nodes)) : NULL;
	if (!nodes)
		return HC_ERUNTIME;
	a->nodes = nodes;
	double *weight = realloc(a->weight, cap * sizeof(*weight));
	if (!weight)
		return HC_ERUNTIME;
	a->weight = weight;
	double *tree = realloc(a->tree, (cap + 1) * sizeof(*tree));
	if (!tree)
		return HC_ERUNTIME;
	a->tree = tree;
	a->cap = cap;
	a->tree_top = top_power(cap);
	a->memo_n = 0;
	return 0;
}

/* Adds delta to node i's weight in the tree. */
static void tree_add(struct archive *a, size_t i, double delta)
{
	for (size_t j = i + 1; j <= a->cap; j += j & -j)
		a->tree[j] += delta;
}

/* The sum of the weights of nodes [0, n). */
static double tree_prefix(const struct archive *a, size_t n)
{
	double sum = 0;
	for (size_t j = n; j > 0; j -= j & -j)
		sum += a->tree[j];
	return sum;
}

/* The node where the running sum of weights first exceeds u: O(log n) down the tree. */
static size_t tree_find(const struct archive *a, double u)
{
	size_t pos = 0;
	for (size_t step = a->tree_top; step; step /= 2)
		if (pos + step <= a->cap && a->tree[pos + step] <= u) {
			pos += step;
			u -= a->tree[pos];
		}
	return pos;
}

static double weigh(const struct archive *a, size_t i)
{
	const struct node *n = &a->nodes[i];
	return n->valid ? archive_weight(n, a->memo_rule, a->memo_lambda, a->memo_m) : 0;
}

/* The same insertion as a scan of the nodes in order would make: the same top three. */
static void add_top3(struct archive *a, double s)
{
	double *top = a->top;
	if (s <= top[2])
		return;
	size_t k = 2;
	while (k > 0 && top[k - 1] < s) {
		top[k] = top[k - 1];
		k--;
	}
	top[k] = s;
}

int archive_add(struct archive *a, const struct node *n)
{
	if (a->n == a->cap && archive_grow(a))
		return HC_ERUNTIME;
	struct node *node = &a->nodes[a->n];
	*node = *n;
	node->children = node->compiled_children = 0;
	node->depth = 0;
	node->lineage_patch_bytes = n->patch_bytes;
	if (n->parent >= 0) {
		size_t pi = (size_t)n->parent;
		struct node *p = &a->nodes[pi];
		p->children++;
		p->compiled_children += n->valid;
		node->depth = p->depth + 1;
		node->lineage_patch_bytes += p->lineage_patch_bytes;
		if (pi < a->memo_n) {
			double w = weigh(a, pi);
			tree_add(a, pi, w - a->weight[pi]);
			a->weight[pi] = w;
		}
	}
	if (n->valid) {
		a->n_valid++;
		add_top3(a, n->score);
	}
	a->total_bytes += n->bytes;
	return (int)a->n++;
}

double archive_top3_mean(const struct archive *a)
{
	double sum = 0;
	int n = 0;
	for (int k = 0; k < 3; k++)
		if (a->top[k] >= 0) {
			sum += a->top[k];
			n++;
		}
	return n ? sum / n : 0;
}

double archive_weight(const struct node *n, enum parent_rule rule, double lambda, double m)
{
	double sigmoid = 1 / (1 + exp(-lambda * (n->score - m)));
	switch (rule) {
	case PARENT_PAPER:
		return sigmoid / (1 + n->compiled_children);
	case PARENT_DGMH_CODE:
		return sigmoid * exp(-pow(n->children / 8.0, 3));
	case PARENT_DGM_CODE:
		return sigmoid / (1 + n->children);
	}
	return 0;
}

/* Every weight again, and the tree built from them in O(cap). */
static void rebuild(struct archive *a)
{
	for (size_t i = 0; i < a->n; i++)
		a->weight[i] = weigh(a, i);
	for (size_t j = 1; j <= a->cap; j++)
		a->tree[j] = j <= a->n ? a->weight[j - 1] : 0;
	for (size_t j = 1; j <= a->cap; j++) {
		size_t up = j + (j & -j);
		if (up <= a->cap)
			a->tree[up] += a->tree[j];
	}
}

/* Node i, or, when rounding landed on a node of no weight, the nearest one before it with some. */
static int weighed_near(const struct archive *a, size_t i)
{
	if (i >= a->n)
		i = a->n - 1;
	for (size_t k = i + 1; k-- > 0;)
		if (a->weight[k] > 0)
			return (int)k;
	for (size_t k = i + 1; k < a->n; k++)
		if (a->weight[k] > 0)
			return (int)k;
	return 0;
}

int archive_select(struct archive *a, enum parent_rule rule, double lambda, struct rng *r)
{
	double m = rule == PARENT_DGM_CODE ? 0.5 : archive_top3_mean(a);
	/* == on purpose: the same inputs give the same weight to the bit; NaN never matches */
	if (!(rule == a->memo_rule && lambda == a->memo_lambda && m == a->memo_m))
		a->memo_n = 0;
	a->memo_rule = rule;
	a->memo_lambda = lambda;
	a->memo_m = m;
	if (a->memo_n == 0) {
		rebuild(a);
	} else {
		for (size_t i = a->memo_n; i < a->n; i++) {
			a->weight[i] = weigh(a, i);
			tree_add(a, i, a->weight[i]);
		}
	}
	a->memo_n = a->n;
	double sum = a->n_valid ? tree_prefix(a, a->n) : 0;
	if (!(sum > 0))
		return 0;
	return weighed_near(a, tree_find(a, rng_uniform(r) * sum));
}

struct ranked {
	double score;
	size_t index;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/* What rebuilding a node needs kept: its patch, its metadata and, for the root, the repository. */
static double rebuild_bytes(const struct node *nd, double metadata_bytes, double root_bytes)
{
	return nd->patch_bytes + metadata_bytes + (nd->parent < 0 ? root_bytes : 0);
}

enum { DROPPED, LINEAGE, WHOLE };

/* kept[i]: the keep_top best valid nodes WHOLE, their ancestors LINEAGE (keep_top < a->n). */
static int mark_top(const struct archive *a, unsigned keep_top, unsigned char *kept)
{
	struct ranked *rank = malloc(a->n * sizeof(*rank));
	if (!rank)
		return HC_ERUNTIME;
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->nodes[i].valid)
			rank[n++] = (struct ranked){ a->nodes[i].score, i };
	qsort(rank, n, sizeof(*rank), by_score);
	for (size_t k = 0; k < n && k < keep_top; k++) {
		kept[rank[k].index] = WHOLE;
		for (int p = a->nodes[rank[k].index].parent; p >= 0 && !kept[p];
		     p = a->nodes[p].parent)
			kept[p] = LINEAGE;
	}
	free(rank);
	return 0;
}

int archive_retained_bytes(const struct archive *a, unsigned keep_top, unsigned keep_iterations,
			   double metadata_bytes, double root_bytes, double *bytes)
{
	int every = keep_top == 0 || keep_top >= a->n;
	*bytes = a->total_bytes;
	if (every && keep_iterations == 0)
		return 0;
	unsigned char *kept = malloc(a->n ? a->n : 1);
	if (!kept)
		return HC_ERUNTIME;
	memset(kept, every ? WHOLE : DROPPED, a->n);
	if (!every && mark_top(a, keep_top, kept)) {
		free(kept);
		return HC_ERUNTIME;
	}
	unsigned last = 0;
	for (size_t i = 0; i < a->n; i++)
		last = a->nodes[i].iteration > last ? a->nodes[i].iteration : last;
	*bytes = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct node *nd = &a->nodes[i];
		int recent = keep_iterations == 0 || nd->iteration + keep_iterations > last;
		if (kept[i] == WHOLE && recent)
			*bytes += nd->bytes;
		else if (kept[i] != DROPPED)
			*bytes += rebuild_bytes(nd, metadata_bytes, root_bytes);
	}
	free(kept);
	return 0;
}
