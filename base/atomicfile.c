/* atomicfile: a file written whole or not at all. Contracts in atomicfile.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/atomicfile.h"

int atomicfile_open(struct atomicfile *af, const char *path, struct hc_err *err)
{
	af->f = NULL;
	af->tmp[0] = '\0';
	if (strlen(path) >= sizeof(af->path))
		return hc_err_set(err, HC_EUSAGE, "'%.64s...': the path is too long", path);
	snprintf(af->path, sizeof(af->path), "%s", path);
	snprintf(af->tmp, sizeof(af->tmp), "%s.tmp-XXXXXX", path);
	int fd = mkstemp(af->tmp);
	if (fd < 0) {
		int e = errno;
		af->tmp[0] = '\0';
		return hc_err_set(err, HC_ERUNTIME, "cannot create a file beside '%s': %s", path,
				  strerror(e));
	}
	if (fchmod(fd, 0644) || !(af->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		atomicfile_abort(af);
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", af->tmp, strerror(e));
	}
	return 0;
}

int atomicfile_commit(struct atomicfile *af, struct hc_err *err)
{
	errno = 0;
	int failed = !af->f || ferror(af->f) || fflush(af->f) || fsync(fileno(af->f));
	int e = errno;
	if (af->f && fclose(af->f) && !failed) {
		failed = 1;
		e = errno;
	}
	af->f = NULL;
	if (!failed && rename(af->tmp, af->path)) {
		failed = 1;
		e = errno;
	}
	if (failed) {
		atomicfile_abort(af);
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", af->path,
				  e ? strerror(e) : "a write failed");
	}
	af->tmp[0] = '\0';
	return 0;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (af->f)
		fclose(af->f);
	af->f = NULL;
	if (af->tmp[0])
		unlink(af->tmp);
	af->tmp[0] = '\0';
}
