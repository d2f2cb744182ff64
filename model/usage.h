/*
 * usage: token counts of one or many LLM calls, in the OpenTelemetry GenAI convention that
 * hypercap uses everywhere: `input` counts every prompt token, cache reads and cache writes
 * included (they are parts of it); `output` counts every generated token, reasoning included.
 * total = input + output.
 */
#ifndef MODEL_USAGE_H
#define MODEL_USAGE_H

#include <stdint.h>

struct usage {
	int64_t calls;
	int64_t input;
	int64_t cache_read;  /* part of input */
	int64_t cache_write; /* part of input */
	int64_t output;
	int64_t reasoning;   /* part of output */
	int64_t cache_write_1h; /* part of cache_write: written to the 1-hour cache */
};

static inline int64_t usage_total(const struct usage *u) { return u->input + u->output; }

static inline void usage_add(struct usage *sum, const struct usage *u)
{
	sum->calls += u->calls;
	sum->input += u->input;
	sum->cache_read += u->cache_read;
	sum->cache_write += u->cache_write;
	sum->cache_write_1h += u->cache_write_1h;
	sum->output += u->output;
	sum->reasoning += u->reasoning;
}

#endif
