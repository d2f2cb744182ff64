/*
 * strtab: a table of distinct strings, each with a dense id (0, 1, 2, ... in the order first
 * seen), found by hashing (FNV-1a, open addressing). Re-timing a trace groups its records by
 * node, task and model names; a trace of a long run holds 10^5 tasks, too many for a linear
 * search.
 *
 * Ownership: the table copies every string it keeps and frees them in strtab_release.
 */
#ifndef BASE_STRTAB_H
#define BASE_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char **str;   /* str[id] */
	size_t n, cap;
	size_t *slot; /* id + 1, or 0 for an empty slot; nslot is a power of two */
	size_t nslot;
};

#define STRTAB_INIT { NULL, 0, 0, NULL, 0 }

/* FNV-1a, 64 bits: the hash the table keys its strings by; random streams named by a string
 * (model/priors) are seeded with it too. */
uint64_t strtab_hash(const char *s);

/* The id of s, added when new. Returns 0, or HC_ERUNTIME when memory runs out. */
int strtab_intern(struct strtab *t, const char *s, size_t *id);

/* The id of s, or -1 when the table does not hold it. */
long strtab_find(const struct strtab *t, const char *s);

static inline const char *strtab_str(const struct strtab *t, size_t id) { return t->str[id]; }

void strtab_release(struct strtab *t);

#endif
