/*
 * trace: hypercap's native trace format (docs/trace-format.md), read and written as a stream.
 *
 * A trace is JSON Lines: a header line {"hypercap_trace": 1, "source": ..., "created": ...,
 * and "loop": ... when the writer knows which self-improving loop made the records} and then
 * one record per line: llm_call, eval_task or archive_add. Token counts follow
 * ARCHITECTURE's convention (input includes cache reads and writes; output includes
 * reasoning) under the OpenTelemetry GenAI names. The reader holds one line at a time, so a
 * trace of any length is read in constant memory; the writer writes one record per line into
 * a temporary file that commit renames into place.
 *
 * Strings are copied into fixed buffers of the record; a longer value is a bad record, never
 * silently cut. Ownership: a record owns nothing on the heap, the caller allocates it.
 */
#ifndef TRACE_TRACE_H
#define TRACE_TRACE_H

#include <stddef.h>
#include <stdio.h>
#include "base/atomicfile.h"
#include "base/hc_err.h"
#include <sys/types.h>
#include "base/hc_err.h"
#include "base/lines.h"
#include "model/usage.h"

struct cJSON;

#define TRACE_VERSION 1
/* The usage key of the 1-hour cache writes (part of the cache writes): no OpenTelemetry name */
#define TRACE_USAGE_CACHE_1H "hypercap.usage.cache_creation_1h.input_tokens"
#define TRACE_STR_MAX 128 /* bytes of a string field, NUL included */
#define TRACE_LINE_MAX LINES_MAX /* bytes of a line (a record): a longer one is a bad record */

enum trace_kind { TRACE_LLM_CALL, TRACE_EVAL_TASK, TRACE_ARCHIVE_ADD, TRACE_KIND_COUNT };

/* "llm_call", "eval_task", "archive_add" */
const char *trace_kind_name(enum trace_kind k);

/*
 * One LLM call. Unknown values: "" for strings, NAN for times, -1 for iteration and retries;
 * has_usage is 0 when the source did not report the call's usage (it is then never priced).
 */
struct trace_llm_call {
	char id[TRACE_STR_MAX];
	double start_time, end_time; /* Unix seconds */
	char run[TRACE_STR_MAX];
	long iteration;
	char node[TRACE_STR_MAX], parent[TRACE_STR_MAX];
	char role[TRACE_STR_MAX], domain[TRACE_STR_MAX], task[TRACE_STR_MAX];
	char provider[TRACE_STR_MAX], model[TRACE_STR_MAX], status[TRACE_STR_MAX];
	long retries;
	int has_usage;
	struct usage usage; /* calls = 1 */
	int estimated; /* the counts were estimated, not reported */
	char estimate_method[TRACE_STR_MAX];
	int batch; /* sent through the provider's batch API: priced at batch rates */
	char service_tier[TRACE_STR_MAX]; /* the provider's: "flex", "priority", "default"... */
};

/*
 * One evaluation task of a node. result is "pass", "fail", "error" or "unknown". start_time
 * and end_time bound the time the task held its evaluation slot (agent and test run), NAN
 * when unknown.
 */
struct trace_eval_task {
	char node[TRACE_STR_MAX], domain[TRACE_STR_MAX], task[TRACE_STR_MAX];
	char result[TRACE_STR_MAX];
	double start_time, end_time; /* Unix seconds */
	double sandbox_seconds; /* NAN when unknown */
	long long artifact_bytes; /* -1 when unknown */
};

/* A node joining the archive. Unknown: parent "", iteration -1, score NAN, bytes -1. */
struct trace_archive_add {
	char node[TRACE_STR_MAX], parent[TRACE_STR_MAX];
	long iteration;
	double score;
	long long patch_bytes, artifact_bytes;
};

struct trace_record {
	enum trace_kind kind;
	union {
		struct trace_llm_call call;
		struct trace_eval_task task;
		struct trace_archive_add add;
	} u;
};

/* Sets rec to kind with every field unknown. */
void trace_record_init(struct trace_record *rec, enum trace_kind kind);

