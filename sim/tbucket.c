/*
 * tbucket: see tbucket.h.
 *
 * The bucket is kept in closed form (level at t_last) rather than driven by refill events,
 * so a reservation costs O(1) and adds nothing to the event queue. Debt is allowed: a
 * reservation always takes its tokens at once, and the caller waits until the refill has
 * brought the level back to zero. Since the level only falls by what was reserved and only
 * rises at `rate`, start times are non-decreasing in call order (FIFO), and a saturated
 * bucket passes exactly `rate` tokens per time unit in the long run.
 */
#include "sim/tbucket.h"

void tbucket_init(struct tbucket *b, double rate, double burst)
{
	b->rate = rate;
	b->burst = burst;
	b->level = burst;
	b->t_last = 0.0;
}

double tbucket_reserve(struct tbucket *b, double now, double n)
{
	double level;

	if (b->rate <= 0.0)
		return now;
	if (now > b->t_last) {
		level = b->level + (now - b->t_last) * b->rate;
		b->level = level < b->burst ? level : b->burst;
		b->t_last = now;
	}
	b->level -= n;
	if (b->level >= 0.0)
		return now;
	/* With now < t_last (a contract breach) this still never returns before t_last. */
	return b->t_last + -b->level / b->rate;
}
