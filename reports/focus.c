/* focus: costs_focus.csv, the FOCUS 1.2 cost and usage export. Contracts in focus.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "reports/csvout.h"
#include "reports/focus.h"

const char *const focus_mandatory_columns[21] = {
	"BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "BillingAccountId",
	"BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
	"ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass",
	"ChargeDescription", "PricingQuantity", "PricingUnit", "InvoiceIssuerName",
	"ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
};

static const char *const extra_columns[] = {
	"x_ChargeType", "x_Iteration", "x_Role", "x_Model", "x_Domain", "x_InputTokens",
	"x_CachedTokens", "x_OutputTokens",
};

/* ---- the calendar (proleptic Gregorian, UTC; H. Hinnant's civil-days algorithms) ---- */

static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

static long floor_div(long a, long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The first instant of the month t falls in, and of the next one. */
static void month_of(time_t t, time_t *first, time_t *next)
{
	long y;
	unsigned m, d;
	civil_from_days(floor_div((long)t, 86400), &y, &m, &d);
	*first = (time_t)days_from_civil(y, m, 1) * 86400;
	*next = (time_t)days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
}

void focus_date(time_t t, char *buf, size_t size)
{
	long y;
	unsigned m, d;
	civil_from_days(floor_div((long)t, 86400), &y, &m, &d);
	snprintf(buf, size, "%04ld-%02u-%02u", y, m, d);
}

static void iso8601(time_t t, char *buf, size_t size)
{
	long y;
	unsigned m, d;
	long days = floor_div((long)t, 86400);
	long secs = (long)t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04ld-%02u-%02uT%02ld:%02ld:%02ldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60);
}

time_t focus_parse_date(const char *text)
{
	int y, m, d, used = 0;
	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 ||
	    used != 10 || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	long days = days_from_civil(y, (unsigned)m, (unsigned)d);
	long back_y;
	unsigned back_m, back_d;
	civil_from_days(days, &back_y, &back_m, &back_d);
	if (back_m != (unsigned)m || back_d != (unsigned)d) /* 2026-02-30 */
		return -1;
	return (time_t)days * 86400;
}

time_t focus_default_start(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t now = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
	return (time_t)floor_div((long)now, 86400) * 86400;
}

/* ---- charges ------------------------------------------------------------------------- */

/* A charge of a forecast: its period in simulated seconds. */
struct charge {
	double t0, t1;
	struct focus_charge c;
	char description[256];
};

struct writer {
	FILE *out;
	const struct forecast *f;
	time_t start;
	struct focus_account account;
	char account_id[SCENARIO_NAME_MAX + 16];
};

/* FOCUS reads an empty cell as null: an empty string is written as one, without quotes. */
static void text(FILE *out, const char *s)
{
	csvout_text(out, s && *s ? s : NULL);
}

static void number(FILE *out, double v)
{
	csvout_num(out, v, "%.12g");
}

static void write_row(FILE *out, const struct focus_account *acc, const struct focus_charge *c,
		      time_t a, time_t b, double share)
{
	char bill0[64], bill1[64], t0[64], t1[64];
	time_t first, next;
	month_of(a, &first, &next);
	iso8601(first, bill0, sizeof(bill0));
	iso8601(next, bill1, sizeof(bill1));
	iso8601(a, t0, sizeof(t0));
	iso8601(b, t1, sizeof(t1));
	double cost = c->cost * share;
	fprintf(out, "%.12g", cost);
	for (int i = 0; i < 3; i++)
		number(out, cost);              /* contracted, effective, list: list prices */
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
	number(out, c->quantity * share);
	text(out, c->unit);
	text(out, c->provider);
	text(out, c->provider);
	text(out, c->provider);
	text(out, c->category);
	text(out, c->service);
	text(out, c->type);
	number(out, c->iteration >= 0 ? (double)c->iteration : NAN);
	text(out, c->role);
	text(out, c->model);
	text(out, c->domain);
	number(out, c->input * share);
	number(out, c->cached * share);
	number(out, c->output * share);
	fputc('\n', out);
}

