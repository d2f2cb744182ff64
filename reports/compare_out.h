/*
 * compare_out: the files of a comparison's results directory (docs/compare.md): compare.csv,
 * one row per variant and metric in the order given, compare.json, the same figures
 * with the base, each variant's assignments and crossover, the runs, seed and price sheet,
 * and report.html (compare_report.h).
 */
#ifndef REPORTS_COMPARE_OUT_H
#define REPORTS_COMPARE_OUT_H

#include <stddef.h>
#include <stdint.h>
#include "model/compare.h"
#include "model/crossover.h"
#include "model/prices.h"
#include "reports/results_dir.h"

/* One variant: its name, its own --set assignments (borrowed) and its figures. */
struct compare_out_variant {
	const char *name;
	const char *const *sets;
	size_t n_sets;
	struct compare_delta delta[COMPARE_METRICS];
	const struct crossover_plan *crossover; /* as simulate's; NULL: not priced */
};

/* A whole comparison; every pointer is borrowed. */
struct compare_out {
	const char *base;               /* the base scenario file; NULL: the embedded default */
	const char *const *base_sets;   /* the assignments every scenario takes first */
	size_t n_base_sets;
	unsigned runs;
	uint64_t seed;
	const struct price_sheet *ps;
	const struct compare_out_variant *variants;
	size_t n_variants;
	const struct crossover_plan *base_crossover; /* NULL: not priced */
	const char *no_crossover;       /* why a crossover was not priced, or "" */
};

/* Writes compare.csv, compare.json and report.html (compare_report.h) into rd. */
int compare_out_write_all(struct results_dir *rd, const struct compare_out *c,
			  struct hc_err *err);

#endif
