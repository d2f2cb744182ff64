/*
 * hypercap meter end to end: the built binary in front of tests/meter_peer.c's fake provider,
 * on 127.0.0.1 with free ports. The upstream keeps a ledger of the usage it sent (in hypercap's
 * convention, computed on its own); the trace's totals must equal it. Every wait is bounded.
 */
#define _GNU_SOURCE /* prlimit */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include "tests/check_main.h"
#include "tests/chromium.h"
#include "tests/slurp.h"
#include "base/jsonfile.h"
#include "model/prices.h"
#include "tests/synth_run.h"
#include "trace/trace.h"

#define SECRET "sk-test-SECRETKEY-0123456789abcdef"
#define ANT_SECRET "sk-ant-SECRETKEY-9876543210fedcba"

static char dir[256];

static char *in_dir(const char *name)
{
	static char buf[32][512]; /* argv lists hold several at once */
	static int k;
	k = (k + 1) % 32;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

/* ---- processes ---- */

/* Runs argv with stdout and stderr into files of dir. */
static pid_t spawn(const char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(in_dir(out), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(in_dir(err), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0 || chdir(dir))
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* The exit status of pid (128+N when killed by N), or -1 after timeout seconds. */
static int wait_exit(pid_t pid, double timeout)
{
	double end = now_s() + timeout;
	int status;
	while (now_s() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_s(0.02);
	}
	return -1;
}

/*
 * Signals pid and waits for its exit status. The bound only keeps a hung meter from hanging
 * the test; it asserts no speed. It is long because a meter with --forecast ends its
 * projection in progress before it exits, on a worker at nice 19: on a loaded machine (CI
 * runs the suite two at a time on two cores) that took more than 15 s.
 */
static int stop(pid_t pid, int sig)
{
	kill(pid, sig);
	int status = wait_exit(pid, 90);
	if (status < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return status;
}

/* Waits until file holds marker followed by a port number. */
static unsigned wait_port(const char *file, const char *marker)
{
	double end = now_s() + 10;
	while (now_s() < end) {
		char *text = slurp(in_dir(file));
		const char *at = text ? strstr(text, marker) : NULL;
		unsigned port = 0;
		if (at && sscanf(at + strlen(marker), "%u", &port) == 1 && strchr(at, '\n')) {
			free(text);
			return port;
		}
		free(text);
		sleep_s(0.02);
	}
	ck_abort_msg("no port in %s after 10 s", file);
	return 0;
}

struct peer {
	pid_t pid;
	unsigned port;
	char url[64];
};

static struct peer upstream;

static void start_upstream(void)
{
	const char *argv[] = { METER_PEER, "upstream", in_dir("ledger.jsonl"), NULL };
	upstream.pid = spawn(argv, "upstream.out", "upstream.err");
	upstream.port = wait_port("upstream.out", "");
	snprintf(upstream.url, sizeof(upstream.url), "http://127.0.0.1:%u", upstream.port);
}

/* Starts hypercap meter in front of url with extra options (NULL-terminated). */
static struct peer start_meter(const char *url, const char *const extra[])
{
	const char *argv[40] = { HYPERCAP_BIN, "meter", "--upstream", url, "--listen",
				 "127.0.0.1:0", "--trace", in_dir("trace.jsonl") };
	size_t n = 8;
	for (size_t i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	struct peer p;
	unlink(in_dir("meter.err")); /* a previous meter's port must not be read */
	p.pid = spawn(argv, "meter.out", "meter.err");
	p.port = wait_port("meter.err", "listening on http://127.0.0.1:");
	snprintf(p.url, sizeof(p.url), "http://127.0.0.1:%u", p.port);
	return p;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hypercap-meter-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_upstream();
}

static void teardown(void)
{
	char cmd[300];
	stop(upstream.pid, SIGTERM);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- HTTP ---- */

struct reply {
	long code;
	char *body, *headers;
	double first_byte, total;
};

static size_t collect(char *p, size_t size, size_t n, void *cls)
{
	char **s = cls;
	size_t old = *s ? strlen(*s) : 0;
	*s = realloc(*s, old + size * n + 1);
	memcpy(*s + old, p, size * n);
	(*s)[old + size * n] = '\0';
	return size * n;
}

/*
 * POSTs body (GET when NULL) to base + path with the NULL-terminated headers; the client gives
 * up (and closes its connection) after timeout_ms.
 */
static struct reply http_within(const char *base, const char *path, const char *body,
				const char *const headers[], long timeout_ms)
{
	struct reply r = { 0, NULL, NULL, 0, 0 };
	char url[512];
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	snprintf(url, sizeof(url), "%s%s", base, path);
	CURL *e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &r.headers);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.code);
	curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME, &r.first_byte);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &r.total);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	if (!r.body)
		r.body = strdup("");
	if (!r.headers)
		r.headers = strdup("");
	return r;
}

static struct reply http(const char *base, const char *path, const char *body,
			 const char *const headers[])
{
	return http_within(base, path, body, headers, 20000);
}

static void reply_free(struct reply *r)
{
	free(r->body);
	free(r->headers);
}

static const char *const openai_auth[] = { "Authorization: Bearer " SECRET, NULL };
static const char *const anthropic_auth[] = { "x-api-key: " ANT_SECRET,
					      "anthropic-version: 2023-06-01", NULL };

static void expect_ok(const char *base, const char *path, const char *body,
		      const char *const headers[])
{
	struct reply r = http(base, path, body, headers);
	ck_assert_msg(r.code == 200, "%s: HTTP %ld: %s", path, r.code, r.body);
	reply_free(&r);
}

/* ---- reading what was written ---- */

struct totals {
	size_t n, with_usage, unknown, upstream_errors, key_seen, tag_leak;
	struct usage u;
};

static void read_trace(struct totals *t, struct trace_llm_call *first_tagged)
{
	struct trace_reader r;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	int rc;
	memset(t, 0, sizeof(*t));
	ck_assert_msg(trace_reader_open(&r, in_dir("trace.jsonl"), 0, &err) == 0, "%s", err.msg);
	while ((rc = trace_reader_next(&r, &rec, &err)) == 1) {
		ck_assert_int_eq(rec.kind, TRACE_LLM_CALL);
		t->n++;
		t->unknown += !strcmp(rec.u.call.status, "usage_unknown");
		t->upstream_errors += !strcmp(rec.u.call.status, "upstream_error");
		if (rec.u.call.has_usage) {
			t->with_usage++;
			usage_add(&t->u, &rec.u.call.usage);
		}
		if (first_tagged && rec.u.call.iteration >= 0 && !first_tagged->role[0])
			*first_tagged = rec.u.call;
	}
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(r.truncated_line, 0);
	trace_reader_close(&r);
}

static long num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);
	ck_assert_msg(cJSON_IsNumber(v), "ledger: no %s", key);
	return (long)v->valuedouble;
}

/* The upstream's ledger: what it sent; an input of -1 is an answer without usage. */
static void read_ledger(struct totals *t)
{
	char *text = slurp(in_dir("ledger.jsonl"));
	memset(t, 0, sizeof(*t));
	ck_assert_ptr_nonnull(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *o = cJSON_Parse(line);
		ck_assert_ptr_nonnull(o);
		t->n++;
		t->key_seen += cJSON_IsTrue(cJSON_GetObjectItem(o, "key_seen"));
		t->tag_leak += cJSON_IsTrue(cJSON_GetObjectItem(o, "tag_leak"));
		if (num(o, "input") >= 0) {
			t->with_usage++;
			t->u.calls++;
			t->u.input += num(o, "input");
			t->u.cache_read += num(o, "cache_read");
			t->u.cache_write += num(o, "cache_write");
			t->u.output += num(o, "output");
			t->u.reasoning += num(o, "reasoning");
		}
		cJSON_Delete(o);
	}
	free(text);
}

static void assert_same_usage(const struct usage *a, const struct usage *b)
{
	ck_assert_int_eq(a->calls, b->calls);
	ck_assert_int_eq(a->input, b->input);
	ck_assert_int_eq(a->cache_read, b->cache_read);
	ck_assert_int_eq(a->cache_write, b->cache_write);
	ck_assert_int_eq(a->output, b->output);
	ck_assert_int_eq(a->reasoning, b->reasoning);
}

/* No file the meter wrote (or its output) holds a key. */
static void assert_no_key_written(void)
{
	static const char *const files[] = { "trace.jsonl", "meter.out", "meter.err", NULL };
	static const char *const keys[] = { SECRET, ANT_SECRET, "SECRETKEY", NULL };
	for (size_t i = 0; files[i]; i++) {
		char *text = slurp(in_dir(files[i]));
		for (size_t k = 0; text && keys[k]; k++)
			ck_assert_msg(!strstr(text, keys[k]), "%s holds a key", files[i]);
		free(text);
	}
}

static cJSON *status_json(const struct peer *m)
{
	struct reply r = http(m->url, "/_hypercap/status", NULL, NULL);
	ck_assert_int_eq(r.code, 200);
	cJSON *o = cJSON_Parse(r.body);
	reply_free(&r);
	ck_assert_ptr_nonnull(o);
	return o;
}

static void write_prices(void)
{
	/* $1000 per 1M tokens of every kind: a call costs (input + output) / 1000 dollars */
	static const char *const models[] = { "fake-model", "gpt-4o-mini", "gpt-4o", "o4-mini",
					      "claude-sonnet-4-5", "claude-haiku-4-5",
					      "text-embedding-3-small", NULL };
	FILE *f = fopen(in_dir("prices.json"), "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"hypercap_prices\":1,\"date\":\"2026-11-21\",\"source\":\"test\",\"models\":[", f);
	for (size_t i = 0; models[i]; i++)
		fprintf(f, "%s{\"name\":\"%s\",\"provider\":\"openai\",\"input\":1000,"
			"\"output\":1000,\"cache_read\":1000,\"cache_write\":1000}", i ? "," : "",
			models[i]);
	fputs("]}", f);
	fclose(f);
}

/* ---- the tests ---- */

