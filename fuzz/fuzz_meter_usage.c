/*
 * The meter's reading of a whole (non-streamed) answer body: every provider shape, and what
 * it says of its usage must keep the convention (cached and reasoning parts within their
 * totals) or say it has none.
 */
#include <stdlib.h>
#include "fuzz/fuzz.h"
#include "import/usage_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usage_result res;
	usage_from_body((const char *)data, size, &res);
	const struct usage *u = &res.usage;
	if (res.has_usage && (u->cache_read + u->cache_write > u->input || u->reasoning > u->output ||
			      u->input < 0 || u->output < 0))
		abort();
	return 0;
}
