/* bill: the components of a results directory's bill, largest first. Contracts in bill.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "base/jsonfile.h"
#include "reports/bill.h"
#include "reports/numfmt.h"

static struct bill_part *bill_add(struct bill *b, double usd)
{
	if (!(usd > 0) || b->n == BILL_MAX)
		return NULL;
	struct bill_part *p = &b->part[b->n++];
	memset(p, 0, sizeof(*p));
	p->usd = usd;
	return p;
}

/* One part per API model: its tokens at the sheet's list prices. */
static void api_parts(const cJSON *s, struct bill *b)
{
	const cJSON *by = json_get(s, "cost_usd", "by_model"), *m;
	const char *date = json_get_str(s, "prices", "date");
	const char *kind = json_get_str(s, "kind", NULL);
	int recorded = kind && !strcmp(kind, "replay");
	char t[32], in[32], cached[32], out[32];
	if (!by) {
		struct bill_part *p = bill_add(b, json_get_num(s, "cost_usd", "api"));
		if (p) {
			snprintf(p->name, sizeof(p->name), "API");
			snprintf(p->basis, sizeof(p->basis), "the calls' tokens at the list prices "
				 "of %s", date ? date : "the price sheet");
		}
		return;
	}
	cJSON_ArrayForEach(m, by) {
		struct bill_part *p = cJSON_IsNumber(m) ? bill_add(b, m->valuedouble) : NULL;
		const cJSON *d = json_get(json_get(s, "tokens", "detail_by_model"), m->string,
					  NULL);
		if (!p)
			continue;
		snprintf(p->name, sizeof(p->name), "API: %.80s", m->string);
		snprintf(p->basis, sizeof(p->basis), "%s tokens (%s input, of which %s cached "
			 "reads; %s output) at its list prices of %s; %s",
			 numfmt_count(json_get_num(d, "total", NULL), t, sizeof(t)),
			 numfmt_count(json_get_num(d, "input", NULL), in, sizeof(in)),
			 numfmt_count(json_get_num(d, "cache_read", NULL), cached, sizeof(cached)),
			 numfmt_count(json_get_num(d, "output", NULL), out, sizeof(out)),
			 date ? date : "the price sheet", recorded ? "the tokens as recorded" :
			 "the tokens per call and calls per session the scenario assumes");
	}
}

/* The self-hosted fleets: provisioned GPU-hours, idle ones included. */
static void fleet_part(const cJSON *s, struct bill *b)
{
	struct bill_part *p = bill_add(b, json_get_num(s, "cost_usd", "self_hosted"));
	const cJSON *f;
	size_t k = 0;
	if (!p)
		return;
	snprintf(p->name, sizeof(p->name), "self-hosted fleets");
	cJSON_ArrayForEach(f, json_get(s, "fleets", NULL)) {
		size_t len = strlen(p->basis);
		snprintf(p->basis + len, sizeof(p->basis) - len, "%s%.40s: %.0f GPU-hours at "
			 "$%.2f/GPU-hour %s, %.1f%% busy", k++ ? "; " : "", f->string ? f->string
			 : "", json_get_num(f, "gpu_hours", NULL),
			 json_get_num(f, "gpu_hour_usd", NULL),
			 json_get_str(f, "pricing", NULL) ? json_get_str(f, "pricing", NULL) : "",
			 100 * json_get_num(f, "utilisation", NULL));
	}
	if (!k)
		snprintf(p->basis, sizeof(p->basis), "provisioned GPU-hours over the wall time");
}

/* Appends " robotics 1800 s" (or "mean 1800 s") per domain whose sandbox holds a GPU. */
static void gpu_domains(const cJSON *sc, char *buf, size_t size)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, json_get(sc, "domains", NULL)) {
		const cJSON *t = json_get(d, "sandbox_seconds", NULL);
		const char *name = json_get_str(d, "name", NULL);
		double mean = cJSON_IsNumber(t) ? t->valuedouble : json_get_num(t, "mean", NULL);
		size_t len = strlen(buf);
		if (!(json_get_num(d, "sandbox_gpus", NULL) > 0) || !name || isnan(mean))
			continue;
		snprintf(buf + len, size - len, " %.60s %s%g s", name,
			 cJSON_IsNumber(t) ? "" : "mean ", mean);
	}
}

