/* tracestore: records kept in memory, packed. Contracts in tracestore.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"
#include "trace/tracestore.h"

/* The string fields of each kind, by offset into its struct. */
static const size_t call_strings[] = {
	offsetof(struct trace_llm_call, id),       offsetof(struct trace_llm_call, run),
	offsetof(struct trace_llm_call, node),     offsetof(struct trace_llm_call, parent),
	offsetof(struct trace_llm_call, role),     offsetof(struct trace_llm_call, domain),
	offsetof(struct trace_llm_call, task),     offsetof(struct trace_llm_call, provider),
	offsetof(struct trace_llm_call, model),    offsetof(struct trace_llm_call, status),
	offsetof(struct trace_llm_call, estimate_method),
	offsetof(struct trace_llm_call, service_tier),
};
static const size_t task_strings[] = {
	offsetof(struct trace_eval_task, node), offsetof(struct trace_eval_task, domain),
	offsetof(struct trace_eval_task, task), offsetof(struct trace_eval_task, result),
};
static const size_t add_strings[] = {
	offsetof(struct trace_archive_add, node), offsetof(struct trace_archive_add, parent),
};

#define N_STRINGS(a) (sizeof(a) / sizeof(*(a)))

struct packed_call {
	uint32_t str[N_STRINGS(call_strings)];
	double start_time, end_time;
	long iteration, retries;
	struct usage usage;
	unsigned char has_usage, estimated, batch;
};

struct packed_task {
	uint32_t str[N_STRINGS(task_strings)];
	double start_time, end_time, sandbox_seconds;
	long long artifact_bytes;
};

struct packed_add {
	uint32_t str[N_STRINGS(add_strings)];
	long iteration;
	double score;
	long long patch_bytes, artifact_bytes;
};

struct trace_packed {
	enum trace_kind kind;
	union {
		struct packed_call call;
		struct packed_task task;
		struct packed_add add;
	} u;
};

/* The string fields of base (a record's struct) at offsets[0 .. n) as ids into str[]. */
static int pack_strings(struct strtab *t, const void *base, const size_t *offsets, size_t n,
			uint32_t *str)
{
	for (size_t i = 0; i < n; i++) {
		size_t id;
		if (strtab_intern(t, (const char *)base + offsets[i], &id) || id > UINT32_MAX)
			return -1;
		str[i] = (uint32_t)id;
	}
	return 0;
}

static void unpack_strings(const struct strtab *t, void *base, const size_t *offsets, size_t n,
			   const uint32_t *str)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = strtab_str(t, str[i]);
		memcpy((char *)base + offsets[i], s, strlen(s) + 1);
	}
}

static int pack_call(struct strtab *t, const struct trace_llm_call *c, struct packed_call *p)
{
	*p = (struct packed_call){ .start_time = c->start_time, .end_time = c->end_time,
				   .iteration = c->iteration, .retries = c->retries,
				   .usage = c->usage, .has_usage = (unsigned char)c->has_usage,
				   .estimated = (unsigned char)c->estimated,
				   .batch = (unsigned char)c->batch };
	return pack_strings(t, c, call_strings, N_STRINGS(call_strings), p->str);
}

static void unpack_call(const struct strtab *t, const struct packed_call *p,
			struct trace_llm_call *c)
{
	unpack_strings(t, c, call_strings, N_STRINGS(call_strings), p->str);
	c->start_time = p->start_time;
	c->end_time = p->end_time;
	c->iteration = p->iteration;
	c->retries = p->retries;
	c->usage = p->usage;
	c->has_usage = p->has_usage;
	c->estimated = p->estimated;
	c->batch = p->batch;
}

static int pack_task(struct strtab *t, const struct trace_eval_task *k, struct packed_task *p)
{
	*p = (struct packed_task){ .start_time = k->start_time, .end_time = k->end_time,
				   .sandbox_seconds = k->sandbox_seconds,
				   .artifact_bytes = k->artifact_bytes };
	return pack_strings(t, k, task_strings, N_STRINGS(task_strings), p->str);
}

static void unpack_task(const struct strtab *t, const struct packed_task *p,
			struct trace_eval_task *k)
{
	unpack_strings(t, k, task_strings, N_STRINGS(task_strings), p->str);
	k->start_time = p->start_time;
	k->end_time = p->end_time;
	k->sandbox_seconds = p->sandbox_seconds;
	k->artifact_bytes = p->artifact_bytes;
}

static int pack_add(struct strtab *t, const struct trace_archive_add *a, struct packed_add *p)
{
	*p = (struct packed_add){ .iteration = a->iteration, .score = a->score,
				  .patch_bytes = a->patch_bytes,
				  .artifact_bytes = a->artifact_bytes };
	return pack_strings(t, a, add_strings, N_STRINGS(add_strings), p->str);
}

static void unpack_add(const struct strtab *t, const struct packed_add *p,
		       struct trace_archive_add *a)
{
	unpack_strings(t, a, add_strings, N_STRINGS(add_strings), p->str);
	a->iteration = p->iteration;
	a->score = p->score;
	a->patch_bytes = p->patch_bytes;
	a->artifact_bytes = p->artifact_bytes;
}

int trace_store_add(struct trace_store *s, const struct trace_record *rec, struct hc_err *err)
{
	struct trace_packed *grown = array_room(s->recs, s->n, &s->cap, sizeof(*s->recs));
	int rc = -1;
	if (grown) {
		struct trace_packed *p = &grown[s->n];
		s->recs = grown;
		p->kind = rec->kind;
		if (rec->kind == TRACE_LLM_CALL)
			rc = pack_call(&s->strings, &rec->u.call, &p->u.call);
		else if (rec->kind == TRACE_EVAL_TASK)
			rc = pack_task(&s->strings, &rec->u.task, &p->u.task);
		else
			rc = pack_add(&s->strings, &rec->u.add, &p->u.add);
	}
	if (rc)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	s->n++;
	return 0;
}

void trace_store_get(const struct trace_store *s, size_t i, struct trace_record *rec)
{
	const struct trace_packed *p = &s->recs[i];
	rec->kind = p->kind;
	if (p->kind == TRACE_LLM_CALL)
		unpack_call(&s->strings, &p->u.call, &rec->u.call);
	else if (p->kind == TRACE_EVAL_TASK)
		unpack_task(&s->strings, &p->u.task, &rec->u.task);
	else
		unpack_add(&s->strings, &p->u.add, &rec->u.add);
}

void trace_store_release(struct trace_store *s)
{
	strtab_release(&s->strings);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}
