/* focus: costs_focus.csv, the FOCUS 1.2 cost and usage export. Contracts in focus.h. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/civil.h"
#include "reports/csvout.h"
#include "reports/focus.h"

const char *const focus_mandatory_columns[21] = {
	"BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "BillingAccountId",
	"BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
	"ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass",
	"ChargeDescription", "PricingQuantity", "PricingUnit", "InvoiceIssuerName",
	"ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
};

const char *const focus_optional_columns[FOCUS_OPTIONAL_COLUMNS] = {
	"ChargeFrequency", "CommitmentDiscountStatus", "ConsumedQuantity", "ConsumedUnit",
	"InvoiceId", "ListUnitPrice", "PricingCurrencyContractedUnitPrice",
	"PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "ServiceSubcategory",
	"SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "Tags",
};

static const char *const extra_columns[] = {
	"x_Source", "x_ChargeType", "x_Iteration", "x_Role", "x_Model", "x_Domain",
};

/* ---- the calendar (base/civil) ---- */

/* The first instant of the month t falls in, and of the next one. */
static void month_of(time_t t, time_t *first, time_t *next)
{
	long y, m, d;
	civil_date(civil_floor_div((long)t, 86400), &y, &m, &d);
	*first = (time_t)civil_days(y, m, 1) * 86400;
	*next = (time_t)civil_days(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
}

void focus_date(time_t t, char *buf, size_t size)
{
	long y, m, d;
	civil_date(civil_floor_div((long)t, 86400), &y, &m, &d);
	snprintf(buf, size, "%04ld-%02ld-%02ld", y, m, d);
}

static void iso8601(time_t t, char *buf, size_t size)
{
	long y, m, d;
	long days = civil_floor_div((long)t, 86400);
	long secs = (long)t - days * 86400;
	civil_date(days, &y, &m, &d);
	snprintf(buf, size, "%04ld-%02ld-%02ldT%02ld:%02ld:%02ldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60);
}

/* Four digits, '-', two digits, '-', two digits: what sscanf's %d alone lets pass (a sign, a
 * blank) is not a date. */
static int date_shape(const char *text)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? text[i] != '-' : text[i] < '0' || text[i] > '9')
			return 0;
	return text[10] == '\0';
}

time_t focus_parse_date(const char *text)
{
	int y, m, d, used = 0;
	if (!date_shape(text) || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 ||
	    used != 10 || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > civil_month_days(y, m)) /* 2026-02-30 */
		return -1;
	return (time_t)civil_days(y, m, d) * 86400;
}

time_t focus_default_start(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t now = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
	return (time_t)civil_floor_div((long)now, 86400) * 86400;
}

/* ---- charges ------------------------------------------------------------------------- */

/* A charge of a forecast's mean run, and its description's text. */
struct charge {
	struct focus_charge c;
	char description[256];
};

/* The parts of the bill monthly.csv splits by, and what each charge belongs to. */
enum component { PART_API, PART_SELF_HOSTED, PART_STORAGE, PART_COMPUTE, PARTS };

struct writer {
	FILE *out;
	const struct forecast *f;
	time_t t0, t1;          /* the calendar month being written, its hours on the calendar */
	double runs[PARTS];     /* the month's runs' worth of each part (set_month) */
	struct focus_account account;
	char account_id[SCENARIO_NAME_MAX + 16];
};

/* FOCUS reads an empty cell as null: an empty string is written as one, without quotes. */
static void text(FILE *out, const char *s)
{
	csvout_text(out, s && *s ? s : NULL);
}

/*
 * v in fixed-point notation (FOCUS's NumericFormat has no exponents) with the fewest decimals
 * that read back as v, so that a product of written numbers can be written exactly too.
 * Non-finite values are written empty (null).
 */
static void fixed(char *buf, size_t size, double v)
{
	buf[0] = '\0';
	if (!isfinite(v))
		return;
	if (v == 0) {
		snprintf(buf, size, "0");
		return;
	}
	/* the fewest significant digits that read back (17 always do), by bisection */
	int lo = 1, hi = 17;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		snprintf(buf, size, "%.*e", mid - 1, v);
		if (strtod(buf, NULL) == v)
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(buf, size, "%.*e", lo - 1, v);
	int decimals = lo - 1 - atoi(strchr(buf, 'e') + 1);
	snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
}

