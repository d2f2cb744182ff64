/*
 * --set assignments: up to 8 lines of the input, applied in order to the embedded default
 * scenario, which is then parsed as simulate parses it.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "model/scenario.h"

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	const char *sets[MAX_SETS];
	size_t n = 0;
	for (char *line = text; line && n < MAX_SETS; n++) {
		sets[n] = line;
		line = strchr(line, '\n');
		if (line)
			*line++ = '\0';
	}
	struct scenario sc;
	struct hc_err err = HC_ERR_INIT;
	if (!scenario_load(&sc, NULL, sets, n, &err))
		scenario_release(&sc);
	free(text);
	return 0;
}
