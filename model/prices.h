/*
 * prices: dated API price sheets, model lookup, and the cost rules of one LLM call.
 *
 * A sheet is either hypercap's own format (data/prices/, docs/prices.md: a date, a source and
 * per model the USD rates per million tokens) or LiteLLM's model_prices_and_context_window.json
 * read as it is (USD per token, converted on load); the loader tells them apart by the key
 * "hypercap_prices". A rate the sheet does not give is unknown (NAN), never zero: pricing usage
 * that needs it gives NAN. Models are found by name or alias, case-insensitively.
 *
 * Ownership: a sheet owns everything it points to; price_sheet_release frees it. Pointers to
 * its models stay valid until then.
 */
#ifndef MODEL_PRICES_H
#define MODEL_PRICES_H

#include <stddef.h>
#include "base/hc_err.h"
#include "model/usage.h"

#define PRICE_NAME_MAX 96
#define PRICE_PROVIDER_MAX 48

/* Input tokens of one call above which the long-context tier applies (Anthropic, Gemini). */
#define PRICE_LONG_CONTEXT_TOKENS 200000

/*
 * How a name reaches a model, in order of precedence: a lookup takes the matches of the first
 * kind that has any, so an exact name always beats an alias of another model.
 */
enum price_match {
	PRICE_MATCH_NAME = 0,       /* the model's name; in a LiteLLM sheet, a catalog key */
	PRICE_MATCH_ALIAS = 1,      /* an alias the sheet lists; LiteLLM: "provider/key" */
	PRICE_MATCH_UNPREFIXED = 2, /* LiteLLM "provider/rest": "rest" */
	PRICE_MATCH_UNDATED = 3,    /* LiteLLM "name-YYYYMMDD": "name", absent as a key */
};

struct price_alias {
	char *name;
	enum price_match match;
};

struct price {
	char name[PRICE_NAME_MAX];
	char provider[PRICE_PROVIDER_MAX];
	char litellm_key[PRICE_NAME_MAX]; /* the LiteLLM entry it was read from; "" when unknown */
	struct price_alias *aliases;
	size_t n_aliases;
	/* USD per 1M tokens; NAN when unknown. cache_write is the 5-minute cache write. */
	double input, output, cache_read, cache_write, cache_write_1h;
	/* the long-context tier: every token of a call whose input exceeds 200k tokens */
	double input_above_200k, output_above_200k, cache_read_above_200k, cache_write_above_200k,
		cache_write_1h_above_200k;
	/* the batch API */
	double batch_input, batch_output;
	double max_input_tokens; /* tokens; NAN when unknown */
};

/*
 * The numeric fields of struct price, in sheet order: key in hypercap's format, key in
 * LiteLLM's (whose rates are USD per token), a label for people, and whether it is a rate
 * (USD per 1M tokens) rather than a token count. Ends with a NULL key.
 */
struct price_field {
	const char *key, *litellm, *label;
	size_t offset;
	int is_rate;
};
extern const struct price_field price_fields[];

/* The value of field f of p. */
static inline double price_get(const struct price *p, const struct price_field *f)
{
	return *(const double *)(const void *)((const char *)p + f->offset);
}

enum price_format { PRICE_FORMAT_HYPERCAP, PRICE_FORMAT_LITELLM };

/* A (name, model) pair of the lookup index, sorted by name, then match, then model. */
struct price_key {
	const char *name;
	size_t model;
	enum price_match match;
};

struct price_sheet {
	char origin[256]; /* the file it came from, or "embedded:NAME" */
	char date[32];    /* YYYY-MM-DD, or "unknown" for a LiteLLM file that gives none */
	char source[512];
	enum price_format format;
	const char *date_basis; /* LiteLLM: where the date comes from, for people; else "" */
	size_t n_skipped;       /* LiteLLM entries not kept (see price_sheet_parse) */
	struct price *models;
	size_t n_models;
	struct price_key *index; /* built by the loader; every name and alias */
	size_t n_index;
};

#define PRICE_SHEET_INIT { .models = NULL, .n_models = 0 }

/* Loads the sheet at path (either format), or the embedded default sheet when path is NULL. */
int price_sheet_load(struct price_sheet *ps, const char *path, struct hc_err *err);

