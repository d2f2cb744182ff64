/*
 * jsonout: JSON documents written whole or not at all.
 *
 * jsonout_files writes each document as a base/atomicfile and renames them into place only once
 * every one is written, so a failure leaves none of them half-written (a failure between two
 * renames, which only a vanished directory or a failing disk causes, can leave the first in
 * place).
 */
#ifndef REPORTS_JSONOUT_H
#define REPORTS_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

/* Writes tree pretty-printed with a final newline; HC_ERUNTIME out of memory. */
int jsonout_put(FILE *f, const cJSON *tree);

/*
 * Adds key: v to obj as an integer literal written digit for digit: cJSON keeps numbers as
 * doubles, exact only up to 2^53, and writes larger ones rounded ("1e+15" for a seed of
 * 10^15). A reader with 64-bit or arbitrary integers (Python, jq 1.7) reads v back exactly.
 * NULL when out of memory.
 */
cJSON *jsonout_add_u64(cJSON *obj, const char *key, uint64_t v);

/* Writes trees[i] to paths[i] for i < n (n at most 8). */
int jsonout_files(size_t n, const char *const *paths, const cJSON *const *trees,
		  struct hc_err *err);

#endif
