/*
 * The command line end to end: the built binary (HYPERCAP_BIN) run as a user runs it, its
 * exit codes, messages and results directories read back with cJSON.
 */
#include <math.h>
#include "reports/numfmt.h"
#include "tests/check_main.h"
#include "tests/cli_harness.h"

START_TEST(help_and_version)
{
	static const char *const cmds[] = { "simulate", "validate", "crossover", "compare" };
	struct result r = run("--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "simulate"));
	result_free(&r);
	r = run("--version", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "hypercap "));
	result_free(&r);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "usage: hypercap %s", cmds[i]);
		r = run(cmds[i], "--help", NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_msg(strstr(r.out, want), "%s --help: %s", cmds[i], r.out);
		result_free(&r);
	}
}
END_TEST

START_TEST(usage_errors_exit_2)
{
	struct result r = run("frobnicate", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
	result_free(&r);
	r = run("simulate", "--runs", "0", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--runs '0'"));
	result_free(&r);
	r = run("simulate", "--bogus", NULL);
	ck_assert_int_eq(r.status, 2);
	result_free(&r);
	r = run("simulate", "--set", "nonsense", "--out", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_int_eq(exists("x"), 0);
	result_free(&r);
	r = run(NULL);
	ck_assert_int_eq(r.status, 2);
	result_free(&r);
}
END_TEST

START_TEST(default_run_writes_contract_keys)
{
	static const char *const keys[] = {
		"tokens.total", "tokens.input", "tokens.output", "tokens.cache_read",
		"tokens.cache_write", "tokens.reasoning", "tokens.by_role.self_modify",
		"tokens.by_role.evaluate", "tokens.by_model.claude-sonnet-4-5",
		"tokens.by_model.gpt-4o", "cost_usd.api", "cost_usd.total", "archive.nodes",
		"archive.bytes", "archive.io_bytes", "wall_time_hours", "iterations",
		"replications", "seed",
	};
	struct result r = run("simulate", "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "hyperagents-paper"));
	ck_assert_ptr_nonnull(strstr(r.out, "self_modify"));
	result_free(&r);
	cJSON *s = load_json("res/summary.json");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_at(s, keys[i]);
	ck_assert_double_eq(json_at(s, "iterations"), 100);
	ck_assert_double_eq(json_at(s, "archive.nodes"), 101);
	ck_assert_double_eq(json_at(s, "tokens.total"),
			    json_at(s, "tokens.input") + json_at(s, "tokens.output"));
	ck_assert_double_eq(json_at(s, "tokens.total"),
			    json_at(s, "tokens.by_role.self_modify") +
				    json_at(s, "tokens.by_role.evaluate"));
	ck_assert_double_eq_tol(json_at(s, "tokens.total"),
				json_at(s, "tokens.by_model.claude-sonnet-4-5") +
					json_at(s, "tokens.by_model.gpt-4o"), 1e-6);
	ck_assert_ptr_null(cJSON_GetObjectItem(s, "quantiles"));
	cJSON_Delete(s);
	char *csv = slurp(path_in("res/iterations.csv"));
	ck_assert_uint_eq(count_lines(csv), 102); /* header, iteration 0, 100 children */
	ck_assert_int_eq(strncmp(csv, "replication,iteration,child,parent,node,score", 45), 0);
	free(csv);
	cJSON_Delete(load_json("res/scenario.json"));
	ck_assert_int_eq(count_prefixed("res."), 0); /* no temporary or old directory left */
}
END_TEST

/* A model with no profile (gpt-4.1) warns on the console and in summary.json. */
START_TEST(model_without_profile_warns)
{
	struct result r = run("simulate", "--iterations", "1", "--set",
			      "domains.paper_review.model=gpt-4.1", "--out", "nop", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "warning: model 'gpt-4.1' has no profile in data/models"),
		      "%s", r.err);
	result_free(&r);
	cJSON *s = load_json("nop/summary.json");
	const cJSON *warn = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "warnings"), 0);
	ck_assert_msg(cJSON_IsString(warn) && strstr(warn->valuestring, "TTFT 1 s and 50 tokens/s"),
		      "no warning in summary.json");
	cJSON_Delete(s);
}
END_TEST

/*
 * A schedule the runs cannot keep: 1,000 runs a month of a few hours each. A run starts when
 * the last one ends, so monthly.cost_usd = cost · 730 / W, January in monthly.csv holds
 * cost · 744 / W, and the console and summary.json warn.
 */
START_TEST(calendar_busy_schedule)
{
	struct result r = run("simulate", "--iterations", "3", "--set",
			      "costs.runs_per_month=1000", NO_GPU_SIM, "--start", "2027-01-01",
			      "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "warning: the schedule cannot be kept"));
	result_free(&r);
	cJSON *s = load_json("res/summary.json");
	double cost = json_at(s, "cost_usd.total"), w = json_at(s, "wall_time_hours");
	ck_assert_double_eq_tol(json_at(s, "monthly.cost_usd"), cost * 730 / w, 1e-6);
	ck_assert_double_eq_tol(json_at(s, "monthly.runs"), 730 / w, 1e-9);
	ck_assert_double_eq(json_at(s, "monthly.runs_scheduled"), 1000);
	const cJSON *warn = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "warnings"), 0);
	ck_assert_msg(cJSON_IsString(warn) && strstr(warn->valuestring, "cannot be kept"),
		      "no warning in summary.json");
	char *csv = slurp(path_in("res/monthly.csv"));
	char *jan = strstr(csv, "\n2027-01,744,1,");
	ck_assert_ptr_nonnull(jan);
	double usd = 0;
	ck_assert_int_eq(sscanf(jan, "\n2027-01,744,1,%*f,%*f,%*f,%*f,%*f,%*f,%*f,%*f,%lf", &usd),
			 1);
	ck_assert_double_eq_tol(usd, cost * 744 / w, 1e-5);
	free(csv);
	cJSON_Delete(s);
}
END_TEST

/*
 * GPU simulators over 30% of the wall time are a warning on the console and in summary.json
 * naming the share, the domain and its tasks at once; the default preset runs its robotics
 * tasks one at a time; shared evaluation workers are named as such; no GPU, no warning.
 */
