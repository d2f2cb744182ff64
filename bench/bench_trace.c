/*
 * bench_trace: trace ingest. A synthetic trace of SIZE_MB (default 1024) is written to /tmp
 * (a block of records made by trace_writer, as `hypercap import` writes them, repeated to
 * the size) and deleted at the end. Each pass runs in a child (bench_child.h); the median of
 * BENCH_REPEATS (3) passes of each kind, interleaved:
 *
 * - trace_read_mb_per_s: our reader, trace_reader_next over every record (getline, cJSON,
 *   the checks and copies into struct trace_record), as replay and fit read;
 * - cjson_parse_mb_per_s: cJSON's own speed on the same file: getline, cJSON_ParseWithLength
 *   and cJSON_Delete per line, nothing else (the ceiling for a reader built on cJSON);
 * - getline_mb_per_s: reading the lines alone (the I/O floor; the file is in the page cache).
 *
 * Each also per second of the child's CPU time (user + system), steadier than wall time on a
 * machine other work keeps busy.
 *
 * Targets: our reader at least 80% of cJSON's speed; peak memory reading the 1 GB trace under
 * 64 MB (the reader holds one line at a time).
 *
 * usage: bench_trace [SIZE_MB]
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "bench/bench_child.h"
#include "sim/rng.h"
#include "trace/trace.h"

#define BLOCK_RECORDS 20000

static char trace_path[64], block_path[80];

static void remove_files(void)
{
	unlink(trace_path);
	unlink(block_path);
}

static void on_signal(int sig)
{
	remove_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fill_call(struct trace_llm_call *c, unsigned i, struct rng *r)
{
	static const char *const models[] = { "claude-sonnet-4-5", "gpt-4o", "o3-mini" };
	int eval = i % 8 != 0;
	snprintf(c->id, sizeof(c->id), "msg_%08u%06lu", i, rng_uniform_int(r, 1000000));
	c->start_time = 1763700000.0 + i * 2.5;
	c->end_time = c->start_time + rng_exponential(r, 20);
	snprintf(c->run, sizeof(c->run), "run-2026-11-21");
	c->iteration = i / 40;
	snprintf(c->node, sizeof(c->node), "%u", i / 40 + 1);
	snprintf(c->parent, sizeof(c->parent), "%lu", rng_uniform_int(r, i / 40 + 1));
	snprintf(c->role, sizeof(c->role), eval ? "evaluate" : "self_modify");
	snprintf(c->domain, sizeof(c->domain), eval ? "paper_review" : "");
	snprintf(c->task, sizeof(c->task), eval ? "paper_%04lu" : "", rng_uniform_int(r, 5000));
	snprintf(c->provider, sizeof(c->provider), "anthropic");
	snprintf(c->model, sizeof(c->model), "%s", models[i % 3]);
	snprintf(c->status, sizeof(c->status), "ok");
	c->retries = 0;
	c->has_usage = 1;
	int64_t in = 2000 + (int64_t)rng_uniform_int(r, 60000);
	int64_t out = 50 + (int64_t)rng_uniform_int(r, 4000);
	c->usage = (struct usage){ .calls = 1, .input = in, .cache_read = in / 2,
				   .cache_write = in / 10, .output = out, .reasoning = out / 4 };
}

/* A block of records (mostly LLM calls, as real traces are) through trace_writer. */
static int write_block(void)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct trace_record rec;
	struct rng r;
	if (rng_init(&r, 7, 0) ||
	    trace_writer_open(&w, block_path, "bench_trace", "2026-11-21T00:00:00Z", &err))
		return 1;
	for (unsigned i = 0; i < BLOCK_RECORDS && !err.code; i++) {
		if (i % 20 == 19) {
			trace_record_init(&rec, TRACE_EVAL_TASK);
			snprintf(rec.u.task.node, TRACE_STR_MAX, "%u", i / 40 + 1);
			snprintf(rec.u.task.domain, TRACE_STR_MAX, "paper_review");
			snprintf(rec.u.task.task, TRACE_STR_MAX, "paper_%04u", i % 5000);
			snprintf(rec.u.task.result, TRACE_STR_MAX, i % 3 ? "pass" : "fail");
			rec.u.task.sandbox_seconds = rng_exponential(&r, 30);
			rec.u.task.artifact_bytes = 1000 + (long long)rng_uniform_int(&r, 100000);
		} else if (i % 40 == 39) {
			trace_record_init(&rec, TRACE_ARCHIVE_ADD);
			snprintf(rec.u.add.node, TRACE_STR_MAX, "%u", i / 40 + 1);
			snprintf(rec.u.add.parent, TRACE_STR_MAX, "%u", i / 80);
			rec.u.add.iteration = i / 40;
			rec.u.add.score = rng_uniform(&r);
			rec.u.add.patch_bytes = 500 + (long long)rng_uniform_int(&r, 20000);
		} else {
			trace_record_init(&rec, TRACE_LLM_CALL);
			fill_call(&rec.u.call, i, &r);
		}
		trace_writer_put(&w, &rec, &err);
	}
	rng_release(&r);
	if (err.code || trace_writer_commit(&w, &err)) {
		fprintf(stderr, "bench_trace: %s\n", err.msg);
		trace_writer_abort(&w);
		return 1;
	}
	return 0;
}

