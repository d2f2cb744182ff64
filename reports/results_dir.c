/* results_dir: a results directory that is whole or absent. Contracts in results_dir.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "reports/jsonout.h"
#include "reports/results_dir.h"

/* The pending paths ("" = a free slot), under pending_lock. */
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static char pending[RESULTS_DIR_PENDING_MAX][PATH_MAX + 16];

int results_dir_track(const char *path, struct hc_err *err)
{
	int rc = HC_ERUNTIME;
	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < RESULTS_DIR_PENDING_MAX; i++) {
		if (pending[i][0])
			continue;
		snprintf(pending[i], sizeof(pending[i]), "%s", path);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&pending_lock);
	if (rc)
		hc_err_set(err, rc, "cannot register '%s' for removal: %d temporary paths already",
			   path, RESULTS_DIR_PENDING_MAX);
	return rc;
}

static void untrack_locked(const char *path)
{
	for (size_t i = 0; i < RESULTS_DIR_PENDING_MAX; i++)
		if (!strcmp(pending[i], path))
			pending[i][0] = '\0';
}

void results_dir_untrack(const char *path)
{
	pthread_mutex_lock(&pending_lock);
	untrack_locked(path);
	pthread_mutex_unlock(&pending_lock);
}

void results_dir_remove_pending(void)
{
	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < RESULTS_DIR_PENDING_MAX; i++) {
		struct stat st;
		if (!pending[i][0])
			continue;
		/* A child (gnuplot) may add a file between the walk and the last rmdir: again. */
		for (int tries = 0; tries < 3 && lstat(pending[i], &st) == 0; tries++)
			results_dir_remove_tree(pending[i]);
		pending[i][0] = '\0';
	}
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int results_dir_begin(struct results_dir *rd, const char *path, struct hc_err *err)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!len || len >= sizeof(rd->path))
		return hc_err_set(err, HC_EUSAGE, "--out '%s': not a usable directory name", path);
	snprintf(rd->path, sizeof(rd->path), "%.*s", (int)len, path);
	snprintf(rd->tmp, sizeof(rd->tmp), "%s.tmp-XXXXXX", rd->path);
	if (mkdir_parents(rd->tmp) || !mkdtemp(rd->tmp)) {
		int e = errno;
		rd->tmp[0] = '\0';
		return hc_err_set(err, HC_ERUNTIME, "cannot create a directory beside '%s': %s",
				  rd->path, strerror(e));
	}
	int rc = results_dir_track(rd->tmp, err);
	if (rc)
		results_dir_abort(rd);
	return rc;
}

FILE *results_dir_open(struct results_dir *rd, const char *name, struct hc_err *err)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", rd->tmp, name);
	FILE *f = fopen(p, "w");
	if (!f)
		hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", p, strerror(errno));
	return f;
}

int results_dir_close(struct results_dir *rd, FILE *f, const char *name, struct hc_err *err)
{
	int failed = ferror(f);
	failed |= fclose(f) != 0;
	if (failed)
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s/%s': %s", rd->path, name,
				  strerror(errno));
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void results_dir_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Under pending_lock: an interruption either removes the temporary directory or waits. */
static int commit_locked(struct results_dir *rd, struct hc_err *err)
{
	char old[PATH_MAX + 32] = "";
	struct stat st;
	if (lstat(rd->path, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return hc_err_set(err, HC_ERUNTIME, "'%s' exists and is not a directory",
					  rd->path);
		snprintf(old, sizeof(old), "%s.old-XXXXXX", rd->path);
		if (!mkdtemp(old) || rename(rd->path, old))
			return hc_err_set(err, HC_ERUNTIME, "cannot replace '%s': %s", rd->path,
					  strerror(errno));
	}
	if (rename(rd->tmp, rd->path)) {
		int e = errno;
		if (*old)
			rename(old, rd->path);
		return hc_err_set(err, HC_ERUNTIME, "cannot rename '%s' to '%s': %s", rd->tmp,
				  rd->path, strerror(e));
	}
	untrack_locked(rd->tmp);
	rd->tmp[0] = '\0';
	if (*old)
		results_dir_remove_tree(old);
	return 0;
}

int results_dir_commit(struct results_dir *rd, struct hc_err *err)
{
	pthread_mutex_lock(&pending_lock);
	int rc = commit_locked(rd, err);
	pthread_mutex_unlock(&pending_lock);
	return rc;
}

void results_dir_abort(struct results_dir *rd)
{
	if (rd->tmp[0]) {
		results_dir_remove_tree(rd->tmp);
		results_dir_untrack(rd->tmp);
	}
	rd->tmp[0] = '\0';
}

int results_dir_write(struct results_dir *rd, const char *path, results_dir_writer write,
		      void *ctx, struct hc_err *err)
{
	int rc = results_dir_begin(rd, path, err);
	if (rc)
		return rc;
	rc = write(rd, ctx, err);
	if (!rc)
		rc = results_dir_commit(rd, err);
	if (rc)
		results_dir_abort(rd);
	return rc;
}

int results_dir_write_json(struct results_dir *rd, const char *name, const cJSON *tree,
			   struct hc_err *err)
{
	FILE *f = results_dir_open(rd, name, err);
	if (!f)
		return HC_ERUNTIME;
	if (jsonout_put(f, tree)) {
		fclose(f);
		return hc_err_set(err, HC_ERUNTIME, "out of memory writing %s", name);
	}
	return results_dir_close(rd, f, name, err);
}