static void number(FILE *out, double v)
{
	char buf[400];
	fixed(buf, sizeof(buf), v);
	fputc(',', out);
	fputs(buf, out);
}

/* A number already written by fixed(), after a comma. */
static void cell(FILE *out, const char *number)
{
	fputc(',', out);
	fputs(number, out);
}

/* A row's amounts as written: the product of the first two, as read back, is the third. */
struct amounts {
	char price[400], quantity[400], cost[400];
};

static void row_amounts(const struct focus_charge *c, double share, struct amounts *am)
{
	double unit_price = c->quantity > 0 ? c->cost / c->quantity : c->rate;
	if (fabs(unit_price - c->rate) <= 1e-12 * c->rate)
		unit_price = c->rate;           /* the list rate, not its rounding noise */
	fixed(am->price, sizeof(am->price), unit_price);
	fixed(am->quantity, sizeof(am->quantity), c->quantity * share);
	fixed(am->cost, sizeof(am->cost),
	      strtod(am->price, NULL) * strtod(am->quantity, NULL));
}

/* Tags: the charge's source, iteration and role as provider-defined tags (a JSON object). */
static void tags(FILE *out, const struct focus_charge *c)
{
	char iteration[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "hypercap/source", c->source);
	snprintf(iteration, sizeof(iteration), "%ld", c->iteration);
	if (c->iteration >= 0)
		cJSON_AddStringToObject(o, "hypercap/iteration", iteration);
	if (*c->role)
		cJSON_AddStringToObject(o, "hypercap/role", c->role);
	char *json = cJSON_PrintUnformatted(o);
	text(out, json ? json : "{}");
	cJSON_free(json);
	cJSON_Delete(o);
}

/* SkuPriceDetails and SkuPriceId (SkuId@rate) of c. */
static void sku_price(FILE *out, const struct focus_charge *c)
{
	char rate[400], details[600], id[600];
	fixed(rate, sizeof(rate), c->rate);
	snprintf(details, sizeof(details), "{\"x_ListUnitPrice\":%s,\"x_PricingUnit\":\"%s\"}",
		 *rate ? rate : "null", c->unit);
	snprintf(id, sizeof(id), "%s@%s", c->sku, rate);
	text(out, details);
	text(out, id);
}

static void write_row(FILE *out, const struct focus_account *acc, const struct focus_charge *c,
		      time_t a, time_t b, double share)
{
	char bill0[64], bill1[64], t0[64], t1[64];
	struct amounts am;
	time_t first, next;
	month_of(a, &first, &next);
	iso8601(first, bill0, sizeof(bill0));
	iso8601(next, bill1, sizeof(bill1));
	iso8601(a, t0, sizeof(t0));
	iso8601(b, t1, sizeof(t1));
	row_amounts(c, share, &am);
	fputs(am.cost, out);
	for (int i = 0; i < 3; i++)
		cell(out, am.cost);             /* contracted, effective, list: list prices */
	text(out, acc->id);
	text(out, acc->name);
	text(out, "USD");
	text(out, bill0);
	text(out, bill1);
	text(out, t0);
	text(out, t1);
	text(out, "Usage");
	text(out, NULL);                        /* ChargeClass: not a correction */
	text(out, c->description);
	cell(out, am.quantity);
	text(out, c->unit);
	for (int i = 0; i < 3; i++)
		text(out, c->provider);         /* invoice issuer, provider, publisher */
	text(out, c->category);
	text(out, c->service);
	text(out, "Usage-Based");               /* ChargeFrequency */
	text(out, NULL);                        /* CommitmentDiscountStatus: no commitments */
	number(out, c->consumed * share);
	text(out, c->consumed_unit);
	text(out, NULL);                        /* InvoiceId: not invoiced */
	cell(out, am.price);
	cell(out, am.price);                    /* the pricing currency is the billing one */
	cell(out, am.cost);
	cell(out, am.price);
	text(out, c->subcategory);
	text(out, c->sku);
	text(out, c->meter);
	sku_price(out, c);
	tags(out, c);
	text(out, c->source);
	text(out, c->type);
	number(out, c->iteration >= 0 ? (double)c->iteration : NAN);
	text(out, c->role);
	text(out, c->model);
	text(out, c->domain);
	fputc('\n', out);
}

