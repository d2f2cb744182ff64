/*
 * bill: what drives a results directory's bill. The cost components of summary.json's
 * cost_usd, largest first, each with its share of the total and the assumption it rests on
 * (docs/report.md, "What drives this bill"). Sandbox compute is split into the GPU
 * simulators (sandbox.gpu_hours x costs.sim_gpu_hour_usd) and the sandboxes' vCPUs
 * (sandbox.cpu_hours x costs.sandbox_vcpus x costs.vcpu_hour_usd) when scenario.json gives the
 * rates and the two parts add up to cost_usd.compute; otherwise it stays one component.
 * Everything is read from the two files; nothing is priced here.
 */
#ifndef REPORTS_BILL_H
#define REPORTS_BILL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define BILL_MAX 40

struct bill_part {
	char name[96];     /* "API: gpt-4o", "GPU simulators", ... */
	double usd, share; /* share of bill.total, 0 to 1 */
	char basis[400];   /* the quantities and rates it is made of, and where they come from */
};

struct bill {
	size_t n;
	struct bill_part part[BILL_MAX]; /* dollars descending; equal ones in reading order */
	double total;                    /* cost_usd.total, or the sum of the parts without it */
};

/*
 * Fills b from summary (summary.json) and scenario (scenario.json, or NULL). Components of
 * zero dollars are left out; b->n is 0 when summary has no cost_usd.
 */
void bill_parts(const cJSON *summary, const cJSON *scenario, struct bill *b);

#endif