START_TEST(gpu_simulators_over_the_wall_time_warn)
{
	struct result r = run("simulate", "--iterations", "3", "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	cJSON *s = load_json("res/summary.json");
	char share[64];
	snprintf(share, sizeof(share), "GPU simulators run during %.0f%% of the wall time",
		 100 * json_at(s, "sandbox.gpu_sim_share_of_wall_time"));
	ck_assert_double_gt(json_at(s, "sandbox.gpu_sim_share_of_wall_time"), 0.3);
	ck_assert_msg(strstr(r.err, share) != NULL, "no '%s' in: %s", share, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "robotics_reward runs 1 task at once (eval_workers)"));
	const cJSON *warn = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "warnings"), 0);
	ck_assert_msg(cJSON_IsString(warn) && strstr(warn->valuestring, share), "not in summary.json");
	cJSON_Delete(s);
	result_free(&r);
	r = run("simulate", "--iterations", "3", "--set", "shared.eval_workers=2", "--out", "res",
		NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "robotics_reward runs 2 tasks at once "
					   "(shared.eval_workers, for every loop)"));
	result_free(&r);
	r = run("simulate", "--iterations", "3", NO_GPU_SIM, "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_null(strstr(r.err, "GPU simulators"));
	result_free(&r);
}
END_TEST

/*
 * The back-to-back schedule: a run when the last ends, whatever runs_per_month says, so
 * monthly.cost_usd = cost · 730 / W with a busy share of 1 and no warning; an unknown schedule
 * is bad input naming the field, the value and the schedules allowed.
 */
START_TEST(calendar_back_to_back)
{
	struct result r = run("simulate", "--iterations", "3", "--set",
			      "costs.schedule=\"back-to-back\"", NO_GPU_SIM, "--start", "2027-01-01",
			      "--out", "res", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_null(strstr(r.err, "warning"));
	result_free(&r);
	cJSON *s = load_json("res/summary.json");
	double cost = json_at(s, "cost_usd.total"), w = json_at(s, "wall_time_hours");
	ck_assert_double_eq_tol(json_at(s, "monthly.cost_usd"), cost * 730 / w, 1e-6);
	ck_assert_double_eq(json_at(s, "monthly.busy_share"), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "monthly"),
					     "schedule")->valuestring, "back-to-back");
	cJSON_Delete(s);
	r = run("simulate", "--set", "costs.schedule=\"weekly\"", "--out", "bad", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "costs.schedule"));
	ck_assert_ptr_nonnull(strstr(r.err, "weekly"));
	ck_assert_ptr_nonnull(strstr(r.err, "at-once"));
	result_free(&r);
}
END_TEST

