/*
 * array: the growth rule (doubling from a minimum, overflow refused) and array_room's zeroed
 * new elements.
 */
#include <stdint.h>
#include <stdlib.h>
#include "base/array.h"
#include "tests/check_main.h"

START_TEST(capacity_doubles_from_the_minimum)
{
	ck_assert_uint_eq(array_capacity(0, 1, 16, 8), 16);
	ck_assert_uint_eq(array_capacity(0, 17, 16, 8), 32);
	ck_assert_uint_eq(array_capacity(16, 17, 16, 8), 32);
	ck_assert_uint_eq(array_capacity(16, 100, 16, 8), 128);
	ck_assert_uint_eq(array_capacity(24, 25, 16, 8), 48);
	ck_assert_uint_eq(array_capacity(64, 10, 16, 8), 64); /* already holds it */
	ck_assert_uint_eq(array_capacity(0, 0, 0, 8), 1);
}
END_TEST

START_TEST(capacity_refuses_what_overflows)
{
	size_t most = SIZE_MAX / 16;
	ck_assert_uint_eq(array_capacity(0, most + 1, 64, 16), 0);
	ck_assert_uint_eq(array_capacity(SIZE_MAX / 2 + 1, SIZE_MAX, 1, 1), 0);
	ck_assert_uint_eq(array_capacity((size_t)1 << 40, ((size_t)1 << 40) + 1, 1, 1 << 30), 0);
	ck_assert_uint_eq(array_capacity(most / 2, most - 1, 1, 16), most / 2 * 2);
	ck_assert_uint_eq(array_capacity(most / 2, most, 1, 16), 0); /* most is odd */
}
END_TEST

START_TEST(room_grows_and_zeroes)
{
	size_t cap = 0;
	int *v = NULL;
	for (size_t n = 0; n < 1000; n++) {
		v = array_room(v, n, &cap, sizeof(*v));
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_gt(cap, n);
		ck_assert_int_eq(v[n], 0);
		v[n] = (int)n + 1;
	}
	ck_assert_uint_eq(cap, 1024);
	for (size_t n = 0; n < 1000; n++)
		ck_assert_int_eq(v[n], (int)n + 1);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("array");
	check_add(s, "capacity_doubles_from_the_minimum", capacity_doubles_from_the_minimum, 10);
	check_add(s, "capacity_refuses_what_overflows", capacity_refuses_what_overflows, 10);
	check_add(s, "room_grows_and_zeroes", room_grows_and_zeroes, 10);
	return check_run(s);
}