void focus_write_header(FILE *out)
{
	for (size_t i = 0; i < 21; i++)
		fprintf(out, "%s%s", i ? "," : "", focus_mandatory_columns[i]);
	for (size_t i = 0; i < FOCUS_OPTIONAL_COLUMNS; i++)
		fprintf(out, ",%s", focus_optional_columns[i]);
	for (size_t i = 0; i < sizeof(extra_columns) / sizeof(extra_columns[0]); i++)
		fprintf(out, ",%s", extra_columns[i]);
	fputc('\n', out);
}

void focus_write_charge(FILE *out, const struct focus_account *acc, const struct focus_charge *c)
{
	time_t a = c->start, b = c->end;
	if (b <= a)
		b = a + 1;                      /* FOCUS: a period ends after it starts */
	double length = (double)(b - a);
	while (a < b) {
		time_t first, next;
		month_of(a, &first, &next);
		time_t end = b < next ? b : next;
		write_row(out, acc, c, a, end, (double)(end - a) / length);
		a = end;
	}
}

/* The token SKUs: their names and where struct price keeps their base rate. */
static const struct token_sku {
	const char *id, *meter, *kind;
	size_t rate;
} token_skus[] = {
	{ "input", "Input Tokens", "input", offsetof(struct price, input) },
	{ "cache-read", "Cache Read Tokens", "cache read", offsetof(struct price, cache_read) },
	{ "cache-write-5m", "Cache Write Tokens (5 minutes)", "cache write",
	  offsetof(struct price, cache_write) },
	{ "cache-write-1h", "Cache Write Tokens (1 hour)", "1-hour cache write",
	  offsetof(struct price, cache_write_1h) },
	{ "output", "Output Tokens", "output", offsetof(struct price, output) },
	{ "reasoning", "Reasoning Tokens", "reasoning", offsetof(struct price, reasoning_output) },
};
#define TOKEN_SKUS (sizeof(token_skus) / sizeof(token_skus[0]))

/* One SKU's row of a token charge: part of its cost, tokens at rate (USD per 1M tokens). */
static void token_row(FILE *out, const struct focus_account *acc, const struct focus_charge *c,
		      const struct price *p, size_t k, double part, double tokens, double rate)
{
	struct focus_charge s = *c;
	char sku[PRICE_PROVIDER_MAX + PRICE_NAME_MAX + 32], description[512];
	snprintf(sku, sizeof(sku), "%s/%s/%s", p->provider, p->name, token_skus[k].id);
	snprintf(description, sizeof(description), "%s%s%s tokens on %s, %s", c->role,
		 *c->role ? " " : "", token_skus[k].kind, c->model, c->description);
	s.cost = c->cost * part;
	s.quantity = tokens / 1e6;
	s.consumed = tokens;
	s.rate = rate;
	s.unit = "1000000 Tokens";
	s.consumed_unit = "Tokens";
	s.sku = sku;
	s.meter = token_skus[k].meter;
	s.description = description;
	focus_write_charge(out, acc, &s);
}

void focus_write_tokens(FILE *out, const struct focus_account *acc, const struct focus_charge *c,
			const struct price *p, const struct focus_tokens *t)
{
	/* reasoning is a SKU of its own only where the sheet prices it apart from output */
	double reasoning = isfinite(p->reasoning_output) ? t->reasoning : 0;
	double tokens[TOKEN_SKUS] = { t->input - t->cache_read - t->cache_write, t->cache_read,
				      t->cache_write - t->cache_write_1h, t->cache_write_1h,
				      t->output - reasoning, reasoning };
	double rate[TOKEN_SKUS], weight = 0, total = 0;
	for (size_t k = 0; k < TOKEN_SKUS; k++) {
		rate[k] = *(const double *)(const void *)((const char *)p + token_skus[k].rate);
		if (tokens[k] > 0 && isfinite(rate[k]))
			weight += tokens[k] * rate[k];
		total += fmax(tokens[k], 0);
	}
	for (size_t k = 0; k < TOKEN_SKUS; k++) {
		if (tokens[k] <= 0)
			continue;
		/* a SKU without a rate has no share of a cost the others explain */
		double part = weight > 0 ? (isfinite(rate[k]) ? tokens[k] * rate[k] / weight : 0)
					 : tokens[k] / total;
		token_row(out, acc, c, p, k, part, tokens[k], rate[k]);
	}
}

