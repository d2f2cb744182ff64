/*
 * session: the token model of one agentic LLM session (docs/model.md, "Sessions").
 *
 * The session makes K calls. Call 1's input is the prompt; each later call's input is the
 * previous call's input plus that call's visible output (output minus reasoning) and the tool
 * result appended after it. With prompt caching the previous call's input is a prefix already
 * in the cache: `automatic` (OpenAI) reads cache_hit_rate of it once it is at least
 * SESSION_CACHE_MIN_PREFIX tokens, rounded down to a multiple of SESSION_CACHE_STEP (the
 * expected read of a call that hits the whole cacheable prefix with probability
 * cache_hit_rate); `explicit` reads cache_hit_rate of it and writes the rest of the input
 * (call 1 writes its whole prompt).
 */
#ifndef MODEL_SESSION_H
#define MODEL_SESSION_H

#include "model/scenario.h"
#include "model/usage.h"
#include "sim/rng.h"

/* OpenAI's prompt caching: prefixes of 1,024 tokens or more, in steps of 128 (FACTS §2) */
#define SESSION_CACHE_MIN_PREFIX 1024.0
#define SESSION_CACHE_STEP 128.0

struct session {
	const struct session_params *p;
	unsigned calls;      /* drawn at the start */
	unsigned done;
	double context;      /* input of the next call */
	double prev_input;
};

/*
 * The tokens a call reads from the cache when the previous call's input was prev_input: 0
 * without caching, else cache_hit_rate of what the caching mode can read (unrounded; a
 * simulated call reads this rounded to a whole token).
 */
double session_cache_read(const struct session_params *p, double prev_input);

/* Draws the number of calls and the prompt. */
void session_start(struct session *s, const struct session_params *p, struct rng *r);

/*
 * Draws the next call: its usage (calls = 1) and the tool time that follows it. Returns 1,
 * or 0 when the session has made all its calls.
 */
int session_next(struct session *s, struct rng *r, struct usage *u, double *tool_seconds);

/* A draw rounded to a whole count, at least lo (negative draws of a normal become lo). */
double session_draw_count(const struct dist *d, struct rng *r, double lo);

#endif
