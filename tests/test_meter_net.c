/*
 * hypercap meter on the network side (issue 13): what reaches the upstream, what a gone client
 * or an idle one costs, what the meter's own errors say. The built binary runs in front of raw
 * sockets of this process on 127.0.0.1, so that the test sees every byte the meter sends and
 * every connection it makes. Every wait is bounded; nothing asserts a speed.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "tests/check_main.h"
#include "tests/slurp.h"

#define WAIT_MS 15000 /* the cap of every wait: generous, never a speed assertion */

static char dir[256];

static char *in_dir(const char *name)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* 1 when hay holds needle, case aside. */
static int has(const char *hay, const char *needle)
{
	for (size_t n = strlen(needle); *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hypercap-meter-net-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- sockets ---- */

/* A listening socket on a free loopback port. */
static int listen_any(unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t n = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &n), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int connect_to(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* 1 when fd is readable within ms milliseconds. */
static int readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) == 1;
}

static void send_all(int fd, const char *text)
{
	size_t n = strlen(text);
	ck_assert_int_eq(send(fd, text, n, MSG_NOSIGNAL), (ssize_t)n);
}

/*
 * Reads from fd until it holds "\r\n\r\n" and then want more bytes, or until EOF; at most
 * WAIT_MS. Returns what came (caller frees).
 */
static char *read_some(int fd, size_t want)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	buf[0] = '\0';
	for (;;) {
		const char *end = strstr(buf, "\r\n\r\n");
		if (end && (size_t)(buf + len - end - 4) >= want)
			break;
		if (!readable(fd, WAIT_MS))
			break;
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return buf;
}

/* The status code of an HTTP answer, or 0. */
static int status_of(const char *answer)
{
	int code = 0;
	sscanf(answer, "HTTP/1.%*d %d", &code);
	return code;
}

/* 1 when the peer of fd closes it within WAIT_MS (what it sends first is read and dropped). */
static int closed_by_peer(int fd)
{
	char buf[4096];
	for (int i = 0; i < WAIT_MS / 100; i++) {
		if (!readable(fd, 100))
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return 1;
	}
	return 0;
}

/* ---- the meter ---- */

struct meter {
	pid_t pid;
	unsigned port;
};

/* The exit status of pid (128+N when killed by N), or -1 after WAIT_MS. */
static int wait_exit(pid_t pid)
{
	int status;
	for (int i = 0; i < WAIT_MS / 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		nap_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Runs hypercap meter with argv after "meter", stderr into meter.err; nofile > 0 sets the
 * child's open-file limit (soft and hard). */
static pid_t spawn_meter(const char *const args[], rlim_t nofile)
{
	const char *argv[40] = { HYPERCAP_BIN, "meter" };
	size_t n = 2;
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* emptied before the fork: start_meter must not read an earlier meter's "listening" */
	int fe = open(in_dir("meter.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fe, 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { nofile, nofile };
		if (nofile && setrlimit(RLIMIT_NOFILE, &rl))
			_exit(127);
		dup2(fe, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fe);
	return pid;
}

/* http://127.0.0.1:port */
static const char *url_of(unsigned port)
{
	static char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	return url;
}

/* Starts a meter in front of url with extra options (NULL-terminated). */
static struct meter start_meter(const char *url, const char *const extra[], rlim_t nofile)
{
	static const char marker[] = "listening on http://127.0.0.1:";
	const char *args[40] = { "--upstream", url, "--listen", "127.0.0.1:0", "--trace",
				 in_dir("trace.jsonl") };
	size_t n = 6;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct meter m = { spawn_meter(args, nofile), 0 };
	for (int i = 0; i < WAIT_MS / 20 && !m.port; i++) {
		char *text = slurp(in_dir("meter.err"));
		const char *at = text ? strstr(text, marker) : NULL;
		if (at && strchr(at, '\n'))
			sscanf(at + strlen(marker), "%u", &m.port);
		free(text);
		nap_ms(20);
	}
	ck_assert_msg(m.port, "the meter did not start");
	return m;
}

static void stop_meter(struct meter *m)
{
	kill(m->pid, SIGTERM);
	ck_assert_int_eq(wait_exit(m->pid), 0);
}

/* One request line (and headers) to the meter on a new connection; the answer. */
static char *ask(const struct meter *m, const char *request)
{
	int fd = connect_to(m->port);
	send_all(fd, request);
	char *answer = read_some(fd, 1);
	close(fd);
	return answer;
}

/* ---- the tests ---- */

/*
 * A request target that is not an absolute path must not choose the host: each is answered
 * 400 and neither the upstream nor another local listener gets a connection.
 */
START_TEST(request_targets_cannot_choose_the_host)
{
	unsigned up_port, other_port;
	int up = listen_any(&up_port), other = listen_any(&other_port);
	char targets[16][128];
	int n = 0;
	snprintf(targets[n++], 128, "@127.0.0.1:%u/v1/x", other_port);
	snprintf(targets[n++], 128, "//127.0.0.1:%u/v1/x", other_port);
	snprintf(targets[n++], 128, "http://127.0.0.1:%u/v1/x", other_port);
	snprintf(targets[n++], 128, "/hc/run=a/@127.0.0.1:%u/../../x", other_port);
	snprintf(targets[n++], 128, "*");
	snprintf(targets[n++], 128, "/v1/../../admin");
	snprintf(targets[n++], 128, "/v1/%%2e%%2E/admin");
	snprintf(targets[n++], 128, "/v1/.%%2e/admin");
	snprintf(targets[n++], 128, "/v1/..%%2Fadmin");
	snprintf(targets[n++], 128, "/v1\\..\\admin");
	snprintf(targets[n++], 128, "/v1/x#@127.0.0.1:%u", other_port);
	snprintf(targets[n++], 128, "/v1/x%%00y");
	snprintf(targets[n++], 128, "/v1/\x01x");
	struct meter m = start_meter(url_of(up_port), NULL, 0);
	for (int i = 0; i < n; i++) {
		char req[512];
		snprintf(req, sizeof(req), "POST %.127s HTTP/1.1\r\nHost: x\r\nAuthorization: "
			 "Bearer sk-SECRET\r\nContent-Length: 2\r\n\r\n{}", targets[i]);
		int fd = connect_to(m.port);
		send_all(fd, req);
		struct pollfd p[3] = { { fd, POLLIN, 0 }, { up, POLLIN, 0 }, { other, POLLIN, 0 } };
		ck_assert_int_ge(poll(p, 3, WAIT_MS), 1);
		ck_assert_msg(!p[2].revents, "'%s': the meter called the other listener",
			      targets[i]);
		ck_assert_msg(!p[1].revents, "'%s': the meter called the upstream", targets[i]);
		char *answer = read_some(fd, 1);
		ck_assert_msg(status_of(answer) == 400, "'%s': %s", targets[i], answer);
		free(answer);
		close(fd);
	}
	ck_assert(!readable(up, 0) && !readable(other, 0));
	stop_meter(&m);
	close(up);
	close(other);
}
END_TEST

/*
 * A good request reaches the upstream with its path and query after the upstream's own path,
 * without Proxy-Authorization nor the headers its Connection header names.
 */
START_TEST(forwarded_requests_keep_path_and_lose_hop_headers)
{
	unsigned up_port;
	int up = listen_any(&up_port);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/base/", up_port);
	struct meter m = start_meter(url, NULL, 0);
	int fd = connect_to(m.port);
	send_all(fd, "POST /hc/role=x/v1/chat/completions?api-version=1&a=%2F HTTP/1.1\r\n"
		     "Host: x\r\nAuthorization: Bearer sk-FORWARDED\r\n"
		     "Proxy-Authorization: Basic cHJveHk6c2VjcmV0\r\n"
		     "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nX-Kept: 2\r\n"
		     "Content-Length: 2\r\n\r\n{}");
	ck_assert(readable(up, WAIT_MS));
	int conn = accept(up, NULL, NULL);
	char *seen = read_some(conn, 2);
	/* libcurl's URL API writes percent-escapes in lower case, an equivalent spelling */
	static const char line[] = "POST /base/v1/chat/completions?api-version=1&a=%2F HTTP/1.1";
	ck_assert_msg(!strncasecmp(seen, line, strlen(line)), "%s", seen);
	ck_assert_msg(strstr(seen, "sk-FORWARDED"), "%s", seen);
	ck_assert_msg(strstr(seen, "X-Kept: 2"), "%s", seen);
	ck_assert_msg(!has(seen, "proxy-authorization"), "%s", seen);
	ck_assert_msg(!has(seen, "cHJveHk6c2VjcmV0"), "%s", seen);
	ck_assert_msg(!has(seen, "x-hop"), "%s", seen);
	free(seen);
	send_all(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		       "Content-Length: 2\r\n\r\n{}");
	char *answer = read_some(fd, 2);
	ck_assert_msg(status_of(answer) == 200, "%s", answer);
	free(answer);
	close(conn);
	close(fd);
	stop_meter(&m);
	close(up);
}
END_TEST

/* The meter's 502 lets the SDKs retry as they would without it; its own 400s do not. */
START_TEST(upstream_failures_may_be_retried)
{
	unsigned port;
	close(listen_any(&port)); /* a port where nothing listens */
	struct meter m = start_meter(url_of(port), NULL, 0);
	char *answer = ask(&m, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 2\r\n\r\n{}");
	ck_assert_msg(status_of(answer) == 502, "%s", answer);
	ck_assert_msg(!has(answer, "x-should-retry"), "%s", answer);
	free(answer);
	answer = ask(&m, "POST /hc/colour=red/v1/x HTTP/1.1\r\nHost: x\r\n"
		     "Content-Length: 2\r\n\r\n{}");
	ck_assert_msg(status_of(answer) == 400, "%s", answer);
	ck_assert_msg(has(answer, "x-should-retry: false"), "%s", answer);
	free(answer);
	stop_meter(&m);
}
END_TEST

/* Credentials in --upstream: refused with exit 2, never echoed, nothing written. */
START_TEST(upstream_credentials_are_refused)
{
	static const char *const urls[] = { "https://user:sk-UPSECRET@127.0.0.1:1",
					    "http://sk-UPSECRET@127.0.0.1:1/v1",
					    "ftp://user:sk-UPSECRET@x", NULL };
	for (size_t i = 0; urls[i]; i++) {
		const char *args[] = { "--upstream", urls[i], "--listen", "127.0.0.1:0", "--trace",
				       in_dir("trace.jsonl"), NULL };
		pid_t pid = spawn_meter(args, 0);
		int status = wait_exit(pid);
		char *err = slurp(in_dir("meter.err"));
		ck_assert_msg(status == 2, "%s: exit %d: %s", urls[i], status, err);
		ck_assert_msg(!strstr(err, "UPSECRET"), "%s", err);
		ck_assert_msg(strstr(err, "--upstream"), "%s", err);
		free(err);
		ck_assert_int_eq(access(in_dir("trace.jsonl"), F_OK), -1);
	}
}
END_TEST

/*
 * --record-bodies: every value of every credential header is redacted, however short and
 * however many, in the body as sent and in its JSON-escaped forms.
 */
START_TEST(recorded_bodies_lose_every_key)
{
	static const char *const secrets[] = { "s1Qw", "9Zq", "k-88a", "Gk-31b", "Pz-52c",
						"Ck-77d", "Tk-19e", "Ok-40f", NULL };
	unsigned up_port;
	int up = listen_any(&up_port);
	const char *const opts[] = { "--record-bodies", NULL };
	struct meter m = start_meter(url_of(up_port), opts, 0);
	int fd = connect_to(m.port);
	char req[2048];
	const char *body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
			   "\"s1Qw K7x\\/9Zq \\u0041k-88a Gk-31b Pz-52c Ck-77d Tk-19e Ok-40f\"}]}";
	snprintf(req, sizeof(req), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: Bearer s1Qw\r\nx-api-key: K7x/9Zq\r\napi-key: Ak-88a\r\n"
		 "x-goog-api-key: Gk-31b\r\nProxy-Authorization: Basic Pz-52c\r\n"
		 "Cookie: theme=dark; session=Ck-77d\r\nX-Auth-Token: Tk-19e\r\n"
		 "OpenAI-Api-Key: Ok-40f\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	send_all(fd, req);
	ck_assert(readable(up, WAIT_MS));
	int conn = accept(up, NULL, NULL);
	free(read_some(conn, strlen(body)));
	send_all(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 44"
		       "\r\n\r\n{\"echo\":\"Tk-19e s1Qw\",\"x\":\"K7x\\/9Zq padding\"}");
	char *answer = read_some(fd, 44);
	ck_assert_msg(status_of(answer) == 200, "%s", answer);
	free(answer);
	close(conn);
	close(fd);
	stop_meter(&m);
	char *trace = slurp(in_dir("trace.jsonl"));
	ck_assert_msg(strstr(trace, "request_body") && strstr(trace, "padding"), "%s", trace);
	for (size_t i = 0; secrets[i]; i++)
		ck_assert_msg(!strstr(trace, secrets[i]), "the trace holds '%s': %s", secrets[i],
			      trace);
	free(trace);
	close(up);
}
END_TEST

/* Sends text as one chunk of a chunked body. */
static void send_chunk(int fd, const char *text)
{
	char head[32];
	snprintf(head, sizeof(head), "%zx\r\n", strlen(text));
	send_all(fd, head);
	send_all(fd, text);
	send_all(fd, "\r\n");
}

/* The times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/*
 * A client that goes away while the upstream is silent (before the answer's headers, and while
 * a stream waits for its next event) does not end the upstream call: the provider runs and
 * bills it all the same, so the meter reads the answer to its end and records its usage. The
 * call still ends at --timeout: a silent upstream is let go then, and the call recorded.
 */
START_TEST(gone_clients_calls_are_read_to_their_end)
{
	static const char whole[] = "{\"id\":\"c0\",\"object\":\"chat.completion\",\"model\":"
		"\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,"
		"\"completion_tokens\":5,\"total_tokens\":16}}";
	static const char last[] = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
		"\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
		"\"completion_tokens\":5,\"total_tokens\":16}}\n\ndata: [DONE]\n\n";
	unsigned up_port;
	int up = listen_any(&up_port);
	const char *const opts[] = { "--timeout", "3", NULL };
	struct meter m = start_meter(url_of(up_port), opts, 0);
	for (int phase = 0; phase < 3; phase++) {
		char head[160];
		int fd = connect_to(m.port);
		send_all(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
			     "Content-Length: 2\r\n\r\n{}");
		ck_assert(readable(up, WAIT_MS));
		int conn = accept(up, NULL, NULL);
		free(read_some(conn, 2));
		if (phase == 1) {
			send_all(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				       "Transfer-Encoding: chunked\r\n\r\n");
			free(read_some(fd, 0)); /* the headers reached the client */
		}
		close(fd);
		nap_ms(200); /* the meter sees the client gone first (not required) */
		if (phase == 0) {
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: "
				 "application/json\r\nContent-Length: %zu\r\n\r\n", strlen(whole));
			send_all(conn, head);
			send_all(conn, whole);
		} else if (phase == 1) {
			send_chunk(conn, last);
			send_all(conn, "0\r\n\r\n");
		}
		/* phases 0 and 1: the answer read whole; 2: silent, let go at --timeout */
		ck_assert_msg(phase < 2 || closed_by_peer(conn), "phase %d: the upstream call "
			      "outlived --timeout", phase);
		close(conn);
	}
	stop_meter(&m);
	char *trace = slurp(in_dir("trace.jsonl"));
	ck_assert_msg(count_of(trace, "\"llm_call\"") == 3, "%s", trace);
	ck_assert_msg(count_of(trace, "\"gen_ai.usage.input_tokens\":11,"
			       "\"gen_ai.usage.output_tokens\":5") == 2, "%s", trace);
	ck_assert_msg(count_of(trace, "upstream_error") == 1, "%s", trace);
	free(trace);
	close(up);
}
END_TEST

/*
 * Idle connections cannot lock the meter: past --max-connections a request gets a 503 in the
 * provider's shape (the status page still answers), and connections that never send a
 * request are closed after --idle-timeout.
 */
START_TEST(idle_connections_are_bounded)
{
	unsigned up_port;
	int up = listen_any(&up_port), idle[4];
	const char *const opts[] = { "--max-connections", "4", "--idle-timeout", "1", NULL };
	struct meter m = start_meter(url_of(up_port), opts, 0);
	for (int i = 0; i < 4; i++)
		idle[i] = connect_to(m.port);
	char *answer = ask(&m, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 2\r\n\r\n{}");
	ck_assert_msg(status_of(answer) == 503, "%s", answer);
	ck_assert_msg(strstr(answer, "\"error\"") && strstr(answer, "hypercap_busy"), "%s",
		      answer);
	free(answer);
	answer = ask(&m, "GET /_hypercap/status HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_msg(status_of(answer) == 200, "%s", answer);
	free(answer);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(closed_by_peer(idle[i]), "idle connection %d still open", i);
		close(idle[i]);
	}
	ck_assert(!readable(up, 0)); /* nothing was forwarded */
	stop_meter(&m);
	close(up);
}
END_TEST

/* The open-file limit: the soft one is raised to the hard one, and the connections fit. */
START_TEST(connections_fit_the_open_file_limit)
{
	unsigned up_port;
	int up = listen_any(&up_port);
	struct meter m = start_meter(url_of(up_port), NULL, 128);
	char *err = slurp(in_dir("meter.err"));
	ck_assert_msg(strstr(err, "at most") && strstr(err, "open files"), "%s", err);
	free(err);
	stop_meter(&m);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur == rl.rlim_max && rl.rlim_cur > 64) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = 64;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
		m = start_meter(url_of(up_port), NULL, 0);
		rl.rlim_cur = old;
		setrlimit(RLIMIT_NOFILE, &rl);
		char path[64], line[256];
		snprintf(path, sizeof(path), "/proc/%d/limits", (int)m.pid);
		FILE *f = fopen(path, "r");
		unsigned long soft = 0;
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Max open files", 14))
				sscanf(line + 14, "%lu", &soft);
		if (f)
			fclose(f);
		ck_assert_uint_eq(soft, old);
		stop_meter(&m);
	}
	close(up);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	tcase_set_timeout(tc, 90);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("meter_net");
	signal(SIGPIPE, SIG_IGN);
	add(s, "request_targets_cannot_choose_the_host", request_targets_cannot_choose_the_host);
	add(s, "forwarded_requests_keep_path_and_lose_hop_headers",
	    forwarded_requests_keep_path_and_lose_hop_headers);
	add(s, "upstream_failures_may_be_retried", upstream_failures_may_be_retried);
	add(s, "upstream_credentials_are_refused", upstream_credentials_are_refused);
	add(s, "recorded_bodies_lose_every_key", recorded_bodies_lose_every_key);
	add(s, "gone_clients_calls_are_read_to_their_end",
	    gone_clients_calls_are_read_to_their_end);
	add(s, "idle_connections_are_bounded", idle_connections_are_bounded);
	add(s, "connections_fit_the_open_file_limit", connections_fit_the_open_file_limit);
	return check_run(s);
}
