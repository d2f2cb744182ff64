/*
 * assignment: a scenario assignment written in a JSON file (a grid's "set" and axes, a
 * variants file's "set") as the "path=value" text --set takes (model/scenario.h).
 */
#ifndef MODEL_ASSIGNMENT_H
#define MODEL_ASSIGNMENT_H

#include <cjson/cJSON.h>
#include "base/hc_err.h"

#define ASSIGNMENT_PATH_MAX 255 /* scenario_apply_set's limit */

/*
 * A path as --set takes it: dot-separated non-empty parts, no '=', at most
 * ASSIGNMENT_PATH_MAX characters. HC_EINPUT "<origin>: <where>: got the path ...; allowed:
 * ..." otherwise.
 */
int assignment_check_path(const char *origin, const char *where, const char *path,
			  struct hc_err *err);

/* "path=value" with the value as JSON, so that --set reads it back with its type; the
 * caller frees it. NULL when memory runs out. */
char *assignment_text(const char *path, const cJSON *value);

#endif