/*
 * Copies src into a TRACE_STR_MAX field dst; HC_EINPUT naming what (e.g. "model") when src
 * is longer. NULL src leaves dst "".
 */
int trace_set_str(char *dst, const char *src, const char *what, struct hc_err *err);

/* The values of the header's "loop": the self-improving loop whose run the records are. */
#define TRACE_LOOP_DGM "dgm"   /* the Darwin Goedel Machine */
#define TRACE_LOOP_DGMH "dgm-h" /* DGM-H, the HyperAgents loop */

struct trace_header {
	int version;
	char source[512];
	char created[64];
	char loop[TRACE_STR_MAX]; /* "" when the header does not say */
};

/*
 * Where a reader stopped: after the last whole line it read (newline included), in the file
 * it read; trace_reader_resume reads on from there.
 */
struct trace_mark {
	long long offset; /* bytes; 0: nothing read yet */
	long line;        /* lines up to offset */
	dev_t dev;        /* the file read */
	ino_t ino;
};

/*
 * The reader. Only path, line, done and the counters are meant to be read by callers; the
 * counters are the warnings a caller may show (the reader prints nothing).
 */
struct trace_reader {
	FILE *f;
	char path[4096];
	struct lines lines; /* lines of at most TRACE_LINE_MAX bytes */
	long line; /* number of the line last read */
	int skip_bad;
	struct trace_header header;
	size_t n_records[TRACE_KIND_COUNT];
	size_t n_skipped; /* bad records skipped (skip_bad) */
	char first_skipped[1024]; /* the message of the first one */
	long truncated_line; /* a truncated last line that was ignored, or 0 */
	struct trace_mark done; /* the end of the whole lines read so far */
	int whole_lines;     /* resumed: a last line without its newline is left unread */
};

/*
 * Opens path and reads its header line. With skip_bad, a bad record (a line longer than
 * TRACE_LINE_MAX included: it is read past, never held) is counted and skipped instead of
 * failing (a bad header always fails). HC_EINPUT for a missing file, a missing or
 * malformed header or a newer format version.
 */
int trace_reader_open(struct trace_reader *r, const char *path, int skip_bad,
		      struct hc_err *err);

/*
 * Reads the next record into rec: 1 when there is one, 0 at the end, negative on an error,
 * with err saying "PATH:LINE: FIELD: got ...; allowed: ...". A key given twice in the
 * record or its usage, or a string holding \u0000, is a bad record. A last line with no
 * newline that does not parse is taken as a truncated write: it is ignored and recorded in
 * truncated_line.
 */
int trace_reader_next(struct trace_reader *r, struct trace_record *rec, struct hc_err *err);

/*
 * Opens path, as trace_reader_open does, to read the lines appended since a reader stopped at
 * *from (a zeroed mark: from the start), for a trace another process appends to (the meter's).
 * Only whole lines are read: a last line without its newline is being written, and
 * trace_reader_next leaves it (returns 0) for a later reader, where trace_reader_open's
 * would parse it. When path is no longer the file *from was taken in, or is shorter than
 * its offset, it is read from its start and *restarted set to 1 (else 0).
 */
int trace_reader_resume(struct trace_reader *r, const char *path, const struct trace_mark *from,
			int skip_bad, int *restarted, struct hc_err *err);

void trace_reader_close(struct trace_reader *r);

/*
 * Parses one record from a line of text (no header); origin and line name it in messages.
 * Unknown keys are ignored, so that files of this version with extra fields still read.
 */
int trace_record_parse(struct trace_record *rec, const char *text, size_t len,
		       const char *origin, long line, struct hc_err *err);

/*
 * The writer: a temporary file beside path until commit. The header is written with the
 * first record (or at commit), so that an importer may name the loop once it knows it.
 */
struct trace_writer {
	struct atomicfile file; /* file.tmp is the temporary being written */
	size_t n_records[TRACE_KIND_COUNT];
	struct trace_header header; /* what the header line will hold */
	int header_written;
};