START_TEST(every_api_streamed_or_not_totals_match)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), NULL };
	struct peer m = start_meter(upstream.url, opts);
	/* the header's iteration overrides the path's */
	const char *const tagged[] = { "Authorization: Bearer " SECRET, "X-Hypercap-Node: n7",
				       "x-hypercap-task: fix-bug-3", "X-Hypercap-Iteration: 13",
				       NULL };
	expect_ok(m.url, "/hc/iteration=12/role=evaluate/v1/chat/completions",
		  "{\"model\":\"gpt-4o-mini\",\"max_tokens\":21}", tagged);
	expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":true,"
		  "\"stream_options\":{\"include_usage\":true}}", openai_auth);
	expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":true}",
		  openai_auth); /* no include_usage: recorded as usage_unknown */
	expect_ok(m.url, "/v1/responses", "{\"model\":\"o4-mini\",\"max_output_tokens\":33}",
		  openai_auth);
	expect_ok(m.url, "/v1/responses?api-version=1", "{\"model\":\"o4-mini\",\"stream\":true}",
		  openai_auth);
	expect_ok(m.url, "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":44}",
		  anthropic_auth);
	expect_ok(m.url, "/v1/messages", "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":55,"
		  "\"stream\":true}", anthropic_auth);
	expect_ok(m.url, "/v1/embeddings", "{\"model\":\"text-embedding-3-small\"}", openai_auth);
	cJSON *st = status_json(&m);
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "calls")->valuedouble, 8);
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "usage_unknown")->valuedouble, 1);
	double cost = cJSON_GetObjectItem(st, "cost_usd")->valuedouble;
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);

	struct totals tr, led;
	struct trace_llm_call tagged_call;
	memset(&tagged_call, 0, sizeof(tagged_call));
	read_trace(&tr, &tagged_call);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 8);
	ck_assert_int_eq(led.n, 8);
	ck_assert_int_eq(tr.unknown, 1);
	ck_assert_int_eq(tr.with_usage, 7);
	assert_same_usage(&tr.u, &led.u);
	ck_assert_double_eq_tol(cost, (double)(led.u.input + led.u.output) / 1000, 1e-9);
	ck_assert_int_eq(led.key_seen, 8); /* keys reach the provider ... */
	ck_assert_int_eq(led.tag_leak, 0); /* ... tags do not */
	ck_assert_int_eq(tagged_call.iteration, 13);
	ck_assert_str_eq(tagged_call.role, "evaluate");
	ck_assert_str_eq(tagged_call.node, "n7");
	ck_assert_str_eq(tagged_call.task, "fix-bug-3");
	ck_assert_str_eq(tagged_call.model, "gpt-4o-mini");
	assert_no_key_written();

	/* hypercap replay reads the trace */
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --prices '%s' --out '%s' >/dev/null 2>&1",
		 HYPERCAP_BIN, in_dir("trace.jsonl"), in_dir("prices.json"), in_dir("replay"));
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(streams_pass_through_as_they_arrive)
{
	struct peer m = start_meter(upstream.url, NULL);
	const char *const slow[] = { "X-Test-Delay-Ms: 300", NULL };
	/*
	 * 8 events, 300 ms apart: the first must arrive long before the last. Measured against
	 * the total, not the clock, so that a loaded machine does not fail it: at least four of
	 * the seven 300 ms gaps come after the first byte, where a proxy that buffers the stream
	 * gives its first byte at the end.
	 */
	struct reply r = http(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":"
			      "true,\"stream_options\":{\"include_usage\":true}}", slow);
	ck_assert_int_eq(r.code, 200);
	ck_assert_msg(r.total >= 1.8, "total %.3f s", r.total);
	ck_assert_msg(r.first_byte < r.total - 1.2, "first byte after %.3f s of %.3f",
		      r.first_byte, r.total);
	ck_assert_ptr_nonnull(strstr(r.body, "data: [DONE]"));
	ck_assert_ptr_nonnull(strstr(r.headers, "text/event-stream"));
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.with_usage, 1);
	assert_same_usage(&tr.u, &led.u);
}
END_TEST

START_TEST(failing_upstreams_give_errors_and_records)
{
	/* port 1 on loopback: nothing listens, the connection is refused */
	struct peer m = start_meter("http://127.0.0.1:1", NULL);
	struct reply r = http(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}",
			      openai_auth);
	ck_assert_int_eq(r.code, 502);
	cJSON *o = cJSON_Parse(r.body);
	ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "error"),
							  "message")), "%s", r.body);
	cJSON_Delete(o);
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);

	m = start_meter(upstream.url, NULL); /* appends to the same trace */
	r = http(m.url, "/v1/fail", "{\"model\":\"gpt-4o\"}", openai_auth);
	ck_assert_int_eq(r.code, 500);
	ck_assert_ptr_nonnull(strstr(r.body, "fake failure")); /* the provider's own answer */
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.upstream_errors, 2);
	ck_assert_int_eq(tr.with_usage, 0);
	assert_no_key_written();
}
END_TEST

START_TEST(budget_guard_rejects_once_spent)
{
	static const char body[] = "{\"model\":\"fake-model\",\"max_tokens\":50}";
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "0.15",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	int accepted = 0, first_rejected = 0;
	for (int i = 1; i <= 10 && !first_rejected; i++) {
		struct reply r = http(m.url, "/v1/chat/completions", body, openai_auth);
		if (r.code == 429) {
			first_rejected = i;
			cJSON *o = cJSON_Parse(r.body);
			const cJSON *e = cJSON_GetObjectItem(o, "error");
			ck_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring,
					 "hypercap_budget_spent");
			ck_assert_ptr_nonnull(strstr(r.headers, "x-should-retry: false"));
			cJSON_Delete(o);
		} else {
			ck_assert_int_eq(r.code, 200);
			accepted++;
		}
		reply_free(&r);
	}
	/* Anthropic clients get Anthropic's error shape */
	struct reply r = http(m.url, "/v1/messages", body, anthropic_auth);
	ck_assert_int_eq(r.code, 429);
	cJSON *o = cJSON_Parse(r.body);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "type")->valuestring, "error");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "error"), "type")->valuestring,
			 "rate_limit_error");
	cJSON_Delete(o);
	reply_free(&r);
	cJSON *st = status_json(&m);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(st, "budget_spent")));
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "rejected_budget")->valuedouble, 2);
	double cost = cJSON_GetObjectItem(st, "cost_usd")->valuedouble;
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);

	/* the oracle: the ledger's calls, priced by hand, cross 0.15 at the last accepted one */
	struct totals led, tr;
	read_ledger(&led);
	read_trace(&tr, NULL);
	ck_assert_int_eq(led.n, (size_t)accepted);
	ck_assert_int_eq(tr.n, (size_t)accepted);
	double want = (double)(led.u.input + led.u.output) / 1000;
	ck_assert_double_eq_tol(cost, want, 1e-9);
	double per_call = want / accepted;
	ck_assert_int_eq(accepted, (int)ceil(0.15 / per_call - 1e-9));
	ck_assert_int_eq(first_rejected, accepted + 1);
}
END_TEST

/* --upstream-anthropic: requests with anthropic-version go there, the others to --upstream
 * (here a port where nothing listens: they get a 502). */
START_TEST(anthropic_requests_go_to_their_own_upstream)
{
	static const char body[] = "{\"model\":\"fake-model\",\"max_tokens\":50}";
	const char *const opts[] = { "--upstream-anthropic", upstream.url, NULL };
	struct peer m = start_meter("http://127.0.0.1:1", opts);
	expect_ok(m.url, "/v1/messages", body, anthropic_auth);
	struct reply r = http(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq(r.code, 502);
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals led, tr;
	read_ledger(&led);
	read_trace(&tr, NULL);
	ck_assert_int_eq(led.n, 1);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.upstream_errors, 1);
}
END_TEST

/* Under a budget, a model the sheet cannot price is refused before it reaches the upstream. */
START_TEST(budget_refuses_unpriced_models)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "5",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	struct reply r = http(m.url, "/v1/chat/completions", "{\"model\":\"mystery-model\"}",
			      openai_auth);
	ck_assert_int_eq(r.code, 400);
	ck_assert_msg(strstr(r.body, "hypercap meter: model 'mystery-model' has no price in the "
				     "sheet"), "%s", r.body);
	ck_assert_ptr_nonnull(strstr(r.body, "hypercap_unpriced_model"));
	reply_free(&r);
	expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"fake-model\"}", openai_auth);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals led, tr;
	read_ledger(&led);
	read_trace(&tr, NULL);
	ck_assert_int_eq(led.n, 1);
	ck_assert_int_eq(tr.n, 1);
}
END_TEST

/* Runs hypercap meter with a command; its exit status, bounded by 20 s. */
static int run_with_child(const char *const opts[], const char *const cmd[], double *took)
{
	const char *argv[40] = { HYPERCAP_BIN, "meter", "--upstream", upstream.url, "--listen",
				 "127.0.0.1:0", "--trace", in_dir("trace.jsonl") };
	size_t n = 8;
	for (size_t i = 0; opts && opts[i]; i++)
		argv[n++] = opts[i];
	argv[n++] = "--";
	for (size_t i = 0; cmd[i]; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	double t0 = now_s();
	pid_t pid = spawn(argv, "meter.out", "meter.err");
	int status = wait_exit(pid, 20);
	if (took)
		*took = now_s() - t0;
	if (status < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ck_abort_msg("hypercap meter with a command did not end within 20 s");
	}
	return status;
}

START_TEST(budget_stop_ends_the_child)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "0.15",
				     "--budget-action", "stop", "--grace", "0.5", NULL };
	const char *const polite[] = { METER_PEER, "client", "0", "--model", "fake-model", NULL };
	const char *const stubborn[] = { METER_PEER, "client", "0", "--model", "fake-model",
					 "--ignore-term", NULL };
	char *err;
	double took;
	ck_assert_int_eq(run_with_child(opts, polite, &took), 128 + SIGTERM);
	err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "budget spent"), "%s", err);
	ck_assert_msg(!strstr(err, "SIGKILL"), "%s", err);
	free(err);
	int status = run_with_child(opts, stubborn, &took);
	err = slurp(in_dir("meter.err"));
	ck_assert_msg(status == 128 + SIGKILL, "status %d: %s", status, err);
	ck_assert_msg(strstr(err, "SIGKILL"), "%s", err);
	free(err);
	ck_assert_msg(took < 10, "took %.1f s", took);
	/*
	 * every call the provider answered is in the trace with its usage: two runs, each past
	 * the budget; a request refused while the meter stops never reaches the provider
	 */
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, led.n);
	assert_same_usage(&tr.u, &led.u);
}
END_TEST

