/*
 * prices: dated API price sheets and the cost of token usage.
 *
 * A sheet is hypercap's own format (data/prices/, docs/prices.md): a date, a source and
 * per model the USD rates per million tokens for input, output, cache reads and cache writes.
 * A rate the sheet does not give is unknown (NAN), never zero: pricing usage that needs it
 * fails. Models are found by name or alias, case-insensitively.
 */
#ifndef MODEL_PRICES_H
#define MODEL_PRICES_H

#include <stddef.h>
#include "model/usage.h"
#include "sim/hc_err.h"

#define PRICE_NAME_MAX 96

struct price {
	char name[PRICE_NAME_MAX];
	char provider[32];
	char **aliases;
	size_t n_aliases;
	/* USD per 1M tokens; NAN when unknown */
	double input, output, cache_read, cache_write;
};

struct price_sheet {
	char origin[256]; /* the file it came from, or "embedded:NAME" */
	char date[32];
	char source[512];
	struct price *models;
	size_t n_models;
};

#define PRICE_SHEET_INIT { "", "", "", NULL, 0 }

/* Loads the sheet at path, or the embedded default sheet when path is NULL. */
int price_sheet_load(struct price_sheet *ps, const char *path, struct hc_err *err);
/* Parses a sheet from text; origin names it in messages. */
int price_sheet_parse(struct price_sheet *ps, const char *text, size_t len, const char *origin,
		      struct hc_err *err);
void price_sheet_release(struct price_sheet *ps);

/* The model called name (or aliased so), or NULL. */
const struct price *price_sheet_find(const struct price_sheet *ps, const char *name);

/*
 * Writes into buf (a message fragment) up to three model names of the sheet closest to name,
 * e.g. "'gpt-4o', 'gpt-4o-mini'", or "none" when nothing is close.
 */
void price_sheet_suggest(const struct price_sheet *ps, const char *name, char *buf, size_t size);

/*
 * USD for usage u at price p: (input - cache_read - cache_write) at the input rate, cache
 * reads and writes at theirs, output (reasoning included) at the output rate. NAN when a
 * rate that u needs is unknown.
 */
double price_cost(const struct price *p, const struct usage *u);

#endif