void focus_write_header(FILE *out)
{
	for (size_t i = 0; i < 21; i++)
		fprintf(out, "%s%s", i ? "," : "", focus_mandatory_columns[i]);
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

/* A forecast's charge on the calendar that starts at w->start. */
static void emit(const struct writer *w, struct charge *ch)
{
	ch->c.start = w->start + (time_t)llround(ch->t0);
	ch->c.end = w->start + (time_t)llround(ch->t1);
	ch->c.description = ch->description;
	focus_write_charge(w->out, &w->account, &ch->c);
}

/* ---- the forecast's charges, means over replications ---------------------------------- */

/* Per iteration, the means of what its charges need. */
struct focus_step {
	double t0, t1;
	double cpu_hours, gpu_hours;
	double fleet_usd[SCENARIO_MAX_FLEETS];
	double *usage;  /* [(role · n_targets + target) · 4]: input, cached, output, cost */
};

void focus_steps_add(struct focus_steps *s, const struct forecast *f, const struct loop_result *r)
{
	struct focus_step *steps = s->step;
	size_t nt = r->n_targets;
	double w = 1.0 / f->runs, t_end = 0;
	size_t i = 0;
	for (unsigned it = 0; it <= f->sc->iterations; it++) {
		struct focus_step *st = &steps[it];
		double t_start = t_end;
		for (; i < r->n_rows && r->rows[i].iteration == it; i++) {
			const struct iteration_row *row = &r->rows[i];
			t_end = fmax(t_end, row->finish_seconds);
			st->cpu_hours += row->sandbox_cpu_hours * w;
			st->gpu_hours += row->sandbox_gpu_hours * w;
			for (size_t k = 0; k < ROLE_COUNT * nt; k++) {
				const struct usage *u = &r->row_usage[i * ROLE_COUNT * nt + k];
				st->usage[k * 4] += (double)u->input * w;
				st->usage[k * 4 + 1] += (double)u->cache_read * w;
				st->usage[k * 4 + 2] += (double)u->output * w;
				st->usage[k * 4 + 3] += r->row_cost[i * ROLE_COUNT * nt + k] * w;
			}
		}
		st->t0 += t_start * w;
		st->t1 += t_end * w;
		double share = r->wall_seconds > 0 ? (t_end - t_start) / r->wall_seconds : 0;
		for (size_t k = 0; k < f->models.n_fleets; k++)
			st->fleet_usd[k] += r->fleet[k].cost_usd * share * w;
	}
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

static void token_charges(const struct writer *w, const struct focus_step *st, unsigned it)
{
	const struct forecast *f = w->f;
	const struct loop_models *m = &f->models;
	char domains[512];
	for (int role = 0; role < ROLE_COUNT; role++) {
		for (size_t k = 0; k < m->n; k++) {
			const double *u = &st->usage[((size_t)role * m->n + k) * 4];
			if (!m->prices[k] || u[0] + u[2] <= 0)
				continue;      /* fleet calls are billed as GPU-hours */
			target_domains(f, k, domains, sizeof(domains));
			struct charge ch = { .t0 = st->t0, .t1 = st->t1, .c = {
				.cost = u[3], .quantity = (u[0] + u[2]) / 1000,
				.unit = "1000 Tokens", .category = "AI and Machine Learning",
				.type = "api_tokens", .service = "LLM API",
				.provider = m->prices[k]->provider, .iteration = it,
				.role = role_name((enum role)role), .model = m->labels[k],
				.domain = role == ROLE_EVALUATE ? domains : "",
				.input = u[0], .cached = u[1], .output = u[2] } };
			snprintf(ch.description, sizeof(ch.description), "%s tokens on %s, "
				 "iteration %u", ch.c.role, ch.c.model, it);
			emit(w, &ch);
		}
	}
}

static void compute_charges(const struct writer *w, const struct focus_step *st, unsigned it)
{
	const struct forecast *f = w->f;
	const struct cost_params *cp = &f->sc->costs;
	struct charge ch = { .t0 = st->t0, .t1 = st->t1, .c = {
		.unit = "Hours", .category = "Compute", .service = "Sandbox compute",
		.provider = "sandbox provider", .type = "sandbox", .iteration = it, .role = "",
		.model = "", .domain = "", .input = NAN, .cached = NAN, .output = NAN } };
	struct focus_charge *c = &ch.c;
	c->quantity = st->cpu_hours * cp->sandbox_vcpus;
	c->cost = c->quantity * cp->vcpu_hour_usd;
	snprintf(ch.description, sizeof(ch.description), "sandbox vCPU-hours, iteration %u", it);
	if (c->quantity > 0)
		emit(w, &ch);
	c->quantity = st->gpu_hours;
	c->cost = c->quantity * cp->sim_gpu_hour_usd;
	c->type = "gpu_simulator";
	snprintf(ch.description, sizeof(ch.description), "simulator GPU-hours, iteration %u", it);
	if (c->quantity > 0)
		emit(w, &ch);
	for (size_t k = 0; k < f->models.n_fleets; k++) {
		const struct fleet *lf = &f->models.fleets[k];
		c->cost = st->fleet_usd[k];
		c->quantity = c->cost / lf->gpu_hour_usd;
		c->category = "AI and Machine Learning";
		c->service = "Self-hosted inference";
		c->provider = "self-hosted";
		c->type = "fleet_gpu_hours";
		for (size_t t = 0; t < f->models.n; t++)
			if (f->models.fleet[t] == (int)k)
				c->model = f->models.labels[t];
		snprintf(ch.description, sizeof(ch.description), "GPU-hours of fleet %s (%u x %u "
			 "%s, %s), iteration %u", lf->spec->name, lf->spec->replicas,
			 lf->replica.gpus, lf->spec->gpu,
			 gpu_pricing_name((enum gpu_pricing)lf->spec->pricing), it);
		emit(w, &ch);
	}
}

/* The archive kept retention_months after the run, month by month, and its requests. */
static void storage_charges(const struct writer *w, double end)
{
	const struct forecast *f = w->f;
	const struct cost_params *cp = &f->sc->costs;
	const double month = 730 * 3600.0;
	struct charge ch = { .c = {
		.unit = "GB-Months", .category = "Storage", .service = "Archive storage",
		.provider = "object storage", .type = "storage", .iteration = -1, .role = "",
		.model = "", .domain = "", .input = NAN, .cached = NAN, .output = NAN } };
	struct focus_charge *c = &ch.c;
	double gb = f->mean.archive_bytes / 1e9;
	for (double m = 0; m < cp->retention_months; m += 1) {
		double part = fmin(1, cp->retention_months - m);
		ch.t0 = end + m * month;
		ch.t1 = ch.t0 + part * month;
		c->quantity = gb * part;
		c->cost = c->quantity * cp->storage_usd_per_gb_month;
		snprintf(ch.description, sizeof(ch.description), "archive of %.3f GB, retention "
			 "month %.0f", gb, m + 1);
		emit(w, &ch);
	}
	ch.t0 = 0;
	ch.t1 = end;
	c->unit = "1000 Requests";
	c->type = "storage_requests";
	c->quantity = f->mean.storage_requests / 1000;
	c->cost = c->quantity * cp->storage_usd_per_1000_requests;
	snprintf(ch.description, sizeof(ch.description), "archive requests (writes and rebuild "
		 "reads)");
	emit(w, &ch);
}

int focus_steps_init(struct focus_steps *s, const struct forecast *f)
{
	unsigned n = f->sc->iterations + 1;
	size_t per_step = ROLE_COUNT * f->models.n * 4;
	s->n = n;
	s->step = calloc(n, sizeof(*s->step));
	s->usage = calloc((size_t)n * per_step, sizeof(*s->usage));
	if (!s->step || !s->usage) {
		focus_steps_release(s);
		return HC_ERUNTIME;
	}
	for (unsigned it = 0; it < n; it++)
		s->step[it].usage = s->usage + (size_t)it * per_step;
	return 0;
}

void focus_steps_release(struct focus_steps *s)
{
	free(s->usage);
	free(s->step);
	s->usage = NULL;
	s->step = NULL;
}

int focus_write(FILE *out, const struct forecast *f, const struct focus_steps *s, time_t start)
{
	const struct focus_step *steps = s->step;
	unsigned n = s->n;
	struct writer w = { .out = out, .f = f, .start = start };
	snprintf(w.account_id, sizeof(w.account_id), "hypercap:%s", f->sc->name);
	w.account = (struct focus_account){ w.account_id, f->sc->name };
	focus_write_header(out);
	for (unsigned it = 0; it < n; it++) {
		token_charges(&w, &steps[it], it);
		compute_charges(&w, &steps[it], it);
	}
	storage_charges(&w, f->mean.wall_hours * 3600);
	return 0;
}