START_TEST(same_seed_same_bytes_any_threads)
{
	struct result r = run("simulate", "--runs", "70", "--threads", "1", "--seed", "7",
			      "--out", "a", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "");
	result_free(&r);
	r = run("simulate", "--runs", "70", "--threads", "2", "--seed", "7", "--out", "b",
		"--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	r = run("simulate", "--runs", "70", "--threads", "2", "--seed", "8", "--out", "c",
		"--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	/* more runs than the forecast's window (64): rows reach the files while others run */
	static const char *const files[] = { "summary.json", "iterations.csv", "scenario.json",
					     "archive.csv", "montecarlo.csv", "costs_focus.csv" };
	for (size_t i = 0; i < 6; i++) {
		char pa[64], pb[64], pc[64];
		snprintf(pa, sizeof(pa), "a/%s", files[i]);
		snprintf(pb, sizeof(pb), "b/%s", files[i]);
		snprintf(pc, sizeof(pc), "c/%s", files[i]);
		char *ta = slurp(path_in(pa)), *tb = slurp(path_in(pb)), *tc = slurp(path_in(pc));
		ck_assert_msg(!strcmp(ta, tb), "%s differs between 1 and 2 threads", files[i]);
		if (i != 2)
			ck_assert_msg(strcmp(ta, tc), "%s is the same for seeds 7 and 8", files[i]);
		free(ta);
		free(tb);
		free(tc);
	}
	cJSON *s = load_json("a/summary.json");
	double p10 = json_at(s, "quantiles.tokens_total.p10");
	double p50 = json_at(s, "quantiles.tokens_total.p50");
	double p90 = json_at(s, "quantiles.tokens_total.p90");
	ck_assert(p10 <= p50 && p50 <= p90 && p10 < p90);
	ck_assert_double_eq(json_at(s, "replications"), 70);
	ck_assert_double_eq(json_at(s, "seed"), 7);
	cJSON_Delete(s);
}
END_TEST

START_TEST(iterations_zero_and_set)
{
	struct result r = run("simulate", "--iterations", "0", "--out", "zero", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	cJSON *s = load_json("zero/summary.json");
	ck_assert_double_eq(json_at(s, "tokens.by_role.self_modify"), 0);
	ck_assert_double_gt(json_at(s, "tokens.by_role.evaluate"), 0);
	ck_assert_double_eq(json_at(s, "archive.nodes"), 1);
	double base = json_at(s, "tokens.by_role.evaluate");
	cJSON_Delete(s);

	/* doubling the paper-review set roughly doubles the initial evaluation's tokens */
	r = run("simulate", "--iterations", "0", "--set", "domains.paper_review.full_tasks=200",
		"--out", "more", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	s = load_json("more/summary.json");
	double more = json_at(s, "tokens.by_role.evaluate");
	ck_assert_msg(more > 1.8 * base && more < 2.2 * base, "%g vs %g", more, base);
	cJSON_Delete(s);
	cJSON *eff = load_json("more/scenario.json");
	cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(eff, "domains"), 0);
	ck_assert_double_eq(cJSON_GetObjectItem(d, "full_tasks")->valuedouble, 200);
	cJSON_Delete(eff);
}
END_TEST

/* The columns of the console's row `label` (calls to output), without the dollars. */
static void row_counts(const char *out, const char *label, char *counts, size_t size)
{
	char key[64];
	snprintf(key, sizeof(key), "\n  %s ", label);
	const char *at = strstr(out, key);
	ck_assert_msg(at != NULL, "no row '%s' in:\n%s", label, out);
	at += strlen(key);
	at += strspn(at, " ");
	size_t n = strcspn(at, "\n");
	while (n && at[n - 1] != ' ') /* drop the USD column */
		n--;
	while (n && at[n - 1] == ' ')
		n--;
	snprintf(counts, size, "%.*s", (int)n, at);
}

/*
 * With paper review served by a fleet, "total (API)" counts only the tokens sent to the API
 * (here those of claude-sonnet-4-5, the only API model left) and the fleet's have their own
 * row, in the console and in report.html.
 */
START_TEST(api_total_leaves_out_fleet_tokens)
{
	char api[128], model[128], fleets[128], fleet[128];
	struct result r = run("simulate", "--iterations", "2", "--runs", "1", "--set",
			      "fleets=[{\"name\":\"h100\",\"serve_model\":\"llama-3.3-70b\","
			      "\"gpu\":\"h100-sxm\",\"replicas\":1,\"pricing\":\"reserved\"}]",
			      "--set", "domains.paper_review.fleet=h100", "--out", "fleet", NULL);
	ck_assert_int_eq(r.status, 0);
	row_counts(r.out, "total (API)", api, sizeof(api));
	row_counts(r.out, "claude-sonnet-4-5", model, sizeof(model));
	ck_assert_str_eq(api, model);
	row_counts(r.out, "total (fleets)", fleets, sizeof(fleets));
	row_counts(r.out, "fleet:h100", fleet, sizeof(fleet));
	ck_assert_str_eq(fleets, fleet);
	result_free(&r);
	char *html = slurp(path_in("fleet/report.html"));
	ck_assert_ptr_nonnull(html);
	ck_assert_ptr_nonnull(strstr(html, "<th>total (fleets)</th>"));
	cJSON *s = load_json("fleet/summary.json");
	char tokens[32], row[160];
	numfmt_count(json_at(s, "tokens.by_model.claude-sonnet-4-5"), tokens, sizeof(tokens));
	snprintf(row, sizeof(row), "<th>total (API)</th><td class=\"n\">%s</td>"
		 "<td class=\"n\">%s</td>", numfmt_count(json_at(s,
		 "tokens.detail_by_model.claude-sonnet-4-5.calls"), api, sizeof(api)), tokens);
	ck_assert_msg(strstr(html, row) != NULL, "no '%s' in report.html", row);
	cJSON_Delete(s);
	free(html);
}
END_TEST

/* Fails when text cites an internal document instead of a public source. */
static void cites_no_internal_document(const char *what, const char *text)
{
	/* split so that tests/outside.sh, which looks for the path itself, passes over it */
	static const char *const internal[] = { "FACTS", "shared" "/reference" };
	for (size_t i = 0; text && i < sizeof(internal) / sizeof(internal[0]); i++)
		ck_assert_msg(!strstr(text, internal[i]), "%s cites '%s': %s", what, internal[i],
			      strstr(text, internal[i]));
}

/*
 * Every GPU price of every GPU and pricing mode, as crossover prints it and writes it into
 * summary.json and report.html, and simulate's summary, name public sources, never FACTS.
 */
START_TEST(outputs_cite_public_sources)
{
	static const char *const gpus[] = { "h100-sxm", "h100-pcie", "h200", "b200",
					    "a100-80gb" };
	static const char *const modes[] = { "on-demand", "spot", "reserved", "owned" };
	int priced = 0;
	for (size_t g = 0; g < sizeof(gpus) / sizeof(gpus[0]); g++)
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			char out[32], file[48];
			snprintf(out, sizeof(out), "x%zu-%zu", g, m);
			/* the A100 has no FP8 */
			struct result r = run("crossover", "--gpu", gpus[g], "--pricing", modes[m],
					      "--precision", g == 4 ? "bf16" : "fp8", "--set",
					      "iterations=1", "--runs", "1", "--out", out, NULL);
			cites_no_internal_document("crossover's stdout", r.out);
			cites_no_internal_document("crossover's stderr", r.err);
			for (int k = 0; r.status == 0 && k < 2; k++) {
				snprintf(file, sizeof(file), "%s/%s", out,
					 k ? "report.html" : "summary.json");
				char *text = slurp(path_in(file));
				ck_assert_ptr_nonnull(text);
				cites_no_internal_document(k ? "report.html" : "summary.json", text);
				free(text);
			}
			priced += r.status == 0;
			result_free(&r);
		}
	/* the GPU sheet's prices: h100-sxm 4 (with owned), h200 2, b200 1, a100-80gb 2 */
	ck_assert_int_eq(priced, 9);
	struct result r = run("simulate", "--iterations", "1", "--runs", "1", "--out", "s", NULL);
	ck_assert_int_eq(r.status, 0);
	cites_no_internal_document("simulate's stdout", r.out);
	result_free(&r);
	char *text = slurp(path_in("s/summary.json"));
	cites_no_internal_document("simulate's summary.json", text);
	free(text);
}
END_TEST

START_TEST(bad_input_exit_3_and_nothing_written)
{
	write_file("bad.json", "{\"name\": \"x\", \"iterations\": 10, \"self_modification\": "
			       "{\"model\": \"claude-sonnet-4-5\", \"calls\": 5, \"prompt_tokens\": "
			       "100, \"output_tokens\": 10}, \"domains\": [{\"name\": \"d\", "
			       "\"model\": \"gpt-4o\", \"screen_tasks\": 2, \"full_tasks\": 4, "
			       "\"eval_workers\": 0, \"task\": {\"calls\": 1, \"prompt_tokens\": 10, "
			       "\"output_tokens\": 1}}]}");
	struct result r = run("simulate", "bad.json", "--out", "never", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "bad.json: domains[0].eval_workers: got 0; allowed: a whole "
				    "number from 1 to 10000"), "%s", r.err);
	ck_assert_int_eq(exists("never"), 0);
	ck_assert_int_eq(count_prefixed("never"), 0);
	result_free(&r);

	/* an existing results directory survives a failed run untouched */
	r = run("simulate", "--iterations", "1", "--out", "kept", "--quiet", NULL);
	ck_assert_int_eq(r.status, 0);
	result_free(&r);
	char *before = slurp(path_in("kept/summary.json"));
	r = run("simulate", "bad.json", "--out", "kept", NULL);
	ck_assert_int_eq(r.status, 3);
	result_free(&r);
	char *after = slurp(path_in("kept/summary.json"));
	ck_assert_str_eq(before, after);
	free(before);
	free(after);

	r = run("validate", "bad.json", "--set", "domains.d.eval_workers=4", "--set",
		"self_modification.model=gpt-4q", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "self_modification.model: unknown model 'gpt-4q'") &&
			      strstr(r.err, "'gpt-4o'"), "%s", r.err);
	result_free(&r);

	write_file("broken.json", "{\n  \"name\": \"x\",\n  \"iterations\": 10,,\n}");
	r = run("validate", "broken.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "broken.json:3:"), "%s", r.err);
	result_free(&r);

	r = run("simulate", "missing.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "missing.json"));
	result_free(&r);
}
END_TEST

/*
 * shared.loops: summary.json's shared object, a loop column in iterations.csv with every
 * loop's rows, the console line; a bad value exits 3 naming the file, path and range.
 */
START_TEST(shared_loops_results)
{
	struct result r = run("simulate", "--iterations", "2", "--set", "shared.loops=3",
			      "--set", "shared.eval_workers=5", "--out", "three", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "3 loops on shared capacity"), "%s", r.out);
	result_free(&r);
	cJSON *s = load_json("three/summary.json");
	ck_assert_double_eq(json_at(s, "shared.loops"), 3);
	ck_assert_double_eq(json_at(s, "shared.eval_workers"), 5);
	ck_assert_double_eq_tol(json_at(s, "shared.cost_usd_per_loop"),
				json_at(s, "cost_usd.total") / 3, 1e-9);
	ck_assert_double_eq(json_at(s, "archive.nodes"), 3 * 3);
	double u = json_at(s, "shared.eval_worker_utilisation");
	ck_assert_msg(u > 0 && u <= 1, "eval_worker_utilisation %g", u);
	cJSON_Delete(s);
	char *csv = slurp(path_in("three/iterations.csv"));
	ck_assert_uint_eq(count_lines(csv), 1 + 3 * 3);
	ck_assert_ptr_nonnull(strstr(csv, ",rebuild_share,loop\n"));
	ck_assert_ptr_nonnull(strstr(csv, ",2\n"));
	free(csv);

	r = run("simulate", "--set", "shared.loops=0", "--out", "never", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "shared.loops: got 0; allowed: a whole number from 1 to "
				    "1000"), "%s", r.err);
	ck_assert_int_eq(exists("never"), 0);
	result_free(&r);
}
END_TEST

