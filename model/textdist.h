/*
 * textdist: "did you mean" suggestions for unknown names (fields, models, domains).
 */
#ifndef MODEL_TEXTDIST_H
#define MODEL_TEXTDIST_H

#include <stddef.h>

/* Levenshtein distance between a and b, case-insensitive; O(|a|·|b|), inputs cut at 127. */
size_t textdist_levenshtein(const char *a, const char *b);

/*
 * Writes into buf up to three candidates closest to name, quoted and comma-separated
 * ("'full_tasks', 'screen_tasks'"): those within a distance of a third of the longer length,
 * or containing name. Writes "none" when no candidate is close.
 */
void textdist_suggest(const char *name, const char *const *candidates, size_t n, char *buf,
		      size_t size);

#endif