/* Waits (at most 20 s) until the meter's status shows key at want or more. */
static void wait_status(const struct peer *m, const char *key, int want)
{
	double end = now_s() + 20;
	for (;;) {
		cJSON *st = status_json(m);
		int n = (int)cJSON_GetObjectItem(st, key)->valuedouble;
		cJSON_Delete(st);
		if (n >= want)
			return;
		ck_assert_msg(now_s() < end, "status %s %d after 20 s, not %d", key, n, want);
		sleep_s(0.02);
	}
}

static const char stream_body[] = "{\"model\":\"gpt-4o\",\"stream\":true,"
				  "\"stream_options\":{\"include_usage\":true}}";

/*
 * A client that gives up before the answer's headers, and one that gives up mid-stream: the
 * provider bills both, so the meter reads both answers to their end and records their usage.
 */
START_TEST(client_gone_mid_call_is_still_recorded)
{
	struct peer m = start_meter(upstream.url, NULL);
	/* billed (the ledger line), then 3 s before the headers */
	const char *const thinking[] = { "Authorization: Bearer " SECRET, "X-Test-Wait-Ms: 3000",
					 NULL };
	/* 8 events 400 ms apart, the usage in the last */
	const char *const slow[] = { "Authorization: Bearer " SECRET, "X-Test-Delay-Ms: 400",
				     NULL };
	struct reply r = http_within(m.url, "/v1/chat/completions",
				     "{\"model\":\"gpt-4o\",\"max_tokens\":12}", thinking, 1000);
	ck_assert_int_eq(r.code, 0); /* no answer within the client's second */
	reply_free(&r);
	r = http_within(m.url, "/v1/chat/completions", stream_body, slow, 1000);
	ck_assert_ptr_null(strstr(r.body, "[DONE]")); /* the client saw part of it at most */
	reply_free(&r);
	wait_status(&m, "calls", 2);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(led.n, 2);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.with_usage, 2);
	assert_same_usage(&tr.u, &led.u);
	assert_no_key_written();
}
END_TEST

struct call_in_flight {
	const char *base, *delay;
	struct reply r;
};

static void *stream_call(void *cls)
{
	struct call_in_flight *c = cls;
	const char *const headers[] = { "Authorization: Bearer " SECRET, c->delay, NULL };
	c->r = http(c->base, "/v1/chat/completions", stream_body, headers);
	return NULL;
}

/*
 * SIGTERM with a call in flight: the meter lets it end (within --grace) and records it; past
 * --grace it cuts the call off and records what it knew (here: no usage yet, usage_unknown).
 */
START_TEST(stopping_meter_lets_calls_in_flight_end)
{
	const char *const patient[] = { "--grace", "20", NULL };
	const char *const hasty[] = { "--grace", "0.5", NULL };
	struct peer m = start_meter(upstream.url, patient);
	struct call_in_flight c = { m.url, "X-Test-Delay-Ms: 300", { 0 } };
	pthread_t t;
	pthread_create(&t, NULL, stream_call, &c);
	wait_status(&m, "in_flight", 1);
	kill(m.pid, SIGTERM);
	ck_assert_int_eq(wait_exit(m.pid, 30), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.r.code, 200);
	ck_assert_ptr_nonnull(strstr(c.r.body, "data: [DONE]")); /* the client got it whole */
	reply_free(&c.r);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.with_usage, 1);
	assert_same_usage(&tr.u, &led.u);

	m = start_meter(upstream.url, hasty);
	c = (struct call_in_flight){ m.url, "X-Test-Delay-Ms: 2000", { 0 } };
	pthread_create(&t, NULL, stream_call, &c);
	wait_status(&m, "in_flight", 1);
	double t0 = now_s();
	kill(m.pid, SIGTERM);
	ck_assert_int_eq(wait_exit(m.pid, 30), 0);
	double took = now_s() - t0;
	pthread_join(t, NULL);
	ck_assert_ptr_null(strstr(c.r.body, "[DONE]"));
	reply_free(&c.r);
	ck_assert_msg(took < 12, "stopped after %.1f s; the stream alone takes 14 s", took);
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(led.n, 2);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.with_usage, 1);
	ck_assert_int_eq(tr.unknown, 1);
	assert_no_key_written();
}
END_TEST

START_TEST(child_gets_the_proxy_and_gives_its_status)
{
	const char *const check_env[] = {
		"/bin/sh", "-c",
		"test \"$OPENAI_BASE_URL\" = \"$HYPERCAP_PROXY_URL/v1\" && "
		"test \"$ANTHROPIC_BASE_URL\" = \"$HYPERCAP_PROXY_URL\" && exec \"$0\" client 3",
		METER_PEER, NULL
	};
	const char *const exit7[] = { "/bin/sh", "-c", "exit 7", NULL };
	ck_assert_int_eq(run_with_child(NULL, check_env, NULL), 0);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 3);
	ck_assert_int_eq(tr.with_usage, 3);
	ck_assert_int_eq(run_with_child(NULL, exit7, NULL), 7);
	assert_no_key_written();
}
END_TEST

struct slow_call {
	const char *base;
	long code;
};

static void *slow_stream(void *cls)
{
	struct slow_call *c = cls;
	const char *const slow[] = { "X-Test-Delay-Ms: 2000", NULL };
	struct reply r = http(c->base, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":"
			      "true,\"stream_options\":{\"include_usage\":true}}", slow);
	c->code = r.code;
	reply_free(&r);
	return NULL;
}

START_TEST(kill_9_keeps_every_completed_call)
{
	struct peer m = start_meter(upstream.url, NULL);
	for (int i = 0; i < 20; i++)
		expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\"}",
			  openai_auth);
	struct slow_call c = { m.url, 0 };
	pthread_t t;
	pthread_create(&t, NULL, slow_stream, &c);
	sleep_s(0.4); /* the stream is under way */
	kill(m.pid, SIGKILL);
	ck_assert_int_eq(wait_exit(m.pid, 10), 128 + SIGKILL);
	pthread_join(t, NULL);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 20);
	ck_assert_int_eq(tr.with_usage, 20);

	/* a restart appends: one header, 25 records */
	m = start_meter(upstream.url, NULL);
	for (int i = 0; i < 5; i++)
		expect_ok(m.url, "/v1/responses", "{\"model\":\"o4-mini\"}", openai_auth);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 25);
	char *text = slurp(in_dir("trace.jsonl"));
	ck_assert_ptr_eq(strstr(strstr(text, "hypercap_trace") + 1, "hypercap_trace"), NULL);
	free(text);
}
END_TEST

struct pounder {
	const char *base;
	atomic_int *next;
	int ok;
};

static void *pound(void *cls)
{
	struct pounder *p = cls;
	while (atomic_fetch_add(p->next, 1) < 200) {
		struct reply r = http(p->base, "/hc/role=evaluate/v1/chat/completions",
				      "{\"model\":\"gpt-4o-mini\",\"max_tokens\":9}", openai_auth);
		p->ok += r.code == 200;
		reply_free(&r);
	}
	return NULL;
}

START_TEST(two_hundred_requests_sixteen_at_a_time)
{
	struct peer m = start_meter(upstream.url, NULL);
	atomic_int next = 0;
	struct pounder p[16];
	pthread_t t[16];
	for (int i = 0; i < 16; i++) {
		p[i] = (struct pounder){ m.url, &next, 0 };
		pthread_create(&t[i], NULL, pound, &p[i]);
	}
	int ok = 0;
	for (int i = 0; i < 16; i++) {
		pthread_join(t[i], NULL);
		ok += p[i].ok;
	}
	ck_assert_int_eq(ok, 200);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 200);
	ck_assert_int_eq(tr.with_usage, 200);
	assert_same_usage(&tr.u, &led.u);
	assert_no_key_written();
}
END_TEST

START_TEST(recorded_bodies_have_keys_redacted)
{
	const char *const opts[] = { "--record-bodies", NULL };
	struct peer m = start_meter(upstream.url, opts);
	/* a careless prompt that quotes the key itself */
	expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
		  "\"user\",\"content\":\"my key is " SECRET "\"}]}", openai_auth);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	char *text = slurp(in_dir("trace.jsonl"));
	ck_assert_ptr_nonnull(strstr(text, "\"request_body\""));
	ck_assert_ptr_nonnull(strstr(text, "Hello from the fake upstream"));
	ck_assert_ptr_nonnull(strstr(text, "[REDACTED]"));
	free(text);
	assert_no_key_written();
	struct totals tr;
	read_trace(&tr, NULL); /* extra keys do not bother the reader */
	ck_assert_int_eq(tr.with_usage, 1);
}
END_TEST

