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

/*
 * The long-context tiers of LiteLLM's catalog: the input tokens of one call above which the
 * *_above_<N>k rates apply, in increasing order (docs/prices.md).
 */
#define PRICE_N_TIERS 5
extern const long price_tier_tokens[PRICE_N_TIERS]; /* 128k, 200k, 256k, 272k, 512k */

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

/*
 * One row of a LiteLLM tiered_pricing table: the rates of every token of a call whose input
 * is in (above, upto]. A rate it does not give is NAN (price_call_cost says what stands in).
 */
#define PRICE_RANGES_MAX 8
struct price_range {
	double above, upto; /* tokens */
	double input, output, cache_read, cache_write, cache_write_1h, reasoning_output;
};

struct price {
	char name[PRICE_NAME_MAX];
	char provider[PRICE_PROVIDER_MAX];
	char litellm_key[PRICE_NAME_MAX]; /* the LiteLLM entry it was read from; "" when unknown */
	struct price_alias *aliases;
	size_t n_aliases;
	/* USD per 1M tokens; NAN when unknown. cache_write is the 5-minute cache write. */
	double input, output, cache_read, cache_write, cache_write_1h;
	double reasoning_output; /* reasoning tokens, when priced apart from output */
	/*
	 * The long-context tiers: every token of a call whose input exceeds N tokens, for N of
	 * price_tier_tokens (200k: Anthropic, Gemini; 272k: GPT-5.4 and later; ...).
	 */
	double input_above_200k, output_above_200k, cache_read_above_200k, cache_write_above_200k,
		cache_write_1h_above_200k;
	double input_above_128k, output_above_128k, cache_read_above_128k, cache_write_above_128k,
		cache_write_1h_above_128k;
	double input_above_256k, output_above_256k, cache_read_above_256k, cache_write_above_256k,
		cache_write_1h_above_256k;
	double input_above_272k, output_above_272k, cache_read_above_272k, cache_write_above_272k,
		cache_write_1h_above_272k;
	double input_above_512k, output_above_512k, cache_read_above_512k, cache_write_above_512k,
		cache_write_1h_above_512k;
	/* the batch API */
	double batch_input, batch_output;
	/* service tiers (OpenAI's flex and priority processing, Anthropic's priority tier) */
	double flex_input, flex_output, flex_cache_read, flex_cache_write;
	double priority_input, priority_output, priority_cache_read, priority_cache_write;
	double priority_input_above_200k, priority_output_above_200k,
		priority_cache_read_above_200k;
	double priority_input_above_272k, priority_output_above_272k,
		priority_cache_read_above_272k;
	double max_input_tokens; /* tokens; NAN when unknown */
	/* a tiered_pricing table, sorted by range; when it has rows it sets every rate */
	struct price_range ranges[PRICE_RANGES_MAX];
	size_t n_ranges;
};

/*
 * The numeric fields of struct price, in sheet order: key in hypercap's format, key in
 * LiteLLM's (whose rates are USD per token), a label for people, whether it is a rate
 * (USD per 1M tokens) rather than a token count, and its tier. Ends with a NULL key.
 */
struct price_field {
	const char *key, *litellm, *label;
	size_t offset;
	int is_rate;
	int tier; /* a long-context tier's rate: its index in price_tier_tokens; else -1 */
};
extern const struct price_field price_fields[];

/* The input rate of p's tier t (an index of price_tier_tokens): NAN when p has no such tier. */
double price_tier_input(const struct price *p, int t);

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
 * Parses a sheet from text (len bytes and a NUL, as jsonfile_parse), either format; origin
 * names it in messages and, for LiteLLM, gives the date when it ends in -YYYY-MM-DD.json (else
 * the file's "last_updated", else "unknown"). A native sheet's model needs an input rate (or a
 * tiered_pricing table); one without an output rate (embeddings) prices calls without output.
 * Of a LiteLLM catalog it keeps the entries of mode "chat", "completion" or "responses" with
 * both input_cost_per_token and output_cost_per_token, and those of mode "embedding" with
 * input_cost_per_token (every other entry, sample_spec included, is counted in n_skipped),
 * named by their keys, with the aliases "provider/key" (a key without '/'), the key without
 * its first "segment/" (a key with one), and the key without a trailing -YYYYMMDD, -YYYY-MM-DD
 * or @YYYYMMDD when no key has that name. A dated entry whose undated form is a key of the
 * same provider with the same prices is folded into it: its key becomes that model's alias,
 * so the two are one model. On error ps is left empty (released).
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
#define PRICE_CACHE_1H 2u /* every cache write is a 1-hour one (else u->cache_write_1h are) */
#define PRICE_FLEX 4u     /* served on the flex service tier */
#define PRICE_PRIORITY 8u /* served on the priority service tier */

/*
 * The flag of a service tier as providers name it: "flex" PRICE_FLEX, "priority" and "fast"
 * PRICE_PRIORITY (LiteLLM's mapping); 0 for any other ("default", "standard", "", ...).
 */
unsigned price_service_tier(const char *name);

/*
 * USD for one call's usage u at price p by LiteLLM's rules for text tokens (docs/prices.md
 * states them with their sources). In the OpenTelemetry convention of usage.h:
 *
 *   [ (input - cache_read - cache_write) x in + cache_read x cr
 *     + (cache_write - w1h) x cw + w1h x cw1h
 *     + (output - reasoning) x out + reasoning x ro ] / 10^6
 *
 * where w1h is u->cache_write_1h (all of cache_write with PRICE_CACHE_1H) and the rates are:
 * - PRICE_BATCH: in, cr, cw and cw1h are batch_input; out and ro batch_output;
 * - a tiered_pricing table: the row whose range holds the input (the last row above them
 *   all); out is the row's output or else p's; cr, cw the row's or else its input; cw1h the
 *   row's, else its cw; ro the row's reasoning_output, else its output, else as below;
 * - else the long-context tier: the highest N of price_tier_tokens with a known
 *   input_above_N that the input exceeds (for provider "xai": reaches) sets every rate to
 *   its *_above_N one (a missing one is unknown); without one the base rates; ro is
 *   reasoning_output when known, else out;
 * - PRICE_FLEX or PRICE_PRIORITY (not with a tiered_pricing table nor with PRICE_BATCH): in,
 *   out, cr and cw are the service tier's rates where p gives them (at a long-context tier:
 *   its priority_*_above_N ones), else the standard ones; ro is out when the service tier
 *   has an output rate.
 * A term whose token count is 0 needs no rate. Returns NAN when a needed rate is unknown
 * (LiteLLM would bill it at $0 or at half the standard rate: hypercap does not guess), or
 * when the counts break the convention (negative, cache parts above input, 1-hour writes
 * above the writes, reasoning above output).
 * For the sum of several calls (u->calls > 1) the tier is decided on the mean input per call:
 * exact when all of them fall in the same tier, not otherwise.
 */
double price_call_cost(const struct price *p, const struct usage *u, unsigned flags);

/*
 * Why price_call_cost(p, u, flags) is NAN: the key (as in price_fields, or "tiered_pricing")
 * of the first rate it needs and p lacks, with its token count in *tokens; NULL when the
 * counts break the convention or nothing is missing.
 */
const char *price_call_missing(const struct price *p, const struct usage *u, unsigned flags,
			       int64_t *tokens);

/* price_call_cost(p, u, 0): a call at the standard rates with the 5-minute cache. */
double price_cost(const struct price *p, const struct usage *u);

#endif
