/* progress: the progress line on stderr while replications run. Contracts in progress.h. */
#include <stdio.h>
#include <unistd.h>
#include "base/clock.h"
#include "cli/progress.h"
#include "reports/progress.h"

#define PROGRESS_INTERVAL_S 0.25

static void draw(struct cli_progress *p, double now)
{
	char label[96], line[256];
	if (p->per_point)
		snprintf(label, sizeof(label), "%s: point %u,", p->label, p->points);
	else
		snprintf(label, sizeof(label), "%s:", p->label);
	progress_format(line, sizeof(line), label, p->finished + p->current, p->total,
			now - p->t0);
	/* \r back to the start of the line, \033[K erases what a longer line left there */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->drawn = 1;
	p->last_draw = now;
}

/* Called by the runner after each replication, never concurrently. */
static void on_replication(unsigned done, unsigned runs, void *ctx)
{
	struct cli_progress *p = ctx;
	if (done == 1)
		p->points++;
	p->current = done;
	if (done == runs) {
		p->finished += runs;
		p->current = 0;
	}
	double now = clock_monotonic_s();
	if (now - p->last_draw >= PROGRESS_INTERVAL_S)
		draw(p, now);
}

void cli_progress_init(struct cli_progress *p, const char *label, unsigned long total,
		       int quiet)
{
	*p = (struct cli_progress){ .label = label, .total = total, .per_point = total == 0 };
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->t0 = p->last_draw = clock_monotonic_s();
	p->hook = (struct replicate_progress){ on_replication, p };
}

const struct replicate_progress *cli_progress_hook(struct cli_progress *p)
{
	return p->enabled ? &p->hook : NULL;
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
}
