/*
 * meter: a recording HTTP proxy in front of an LLM provider (docs/metering.md).
 *
 * Every request is forwarded to the upstream as it came (method, path, query, headers, body),
 * minus hypercap's tags and hop-by-hop headers; the answer goes back as it arrives, server-sent
 * event streams chunk by chunk. Each POST becomes one llm_call record of the trace, appended
 * in one write as the call completes, with the usage read from the answer (usage_parse.h), the
 * tags, the retries before it (the SDKs' header x-stainless-retry-count), and the outcome: the
 * provider's, "usage_unknown" (answered, no readable usage) or "upstream_error" (no answer, a
 * broken one, or an HTTP error status). Spend is priced live; past the budget new requests
 * get HTTP 429 without reaching the upstream. Free requests (every other method, and POSTs to
 * a path ending in /count_tokens or /input_tokens) are forwarded, never recorded and never
 * refused by the budget. A background response (Responses' "background": true, answered
 * without usage) is recorded when a GET .../responses/{id} answers with its usage, and
 * counted at its worst case until then.
 *
 * Threads: libmicrohttpd runs a thread per client connection, which also drives that
 * request's libcurl transfer, so a slow reader slows its own upstream read and nothing is
 * buffered whole. Upstream connections are kept alive in a pool of curl handles. API keys
 * (Authorization, x-api-key, api-key, x-goog-api-key) are forwarded and never written
 * anywhere; recorded bodies have every credential header's values redacted. Only a request
 * target that is an absolute path is forwarded, and only its path and query are set on the
 * upstream's URL (HTTP 400 otherwise); Proxy-Authorization is not forwarded.
 */
#ifndef METER_METER_H
#define METER_METER_H

#include <stddef.h>
#include "base/hc_err.h"
#include "meter/projector.h"
#include "model/prices.h"
#include "model/scenario.h"
#include "model/usage.h"

struct meter_config {
	const char *upstream;    /* http:// or https:// base URL; the request path is appended */
	const char *upstream_anthropic; /* for requests with anthropic-version; NULL: upstream */
	const char *listen_addr; /* an IPv4 address */
	unsigned port;           /* 0: any free port (meter_port says which) */
	const char *trace_path;  /* appended to; created with a header when absent */
	const char *source;      /* the header's "source" of a new trace */
	const char *created;     /* the header's "created" of a new trace */
	const char *loop;        /* the header's "loop" of a new trace (TRACE_LOOP_*); NULL: none */
	const struct price_sheet *prices; /* live pricing; the caller keeps it alive */
	double budget_usd;       /* <= 0 or NAN: no budget */
	long connect_timeout_ms, timeout_ms; /* upstream; 0: libcurl's default (none) */
	int record_bodies;       /* add request and response bodies (keys redacted) */
	unsigned max_connections; /* served at once; 0: 256. Lowered to fit the open files */
	unsigned idle_timeout_s; /* a connection without a request in flight; 0: 30 s */
	long drain_ms; /* meter_stop lets calls in flight end this long, then cuts them; 0: at once */
	/* the live forecast (meter/projector.h): the base scenario, whose iterations are the
	 * run's last; NULL: none. The caller keeps it alive */
	const struct scenario *forecast;
	const char *forecast_base_why; /* why that base, for the status: "--loop dgm" */
	unsigned forecast_runs;  /* replications per projection; 0: PROJECT_RUNS */
	int guard_projected;     /* refuse new iterations once the projected P90 passes budget */
};

/* The tags a request may carry, in path-prefix and X-Hypercap-<Name> header form. */
extern const char *const meter_tag_names[]; /* NULL-terminated */

#define METER_TALLY_MAX 32 /* (role, model) pairs and endpoints kept for the live page */

/* Spend of one (role, model) pair; "" for an untagged role. */
struct meter_spend {
	char role[TRACE_STR_MAX], model[TRACE_STR_MAX];
	size_t calls;
	double usd;
};

/* The time one (path, model) took to answer: from the request's arrival to its end. */
struct meter_endpoint {
	char path[96], model[TRACE_STR_MAX];
	size_t calls;
	double seconds, max_seconds; /* summed; the longest */
};

struct meter_stats {
	size_t calls;          /* recorded llm_calls */
	size_t usage_unknown, upstream_errors, unpriced;
	size_t rejected;       /* requests refused: budget spent */
	size_t rejected_projected; /* refused by the projected guard: an iteration past the last */
	struct meter_spend spend[METER_TALLY_MAX]; /* the first pairs seen; later ones not kept */
	size_t n_spend;
	struct meter_endpoint endpoints[METER_TALLY_MAX];
	size_t n_endpoints;
	int forecasting;       /* cfg.forecast was given: forecast holds the projector's view */
	struct projector_view forecast;
	char forecast_base[300];     /* the base scenario's origin */
	char forecast_base_why[160]; /* why that one */
	size_t in_flight;
	struct usage tokens;   /* sum over the calls with usage */
	double cost_usd;       /* priced calls only */
	double estimated_usd;  /* usage_unknown calls at their worst case; the budget counts it */
	double budget_usd;     /* NAN when none */
	int budget_spent;
	double uptime_s;
	size_t write_errors;   /* failed attempts to write records (see last_error) */
	size_t records_pending; /* records that wait to be written again (a full disk) */
	size_t records_lost;   /* records given up; after meter_stop, every one not written */
	size_t trace_reopened; /* times the trace was found deleted or replaced, and reopened */
	char last_error[256];
	char unpriced_model[128]; /* the last model the sheet could not price */
};

struct meter;

/*
 * Starts the server. HC_EUSAGE for a bad upstream URL or address, HC_EINPUT for a trace file
 * that is not a trace, HC_ERUNTIME when the port cannot be bound. *out is owned by the caller,
 * released by meter_stop.
 */
int meter_start(struct meter **out, const struct meter_config *cfg, struct hc_err *err);

/* The port it listens on. */
unsigned meter_port(const struct meter *m);

/*
 * The connections it serves at once: cfg.max_connections, or fewer when the open-file limit
 * (raised to its hard limit at start, 6 descriptors a connection) holds no more.
 */
unsigned meter_max_connections(const struct meter *m);

/* Bytes of an interrupted last line removed from the trace when it was opened. */
long long meter_dropped_bytes(const struct meter *m);

void meter_get_stats(struct meter *m, struct meter_stats *st);

/* Makes the records written so far durable (group commit); called about every 250 ms. */
int meter_sync(struct meter *m, struct hc_err *err);

/*
 * Stops serving (in-flight requests are cut and recorded), syncs and closes the trace, fills
 * *final (may be NULL) with the last totals and frees m. HC_ERUNTIME when records could not
 * be written (final->records_lost says how many).
 */
int meter_stop(struct meter *m, struct meter_stats *final, struct hc_err *err);

/* The live page GET /_hypercap/ serves: self-contained, it polls the status. */
extern const char meter_live_page[];

/* The stats as the JSON of GET /_hypercap/status (caller frees), or NULL out of memory. */
char *meter_stats_json(const struct meter_stats *st);

#endif
