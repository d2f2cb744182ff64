/*
 * tracestore: a trace's records kept in memory, packed, for the readers that go over them
 * again and again: the bootstrap's resamples (fit/fitboot.h) and the meter's projections
 * (fit/project.h), which would otherwise read and parse the file each time.
 *
 * A record takes 152 bytes, its strings held as ids into a table that keeps every distinct
 * string once: a trace's names (runs, nodes, roles, domains, tasks, models) repeat, its call
 * ids do not and add about 60 bytes each (the string, its pointer and its hash slots). A
 * record read back is the record that was added, field for field.
 *
 * Ownership as docs/development.md says: the caller allocates the store (TRACE_STORE_INIT),
 * trace_store_release frees what it holds.
 */
#ifndef TRACE_TRACESTORE_H
#define TRACE_TRACESTORE_H

#include <stddef.h>
#include "base/hc_err.h"
#include "base/strtab.h"
#include "trace/trace.h"

struct trace_packed; /* trace/tracestore.c */

struct trace_store {
	struct strtab strings;
	struct trace_packed *recs;
	size_t n, cap;
};

#define TRACE_STORE_INIT { STRTAB_INIT, NULL, 0, 0 }

/* Adds rec at the end. HC_ERUNTIME out of memory (the records held stay as they were). */
int trace_store_add(struct trace_store *s, const struct trace_record *rec, struct hc_err *err);

/* Record i (< s->n) into *rec. */
void trace_store_get(const struct trace_store *s, size_t i, struct trace_record *rec);

/* Empties the store, keeping nothing. */
void trace_store_release(struct trace_store *s);

#endif
