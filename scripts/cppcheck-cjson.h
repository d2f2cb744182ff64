/*
 * For cppcheck (make lint), which does not read system headers: cJSON's iteration macro,
 * as <cjson/cJSON.h> defines it, so that loops over JSON arrays parse.
 */
#define cJSON_ArrayForEach(element, array) \
	for (element = (array != NULL) ? (array)->child : NULL; element != NULL; \
	     element = element->next)
