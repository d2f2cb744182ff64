/*
 * End-to-end tests of what a command may replace or read (issue 13): --out replaces only a
 * results directory of ours, scenario names stay inside out/, stale temporary directories
 * of killed runs go, seeds round-trip, whole-number options are strict, import never
 * replaces its own input.
 */
#include "tests/check_main.h"
#include "tests/cli_harness.h"

#define FIX SOURCE_DIR "/tests/fixtures/"
#define MAGIC "hypercap results directory\n"

/* Asserts exit status and that stderr holds text. */
static void expect(struct result r, int status, const char *text)
{
	ck_assert_msg(r.status == status, "exit %d, wanted %d: %s", r.status, status, r.err);
	ck_assert_msg(strstr(r.err, text), "'%s' not in: %s", text, r.err);
	result_free(&r);
}

/* A folder of the user's: keep.txt in it. */
static void user_folder(const char *name)
{
	char p[128];
	ck_assert_int_eq(mkdir(path_in(name), 0777), 0);
	snprintf(p, sizeof(p), "%s/keep.txt", name);
	write_file(p, "the user's file\n");
}

static void assert_kept(const char *name)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/keep.txt", name);
	ck_assert_msg(exists(p), "%s was deleted", p);
	snprintf(p, sizeof(p), "%s.tmp-", name);
	ck_assert_int_eq(count_prefixed(p), 0);
}

START_TEST(foreign_directory_refused_by_every_command)
{
	static const char refused[] = "--out 'd': is a directory hypercap did not write";
	user_folder("d");
	write_file("grid.json", "{\"set\": {\"iterations\": 1}, "
				"\"grid\": {\"children_per_iteration\": [1, 2]}}\n");
	expect(run("simulate", "--set", "iterations=1", "--out", "d", NULL), 2, refused);
	expect(run("crossover", "--set", "iterations=1", "--out", "d", NULL), 2, refused);
	expect(run("plan", "--budget-usd", "5", "--out", "d", NULL), 2, refused);
	expect(run("sweep", "grid.json", "--out", "d", NULL), 2, refused);
	expect(run("replay", FIX "trace/priced.jsonl", "--out", "d", NULL), 2, refused);
	expect(run("fit", FIX "trace/priced.jsonl", "--extrapolate", "2", "--out", "d", NULL), 2,
	       refused);
	/* a summary.json of the user's does not make it ours */
	write_file("d/summary.json", "{\"mine\": true}\n");
	expect(run("simulate", "--set", "iterations=1", "--out", "d", NULL), 2, refused);
	assert_kept("d");
}
END_TEST

START_TEST(dangerous_targets_refused)
{
	user_folder("d");
	ck_assert_int_eq(symlink("d", path_in("link")), 0);
	write_file("file", "a file\n");
	expect(run("simulate", "--set", "iterations=1", "--out", ".", NULL), 2, "ends in '.'");
	expect(run("simulate", "--set", "iterations=1", "--out", "d/..", NULL), 2,
	       "ends in '..'");
	expect(run("simulate", "--set", "iterations=1", "--out", "/", NULL), 2,
	       "is the current directory or holds it");
	expect(run("simulate", "--set", "iterations=1", "--out", workdir, NULL), 2,
	       "is the current directory or holds it");
	expect(run("simulate", "--set", "iterations=1", "--out", "file", NULL), 2,
	       "--out 'file': is a file, not a directory");
	expect(run("simulate", "--set", "iterations=1", "--out", "link", NULL), 2,
	       "--out 'link': is a symbolic link");
	expect(run("simulate", "--set", "iterations=1", "--out", "link/", NULL), 2,
	       "is a symbolic link");
	assert_kept("d");
	char *text = slurp(path_in("file"));
	ck_assert_str_eq(text, "a file\n");
	free(text);

	/* a results directory of ours that holds the trace being replayed */
	expect(run("simulate", "--set", "iterations=1", "--out", "r", "--quiet", NULL), 0, "");
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp " FIX "trace/priced.jsonl '%s/r/'", workdir);
	ck_assert_int_eq(system(cmd), 0);
	expect(run("replay", "r/priced.jsonl", "--out", "r", NULL), 2,
	       "--out 'r': holds the input 'r/priced.jsonl'");
	ck_assert(exists("r/priced.jsonl"));
}
END_TEST

