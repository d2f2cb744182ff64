/*
 * What every Check suite shares: a test case per test, and the runner that sets the exit
 * status (ctest reads it).
 */
#ifndef TESTS_CHECK_MAIN_H
#define TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Adds test as its own test case, named name, with a timeout in seconds. */
static inline void check_add(Suite *s, const char *name, const TTest *test, double timeout)
{
	TCase *tc = tcase_create(name);
	tcase_add_test(tc, test);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
}

/* Runs the suite; EXIT_SUCCESS when every test passed. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