/* The trace: the block's header, then its records again and again up to size bytes. */
static double write_trace(double size)
{
	FILE *in = fopen(block_path, "rb"), *out = fopen(trace_path, "wb");
	char *line = NULL, *body;
	size_t cap = 0, n_body;
	ssize_t n;
	double written;
	if (!in || !out || (n = getline(&line, &cap, in)) < 0) {
		fprintf(stderr, "bench_trace: cannot write %s\n", trace_path);
		exit(1);
	}
	fwrite(line, 1, (size_t)n, out);
	written = (double)n;
	FILE *mem = open_memstream(&body, &n_body);
	while ((n = getline(&line, &cap, in)) > 0)
		fwrite(line, 1, (size_t)n, mem);
	fclose(mem);
	while (written < size) {
		if (fwrite(body, 1, n_body, out) != n_body) {
			fprintf(stderr, "bench_trace: cannot write %s\n", trace_path);
			exit(1);
		}
		written += (double)n_body;
	}
	free(body);
	free(line);
	fclose(in);
	if (fclose(out)) {
		fprintf(stderr, "bench_trace: cannot write %s\n", trace_path);
		exit(1);
	}
	return written;
}

/* fig: seconds, records */
static int pass_reader(void *ctx, double *fig)
{
	struct hc_err err = HC_ERR_INIT;
	struct trace_reader r;
	struct trace_record rec;
	int rc;
	(void)ctx;
	double t0 = bench_now_s();
	if (trace_reader_open(&r, trace_path, 0, &err))
		goto fail;
	while ((rc = trace_reader_next(&r, &rec, &err)) > 0)
		fig[1]++;
	trace_reader_close(&r);
	if (rc < 0)
		goto fail;
	fig[0] = bench_now_s() - t0;
	return 0;
fail:
	fprintf(stderr, "bench_trace: %s\n", err.msg);
	return 1;
}

/* fig: seconds, lines; parse != 0: cJSON parses each line too */
static int pass_lines(int parse, double *fig)
{
	FILE *f = fopen(trace_path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (!f)
		return 1;
	double t0 = bench_now_s();
	while ((n = getline(&line, &cap, f)) > 0) {
		if (parse) {
			cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
			if (!o)
				return 1;
			cJSON_Delete(o);
		}
		fig[1]++;
	}
	fig[0] = bench_now_s() - t0;
	free(line);
	fclose(f);
	return 0;
}

static int pass_cjson(void *ctx, double *fig)
{
	(void)ctx;
	return pass_lines(1, fig);
}

static int pass_getline(void *ctx, double *fig)
{
	(void)ctx;
	return pass_lines(0, fig);
}

static double bench_max(const double *x, size_t n)
{
	double m = x[0];
	for (size_t i = 1; i < n; i++)
		m = fmax(m, x[i]);
	return m;
}

int main(int argc, char **argv)
{
	double size_mb = argc > 1 ? atof(argv[1]) : 1024;
	unsigned repeats = bench_repeats(3);
	double ours[99], theirs[99], io[99], rss[99], cjson_rss[99], records = 0;
	double ours_cpu[99], theirs_cpu[99];

	if (!(size_mb > 0)) {
		fprintf(stderr, "usage: bench_trace [SIZE_MB]\n");
		return 2;
	}
	snprintf(trace_path, sizeof(trace_path), "/tmp/hypercap-bench-trace-%d.jsonl",
		 (int)getpid());
	snprintf(block_path, sizeof(block_path), "%s.block", trace_path);
	atexit(remove_files);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (write_block())
		return 1;
	double bytes = write_trace(size_mb * 1e6), mb = bytes / 1e6;
	child_measure(pass_getline, NULL); /* into the page cache */
	for (unsigned i = 0; i < repeats; i++) {
		struct child_run r = child_measure(pass_reader, NULL);
		ours[i] = mb / r.fig[0];
		ours_cpu[i] = mb / r.cpu_s;
		rss[i] = r.peak_rss_mb;
		records = r.fig[1];
		r = child_measure(pass_cjson, NULL);
		theirs[i] = mb / r.fig[0];
		theirs_cpu[i] = mb / r.cpu_s;
		cjson_rss[i] = r.peak_rss_mb;
		io[i] = mb / child_measure(pass_getline, NULL).fig[0];
	}
	double our_median = bench_median(ours, repeats);
	double their_median = bench_median(theirs, repeats);
	printf("trace_mb %.0f (%.0f records, %.0f bytes per record)\n", mb, records,
	       bytes / (records + 1));
	printf("trace_read_mb_per_s %.1f (median of %u; min %.1f, max %.1f)\n", our_median,
	       repeats, ours[0], ours[repeats - 1]);
	printf("cjson_parse_mb_per_s %.1f (median of %u; min %.1f, max %.1f)\n", their_median,
	       repeats, theirs[0], theirs[repeats - 1]);
	printf("getline_mb_per_s %.1f (median of %u)\n", bench_median(io, repeats), repeats);
	printf("trace_read_vs_cjson %.0f%% (ratio of the medians; target >= 80%%)\n",
	       100 * our_median / their_median);
	double our_cpu = bench_median(ours_cpu, repeats);
	double their_cpu = bench_median(theirs_cpu, repeats);
	printf("trace_read_mb_per_cpu_s %.1f (median)\n", our_cpu);
	printf("cjson_parse_mb_per_cpu_s %.1f (median)\n", their_cpu);
	printf("trace_read_vs_cjson_cpu %.0f%%\n", 100 * our_cpu / their_cpu);
	printf("trace_read_peak_rss_mb %.1f (max of %u; target < 64)\n",
	       bench_max(rss, repeats), repeats);
	printf("cjson_parse_peak_rss_mb %.1f\n", bench_median(cjson_rss, repeats));
	return 0;
}
