/*
 * bench_meter: what hypercap meter costs a loop. Starts tests/meter_peer.c's fake provider and
 * `hypercap meter` in front of it on 127.0.0.1, then measures with kept-alive libcurl clients:
 *
 * - latency: sequential non-streamed chat completions, direct and through the meter; p50 and
 *   p99 of each, and the difference (what the proxy adds, trace write included);
 * - time to first byte of a streamed answer, direct and through the meter;
 * - throughput: requests per second through the meter with 16 clients.
 *
 * usage: bench_meter [N]   (N sequential requests per latency run, default 2000)
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

static char dir[64];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t spawn(const char *const argv[], const char *out)
{
	pid_t pid = fork();
	if (pid == 0) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, out);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static unsigned wait_port(const char *out, const char *marker)
{
	char path[128], text[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, out);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
		const char *at = strstr(text, marker);
		unsigned port;
		if (at && strchr(at, '\n') && sscanf(at + strlen(marker), "%u", &port) == 1)
			return port;
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	fprintf(stderr, "bench_meter: no port in %s\n", path);
	exit(1);
}

static size_t discard(char *p, size_t s, size_t n, void *cls)
{
	(void)p, (void)cls;
	return s * n;
}

static CURL *client(unsigned port, const char *path, const char *body,
		    struct curl_slist *headers)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	CURL *e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	return e;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
}

static const char chat[] = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":"
			   "[{\"role\":\"user\",\"content\":\"hello\"}]}";
static const char chat_stream[] = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
				  "\"stream_options\":{\"include_usage\":true}}";

/* p50 and p99 in microseconds of n sequential requests on one kept-alive connection. */
static void latency(unsigned port, const char *body, int first_byte, size_t n,
		    struct curl_slist *h, double *p50, double *p99)
{
	double *t = malloc(n * sizeof(double));
	CURL *e = client(port, "/v1/chat/completions", body, h);
	for (size_t i = 0; i < n + 50; i++) {
		double total, ttfb;
		curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &total);
		curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME, &ttfb);
		if (i >= 50) /* warm-up: connections and caches */
			t[i - 50] = (first_byte ? ttfb : total) * 1e6;
	}
	curl_easy_cleanup(e);
	*p50 = quantile(t, n, 0.5);
	*p99 = quantile(t, n, 0.99);
	free(t);
}

struct worker {
	unsigned port;
	struct curl_slist *h;
	atomic_long *left;
	long done;
};

static void *work(void *cls)
{
	struct worker *w = cls;
	CURL *e = client(w->port, "/v1/chat/completions", chat, w->h);
	while (atomic_fetch_sub(w->left, 1) > 0) {
		long code = 0;
		curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		w->done += code == 200;
	}
	curl_easy_cleanup(e);
	return NULL;
}

static double throughput(unsigned port, struct curl_slist *h, long total, long *ok)
{
	atomic_long left = total;
	struct worker w[16];
	pthread_t t[16];
	double t0 = now_s();
	for (int i = 0; i < 16; i++) {
		w[i] = (struct worker){ port, h, &left, 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	*ok = 0;
	for (int i = 0; i < 16; i++) {
		pthread_join(t[i], NULL);
		*ok += w[i].done;
	}
	return (double)total / (now_s() - t0);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 2000;
	char ledger[128], trace[128];
	snprintf(dir, sizeof(dir), "/tmp/bench-meter-XXXXXX");
	if (!mkdtemp(dir) || n < 10)
		return 1;
	snprintf(ledger, sizeof(ledger), "%s/ledger.jsonl", dir);
	snprintf(trace, sizeof(trace), "%s/trace.jsonl", dir);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const char *up_argv[] = { METER_PEER, "upstream", ledger, NULL };
	pid_t up = spawn(up_argv, "upstream.out");
	unsigned up_port = wait_port("upstream.out", "");
	char up_url[64];
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%u", up_port);
	const char *m_argv[] = { HYPERCAP_BIN, "meter", "--upstream", up_url, "--listen",
				 "127.0.0.1:0", "--trace", trace, NULL };
	pid_t meter = spawn(m_argv, "meter.err");
	unsigned m_port = wait_port("meter.err", "listening on http://127.0.0.1:");
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "Authorization: Bearer sk-bench-0000000000000000");

	double d50, d99, m50, m99, s50, s99, sm50, sm99;
	long ok_direct, ok_meter;
	latency(up_port, chat, 0, n, h, &d50, &d99);
	latency(m_port, chat, 0, n, h, &m50, &m99);
	latency(up_port, chat_stream, 1, n / 4, h, &s50, &s99);
	latency(m_port, chat_stream, 1, n / 4, h, &sm50, &sm99);
	double rps_direct = throughput(up_port, h, 10 * (long)n, &ok_direct);
	double rps_meter = throughput(m_port, h, 10 * (long)n, &ok_meter);

	printf("meter_requests_per_latency_run %zu\n", n);
	printf("meter_chat_direct_p50_us %.0f\nmeter_chat_direct_p99_us %.0f\n", d50, d99);
	printf("meter_chat_proxied_p50_us %.0f\nmeter_chat_proxied_p99_us %.0f\n", m50, m99);
	printf("meter_added_p50_us %.0f\nmeter_added_p99_us %.0f\n", m50 - d50, m99 - d99);
	printf("meter_stream_first_byte_direct_p50_us %.0f\n"
	       "meter_stream_first_byte_direct_p99_us %.0f\n", s50, s99);
	printf("meter_stream_first_byte_proxied_p50_us %.0f\n"
	       "meter_stream_first_byte_proxied_p99_us %.0f\n", sm50, sm99);
	printf("meter_rps_direct_16_clients %.0f\nmeter_rps_proxied_16_clients %.0f\n",
	       rps_direct, rps_meter);
	printf("meter_throughput_answered_200 %ld of %ld\n", ok_meter, 10 * (long)n);

	curl_slist_free_all(h);
	kill(meter, SIGTERM);
	waitpid(meter, NULL, 0);
	kill(up, SIGTERM);
	waitpid(up, NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? 1 : 0;
}
