/* results_dir: a results directory that is whole or absent. Contracts in results_dir.h. */
#define _XOPEN_SOURCE 700 /* nftw, realpath */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
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
static char pending[RESULTS_DIR_PENDING_MAX][PATH_MAX + 32];

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

/* path without its trailing slashes into buf (size PATH_MAX); 0, or -1 when unusable. */
static int trim_path(char *buf, const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!len || len >= PATH_MAX)
		return -1;
	snprintf(buf, PATH_MAX, "%.*s", (int)len, path);
	return 0;
}

/* The host's name for the marker ("" when unknown). */
static void host_name(char *buf, size_t size)
{
	if (gethostname(buf, size - 1))
		buf[0] = '\0';
	buf[size - 1] = '\0';
}

/* The marker's first two lines into magic and host; 0, or -1 when there is no such file. */
static int read_marker(const char *dir, char *magic, char *host, size_t size)
{
	char p[PATH_MAX + 32];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, RESULTS_DIR_MARKER);
	if (lstat(p, &st) || !S_ISREG(st.st_mode))
		return -1;
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	magic[0] = host[0] = '\0';
	if (fgets(magic, (int)size, f) && fgets(host, (int)size, f))
		host[strcspn(host, "\n")] = '\0';
	magic[strcspn(magic, "\n")] = '\0';
	fclose(f);
	return 0;
}

int results_dir_is_ours(const char *dir)
{
	char magic[300], host[300];
	return !read_marker(dir, magic, host, sizeof(magic)) && !strcmp(magic, RESULTS_DIR_MAGIC);
}

/* 1 when dir has no entries, 0 when it has some or cannot be read. */
static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	int empty = d != NULL;
	for (struct dirent *e; empty && (e = readdir(d));)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return empty;
}

/* 1 when the resolved path inner is outer or lies below it. */
static int path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (n == 1)
		return 1; /* "/" holds everything */
	return !strncmp(inner, outer, n) && (inner[n] == '/' || !inner[n]);
}

/* Refuses a directory whose replacement would take the working directory or an input. */
static int check_holds(const char *path, const char *opt, const char *const *inputs,
		       size_t n_inputs, struct hc_err *err)
{
	char real[PATH_MAX], buf[PATH_MAX];
	if (!realpath(path, real))
		return hc_err_set(err, HC_ERUNTIME, "%s '%s': %s", opt, path, strerror(errno));
	if (getcwd(buf, sizeof(buf)) && path_within(buf, real))
		return hc_err_set(err, HC_EUSAGE, "%s '%s': is the current directory or holds it; "
				  "allowed: a directory below it", opt, path);
	for (size_t i = 0; i < n_inputs; i++)
		if (inputs[i] && realpath(inputs[i], buf) && path_within(buf, real))
			return hc_err_set(err, HC_EUSAGE, "%s '%s': holds the input '%s', which "
					  "replacing it would delete; allowed: a directory "
					  "elsewhere", opt, path, inputs[i]);
	return 0;
}

int results_dir_check(const char *path, const char *opt, const char *const *inputs,
		      size_t n_inputs, struct hc_err *err)
{
	char p[PATH_MAX];
	struct stat st;
	if (trim_path(p, path))
		return hc_err_set(err, HC_EUSAGE, "%s '%s': not a usable directory name", opt,
				  path);
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	if (!strcmp(base, ".") || !strcmp(base, ".."))
		return hc_err_set(err, HC_EUSAGE, "%s '%s': ends in '%s'; allowed: a directory "
				  "named by its own name", opt, path, base);
	if (lstat(p, &st))
		return errno == ENOENT ? 0 : hc_err_set(err, HC_EUSAGE, "%s '%s': %s", opt, path,
							 strerror(errno));
	if (S_ISLNK(st.st_mode))
		return hc_err_set(err, HC_EUSAGE, "%s '%s': is a symbolic link; allowed: a new "
				  "name, an empty directory or a hypercap results directory", opt,
				  path);
	if (!S_ISDIR(st.st_mode))
		return hc_err_set(err, HC_EUSAGE, "%s '%s': is a file, not a directory; allowed: "
				  "a new name, an empty directory or a hypercap results directory",
				  opt, path);
	int rc = check_holds(p, opt, inputs, n_inputs, err);
	if (rc || results_dir_is_ours(p) || dir_is_empty(p))
		return rc;
	return hc_err_set(err, HC_EUSAGE, "%s '%s': is a directory hypercap did not write (no "
			  "%s file in it) and would be replaced; allowed: a new name, an empty "
			  "directory or a hypercap results directory", opt, path,
			  RESULTS_DIR_MARKER);
}