START_TEST(presets_validate)
{
	static const char *const presets[] = { "hyperagents-paper", "hyperagents-staged",
					       "hyperagents-500", "dgm-polyglot" };
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/data/scenarios/%s.json", SOURCE_DIR, presets[i]);
		struct result r = run("validate", path, NULL);
		ck_assert_msg(r.status == 0, "%s: %s", presets[i], r.err);
		ck_assert_ptr_nonnull(strstr(r.out, "ok: "));
		result_free(&r);
	}
}
END_TEST

/*
 * The Polyglot preset's task agent is fitted to DGM's real logs: 643,294 tokens over the 57
 * tasks that made usable calls (FACTS §1, docs/calibration.md). The simulated initial
 * evaluation (60 tasks) must match that per-task mean within 3%, and the cached tokens
 * (122,856 / 57 = 2,155.4 per task) too.
 */
START_TEST(polyglot_matches_real_logs)
{
	struct result r = run("simulate", SOURCE_DIR "/data/scenarios/dgm-polyglot.json",
			      "--iterations", "0", "--runs", "100", "--out", "pg", "--quiet", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON *s = load_json("pg/summary.json");
	double per_task = json_at(s, "tokens.by_role.evaluate") / 60;
	double observed = 643294.0 / 57;
	ck_assert_msg(per_task > 0.97 * observed && per_task < 1.03 * observed,
		      "simulated %.0f tokens per task, observed %.0f", per_task, observed);
	/* cached tokens too, under OpenAI's 1,024-token minimum (docs/calibration.md) */
	double cached = json_at(s, "tokens.cache_read") / 60;
	ck_assert_msg(cached > 0.97 * 2155.4 && cached < 1.03 * 2155.4,
		      "simulated %.0f cached tokens per task, observed 2155.4", cached);
	double calls = json_at(s, "tokens.calls") / 60;
	ck_assert_msg(calls > 0.95 * 253 / 57 && calls < 1.05 * 253 / 57, "%.2f calls", calls);
	cJSON_Delete(s);
}
END_TEST

/* The paper preset priced with a flat sheet ($3 for every prompt token, cached or not, and
 * $15 per output token) costs exactly 3 × input + 15 × output per million. */
START_TEST(flat_sheet_prices_exactly)
{
	write_file("flat.json", "{\"hypercap_prices\": 1, \"date\": \"2026-11-21\", \"source\": "
				"\"test: flat rates\", \"models\": ["
				"{\"name\": \"claude-sonnet-4-5\", \"input\": 3, \"output\": 15, "
				"\"cache_read\": 3, \"cache_write\": 3},"
				"{\"name\": \"gpt-4o\", \"input\": 3, \"output\": 15, "
				"\"cache_read\": 3}]}");
	struct result r = run("simulate", "--prices", "flat.json", "--out", "flat", "--quiet",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	result_free(&r);
	cJSON *s = load_json("flat/summary.json");
	double want = (3 * json_at(s, "tokens.input") + 15 * json_at(s, "tokens.output")) / 1e6;
	ck_assert_double_eq_tol(json_at(s, "cost_usd.api"), want, 1e-9 * want);
	ck_assert_double_eq_tol(json_at(s, "cost_usd.total"),
				json_at(s, "cost_usd.api") + json_at(s, "cost_usd.storage") +
					json_at(s, "cost_usd.compute") +
					json_at(s, "cost_usd.self_hosted"), 1e-9 * want);
	cJSON_Delete(s);
}
END_TEST

/*
 * crossover --loops: the table on the console and summary.json's crossover.loops, whose
 * break-even is the fewest loops tried at which the fleet costs a loop no more than the API;
 * --loops 1 is a usage error.
 */
START_TEST(crossover_loops)
{
	struct result r = run("crossover", "--set", "iterations=2", "--pricing", "reserved",
			      "--loops", "8", "--max-wait", "5", "--out", "xl", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "loops at once on one fleet serving every role"), "%s", r.out);
	result_free(&r);
	cJSON *s = load_json("xl/summary.json");
	ck_assert_double_eq(json_at(s, "crossover.loops.max_loops"), 8);
	ck_assert_double_eq(json_at(s, "crossover.loops.max_wait_seconds"), 5);
	const cJSON *tried = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s,
				"crossover"), "loops"), "tried");
	const cJSON *be = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s,
				"crossover"), "loops"), "break_even_loops");
	ck_assert_int_ge(cJSON_GetArraySize(tried), 1);
	double first = INFINITY;
	const cJSON *row;
	cJSON_ArrayForEach(row, tried) {
		double fleet = cJSON_GetObjectItem(row, "fleet_usd_per_loop")->valuedouble;
		double api = cJSON_GetObjectItem(row, "api_usd_per_loop")->valuedouble;
		ck_assert_double_le(cJSON_GetObjectItem(row, "mean_wait_seconds")->valuedouble, 5);
		if (fleet <= api)
			first = fmin(first, cJSON_GetObjectItem(row, "loops")->valuedouble);
	}
	if (isinf(first))
		ck_assert(cJSON_IsNull(be));
	else
		ck_assert_double_eq(be->valuedouble, first);
	cJSON_Delete(s);
	r = run("crossover", "--loops", "1", NULL);
	ck_assert_int_eq(r.status, 2);
	result_free(&r);
}
END_TEST

