/* jsonout: JSON documents written whole or not at all. Contracts in jsonout.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "reports/jsonout.h"

#define MAX_FILES 8
#define TMP_SUFFIX ".tmp-XXXXXX"

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

/* Writes tree into a new temporary file beside path; its name into tmp. */
static int write_tmp(const char *path, const cJSON *tree, char *tmp, size_t size,
		     struct hc_err *err)
{
	tmp[0] = '\0';
	if (strlen(path) + sizeof(TMP_SUFFIX) > size)
		return hc_err_set(err, HC_EUSAGE, "'%s': the path is too long", path);
	snprintf(tmp, size, "%s" TMP_SUFFIX, path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		tmp[0] = '\0';
		return hc_err_set(err, HC_ERUNTIME, "cannot write beside '%s': %s", path,
				  strerror(e));
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", tmp, strerror(errno));
	}
	int failed = jsonout_put(f, tree);
	failed |= ferror(f);
	failed |= fclose(f) != 0;
	return failed ? hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", path,
				   errno ? strerror(errno) : "out of memory") : 0;
}

int jsonout_files(size_t n, const char *const *paths, const cJSON *const *trees,
		  struct hc_err *err)
{
	char tmp[MAX_FILES][4096 + sizeof(TMP_SUFFIX)];
	size_t written = 0;
	int rc = n > MAX_FILES ? hc_err_set(err, HC_ERUNTIME, "too many files at once") : 0;
	for (; !rc && written < n; written++)
		rc = write_tmp(paths[written], trees[written], tmp[written], sizeof(tmp[0]), err);
	for (size_t i = 0; !rc && i < n; i++)
		if (rename(tmp[i], paths[i]))
			rc = hc_err_set(err, HC_ERUNTIME, "cannot rename '%s' to '%s': %s", tmp[i],
					paths[i], strerror(errno));
		else
			tmp[i][0] = '\0';
	for (size_t i = 0; i < written; i++)
		if (tmp[i][0])
			unlink(tmp[i]);
	return rc;
}

cJSON *jsonout_add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char digits[24];
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return cJSON_AddRawToObject(obj, key, digits);
}
