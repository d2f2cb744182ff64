/*
 * test_archive: the archive tree and the three parent-selection rules (model/archive.c).
 * Weights are checked against hand values, selection frequencies against weight / sum.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/archive.h"
#include "sim/rng.h"
#include "tests/check_main.h"

#define SEED 77u
#define LAMBDA 10.0

static double sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

static int add_node(struct archive *a, int parent, double score, int valid, double patch,
		    double bytes)
{
	struct node n = { .parent = parent, .score = score, .valid = valid, .patch_bytes = patch,
			  .bytes = bytes };
	int i = archive_add(a, &n);

	ck_assert_int_ge(i, 0);
	return i;
}

/*
 * The test tree (score, valid):
 *   0 root (0.20)
 *   +- 1 (0.50)  +- 3 (0.80)  +- 6 (0.30, failed the compile check)
 *   |            |            +- 7 (0.00, failed the compile check)
 *   |            +- 4 (0.60)
 *   +- 2 (0.95, failed the compile check)
 *   +- 5 (0.10)
 * Children: root 3 (2 compiled), node 1 2 (2 compiled), node 3 2 (none compiled), others 0.
 * Top-3 mean over valid nodes: (0.8 + 0.6 + 0.5) / 3; node 2's 0.95 does not count.
 * Node 3 carries most of the weight, and the rules differ most on it.
 */
#define NODES 8
static const double SCORE[NODES] = { 0.20, 0.50, 0.95, 0.80, 0.60, 0.10, 0.30, 0.00 };
static const unsigned CHILDREN[NODES] = { 3, 2, 0, 2, 0, 0, 0, 0 };
static const unsigned COMPILED[NODES] = { 2, 2, 0, 0, 0, 0, 0, 0 };
static const int VALID[NODES] = { 1, 1, 0, 1, 1, 1, 0, 0 };

static void build_tree(struct archive *a)
{
	ck_assert_int_eq(archive_init(a, 2), 0); /* small: adding must grow it */
	add_node(a, -1, SCORE[0], 1, 0, 1000);
	add_node(a, 0, SCORE[1], 1, 10, 100);
	add_node(a, 0, SCORE[2], 0, 20, 200);
	add_node(a, 1, SCORE[3], 1, 30, 300);
	add_node(a, 1, SCORE[4], 1, 40, 400);
	add_node(a, 0, SCORE[5], 1, 50, 500);
	add_node(a, 3, SCORE[6], 0, 60, 600);
	add_node(a, 3, SCORE[7], 0, 70, 700);
}

/* The rules by hand, from the node counts above (not from the archive's). */
static double hand_weight(int i, enum parent_rule rule)
{
	const double m3 = (0.8 + 0.6 + 0.5) / 3;

	if (!VALID[i])
		return 0;
	switch (rule) {
	case PARENT_PAPER:
		return sigmoid(LAMBDA * (SCORE[i] - m3)) / (1 + COMPILED[i]);
	case PARENT_DGMH_CODE:
		return sigmoid(LAMBDA * (SCORE[i] - m3)) * exp(-pow(CHILDREN[i] / 8.0, 3));
	case PARENT_DGM_CODE:
		return sigmoid(LAMBDA * (SCORE[i] - 0.5)) / (1 + CHILDREN[i]);
	}
	return -1;
}

START_TEST(test_tree_counts)
{
	struct archive a;

	build_tree(&a);
	ck_assert_uint_eq(a.n, NODES);
	ck_assert_uint_ge(a.cap, NODES);
	for (int i = 0; i < NODES; i++) {
		ck_assert_uint_eq(a.nodes[i].children, CHILDREN[i]);
		ck_assert_uint_eq(a.nodes[i].compiled_children, COMPILED[i]);
	}
	ck_assert_double_eq_tol(archive_top3_mean(&a), 1.9 / 3, 1e-15);
	archive_release(&a);
}
END_TEST