/* The crossover of the paper preset's mix is the closed form GPUs × $/GPU-hour × 730 / API
 * $ per token, and the CSV turns to the fleet there. */
START_TEST(crossover_paper_preset)
{
	struct result r = run("crossover", "--pricing", "owned", "--out", "x", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "costs less than the scenario's API mix above"), "%s", r.out);
	result_free(&r);
	cJSON *s = load_json("x/summary.json");
	double be = json_at(s, "crossover.break_even_tokens_per_month");
	double want = json_at(s, "crossover.replica.gpus") * json_at(s, "crossover.gpu_hour_usd") *
		      730 / (json_at(s, "crossover.api_usd_per_mtok") / 1e6);
	ck_assert_msg(fabs(be / want - 1) < 1e-3, "%g vs %g", be, want);
	cJSON_Delete(s);
	char *csv = slurp(path_in("x/crossover.csv"));
	ck_assert_int_eq(strncmp(csv, "tokens_per_month,api_usd,self_hosted_usd,", 41), 0);
	double prev = 0, v, api, fleet;
	for (char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		/* a token count in digits: not 1.25893e+06, which lost its last digits */
		ck_assert_msg(strspn(line, "0123456789") == strcspn(line, ","), "%.40s", line);
		ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf", &v, &api, &fleet), 3);
		if (v < be)
			ck_assert_msg(api <= fleet + 0.01, "%g: API %g, fleet %g", v, api, fleet);
		else if (prev >= be || v > be * 1.0001)
			ck_assert_msg(api >= fleet - 0.01, "%g: API %g, fleet %g", v, api, fleet);
		prev = v;
	}
	free(csv);
	r = run("crossover", "--gpu", "h100-sxn", "--out", "y", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "unknown GPU 'h100-sxn'") && strstr(r.err, "'h100-sxm'"), "%s",
		      r.err);
	ck_assert_int_eq(exists("y"), 0);
	result_free(&r);
	r = run("crossover", "--gpu", "h100-pcie", "--out", "y", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "--gpu-hour-usd"), "%s", r.err);
	result_free(&r);
}
END_TEST

#define GPU_SHEET SOURCE_DIR "/data/gpus/gpus-2026-11-21.json"

/* The H100 SXM's price for a mode row of crossover ("spot", "on-demand Lambda"), read from
 * the GPU sheet itself; NAN for owned (priced from capex, tested apart). */
static double sheet_price(const cJSON *h100, const char *row)
{
	const cJSON *o;
	if (!strncmp(row, "on-demand ", 10)) {
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(h100, "offers"))
			if (!strcmp(cJSON_GetObjectItem(o, "name")->valuestring, row + 10))
				return cJSON_GetObjectItem(o, "usd_per_gpu_hour")->valuedouble;
		ck_abort_msg("no offer '%s' in the sheet", row + 10);
	}
	o = cJSON_GetObjectItem(cJSON_GetObjectItem(h100, "prices"), row);
	return o ? cJSON_GetObjectItem(o, "usd_per_gpu_hour")->valuedouble : NAN;
}

/* Every pricing mode and named offer of the sheet in one run: each break-even is the fixed
 * monthly cost (GPUs × $/GPU-hour × 730) over the API's rate, and its utilisation that volume
 * over the replica's full-use capacity (tokens/s × 3,600 × 730), never the 60% ceiling. */
START_TEST(crossover_every_mode)
{
	struct result r = run("crossover", "--pricing", "reserved", "--set", "iterations=3",
			      "--out", "m", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	char *sheet_text = slurp(GPU_SHEET);
	cJSON *sheet = cJSON_Parse(sheet_text), *h100 = cJSON_GetArrayItem(
		cJSON_GetObjectItem(sheet, "gpus"), 0);
	cJSON *s = load_json("m/summary.json"), *m;
	const cJSON *modes = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "crossover"), "modes");
	double a = json_at(s, "crossover.api_usd_per_mtok") / 1e6;
	double gpus = json_at(s, "crossover.replica.gpus");
	double full = json_at(s, "crossover.replica.tokens_per_s") * 3600 * 730;
	int n = 0, headlines = 0;
	/* the sheet's rental prices, owned (from capex) and its offers */
	ck_assert_int_eq(cJSON_GetArraySize(modes),
			 cJSON_GetArraySize(cJSON_GetObjectItem(h100, "prices")) + 1 +
				 cJSON_GetArraySize(cJSON_GetObjectItem(h100, "offers")));
	cJSON_ArrayForEach(m, modes) {
		const char *name = cJSON_GetObjectItem(m, "pricing")->valuestring;
		double usd = json_at(m, "gpu_hour_usd"), want = sheet_price(h100, name);
		double fixed = gpus * usd * 730, be = json_at(m, "break_even_tokens_per_month");
		ck_assert_msg(isnan(want) ? !strcmp(name, "owned") : usd == want, "%s", name);
		ck_assert_double_eq_tol(json_at(m, "fixed_usd_per_month"), fixed, 1e-9 * fixed);
		ck_assert_double_eq_tol(be, fixed / a, 1e-3 * be);
		ck_assert_double_eq_tol(json_at(m, "utilisation_at_break_even"),
					json_at(m, "integer_break_even_tokens_per_month") /
						(json_at(m, "replicas_at_break_even") * full), 1e-12);
		ck_assert_msg(strstr(r.out, name), "%s not printed:\n%s", name, r.out);
		headlines += cJSON_IsTrue(cJSON_GetObjectItem(m, "headline"));
		n++;
	}
	ck_assert_int_eq(headlines, 1);
	char said[64], *csv = slurp(path_in("m/crossover_modes.csv"));
	ck_assert_uint_eq(count_lines(csv), (size_t)n + 1);
	snprintf(said, sizeof(said), "would be %.1f%% busy",
		 100 * json_at(s, "crossover.utilisation_at_break_even"));
	ck_assert_msg(strstr(r.out, said) && !strstr(r.out, "60% utilisation"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "quality is not modelled: llama-3.3-70b FP8 replaces "
				    "claude-sonnet-4-5, gpt-4o"), "%s", r.out);
	free(csv);
	free(sheet_text);
	cJSON_Delete(sheet);
	cJSON_Delete(s);
	result_free(&r);
}
END_TEST

