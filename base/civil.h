/*
 * civil: dates of the proleptic Gregorian calendar as days since 1970-01-01 (UTC), by
 * H. Hinnant's civil-days algorithms: exact for any year, no time zone, no libc state. For the
 * calendar of runs, the FOCUS export's months and the importers' ISO 8601 times.
 */
#ifndef BASE_CIVIL_H
#define BASE_CIVIL_H

/* Days from 1970-01-01 to y-m-d (m 1 to 12, d 1 to the month's days). */
long civil_days(long y, long m, long d);

/* The date of day z (days from 1970-01-01, negative before it). */
void civil_date(long z, long *y, long *m, long *d);

/* The days of month m (1 to 12) of year y. */
long civil_month_days(long y, long m);

/* a / b rounded towards minus infinity (b > 0): the day of a time in seconds, a negative one
 * included. */
long civil_floor_div(long a, long b);

#endif
