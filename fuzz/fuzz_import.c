/*
 * One importer of provider logs, named by IMPORT_KIND at compile time (fuzz/CMakeLists.txt
 * builds one target per kind): openai, anthropic, otel, litellm.
 */
#include <stdlib.h>
#include "fuzz/fuzz.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct import_kind *kind = import_kind_find(IMPORT_KIND);
	if (!kind)
		abort();
	const char *path = fuzz_file("log", data, size);
	struct trace_writer w;
	struct import_stats st = { 0 };
	struct hc_err err = HC_ERR_INIT;
	fuzz_trace_writer(&w);
	kind->run(path, &w, &st, &err);
	trace_writer_abort(&w);
	return 0;
}
