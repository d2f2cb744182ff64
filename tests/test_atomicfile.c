/*
 * atomicfile: a commit replaces the file whole, an abort or a failed write leaves the old one,
 * and neither leaves a temporary behind.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/atomicfile.h"
#include "tests/check_main.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hc-atomicfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("old\n", f);
	fclose(f);
}

/* How many entries the directory holds. */
static int entries(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static const char *contents(void)
{
	static char text[64];
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	return text;
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(commit_replaces_the_file_whole)
{
	setup();
	struct atomicfile af;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(atomicfile_open(&af, path, &err), 0);
	fputs("new\n", af.f);
	fflush(af.f);
	ck_assert_str_eq(contents(), "old\n"); /* a reader sees the old file until the commit */
	ck_assert_int_eq(entries(), 2);
	ck_assert_int_eq(atomicfile_commit(&af, &err), 0);
	ck_assert_str_eq(contents(), "new\n");
	ck_assert_int_eq(entries(), 1);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	atomicfile_abort(&af); /* after a commit: nothing to do */
	ck_assert_str_eq(contents(), "new\n");
	teardown();
}
END_TEST

START_TEST(abort_leaves_the_old_file)
{
	setup();
	struct atomicfile af;
	ck_assert_int_eq(atomicfile_open(&af, path, NULL), 0);
	fputs("half", af.f);
	atomicfile_abort(&af);
	atomicfile_abort(&af);
	ck_assert_str_eq(contents(), "old\n");
	ck_assert_int_eq(entries(), 1);
	teardown();
}
END_TEST

START_TEST(a_failed_write_leaves_the_old_file)
{
	setup();
	/* a disk that takes 4 KiB: the write fails (SIGXFSZ ignored, so as EFBIG) */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit small = { 4096, 4096 };
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	struct atomicfile af;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(atomicfile_open(&af, path, &err), 0);
	for (int i = 0; i < 1000; i++)
		fputs("0123456789abcdef", af.f);
	ck_assert_int_eq(atomicfile_commit(&af, &err), HC_ERUNTIME);
	ck_assert_msg(strstr(err.msg, "f.txt"), "%s", err.msg);
	ck_assert_str_eq(contents(), "old\n");
	ck_assert_int_eq(entries(), 1);
	teardown();
}
END_TEST

START_TEST(open_names_what_it_cannot_create)
{
	struct atomicfile af;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(atomicfile_open(&af, "/nonexistent-dir/x.json", &err), HC_ERUNTIME);
	ck_assert_msg(strstr(err.msg, "/nonexistent-dir/x.json"), "%s", err.msg);
	ck_assert_ptr_null(af.f);
	atomicfile_abort(&af);
	char *long_path = malloc(ATOMICFILE_PATH_MAX + 10);
	memset(long_path, 'a', ATOMICFILE_PATH_MAX + 9);
	long_path[ATOMICFILE_PATH_MAX + 9] = '\0';
	ck_assert_int_eq(atomicfile_open(&af, long_path, &err), HC_EUSAGE);
	free(long_path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("atomicfile");
	check_add(s, "commit_replaces_the_file_whole", commit_replaces_the_file_whole, 10);
	check_add(s, "abort_leaves_the_old_file", abort_leaves_the_old_file, 10);
	check_add(s, "a_failed_write_leaves_the_old_file", a_failed_write_leaves_the_old_file, 10);
	check_add(s, "open_names_what_it_cannot_create", open_names_what_it_cannot_create, 10);
	return check_run(s);
}
