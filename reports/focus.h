/*
 * focus: costs_focus.csv, the forecast's bill as a FOCUS 1.2 cost and usage export
 * (docs/focus.md): one row per charge (iteration, role, model and charge type: API tokens,
 * fleet GPU-hours, sandbox compute, storage), means over replications, on a calendar that
 * starts at a given UTC day. The BilledCost column sums to summary.json's cost_usd.total.
 */
#ifndef REPORTS_FOCUS_H
#define REPORTS_FOCUS_H

#include <stdio.h>
#include <time.h>
#include "model/forecast.h"

/* The 21 mandatory columns of FOCUS 1.2 (FACTS §4), in the order the file writes them. */
extern const char *const focus_mandatory_columns[21];

/*
 * The forecast's charges per iteration, means over replications, summed as the replications
 * finish (a forecast's sink hands them in order, so the sums do not depend on threads).
 */
struct focus_steps {
	struct focus_step *step; /* n */
	double *usage;
	unsigned n;              /* iterations + 1 */
};

/* Sized for f's iterations and targets; HC_ERUNTIME when memory runs out. */
int focus_steps_init(struct focus_steps *s, const struct forecast *f);
/* Adds replication r (call in replication order). */
void focus_steps_add(struct focus_steps *s, const struct forecast *f, const struct loop_result *r);
void focus_steps_release(struct focus_steps *s);

/* Writes the header and the forecast's charges from s. start: the calendar time (UTC
 * seconds) of the run's simulated time 0. Returns 0. */
int focus_write(FILE *out, const struct forecast *f, const struct focus_steps *s, time_t start);

/* The billing account of a file's rows. */
struct focus_account {
	const char *id, *name;
};

/* One charge; text fields may be "" (written empty), token counts NAN (not a token charge). */
struct focus_charge {
	time_t start, end;          /* UTC seconds; end <= start is given one second */
	double cost, quantity;
	const char *unit, *category, *service, *provider, *type, *description;
	long iteration;             /* -1: none */
	const char *role, *model, *domain;
	double input, cached, output;
};

void focus_write_header(FILE *out);
/* Writes c as one row per calendar month its period touches, amounts split by time. */
void focus_write_charge(FILE *out, const struct focus_account *acc, const struct focus_charge *c);

/* "YYYY-MM-DD" to the UTC seconds of that midnight; -1 when it is not such a date. */
time_t focus_parse_date(const char *text);

/* t's UTC day as "YYYY-MM-DD". */
void focus_date(time_t t, char *buf, size_t size);

/* The default calendar start: today's UTC midnight, or SOURCE_DATE_EPOCH's when set. */
time_t focus_default_start(void);

#endif