/*
 * Parses a sheet from text (len bytes and a NUL, as jsonfile_parse), either format; origin names it
 * in messages and, for LiteLLM, gives the date when it ends in -YYYY-MM-DD.json (else the file's
 * "last_updated", else "unknown"). Of a LiteLLM catalog it keeps the entries of mode "chat",
 * "completion" or "responses" with both input_cost_per_token and output_cost_per_token (every other
 * entry, sample_spec included, is counted in n_skipped), named by their keys, with the aliases
 * "provider/key" (a key without '/'), the key without its first "segment/" (a key with one), and
 * the key without a trailing -YYYYMMDD, -YYYY-MM-DD or @YYYYMMDD when no key has that name. A dated
 * entry whose undated form is a key of the same provider with the same prices is folded into it:
 * its key becomes that model's alias, so the two are one model. On error ps is left empty
 * (released).
 */
int price_sheet_parse(struct price_sheet *ps, const char *text, size_t len, const char *origin,
		      struct hc_err *err);
void price_sheet_release(struct price_sheet *ps);

/*
 * Finds the model called name. The matches of the best kind (enum price_match) count; when
 * they are several models with different prices the name is ambiguous (with equal prices the
 * first in sheet order is taken). Returns 0 and *out, or HC_EINPUT with a message naming the
 * sheet and either the candidates (ambiguous) or up to three close matches (unknown).
 */
int price_sheet_lookup(const struct price_sheet *ps, const char *name, const struct price **out,
		       struct hc_err *err);

/* price_sheet_lookup without the message: the model, or NULL when unknown or ambiguous. */
const struct price *price_sheet_find(const struct price_sheet *ps, const char *name);

/*
 * Writes into buf (a message fragment) up to three model names of the sheet closest to name,
 * e.g. "'gpt-4o', 'gpt-4o-mini'", or "none" when nothing is close.
 */
void price_sheet_suggest(const struct price_sheet *ps, const char *name, char *buf, size_t size);

/* 1 when a and b have the same value (unknown counting as a value) in every numeric field. */
int price_equal_rates(const struct price *a, const struct price *b);

/*
 * Builds out, a sheet in hypercap's format, from catalog (typically a LiteLLM sheet). With
 * names (n > 0): the models they resolve to in catalog (price_sheet_lookup), under their
 * catalog names and aliases. Without: every model of like (typically the embedded sheet),
 * found in catalog by its litellm_key (else its name), under like's name and aliases, with
 * catalog's rates. out takes catalog's date and source and records each model's LiteLLM key.
 * HC_EINPUT when a model is unknown or ambiguous in catalog; out is then left empty.
 */
int price_sheet_extract(struct price_sheet *out, const struct price_sheet *catalog,
			const struct price_sheet *like, const char *const *names, size_t n,
			struct hc_err *err);

/* The sheet in hypercap's format as JSON text (the caller frees it), or NULL out of memory. */
char *price_sheet_to_json(const struct price_sheet *ps);

/*
 * Writes the sheet in hypercap's format to path atomically: into a temporary file beside it,
 * then renamed over it, so path holds either its old content or the whole new sheet.
 */
int price_sheet_save(const struct price_sheet *ps, const char *path, struct hc_err *err);

/* Cost flags of a call. */
#define PRICE_BATCH 1u    /* sent through the provider's batch API */
#define PRICE_CACHE_1H 2u /* cache writes use the 1-hour cache (else the 5-minute one) */

/*
 * USD for one call's usage u at price p (the OpenTelemetry convention of usage.h: cache reads
 * and writes are parts of input; reasoning is part of output and bills as output):
 *
 *   (input - cache_read - cache_write) x in + cache_read x cr + cache_write x cw + output x out
 *
 * over 10^6, where the rates are chosen by these rules:
 * - cw is the 5-minute cache write rate, or the 1-hour one with PRICE_CACHE_1H;
 * - long context: when the call's input exceeds PRICE_LONG_CONTEXT_TOKENS, every token of the
 *   call bills at the *_above_200k rates (Anthropic's rule); a model with no such rate at all
 *   has no tier and keeps its base rates, but one with a tier and a missing rate is unknown;
 * - PRICE_BATCH: in and out are batch_input and batch_output; the sheets give no batch cache
 *   rates nor batch long-context rates, so those are unknown.
 * A term whose token count is 0 needs no rate. Returns NAN when a needed rate is unknown, or
 * when the counts break the convention (negative, or cache parts above input).
 * For the sum of several calls (u->calls > 1) the tier is decided on the mean input per call:
 * exact when all of them fall on the same side of the threshold, not otherwise.
 */
double price_call_cost(const struct price *p, const struct usage *u, unsigned flags);

/* price_call_cost(p, u, 0): a call at the standard rates with the 5-minute cache. */
double price_cost(const struct price *p, const struct usage *u);

#endif
