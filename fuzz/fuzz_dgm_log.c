/*
 * An agent log of DGM or DGM-H (import/dgm_logs.h): printed Response(...) objects, Claude
 * message histories and, read as DGM-H's, Input / Output / Tool output lines.
 */
#include "fuzz/fuzz.h"
#include "import/dgm_logs.h"

static void import_log(const char *path, int chat_lines)
{
	struct trace_writer w;
	struct dgm_log log;
	struct hc_err err = HC_ERR_INIT;
	fuzz_trace_writer(&w);
	dgm_log_init(&log, &w);
	log.chat_lines = chat_lines;
	/* With a model, the calls read from text are priced: their estimates are written. */
	trace_set_str(log.tmpl.model, "o3-mini", "model", &err);
	dgm_log_import(&log, path, &err);
	trace_writer_abort(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("agent.md", data, size);
	import_log(path, 0);
	import_log(path, 1);
	return 0;
}
