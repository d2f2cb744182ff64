/*
 * SIGINT and SIGTERM in the middle of a run (cli/interrupt.c): exit 130 or 143, and neither
 * the temporary nor the final results directory is left; an older result stays untouched.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include "tests/check_main.h"
#include "tests/cli_harness.h"

/* Starts hypercap with the NULL-terminated arguments in workdir; output goes to files. */
static pid_t start(const char *arg, ...)
{
	const char *argv[32] = { HYPERCAP_BIN };
	size_t n = 1;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(path_in(".stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(path_in(".stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0 || chdir(workdir))
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(HYPERCAP_BIN, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* 1 once pid catches sig (its handler is installed): /proc/PID/status, SigCgt. */
static int catches(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1)
			break;
	fclose(f);
	return (mask >> (sig - 1)) & 1;
}

static void wait_for_handler(pid_t pid, int sig)
{
	for (int i = 0; i < 10000 && !catches(pid, sig); i++)
		pause_ms(1);
	ck_assert_msg(catches(pid, sig), "hypercap never installed its handler of signal %d", sig);
}

/* The exit status of pid, or -signal when a signal killed it. */
static int reap(pid_t pid)
{
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* Entries of workdir whose name starts with prefix, but for the one called keep. */
static int left_behind(const char *prefix, const char *keep)
{
	return count_prefixed(prefix) - (keep && exists(keep));
}

START_TEST(sigterm_while_simulating_exits_143)
{
	/* Minutes of simulation, so the signal comes mid-run. */
	pid_t pid = start("simulate", "--runs", "19000", "--threads", "1", "--out", "o", NULL);
	wait_for_handler(pid, SIGTERM);
	pause_ms(100);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(reap(pid), 143);
	ck_assert_int_eq(left_behind("o", NULL), 0);
	char *err = slurp(path_in(".stderr"));
	ck_assert_msg(strstr(err, "interrupted by SIGTERM"), "%s", err);
	free(err);
}
END_TEST

/* Waits until a directory "<name>.tmp-*" holds a file: the results are being written. */
static int wait_for_tmp(pid_t pid, const char *name)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s.tmp-", name);
	for (int i = 0; i < 60000; i++) {
		DIR *d = opendir(workdir);
		int found = 0;
		for (struct dirent *e; !found && (e = readdir(d));) {
			char sub[1024];
			snprintf(sub, sizeof(sub), "%s/%s/scenario.json", workdir, e->d_name);
			found = !strncmp(e->d_name, prefix, strlen(prefix)) && !access(sub, F_OK);
		}
		closedir(d);
		if (found)
			return 1;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 0;
		pause_ms(1);
	}
	return 0;
}

START_TEST(sigint_while_writing_removes_tmp_exits_130)
{
	pid_t pid = start("simulate", "--runs", "20", "--threads", "1", "--out", "o", NULL);
	ck_assert_msg(wait_for_tmp(pid, "o"), "never saw o.tmp-* being written");
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_int_eq(reap(pid), 130);
	ck_assert_int_eq(left_behind("o", NULL), 0);
}
END_TEST

START_TEST(interrupted_replacement_keeps_old_result)
{
	ck_assert_int_eq(mkdir(path_in("o"), 0777), 0);
	write_file("o/.hypercap", "hypercap results directory\n"); /* a result of ours */
	write_file("o/old.txt", "the previous run\n");
	pid_t pid = start("simulate", "--runs", "20", "--threads", "1", "--out", "o", NULL);
	ck_assert_msg(wait_for_tmp(pid, "o"), "never saw o.tmp-* being written");
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(reap(pid), 143);
	ck_assert_int_eq(left_behind("o", "o"), 0);
	ck_assert(exists("o/old.txt"));
	ck_assert(!exists("o/summary.json"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("interrupt");
	TCase *tc = tcase_create("interrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sigterm_while_simulating_exits_143);
	tcase_add_test(tc, sigint_while_writing_removes_tmp_exits_130);
	tcase_add_test(tc, interrupted_replacement_keeps_old_result);
	suite_add_tcase(s, tc);
	return check_run(s);
}