/* A charge of the mean run in the month being written: its runs' worth of part k. */
static void emit(const struct writer *w, struct charge *ch, enum component k)
{
	double runs = w->runs[k];
	if (!(runs > 0) || !(ch->c.cost > 0 || ch->c.quantity > 0))
		return;
	ch->c.start = w->t0;
	ch->c.end = w->t1;
	ch->c.description = ch->description;
	ch->c.source = "forecast";
	ch->c.cost *= runs;
	ch->c.quantity *= runs;
	ch->c.consumed *= runs;
	focus_write_charge(w->out, &w->account, &ch->c);
}

/* ---- the forecast's charges, means over replications ---------------------------------- */

/* The run's means of what its charges need, over its iterations. */
struct focus_step {
	double cpu_hours, gpu_hours;
	double fleet_usd[SCENARIO_MAX_FLEETS];
	/* [(role · n_targets + target) · USAGE_MEANS]: input, cache read, cache write, output,
	 * cost */
	double *usage;
};
#define USAGE_MEANS 5

static void add_usage(double *sum, const struct usage *u, double cost, double w)
{
	sum[0] += (double)u->input * w;
	sum[1] += (double)u->cache_read * w;
	sum[2] += (double)u->cache_write * w;
	sum[3] += (double)u->output * w;
	sum[4] += cost * w;
}

void focus_steps_add(struct focus_steps *s, const struct forecast *f, const struct loop_result *r)
{
	struct focus_step *st = s->step;
	size_t nt = r->n_targets;
	double w = 1.0 / f->runs;
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct iteration_row *row = &r->rows[i];
		st->cpu_hours += row->sandbox_cpu_hours * w;
		st->gpu_hours += row->sandbox_gpu_hours * w;
		for (size_t k = 0; k < ROLE_COUNT * nt; k++)
			add_usage(&st->usage[k * USAGE_MEANS], &r->row_usage[i * ROLE_COUNT * nt + k],
				  r->row_cost[i * ROLE_COUNT * nt + k], w);
	}
	for (size_t k = 0; k < f->models.n_fleets; k++)
		st->fleet_usd[k] += r->fleet[k].cost_usd * w;
}

/* The domains whose calls go to target k, joined with ';' (empty for none). */
static void target_domains(const struct forecast *f, size_t k, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t d = 0; d < f->sc->n_domains && used < size; d++)
		if ((size_t)f->models.domain[d] == k)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ";" : "",
						 f->sc->domains[d].name);
}

static void token_charges(const struct writer *w, const struct focus_step *st)
{
	const struct forecast *f = w->f;
	const struct loop_models *m = &f->models;
	double runs = w->runs[PART_API];
	char domains[512];
	for (int role = 0; role < ROLE_COUNT; role++) {
		for (size_t k = 0; k < m->n; k++) {
			const double *u = &st->usage[((size_t)role * m->n + k) * USAGE_MEANS];
			if (!m->prices[k] || u[0] + u[3] <= 0 || !(runs > 0))
				continue;      /* fleet calls are billed as GPU-hours */
			target_domains(f, k, domains, sizeof(domains));
			struct focus_charge c = {
				.start = w->t0, .end = w->t1, .cost = u[4] * runs,
				.category = "AI and Machine Learning", .subcategory = "Generative AI",
				.type = "api_tokens", .service = "LLM API",
				.provider = m->prices[k]->provider, .description = "this month's runs",
				.source = "forecast", .iteration = -1,
				.role = role_name((enum role)role), .model = m->labels[k],
				.domain = role == ROLE_EVALUATE ? domains : "" };
			/* a forecast's means do not split 1-hour writes or reasoning out */
			struct focus_tokens t = { u[0] * runs, u[1] * runs, u[2] * runs,
						  u[3] * runs, 0, 0 };
			focus_write_tokens(w->out, &w->account, &c, m->prices[k], &t);
		}
	}
}