START_TEST(bad_tags_and_bad_options_are_refused)
{
	struct peer m = start_meter(upstream.url, NULL);
	struct reply r = http(m.url, "/hc/colour=red/v1/chat/completions", "{}", openai_auth);
	ck_assert_int_eq(r.code, 400);
	ck_assert_msg(strstr(r.body, "allowed: run, iteration"), "%s", r.body);
	reply_free(&r);
	const char *const bad_iter[] = { "X-Hypercap-Iteration: twelve", NULL };
	r = http(m.url, "/v1/chat/completions", "{}", bad_iter);
	ck_assert_int_eq(r.code, 400);
	ck_assert_msg(strstr(r.body, "iteration: got 'twelve'"), "%s", r.body);
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals led;
	read_ledger(&led);
	ck_assert_int_eq(led.n, 0); /* nothing forwarded */

	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "'%s' meter --upstream %s --trace '%s' --listen 0.0.0.0:0 "
		 "2>'%s'", HYPERCAP_BIN, upstream.url, in_dir("t2.jsonl"), in_dir("e"));
	int st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 2);
	char *e = slurp(in_dir("e"));
	ck_assert_msg(strstr(e, "--allow-remote"), "%s", e);
	free(e);
	FILE *f = fopen(in_dir("not-a-trace.jsonl"), "w");
	fputs("{\"model\":\"x\"}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' meter --upstream %s --trace '%s' --listen 127.0.0.1:0 "
		 "2>'%s'", HYPERCAP_BIN, upstream.url, in_dir("not-a-trace.jsonl"), in_dir("e"));
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 3);
	snprintf(cmd, sizeof(cmd), "'%s' meter --upstream ftp://x --trace '%s' 2>'%s'",
		 HYPERCAP_BIN, in_dir("t3.jsonl"), in_dir("e"));
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 2);
	/* the forecast's options: a missing scenario is bad input, a guard without budget usage */
	snprintf(cmd, sizeof(cmd), "'%s' meter --upstream %s --trace '%s' --forecast='%s' "
		 "2>'%s'", HYPERCAP_BIN, upstream.url, in_dir("t4.jsonl"), in_dir("none.json"),
		 in_dir("e"));
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 3);
	e = slurp(in_dir("e"));
	ck_assert_msg(strstr(e, "none.json"), "%s", e);
	free(e);
	static const char *const usage_errors[][2] = {
		{ "--guard projected", "--guard projected needs --budget-usd" },
		{ "--guard ahead --budget-usd 5", "--guard 'ahead': allowed: spent, projected" },
		{ "--forecast --iterations 0", "--iterations" },
		{ "--iterations 10", "--iterations needs --forecast" },
	};
	for (size_t i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd), "'%s' meter --upstream %s --trace '%s' %s 2>'%s'",
			 HYPERCAP_BIN, upstream.url, in_dir("t4.jsonl"), usage_errors[i][0],
			 in_dir("e"));
		st = system(cmd);
		ck_assert_int_eq(WEXITSTATUS(st), 2);
		e = slurp(in_dir("e"));
		ck_assert_msg(strstr(e, usage_errors[i][1]), "%s", e);
		free(e);
	}
}
END_TEST

START_TEST(official_npm_clients)
{
	if (!NODE_BIN[0]) {
		printf("test_meter: official_npm_clients skipped: node not found\n");
		return;
	}
	char script[600];
	struct stat sb;
	snprintf(script, sizeof(script), "%s/clients.mjs", NODE_DIR);
	ck_assert_msg(stat(NODE_DIR "/node_modules/openai", &sb) == 0,
		      "%s/node_modules is missing: the meter_npm_ci test installs it", NODE_DIR);
	setenv("OPENAI_API_KEY", SECRET, 1);
	setenv("ANTHROPIC_API_KEY", ANT_SECRET, 1);
	const char *const cmd[] = { NODE_BIN, script, NULL };
	int status = run_with_child(NULL, cmd, NULL);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(status == 0, "node clients failed (%d): %s", status, err);
	free(err);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 7);
	ck_assert_int_eq(tr.with_usage, 7);
	ck_assert_int_eq(led.key_seen, 7);
	assert_same_usage(&tr.u, &led.u);
	assert_no_key_written();
}
END_TEST

/* ---- the trace under trouble (issue 13) ---- */

static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) ? -1 : (long)sb.st_size;
}

/* The meter's file size limit (its full disk) set from outside: bytes, or RLIM_INFINITY. */
static void limit_file_size(pid_t pid, rlim_t bytes)
{
	struct rlimit rl = { bytes, RLIM_INFINITY };
	ck_assert_msg(prlimit(pid, RLIMIT_FSIZE, &rl, NULL) == 0, "prlimit: %s", strerror(errno));
}

static double status_num(const struct peer *m, const char *key)
{
	cJSON *st = status_json(m);
	const cJSON *v = cJSON_GetObjectItem(st, key);
	ck_assert_msg(cJSON_IsNumber(v), "status: no %s", key);
	double d = v->valuedouble;
	cJSON_Delete(st);
	return d;
}

/*
 * A full disk (a file size limit on the meter, which ignores SIGXFSZ) in the middle of the
 * run: no record is torn, the ones refused wait and are written once there is room; records
 * still unwritten at exit are reported and the exit status is 1.
 */
START_TEST(full_disk_keeps_the_trace_whole_and_retries)
{
	static const char body[] = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5}";
	struct peer m = start_meter(upstream.url, NULL);
	for (int i = 0; i < 3; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	long size = file_size(in_dir("trace.jsonl"));
	long per_record = size / 4; /* about: a header and three records */
	limit_file_size(m.pid, (rlim_t)(size + per_record + per_record / 2));
	for (int i = 0; i < 15; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	struct totals tr, led;
	read_trace(&tr, NULL); /* whole: every line a record, none cut */
	ck_assert_int_eq(tr.n, 4);
	ck_assert_int_eq((int)status_num(&m, "records_pending"), 14);
	ck_assert_int_ge((int)status_num(&m, "write_errors"), 14);
	limit_file_size(m.pid, RLIM_INFINITY);
	expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq((int)status_num(&m, "records_pending"), 0);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "warning: cannot record") && strstr(err, "File too large"),
		      "%s", err);
	free(err);
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 19);
	assert_same_usage(&tr.u, &led.u);

	/* a disk that stays full: the meter says how many records it lost and exits 1 */
	m = start_meter(upstream.url, NULL);
	limit_file_size(m.pid, (rlim_t)file_size(in_dir("trace.jsonl")));
	for (int i = 0; i < 3; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 1);
	err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "3 records could not be written"), "%s", err);
	free(err);
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 19);
}
END_TEST

static size_t count_calls(const char *path)
{
	struct trace_reader r;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	size_t n = 0;
	int rc;
	ck_assert_msg(trace_reader_open(&r, path, 0, &err) == 0, "%s", err.msg);
	while ((rc = trace_reader_next(&r, &rec, &err)) == 1)
		n++;
	ck_assert_msg(rc == 0, "%s", err.msg);
	trace_reader_close(&r);
	return n;
}

/* A trace deleted, then renamed away, while the meter runs: a new one is started at the path. */
START_TEST(trace_deleted_or_renamed_is_started_again)
{
	static const char body[] = "{\"model\":\"gpt-4o-mini\"}";
	struct peer m = start_meter(upstream.url, NULL);
	for (int i = 0; i < 3; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq(unlink(in_dir("trace.jsonl")), 0);
	for (int i = 0; i < 3; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq(rename(in_dir("trace.jsonl"), in_dir("moved.jsonl")), 0);
	for (int i = 0; i < 2; i++)
		expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	ck_assert_int_eq((int)status_num(&m, "trace_reopened"), 2);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	ck_assert_int_eq(count_calls(in_dir("moved.jsonl")), 3);
	ck_assert_int_eq(count_calls(in_dir("trace.jsonl")), 2);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "was deleted or replaced while recording"), "%s", err);
	free(err);
}
END_TEST

/*
 * Bytes that are not UTF-8: a tag carrying them is refused (400); in the answer's model, id
 * and finish_reason and in recorded bodies they become U+FFFD, so the trace stays readable.
 */
START_TEST(bytes_that_are_not_utf8_never_reach_the_trace)
{
	const char *const opts[] = { "--record-bodies", NULL };
	struct peer m = start_meter(upstream.url, opts);
	const char *const bad_tag[] = { "X-Hypercap-Role: eval\xff", NULL };
	struct reply r = http(m.url, "/v1/chat/completions", "{}", bad_tag);
	ck_assert_int_eq(r.code, 400);
	ck_assert_msg(strstr(r.body, "byte 0xff at 5 is not UTF-8"), "%s", r.body);
	reply_free(&r);
	r = http(m.url, "/hc/role=eval%C3/v1/chat/completions", "{}", openai_auth);
	ck_assert_int_eq(r.code, 400);
	reply_free(&r);
	const char *const bad_answer[] = { "Authorization: Bearer " SECRET, "X-Test-Bad-Utf8: 1",
					   NULL };
	expect_ok(m.url, "/v1/chat/completions", "{\"model\":\"gpt-4o\xc3\",\"messages\":"
		  "[{\"role\":\"user\",\"content\":\"caf\xe9\"}]}", bad_answer);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.with_usage, 1);
	struct trace_reader rd;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	ck_assert_int_eq(trace_reader_open(&rd, in_dir("trace.jsonl"), 0, &err), 0);
	ck_assert_int_eq(trace_reader_next(&rd, &rec, &err), 1);
	trace_reader_close(&rd);
	ck_assert_str_eq(rec.u.call.model, "gpt-4o\xef\xbf\xbd");
	ck_assert_str_eq(rec.u.call.status, "stop\xef\xbf\xbd");
	ck_assert_ptr_nonnull(strstr(rec.u.call.id, "\xef\xbf\xbd"));
	char *text = slurp(in_dir("trace.jsonl"));
	ck_assert_ptr_nonnull(strstr(text, "caf\xef\xbf\xbd"));
	free(text);
}
END_TEST

/*
 * An error answer that carries usage (a provider that bills a failed call): recorded as
 * upstream_error with its usage, priced, and counted by the budget.
 */
START_TEST(billed_error_answers_are_counted)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "0.01",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	struct reply r = http(m.url, "/v1/fail-billed", "{\"model\":\"fake-model\"}", openai_auth);
	ck_assert_int_eq(r.code, 500);
	reply_free(&r);
	ck_assert_double_eq_tol(status_num(&m, "cost_usd"), 0.012, 1e-12);
	ck_assert_int_eq((int)status_num(&m, "upstream_errors"), 1);
	r = http(m.url, "/v1/chat/completions", "{\"model\":\"fake-model\"}", openai_auth);
	ck_assert_int_eq(r.code, 429); /* the budget counted it */
	reply_free(&r);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.upstream_errors, 1);
	ck_assert_int_eq(tr.with_usage, 1);
	assert_same_usage(&tr.u, &led.u);
}
END_TEST

