/*
 * endpoint: see endpoint.h.
 */
#include "model/endpoint.h"

void endpoint_limits_init(struct endpoint_limits *l, const struct endpoint *e)
{
	tbucket_init(&l->rpm, e->requests_per_minute / 60, e->requests_per_minute);
	tbucket_init(&l->tpm, e->tokens_per_minute / 60, e->tokens_per_minute);
}

double endpoint_limits_admit(struct endpoint_limits *l, double now, double tokens)
{
	double start = tbucket_reserve(&l->rpm, now, 1);
	double t = tbucket_reserve(&l->tpm, now, tokens);
	return t > start ? t : start;
}

double endpoint_latency(const struct endpoint *e, const struct usage *u)
{
	double latency = e->ttft_seconds + (double)u->output / e->decode_tokens_per_second;
	if (e->prefill_tokens_per_second > 0)
		latency += (double)u->input / e->prefill_tokens_per_second;
	return latency;
}
