/*
 * interrupt: SIGINT and SIGTERM: a run interrupted leaves nothing half-written and exits 130 or 143
 * (128 + the signal, as a shell reports a process the signal killed).
 *
 * The handler only writes the signal's number into a pipe, which is all a handler may
 * safely do; a thread of its own reads it, removes the temporary results (reports/
 * results_dir: the pending directories and files) and exits. Removing a tree takes
 * opendir and malloc, which a handler must not call, and the thread waits for a commit in
 * progress, so a result is either whole in place or absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "reports/results_dir.h"

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(signal_pipe[1], &c, 1) < 0) {
		/* Nothing safer to do: the watcher cannot be told; the default action it is. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	errno = saved;
}

static void *watch(void *arg)
{
	unsigned char sig;
	ssize_t n;
	(void)arg;
	while ((n = read(signal_pipe[0], &sig, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return NULL;
	results_dir_remove_pending();
	fprintf(stderr, "hypercap: interrupted by %s; no results written\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	_exit(128 + sig);
}

/*
 * The watcher starts with SIGINT and SIGTERM blocked, so the signals only ever reach the
 * threads of the command: a command that waits for them itself (the meter blocks them and
 * takes them with sigtimedwait) gets them as if no watcher were there.
 */
static int start_watcher(void)
{
	pthread_t tid;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(&tid, NULL, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!rc)
		pthread_detach(tid);
	return rc;
}

int cli_interrupt_init(void)
{
	struct sigaction sa;
	if (pipe(signal_pipe))
		return -1;
	/* Children (gnuplot) must not hold the pipe. */
	fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
	if (start_watcher())
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	return 0;
}
