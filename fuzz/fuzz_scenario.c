/* A scenario file: JSON syntax (jsonfile), then every field table (scenario), then the dump. */
#include <stdlib.h>
#include "base/jsonfile.h"
#include "fuzz/fuzz.h"
#include "model/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = HC_ERR_INIT;
	char *text = fuzz_text(data, size);
	cJSON *root = jsonfile_parse(text, size, "fuzz.json", &err);
	free(text);
	if (!root)
		return 0;
	struct scenario sc;
	if (!scenario_from_json(&sc, root, "fuzz.json", &err)) {
		cJSON_Delete(scenario_to_json(&sc));
		scenario_release(&sc);
	}
	cJSON_Delete(root);
	return 0;
}
