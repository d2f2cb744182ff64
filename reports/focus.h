/*
 * focus: costs_focus.csv, the forecast's bill as a FOCUS 1.2 cost and usage export
 * (docs/focus.md): one row per charge and SKU (iteration, role, model and charge type: API
 * tokens per token kind, fleet GPU-hours, sandbox compute, storage), means over replications
 * times costs.parallel_runs, on a calendar that starts at a given UTC day. The BilledCost
 * column sums to summary.json's cost_usd.total × costs.parallel_runs.
 */
#ifndef REPORTS_FOCUS_H
#define REPORTS_FOCUS_H

#include <stdio.h>
#include <time.h>
#include "model/calendar.h"
#include "model/forecast.h"
#include "model/prices.h"

/* The 21 mandatory columns of FOCUS 1.2 (FACTS §4), in the order the file writes them. */
extern const char *const focus_mandatory_columns[21];

/*
 * The forecast's charges of a run (its iterations summed), means over replications, summed
 * as the replications finish (a forecast's sink hands them in order, so the sums do not
 * depend on threads).
 */
struct focus_steps {
	struct focus_step *step; /* one: the run */
	double *usage;
};

/* Sized for f's targets; HC_ERUNTIME when memory runs out. */
int focus_steps_init(struct focus_steps *s, const struct forecast *f);
/* Adds replication r (call in replication order). */
void focus_steps_add(struct focus_steps *s, const struct forecast *f, const struct loop_result *r);
void focus_steps_release(struct focus_steps *s);

/*
 * Writes the header and the forecast's charges from s as the calendar c (calendar_build from
 * start, UTC seconds) lays its runs: for each calendar month, every charge of the mean run
 * times the month's runs' worth of its part of the bill (API, self-hosted, storage,
 * compute): that part's dollars in c over the mean run's. Each month's BilledCost then sums
 * to c's usd_total for it (docs/focus.md). Returns 0.
 */
int focus_write(FILE *out, const struct forecast *f, const struct focus_steps *s,
		const struct calendar *c, time_t start);

/* The billing account of a file's rows. */
struct focus_account {
	const char *id, *name;
};

/*
 * One charge: one SKU's usage in one period. Text fields may be "" (written empty). The row's
 * ListUnitPrice is cost / quantity (rate when quantity is 0), and the written costs are that
 * price times the written PricingQuantity, so ListUnitPrice × PricingQuantity = ListCost
 * holds exactly on the numbers as written.
 */
struct focus_charge {
	time_t start, end;          /* UTC seconds; end <= start is given one second */
	double cost;                /* USD */
	double quantity, consumed;  /* PricingQuantity in unit, ConsumedQuantity in consumed_unit */
	double rate;                /* the price list's USD per unit (SkuPriceId, SkuPriceDetails) */
	const char *unit, *consumed_unit;
	const char *category, *subcategory, *service, *provider, *type, *description;
	const char *sku, *meter;    /* SkuId, SkuMeter */
	const char *source;         /* x_Source: "forecast" or "replay" */
	long iteration;             /* -1: none */
	const char *role, *model, *domain;
};

/* Tokens of one API model's charge (usage.h's convention: input includes the cache parts). */
struct focus_tokens {
	double input, cache_read, cache_write, output;
	double cache_write_1h; /* part of cache_write */
	double reasoning;      /* part of output */
};

/* The FOCUS columns the file writes after the mandatory ones (docs/focus.md), before the x_
 * columns. */
#define FOCUS_OPTIONAL_COLUMNS 15
extern const char *const focus_optional_columns[FOCUS_OPTIONAL_COLUMNS];

void focus_write_header(FILE *out);
/* Writes c as one row per calendar month its period touches, amounts split by time. */
void focus_write_charge(FILE *out, const struct focus_account *acc, const struct focus_charge *c);
/*
 * Writes an API model's token charge as one charge per SKU with tokens (uncached input, cache
 * read, 5-minute and 1-hour cache writes, output, and reasoning when p prices it apart from
 * output), splitting c->cost in proportion to tokens × p's base
 * rate; c gives the period and the other fields (its unit, quantities, rate, sku and meter are
 * the SKU's), c->description the charge's context ("iteration 3"), which each row's
 * description follows ("evaluate output tokens on gpt-4o, iteration 3").
 */
void focus_write_tokens(FILE *out, const struct focus_account *acc, const struct focus_charge *c,
			const struct price *p, const struct focus_tokens *t);

/*
 * "YYYY-MM-DD" (digits only) to the UTC seconds of that midnight; -1 when it is not such a
 * date, or not one of the calendar's (2026-02-31).
 */
time_t focus_parse_date(const char *text);

/* t's UTC day as "YYYY-MM-DD". */
void focus_date(time_t t, char *buf, size_t size);

/* The default calendar start: today's UTC midnight, or SOURCE_DATE_EPOCH's when set. */
time_t focus_default_start(void);

#endif
