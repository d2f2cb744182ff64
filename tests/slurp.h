/*
 * slurp: a whole file read into a NUL-terminated string the caller frees, or NULL when the
 * file cannot be opened; for the suites that read back what the binary wrote.
 */
#ifndef TESTS_SLURP_H
#define TESTS_SLURP_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

#endif
