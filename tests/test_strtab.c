/*
 * strtab: dense ids in first-seen order, the same id for the same string, across the
 * rehashes of a growing table.
 */
#include <stdio.h>
#include <string.h>
#include "base/strtab.h"
#include "tests/check_main.h"

START_TEST(ids_are_dense_and_stable)
{
	struct strtab t = STRTAB_INIT;
	char name[32];
	size_t id;
	ck_assert_int_eq(strtab_find(&t, "x"), -1);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "node-%zu", i);
		ck_assert_int_eq(strtab_intern(&t, name, &id), 0);
		ck_assert_uint_eq(id, i);
	}
	ck_assert_int_eq(strtab_intern(&t, "", &id), 0);
	ck_assert_uint_eq(id, 5000);
	for (size_t i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "node-%zu", i);
		ck_assert_int_eq(strtab_intern(&t, name, &id), 0);
		ck_assert_uint_eq(id, i);
		ck_assert_int_eq(strtab_find(&t, name), (long)i);
		ck_assert_str_eq(strtab_str(&t, i), name);
	}
	ck_assert_uint_eq(t.n, 5001);
	ck_assert_int_eq(strtab_find(&t, "node-5000"), -1);
	ck_assert_int_eq(strtab_find(&t, ""), 5000);
	strtab_release(&t);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strtab");
	check_add(s, "ids_are_dense_and_stable", ids_are_dense_and_stable, 10);
	return check_run(s);
}