/* Sends body up to 20 times; how many got through before the first 429. */
static int accepted_before_429(const struct peer *m, const char *body)
{
	int accepted = 0;
	for (int i = 0; i < 20; i++) {
		struct reply r = http(m->url, "/v1/chat/completions", body, openai_auth);
		int code = (int)r.code;
		reply_free(&r);
		if (code == 429)
			break;
		ck_assert_int_eq(code, 200);
		accepted++;
	}
	return accepted;
}

/*
 * Streamed chat calls without stream_options.include_usage carry no usage: under a budget
 * each counts at its worst case (every request byte an input token, the output its
 * max_tokens, or 32768 tokens without one), so they cannot pass a budget at $0 counted.
 */
START_TEST(budget_counts_unknown_usage_at_its_worst_case)
{
	static const char bounded[] = "{\"model\":\"fake-model\",\"stream\":true,"
				      "\"max_tokens\":10}";
	write_prices(); /* $1000 per 1M tokens: (bytes + 10) / 1000 dollars a call */
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "0.5",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	double per_call = (double)(strlen(bounded) + 10) / 1000;
	ck_assert_int_eq(accepted_before_429(&m, bounded), (int)ceil(0.5 / per_call - 1e-9));
	cJSON *st = status_json(&m);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(st, "cost_usd")->valuedouble, 0, 1e-12);
	ck_assert_double_ge(cJSON_GetObjectItem(st, "estimated_usd")->valuedouble, 0.5);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);

	/* the embedded sheet, gpt-4o, no bound: the first call spends a $0.001 budget */
	const char *const tight[] = { "--budget-usd", "0.001", NULL };
	m = start_meter(upstream.url, tight);
	ck_assert_int_eq(accepted_before_429(&m, "{\"model\":\"gpt-4o\",\"stream\":true}"), 1);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.unknown, tr.n); /* the trace itself never guesses */
	ck_assert_int_eq(tr.with_usage, 0);
}
END_TEST

/* The free endpoints (token counts, model lists, any GET) answered with a 200 each. */
static void expect_free_endpoints_pass(const struct peer *m)
{
	static const char count[] = "{\"model\":\"fake-model\",\"messages\":[]}";
	expect_ok(m->url, "/v1/messages/count_tokens", count, anthropic_auth);
	expect_ok(m->url, "/hc/role=evaluate/v1/responses/input_tokens?x=1", count, openai_auth);
	expect_ok(m->url, "/v1/models", NULL, openai_auth);
}

/*
 * Token counts, model lists and other GETs cost nothing: passed through, never recorded
 * (not even at a worst case), and still answered once the budget is spent.
 */
START_TEST(free_endpoints_pass_unrecorded_past_the_budget)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "0.15",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	expect_free_endpoints_pass(&m);
	cJSON *st = status_json(&m);
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "calls")->valuedouble, 0);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(st, "estimated_usd")->valuedouble, 0, 1e-12);
	cJSON_Delete(st);
	int accepted = accepted_before_429(&m, "{\"model\":\"fake-model\",\"max_tokens\":50}");
	ck_assert_int_ge(accepted, 1);
	expect_free_endpoints_pass(&m);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr;
	read_trace(&tr, NULL);
	ck_assert_int_eq(tr.n, (size_t)accepted);
}
END_TEST

/* The retries of the trace's calls, in order, into out (at most n); how many calls. */
static size_t trace_retries(long *out, size_t n)
{
	struct trace_reader r;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	size_t k = 0;
	ck_assert_msg(trace_reader_open(&r, in_dir("trace.jsonl"), 0, &err) == 0, "%s", err.msg);
	while (trace_reader_next(&r, &rec, &err) == 1)
		if (k < n)
			out[k++] = rec.u.call.retries;
	trace_reader_close(&r);
	return k;
}

/* The SDKs' attempt header (x-stainless-retry-count) fills the record's retries. */
START_TEST(retries_come_from_the_attempt_header)
{
	static const char body[] = "{\"model\":\"gpt-4o-mini\"}";
	const char *const second_retry[] = { "Authorization: Bearer " SECRET,
					     "x-stainless-retry-count: 2", NULL };
	const char *const first_try[] = { "x-api-key: " ANT_SECRET,
					  "anthropic-version: 2023-06-01",
					  "X-Stainless-Retry-Count: 0", NULL };
	const char *const garbled[] = { "x-stainless-retry-count: two", NULL };
	struct peer m = start_meter(upstream.url, NULL);
	expect_ok(m.url, "/v1/chat/completions", body, second_retry);
	expect_ok(m.url, "/v1/messages", body, first_try);
	expect_ok(m.url, "/v1/chat/completions", body, openai_auth);
	expect_ok(m.url, "/v1/chat/completions", body, garbled);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	long retries[8];
	ck_assert_int_eq(trace_retries(retries, 8), 4);
	ck_assert_int_eq(retries[0], 2);
	ck_assert_int_eq(retries[1], 0);
	ck_assert_int_eq(retries[2], -1); /* no header: unknown */
	ck_assert_int_eq(retries[3], -1);
	char *text = slurp(in_dir("trace.jsonl"));
	ck_assert_ptr_nonnull(strstr(text, "\"retries\":2"));
	free(text);
}
END_TEST

/*
 * Embeddings under a budget: an embeddings model has only an input rate, which is all an
 * embeddings call needs, so it is priced and counted; a call that would have output is
 * refused (it could not be priced). LiteLLM's catalog prices the model too.
 */
START_TEST(embeddings_priced_under_a_budget)
{
	static const char emb[] = "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}";
	FILE *f = fopen(in_dir("emb-prices.json"), "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"hypercap_prices\":1,\"date\":\"2026-11-21\",\"source\":\"test\",\"models\":"
	      "[{\"name\":\"text-embedding-3-small\",\"input\":1000}]}", f);
	fclose(f);
	const char *const opts[] = { "--prices", in_dir("emb-prices.json"), "--budget-usd", "5",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	expect_ok(m.url, "/v1/embeddings", emb, openai_auth);
	struct reply r = http(m.url, "/v1/chat/completions", emb, openai_auth);
	ck_assert_int_eq(r.code, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "hypercap_unpriced_model"));
	reply_free(&r);
	cJSON *st = status_json(&m);
	double cost = cJSON_GetObjectItem(st, "cost_usd")->valuedouble;
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "unpriced_calls")->valuedouble, 0);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals led;
	read_ledger(&led);
	ck_assert_int_eq(led.n, 1);
	ck_assert_double_eq_tol(cost, (double)led.u.input / 1000, 1e-12);

	const char *const litellm[] = { "--prices", SOURCE_DIR "/data/prices/"
					"litellm-model-prices-2026-07-24.json", "--budget-usd", "5",
					NULL };
	m = start_meter(upstream.url, litellm);
	expect_ok(m.url, "/v1/embeddings", emb, openai_auth);
	st = status_json(&m);
	ck_assert_double_gt(cJSON_GetObjectItem(st, "cost_usd")->valuedouble, 0);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
}
END_TEST

/* GETs path from the meter; its "status" and the HTTP code must be 200. */
static void expect_status(const struct peer *m, const char *path, const char *status)
{
	struct reply r = http(m->url, path, NULL, openai_auth);
	ck_assert_int_eq(r.code, 200);
	cJSON *o = cJSON_Parse(r.body);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "status")->valuestring, status);
	cJSON_Delete(o);
	reply_free(&r);
}

static double stat_of(const struct peer *m, const char *key)
{
	cJSON *st = status_json(m);
	double v = cJSON_GetObjectItem(st, key)->valuedouble;
	cJSON_Delete(st);
	return v;
}

/*
 * A background response is answered "queued", without usage: the budget counts it at its
 * worst case until a retrieval answers with the usage; then it is recorded once, with the
 * tags of the request that started it, and priced.
 */
START_TEST(background_responses_recorded_when_retrieved)
{
	char path[128];
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "5",
				     NULL };
	struct peer m = start_meter(upstream.url, opts);
	struct reply r = http(m.url, "/hc/iteration=4/role=evaluate/v1/responses",
			      "{\"model\":\"o4-mini\",\"background\":true,\"max_output_tokens\":33}",
			      openai_auth);
	ck_assert_int_eq(r.code, 200);
	cJSON *o = cJSON_Parse(r.body);
	snprintf(path, sizeof(path), "/v1/responses/%s",
		 cJSON_GetObjectItem(o, "id")->valuestring);
	cJSON_Delete(o);
	reply_free(&r);
	ck_assert_int_eq((int)stat_of(&m, "calls"), 0);
	ck_assert_double_gt(stat_of(&m, "estimated_usd"), 0);
	expect_status(&m, path, "in_progress");
	ck_assert_int_eq((int)stat_of(&m, "calls"), 0);
	expect_status(&m, path, "completed");
	expect_status(&m, path, "completed"); /* a second look records nothing */
	ck_assert_int_eq((int)stat_of(&m, "calls"), 1);
	ck_assert_double_eq_tol(stat_of(&m, "estimated_usd"), 0, 1e-12);
	double cost = stat_of(&m, "cost_usd");
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	struct trace_llm_call call;
	memset(&call, 0, sizeof(call));
	read_trace(&tr, &call);
	read_ledger(&led);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(led.n, 1);
	assert_same_usage(&tr.u, &led.u);
	ck_assert_double_eq_tol(cost, (double)(led.u.input + led.u.output) / 1000, 1e-9);
	ck_assert_int_eq(call.iteration, 4);
	ck_assert_str_eq(call.role, "evaluate");
	ck_assert_str_eq(call.status, "completed");
}
END_TEST

/* What a client got, without holding it: its length, its longest run of 'x', its end. */
struct tally {
	size_t len, run, longest;
	char tail[512];
};

static size_t tally_add(char *p, size_t size, size_t n, void *cls)
{
	struct tally *t = cls;
	size_t k = size * n, keep = k < sizeof(t->tail) - 1 ? k : sizeof(t->tail) - 1;
	for (size_t i = 0; i < k; i++) {
		t->run = p[i] == 'x' ? t->run + 1 : 0;
		if (t->run > t->longest)
			t->longest = t->run;
	}
	size_t old = strlen(t->tail);
	if (old + keep >= sizeof(t->tail)) { /* slide: the last bytes only */
		size_t drop = old + keep - (sizeof(t->tail) - 1);
		memmove(t->tail, t->tail + drop, old - drop + 1);
		old -= drop;
	}
	memcpy(t->tail + old, p + k - keep, keep);
	t->tail[old + keep] = '\0';
	t->len += k;
	return k;
}

