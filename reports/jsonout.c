/* jsonout: JSON documents written whole or not at all. Contracts in jsonout.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/atomicfile.h"
#include "reports/jsonout.h"

#define MAX_FILES 8

int jsonout_put(FILE *f, const cJSON *tree)
{
	char *text = cJSON_Print(tree);
	if (!text)
		return HC_ERUNTIME;
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return 0;
}

int jsonout_files(size_t n, const char *const *paths, const cJSON *const *trees,
		  struct hc_err *err)
{
	struct atomicfile files[MAX_FILES];
	size_t opened = 0;
	int rc = n > MAX_FILES ? hc_err_set(err, HC_ERUNTIME, "too many files at once") : 0;
	for (; !rc && opened < n; opened++) {
		struct atomicfile *af = &files[opened];
		rc = atomicfile_open(af, paths[opened], err);
		errno = 0;
		if (!rc && (jsonout_put(af->f, trees[opened]) || fflush(af->f) || ferror(af->f)))
			rc = hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", paths[opened],
					errno ? strerror(errno) : "out of memory");
	}
	/* every document is written before the first rename */
	for (size_t i = 0; !rc && i < n; i++)
		rc = atomicfile_commit(&files[i], err);
	for (size_t i = 0; i < opened; i++)
		atomicfile_abort(&files[i]);
	return rc;
}

cJSON *jsonout_add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char digits[24];
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return cJSON_AddRawToObject(obj, key, digits);
}
