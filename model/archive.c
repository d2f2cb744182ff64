/* archive: the tree of agent variants and parent selection. Contracts in archive.h. */
#include <math.h>
#include <stdlib.h>
#include "base/array.h"
#include "base/hc_err.h"
#include "model/archive.h"

int archive_init(struct archive *a, size_t cap_hint)
{
	a->n = 0;
	a->total_bytes = 0;
	a->memo_n = 0;
	a->memo_rule = PARENT_PAPER;
	a->memo_lambda = a->memo_m = NAN;
	a->cap = cap_hint ? cap_hint : 16;
	a->nodes = malloc(a->cap * sizeof(*a->nodes));
	a->memo = malloc(a->cap * sizeof(*a->memo));
	if (!a->nodes || !a->memo) {
		archive_release(a);
		return HC_ERUNTIME;
	}
	return 0;
}

void archive_release(struct archive *a)
{
	free(a->nodes);
	free(a->memo);
	a->nodes = NULL;
	a->memo = NULL;
	a->n = a->cap = a->memo_n = 0;
}

static int archive_grow(struct archive *a)
{
	size_t widest = sizeof(struct node) > sizeof(struct weight_memo) ?
				sizeof(struct node) : sizeof(struct weight_memo);
	size_t cap = array_capacity(a->cap, a->n + 1, 16, widest);
	struct node *nodes = cap ? realloc(a->nodes, cap * sizeof(*nodes)) : NULL;
	if (!nodes)
		return HC_ERUNTIME;
	a->nodes = nodes;
	struct weight_memo *memo = realloc(a->memo, cap * sizeof(*memo));
	if (!memo)
		return HC_ERUNTIME;
	a->memo = memo;
	a->cap = cap;
	return 0;
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
		struct node *p = &a->nodes[n->parent];
		p->children++;
		p->compiled_children += n->valid;
		node->depth = p->depth + 1;
		node->lineage_patch_bytes += p->lineage_patch_bytes;
	}
	a->total_bytes += n->bytes;
	return (int)a->n++;
}

double archive_top3_mean(const struct archive *a)
{
	double top[3] = { -1, -1, -1 };
	for (size_t i = 0; i < a->n; i++) {
		double s = a->nodes[i].score;
		if (!a->nodes[i].valid || s <= top[2])
			continue;
		size_t k = 2;
		while (k > 0 && top[k - 1] < s) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = s;
	}
	double sum = 0;
	int n = 0;
	for (int k = 0; k < 3; k++)
		if (top[k] >= 0) {
			sum += top[k];
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

int archive_select(struct archive *a, enum parent_rule rule, double lambda, struct rng *r)
{
	double m = rule == PARENT_DGM_CODE ? 0.5 : archive_top3_mean(a);
	double sum = 0;
	/* == on purpose: the same inputs give the same weight to the bit; NaN never matches */
	size_t known = rule == a->memo_rule && lambda == a->memo_lambda && m == a->memo_m ?
			       a->memo_n : 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct node *n = &a->nodes[i];
		struct weight_memo *w = &a->memo[i];
		if (i >= known || w->children != n->children ||
		    w->compiled_children != n->compiled_children) {
			w->w = n->valid ? archive_weight(n, rule, lambda, m) : 0;
			w->children = n->children;
			w->compiled_children = n->compiled_children;
		}
		sum += w->w;
	}
	a->memo_n = a->n;
	a->memo_rule = rule;
	a->memo_lambda = lambda;
	a->memo_m = m;
	if (!(sum > 0))
		return 0;
	double u = rng_uniform(r) * sum;
	int last_valid = 0;
	for (size_t i = 0; i < a->n; i++) {
		double w = a->memo[i].w;
		if (w <= 0)
			continue;
		last_valid = (int)i;
		if (u < w)
			return (int)i;
		u -= w;
	}
	return last_valid; /* rounding left u just above the last weight */
}