/* The sandbox's vCPU-hours and simulator GPU-hours of the run. */
static void sandbox_charges(const struct writer *w, const struct focus_step *st)
{
	const struct cost_params *cp = &w->f->sc->costs;
	struct charge ch = { .c = {
		.unit = "Hours", .consumed_unit = "Hours", .category = "Compute",
		.subcategory = "Containers", .service = "Sandbox compute",
		.provider = "sandbox provider", .type = "sandbox", .sku = "sandbox/vcpu-hour",
		.meter = "vCPU Hours", .iteration = -1, .role = "", .model = "", .domain = "" } };
	struct focus_charge *c = &ch.c;
	c->quantity = c->consumed = st->cpu_hours * cp->sandbox_vcpus;
	c->rate = cp->vcpu_hour_usd;
	c->cost = c->quantity * c->rate;
	snprintf(ch.description, sizeof(ch.description), "sandbox vCPU-hours of this month's runs");
	emit(w, &ch, PART_COMPUTE);
	ch.c = (struct focus_charge){ .unit = "Hours", .consumed_unit = "Hours",
		.category = "Compute", .subcategory = "Containers",
		.service = "Sandbox compute", .provider = "sandbox provider",
		.type = "gpu_simulator", .sku = "sandbox/simulator-gpu-hour",
		.meter = "GPU Hours", .iteration = -1, .role = "", .model = "", .domain = "" };
	c->quantity = c->consumed = st->gpu_hours;
	c->rate = cp->sim_gpu_hour_usd;
	c->cost = c->quantity * c->rate;
	snprintf(ch.description, sizeof(ch.description), "simulator GPU-hours of this month's runs");
	emit(w, &ch, PART_COMPUTE);
}

/* Each fleet's GPU-hours of the run. */
static void fleet_charges(const struct writer *w, const struct focus_step *st)
{
	const struct forecast *f = w->f;
	for (size_t k = 0; k < f->models.n_fleets; k++) {
		const struct fleet *lf = &f->models.fleets[k];
		char sku[SCENARIO_NAME_MAX + 32];
		struct charge ch = { .c = {
			.unit = "Hours", .consumed_unit = "Hours",
			.category = "AI and Machine Learning", .subcategory = "Generative AI",
			.service = "Self-hosted inference", .provider = "self-hosted",
			.type = "fleet_gpu_hours", .sku = sku, .meter = "GPU Hours",
			.iteration = -1, .role = "", .model = "", .domain = "" } };
		struct focus_charge *c = &ch.c;
		snprintf(sku, sizeof(sku), "self-hosted/%s/gpu-hour", lf->spec->name);
		c->cost = st->fleet_usd[k];
		c->rate = lf->gpu_hour_usd;
		c->quantity = c->consumed = c->cost / lf->gpu_hour_usd;
		for (size_t t = 0; t < f->models.n; t++)
			if (f->models.fleet[t] == (int)k)
				c->model = f->models.labels[t];
		snprintf(ch.description, sizeof(ch.description), "GPU-hours of fleet %s (%u x %u "
			 "%s, %s) for this month's runs", lf->spec->name, lf->spec->replicas,
			 lf->replica.gpus, lf->spec->gpu,
			 gpu_pricing_name((enum gpu_pricing)lf->spec->pricing));
		emit(w, &ch, PART_SELF_HOSTED);
	}
}

/* The requests: writes at the PUT rate, rebuild reads at the GET rate. */
static void request_charges(const struct writer *w, struct charge *ch)
{
	const struct forecast *f = w->f;
	const struct cost_params *cp = &f->sc->costs;
	struct focus_charge *c = &ch->c;
	c->unit = "1000 Requests";
	c->consumed_unit = "Requests";
	c->type = "storage_requests";
	c->meter = "Requests";
	c->sku = "object-storage/1000-writes";
	c->rate = cp->storage_usd_per_1000_requests;
	c->quantity = f->mean.storage_writes / 1000;
	c->consumed = f->mean.storage_writes;
	c->cost = c->quantity * c->rate;
	snprintf(ch->description, sizeof(ch->description), "archive writes (patches, artifacts)");
	emit(w, ch, PART_STORAGE);
	c->sku = "object-storage/1000-reads";
	c->rate = cp->storage_usd_per_1000_reads;
	c->quantity = f->mean.storage_reads / 1000;
	c->consumed = f->mean.storage_reads;
	c->cost = c->quantity * c->rate;
	snprintf(ch->description, sizeof(ch->description), "archive reads (rebuilds)");
	emit(w, ch, PART_STORAGE);
}