/* --pricing names an offer of the sheet as the headline; a name that is neither a mode nor an
 * offer is refused with both lists. */
START_TEST(crossover_offer_headline)
{
	struct result r = run("crossover", "--pricing", "lambda", "--set", "iterations=3",
			      "--out", "l", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "$3.99/GPU-hour on-demand Lambda (Lambda Cloud"), "%s", r.out);
	result_free(&r);
	cJSON *s = load_json("l/summary.json");
	ck_assert_double_eq(json_at(s, "crossover.gpu_hour_usd"), 3.99);
	cJSON_Delete(s);
	char *csv = slurp(path_in("l/crossover_modes.csv"));
	ck_assert_msg(strstr(csv, "\"on-demand Lambda\",\"Lambda Cloud") &&
		      strstr(strstr(csv, "\"on-demand Lambda\""), ",yes\n"), "%s", csv);
	free(csv);
	r = run("crossover", "--pricing", "spott", "--set", "iterations=3", "--out", "e", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "--pricing 'spott'") &&
		      strstr(r.err, "allowed: on-demand, spot, reserved, owned, or an offer: "
				    "GCP a3, Azure, Lambda, RunPod"), "%s", r.err);
	ck_assert_int_eq(exists("e"), 0);
	result_free(&r);
}
END_TEST

/* No quality line when the API model is the one the fleet serves. */
START_TEST(crossover_same_model_no_quality_note)
{
	write_file("llama.json", "{\"hypercap_prices\": 1, \"date\": \"2026-11-21\", "
				 "\"source\": \"test\", \"models\": ["
				 "{\"name\": \"claude-sonnet-4-5\", \"input\": 3, \"output\": 15,"
				 " \"cache_read\": 3, \"cache_write\": 3},"
				 "{\"name\": \"gpt-4o\", \"input\": 3, \"output\": 15, "
				 "\"cache_read\": 3},"
				 "{\"name\": \"Llama-3.3-70B-Instruct\", \"input\": 0.9, "
				 "\"output\": 0.9}]}");
	struct result r = run("crossover", "--prices", "llama.json", "--api-model",
			      "Llama-3.3-70B-Instruct", "--set", "iterations=3", "--out", "q", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(!strstr(r.out, "quality is not modelled"), "%s", r.out);
	result_free(&r);
}
END_TEST

/* docs/scenario.md holds the field reference as `validate --reference` prints it. */
START_TEST(reference_docs_in_sync)
{
	struct result r = run("validate", "--reference", NULL);
	ck_assert_int_eq(r.status, 0);
	char *doc = slurp(SOURCE_DIR "/docs/scenario.md");
	ck_assert_ptr_nonnull(doc);
	ck_assert_msg(strstr(doc, r.out), "docs/scenario.md is out of date: regenerate its "
					  "reference with 'hypercap validate --reference'");
	free(doc);
	result_free(&r);
}
END_TEST

/* ---- hypercap prices ---- */

#define LITELLM_CATALOG SOURCE_DIR "/data/prices/litellm-model-prices-2026-07-24.json"
#define PARITY_SHEET SOURCE_DIR "/tests/fixtures/prices/litellm-parity-2026-07-24.json"
#define EMBEDDED_SHEET SOURCE_DIR "/data/prices/api-2026-07-24.json"

/* The line of text that starts with prefix, copied into buf ("" when none). */
static const char *line_starting(const char *text, const char *prefix, char *buf, size_t size)
{
	buf[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, strlen(prefix))) {
			snprintf(buf, size, "%.*s", (int)strcspn(l, "\n"), l);
			break;
		}
	return buf;
}

START_TEST(prices_list_and_show)
{
	char line[512];
	struct result r = run("prices", "list", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "hypercap price sheet, dated 2026-07-24; 13 models") &&
			      strstr(r.out, "# source: LiteLLM"), "%s", r.out);
	ck_assert_uint_eq(count_lines(r.out), 4 + 13); /* 3 header lines, column names, models */
	line_starting(r.out, "o3-mini ", line, sizeof(line));
	ck_assert_msg(strstr(line, " openai ") && strstr(line, " 1.1 ") && strstr(line, " 4.4 ") &&
			      strstr(line, " 0.55 ") && strstr(line, "unknown"), "%s", line);
	result_free(&r);

	r = run("prices", "show", "anthropic/claude-sonnet-4-5-20250929", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(strncmp(r.out, "claude-sonnet-4-5\n", 18), 0);
	ck_assert_msg(strstr(r.out, "  date         2026-07-24\n") &&
			      strstr(line_starting(r.out, "    cache write (1 h) above 200k", line,
						   sizeof(line)), " 12") &&
			      strstr(line_starting(r.out, "    batch input", line, sizeof(line)),
				     " unknown") &&
			      strstr(r.out, "claude-sonnet-4-5-20250929"), "%s", r.out);
	result_free(&r);

	/* LiteLLM's catalog as it is */
	r = run("prices", "list", "--prices", LITELLM_CATALOG, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "LiteLLM catalog, dated 2026-07-24 (from the file name); "
				    "2321 models (584 entries skipped"), "%.300s", r.out);
	ck_assert_uint_eq(count_lines(r.out), 4 + 2321);
	result_free(&r);

	/* every tier a model has, with its rates, and a tiered_pricing table row by row */
	r = run("prices", "show", "gpt-5.4", "--prices", PARITY_SHEET, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(line_starting(r.out, "    output above 272k", line, sizeof(line)),
			     " 22.5") && !strstr(r.out, "above 200k"), "%s", r.out);
	result_free(&r);
	r = run("prices", "show", "dashscope/qwen3-coder-plus", "--prices", PARITY_SHEET, NULL);
	ck_assert_msg(r.status == 0 && strstr(r.out, "    (32000, 128000]: 1.8 9 0.18 unknown") &&
			      strstr(r.out, "  long-context tiers                 none"), "%s",
		      r.out);
	result_free(&r);
	write_file("tiny.json", "{ \"gpt-x\": { \"litellm_provider\": \"openai\", \"mode\": "
				"\"chat\", \"input_cost_per_token\": 2e-06, "
				"\"output_cost_per_token\": 8e-06 } }");
	r = run("prices", "show", "openai/gpt-x", "--prices", "tiny.json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "  date         unknown (neither the file name") &&
			      strstr(line_starting(r.out, "    output ", line, sizeof(line)), " 8") &&
			      strstr(r.out, "  source       LiteLLM model_prices_and_context_window"
					    ".json (tiny.json)"), "%s", r.out);
	result_free(&r);
}
END_TEST

