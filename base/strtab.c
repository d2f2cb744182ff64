/*
 * strtab: see strtab.h.
 *
 * The slot array is kept at most half full, so a probe sequence stays short; it doubles and
 * rehashes from the ids when it would not be.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "base/hc_err.h"
#include "base/strtab.h"

uint64_t strtab_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot that holds s, or the empty slot where it would go. */
static size_t probe(const struct strtab *t, const char *s)
{
	size_t mask = t->nslot - 1, i = (size_t)strtab_hash(s) & mask;
	while (t->slot[i] && strcmp(t->str[t->slot[i] - 1], s))
		i = (i + 1) & mask;
	return i;
}

static int rehash(struct strtab *t)
{
	size_t nslot = t->nslot ? t->nslot * 2 : 64;
	size_t *slot = calloc(nslot, sizeof(*slot));
	if (!slot)
		return HC_ERUNTIME;
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	for (size_t id = 0; id < t->n; id++)
		t->slot[probe(t, t->str[id])] = id + 1;
	return 0;
}

int strtab_intern(struct strtab *t, const char *s, size_t *id)
{
	if ((t->n + 1) * 2 > t->nslot && rehash(t))
		return HC_ERUNTIME;
	size_t i = probe(t, s);
	if (t->slot[i]) {
		*id = t->slot[i] - 1;
		return 0;
	}
	char **str = array_room(t->str, t->n, &t->cap, sizeof(*str));
	if (!str)
		return HC_ERUNTIME;
	t->str = str;
	char *copy = strdup(s);
	if (!copy)
		return HC_ERUNTIME;
	t->str[t->n] = copy;
	t->slot[i] = ++t->n;
	*id = t->n - 1;
	return 0;
}

long strtab_find(const struct strtab *t, const char *s)
{
	if (!t->nslot)
		return -1;
	size_t i = probe(t, s);
	return t->slot[i] ? (long)t->slot[i] - 1 : -1;
}

void strtab_release(struct strtab *t)
{
	for (size_t id = 0; id < t->n; id++)
		free(t->str[id]);
	free(t->str);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
