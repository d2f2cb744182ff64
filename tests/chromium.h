/*
 * Headless Chromium for the tests that render a page (test_browser: report.html; test_meter:
 * the meter's live page): where it is, or a skip the environment asks for.
 */
#ifndef TESTS_CHROMIUM_H
#define TESTS_CHROMIUM_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first of chromium, chromium-browser on PATH, or NULL. */
static inline const char *find_chromium(void)
{
	static const char *const names[] = { "chromium", "chromium-browser" };
	static char found[1024];
	for (size_t k = 0; k < 2; k++)
		for (const char *env = getenv("PATH"); env && *env;) {
			size_t len = strcspn(env, ":");
			snprintf(found, sizeof(found), "%.*s/%s", (int)len, env, names[k]);
			if (len && !access(found, X_OK))
				return found;
			env += len + (env[len] == ':');
		}
	return NULL;
}

/*
 * Chromium's path; NULL when it is missing and HYPERCAP_SKIP_BROWSER=1 (the test named by
 * who skips); missing otherwise fails the test.
 */
static inline const char *chromium_or_skip(const char *who)
{
	const char *bin = find_chromium();
	const char *skip = getenv("HYPERCAP_SKIP_BROWSER");
	if (!bin && skip && !strcmp(skip, "1")) {
		fprintf(stderr, "%s: SKIPPED: chromium is not on PATH and HYPERCAP_SKIP_BROWSER=1\n",
			who);
		return NULL;
	}
	ck_assert_msg(bin != NULL, "chromium is not on PATH: install it (scripts/deps.sh "
		      "installs Debian's chromium) or set HYPERCAP_SKIP_BROWSER=1 to skip");
	return bin;
}

#endif
