/*
 * A price sheet, hypercap's own or LiteLLM's catalog (the loader tells them apart), then the
 * lookups and the conversion to hypercap's format that `prices import` does.
 */
#include <stdlib.h>
#include "fuzz/fuzz.h"
#include "model/prices.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct price_sheet ps = PRICE_SHEET_INIT, out = PRICE_SHEET_INIT;
	struct hc_err err = HC_ERR_INIT;
	char *text = fuzz_text(data, size);
	/* The name's date is what a LiteLLM catalog is dated by. */
	int rc = price_sheet_parse(&ps, text, size, "fuzz-2026-07-24.json", &err);
	free(text);
	if (rc)
		return 0;
	const struct price *p;
	price_sheet_lookup(&ps, "gpt-4o", &p, &err);
	char buf[256];
	price_sheet_suggest(&ps, "claude-sonnet", buf, sizeof(buf));
	free(price_sheet_to_json(&ps));
	if (ps.n_models) {
		const char *names[] = { ps.models[0].name };
		if (!price_sheet_extract(&out, &ps, NULL, names, 1, &err))
			price_sheet_release(&out);
	}
	price_sheet_release(&ps);
	return 0;
}