START_TEST(test_weight_formulas)
{
	/* one node by hand: s = 0.7, m = 0.5, lambda = 10, 8 children of which 4 compiled */
	struct node n = { .score = 0.7, .children = 8, .compiled_children = 4, .valid = 1 };
	const double s2 = 0.88079707797788231; /* 1 / (1 + e^-2) */

	ck_assert_double_eq_tol(archive_weight(&n, PARENT_PAPER, 10, 0.5), s2 / 5, 1e-15);
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_DGMH_CODE, 10, 0.5),
				s2 * 0.36787944117144233, 1e-15);
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_DGM_CODE, 10, 0.5), s2 / 9, 1e-15);
	/* at the midpoint with no children: 1/2 for every rule */
	n = (struct node){ .score = 0.5, .valid = 1 };
	for (int r = PARENT_PAPER; r <= PARENT_DGM_CODE; r++)
		ck_assert_double_eq_tol(archive_weight(&n, (enum parent_rule)r, 10, 0.5), 0.5,
					1e-15);
	/* dgmh-code counts every child, paper only the compiled ones */
	n = (struct node){ .score = 0.5, .children = 16, .compiled_children = 0, .valid = 1 };
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_PAPER, 10, 0.5), 0.5, 1e-15);
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_DGMH_CODE, 10, 0.5), 0.5 * exp(-8),
				1e-15);
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_DGM_CODE, 10, 0.5), 0.5 / 17, 1e-15);
	/* lambda = 0: the sigmoid is flat */
	n = (struct node){ .score = 0.9, .valid = 1 };
	ck_assert_double_eq_tol(archive_weight(&n, PARENT_DGM_CODE, 0, 0.1), 0.5, 1e-15);
}
END_TEST

START_TEST(test_weights_on_tree)
{
	struct archive a;

	build_tree(&a);
	double m3 = archive_top3_mean(&a);
	for (int i = 0; i < NODES; i++) {
		if (!VALID[i])
			continue;
		ck_assert_double_eq_tol(archive_weight(&a.nodes[i], PARENT_PAPER, LAMBDA, m3),
					hand_weight(i, PARENT_PAPER), 1e-14);
		ck_assert_double_eq_tol(archive_weight(&a.nodes[i], PARENT_DGMH_CODE, LAMBDA, m3),
					hand_weight(i, PARENT_DGMH_CODE), 1e-14);
		ck_assert_double_eq_tol(archive_weight(&a.nodes[i], PARENT_DGM_CODE, LAMBDA, 0.5),
					hand_weight(i, PARENT_DGM_CODE), 1e-14);
	}
	/* one literal value: node 1 under dgm-code, sigmoid(0) / (1 + 2) */
	ck_assert_double_eq_tol(hand_weight(1, PARENT_DGM_CODE), 1.0 / 6, 1e-15);
	archive_release(&a);
}
END_TEST

START_TEST(test_top3_mean)
{
	struct archive a;

	ck_assert_int_eq(archive_init(&a, 0), 0);
	ck_assert_double_eq(archive_top3_mean(&a), 0);
	add_node(&a, -1, 0.4, 0, 0, 0);
	ck_assert_double_eq(archive_top3_mean(&a), 0); /* no valid node */
	add_node(&a, 0, 0.3, 1, 0, 0);
	ck_assert_double_eq_tol(archive_top3_mean(&a), 0.3, 1e-15);
	add_node(&a, 0, 0.0, 1, 0, 0);
	ck_assert_double_eq_tol(archive_top3_mean(&a), 0.15, 1e-15);
	add_node(&a, 0, 0.9, 1, 0, 0);
	add_node(&a, 0, 0.6, 1, 0, 0);
	add_node(&a, 0, 0.7, 1, 0, 0);
	ck_assert_double_eq_tol(archive_top3_mean(&a), (0.9 + 0.7 + 0.6) / 3, 1e-15);
	add_node(&a, 0, 0.7, 1, 0, 0); /* a tie enters the top three */
	ck_assert_double_eq_tol(archive_top3_mean(&a), (0.9 + 0.7 + 0.7) / 3, 1e-15);
	archive_release(&a);
}
END_TEST

