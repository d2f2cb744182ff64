/*
 * cli_harness: running the built binary (HYPERCAP_BIN) as a user would, in a fresh
 * temporary directory per test (setup / teardown), and reading back what it wrote.
 * Shared by the end-to-end suites; SOURCE_DATE_EPOCH=0 makes written timestamps fixed.
 */
#ifndef TESTS_CLI_HARNESS_H
#define TESTS_CLI_HARNESS_H

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "tests/slurp.h"

static char workdir[256];

/* --set arguments that take the default preset's GPU simulator out, and with it the warning
 * that simulators hold most of the wall time, for tests about other warnings. */
#define NO_GPU_SIM "--set", "domains.robotics_reward.sandbox_gpus=0"

struct result {
	int status;
	char *out, *err;
};

/* Runs hypercap with the NULL-terminated arguments, in workdir. */
static inline struct result run(const char *arg, ...)
{
	const char *argv[64] = { HYPERCAP_BIN };
	size_t n = 1;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	char out[300], err[300];
	snprintf(out, sizeof(out), "%s/.stdout", workdir);
	snprintf(err, sizeof(err), "%s/.stderr", workdir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0 || chdir(workdir))
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		setenv("SOURCE_DATE_EPOCH", "0", 1); /* traces' created time */
		execv(HYPERCAP_BIN, (char *const *)argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	struct result r = { WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err) };
	return r;
}

static inline void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static inline char *path_in(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", workdir, name);
	return buf[k];
}

/* Asserts that dir_a/name and dir_b/name (in workdir) exist and hold the same bytes; why
 * ends the message ("between 1 and 2 threads"). */
static inline void assert_same_file(const char *dir_a, const char *dir_b, const char *name,
				    const char *why)
{
	char pa[256], pb[256];
	snprintf(pa, sizeof(pa), "%s/%s", dir_a, name);
	snprintf(pb, sizeof(pb), "%s/%s", dir_b, name);
	char *a = slurp(path_in(pa)), *b = slurp(path_in(pb));
	ck_assert_msg(a && b && !strcmp(a, b), "%s differs %s", name, why);
	free(a);
	free(b);
}

static inline cJSON *load_json(const char *name)
{
	char *text = slurp(path_in(name));
	ck_assert_msg(text != NULL, "cannot read %s", name);
	cJSON *root = cJSON_Parse(text);
	free(text);
	ck_assert_msg(root != NULL, "%s is not JSON", name);
	return root;
}

/* The number at a dotted path ("tokens.by_role.evaluate"); fails the test when absent. */
static inline double json_at(const cJSON *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	const cJSON *v = root;
	for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
		v = cJSON_GetObjectItemCaseSensitive(v, tok);
	ck_assert_msg(cJSON_IsNumber(v), "summary.json has no number at %s", path);
	return v->valuedouble;
}

static inline void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_in(name), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static inline int exists(const char *name)
{
	struct stat st;
	return stat(path_in(name), &st) == 0;
}

/* Counts entries of workdir whose name starts with prefix. */
static inline int count_prefixed(const char *prefix)
{
	DIR *d = opendir(workdir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static inline size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static inline void setup(void)
{
	snprintf(workdir, sizeof(workdir), "/tmp/hypercap-cli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static inline void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
