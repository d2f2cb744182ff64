/*
 * civil: days since 1970-01-01 against dates Python's datetime counts independently, the
 * round trip over four centuries, month lengths in leap and common years, and floor division.
 */
#include "base/civil.h"
#include "tests/check_main.h"

START_TEST(known_dates)
{
	ck_assert_int_eq(civil_days(1970, 1, 1), 0);
	ck_assert_int_eq(civil_days(2026, 12, 6), 20793);  /* datetime.date difference */
	ck_assert_int_eq(civil_days(1900, 3, 1), -25508);
	ck_assert_int_eq(civil_days(2000, 3, 1) - civil_days(2000, 2, 28), 2); /* a leap year */
	ck_assert_int_eq(civil_days(1900, 3, 1) - civil_days(1900, 2, 28), 1); /* not one */
}
END_TEST

START_TEST(round_trip)
{
	long y, m, d, z = civil_days(1800, 1, 1), end = civil_days(2200, 1, 1);
	long py = 1799, pm = 12, pd = 31;
	for (; z < end; z++) {
		civil_date(z, &y, &m, &d);
		ck_assert_int_eq(civil_days(y, m, d), z);
		/* the day after the previous one */
		if (d == 1) {
			ck_assert_int_eq(pd, civil_month_days(py, pm));
			ck_assert(m == pm % 12 + 1);
		} else {
			ck_assert_int_eq(d, pd + 1);
		}
		py = y, pm = m, pd = d;
	}
}
END_TEST

START_TEST(month_days_and_floor)
{
	ck_assert_int_eq(civil_month_days(2024, 2), 29);
	ck_assert_int_eq(civil_month_days(2026, 2), 28);
	ck_assert_int_eq(civil_month_days(2000, 2), 29);
	ck_assert_int_eq(civil_month_days(2100, 2), 28);
	ck_assert_int_eq(civil_month_days(2026, 12), 31);
	ck_assert_int_eq(civil_floor_div(-1, 86400), -1);
	ck_assert_int_eq(civil_floor_div(-86400, 86400), -1);
	ck_assert_int_eq(civil_floor_div(86399, 86400), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("civil");
	check_add(s, "known_dates", known_dates, 10);
	check_add(s, "round_trip", round_trip, 30);
	check_add(s, "month_days_and_floor", month_days_and_floor, 10);
	return check_run(s);
}
