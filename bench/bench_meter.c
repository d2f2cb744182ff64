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

/*
 * p50 and p99 in microseconds of n sequential chat requests tagged as a loop's calls: a new
 * iteration every 25 requests (each one a task of its own), so that a meter with --forecast
 * projects all along the measurement.
 */
static void latency_tagged(unsigned port, size_t n, struct curl_slist *h, double *p50,
			   double *p99)
{
	double *t = malloc(n * sizeof(double));
	CURL *e = client(port, "/", chat, h);
	for (size_t i = 0; i < n; i++) {
		char url[256];
		double total;
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/hc/iteration=%zu/node=n%zu/"
			 "role=%s/domain=d/task=t%zu/v1/chat/completions", port, i / 25, i / 25,
			 i % 25 ? "evaluate" : "self_modify", i % 25);
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &total);
		t[i] = total * 1e6;
	}
	curl_easy_cleanup(e);
	*p50 = quantile(t, n, 0.5);
	*p99 = quantile(t, n, 0.99);
	free(t);
}

/* Starts hypercap meter in front of up_url recording into trace, with extra options. */
static pid_t start_meter(const char *up_url, const char *trace, const char *err,
			 const char *extra1, const char *extra2, unsigned *port)
{
	const char *m_argv[] = { HYPERCAP_BIN, "meter", "--upstream", up_url, "--listen",
				 "127.0.0.1:0", "--trace", trace, extra1, extra2, NULL };
	pid_t pid = spawn(m_argv, err);
	*port = wait_port(err, "listening on http://127.0.0.1:");
	return pid;
}

/* The status's forecast.projections of the meter on port: how many it made. */
static long projections(unsigned port)
{
	char cmd[160], line[64] = "";
	snprintf(cmd, sizeof(cmd), "curl -s http://127.0.0.1:%u/_hypercap/status | grep -o "
		 "'\"projections\":[0-9]*' | cut -d: -f2", port);
	FILE *p = popen(cmd, "r");
	if (p && !fgets(line, sizeof(line), p))
		line[0] = '\0';
	if (p)
		pclose(p);
	return atol(line);
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
	unsigned m_port;
	pid_t meter = start_meter(up_url, trace, "meter.err", NULL, NULL, &m_port);
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

	/* the same tagged loop through a meter without and with --forecast, fresh traces */
	double t50, t99, f50, f99;
	unsigned plain_port, forecast_port;
	snprintf(trace, sizeof(trace), "%s/plain.jsonl", dir);
	pid_t plain = start_meter(up_url, trace, "plain.err", NULL, NULL, &plain_port);
	latency_tagged(plain_port, 10 * n, h, &t50, &t99);
	kill(plain, SIGTERM);
	waitpid(plain, NULL, 0);
	snprintf(trace, sizeof(trace), "%s/forecast.jsonl", dir);
	pid_t fc = start_meter(up_url, trace, "forecast.err", "--forecast", "--iterations=2000",
			       &forecast_port);
	latency_tagged(forecast_port, 10 * n, h, &f50, &f99);
	long made = projections(forecast_port);
	kill(fc, SIGTERM);
	waitpid(fc, NULL, 0);
	printf("meter_tagged_p50_us %.0f\nmeter_tagged_p99_us %.0f\n", t50, t99);
	printf("meter_tagged_forecast_p50_us %.0f\nmeter_tagged_forecast_p99_us %.0f\n", f50,
	       f99);
	printf("meter_forecast_projections_during_run %ld of %zu iterations\n", made,
	       10 * n / 25);

	curl_slist_free_all(h);
	kill(meter, SIGTERM);
	waitpid(meter, NULL, 0);
	kill(up, SIGTERM);
	waitpid(up, NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? 1 : 0;
}