/* 100,000 draws per rule; each frequency within 5 standard errors of weight / sum. */
START_TEST(test_selection_frequencies)
{
	const int draws = 100000;
	struct archive a;
	struct rng r;

	build_tree(&a);
	ck_assert_int_eq(rng_init(&r, SEED, 0), 0);
	for (int rule = PARENT_PAPER; rule <= PARENT_DGM_CODE; rule++) {
		int count[NODES] = { 0 };
		double w[NODES], sum = 0;
		for (int i = 0; i < NODES; i++)
			sum += w[i] = hand_weight(i, (enum parent_rule)rule);
		for (int k = 0; k < draws; k++) {
			int i = archive_select(&a, (enum parent_rule)rule, LAMBDA, &r);
			ck_assert_int_ge(i, 0);
			ck_assert_int_lt(i, NODES);
			count[i]++;
		}
		/* the invalid nodes, best score or not */
		ck_assert_int_eq(count[2], 0);
		ck_assert_int_eq(count[6], 0);
		ck_assert_int_eq(count[7], 0);
		for (int i = 0; i < NODES; i++) {
			double p = w[i] / sum, f = (double)count[i] / draws;
			double se = sqrt(p * (1 - p) / draws);
			ck_assert_msg(fabs(f - p) <= 5 * se + 1e-12,
				      "rule %s, node %d: frequency %.5f, want %.5f +- %.5f",
				      parent_rule_name((enum parent_rule)rule), i, f, p, 5 * se);
		}
	}
	rng_release(&r);
	archive_release(&a);
}
END_TEST

START_TEST(test_select_invalid_never)
{
	struct archive a;
	struct rng r;

	ck_assert_int_eq(rng_init(&r, SEED, 1), 0);
	ck_assert_int_eq(archive_init(&a, 4), 0);
	/* only node 3 is valid, with the lowest score */
	add_node(&a, -1, 0.9, 0, 0, 0);
	add_node(&a, 0, 0.9, 0, 0, 0);
	add_node(&a, 0, 0.9, 0, 0, 0);
	add_node(&a, 1, 0.0, 1, 0, 0);
	for (int rule = PARENT_PAPER; rule <= PARENT_DGM_CODE; rule++)
		for (int k = 0; k < 1000; k++)
			ck_assert_int_eq(archive_select(&a, (enum parent_rule)rule, LAMBDA, &r), 3);
	archive_release(&a);
	/* no valid node at all: the root */
	ck_assert_int_eq(archive_init(&a, 4), 0);
	add_node(&a, -1, 0.5, 0, 0, 0);
	add_node(&a, 0, 0.5, 0, 0, 0);
	ck_assert_int_eq(archive_select(&a, PARENT_DGMH_CODE, LAMBDA, &r), 0);
	archive_release(&a);
	rng_release(&r);
}
END_TEST

START_TEST(test_chain_lineage)
{
	struct archive a;
	double bytes = 0, lineage = 0;

	ck_assert_int_eq(archive_init(&a, 1), 0);
	add_node(&a, -1, 0, 1, 0, 5e6);
	bytes = 5e6;
	for (int k = 1; k <= 40; k++) {
		int i = add_node(&a, k - 1, 0, 1, 100 * k, 1000 + k);
		ck_assert_int_eq(i, k);
		lineage += 100 * k;
		bytes += 1000 + k;
		ck_assert_uint_eq(a.nodes[i].depth, (unsigned)k);
		ck_assert_double_eq(a.nodes[i].lineage_patch_bytes, lineage);
		ck_assert_double_eq(a.total_bytes, bytes);
		ck_assert_uint_eq(a.nodes[k - 1].children, 1);
	}
	/* sum of 100 k for k = 1..40 */
	ck_assert_double_eq(a.nodes[40].lineage_patch_bytes, 100.0 * 40 * 41 / 2);
	/* a sibling branch shares only its parent's lineage */
	int s = add_node(&a, 2, 0, 1, 7, 0);
	ck_assert_uint_eq(a.nodes[s].depth, 3);
	ck_assert_double_eq(a.nodes[s].lineage_patch_bytes, 100 + 200 + 7);
	ck_assert_double_eq(a.total_bytes, bytes);
	ck_assert_uint_eq(a.nodes[2].children, 2);
	archive_release(&a);
}
END_TEST