/* Sandbox compute: GPU simulators and vCPUs apart when their parts add up to compute. */
static void compute_parts(const cJSON *s, const cJSON *sc, struct bill *b)
{
	double compute = json_get_num(s, "cost_usd", "compute");
	double gpu_h = json_get_num(s, "sandbox", "gpu_hours");
	double cpu_h = json_get_num(s, "sandbox", "cpu_hours");
	double gpu_rate = json_get_num(sc, "costs", "sim_gpu_hour_usd");
	double vcpus = json_get_num(sc, "costs", "sandbox_vcpus");
	double vcpu_rate = json_get_num(sc, "costs", "vcpu_hour_usd");
	double gpu = gpu_h * gpu_rate, cpu = cpu_h * vcpus * vcpu_rate;
	struct bill_part *p;
	if (!(fabs(gpu + cpu - compute) <= 1e-6 * (compute > 1 ? compute : 1))) {
		if ((p = bill_add(b, compute)) != NULL) {
			snprintf(p->name, sizeof(p->name), "sandboxes and GPU simulators");
			snprintf(p->basis, sizeof(p->basis), "sandbox vCPU-hours and simulator "
				 "GPU-hours at the scenario's rates (costs.*)");
		}
		return;
	}
	if ((p = bill_add(b, gpu)) != NULL) {
		snprintf(p->name, sizeof(p->name), "GPU simulators");
		snprintf(p->basis, sizeof(p->basis), "%.1f GPU-hours of tasks holding a simulator "
			 "GPU at $%.2f/GPU-hour (costs.sim_gpu_hour_usd); a task's sandbox time, as "
			 "the scenario assumes it:", gpu_h, gpu_rate);
		gpu_domains(sc, p->basis, sizeof(p->basis));
	}
	if ((p = bill_add(b, cpu)) != NULL) {
		snprintf(p->name, sizeof(p->name), "sandbox vCPUs");
		snprintf(p->basis, sizeof(p->basis), "%.1f sandbox-hours x %g vCPUs at $%.4f/"
			 "vCPU-hour (costs.sandbox_vcpus, costs.vcpu_hour_usd)", cpu_h, vcpus,
			 vcpu_rate);
	}
}

static void storage_part(const cJSON *s, const cJSON *sc, struct bill *b)
{
	struct bill_part *p = bill_add(b, json_get_num(s, "cost_usd", "storage"));
	double growing = json_get_num(s, "archive", "gb_months_during_run");
	double kept = json_get_num(s, "archive", "retained_bytes");
	char bytes[32], during[64] = "";
	if (!p)
		return;
	if (!isnan(growing)) /* results written before storage was billed during the run */
		snprintf(during, sizeof(during), "%.4g GB-months while the archive grows, then ",
			 growing);
	snprintf(p->name, sizeof(p->name), "storage");
	snprintf(p->basis, sizeof(p->basis), "%s%s kept %g months, at $%g/GB-month "
		 "(costs.storage_usd_per_gb_month, costs.retention_months); writes at the PUT "
		 "rate, reads at the GET rate", during,
		 numfmt_bytes(isnan(kept) ? json_get_num(s, "archive", "bytes") : kept, bytes,
			      sizeof(bytes)),
		 json_get_num(sc, "costs", "retention_months"),
		 json_get_num(sc, "costs", "storage_usd_per_gb_month"));
}

static int by_usd(const void *a, const void *b)
{
	const struct bill_part *x = a, *y = b;
	return (x->usd < y->usd) - (x->usd > y->usd);
}

void bill_parts(const cJSON *summary, const cJSON *scenario, struct bill *b)
{
	double sum = 0;
	b->n = 0;
	b->total = 0;
	if (!json_get(summary, "cost_usd", NULL))
		return;
	api_parts(summary, b);
	fleet_part(summary, b);
	compute_parts(summary, scenario, b);
	storage_part(summary, scenario, b);
	/* insertion order breaks ties: a stable sort by dollars, descending */
	for (size_t i = 1; i < b->n; i++)
		for (size_t j = i; j > 0 && by_usd(&b->part[j - 1], &b->part[j]) > 0; j--) {
			struct bill_part t = b->part[j];
			b->part[j] = b->part[j - 1];
			b->part[j - 1] = t;
		}
	for (size_t i = 0; i < b->n; i++)
		sum += b->part[i].usd;
	b->total = json_get_num(summary, "cost_usd", "total");
	if (!(b->total > 0))
		b->total = sum;
	for (size_t i = 0; i < b->n; i++)
		b->part[i].share = b->total > 0 ? b->part[i].usd / b->total : 0;
}
