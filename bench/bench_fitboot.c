/*
 * bench_fitboot: `hypercap fit --bootstrap`'s resamples (fit/fitboot.h) on a long trace.
 *
 * The trace: DGM's logs (DGM_DIR, data/dgm-polyglot-initial: 315 records) imported, then
 * COPIES copies of its records (default 50: 15,750 records), copy k's nodes, parents, runs and
 * call ids suffixed "~k", so that every copy is nodes of its own; written to
 * /tmp/hypercap-bench-fitboot-<pid>.jsonl and deleted at the end, also on Ctrl-C.
 *
 * Each pass runs in a child (bench_child.h) as `hypercap fit TRACE --bootstrap RESAMPLES
 * --seed 1` fits: the trace read and fitted once (fit_trace, fit_build on DGM's preset), then
 * fitboot_run with RESAMPLES resamples (default 200). The median of BENCH_REPEATS (3) passes:
 *
 * - fitboot_full_fit_s: the fit without resamples;
 * - fitboot_s, fitboot_cpu_s: the resamples, wall and CPU seconds (child's user + system,
 *   the full fit included);
 * - fitboot_ms_per_resample: fitboot_s / RESAMPLES;
 * - fitboot_peak_rss_mb: the child's peak memory.
 *
 * usage: bench_fitboot DGM_DIR [COPIES [RESAMPLES]]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_child.h"
#include "fit/fitbase.h"
#include "fit/fitboot.h"
#include "import/import.h"
#include "trace/trace.h"

#define MAX_RECORDS 4096

static char trace_path[64], dgm_path[80];
static unsigned resamples = 200;

static void remove_files(void)
{
	unlink(trace_path);
	unlink(dgm_path);
}

static void on_signal(int sig)
{
	remove_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void suffix(char *s, unsigned k)
{
	size_t n = strlen(s);
	if (*s && n + 8 < TRACE_STR_MAX)
		snprintf(s + n, TRACE_STR_MAX - n, "~%u", k);
}

/* Copy k of a record: its nodes, parent, run and id made copy k's own. */
static void make_copy(struct trace_record *rec, unsigned k)
{
	if (rec->kind == TRACE_LLM_CALL) {
		suffix(rec->u.call.id, k);
		suffix(rec->u.call.run, k);
		suffix(rec->u.call.node, k);
		suffix(rec->u.call.parent, k);
	} else if (rec->kind == TRACE_EVAL_TASK) {
		suffix(rec->u.task.node, k);
	} else {
		suffix(rec->u.add.node, k);
		suffix(rec->u.add.parent, k);
	}
}

/* DGM's logs imported into dgm_path, and read back into recs (*n of them). */
static int read_dgm(const char *dir, struct trace_record *recs, size_t *n, struct hc_err *err)
{
	struct trace_writer w;
	struct trace_reader r;
	struct import_stats st;
	memset(&st, 0, sizeof(st));
	if (trace_writer_open(&w, dgm_path, "bench_fitboot", "2026-12-07T00:00:00Z", err))
		return 1;
	if (import_dgm(dir, &w, &st, err) || trace_writer_commit(&w, err)) {
		trace_writer_abort(&w);
		return 1;
	}
	if (trace_reader_open(&r, dgm_path, 0, err))
		return 1;
	int rc;
	*n = 0;
	while (*n < MAX_RECORDS && (rc = trace_reader_next(&r, &recs[*n], err)) == 1)
		++*n;
	trace_reader_close(&r);
	return rc < 0;
}