START_TEST(test_total_bytes)
{
	struct archive a;

	build_tree(&a);
	ck_assert_double_eq(a.total_bytes, 1000 + 100 + 200 + 300 + 400 + 500 + 600 + 700);
	ck_assert_double_eq(a.nodes[7].lineage_patch_bytes, 10 + 30 + 70);
	ck_assert_uint_eq(a.nodes[7].depth, 3);
	ck_assert_double_eq(a.nodes[3].lineage_patch_bytes, 10 + 30);
	ck_assert_double_eq(a.nodes[5].lineage_patch_bytes, 50);
	ck_assert_uint_eq(a.nodes[4].depth, 2);
	archive_release(&a);
}
END_TEST

/* ---- suite ---- */

/*
 * Selection keeps weights between calls: as the archive grows and the top-3 mean moves, each
 * draw must be the one weights computed afresh give (memo_n = 0 forgets them), for all rules.
 */
START_TEST(test_kept_weights_same_draws)
{
	static const enum parent_rule rules[] = { PARENT_PAPER, PARENT_DGMH_CODE,
						  PARENT_DGM_CODE };
	for (size_t k = 0; k < 3; k++) {
		struct archive kept, fresh;
		struct rng rk, rf, grow;
		ck_assert_int_eq(archive_init(&kept, 4), 0);
		ck_assert_int_eq(archive_init(&fresh, 4), 0);
		ck_assert_int_eq(rng_init(&rk, SEED, k), 0);
		ck_assert_int_eq(rng_init(&rf, SEED, k), 0);
		ck_assert_int_eq(rng_init(&grow, SEED + 1, k), 0);
		add_node(&kept, -1, 0.1, 1, 0, 1);
		add_node(&fresh, -1, 0.1, 1, 0, 1);
		for (int i = 0; i < 400; i++) {
			fresh.memo_n = 0;
			int pk = archive_select(&kept, rules[k], LAMBDA, &rk);
			int pf = archive_select(&fresh, rules[k], LAMBDA, &rf);
			ck_assert_msg(pk == pf, "rule %zu, draw %d: parent %d with kept weights, "
				      "%d afresh", k, i, pk, pf);
			double score = fmin(1, kept.nodes[pk].score + 0.02 * rng_uniform(&grow));
			int valid = rng_uniform(&grow) < 0.8;
			add_node(&kept, pk, score, valid, 1, 1);
			add_node(&fresh, pf, score, valid, 1, 1);
		}
		rng_release(&rk);
		rng_release(&rf);
		rng_release(&grow);
		archive_release(&kept);
		archive_release(&fresh);
	}
}
END_TEST

static Suite *archive_suite(void)
{
	Suite *s = suite_create("archive");

	check_add(s, "tree_counts", test_tree_counts, 10);
	check_add(s, "weight_formulas", test_weight_formulas, 10);
	check_add(s, "weights_on_tree", test_weights_on_tree, 10);
	check_add(s, "top3_mean", test_top3_mean, 10);
	check_add(s, "selection_frequencies", test_selection_frequencies, 30);
	check_add(s, "select_invalid_never", test_select_invalid_never, 10);
	check_add(s, "chain_lineage", test_chain_lineage, 10);
	check_add(s, "total_bytes", test_total_bytes, 10);
	check_add(s, "kept_weights_same_draws", test_kept_weights_same_draws, 10);
	return s;
}

int main(void)
{
	return check_run(archive_suite());
}
