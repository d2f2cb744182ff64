/*
 * bench_child: what the benchmarks that report peak memory share. Each measured run happens
 * in a child process, so its peak resident set size (getrusage of the child, ru_maxrss) is
 * that run's alone, not the largest of everything the benchmark did before (the child reads
 * its own, RUSAGE_SELF, as it ends); the child sends its figures back through a pipe.
 * Medians over repeats, because the machine is shared.
 */
#ifndef BENCH_BENCH_CHILD_H
#define BENCH_BENCH_CHILD_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_MAX_FIGURES 8

/*
 * What a child measured: fig[] as its function filled it, its peak memory and the CPU
 * seconds it used (user + system, all its threads): on a machine other work also keeps
 * busy, CPU seconds vary less than wall time.
 */
struct child_run {
	double fig[CHILD_MAX_FIGURES];
	double peak_rss_mb, cpu_s;
};

/* Fills fig[]; returns 0, or non-zero after printing why to stderr. */
typedef int (*child_fn)(void *ctx, double *fig);

static inline double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs fn in a child process; exits the benchmark when the child fails. */
static inline struct child_run child_measure(child_fn fn, void *ctx)
{
	struct child_run out = { { 0 }, 0, 0 };
	struct rusage ru;
	int fd[2], status;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) || (pid = fork()) < 0) {
		perror("bench: fork");
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		int rc = fn(ctx, out.fig);
		getrusage(RUSAGE_SELF, &ru);
		out.peak_rss_mb = ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
		out.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
			    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
		if (!rc && write(fd[1], &out, sizeof(out)) != (ssize_t)sizeof(out))
			rc = 1;
		_exit(rc ? 1 : 0);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], &out, sizeof(out));
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    n != (ssize_t)sizeof(out)) {
		fprintf(stderr, "bench: a measured run failed\n");
		exit(1);
	}
	return out;
}

static inline int bench_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* The median of x[0..n) (sorts x). */
static inline double bench_median(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), bench_cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* BENCH_REPEATS from the environment when set (1 to 99), else fallback. */
static inline unsigned bench_repeats(unsigned fallback)
{
	const char *s = getenv("BENCH_REPEATS");
	int n = s ? atoi(s) : 0;
	return n >= 1 && n <= 99 ? (unsigned)n : fallback;
}

#endif
