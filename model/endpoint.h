/*
 * endpoint: an LLM API endpoint as the loop (model/loop.c) and re-timing (replay/retime.c)
 * see it: its rate limits, which admit calls, and how long a call lasts once admitted
 * (docs/model.md, "Endpoints").
 *
 * Admission: a requests-per-minute and a tokens-per-minute token bucket (sim/tbucket.h), each
 * refilling at its limit / 60 per second with a minute's worth of burst; a call starts when
 * both have let it through, callers served in request order.
 * Latency: ttft_seconds + input / prefill_tokens_per_second (when that is > 0)
 * + output / decode_tokens_per_second.
 */
#ifndef MODEL_ENDPOINT_H
#define MODEL_ENDPOINT_H

#include "model/usage.h"
#include "sim/tbucket.h"

#define ENDPOINT_NAME_MAX 96 /* SCENARIO_NAME_MAX, as scenario.h asserts */

/* What an endpoint is: the scenario's models[] entries (model/scenario.c's table). */
struct endpoint {
	char name[ENDPOINT_NAME_MAX];
	double ttft_seconds;
	double prefill_tokens_per_second; /* 0: input length does not add latency */
	double decode_tokens_per_second;
	double requests_per_minute;       /* 0: no limit */
	double tokens_per_minute;         /* 0: no limit */
};

/* An endpoint's rate limits during one run. */
struct endpoint_limits {
	struct tbucket rpm, tpm;
};

/* Full buckets for e's limits (a limit of 0: that bucket lets everything through). */
void endpoint_limits_init(struct endpoint_limits *l, const struct endpoint *e);

/*
 * When a call of `tokens` tokens (input + output) asked for at now may start (>= now); it
 * takes one request and its tokens from the buckets. Requires now to be non-decreasing.
 */
double endpoint_limits_admit(struct endpoint_limits *l, double now, double tokens);

/* Seconds an admitted call of usage u lasts on e (the formula above). */
double endpoint_latency(const struct endpoint *e, const struct usage *u);

#endif