/*
 * An answer larger than the meter ever held (64 MiB + 1 of content): passed through whole,
 * and its usage read from the bounded skeleton the meter keeps (docs/reliability.md measures
 * the meter's memory on a 100 MiB answer).
 */
START_TEST(large_answer_passes_whole_with_its_usage)
{
	struct peer m = start_meter(upstream.url, NULL);
	size_t pad = (64u << 20) + 1;
	char url[128], hdr[64];
	struct tally t;
	memset(&t, 0, sizeof(t));
	snprintf(url, sizeof(url), "%s/v1/chat/completions", m.url);
	snprintf(hdr, sizeof(hdr), "X-Test-Pad-Bytes: %zu", pad);
	struct curl_slist *h = curl_slist_append(NULL, hdr);
	CURL *e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{\"model\":\"gpt-4o\",\"max_tokens\":5}");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, tally_add);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
	ck_assert_int_eq(curl_easy_perform(e), CURLE_OK);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	ck_assert_uint_eq(t.longest, pad);
	ck_assert_msg(strstr(t.tail, "\"completion_tokens\":5"), "%s", t.tail);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	struct totals tr, led;
	read_trace(&tr, NULL);
	read_ledger(&led);
	ck_assert_int_eq(tr.with_usage, 1);
	assert_same_usage(&tr.u, &led.u);
}
END_TEST

/* ---- the live forecast ---- */

/*
 * One call of a loop: iteration, role and task tagged in the path (node n<iteration>).
 * Every call has the same body, so the same usage and price.
 */
static long loop_call(const struct peer *m, long iteration, const char *role, int task)
{
	static const char body[] = "{\"model\":\"fake-model\",\"max_tokens\":50}";
	char path[160];
	snprintf(path, sizeof(path), "/hc/iteration=%ld/node=n%ld/role=%s/domain=d/task=t%d"
		 "/v1/chat/completions", iteration, iteration, role, task);
	struct reply r = http(m->url, path, body, openai_auth);
	long code = r.code;
	if (code == 429)
		ck_assert_ptr_nonnull(strstr(r.body, "hypercap_budget_projected"));
	reply_free(&r);
	return code;
}

/* Iteration 0: three tasks; later ones: a self-modification call and three tasks. */
static void loop_iteration(const struct peer *m, long iteration)
{
	if (iteration > 0)
		ck_assert_int_eq(loop_call(m, iteration, "self_modify", 0), 200);
	for (int t = 0; t < 3; t++)
		ck_assert_int_eq(loop_call(m, iteration, "evaluate", t), 200);
}

/* The status once the projection from iterations 0 .. upto is published (caller deletes). */
static cJSON *projection_from(const struct peer *m, long upto)
{
	double end = now_s() + 60;
	for (;;) {
		cJSON *st = status_json(m);
		const cJSON *f = cJSON_GetObjectItem(st, "forecast");
		ck_assert_ptr_nonnull(f);
		ck_assert_str_eq(cJSON_GetObjectItem(f, "error")->valuestring, "");
		const cJSON *from = cJSON_GetObjectItem(f, "from_iteration");
		if (from && (long)from->valuedouble == upto)
			return st;
		cJSON_Delete(st);
		ck_assert_msg(now_s() < end, "no projection from iteration %ld", upto);
		sleep_s(0.05);
	}
}

static double band_of(const cJSON *st, const char *what, const char *q)
{
	const cJSON *f = cJSON_GetObjectItem(st, "forecast");
	return cJSON_GetObjectItem(cJSON_GetObjectItem(f, what), q)->valuedouble;
}

/*
 * A run without randomness (every call alike, one call a session) of 10 iterations, seen up
 * to iteration 3: the projection from iterations 0 .. 2 is the whole run's bill, 3 + 10 x 4
 * calls at the ledger's price, with P10 = P90.
 */
START_TEST(forecast_projects_the_final_bill)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--forecast",
				     "--iterations", "10", NULL };
	struct peer m = start_meter(upstream.url, opts);
	for (long i = 0; i <= 3; i++)
		loop_iteration(&m, i);
	cJSON *st = projection_from(&m, 2);
	struct totals led;
	read_ledger(&led);
	ck_assert_uint_eq(led.n, 15);
	double per_call = (double)(led.u.input + led.u.output) / 1000 / (double)led.n;
	const cJSON *f = cJSON_GetObjectItem(st, "forecast");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(f, "spent_usd")->valuedouble, 11 * per_call,
				1e-9);
	ck_assert_double_eq_tol(band_of(st, "usd", "p50"), 43 * per_call, 1e-6);
	ck_assert_double_eq_tol(band_of(st, "usd", "p10"), band_of(st, "usd", "p90"), 1e-9);
	ck_assert_int_eq((int)cJSON_GetObjectItem(f, "last_iteration")->valuedouble, 10);
	ck_assert(band_of(st, "hours_left", "p50") > 0);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
}
END_TEST

/* Each iteration's last call end in the trace, for iterations 0 .. n - 1. */
static void iteration_ends(double *end, long n)
{
	struct trace_reader r;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	for (long i = 0; i < n; i++)
		end[i] = 0;
	ck_assert_msg(trace_reader_open(&r, in_dir("trace.jsonl"), 0, &err) == 0, "%s", err.msg);
	while (trace_reader_next(&r, &rec, &err) == 1)
		if (rec.u.call.iteration >= 0 && rec.u.call.iteration < n &&
		    rec.u.call.end_time > end[rec.u.call.iteration])
			end[rec.u.call.iteration] = rec.u.call.end_time;
	trace_reader_close(&r);
}

/*
 * A loop paced by pauses of 0.1, 0.2, 0.3, 0.1 s after its iterations 0 .. 3, of 10
 * iterations, seen up to iteration 4: the expected end is the end of iteration 3 plus 7 times
 * the median of iterations 1 .. 3's durations, computed here from the trace, whatever the
 * model's hours left say.
 */
START_TEST(expected_end_follows_the_runs_pace)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--forecast",
				     "--iterations", "10", NULL };
	struct peer m = start_meter(upstream.url, opts);
	for (long i = 0; i <= 4; i++) {
		loop_iteration(&m, i);
		sleep_s(0.1 * (double)(1 + i % 3));
	}
	cJSON *st = projection_from(&m, 3);
	const cJSON *f = cJSON_GetObjectItem(st, "forecast");
	double end[4], d[3];
	iteration_ends(end, 4);
	for (int i = 1; i <= 3; i++)
		d[i - 1] = end[i] - end[i - 1];
	double lo = fmin(d[0], fmin(d[1], d[2])), hi = fmax(d[0], fmax(d[1], d[2]));
	double median = d[0] + d[1] + d[2] - lo - hi;
	ck_assert_str_eq(cJSON_GetObjectItem(f, "expected_end_from")->valuestring, "pace");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(f, "seconds_per_iteration")->valuedouble,
				median, 1e-6);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(f, "expected_end")->valuedouble,
				end[3] + 7 * median, 1e-5);
	ck_assert_double_ge(median, 0.2); /* the pauses alone after iterations 1 and 2 */
	printf("paced loop: %.2f s an iteration, %.1f s left at that pace; the model's P50 "
	       "%.0f s\n", median, 7 * median, 3600 * band_of(st, "hours_left", "p50"));
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
}
END_TEST

/* The status's forecast base and why, and the trace's header line, of a meter given opts. */
static void base_of(const char *const opts[], const char *base, const char *why,
		    const char *header)
{
	struct peer m = start_meter(upstream.url, opts);
	cJSON *st = status_json(&m);
	const cJSON *f = cJSON_GetObjectItem(st, "forecast");
	ck_assert_str_eq(cJSON_GetObjectItem(f, "base")->valuestring, base);
	ck_assert_msg(strstr(cJSON_GetObjectItem(f, "base_why")->valuestring, why), "%s",
		      cJSON_GetObjectItem(f, "base_why")->valuestring);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, base) && strstr(err, why), "%s", err);
	free(err);
	char *trace = slurp(in_dir("trace.jsonl"));
	ck_assert_msg(strstr(trace, header) && !strchr(strchr(trace, '\n') + 1, '\n'), "%s",
		      trace);
	free(trace);
}

/*
 * The forecast's base follows the loop: --loop dgm gives the DGM preset and writes the loop
 * into the new trace's header; without --loop, a trace whose header says dgm gets it too, one
 * that names no loop the HyperAgents preset; --loop against the header's is refused.
 */