START_TEST(results_directories_and_empty_ones_replaced)
{
	ck_assert_int_eq(mkdir(path_in("e"), 0777), 0);
	expect(run("simulate", "--set", "iterations=1", "--out", "e", "--quiet", NULL), 0, "");
	char *marker = slurp(path_in("e/.hypercap"));
	ck_assert_ptr_nonnull(marker);
	ck_assert_msg(!strncmp(marker, MAGIC, strlen(MAGIC)), "%s", marker);
	free(marker);
	write_file("e/stale.txt", "from before\n");
	expect(run("simulate", "--set", "iterations=1", "--out", "e/", "--quiet", NULL), 0, "");
	ck_assert(exists("e/summary.json"));
	ck_assert(!exists("e/stale.txt"));
	ck_assert_int_eq(count_prefixed("e.old-"), 0);
	expect(run("replay", FIX "trace/priced.jsonl", "--out", "e", "--quiet", NULL), 0, "");
	ck_assert(exists("e/calls.csv") && exists("e/.hypercap"));
}
END_TEST

START_TEST(report_refuses_foreign_directory)
{
	user_folder("d");
	write_file("d/summary.json", "{\"scenario\": \"mine\"}\n");
	ck_assert_int_eq(mkdir(path_in("d/plots"), 0777), 0);
	write_file("d/plots/mine.png", "mine\n");
	expect(run("report", "d", NULL), 2, "'d' is not a hypercap results directory");
	ck_assert(exists("d/plots/mine.png"));
	ck_assert(!exists("d/report.html"));
}
END_TEST

/* A process id no process has: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A temporary directory as a killed run leaves it: name, marker (host "" = this one). */
static void temp_dir(const char *name, const char *host)
{
	char p[256], text[512], me[256] = "";
	ck_assert_int_eq(mkdir(path_in(name), 0777), 0);
	gethostname(me, sizeof(me) - 1);
	if (host) {
		snprintf(p, sizeof(p), "%s/.hypercap", name);
		snprintf(text, sizeof(text), MAGIC "host %s\n", *host ? host : me);
		write_file(p, text);
	}
	snprintf(p, sizeof(p), "%s/summary.json", name);
	write_file(p, "{}\n");
}

START_TEST(stale_temporaries_removed)
{
	char dead[64], alive[64], unmarked[64], elsewhere[64], old[64];
	pid_t gone = dead_pid();
	snprintf(dead, sizeof(dead), "r.tmp-%ld-AbCdEf", (long)gone);
	snprintf(old, sizeof(old), "r.old-%ld-AbCdEf", (long)gone);
	snprintf(alive, sizeof(alive), "r.tmp-%ld-AbCdEf", (long)getpid());
	snprintf(unmarked, sizeof(unmarked), "r.tmp-%ld-XyZxYz", (long)gone);
	snprintf(elsewhere, sizeof(elsewhere), "r.tmp-%ld-QqQqQq", (long)gone);
	temp_dir(dead, "");
	temp_dir(old, "");
	temp_dir(alive, "");
	temp_dir(unmarked, NULL);
	temp_dir(elsewhere, "another-host");
	expect(run("simulate", "--set", "iterations=1", "--out", "r", "--quiet", NULL), 0, "");
	ck_assert_msg(!exists(dead), "%s left", dead);
	ck_assert_msg(!exists(old), "%s left", old);
	ck_assert_msg(exists(alive), "%s of a live process removed", alive);
	ck_assert_msg(exists(unmarked), "%s without a marker removed", unmarked);
	ck_assert_msg(exists(elsewhere), "%s of another host removed", elsewhere);
	ck_assert(exists("r/summary.json"));
}
END_TEST

