/*
 * scenario_text: scenarios written inline in tests, with ' for " so they read as JSON, and
 * --set assignments applied in order (NULL-terminated).
 */
#ifndef TESTS_SCENARIO_TEXT_H
#define TESTS_SCENARIO_TEXT_H

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "model/scenario.h"

/* Returns scenario_from_json's code; the JSON and the assignments must be good. */
static inline int scenario_text_try(struct scenario *sc, struct hc_err *err, const char *text,
				    va_list ap)
{
	char *s = strdup(text);
	const char *set;

	ck_assert_ptr_nonnull(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	cJSON *root = cJSON_Parse(s);
	ck_assert_msg(root != NULL, "test JSON does not parse: %s", s);
	free(s);
	while ((set = va_arg(ap, const char *)))
		ck_assert_msg(scenario_apply_set(root, set, err) == 0, "--set %s: %s", set,
			      err->msg);
	int rc = scenario_from_json(sc, root, "test", err);
	cJSON_Delete(root);
	return rc;
}

static inline void scenario_text(struct scenario *sc, const char *text, ...)
{
	struct hc_err err = HC_ERR_INIT;
	va_list ap;

	va_start(ap, text);
	int rc = scenario_text_try(sc, &err, text, ap);
	va_end(ap);
	ck_assert_msg(rc == 0, "scenario: rc %d: %s", rc, err.msg);
}

#endif