START_TEST(forecast_base_follows_the_loop)
{
	const char *const dgm[] = { "--forecast", "--iterations", "10", "--loop", "dgm", NULL };
	const char *const none[] = { "--forecast", "--iterations", "10", NULL };
	base_of(dgm, "embedded:dgm-polyglot.json", "the DGM preset, for --loop dgm",
		"\"loop\":\"dgm\"}");
	base_of(none, "embedded:dgm-polyglot.json", "for the trace header's loop dgm",
		"\"loop\":\"dgm\"}");
	unlink(in_dir("trace.jsonl"));
	base_of(none, "embedded:hyperagents-paper.json", "no loop named", "\"created\"");
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '{\"hypercap_trace\":1,\"loop\":\"dgm-h\"}' "
		 ">'%s' && '%s' meter --upstream %s --trace '%s' --forecast --loop dgm 2>'%s'",
		 in_dir("trace.jsonl"), HYPERCAP_BIN, upstream.url, in_dir("trace.jsonl"),
		 in_dir("e"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	char *e = slurp(in_dir("e"));
	ck_assert_msg(strstr(e, "--loop dgm:") && strstr(e, "says loop dgm-h"), "%s", e);
	free(e);
}
END_TEST

/*
 * --forecast on a trace that holds an earlier run's records is refused (exit 2) and leaves
 * it as it was: the projection would read them as this run's. Without --forecast the meter
 * appends to it as ever; a trace holding only a header is taken (forecast_base_follows_...).
 */
START_TEST(forecast_refuses_a_trace_of_another_run)
{
	write_prices();
	const char *const plain[] = { "--prices", in_dir("prices.json"), NULL };
	struct peer m = start_meter(upstream.url, plain);
	ck_assert_int_eq(loop_call(&m, 0, "evaluate", 0), 200);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	char *before = slurp(in_dir("trace.jsonl"));
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "'%s' meter --upstream %s --trace '%s' --forecast "
		 "--iterations 10 2>'%s'", HYPERCAP_BIN, upstream.url, in_dir("trace.jsonl"),
		 in_dir("e"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	char *e = slurp(in_dir("e"));
	ck_assert_msg(strstr(e, "holds records already") && strstr(e, "its own --trace"), "%s",
		      e);
	free(e);
	char *after = slurp(in_dir("trace.jsonl"));
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
	m = start_meter(upstream.url, plain);
	ck_assert_int_eq(loop_call(&m, 1, "evaluate", 0), 200);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	after = slurp(in_dir("trace.jsonl"));
	size_t lines = 0;
	for (const char *c = after; (c = strchr(c, '\n')); c++)
		lines++;
	ck_assert_uint_eq(lines, 3); /* the header and both runs' calls */
	free(after);
}
END_TEST

/*
 * --guard projected: a run whose bill (43 calls at $0.108, $4.644) would pass the budget
 * ($4) is refused its next iteration once projected from iteration 1, with $0.97 spent; the
 * iteration under way goes on. A run 20 % under its budget ($4.644 / 0.8) runs to its end.
 */
START_TEST(projected_guard_refuses_the_next_iteration)
{
	write_prices();
	const char *const over[] = { "--prices", in_dir("prices.json"), "--iterations", "10",
				     "--budget-usd", "4", "--guard", "projected", NULL };
	struct peer m = start_meter(upstream.url, over);
	for (long i = 0; i <= 1; i++)
		loop_iteration(&m, i);
	ck_assert_int_eq(loop_call(&m, 2, "self_modify", 0), 200);
	cJSON *st = projection_from(&m, 1);
	ck_assert_double_eq_tol(band_of(st, "usd", "p90"), 4.644, 1e-6);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "forecast"),
						   "guard_tripped")));
	cJSON_Delete(st);
	ck_assert_int_eq(loop_call(&m, 2, "evaluate", 0), 200);
	ck_assert_int_eq(loop_call(&m, 3, "self_modify", 0), 429);
	st = status_json(&m);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(st, "budget_spent")));
	ck_assert_double_lt(cJSON_GetObjectItem(st, "cost_usd")->valuedouble, 4 * 0.5);
	ck_assert_int_eq((int)cJSON_GetObjectItem(st, "rejected_projected")->valuedouble, 1);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);

	unlink(in_dir("trace.jsonl"));
	const char *const under[] = { "--prices", in_dir("prices.json"), "--iterations", "10",
				      "--budget-usd", "5.805", "--guard", "projected", NULL };
	m = start_meter(upstream.url, under);
	for (long i = 0; i <= 10; i++)
		loop_iteration(&m, i);
	st = projection_from(&m, 9);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "forecast"),
						    "guard_tripped")));
	ck_assert_double_eq_tol(cJSON_GetObjectItem(st, "cost_usd")->valuedouble, 4.644, 1e-9);
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
}
END_TEST


/* ---- a recorded run replayed through the meter ---- */

#define REPLAY_CHECKPOINTS 3
static const double replay_share[REPLAY_CHECKPOINTS] = { 0.10, 0.25, 0.50 };

/* The replay: the meter, the bill priced here, and the projections at the checkpoints. */
struct replay {
	const struct peer *m;
	const struct price_sheet *ps;
	double bill;
	long iteration, at[REPLAY_CHECKPOINTS]; /* the checkpoints' iterations */
	long last;     /* the last iteration whose calls are sent; LONG_MAX: all */
	size_t calls;
	double p10[REPLAY_CHECKPOINTS], p50[REPLAY_CHECKPOINTS], p90[REPLAY_CHECKPOINTS];
};

/* Appends "/name=value" to path when value is not empty. */
static void tag(char *path, size_t size, const char *name, const char *value)
{
	size_t n = strlen(path);
	if (*value)
		snprintf(path + n, size - n, "/%s=%s", name, value);
}

/* Waits for the projection from the checkpoint just passed, and keeps its band. */
static void replay_checkpoint(struct replay *rp, long iteration)
{
	for (int k = 0; k < REPLAY_CHECKPOINTS; k++) {
		if (rp->at[k] != iteration - 1)
			continue;
		cJSON *st = projection_from(rp->m, rp->at[k]);
		rp->p10[k] = band_of(st, "usd", "p10");
		rp->p50[k] = band_of(st, "usd", "p50");
		rp->p90[k] = band_of(st, "usd", "p90");
		cJSON_Delete(st);
	}
}

/*
 * Sends one recorded call: its tags in the path, its usage in the body for the fake upstream
 * to answer with (Anthropic's Messages for Claude models, which carry cache writes; Chat
 * Completions for the others), at once (the accelerated time: no pause between calls).
 */
static int replay_put(void *ctx, const struct trace_record *rec)
{
	struct replay *rp = ctx;
	const struct trace_llm_call *c = &rec->u.call;
	const struct usage *u = &c->usage;
	if (c->iteration > rp->last)
		return 0;
	char path[512] = "/hc", body[512], it[24];
	int claude = !strncmp(c->model, "claude", 6);
	snprintf(it, sizeof(it), "%ld", c->iteration);
	tag(path, sizeof(path), "iteration", it);
	tag(path, sizeof(path), "node", c->node);
	tag(path, sizeof(path), "role", c->role);
	tag(path, sizeof(path), "domain", c->domain);
	tag(path, sizeof(path), "task", c->task);
	strcat(path, claude ? "/v1/messages" : "/v1/chat/completions");
	snprintf(body, sizeof(body), "{\"model\":\"%s\",\"max_tokens\":%llu,\"x_test_usage\":"
		 "[%llu,%llu,%llu,%llu,%llu]}", c->model, (unsigned long long)u->output,
		 (unsigned long long)u->input, (unsigned long long)u->cache_read,
		 (unsigned long long)u->cache_write, (unsigned long long)u->output,
		 (unsigned long long)u->reasoning);
	struct reply r = http(rp->m->url, path, body, claude ? anthropic_auth : openai_auth);
	ck_assert_msg(r.code == 200, "%s: HTTP %ld: %s", path, r.code, r.body);
	reply_free(&r);
	rp->calls++;
	rp->bill += price_cost(price_sheet_find(rp->ps, c->model), u);
	if (c->iteration != rp->iteration)
		replay_checkpoint(rp, c->iteration);
	rp->iteration = c->iteration;
	return 0;
}

/*
 * Replays the run of (sc, tasks, seed 1) through hypercap meter --forecast=scenario in
 * accelerated time, and checks that the meter prices it as this test does; prints its
 * projections at the checkpoints, kept in rp.
 */
static void replay_run(const char *name, const char *scenario, const struct scenario *sc,
		       const struct synth_recorded *tasks, struct replay *rp)
{
	struct hc_err err = HC_ERR_INIT;
	struct price_sheet ps;
	char forecast[300];
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	snprintf(forecast, sizeof(forecast), "--forecast=%s", scenario);
	unlink(in_dir("trace.jsonl")); /* the projection reads the whole trace: this run only */
	const char *const opts[] = { "--upstream-anthropic", upstream.url, forecast, NULL };
	struct peer m = start_meter(upstream.url, opts);
	*rp = (struct replay){ .m = &m, .ps = &ps, .last = LONG_MAX };
	for (int k = 0; k < REPLAY_CHECKPOINTS; k++)
		rp->at[k] = lround(replay_share[k] * sc->iterations);
	double t0 = now_s();
	synth_run(sc, tasks, 1, replay_put, rp);
	double took = now_s() - t0;
	cJSON *st = status_json(&m);
	double cost = cJSON_GetObjectItem(st, "cost_usd")->valuedouble;
	cJSON_Delete(st);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	ck_assert_double_eq_tol(cost, rp->bill, 1e-9 * rp->bill);
	printf("%s replayed through the meter: %zu calls of %u iterations in %.1f s, bill "
	       "$%.2f\n", name, rp->calls, sc->iterations, took, rp->bill);
	for (int k = 0; k < REPLAY_CHECKPOINTS; k++)
		printf("  after %ld iterations: P10 $%.2f P50 $%.2f (%+.1f%%) P90 $%.2f, bill %s\n",
		       rp->at[k], rp->p10[k], rp->p50[k], 100 * (rp->p50[k] / rp->bill - 1),
		       rp->p90[k], rp->p10[k] <= rp->bill && rp->bill <= rp->p90[k] ? "inside"
										 : "outside");
	fflush(stdout);
	rp->m = NULL;
	rp->ps = NULL;
	price_sheet_release(&ps);
}

/*
 * The harness of docs/metering.md: whole runs (tests/synth_run.h, seed 1) replayed through
 * hypercap meter --forecast, the fake upstream answering each call with its recorded usage in
 * recorded order: a synthetic 100-iteration DGM-H run on the embedded preset, and DGM's logs
 * on the DGM preset with improvement 0 (what the logs show). The projections after 25 % and
 * 50 % of the iterations are within 6 % of the bill (DGM-H) and 8 % (DGM), after 10 % within
 * 20 % and 35 %: one run, whose figures move a little with the meter's clock (the fitted tool
 * times are the replay's), so looser than test_project's means.
 */
