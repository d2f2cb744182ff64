/* assignment: "path=value" from a JSON file. Contracts in assignment.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/assignment.h"

int assignment_check_path(const char *origin, const char *where, const char *path,
			  struct hc_err *err)
{
	size_t len = strlen(path);
	int ok = len && len <= ASSIGNMENT_PATH_MAX && !strchr(path, '=') && path[0] != '.' &&
		 path[len - 1] != '.' && !strstr(path, "..");
	if (ok)
		return 0;
	return hc_err_set(err, HC_EINPUT, "%s: %s: got the path \"%s\"; allowed: a scenario field "
			  "as --set takes it (dot-separated names or indexes, no '=', at most %d "
			  "characters), e.g. domains.paper_review.full_tasks", origin, where, path,
			  ASSIGNMENT_PATH_MAX);
}

char *assignment_text(const char *path, const cJSON *value)
{
	char *text = cJSON_PrintUnformatted(value);
	if (!text)
		return NULL;
	size_t n = strlen(path) + strlen(text) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s=%s", path, text);
	free(text);
	return s;
}