/* The long trace: copies copies of DGM's records. Returns the records written, 0 on error. */
static size_t write_trace(const char *dir, unsigned copies)
{
	static struct trace_record recs[MAX_RECORDS];
	struct hc_err err = HC_ERR_INIT;
	struct trace_writer w;
	struct trace_record rec;
	size_t n, written = 0;
	if (read_dgm(dir, recs, &n, &err) ||
	    trace_writer_open(&w, trace_path, "bench_fitboot", "2026-12-07T00:00:00Z", &err) ||
	    trace_writer_set_loop(&w, TRACE_LOOP_DGM, &err))
		goto fail;
	for (unsigned k = 0; k < copies && !err.code; k++)
		for (size_t i = 0; i < n && !err.code; i++, written++) {
			rec = recs[i];
			make_copy(&rec, k);
			trace_writer_put(&w, &rec, &err);
		}
	if (!err.code && !trace_writer_commit(&w, &err))
		return written;
	trace_writer_abort(&w);
fail:
	fprintf(stderr, "bench_fitboot: %s\n", err.msg);
	return 0;
}

/* fig: full fit seconds, bootstrap seconds */
static int pass(void *ctx, double *fig)
{
	(void)ctx;
	struct hc_err err = HC_ERR_INIT;
	struct scenario base;
	struct trace_reader r;
	struct fit f;
	struct fit_result res;
	struct fitboot boot = FITBOOT_INIT;
	enum fitbase_why why;
	const struct fitboot_input in = { trace_path, 0, &base, "bench", NULL, 0 };
	memset(&res, 0, sizeof(res));
	fit_init(&f);
	double t0 = bench_now_s();
	int rc = trace_reader_open(&r, trace_path, 0, &err);
	if (!rc && !(rc = fitbase_load(&base, NULL, r.header.loop, &why, &err))) {
		rc = fit_trace(&f, &r, &err);
		if (!rc)
			rc = fit_build(&f, &base, "bench", trace_path, &res, &err);
		fig[0] = bench_now_s() - t0;
		t0 = bench_now_s();
		if (!rc)
			rc = fitboot_run(&boot, &in, &res.summary, &res.sc, resamples, 1, &err);
		fig[1] = bench_now_s() - t0;
		scenario_release(&base);
	}
	trace_reader_close(&r);
	fitboot_release(&boot);
	fit_result_release(&res);
	fit_release(&f);
	if (rc)
		fprintf(stderr, "bench_fitboot: %s\n", err.msg);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_fitboot DGM_DIR [COPIES [RESAMPLES]]\n");
		return 2;
	}
	unsigned copies = argc > 2 ? (unsigned)atoi(argv[2]) : 50;
	if (argc > 3)
		resamples = (unsigned)atoi(argv[3]);
	if (!copies || !resamples || resamples > FITBOOT_MAX) {
		fprintf(stderr, "bench_fitboot: COPIES and RESAMPLES (1 .. %d) must be positive\n",
			FITBOOT_MAX);
		return 2;
	}
	snprintf(trace_path, sizeof(trace_path), "/tmp/hypercap-bench-fitboot-%d.jsonl",
		 (int)getpid());
	snprintf(dgm_path, sizeof(dgm_path), "%s.dgm", trace_path);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	size_t records = write_trace(argv[1], copies);
	if (!records) {
		remove_files();
		return 1;
	}
	unsigned repeats = bench_repeats(3);
	double full[99] = { 0 }, boot[99] = { 0 }, cpu[99] = { 0 }, rss[99] = { 0 };
	for (unsigned i = 0; i < repeats; i++) {
		struct child_run c = child_measure(pass, NULL);
		full[i] = c.fig[0];
		boot[i] = c.fig[1];
		cpu[i] = c.cpu_s;
		rss[i] = c.peak_rss_mb;
	}
	remove_files();
	double median = bench_median(boot, repeats);
	printf("fitboot_records %zu (%u copies of DGM's logs)\n", records, copies);
	printf("fitboot_full_fit_s %.3f (median of %u)\n", bench_median(full, repeats), repeats);
	printf("fitboot_s %.2f (%u resamples; median of %u, min %.2f, max %.2f)\n", median,
	       resamples, repeats, boot[0], boot[repeats - 1]);
	printf("fitboot_ms_per_resample %.1f\n", 1000 * median / resamples);
	printf("fitboot_cpu_s %.2f (median, the full fit included)\n", bench_median(cpu, repeats));
	printf("fitboot_peak_rss_mb %.1f (median)\n", bench_median(rss, repeats));
	return 0;
}