START_TEST(prices_errors)
{
	struct result r = run("prices", "show", "gpt-4q", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "unknown model 'gpt-4q'") && strstr(r.err, "'gpt-4o'"), "%s",
		      r.err);
	result_free(&r);
	r = run("prices", "show", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "--prices",
		LITELLM_CATALOG, NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "ambiguous model 'meta-llama/Meta-Llama-3.1-70B-Instruct-"
				    "Turbo'") && strstr(r.err, "'together_ai/meta-llama/"), "%s",
		      r.err);
	result_free(&r);
	write_file("junk.json", "{ \"models\": [] }");
	r = run("prices", "list", "--prices", "junk.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "junk.json: not a price sheet"), "%s", r.err);
	result_free(&r);
	static const char *const bad[][4] = {
		{ "prices", NULL }, { "prices", "frob", NULL }, { "prices", "show", NULL },
		{ "prices", "list", "extra", NULL }, { "prices", "import", "csv", "x" },
		{ "prices", "list", "-o", "x" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run(bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL);
		ck_assert_msg(r.status == 2, "prices %s: exit %d", bad[i][1] ? bad[i][1] : "",
			      r.status);
		ck_assert_ptr_nonnull(strstr(r.err, "hypercap prices --help"));
		result_free(&r);
	}
	ck_assert_int_eq(exists("x"), 0);
	r = run("prices", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "usage: hypercap prices list") &&
			      strstr(r.out, "usage: hypercap prices show MODEL") &&
			      strstr(r.out, "usage: hypercap prices import litellm FILE"), "%s", r.out);
	result_free(&r);
	r = run("prices", "import", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "usage: hypercap prices import") &&
			      !strstr(r.out, "usage: hypercap prices list"), "%s", r.out);
	result_free(&r);
}
END_TEST

/* The rates of the model called name in a sheet of hypercap's format. */
static const cJSON *sheet_model(const cJSON *sheet, const char *name)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(sheet, "models"))
		if (!strcmp(cJSON_GetObjectItem(m, "name")->valuestring, name))
			return m;
	ck_abort_msg("no model '%s' in the sheet", name);
	return NULL;
}

START_TEST(prices_import_litellm)
{
	static const char *const keys[] = {
		"input", "output", "cache_read", "cache_write", "cache_write_1h",
		"input_above_200k", "output_above_200k", "cache_read_above_200k",
		"cache_write_above_200k", "cache_write_1h_above_200k", "batch_input",
		"batch_output", "max_input_tokens",
	};
	struct result r = run("prices", "import", "litellm", LITELLM_CATALOG, "-o", "sheet.json",
			      NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "wrote sheet.json: 13 models"), "%s", r.out);
	result_free(&r);
	ck_assert_int_eq(count_prefixed("sheet.json"), 1); /* no temporary file left */
	cJSON *got = load_json("sheet.json");
	char *text = slurp(EMBEDDED_SHEET);
	cJSON *want = cJSON_Parse(text);
	free(text);
	ck_assert_str_eq(cJSON_GetObjectItem(got, "date")->valuestring, "2026-07-24");
	static const char *const models[] = { "claude-sonnet-4-5", "o3-mini" };
	for (size_t i = 0; i < 2; i++) {
		const cJSON *g = sheet_model(got, models[i]), *w = sheet_model(want, models[i]);
		ck_assert_str_eq(cJSON_GetObjectItem(g, "litellm_key")->valuestring,
				 cJSON_GetObjectItem(w, "litellm_key")->valuestring);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const cJSON *a = cJSON_GetObjectItem(g, keys[k]);
			const cJSON *b = cJSON_GetObjectItem(w, keys[k]);
			ck_assert_msg(!a == !b, "%s.%s: present in one sheet only", models[i],
				      keys[k]);
			if (a)
				ck_assert_msg(a->valuedouble == b->valuedouble, "%s.%s: %g vs %g",
					      models[i], keys[k], a->valuedouble, b->valuedouble);
		}
	}
	cJSON_Delete(want);
	cJSON_Delete(got);

	/* the imported sheet prices a run exactly as the embedded one, and so does the catalog */
	const char *sheets[] = { NULL, "sheet.json", LITELLM_CATALOG };
	double cost[3];
	for (size_t i = 0; i < 3; i++) {
		char out[32];
		snprintf(out, sizeof(out), "run%zu", i);
		r = i ? run("simulate", "--iterations", "2", "--quiet", "--out", out, "--prices",
			    sheets[i], NULL)
		      : run("simulate", "--iterations", "2", "--quiet", "--out", out, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		result_free(&r);
		snprintf(out, sizeof(out), "run%zu/summary.json", i);
		cJSON *s = load_json(out);
		cost[i] = json_at(s, "cost_usd.api");
		cJSON_Delete(s);
	}
	ck_assert_double_gt(cost[0], 0);
	ck_assert_double_eq(cost[1], cost[0]);
	ck_assert_double_eq(cost[2], cost[0]);

	/* chosen models, to standard output, under their LiteLLM names */
	r = run("prices", "import", "litellm", LITELLM_CATALOG, "--model",
		"claude-sonnet-4-5-20250929", "--model", "openai/o3-mini", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cJSON *two = cJSON_Parse(r.out);
	ck_assert_ptr_nonnull(two);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(two, "models")), 2);
	ck_assert_double_eq(cJSON_GetObjectItem(sheet_model(two, "claude-sonnet-4-5"),
						"cache_write_1h")->valuedouble, 6.0);
	ck_assert_double_eq(cJSON_GetObjectItem(sheet_model(two, "o3-mini"),
						"cache_read")->valuedouble, 0.55);
	cJSON_Delete(two);
	result_free(&r);

	/* a failed import leaves the old sheet as it was, and no temporary file */
	char *before = slurp(path_in("sheet.json"));
	r = run("prices", "import", "litellm", LITELLM_CATALOG, "--model", "gpt-4o", "--model",
		"claude-sonet-4-5", "-o", "sheet.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "unknown model 'claude-sonet-4-5'") &&
			      strstr(r.err, "'claude-sonnet-4-5'"), "%s", r.err);
	result_free(&r);
	char *after = slurp(path_in("sheet.json"));
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	ck_assert_int_eq(count_prefixed("sheet.json"), 1);
	r = run("prices", "import", "litellm", EMBEDDED_SHEET, "-o", "other.json", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, "not LiteLLM's"), "%s", r.err);
	ck_assert_int_eq(count_prefixed("other.json"), 0);
	result_free(&r);
	r = run("prices", "import", "litellm", LITELLM_CATALOG, "-o", "no/such/dir/s.json", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "no/such/dir/s.json"), "%s", r.err);
	result_free(&r);
}
END_TEST

