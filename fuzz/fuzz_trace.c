/*
 * A trace read as replay and fit read it: header, records, a truncated last line; once
 * stopping at the first bad record and once skipping bad records (--skip-bad).
 */
#include "fuzz/fuzz.h"
#include <cjson/cJSON.h>
#include "trace/trace.h"

static void read_all(const char *path, int skip_bad)
{
	struct trace_reader r;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	if (trace_reader_open(&r, path, skip_bad, &err))
		return;
	while (trace_reader_next(&r, &rec, &err) > 0)
		cJSON_Delete(trace_record_to_json(&rec));
	trace_reader_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("trace.jsonl", data, size);
	read_all(path, 0);
	read_all(path, 1);
	return 0;
}
