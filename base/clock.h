/*
 * clock: seconds on the monotonic clock, for timeouts, intervals and progress; never a
 * calendar time (that is CLOCK_REALTIME's, or base/civil.h's).
 */
#ifndef BASE_CLOCK_H
#define BASE_CLOCK_H

/* CLOCK_MONOTONIC in seconds: only differences between two readings mean anything. */
double clock_monotonic_s(void);

#endif
