/*
 * The meter's reading of a whole (non-streamed) answer body: every provider shape, whole and
 * through body_scan's skeleton in two pieces, and what it says of its usage must keep the
 * convention (cached and reasoning parts within their totals) or say it has none.
 */
#include <stdlib.h>
#include "fuzz/fuzz.h"
#include "import/usage_parse.h"

static void check_convention(const struct usage_parse_result *res)
{
	const struct usage *u = &res->usage;
	if (res->has_usage && (u->cache_read + u->cache_write > u->input ||
			       u->reasoning > u->output || u->input < 0 || u->output < 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usage_parse_result res;
	usage_parse_body((const char *)data, size, &res);
	check_convention(&res);
	/* the meter's way: the body in two pieces (the first byte sets where), as a skeleton */
	struct body_scan s;
	size_t cut = size ? data[0] % (size + 1) : 0;
	body_scan_init(&s);
	if (body_scan_feed(&s, (const char *)data, cut) ||
	    body_scan_feed(&s, (const char *)data + cut, size - cut))
		abort();
	if (!s.given_up && s.len > BODY_SKELETON_MAX)
		abort();
	body_scan_finish(&s, &res);
	body_scan_release(&s);
	check_convention(&res);
	return 0;
}