/* The archive as it grows during the run, then what the retention policies keep for
 * retention_months after it, and its requests. */
static void storage_charges(const struct writer *w)
{
	const struct forecast *f = w->f;
	const struct cost_params *cp = &f->sc->costs;
	struct charge ch = { .c = {
		.unit = "GB-Months", .consumed_unit = "GB-Months", .category = "Storage",
		.subcategory = "Object Storage", .service = "Archive storage",
		.provider = "object storage", .type = "storage", .sku = "object-storage/gb-month",
		.meter = "Storage", .rate = cp->storage_usd_per_gb_month, .iteration = -1,
		.role = "", .model = "", .domain = "" } };
	struct focus_charge *c = &ch.c;
	double gb = f->mean.archive_bytes / 1e9, kept = f->mean.retained_bytes / 1e9;
	c->quantity = c->consumed = f->mean.archive_gb_months;
	c->cost = c->quantity * c->rate;
	snprintf(ch.description, sizeof(ch.description), "archive during the run, growing to "
		 "%.3f GB", gb);
	emit(w, &ch, PART_STORAGE);
	c->quantity = c->consumed = kept * cp->retention_months;
	c->cost = c->quantity * c->rate;
	snprintf(ch.description, sizeof(ch.description), "archive of %.3f GB kept %g months "
		 "after the run", kept, cp->retention_months);
	emit(w, &ch, PART_STORAGE);
	request_charges(w, &ch);
}

int focus_steps_init(struct focus_steps *s, const struct forecast *f)
{
	s->step = calloc(1, sizeof(*s->step));
	s->usage = calloc(ROLE_COUNT * f->models.n * USAGE_MEANS, sizeof(*s->usage));
	if (!s->step || !s->usage) {
		focus_steps_release(s);
		return HC_ERUNTIME;
	}
	s->step->usage = s->usage;
	return 0;
}

void focus_steps_release(struct focus_steps *s)
{
	free(s->usage);
	free(s->step);
	s->usage = NULL;
	s->step = NULL;
}

/* The mean run's dollars of each part, as monthly.csv splits them. */
static void mean_parts(const struct forecast *f, double part[PARTS])
{
	part[PART_API] = f->mean.cost_api;
	part[PART_SELF_HOSTED] = f->mean.cost_self_hosted;
	part[PART_STORAGE] = f->mean.cost_storage;
	part[PART_COMPUTE] = f->mean.cost_compute;
}

/* w's window and runs' worth for calendar month mo: its dollars over the mean run's. */
static void set_month(struct writer *w, const struct calendar_month *mo, time_t start)
{
	double mean[PARTS];
	const double usd[PARTS] = { mo->usd_api, mo->usd_self_hosted, mo->usd_storage,
				    mo->usd_compute };
	time_t first = (time_t)civil_days(mo->year, mo->month, 1) * 86400;
	w->t0 = first > start ? first : start;
	w->t1 = (time_t)civil_days(mo->month == 12 ? mo->year + 1 : mo->year,
				   mo->month == 12 ? 1 : mo->month + 1, 1) * 86400;
	mean_parts(w->f, mean);
	for (int k = 0; k < PARTS; k++)
		w->runs[k] = mean[k] > 0 ? usd[k] / mean[k] : 0;
}

int focus_write(FILE *out, const struct forecast *f, const struct focus_steps *s,
		const struct calendar *cal, time_t start)
{
	struct writer w = { .out = out, .f = f };
	snprintf(w.account_id, sizeof(w.account_id), "hypercap:%s", f->sc->name);
	w.account = (struct focus_account){ w.account_id, f->sc->name };
	focus_write_header(out);
	for (size_t i = 0; i < cal->n; i++) {
		set_month(&w, &cal->month[i], start);
		token_charges(&w, s->step);
		sandbox_charges(&w, s->step);
		fleet_charges(&w, s->step);
		storage_charges(&w);
	}
	return 0;
}