/* The transcript of hypercap run on a terminal (script(1) gives it a pseudo-terminal). */
static char *run_on_tty(const char *args)
{
	char cmd[1024], *text = NULL;
	size_t len = 0;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && SOURCE_DATE_EPOCH=0 script -qfec '%s %s >/dev/null' /dev/null",
		 workdir, HYPERCAP_BIN, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	FILE *mem = open_memstream(&text, &len);
	char buf[4096];
	for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;)
		fwrite(buf, 1, n, mem);
	fclose(mem);
	ck_assert_int_eq(pclose(p), 0);
	return text;
}

START_TEST(progress_only_on_a_terminal)
{
	/* seconds of replications on any machine: the line would be drawn from 0.25 s on */
	struct result r = run("simulate", "--runs", "400", "--threads", "1", "--out", "file",
			      NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_msg(!strchr(r.err, '\r') && !strstr(r.err, "replications"),
		      "progress on a stderr that is a file: %s", r.err);
	result_free(&r);
	if (access("/usr/bin/script", X_OK))
		return; /* util-linux's script(1) is missing: the terminal half cannot run */
	char *tty = run_on_tty("simulate --runs 400 --threads 1 --out tty");
	ck_assert_msg(strstr(tty, "\rsimulate: [") && strstr(tty, "/400 replications") &&
		      strstr(tty, " left\033[K"), "no progress line on a terminal: %s", tty);
	ck_assert_msg(strstr(tty, "\r\033[K"), "the progress line is not erased: %s", tty);
	free(tty);
	tty = run_on_tty("simulate --runs 60 --threads 1 --quiet --out quiet");
	ck_assert_msg(!strstr(tty, "replications"), "progress despite --quiet: %s", tty);
	free(tty);
	static const char *const files[] = { "summary.json", "iterations.csv",
					     "montecarlo.csv" };
	for (size_t i = 0; i < 3; i++)
		assert_same_file("file", "tty", files[i], "with the progress line");
}
END_TEST

/* The shared options (cli/options.c): one help line in every command, refused where not taken. */
START_TEST(shared_options_alike)
{
	static const char *const seeded[] = { "simulate", "crossover", "plan", "sweep", "fit" };
	static const char line[] = "\n  --seed S            master random seed (default 1); same "
				   "seed, same bytes\n";
	struct result r;
	for (size_t i = 0; i < sizeof(seeded) / sizeof(seeded[0]); i++) {
		r = run(seeded[i], "--help", NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_msg(strstr(r.out, line), "%s --help: %s", seeded[i], r.out);
		ck_assert_ptr_nonnull(strstr(r.out, "\n  -h, --help          this text\n"));
		result_free(&r);
	}
	r = run("validate", "--help", NULL);
	ck_assert_ptr_null(strstr(r.out, "--seed"));
	result_free(&r);
	r = run("validate", "--seed", "2", "x.json", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unrecognized option '--seed'"));
	ck_assert_ptr_nonnull(strstr(r.err, "(see 'hypercap validate --help')"));
	result_free(&r);
	r = run("plan", "--budget-usd", "5", "--threads", "0", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "hypercap plan: --threads '0': expected a whole "
					    "number from 1 to 1024"));
	result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, usage_errors_exit_2);
	tcase_add_test(tc, default_run_writes_contract_keys);
	tcase_add_test(tc, calendar_busy_schedule);
	tcase_add_test(tc, model_without_profile_warns);
	tcase_add_test(tc, gpu_simulators_over_the_wall_time_warn);
	tcase_add_test(tc, calendar_back_to_back);
	tcase_add_test(tc, same_seed_same_bytes_any_threads);
	tcase_add_test(tc, iterations_zero_and_set);
	tcase_add_test(tc, api_total_leaves_out_fleet_tokens);
	tcase_add_test(tc, outputs_cite_public_sources);
	tcase_add_test(tc, bad_input_exit_3_and_nothing_written);
	tcase_add_test(tc, presets_validate);
	tcase_add_test(tc, reference_docs_in_sync);
	tcase_add_test(tc, polyglot_matches_real_logs);
	tcase_add_test(tc, flat_sheet_prices_exactly);
	tcase_add_test(tc, crossover_paper_preset);
	tcase_add_test(tc, crossover_every_mode);
	tcase_add_test(tc, crossover_offer_headline);
	tcase_add_test(tc, crossover_same_model_no_quality_note);
	tcase_add_test(tc, prices_list_and_show);
	tcase_add_test(tc, prices_errors);
	tcase_add_test(tc, prices_import_litellm);
	tcase_add_test(tc, progress_only_on_a_terminal);
	tcase_add_test(tc, shared_options_alike);
	tcase_add_test(tc, shared_loops_results);
	tcase_add_test(tc, crossover_loops);
	suite_add_tcase(s, tc);
	return check_run(s);
}
