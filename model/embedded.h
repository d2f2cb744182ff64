/*
 * embedded: data files compiled into the binary (scripts/embed.cmake generates the table),
 * so that `hypercap simulate` runs from any directory with no file at all: the default
 * scenario (data/scenarios/hyperagents-paper.json), the DGM preset (data/scenarios/
 * dgm-polyglot.json: `hypercap fit`'s base for DGM traces), the default price sheet, the
 * GPU and serving sheets (data/gpus/) and the model profiles (data/models/).
 */
#ifndef MODEL_EMBEDDED_H
#define MODEL_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* the file's base name, e.g. "hyperagents-paper.json" */
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file embedded_files[]; /* ends with a NULL name */

#define EMBEDDED_SCENARIO "hyperagents-paper.json"
#define EMBEDDED_DGM_SCENARIO "dgm-polyglot.json"
#define EMBEDDED_PRICES "api-2026-07-24.json"
#define EMBEDDED_GPUS "gpus-2026-11-21.json"
#define EMBEDDED_SERVING "serving-2026-11-21.json"
#define EMBEDDED_MODELS "models-2026-12-06.json"

/* Returns the embedded file of that base name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