START_TEST(recorded_runs_replayed_through_the_meter)
{
	static struct synth_recorded tasks;
	static const char *const flat[] = { "domains.polyglot.improvement=0" };
	struct hc_err err = HC_ERR_INIT;
	struct scenario sc;
	struct replay rp;
	ck_assert_int_eq(scenario_load(&sc, NULL, NULL, 0, &err), 0);
	replay_run("DGM-H synthetic", SOURCE_DIR "/data/scenarios/hyperagents-paper.json", &sc,
		   NULL, &rp);
	scenario_release(&sc);
	for (int k = 0; k < REPLAY_CHECKPOINTS; k++)
		ck_assert_double_lt(fabs(rp.p50[k] / rp.bill - 1), (k ? 0.06 : 0.20));

	cJSON *dgm = jsonfile_load(SOURCE_DIR "/data/scenarios/dgm-polyglot.json", &err);
	ck_assert_ptr_nonnull(dgm);
	ck_assert_int_eq(scenario_apply_set(dgm, flat[0], &err), 0);
	char *text = cJSON_Print(dgm);
	FILE *f = fopen(in_dir("dgm-flat.json"), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(text);
	cJSON_Delete(dgm);
	ck_assert_int_eq(synth_load_dgm(&tasks, SOURCE_DIR "/data/dgm-polyglot-initial"), 0);
	ck_assert_int_eq(scenario_load(&sc, in_dir("dgm-flat.json"), NULL, 0, &err), 0);
	replay_run("DGM logs", in_dir("dgm-flat.json"), &sc, &tasks, &rp);
	scenario_release(&sc);
	for (int k = 0; k < REPLAY_CHECKPOINTS; k++)
		ck_assert_double_lt(fabs(rp.p50[k] / rp.bill - 1), (k ? 0.08 : 0.35));
}
END_TEST

/*
 * --guard projected --budget-action stop: a loop of 4 calls an iteration, 20 iterations
 * ($9.07 at $0.108 a call), under a $4 budget, is stopped (SIGTERM) once projected over, from
 * iteration 2 (a tenth of the run) on, before $4 is spent.
 */
START_TEST(projected_guard_stops_the_child)
{
	write_prices();
	const char *const opts[] = { "--prices", in_dir("prices.json"), "--budget-usd", "4",
				     "--forecast", "--iterations", "20", "--guard", "projected",
				     "--budget-action", "stop", "--grace", "0.5", NULL };
	const char *const loop[] = { METER_PEER, "client", "0", "--model", "fake-model",
				     "--per-iteration", "4", "--pace-ms", "100", NULL };
	ck_assert_int_eq(run_with_child(opts, loop, NULL), 128 + SIGTERM);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "budget projected to run out"), "%s", err);
	ck_assert_msg(!strstr(err, "budget spent"), "%s", err);
	free(err);
	struct totals led;
	read_ledger(&led);
	double spent = (double)(led.u.input + led.u.output) / 1000;
	printf("projected guard stopped the child after %zu calls, $%.3f of $4 spent\n", led.n,
	       spent);
	ck_assert_uint_ge(led.n, 13); /* iteration 3 had started: the projection from 2 */
	ck_assert_double_lt(spent, 4);
}
END_TEST

/*
 * GET /_hypercap/ in headless Chromium (as test_browser does for the report), after the first
 * 30 iterations of the synthetic DGM-H run (seed 1) were replayed through the meter with a
 * budget: the page has drawn the cone (a polygon whose P90 and P10 ends differ), the P50 line,
 * the spend so far, the budget line, a row per (role, model) and the endpoints. Missing
 * Chromium fails, unless HYPERCAP_SKIP_BROWSER=1.
 */
START_TEST(live_page_renders_the_cone_and_the_budget)
{
	struct hc_err err = HC_ERR_INIT;
	const char *bin = chromium_or_skip("test_meter");
	if (!bin)
		return;
	struct scenario sc;
	struct price_sheet ps;
	ck_assert_int_eq(scenario_load(&sc, NULL, NULL, 0, &err), 0);
	ck_assert_int_eq(price_sheet_load(&ps, NULL, &err), 0);
	const char *const opts[] = { "--upstream-anthropic", upstream.url, "--forecast",
				     "--budget-usd", "150", NULL };
	struct peer m = start_meter(upstream.url, opts);
	struct replay rp = { .m = &m, .ps = &ps, .last = 31, .at = { -9, -9, -9 } };
	synth_run(&sc, NULL, 1, replay_put, &rp);
	cJSON_Delete(projection_from(&m, 30));
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "timeout 60 '%s' --headless --no-sandbox --disable-gpu "
		 "--user-data-dir='%s' --virtual-time-budget=5000 --dump-dom '%s/_hypercap/' "
		 ">'%s' 2>'%s'", bin, in_dir("profile"), m.url, in_dir("dom.html"),
		 in_dir("chromium.log"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(stop(m.pid, SIGTERM), 0);
	char *dom = slurp(in_dir("dom.html"));
	ck_assert_ptr_nonnull(dom);
	ck_assert_msg(strstr(dom, "data-updated="), "the page never read the status: %.500s",
		      dom);
	const char *cone = strstr(dom, "id=\"cone\"");
	ck_assert_ptr_nonnull(cone);
	double x[6];
	const char *pts = strstr(cone, "points=\"");
	ck_assert_ptr_nonnull(pts);
	ck_assert_int_eq(sscanf(pts + 8, "%lf %lf %lf %lf %lf %lf", &x[0], &x[1], &x[2], &x[3],
				&x[4], &x[5]), 6);
	ck_assert_double_lt(x[0], x[2]);  /* from iteration 30 to the last */
	ck_assert_double_lt(x[3], x[5]);  /* P90 above P10 (SVG's y grows downwards) */
	ck_assert_ptr_nonnull(strstr(dom, "id=\"p50\""));
	ck_assert_ptr_nonnull(strstr(dom, "id=\"spent-line\""));
	ck_assert_ptr_nonnull(strstr(dom, "id=\"budget\""));
	ck_assert_ptr_nonnull(strstr(dom, "from iteration 30 of 100"));
	ck_assert_ptr_nonnull(strstr(dom, "<td>self_modify</td><td>claude-sonnet-4-5</td>"));
	ck_assert_ptr_nonnull(strstr(dom, "<td>evaluate</td><td>gpt-4o</td>"));
	ck_assert_ptr_nonnull(strstr(dom, "<td>/v1/messages</td>"));
	ck_assert_ptr_nonnull(strstr(dom, "<td>/v1/chat/completions</td>"));
	free(dom);
	price_sheet_release(&ps);
	scenario_release(&sc);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t, double timeout)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("meter");
	signal(SIGPIPE, SIG_IGN);
	add(s, "every_api_streamed_or_not_totals_match", every_api_streamed_or_not_totals_match,
	    60);
	add(s, "streams_pass_through_as_they_arrive", streams_pass_through_as_they_arrive, 60);
	add(s, "failing_upstreams_give_errors_and_records",
	    failing_upstreams_give_errors_and_records, 60);
	add(s, "budget_guard_rejects_once_spent", budget_guard_rejects_once_spent, 60);
	add(s, "budget_stop_ends_the_child", budget_stop_ends_the_child, 60);
	add(s, "client_gone_mid_call_is_still_recorded", client_gone_mid_call_is_still_recorded,
	    60);
	add(s, "stopping_meter_lets_calls_in_flight_end", stopping_meter_lets_calls_in_flight_end,
	    120);
	add(s, "budget_refuses_unpriced_models", budget_refuses_unpriced_models, 60);
	add(s, "anthropic_requests_go_to_their_own_upstream",
	    anthropic_requests_go_to_their_own_upstream, 60);
	add(s, "child_gets_the_proxy_and_gives_its_status",
	    child_gets_the_proxy_and_gives_its_status, 60);
	add(s, "kill_9_keeps_every_completed_call", kill_9_keeps_every_completed_call, 60);
	add(s, "two_hundred_requests_sixteen_at_a_time", two_hundred_requests_sixteen_at_a_time,
	    120);
	add(s, "recorded_bodies_have_keys_redacted", recorded_bodies_have_keys_redacted, 60);
	add(s, "bad_tags_and_bad_options_are_refused", bad_tags_and_bad_options_are_refused, 60);
	add(s, "official_npm_clients", official_npm_clients, 120);
	add(s, "full_disk_keeps_the_trace_whole_and_retries",
	    full_disk_keeps_the_trace_whole_and_retries, 60);
	add(s, "trace_deleted_or_renamed_is_started_again",
	    trace_deleted_or_renamed_is_started_again, 60);
	add(s, "bytes_that_are_not_utf8_never_reach_the_trace",
	    bytes_that_are_not_utf8_never_reach_the_trace, 60);
	add(s, "billed_error_answers_are_counted", billed_error_answers_are_counted, 60);
	add(s, "budget_counts_unknown_usage_at_its_worst_case",
	    budget_counts_unknown_usage_at_its_worst_case, 60);
	add(s, "free_endpoints_pass_unrecorded_past_the_budget",
	    free_endpoints_pass_unrecorded_past_the_budget, 60);
	add(s, "retries_come_from_the_attempt_header", retries_come_from_the_attempt_header, 60);
	add(s, "embeddings_priced_under_a_budget", embeddings_priced_under_a_budget, 60);
	add(s, "background_responses_recorded_when_retrieved",
	    background_responses_recorded_when_retrieved, 60);
	add(s, "large_answer_passes_whole_with_its_usage",
	    large_answer_passes_whole_with_its_usage, 120);
	add(s, "forecast_projects_the_final_bill", forecast_projects_the_final_bill, 120);
	add(s, "expected_end_follows_the_runs_pace", expected_end_follows_the_runs_pace, 120);
	add(s, "forecast_base_follows_the_loop", forecast_base_follows_the_loop, 60);
	add(s, "forecast_refuses_a_trace_of_another_run", forecast_refuses_a_trace_of_another_run,
	    60);
	add(s, "projected_guard_refuses_the_next_iteration",
	    projected_guard_refuses_the_next_iteration, 120);
	add(s, "projected_guard_stops_the_child", projected_guard_stops_the_child, 60);
	add(s, "live_page_renders_the_cone_and_the_budget",
	    live_page_renders_the_cone_and_the_budget, 120);
	add(s, "recorded_runs_replayed_through_the_meter",
	    recorded_runs_replayed_through_the_meter, 900);
	return check_run(s);
}
