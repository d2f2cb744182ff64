/* session: the token model of one agentic LLM session. Contracts in session.h. */
#include <math.h>
#include "model/session.h"

double session_draw_count(const struct dist *d, struct rng *r, double lo)
{
	double x = round(dist_sample(d, r));
	return x < lo ? lo : x;
}

void session_start(struct session *s, const struct session_params *p, struct rng *r)
{
	double k = session_draw_count(&p->calls, r, 1);
	s->p = p;
	s->calls = k > p->max_calls ? p->max_calls : (unsigned)k;
	s->done = 0;
	s->context = session_draw_count(&p->prompt_tokens, r, 0);
	s->prev_input = 0;
}

/*
 * The part of the previous input that OpenAI's automatic caching can read: nothing below
 * SESSION_CACHE_MIN_PREFIX tokens, else the prefix rounded down to 1,024 + 128·k
 * (docs/model.md, "Sessions").
 */
static double automatic_cacheable(double prev_input)
{
	if (prev_input < SESSION_CACHE_MIN_PREFIX)
		return 0;
	return floor(prev_input / SESSION_CACHE_STEP) * SESSION_CACHE_STEP;
}

double session_cache_read(const struct session_params *p, double prev_input)
{
	if (p->caching == CACHING_OFF)
		return 0;
	if (p->caching == CACHING_AUTOMATIC)
		prev_input = automatic_cacheable(prev_input);
	return p->cache_hit_rate * prev_input;
}

int session_next(struct session *s, struct rng *r, struct usage *u, double *tool_seconds)
{
	const struct session_params *p = s->p;
	if (s->done == s->calls)
		return 0;
	double out = session_draw_count(&p->output_tokens, r, 0);
	if (out > p->max_output_tokens)
		out = p->max_output_tokens;
	double reasoning = round(out * p->reasoning_fraction);
	double read = round(session_cache_read(p, s->prev_input));

	*u = (struct usage){ .calls = 1 };
	u->input = (int64_t)s->context;
	u->output = (int64_t)out;
	u->reasoning = (int64_t)reasoning;
	u->cache_read = (int64_t)read;
	if (p->caching == CACHING_EXPLICIT)
		u->cache_write = u->input - u->cache_read;

	s->prev_input = s->context;
	s->context += out - reasoning + session_draw_count(&p->tool_result_tokens, r, 0);
	s->done++;
	double t = dist_sample(&p->tool_seconds, r);
	*tool_seconds = t > 0 ? t : 0;
	return 1;
}
