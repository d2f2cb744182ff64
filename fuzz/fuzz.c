#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/fuzz.h"
#include "reports/results_dir.h"

static char scratch[64];

static void remove_scratch(void)
{
	results_dir_remove_tree(scratch);
}

/* /dev/shm when there is one: the targets write a file per input, memory is faster. */
static const char *scratch_dir(void)
{
	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof(scratch), "%s/hypercap-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		perror(path);
		abort();
	}
	return path;
}

void fuzz_trace_writer(struct trace_writer *w)
{
	char path[128];
	struct hc_err err = HC_ERR_INIT;
	snprintf(path, sizeof(path), "%s/out.jsonl", scratch_dir());
	if (trace_writer_open(w, path, "fuzz", "2026-01-01T00:00:00Z", &err)) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
}
