/*
 * tbucket: a token bucket for rate limits (requests per minute, tokens per minute).
 *
 * The bucket refills at `rate` tokens per time unit up to `burst`. tbucket_reserve takes n
 * tokens for a request arriving at `now` and returns when it may start: at once when the
 * bucket holds n, otherwise when the refill has covered the debt. Reservations are served in
 * call order (the level may go negative, which queues later callers behind earlier ones), so
 * a request larger than the burst still passes, after waiting. The long-run throughput of a
 * saturated bucket equals `rate`. A rate <= 0 means no limit.
 */
#ifndef SIM_TBUCKET_H
#define SIM_TBUCKET_H

struct tbucket {
	double rate;   /* tokens per time unit; <= 0: unlimited */
	double burst;  /* capacity */
	double level;  /* tokens available at t_last; negative while callers wait */
	double t_last;
};

void tbucket_init(struct tbucket *b, double rate, double burst);
/* Requires now to be non-decreasing across calls. Returns the start time (>= now). */
double tbucket_reserve(struct tbucket *b, double now, double n);

#endif
