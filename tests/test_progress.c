/*
 * progress: the text of the progress line, its rate and time left against hand-computed
 * values.
 */
#include <math.h>
#include <string.h>
#include "reports/progress.h"
#include "tests/check_main.h"

START_TEST(rate_and_time_left)
{
	ck_assert_double_eq_tol(progress_rate(350, 8.5), 41.176470588, 1e-8);
	ck_assert_double_eq(progress_rate(0, 8.5), 0);
	ck_assert_double_eq(progress_rate(10, 0), 0);
	/* 650 left at 350 / 8.5 s each: 650 * 8.5 / 350 = 15.7857 s */
	ck_assert_double_eq_tol(progress_eta(350, 1000, 8.5), 15.785714286, 1e-8);
	ck_assert_double_eq(progress_eta(1000, 1000, 20), 0);
	ck_assert(progress_eta(0, 1000, 3) < 0);
}
END_TEST

START_TEST(durations)
{
	char buf[32];
	ck_assert_str_eq(progress_duration(0, buf, sizeof(buf)), "0:00");
	ck_assert_str_eq(progress_duration(15.7857, buf, sizeof(buf)), "0:16");
	ck_assert_str_eq(progress_duration(59.4, buf, sizeof(buf)), "0:59");
	ck_assert_str_eq(progress_duration(59.6, buf, sizeof(buf)), "1:00");
	ck_assert_str_eq(progress_duration(3599.4, buf, sizeof(buf)), "59:59");
	ck_assert_str_eq(progress_duration(3600 + 62, buf, sizeof(buf)), "1:01:02");
	ck_assert_str_eq(progress_duration(-1, buf, sizeof(buf)), "-:--");
	ck_assert_str_eq(progress_duration(NAN, buf, sizeof(buf)), "-:--");
	ck_assert_str_eq(progress_duration(INFINITY, buf, sizeof(buf)), "-:--");
}
END_TEST

START_TEST(lines)
{
	char buf[160];
	ck_assert_str_eq(progress_format(buf, sizeof(buf), "simulate:", 350, 1000, 8.5),
			 "simulate: [#######-------------]  350/1000 replications  41.2/s  "
			 "0:16 left");
	ck_assert_str_eq(progress_format(buf, sizeof(buf), "sweep:", 0, 40, 0.3),
			 "sweep: [--------------------]  0/40 replications  0.00/s  -:-- left");
	ck_assert_str_eq(progress_format(buf, sizeof(buf), "sweep:", 40, 40, 2),
			 "sweep: [####################]  40/40 replications  20.0/s  0:00 left");
	ck_assert_str_eq(progress_format(buf, sizeof(buf), "x:", 12345, 100000, 10),
			 "x: [##------------------]  12345/100000 replications  1234/s  1:11 left");
	/* total unknown (plan): no bar and no time left */
	ck_assert_str_eq(progress_format(buf, sizeof(buf), "plan: point 3,", 70, 0, 2.5),
			 "plan: point 3,  70 replications  28.0/s");
	/* cut to the buffer, never overrun */
	char small[12];
	ck_assert_str_eq(progress_format(small, sizeof(small), "simulate:", 1, 2, 1),
			 "simulate: [");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("progress");
	check_add(s, "rate_and_time_left", rate_and_time_left, 10);
	check_add(s, "durations", durations, 10);
	check_add(s, "lines", lines, 10);
	return check_run(s);
}