/* kill -9 while the results are written, then a new run: nothing of the first is left. */
START_TEST(killed_run_cleaned_by_the_next)
{
	char name[64];
	pid_t gone = dead_pid();
	snprintf(name, sizeof(name), "r.tmp-%ld-123456", (long)gone);
	temp_dir(name, "");
	expect(run("replay", FIX "trace/priced.jsonl", "--out", "r", "--quiet", NULL), 0, "");
	ck_assert_int_eq(count_prefixed("r.tmp-"), 0);
}
END_TEST

/* A forecast refused by its limits creates nothing: not the directory, not its parents. */
START_TEST(refused_forecast_creates_nothing)
{
	expect(run("simulate", "--runs", "60000", "--set", "iterations=200", "--out", "p/q/res",
		   "--quiet", NULL), 3, "runs x archive nodes: got 60000 x 201");
	expect(run("crossover", "--runs", "60000", "--set", "iterations=200", "--out", "p/q/res",
		   NULL), 3, "runs x archive nodes: got 60000 x 201");
	ck_assert(!exists("p"));
}
END_TEST

START_TEST(scenario_name_stays_in_out)
{
	static const char bad[] = "name: got \"../victim\"; allowed: a plain file name";
	user_folder("victim");
	char *def = slurp(SOURCE_DIR "/data/scenarios/hyperagents-paper.json");
	ck_assert_ptr_nonnull(def);
	cJSON *root = cJSON_Parse(def);
	free(def);
	cJSON_ReplaceItemInObject(root, "name", cJSON_CreateString("../victim"));
	char *text = cJSON_Print(root);
	write_file("s.json", text);
	free(text);
	cJSON_Delete(root);
	expect(run("validate", "s.json", NULL), 3, bad);
	expect(run("simulate", "s.json", "--set", "iterations=1", NULL), 3, bad);
	expect(run("simulate", "--set", "name=../victim", "--set", "iterations=1", NULL), 3, bad);
	expect(run("crossover", "--set", "name=../victim", NULL), 3, bad);
	expect(run("plan", "--budget-usd", "5", "--set", "name=../victim", NULL), 3, bad);
	assert_kept("victim");
	static const char *const names[] = { "a/b", "a\\b", ".hidden", "..", "a..b", "tab\there" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char set[64];
		snprintf(set, sizeof(set), "name=%s", names[i]);
		expect(run("simulate", "--set", set, "--set", "iterations=1", NULL), 3,
		       "allowed: a plain file name");
	}
	expect(run("simulate", "--set", "name=plain-name_1 v2", "--set", "iterations=1",
		   "--quiet", NULL), 0, "");
	ck_assert(exists("out/plain-name_1 v2/summary.json"));
}
END_TEST

/* The text of "seed" in summary.json, as written. */
static void assert_seed_text(const char *file, const char *digits)
{
	char *text = slurp(path_in(file)), want[64];
	ck_assert_ptr_nonnull(text);
	snprintf(want, sizeof(want), "\"seed\":\t%s,", digits);
	ck_assert_msg(strstr(text, want), "no %s in %s", want, file);
	free(text);
}

START_TEST(seeds_round_trip_exactly)
{
	expect(run("simulate", "--set", "iterations=1", "--seed", "1000000000000001", "--out",
		   "a", "--quiet", NULL), 0, "");
	assert_seed_text("a/summary.json", "1000000000000001");
	expect(run("simulate", "--set", "iterations=1", "--seed", "1000000000000000", "--out",
		   "a", "--quiet", NULL), 0, "");
	assert_seed_text("a/summary.json", "1000000000000000"); /* not 1e+15 */
	expect(run("simulate", "--set", "iterations=1", "--seed", "18446744073709551615",
		   "--out", "b", "--quiet", NULL), 0, "");
	assert_seed_text("b/summary.json", "18446744073709551615");
	expect(run("plan", "--budget-usd", "5", "--max", "2", "--seed", "9007199254740993",
		   "--out", "p", "--quiet", NULL), 0, "");
	assert_seed_text("p/plan.json", "9007199254740993");
	expect(run("simulate", "--seed", "18446744073709551616", NULL), 2,
	       "--seed '18446744073709551616': expected a whole number from 0 to "
	       "18446744073709551615");
	expect(run("sweep", "g.json", "--seed", "99999999999999999999999", NULL), 2,
	       "expected a whole number from 0 to 18446744073709551615");
	ck_assert(!exists("out"));
}
END_TEST

