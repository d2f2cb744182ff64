/* The GPU sheet and the serving sheet (data/gpus/): the same bytes are offered to both. */
#include "fuzz/fuzz.h"
#include "model/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("sheet.json", data, size);
	struct hc_err err = HC_ERR_INIT;
	struct gpu_sheet gs;
	struct serving_sheet ss;
	if (!gpu_sheet_load(&gs, path, &err))
		gpu_sheet_release(&gs);
	if (!serving_sheet_load(&ss, path, &err))
		serving_sheet_release(&ss);
	return 0;
}