/* Creates the temporary file. created is an ISO 8601 time. */
int trace_writer_open(struct trace_writer *w, const char *path, const char *source,
		      const char *created, struct hc_err *err);

/*
 * Sets the header's "loop" (TRACE_LOOP_DGM...). HC_ERUNTIME once a record was written (the
 * header with it); HC_EINPUT when loop is longer than a string field allows.
 */
int trace_writer_set_loop(struct trace_writer *w, const char *loop, struct hc_err *err);

/* Writes rec as one line. Fails with HC_EINPUT when rec breaks the format's rules. */
int trace_writer_put(struct trace_writer *w, const struct trace_record *rec,
		     struct hc_err *err);

/* Flushes, closes and renames the file into place. */
int trace_writer_commit(struct trace_writer *w, struct hc_err *err);

/* Closes and removes the temporary file; safe after commit and twice. */
void trace_writer_abort(struct trace_writer *w);

/*
 * The appender: records added at the end of a trace as they happen, for a recorder that may
 * be killed at any moment (the meter). Each record is one line handed to the kernel in one
 * write(2) on a file opened with O_APPEND, so a killed process leaves every record it wrote
 * whole; trace_appender_sync makes them durable (fdatasync). A write that fails or falls short
 * (a full disk, a file size limit) is cut back to the last whole line (ftruncate) and its
 * records wait, in order, to be written again by the next put or sync; at most
 * TRACE_PENDING_MAX bytes wait, a record beyond that is lost. Before each write the file at
 * path must still be the one open: a trace deleted, renamed away or replaced is opened again
 * (a new trace with a header when missing) and counted in reopened. Not thread-safe: callers
 * serialise put and sync.
 */
#define TRACE_PENDING_MAX (64u << 20)

struct trace_appender {
	int fd;
	char path[4096];
	struct trace_header header; /* the header of a new trace */
	size_t n_records;    /* written through this appender */
	long long dropped;   /* bytes of an interrupted last line removed on open */
	int newline_added;   /* the last record lacked only its newline: added on open */
	int dirty;           /* written since the last sync */
	off_t good;          /* the file's size up to its last whole line */
	dev_t dev;           /* the file open, to notice it deleted or replaced */
	ino_t ino;
	char *pending;       /* lines that wait to be written */
	size_t pending_len, pending_cap, n_pending;
	size_t lost;         /* records given up: over TRACE_PENDING_MAX, or unwritten at close */
	size_t reopened;     /* times path was found deleted or replaced and opened again */
};

/*
 * Opens path for appending. A missing or empty file gets the header (h's source, created and
 * loop when not ""; its version is ignored); an existing one must be a trace of this version (HC_EINPUT otherwise, nothing written). A last
 * line without its newline is cut off when it is a write cut by a crash (its size in dropped),
 * and kept, with the newline added, when it parses as a whole record (newline_added).
 */
int trace_appender_open(struct trace_appender *a, const char *path,
			const struct trace_header *h, struct hc_err *err);

/*
 * Queues rec as one line, after the keys of extra (a JSON object or NULL: keys the format
 * ignores, such as recorded bodies), which put deletes, and writes what waits. HC_EINPUT when
 * rec breaks the rules (nothing queued); HC_ERUNTIME when the write failed (rec waits, see
 * n_pending) or too much waits already (rec is lost, counted in lost).
 */
int trace_appender_put(struct trace_appender *a, const struct trace_record *rec,
		       struct cJSON *extra, struct hc_err *err);

/* Writes what waits, then fdatasync when something was written since the last sync. */
int trace_appender_sync(struct trace_appender *a, struct hc_err *err);

/*
 * Syncs and closes; safe twice. HC_ERUNTIME when records could not be written: they are added
 * to lost, and the message says how many.
 */
int trace_appender_close(struct trace_appender *a, struct hc_err *err);

/* The record as a JSON object (caller deletes), or NULL when out of memory. */
struct cJSON *trace_record_to_json(const struct trace_record *rec);

#endif
