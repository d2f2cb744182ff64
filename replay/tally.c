/*
 * tally: see tally.h. Rows are found through string tables keyed by their number; cells of
 * an hour and a model by "hour\x1fmodel" ids. Sorting moves rows, so each hour row keeps the
 * id it had when its cells were keyed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "replay/tally.h"

static const char *const role_names[TALLY_ROLES] = { "self_modify", "evaluate", "other" };

const char *tally_role_name(enum tally_role r)
{
	return role_names[r];
}

void tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
}

void tally_release(struct tally *t)
{
	strtab_release(&t->iteration_keys);
	strtab_release(&t->hour_keys);
	strtab_release(&t->models);
	strtab_release(&t->cell_keys);
	free(t->iterations);
	free(t->hours);
	free(t->model_tokens);
	memset(t, 0, sizeof(*t));
}

static enum tally_role role_of(const char *role)
{
	return !strcmp(role, "self_modify") ? TALLY_SELF_MODIFY :
	       !strcmp(role, "evaluate")    ? TALLY_EVALUATE :
					      TALLY_OTHER;
}

static struct tally_iteration *iteration_row(struct tally *t, long iteration)
{
	char key[24];
	size_t id;
	snprintf(key, sizeof(key), "%ld", iteration);
	if (strtab_intern(&t->iteration_keys, key, &id))
		return NULL;
	if (id == t->n_iterations) {
		void *v = array_room(t->iterations, id, &t->cap_iterations, sizeof(*t->iterations));
		if (!v)
			return NULL;
		t->iterations = v;
		t->iterations[t->n_iterations++].iteration = iteration;
	}
	return &t->iterations[id];
}

static int hour_row(struct tally *t, long long hour, size_t *id)
{
	char key[24];
	snprintf(key, sizeof(key), "%lld", hour);
	if (strtab_intern(&t->hour_keys, key, id))
		return HC_ERUNTIME;
	if (*id < t->n_hours)
		return 0;
	void *v = array_room(t->hours, *id, &t->cap_hours, sizeof(*t->hours));
	if (!v)
		return HC_ERUNTIME;
	t->hours = v;
	t->hours[t->n_hours++].hour = hour;
	return 0;
}

static double *model_cell(struct tally *t, size_t hour_id, const char *model)
{
	char key[48];
	size_t model_id, cell;
	if (strtab_intern(&t->models, model, &model_id))
		return NULL;
	snprintf(key, sizeof(key), "%zu\x1f%zu", hour_id, model_id);
	if (strtab_intern(&t->cell_keys, key, &cell))
		return NULL;
	void *v = array_room(t->model_tokens, cell, &t->cap_cells, sizeof(*t->model_tokens));
	if (!v)
		return NULL;
	t->model_tokens = v;
	return &t->model_tokens[cell];
}

static int add_to_hour(struct tally *t, const struct trace_llm_call *c, const char *model,
		       enum tally_role role, double tokens, double cost)
{
	size_t id;
	if (hour_row(t, (long long)floor(c->start_time / 3600), &id))
		return HC_ERUNTIME;
	struct tally_hour *h = &t->hours[id];
	double *cell = model_cell(t, id, model);
	if (!cell)
		return HC_ERUNTIME;
	h->calls++;
	h->tokens[role] += tokens;
	*cell += tokens;
	if (!isnan(cost))
		h->cost_usd += cost;
	return 0;
}

int tally_add(struct tally *t, const struct trace_llm_call *c, const char *model, double cost,
	      struct hc_err *err)
{
	enum tally_role role = role_of(c->role);
	double tokens = c->has_usage ? (double)usage_total(&c->usage) : 0;
	if (c->iteration < 0) {
		t->without_iteration++;
	} else {
		struct tally_iteration *it = iteration_row(t, c->iteration);
		if (!it)
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
		it->calls[role]++;
		it->tokens[role] += tokens;
		if (c->has_usage) {
			usage_add(&it->usage, &c->usage);
			it->cost_usd += cost;
		} else {
			it->without_usage++;
		}
	}
	if (isnan(c->start_time)) {
		t->without_time++;
		return 0;
	}
	if (add_to_hour(t, c, model, role, tokens, c->has_usage ? cost : NAN))
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	return 0;
}

static int by_iteration(const void *a, const void *b)
{
	const struct tally_iteration *x = a, *y = b;
	return (x->iteration > y->iteration) - (x->iteration < y->iteration);
}

static int by_hour(const void *a, const void *b)
{
	const struct tally_hour *x = a, *y = b;
	return (x->hour > y->hour) - (x->hour < y->hour);
}

void tally_sort(struct tally *t)
{
	if (t->n_iterations)
		qsort(t->iterations, t->n_iterations, sizeof(*t->iterations), by_iteration);
	if (t->n_hours)
		qsort(t->hours, t->n_hours, sizeof(*t->hours), by_hour);
}

double tally_model_tokens(const struct tally *t, size_t h, size_t model)
{
	char key[48];
	/* the hour's id is where hour_keys put it, before sorting */
	snprintf(key, sizeof(key), "%lld", t->hours[h].hour);
	long hour_id = strtab_find(&t->hour_keys, key);
	snprintf(key, sizeof(key), "%ld\x1f%zu", hour_id, model);
	long cell = strtab_find(&t->cell_keys, key);
	return cell < 0 ? 0 : t->model_tokens[cell];
}
