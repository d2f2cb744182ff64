/*
 * import: converting recorded runs and provider logs into hypercap traces (trace.h).
 *
 * One importer per kind of source (import_<kind>.c), all with one signature: read source,
 * put records into an open trace writer, and count in *stats what was left out and why.
 * Each converts its provider's token convention into ARCHITECTURE's (input includes cache
 * reads and writes; output includes reasoning). What each reads and maps is documented in
 * docs/replay.md. Errors name the file and line (or JSON path) of the bad value.
 */
#ifndef IMPORT_IMPORT_H
#define IMPORT_IMPORT_H

#include <stddef.h>
#include "trace/trace.h"

struct cJSON;

struct import_stats {
	size_t skipped;       /* entries of the source that are not LLM calls */
	char skipped_what[64]; /* what they were, e.g. "spans without gen_ai usage" */
	size_t noted;         /* entries read but worth a warning, e.g. by deprecated names */
	char noted_what[96];  /* what they were */
};

typedef int (*import_fn)(const char *source, struct trace_writer *w, struct import_stats *st,
			 struct hc_err *err);

struct import_kind {
	const char *name;
	const char *summary;
	import_fn run;
};

/* The kinds, in the order --help lists them; n_kinds set to their number. */
const struct import_kind *import_kinds(size_t *n_kinds);

/* The kind called name, or NULL. */
const struct import_kind *import_kind_find(const char *name);

int import_dgm(const char *dir, struct trace_writer *w, struct import_stats *st,
	       struct hc_err *err);
int import_openai(const char *path, struct trace_writer *w, struct import_stats *st,
		  struct hc_err *err);
int import_anthropic(const char *path, struct trace_writer *w, struct import_stats *st,
		     struct hc_err *err);
int import_otel(const char *path, struct trace_writer *w, struct import_stats *st,
		struct hc_err *err);
int import_litellm(const char *path, struct trace_writer *w, struct import_stats *st,
		   struct hc_err *err);

/*
 * Shared by the importers. import_time_parse reads "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM]"
 * (no zone: UTC) into Unix seconds; 0 or HC_EINPUT. A date the calendar does not have
 * (2026-02-29, 2025-04-31), an hour above 23 or a zone above 23:59 is HC_EINPUT.
 */
int import_time_parse(const char *text, double *out);

/*
 * Fills the call's run, iteration, node, parent, role, domain and task from a metadata object
 * of string values (what OpenAI's `metadata` and hypercap's meter attach), when present.
 */
int import_call_metadata(struct trace_llm_call *c, const struct cJSON *meta, struct hc_err *err);

/*
 * The whole number at obj.key into *out, for usage counts: 0 when the key is absent or null
 * (leaving *out alone), HC_EINPUT naming what.key when it is not a whole number >= 0.
 */
int import_count(const struct cJSON *obj, const char *what, const char *key, int64_t *out,
		 struct hc_err *err);

/*
 * JSON Lines helper for the importers of provider logs: calls fn on every non-blank line's
 * object with its line number. A line that is not a JSON object, is longer than LINES_MAX
 * (lines.h), is not UTF-8, holds \u0000 in a string or gives a key twice in any object fails
 * with PATH:LINE.
 */
typedef int (*import_line_fn)(const struct cJSON *obj, const char *path, long line,
			      struct trace_writer *w, struct import_stats *st, struct hc_err *err);
int import_json_lines(const char *path, import_line_fn fn, struct trace_writer *w,
		      struct import_stats *st, struct hc_err *err);

#endif
