/*
 * The meter's server-sent event parser, fed the stream in pieces: the first byte of the input
 * sets the piece size (1 to 256), so splits fall everywhere. The same stream fed whole must
 * give the same result.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "import/usage_parse.h"

static void parse(const char *buf, size_t len, size_t piece, struct usage_parse_result *out)
{
	struct sse_parser p;
	sse_init(&p);
	for (size_t at = 0; at < len; at += piece)
		if (sse_feed(&p, buf + at, len - at < piece ? len - at : piece))
			abort();
	sse_finish(&p, out);
	sse_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usage_parse_result split, whole;
	if (!size)
		return 0;
	parse((const char *)data + 1, size - 1, (size_t)data[0] + 1, &split);
	parse((const char *)data + 1, size - 1, size, &whole);
	if (split.has_usage != whole.has_usage ||
	    memcmp(&split.usage, &whole.usage, sizeof(split.usage)))
		abort();
	return 0;
}