START_TEST(whole_numbers_are_digits_only)
{
	static const char *const bad[] = { " 5", "+5", "1e3", "-1", "5 ", "0x10", "5.0", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[96];
		snprintf(want, sizeof(want), "--runs '%s': expected a whole number from 1 to "
			 "100000, in digits only", bad[i]);
		expect(run("simulate", "--runs", bad[i], NULL), 2, want);
		expect(run("fit", "t.jsonl", "--extrapolate", "2", "--runs", bad[i], NULL), 2,
		       "in digits only");
	}
	expect(run("replay", FIX "trace/priced.jsonl", "--retime", "--eval-workers", "1e3",
		   NULL), 2, "--eval-workers '1e3': expected a whole number from 1 to 100000");
	expect(run("meter", "--timeout", "1e300", NULL), 2,
	       "--timeout '1e300': expected a number from 0.001 to 2592000");
	expect(run("meter", "--connect-timeout", " 5", NULL), 2, "--connect-timeout ' 5'");
	expect(run("meter", "--grace", "inf", NULL), 2, "--grace 'inf'");
	ck_assert(!exists("out"));
}
END_TEST

START_TEST(import_never_replaces_its_input)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp " FIX "openai/responses.jsonl '%s/log.jsonl'", workdir);
	ck_assert_int_eq(system(cmd), 0);
	char *before = slurp(path_in("log.jsonl"));
	ck_assert_int_eq(link(path_in("log.jsonl"), path_in("hard.jsonl")), 0);
	expect(run("import", "openai", "log.jsonl", "-o", "log.jsonl", NULL), 2,
	       "-o 'log.jsonl' is SOURCE 'log.jsonl' itself");
	expect(run("import", "openai", "log.jsonl", "-o", "./log.jsonl", NULL), 2, "itself");
	expect(run("import", "openai", "log.jsonl", "-o", "hard.jsonl", NULL), 2, "itself");
	char *after = slurp(path_in("log.jsonl"));
	ck_assert_str_eq(before, after);
	free(after);
	write_file("notes.txt", "the user's notes\n");
	expect(run("import", "openai", "log.jsonl", "-o", "notes.txt", NULL), 2,
	       "-o 'notes.txt': exists and is not a hypercap trace");
	/* a trace of ours is replaced */
	expect(run("import", "openai", "log.jsonl", "-o", "t.jsonl", "--quiet", NULL), 0, "");
	expect(run("import", "openai", "log.jsonl", "-o", "t.jsonl", "--quiet", NULL), 0, "");
	free(before);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli_outdir");
	TCase *tc = tcase_create("cli_outdir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, foreign_directory_refused_by_every_command);
	tcase_add_test(tc, dangerous_targets_refused);
	tcase_add_test(tc, results_directories_and_empty_ones_replaced);
	tcase_add_test(tc, report_refuses_foreign_directory);
	tcase_add_test(tc, stale_temporaries_removed);
	tcase_add_test(tc, killed_run_cleaned_by_the_next);
	tcase_add_test(tc, refused_forecast_creates_nothing);
	tcase_add_test(tc, scenario_name_stays_in_out);
	tcase_add_test(tc, seeds_round_trip_exactly);
	tcase_add_test(tc, whole_numbers_are_digits_only);
	tcase_add_test(tc, import_never_replaces_its_input);
	suite_add_tcase(s, tc);
	return check_run(s);
}