/* The process id in "<prefix><pid>-...", or 0. */
static long name_pid(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	if (strncmp(name, prefix, n) || !isdigit((unsigned char)name[n]))
		return 0;
	errno = 0;
	long pid = strtol(name + n, &end, 10);
	return errno || *end != '-' || pid <= 0 || pid > INT_MAX ? 0 : pid;
}

/* 1 when dir is a directory with our marker written on this host. */
static int written_here(const char *dir)
{
	char magic[300], host[300], line[300], me[256];
	struct stat st;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || read_marker(dir, magic, host, 300))
		return 0;
	host_name(me, sizeof(me));
	snprintf(line, sizeof(line), "host %s", me);
	return !strcmp(magic, RESULTS_DIR_MAGIC) && !strcmp(host, line);
}

/* Removes the stale temporary siblings of path (results_dir.h says which). */
static void remove_stale(const char *path)
{
	char parent[PATH_MAX], tmp[NAME_MAX + 8], old[NAME_MAX + 8], full[2 * PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - path) + 1 : 1,
		 slash ? path : ".");
	snprintf(tmp, sizeof(tmp), "%.*s.tmp-", NAME_MAX, base);
	snprintf(old, sizeof(old), "%.*s.old-", NAME_MAX, base);
	DIR *d = opendir(parent);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		long pid = name_pid(e->d_name, tmp);
		if (!pid)
			pid = name_pid(e->d_name, old);
		if (!pid || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(full, sizeof(full), "%s/%s", parent, e->d_name);
		if (written_here(full))
			results_dir_remove_tree(full);
	}
	closedir(d);
}

static int write_marker(const char *dir, struct hc_err *err)
{
	char p[PATH_MAX + 32], host[256];
	snprintf(p, sizeof(p), "%s/%s", dir, RESULTS_DIR_MARKER);
	host_name(host, sizeof(host));
	FILE *f = fopen(p, "w");
	if (!f)
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", p, strerror(errno));
	fprintf(f, "%s\nhost %s\n", RESULTS_DIR_MAGIC, host);
	if (fclose(f))
		return hc_err_set(err, HC_ERUNTIME, "cannot write '%s': %s", p, strerror(errno));
	return 0;
}

int results_dir_begin(struct results_dir *rd, const char *path, struct hc_err *err)
{
	rd->tmp[0] = '\0';
	int rc = results_dir_check(path, "--out", NULL, 0, err);
	if (rc)
		return rc;
	trim_path(rd->path, path);
	remove_stale(rd->path);
	snprintf(rd->tmp, sizeof(rd->tmp), "%s.tmp-%ld-XXXXXX", rd->path, (long)getpid());
	if (mkdir_parents(rd->tmp) || !mkdtemp(rd->tmp)) {
		int e = errno;
		rd->tmp[0] = '\0';
		return hc_err_set(err, HC_ERUNTIME, "cannot create a directory beside '%s': %s",
				  rd->path, strerror(e));
	}
	rc = results_dir_track(rd->tmp, err);
	if (!rc)
		rc = write_marker(rd->tmp, err);
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
	int rc = results_dir_check(rd->path, "--out", NULL, 0, err);
	if (rc)
		return rc;
	if (lstat(rd->path, &st) == 0) {
		snprintf(old, sizeof(old), "%s.old-%ld-XXXXXX", rd->path, (long)getpid());
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
