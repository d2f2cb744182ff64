/*
 * meter: see meter.h and docs/metering.md.
 *
 * One request's life, all on its client connection's thread: the URI log callback allocates
 * its struct request; the access handler reads the tags, checks the budget, gathers the body,
 * then starts the upstream transfer and drives it until the status and headers are in; the
 * response's reader callback drives it further each time the client can take more; the
 * completion callback writes the record and frees the request. A client gone before the answer
 * ended leaves the transfer to the completion callback, which drives it to its end unattended
 * (the provider bills it) and records it; meter_stop lets calls in flight end, up to
 * cfg.drain_ms, before it stops the server.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include "base/array.h"
#include "base/clock.h"
#include "base/jsonfile.h"
#include "base/utf8.h"
#include "import/usage_parse.h"
#include "meter/meter.h"
#include "trace/trace.h"

#define STATUS_PATH "/_hypercap/status"
#define PAGE_PATH "/_hypercap/"
#define TAG_PREFIX "/hc/"
#define HEADER_PREFIX "x-hypercap-"
#define RETRY_HEADER "x-stainless-retry-count" /* the SDKs' attempt number, forwarded */
#define BODY_MAX (64u << 20)     /* request bodies */
#define RECORD_BODY_MAX (1u << 20) /* bytes of each body kept with --record-bodies */
#define METER_UNKNOWN_OUTPUT 32768 /* output tokens of an unknown call that sets no bound */
#define LONG_TIMEOUT_S 600u  /* client inactivity allowed while a request is in flight */
#define FDS_PER_CONNECTION 6 /* client, upstream, the multi handle's wake-up pair, a resolver's */
#define FDS_RESERVED 64      /* the trace, the listener, libmicrohttpd's own, stdio */

const char *const meter_tag_names[] = { "run", "iteration", "node", "parent", "role", "domain",
					"task", NULL };

/*
 * Request headers that carry credentials: forwarded (Proxy-Authorization excepted), never
 * written. Besides these names, any whose name holds one of credential_words.
 */
static const char *const key_headers[] = { "authorization", "proxy-authorization", "x-api-key",
					   "api-key", "x-goog-api-key", "cookie", NULL };
static const char *const credential_words[] = { "auth", "key", "token", "secret", "passw",
						"cookie", "session", NULL };

/* Hop-by-hop headers, and those libcurl sets itself, in both directions. */
static const char *const request_skip[] = { "host", "connection", "keep-alive",
					    "proxy-connection", "proxy-authorization", "te",
					    "trailer", "transfer-encoding", "upgrade",
					    "content-length", "expect", "accept-encoding", NULL };
static const char *const response_skip[] = { "connection", "keep-alive", "transfer-encoding",
					     "content-length", "content-encoding", "te",
					     "trailer", "upgrade", "date", NULL };

struct buf {
	char *p;
	size_t len, cap;
};

/* A kept-alive libcurl transfer: its multi handle holds the connection cache. */
struct upstream {
	CURLM *multi;
	CURL *easy;
	struct upstream *next;
};

/* Where requests go: scheme, host and port fixed, the request's path after base_path. */
struct target {
	CURLU *url;
	char base_path[2048]; /* without its trailing slashes: "" for "/" */
};

/*
 * A background response (POST .../responses with "background": true) answered before it ran:
 * its call, recorded when a retrieval (GET .../responses/{id}) answers with its usage.
 */
struct background {
	struct trace_llm_call call; /* the tags, the start time and the id */
	double estimate;            /* its worst case, counted by the budget meanwhile */
	struct background *next;
};

struct meter {
	struct meter_config cfg;
	struct target upstream;
	struct target upstream_anthropic; /* url NULL: the same as upstream */
	struct MHD_Daemon *daemon;
	unsigned port;
	unsigned max_connections; /* served; up to connections_hard more get a 503 */
	unsigned connections_hard;
	unsigned idle_timeout_s;
	atomic_uint connections;  /* open client connections */
	pthread_mutex_t lock; /* guards everything below */
	struct trace_appender trace;
	struct meter_stats st;
	struct timespec t0;
	struct upstream *pool;
	struct background *background; /* waiting to be retrieved */
	atomic_int stopping;  /* meter_stop: no new request; those in flight may end until... */
	double drain_end;     /* ... this CLOCK_MONOTONIC time, then they are cut off */
	struct projector *proj; /* the live forecast; NULL: none */
};

struct header {
	char *name, *value;
};

struct request {
	struct meter *m;
	char *uri; /* raw, as the client sent it, query included */
	const char *path; /* into uri, after the tags */
	int started, admitted, forwarded, recorded_call, anthropic;
	int transferring; /* its upstream transfer is in the multi handle */
	int free_call; /* costs nothing: forwarded, never recorded nor refused by the budget */
	int background; /* a POST that asks for a background response */
	char retrieves[TRACE_STR_MAX]; /* the background response a GET retrieves; "": none */
	int written; /* its record is written */
	struct trace_llm_call call; /* tags and start time, then the outcome */
	struct buf body;
	char **secrets; /* credential values, for redacting recorded bodies */
	size_t n_secrets;
	int client_fd;  /* watched while the upstream is silent; -1: not */
	int client_gone;
	/* the upstream transfer */
	struct upstream *up;
	struct curl_slist *headers;
	char curl_error[CURL_ERROR_SIZE];
	struct header *resp_headers;
	size_t n_resp_headers;
	int headers_done, transfer_done, is_sse;
	long http_code;
	CURLcode result;
	struct buf out;    /* received, not yet sent to the client */
	size_t out_off;
	struct body_scan scan; /* a non-stream answer read for its usage (calloc: initialised) */
	struct sse_parser sse;
	struct buf recorded; /* the answer as recorded (--record-bodies) */
	int recorded_cut;    /* ... up to RECORD_BODY_MAX */
};

static double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int buf_add(struct buf *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = array_capacity(b->cap, b->len + n + 1, 1024, 1);
		char *p = cap ? realloc(b->p, cap) : NULL;
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static int in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(name, *list))
			return 1;
	return 0;
}

/* ---- answers made by the meter itself ---- */

/*
 * An error in the provider's shape, so that clients show it: Anthropic's when the request
 * carried anthropic-version, OpenAI's otherwise. On a 400 or a 429 (the budget),
 * x-should-retry: false stops both SDKs from retrying what cannot succeed; a 5xx says
 * nothing, so that they retry it as they would without the meter. A 503 (busy) closes the
 * connection.
 */
static enum MHD_Result reply_error(struct MHD_Connection *conn, struct request *r,
				   unsigned status, const char *type, const char *code,
				   const char *message)
{
	cJSON *o = cJSON_CreateObject(), *e;
	if (r->anthropic) {
		cJSON_AddStringToObject(o, "type", "error");
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "type", type);
		cJSON_AddStringToObject(e, "message", message);
	} else {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "message", message);
		cJSON_AddStringToObject(e, "type", type);
		cJSON_AddNullToObject(e, "param");
		cJSON_AddStringToObject(e, "code", code);
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (status == MHD_HTTP_BAD_REQUEST || status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(resp, "x-should-retry", "false");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, "Connection", "close");
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result reply_status(struct MHD_Connection *conn, struct meter *m)
{
	struct meter_stats st;
	meter_get_stats(m, &st);
	char *text = meter_stats_json(&st);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result reply_page(struct MHD_Connection *conn)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(meter_live_page), (void *)meter_live_page, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- tags ---- */

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* Percent-decodes src[0..n) into dst (size TRACE_STR_MAX); -1 when bad or too long. */
static int url_decode(char *dst, const char *src, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];
		if (c == '%') {
			int hi = i + 2 < n ? hexval(src[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(src[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (k + 1 >= TRACE_STR_MAX)
			return -1;
		dst[k++] = (char)c;
	}
	dst[k] = '\0';
	return 0;
}

/* Sets tag name (a meter_tag_names entry, any case) to value; a message in msg when bad. */
static int set_tag(struct trace_llm_call *c, const char *name, const char *value, char *msg,
		   size_t size)
{
	static const size_t offsets[] = {
		offsetof(struct trace_llm_call, run),	 0,
		offsetof(struct trace_llm_call, node),	 offsetof(struct trace_llm_call, parent),
		offsetof(struct trace_llm_call, role),	 offsetof(struct trace_llm_call, domain),
		offsetof(struct trace_llm_call, task),
	};
	for (size_t i = 0; meter_tag_names[i]; i++) {
		if (strcasecmp(name, meter_tag_names[i]))
			continue;
		if (i == 1) {
			char *end;
			long v = strtol(value, &end, 10);
			if (!isdigit((unsigned char)value[0]) || *end || v < 0 || v > 1000000000) {
				snprintf(msg, size, "hypercap tag iteration: got '%.40s'; allowed: "
					 "a whole number from 0 to 1000000000", value);
				return -1;
			}
			c->iteration = v;
			return 0;
		}
		if (strlen(value) >= TRACE_STR_MAX) {
			snprintf(msg, size, "hypercap tag %s: got %zu bytes; allowed: at most %d",
				 meter_tag_names[i], strlen(value), TRACE_STR_MAX - 1);
			return -1;
		}
		const char *bad = utf8_invalid(value, strlen(value));
		if (bad) {
			snprintf(msg, size, "hypercap tag %s: byte 0x%02x at %zu is not UTF-8; "
				 "allowed: UTF-8 text", meter_tag_names[i], (unsigned char)*bad,
				 (size_t)(bad - value) + 1);
			return -1;
		}
		strcpy((char *)c + offsets[i], value);
		return 0;
	}
	snprintf(msg, size, "hypercap tag '%.40s': unknown; allowed: run, iteration, node, "
		 "parent, role, domain, task", name);
	return -1;
}

/*
 * Reads the tags of a path /hc/key=value/.../rest and points r->path at /rest: every segment
 * after /hc/ that holds '=' is a tag.
 */
static int path_tags(struct request *r, char *msg, size_t size)
{
	const char *p = r->uri;
	r->path = p;
	if (strncmp(p, TAG_PREFIX, strlen(TAG_PREFIX)))
		return 0;
	p += strlen(TAG_PREFIX) - 1;
	for (;;) {
		const char *seg = p + 1;
		size_t n = strcspn(seg, "/?");
		const char *eq = memchr(seg, '=', n);
		if (!eq)
			break;
		char name[TRACE_STR_MAX], value[TRACE_STR_MAX];
		if (url_decode(name, seg, (size_t)(eq - seg)) ||
		    url_decode(value, eq + 1, n - (size_t)(eq - seg) - 1)) {
			snprintf(msg, size, "hypercap tag '%.*s': bad percent-encoding or longer "
				 "than %d bytes", (int)(n > 60 ? 60 : n), seg, TRACE_STR_MAX - 1);
			return -1;
		}
		if (set_tag(&r->call, name, value, msg, size))
			return -1;
		p = seg + n;
		if (*p != '/')
			break;
	}
	r->path = p;
	return 0;
}

/* ---- the request target ---- */

/* 1 when the n bytes at seg are "." or ".." in any spelling (%2e for a dot). */
static int dot_segment(const char *seg, size_t n)
{
	size_t dots = 0;
	for (size_t i = 0; i < n; dots++) {
		if (seg[i] == '.')
			i++;
		else if (n - i >= 3 && !strncasecmp(seg + i, "%2e", 3))
			i += 3;
		else
			return 0;
	}
	return dots == 1 || dots == 2;
}

/*
 * What is wrong with a request target, or NULL when it may be forwarded: only an absolute
 * path ("/" not followed by "/") and its query, since what follows the upstream's base must
 * not change its host; no control byte, space, backslash or '#' anywhere; in the path no
 * "." or ".." segment and no %2F, %5C or %00, which an upstream could decode into one.
 */
static const char *target_problem(const char *uri)
{
	static const char *const encoded[] = { "%2f", "%5c", "%00", NULL };
	if (uri[0] != '/' || uri[1] == '/')
		return "allowed: an absolute path, /...";
	for (const char *p = uri; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\\' || *p == '#')
			return "allowed: no control byte, space, backslash or '#'";
	size_t n = strcspn(uri, "?");
	for (const char *seg = uri + 1; seg <= uri + n; seg += strcspn(seg, "/?") + 1)
		if (dot_segment(seg, strcspn(seg, "/?")))
			return "allowed: a path without . or .. segments";
	for (size_t i = 0; i + 3 <= n; i++)
		for (size_t k = 0; encoded[k]; k++)
			if (!strncasecmp(uri + i, encoded[k], 3))
				return "allowed: a path without %2F, %5C or %00";
	return NULL;
}

/* The upstream URL of r (curl_free), or NULL out of memory: scheme, host and port fixed. */
static char *target_url(const struct request *r)
{
	const struct meter *m = r->m;
	const struct target *t = r->anthropic && m->upstream_anthropic.url ?
					 &m->upstream_anthropic : &m->upstream;
	size_t n = strcspn(r->path, "?");
	char *path = malloc(strlen(t->base_path) + n + 2), *url = NULL;
	CURLU *u = curl_url_dup(t->url);
	if (path && u) {
		sprintf(path, "%s%s%.*s", t->base_path, r->path[0] == '/' ? "" : "/", (int)n,
			r->path);
		if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK ||
		    (r->path[n] && curl_url_set(u, CURLUPART_QUERY, r->path + n + 1, 0) !=
					   CURLUE_OK) ||
		    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
			url = NULL;
	}
	curl_url_cleanup(u);
	free(path);
	return url;
}

/* ---- request headers ---- */

struct header_walk {
	struct request *r;
	struct MHD_Connection *conn;
	struct curl_slist *list;
	char msg[256];
	int failed;
};

static int is_credential(const char *name)
{
	if (in_list(name, key_headers))
		return 1;
	for (const char *p = name; *p; p++)
		for (size_t i = 0; credential_words[i]; i++)
			if (!strncasecmp(p, credential_words[i], strlen(credential_words[i])))
				return 1;
	return 0;
}

static void add_secret(struct request *r, const char *value, size_t n)
{
	char **s = realloc(r->secrets, (r->n_secrets + 1) * sizeof(*s));
	if (!s)
		return;
	r->secrets = s;
	if (n && (s[r->n_secrets] = strndup(value, n)))
		r->n_secrets++;
}

/*
 * Remembers a credential for --record-bodies: the whole value, the part after an
 * authorization scheme ("Bearer KEY"), and each cookie's value, however short.
 */
static void keep_secret(struct request *r, const char *name, const char *value)
{
	if (!r->m->cfg.record_bodies)
		return;
	add_secret(r, value, strlen(value));
	const char *sp = strrchr(value, ' ');
	if (sp && strcasecmp(name, "cookie"))
		add_secret(r, sp + 1, strlen(sp + 1));
	if (strcasecmp(name, "cookie"))
		return;
	for (const char *p = value; *p; p += *p == ';') {
		size_t n = strcspn(p, ";");
		const char *eq = memchr(p, '=', n);
		if (eq)
			add_secret(r, eq + 1, n - (size_t)(eq + 1 - p));
		p += n;
	}
}

struct token_find {
	const char *name;
	int found;
};

/* Whether a Connection header's value lists the name of cls. */
static enum MHD_Result find_token(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct token_find *f = cls;
	size_t n = strlen(f->name);
	(void)kind;
	if (strcasecmp(key, "connection") || !value)
		return MHD_YES;
	for (const char *p = value; *p; p++) {
		p += strspn(p, " \t,");
		size_t k = strcspn(p, " \t,");
		if (k == n && !strncasecmp(p, f->name, n))
			f->found = 1;
		p += k;
		if (!*p)
			break;
	}
	return f->found ? MHD_NO : MHD_YES;
}

/* 1 when a Connection header of conn names header name: hop-by-hop, not forwarded. */
static int named_by_connection(struct MHD_Connection *conn, const char *name)
{
	struct token_find f = { name, 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, find_token, &f);
	return f.found;
}

/*
 * The attempt number the official OpenAI and Anthropic SDKs send (0 on the first attempt):
 * the retries before this one. -1 (unknown) for anything but a whole number up to 10^6.
 */
static long retry_count(const char *value)
{
	size_t n = strspn(value, "0123456789");
	if (n == 0 || n > 7 || value[n])
		return -1;
	long v = strtol(value, NULL, 10);
	return v <= 1000000 ? v : -1;
}

/* Each request header: a tag, a key to remember, one to drop, or one to forward. */
static enum MHD_Result walk_header(void *cls, enum MHD_ValueKind kind, const char *name,
				   const char *value)
{
	struct header_walk *w = cls;
	(void)kind;
	if (!value)
		value = "";
	if (!strncasecmp(name, HEADER_PREFIX, strlen(HEADER_PREFIX))) {
		if (!w->failed && set_tag(&w->r->call, name + strlen(HEADER_PREFIX), value, w->msg,
					  sizeof(w->msg)))
			w->failed = 1;
		return MHD_YES;
	}
	if (!strcasecmp(name, "anthropic-version"))
		w->r->anthropic = 1;
	if (!strcasecmp(name, RETRY_HEADER))
		w->r->call.retries = retry_count(value);
	if (is_credential(name))
		keep_secret(w->r, name, value);
	if (in_list(name, request_skip) || named_by_connection(w->conn, name))
		return MHD_YES;
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);
	if (!line)
		return MHD_NO;
	snprintf(line, n, "%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(w->list, line);
	free(line);
	if (l)
		w->list = l;
	return MHD_YES;
}

/* ---- the upstream transfer ---- */

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
	struct request *r = cls;
	size_t len = size * n, k = len;
	while (k && (data[k - 1] == '\n' || data[k - 1] == '\r'))
		k--;
	if (k == 0) { /* the end of a header block: a 1xx block is followed by the real one */
		curl_easy_getinfo(r->up->easy, CURLINFO_RESPONSE_CODE, &r->http_code);
		if (r->http_code >= 200)
			r->headers_done = 1;
		return len;
	}
	if (!strncmp(data, "HTTP/", 5)) { /* a status line starts a block */
		for (size_t i = 0; i < r->n_resp_headers; i++)
			free(r->resp_headers[i].name);
		r->n_resp_headers = 0;
		return len;
	}
	const char *colon = memchr(data, ':', k);
	if (!colon)
		return len;
	struct header *h = realloc(r->resp_headers, (r->n_resp_headers + 1) * sizeof(*h));
	if (!h)
		return 0;
	r->resp_headers = h;
	size_t nlen = (size_t)(colon - data);
	char *s = malloc(k + 2);
	if (!s)
		return 0;
	memcpy(s, data, nlen);
	s[nlen] = '\0';
	const char *v = colon + 1;
	while (v < data + k && (*v == ' ' || *v == '\t'))
		v++;
	memcpy(s + nlen + 1, v, (size_t)(data + k - v));
	s[nlen + 1 + (data + k - v)] = '\0';
	h[r->n_resp_headers].name = s;
	h[r->n_resp_headers++].value = s + nlen + 1;
	if (!strcasecmp(s, "content-type") && strstr(s + nlen + 1, "text/event-stream"))
		r->is_sse = 1;
	return len;
}

/* Answer bytes: queued for the client and read for usage as they pass. */
static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
	struct request *r = cls;
	size_t len = size * n;
	if (buf_add(&r->out, data, len))
		return 0;
	if (r->is_sse) {
		if (sse_feed(&r->sse, data, len))
			return 0;
	} else if (body_scan_feed(&r->scan, data, len)) {
		return 0;
	}
	if (r->m->cfg.record_bodies && !r->recorded_cut &&
	    (r->recorded.len + len > RECORD_BODY_MAX || buf_add(&r->recorded, data, len)))
		r->recorded_cut = 1;
	return len;
}

static struct upstream *upstream_take(struct meter *m)
{
	pthread_mutex_lock(&m->lock);
	struct upstream *u = m->pool;
	if (u)
		m->pool = u->next;
	pthread_mutex_unlock(&m->lock);
	if (u)
		return u;
	u = calloc(1, sizeof(*u));
	if (u && (!(u->multi = curl_multi_init()) || !(u->easy = curl_easy_init()))) {
		curl_multi_cleanup(u->multi);
		free(u);
		u = NULL;
	}
	return u;
}

static void upstream_give(struct meter *m, struct upstream *u)
{
	pthread_mutex_lock(&m->lock);
	u->next = m->pool;
	m->pool = u;
	pthread_mutex_unlock(&m->lock);
}

static void upstream_free(struct upstream *u)
{
	curl_easy_cleanup(u->easy);
	curl_multi_cleanup(u->multi);
	free(u);
}

static int setup_transfer(struct request *r, const char *method)
{
	struct meter *m = r->m;
	CURL *e = r->up->easy;
	char *url = target_url(r);
	if (!url)
		return -1;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_free(url); /* libcurl keeps its own copy */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* curl decodes: usage stays readable */
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_error);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, m->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, m->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") || r->body.len) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.p ? r->body.p : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
		if (strcmp(method, "POST"))
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	sse_init(&r->sse);
	if (curl_multi_add_handle(r->up->multi, e) != CURLM_OK)
		return -1;
	r->transferring = 1;
	return 0;
}

/*
 * 1 when the client closed its connection (or reset it). Bytes waiting there (a pipelined
 * request) say nothing: the client is no longer watched, to not wake on them again.
 */
static int client_gone(struct request *r)
{
	char c;
	ssize_t n = recv(r->client_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) {
		r->client_fd = n > 0 ? -1 : r->client_fd;
		return 0;
	}
	r->client_fd = -1; /* its end stays readable: never waited on again */
	return 1;
}

/*
 * How long the transfer may still wait, in ms (at most a second, so that a stopping meter is
 * noticed); -1 when the meter stops and its drain limit has passed: the call is cut off.
 */
static int wait_ms(const struct meter *m)
{
	if (!atomic_load(&m->stopping))
		return 1000;
	double left = m->drain_end - clock_monotonic_s();
	return left <= 0 ? -1 : left >= 1 ? 1000 : (int)(left * 1000) + 1;
}

enum drive_until {
	UNTIL_HEADERS, /* the status and headers are in */
	UNTIL_DATA,    /* there is something for the client */
	UNTIL_END      /* the client is gone: the answer read for its usage and dropped */
};

/*
 * Runs the transfer until `until`, or until it ends. While the upstream is silent it also
 * waits on the client's socket (not UNTIL_END), so that a client gone is noticed at once:
 * drive returns and the transfer goes on unattended in the completion callback. A transfer
 * ends early only when the meter stops and its drain limit passes.
 */
static void drive(struct request *r, enum drive_until until)
{
	CURLM *multi = r->up->multi;
	while (!r->transfer_done) {
		int watch = until != UNTIL_END && r->client_fd >= 0;
		struct curl_waitfd client = { r->client_fd, CURL_WAIT_POLLIN, 0 };
		int running, left, ms;
		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			r->result = CURLE_RECV_ERROR;
			r->transfer_done = 1;
			break;
		}
		for (CURLMsg *msg; (msg = curl_multi_info_read(multi, &left));)
			if (msg->msg == CURLMSG_DONE) {
				r->result = msg->data.result;
				r->transfer_done = 1;
			}
		if (until == UNTIL_END)
			r->out.len = r->out_off = 0; /* nobody to send it to */
		if (r->transfer_done || (until == UNTIL_HEADERS && r->headers_done) ||
		    (until == UNTIL_DATA && r->out.len > r->out_off) ||
		    (until != UNTIL_END && r->client_gone))
			break;
		if ((ms = wait_ms(r->m)) < 0) {
			r->result = CURLE_ABORTED_BY_CALLBACK;
			r->transfer_done = 1;
			break;
		}
		curl_multi_poll(multi, watch ? &client : NULL, watch ? 1u : 0u, ms, NULL);
		if (watch && client.revents)
			r->client_gone = client_gone(r);
	}
}

static void record_once(struct request *r);

static ssize_t read_answer(void *cls, uint64_t pos, char *out, size_t max)
{
	struct request *r = cls;
	(void)pos;
	if (r->out.len == r->out_off && !r->transfer_done)
		drive(r, UNTIL_DATA);
	if (r->out.len > r->out_off) {
		size_t n = r->out.len - r->out_off;
		if (n > max)
			n = max;
		memcpy(out, r->out.p + r->out_off, n);
		r->out_off += n;
		if (r->out_off == r->out.len)
			r->out_off = r->out.len = 0;
		return (ssize_t)n;
	}
	if (!r->transfer_done) /* the client is gone: on_completed ends the call and records it */
		return MHD_CONTENT_READER_END_WITH_ERROR;
	/*
	 * Recorded and priced before the client sees the end, so that a client's next request
	 * meets the spend of this one.
	 */
	record_once(r);
	return r->result == CURLE_OK ? MHD_CONTENT_READER_END_OF_STREAM :
				       MHD_CONTENT_READER_END_WITH_ERROR;
}

/* 1 when path (up to its query) ends in suffix. */
static int path_ends_with(const char *path, const char *suffix)
{
	size_t n = strcspn(path, "?"), k = strlen(suffix);
	return n >= k && !strncmp(path + n - k, suffix, k);
}

/*
 * 1 when p prices a call of r: one with output, or for an embeddings request (input only),
 * its input rate alone (an embeddings model has no output rate).
 */
static int prices_request(const struct price *p, const struct request *r)
{
	struct usage probe = { .calls = 1, .input = 1 };
	probe.output = !path_ends_with(r->path, "/embeddings");
	return p && !isnan(price_call_cost(p, &probe, 0));
}

/*
 * Under a budget, the request's "model" when the sheet cannot price it (into model): such a
 * call would spend unseen by the guard. A body without a model (an Azure deployment path) is
 * let through; its record says whether it was priced.
 */
static int unpriced_model(const struct request *r, char *model, size_t size)
{
	const struct meter_config *cfg = &r->m->cfg;
	if (!(cfg->budget_usd > 0) || !cfg->prices || !r->body.len)
		return 0;
	cJSON *o = cJSON_ParseWithLength(r->body.p, r->body.len);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "model");
	int unknown = cJSON_IsString(name) &&
		      !prices_request(price_sheet_find(cfg->prices, name->valuestring), r);
	if (unknown)
		snprintf(model, size, "%s", name->valuestring);
	cJSON_Delete(o);
	return unknown;
}

/* 1 when r is a POST .../responses whose body sets "background": true. */
static int asks_background(const struct request *r)
{
	if (!path_ends_with(r->path, "/responses") || !r->body.len)
		return 0;
	cJSON *o = cJSON_ParseWithLength(r->body.p, r->body.len);
	int yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "background"));
	cJSON_Delete(o);
	return yes;
}

/*
 * 1 when r is a GET .../responses/{id} of a background response that waits to be recorded
 * (its id into r->retrieves).
 */
static int retrieval(struct request *r, const char *method)
{
	size_t n = strcspn(r->path, "?");
	const char *id = r->path + n;
	while (id > r->path && id[-1] != '/')
		id--;
	size_t len = (size_t)(r->path + n - id);
	if (strcmp(method, "GET") || !len || len >= sizeof(r->retrieves) ||
	    id - r->path < 11 || strncmp(id - 11, "/responses/", 11))
		return 0;
	memcpy(r->retrieves, id, len);
	r->retrieves[len] = '\0';
	pthread_mutex_lock(&r->m->lock);
	const struct background *b = r->m->background;
	while (b && strcmp(b->call.id, r->retrieves))
		b = b->next;
	pthread_mutex_unlock(&r->m->lock);
	return b != NULL;
}

static enum MHD_Result forward(struct MHD_Connection *conn, struct request *r,
			       const char *method)
{
	char model[128], msg[512];
	r->forwarded = 1;
	r->recorded_call = !r->free_call || retrieval(r, method);
	r->background = r->recorded_call && asks_background(r);
	if (r->recorded_call && unpriced_model(r, model, sizeof(model))) {
		snprintf(msg, sizeof(msg), "hypercap meter: model '%s' has no price in the sheet "
			 "'%.200s'; under --budget-usd every call must be priced: give --prices "
			 "with a sheet that has it", model, r->m->cfg.prices->origin);
		return reply_error(conn, r, MHD_HTTP_BAD_REQUEST, "invalid_request_error",
				   "hypercap_unpriced_model", msg);
	}
	if (!(r->up = upstream_take(r->m)) || setup_transfer(r, method))
		return reply_error(conn, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   r->anthropic ? "api_error" : "server_error", "hypercap_meter",
				   "hypercap meter: cannot start the upstream request");
	drive(r, UNTIL_HEADERS);
	if (r->client_gone && !r->transfer_done)
		return MHD_NO; /* nobody to answer; the completion callback ends the call, records it */
	if (!r->headers_done) {
		record_once(r);
		snprintf(msg, sizeof(msg), "hypercap meter: upstream unreachable or failing: %s",
			 curl_easy_strerror(r->result)); /* never curl_error: it may name the URL */
		return reply_error(conn, r, MHD_HTTP_BAD_GATEWAY,
				   r->anthropic ? "api_error" : "upstream_error",
				   "hypercap_upstream_error", msg);
	}
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
								      read_answer, r, NULL);
	if (!resp)
		return MHD_NO;
	for (size_t i = 0; i < r->n_resp_headers; i++)
		if (!in_list(r->resp_headers[i].name, response_skip))
			MHD_add_response_header(resp, r->resp_headers[i].name,
						r->resp_headers[i].value);
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)r->http_code, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- the access handler ---- */

/*
 * 1 when a request costs nothing: every method but POST (GET /v1/models, ...) and the
 * token-counting endpoints (Anthropic's /v1/messages/count_tokens, OpenAI's
 * /v1/responses/input_tokens), whatever the path before them.
 */
static int free_endpoint(const char *method, const char *path)
{
	return strcmp(method, "POST") || path_ends_with(path, "/count_tokens") ||
	       path_ends_with(path, "/input_tokens");
}

enum admission { ADMITTED, REFUSED_BUDGET, REFUSED_STOPPING };

/*
 * Admits a request (counted in flight) unless the meter stops or the budget is spent (counted
 * as rejected); a free one is admitted but by a stopping meter. Under the lock that
 * meter_stop sets stopping with: a request is either counted in flight before meter_stop
 * looks, and waited for, or refused.
 */
static enum admission admit(struct meter *m, int free_call, double *spent)
{
	enum admission a = ADMITTED;
	pthread_mutex_lock(&m->lock);
	if (atomic_load(&m->stopping))
		a = REFUSED_STOPPING;
	else if (!free_call && m->st.budget_spent)
		a = REFUSED_BUDGET;
	if (a == ADMITTED)
		m->st.in_flight++;
	else if (a == REFUSED_BUDGET)
		m->st.rejected++;
	*spent = m->st.cost_usd + m->st.estimated_usd;
	pthread_mutex_unlock(&m->lock);
	return a;
}

/*
 * The projected guard: 1 (counted, and msg says why) when the request's iteration is past the
 * last one allowed since the projection's P90 passed the budget.
 */
static int refused_ahead(struct meter *m, long iteration, char *msg, size_t size)
{
	long last;
	if (!m->proj || !projector_refuses(m->proj, iteration, &last))
		return 0;
	pthread_mutex_lock(&m->lock);
	m->st.rejected_projected++;
	pthread_mutex_unlock(&m->lock);
	snprintf(msg, size, "hypercap budget projected to run out: the run's projected P90 "
		 "passed $%.4f; iteration %ld is past the last allowed (%ld)", m->cfg.budget_usd,
		 iteration, last);
	return 1;
}

/* Past --max-connections: a 503 in the provider's shape, which clients retry later. */
static enum MHD_Result reply_busy(struct MHD_Connection *conn, struct request *r)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "hypercap meter: %u client connections at once, more than "
		 "its limit of %u (--max-connections); try again", atomic_load(&r->m->connections),
		 r->m->max_connections);
	return reply_error(conn, r, MHD_HTTP_SERVICE_UNAVAILABLE,
			   r->anthropic ? "overloaded_error" : "server_error", "hypercap_busy",
			   msg);
}

/*
 * From now on the connection has a request in flight: the long inactivity timeout instead
 * of the idle one, and its socket watched while the upstream is silent.
 */
static void hold_connection(struct MHD_Connection *conn, struct request *r)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	r->client_fd = info ? info->connect_fd : -1;
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, LONG_TIMEOUT_S);
}

/* The first call for a request: the status page, its target, tags, the limits, the budget. */
static enum MHD_Result begin(struct MHD_Connection *conn, struct request *r, const char *method)
{
	struct header_walk w = { r, conn, NULL, "", 0 };
	char msg[256] = "";
	const char *bad_target;
	r->started = 1;
	r->call.start_time = now_unix();
	size_t n = strlen(STATUS_PATH);
	double spent;
	if (!strcmp(method, "GET") && !strncmp(r->uri, STATUS_PATH, n) &&
	    (r->uri[n] == '\0' || r->uri[n] == '?'))
		return reply_status(conn, r->m);
	if (!strcmp(method, "GET") && !strcmp(r->uri, PAGE_PATH))
		return reply_page(conn);
	/* the path's tags first, so that a header overrides them */
	int bad_path = path_tags(r, msg, sizeof(msg));
	MHD_get_connection_values(conn, MHD_HEADER_KIND, walk_header, &w);
	r->headers = w.list;
	if ((bad_target = target_problem(r->uri))) {
		snprintf(msg, sizeof(msg), "hypercap meter: request target '%.80s': %s", r->uri,
			 bad_target);
		return reply_error(conn, r, MHD_HTTP_BAD_REQUEST, "invalid_request_error",
				   "hypercap_bad_target", msg);
	}
	if (bad_path || w.failed)
		return reply_error(conn, r, MHD_HTTP_BAD_REQUEST, "invalid_request_error",
				   "hypercap_bad_tag", bad_path ? msg : w.msg);
	if (atomic_load(&r->m->connections) > r->m->max_connections)
		return reply_busy(conn, r);
	r->free_call = free_endpoint(method, r->path);
	if (!r->free_call && refused_ahead(r->m, r->call.iteration, msg, sizeof(msg)))
		return reply_error(conn, r, MHD_HTTP_TOO_MANY_REQUESTS,
				   r->anthropic ? "rate_limit_error" : "insufficient_quota",
				   "hypercap_budget_projected", msg);
	enum admission a = admit(r->m, r->free_call, &spent);
	if (a == REFUSED_STOPPING)
		return reply_error(conn, r, MHD_HTTP_SERVICE_UNAVAILABLE,
				   r->anthropic ? "overloaded_error" : "server_error",
				   "hypercap_stopping", "hypercap meter: stopping; try again");
	if (a == REFUSED_BUDGET) {
		snprintf(msg, sizeof(msg), "hypercap budget spent: $%.4f of $%.4f; the meter "
			 "refuses new requests", spent, r->m->cfg.budget_usd);
		return reply_error(conn, r, MHD_HTTP_TOO_MANY_REQUESTS,
				   r->anthropic ? "rate_limit_error" : "insufficient_quota",
				   "hypercap_budget_spent", msg);
	}
	r->admitted = 1;
	hold_connection(conn, r);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **ctx)
{
	struct request *r = *ctx;
	(void)cls, (void)url, (void)version;
	if (!r)
		return MHD_NO;
	if (!r->started)
		return begin(conn, r, method); /* may answer at once: the body is then dropped */
	if (*upload_size) {
		if (r->body.len + *upload_size > BODY_MAX || buf_add(&r->body, upload_data,
								      *upload_size))
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	/*
	 * Only an admitted request goes upstream. One answered by the meter itself (a 429, ...)
	 * can come back here with its body: libmicrohttpd's MHD_queue_response returns MHD_YES
	 * without queueing while the daemon shuts down.
	 */
	if (r->forwarded || !r->admitted)
		return MHD_YES;
	return forward(conn, r, method);
}

/* ---- the record ---- */

/* The byte a JSON escape at p (before end) stands for, its length in *len; -1 if none. */
static int json_escaped(const char *p, const char *end, size_t *len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (end - p < 2 || p[0] != '\\')
		return -1;
	const char *k = strchr(from, p[1]);
	if (k && p[1]) {
		*len = 2;
		return (unsigned char)to[k - from];
	}
	if (p[1] != 'u' || end - p < 6 || strncmp(p + 2, "00", 2) || hexval(p[4]) < 0 ||
	    hexval(p[5]) < 0 || hexval(p[4]) > 7)
		return -1;
	*len = 6;
	return hexval(p[4]) * 16 + hexval(p[5]);
}

/* The length of secret as spelled at p (each byte as is or JSON-escaped), 0 if it is not. */
static size_t spelled_at(const char *p, const char *end, const char *secret)
{
	const char *start = p;
	size_t len;
	for (; *secret; secret++) {
		if (p < end && *p == *secret)
			p++;
		else if (json_escaped(p, end, &len) == (unsigned char)*secret)
			p += len;
		else
			return 0;
	}
	return (size_t)(p - start);
}

/* Replaces every spelling of every credential of r in b by [REDACTED]. */
static void redact(struct request *r, struct buf *b)
{
	struct buf out = { NULL, 0, 0 };
	int failed = 0;
	if (!r->n_secrets || !b->p)
		return;
	const char *end = b->p + b->len, *run = b->p;
	for (const char *p = b->p; p < end;) {
		size_t n = 0;
		for (size_t i = 0; i < r->n_secrets && !n; i++)
			n = spelled_at(p, end, r->secrets[i]);
		if (!n) {
			p++;
			continue;
		}
		failed = buf_add(&out, run, (size_t)(p - run)) || buf_add(&out, "[REDACTED]", 10);
		if (failed)
			break;
		run = p += n;
	}
	if (failed || buf_add(&out, run, (size_t)(end - run))) {
		buf_free(&out); /* out of memory: nothing of the body is kept */
		buf_add(&out, "[REDACTED]", 10);
	}
	buf_free(b);
	*b = out;
}

/* Adds b's text as key, its bytes that are not UTF-8 (or a character cut at the end)
 * replaced by U+FFFD: a trace is UTF-8. */
static void add_body(cJSON *o, const char *key, const struct buf *b)
{
	char *text = utf8_repair(b->p ? b->p : "", b->len, NULL);
	cJSON_AddStringToObject(o, key, text ? text : "");
	free(text);
}

static cJSON *recorded_bodies(struct request *r)
{
	if (!r->m->cfg.record_bodies)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	redact(r, &r->body);
	redact(r, &r->recorded);
	add_body(o, "request_body", &r->body);
	add_body(o, "response_body", &r->recorded);
	if (r->recorded_cut)
		cJSON_AddTrueToObject(o, "response_body_cut");
	return o;
}

/* The provider from the path when the answer did not show it. */
static const char *guess_provider(const struct request *r)
{
	return r->anthropic || strstr(r->path, "/messages") ? "anthropic" : "openai";
}

/* Fills r->call's outcome from the transfer and the answer. */
static void outcome(struct request *r)
{
	struct trace_llm_call *c = &r->call;
	struct usage_parse_result u;
	if (r->is_sse)
		sse_finish(&r->sse, &u);
	else if (r->headers_done)
		body_scan_finish(&r->scan, &u);
	else
		usage_parse_result_init(&u);
	c->end_time = now_unix();
	if (c->end_time < c->start_time)
		c->end_time = c->start_time;
	strcpy(c->provider, u.provider[0] ? u.provider : guess_provider(r));
	strcpy(c->model, u.model);
	strcpy(c->id, u.id);
	strcpy(c->service_tier, u.service_tier);
	if (!c->model[0] && r->body.len) { /* the model the request asked for */
		cJSON *req = cJSON_ParseWithLength(r->body.p, r->body.len);
		const cJSON *mod = cJSON_GetObjectItemCaseSensitive(req, "model");
		if (cJSON_IsString(mod))
			usage_parse_copy_str(c->model, mod->valuestring);
		cJSON_Delete(req);
	}
	/* counts that break the convention are the provider's bug: unknown, not guessed */
	c->has_usage = u.has_usage && u.usage.cache_read + u.usage.cache_write <= u.usage.input &&
		       u.usage.cache_write_1h <= u.usage.cache_write &&
		       u.usage.reasoning <= u.usage.output;
	c->usage = u.usage;
	if (!r->headers_done || r->http_code >= 400)
		strcpy(c->status, "upstream_error");
	else if (!u.has_usage)
		strcpy(c->status, "usage_unknown");
	else
		strcpy(c->status, u.status[0] ? u.status : "completed");
}

/*
 * The most a call answered without a readable usage can have cost (into u): every byte of the
 * request an input token (a token is at least one byte of text), and the output the request's
 * bound (max_completion_tokens, max_tokens or max_output_tokens), METER_UNKNOWN_OUTPUT when it
 * sets none.
 */
static void worst_case_usage(const struct request *r, struct usage *u)
{
	static const char *const bounds[] = { "max_completion_tokens", "max_tokens",
					      "max_output_tokens", NULL };
	memset(u, 0, sizeof(*u));
	u->calls = 1;
	u->input = (int64_t)r->body.len;
	u->output = METER_UNKNOWN_OUTPUT;
	cJSON *req = r->body.len ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
	for (size_t i = 0; bounds[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, bounds[i]);
		if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e9) {
			u->output = (int64_t)v->valuedouble;
			break;
		}
	}
	cJSON_Delete(req);
}

/* Adds cost to what the budget counts (spent: priced, or else estimated). */
static void spend(struct meter *m, double cost, int estimated)
{
	struct meter_stats *st = &m->st;
	*(estimated ? &st->estimated_usd : &st->cost_usd) += cost;
	if (m->cfg.budget_usd > 0 && st->cost_usd + st->estimated_usd >= m->cfg.budget_usd)
		st->budget_spent = 1;
}

/* The cost of call c at the counts u, NAN when the sheet cannot price it. */
static double call_cost(const struct meter *m, const struct trace_llm_call *c,
			const struct usage *u)
{
	const struct price *p = m->cfg.prices ? price_sheet_find(m->cfg.prices, c->model) : NULL;
	return p ? price_call_cost(p, u, price_service_tier(c->service_tier)) : NAN;
}

/*
 * Prices the call and adds it to the totals; a call answered without a readable usage
 * (usage_unknown) counts at its worst case, bound. The caller holds the lock.
 */
/* The (role, model) pair's spend, added when there is room; NULL when there is none. */
static struct meter_spend *spend_of(struct meter_stats *st, const struct trace_llm_call *c)
{
	for (size_t i = 0; i < st->n_spend; i++)
		if (!strcmp(st->spend[i].role, c->role) && !strcmp(st->spend[i].model, c->model))
			return &st->spend[i];
	if (st->n_spend == METER_TALLY_MAX)
		return NULL;
	struct meter_spend *e = &st->spend[st->n_spend++];
	snprintf(e->role, sizeof(e->role), "%s", c->role);
	snprintf(e->model, sizeof(e->model), "%s", c->model);
	return e;
}

/* The call's time into its endpoint's tally; the caller holds the lock. */
static void time_endpoint(struct meter_stats *st, const char *path, const struct trace_llm_call *c)
{
	struct meter_endpoint *e = NULL;
	size_t n = strcspn(path, "?");
	for (size_t i = 0; i < st->n_endpoints && !e; i++)
		if (!strncmp(st->endpoints[i].path, path, n) && !st->endpoints[i].path[n] &&
		    !strcmp(st->endpoints[i].model, c->model))
			e = &st->endpoints[i];
	if (!e && st->n_endpoints < METER_TALLY_MAX) {
		e = &st->endpoints[st->n_endpoints++];
		snprintf(e->path, sizeof(e->path), "%.*s", (int)n, path);
		snprintf(e->model, sizeof(e->model), "%s", c->model);
	}
	double took = c->end_time - c->start_time;
	if (!e || !isfinite(took))
		return;
	e->calls++;
	e->seconds += took;
	if (took > e->max_seconds)
		e->max_seconds = took;
}

static void account(struct meter *m, const struct trace_llm_call *c, const struct usage *bound)
{
	struct meter_stats *st = &m->st;
	int unknown = !strcmp(c->status, "usage_unknown");
	st->calls++;
	st->usage_unknown += unknown;
	st->upstream_errors += !strcmp(c->status, "upstream_error");
	if (!c->has_usage && !unknown)
		return;
	if (c->has_usage)
		usage_add(&st->tokens, &c->usage);
	double cost = call_cost(m, c, c->has_usage ? &c->usage : bound);
	if (isnan(cost)) {
		st->unpriced++;
		snprintf(st->unpriced_model, sizeof(st->unpriced_model), "%s", c->model);
		return;
	}
	spend(m, cost, !c->has_usage);
	struct meter_spend *e = c->has_usage ? spend_of(st, c) : NULL;
	if (e) {
		e->calls++;
		e->usd += cost;
	}
}

/* The trace's counts into the stats; the caller holds the lock. */
static void trace_counts(struct meter *m)
{
	m->st.records_pending = m->trace.n_pending;
	m->st.records_lost = m->trace.lost;
	m->st.trace_reopened = m->trace.reopened;
}

/*
 * Keeps a background response answered before it ran (an id, no usage yet) to be recorded
 * when retrieved; the budget counts it at its worst case meanwhile. 0 when r is not one.
 */
static int park_background(struct request *r)
{
	struct meter *m = r->m;
	struct usage bound;
	if (!r->background || strcmp(r->call.status, "usage_unknown") || !r->call.id[0])
		return 0;
	struct background *b = calloc(1, sizeof(*b));
	if (!b)
		return 0; /* recorded as usage_unknown instead */
	worst_case_usage(r, &bound);
	b->call = r->call;
	b->estimate = call_cost(m, &r->call, &bound);
	if (isnan(b->estimate))
		b->estimate = 0;
	pthread_mutex_lock(&m->lock);
	b->next = m->background;
	m->background = b;
	spend(m, b->estimate, 1);
	pthread_mutex_unlock(&m->lock);
	return 1;
}

/*
 * A retrieval of a waiting background response that answered with the usage: r's call takes
 * that response's tags and start time, and its estimate leaves the budget. 0 when there is
 * nothing to record (not done yet, or already recorded by another retrieval).
 */
static int take_background(struct request *r)
{
	struct meter *m = r->m;
	struct background **at = &m->background, *b;
	if (!r->call.has_usage)
		return 0;
	pthread_mutex_lock(&m->lock);
	while (*at && strcmp((*at)->call.id, r->retrieves))
		at = &(*at)->next;
	if ((b = *at)) {
		*at = b->next;
		m->st.estimated_usd -= b->estimate;
	}
	pthread_mutex_unlock(&m->lock);
	if (!b)
		return 0;
	struct trace_llm_call *c = &r->call;
	const struct trace_llm_call *was = &b->call;
	c->start_time = was->start_time;
	c->iteration = was->iteration;
	c->retries = was->retries;
	memcpy(c->run, was->run, sizeof(c->run));
	memcpy(c->node, was->node, sizeof(c->node));
	memcpy(c->parent, was->parent, sizeof(c->parent));
	memcpy(c->role, was->role, sizeof(c->role));
	memcpy(c->domain, was->domain, sizeof(c->domain));
	memcpy(c->task, was->task, sizeof(c->task));
	free(b);
	return 1;
}

static void record(struct request *r)
{
	struct meter *m = r->m;
	struct trace_record rec;
	struct hc_err err = HC_ERR_INIT;
	struct usage bound;
	outcome(r);
	if (park_background(r) || (r->retrieves[0] && !take_background(r)))
		return;
	memset(&bound, 0, sizeof(bound));
	if (!strcmp(r->call.status, "usage_unknown")) /* the request is parsed only then */
		worst_case_usage(r, &bound);
	trace_record_init(&rec, TRACE_LLM_CALL);
	rec.u.call = r->call;
	cJSON *extra = recorded_bodies(r);
	pthread_mutex_lock(&m->lock);
	account(m, &r->call, &bound);
	time_endpoint(&m->st, r->path, &r->call);
	if (trace_appender_put(&m->trace, &rec, extra, &err)) {
		m->st.write_errors++;
		snprintf(m->st.last_error, sizeof(m->st.last_error), "%.250s", err.msg);
	}
	trace_counts(m);
	pthread_mutex_unlock(&m->lock);
	if (m->proj && r->call.iteration >= 0)
		projector_note(m->proj, r->call.iteration);
}

static void record_once(struct request *r)
{
	if (r->recorded_call && r->up && !r->written) {
		r->written = 1;
		record(r);
	}
}

static void request_free(struct request *r)
{
	if (r->up) {
		if (r->transferring)
			curl_multi_remove_handle(r->up->multi, r->up->easy);
		upstream_give(r->m, r->up);
	}
	for (size_t i = 0; i < r->n_resp_headers; i++)
		free(r->resp_headers[i].name);
	for (size_t i = 0; i < r->n_secrets; i++)
		free(r->secrets[i]);
	free(r->secrets);
	free(r->resp_headers);
	curl_slist_free_all(r->headers);
	sse_release(&r->sse);
	buf_free(&r->body);
	buf_free(&r->out);
	body_scan_release(&r->scan);
	buf_free(&r->recorded);
	free(r->uri);
	free(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *r = *ctx;
	(void)toe;
	if (!r)
		return;
	/* a kept-alive connection waits for its next request under the idle timeout */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
				  ((struct meter *)cls)->idle_timeout_s);
	/*
	 * A client gone before the answer ended: the provider answers (and bills) all the same,
	 * so the answer is read to its end, within --timeout or the drain limit of a stopping
	 * meter, and recorded; cut off, with what it said so far.
	 */
	if (r->recorded_call && r->transferring && !r->transfer_done && !r->written)
		drive(r, UNTIL_END);
	record_once(r);
	if (r->admitted) {
		pthread_mutex_lock(&r->m->lock);
		r->m->st.in_flight--;
		pthread_mutex_unlock(&r->m->lock);
	}
	*ctx = NULL;
	request_free(r);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *r = calloc(1, sizeof(*r));
	(void)conn;
	if (!r)
		return NULL;
	r->m = cls;
	r->client_fd = -1;
	r->uri = strdup(uri);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	r->call = rec.u.call;
	return r;
}

/* ---- lifecycle ---- */

/* 1 when url has user-info (user:password@host), looked for before any parsing. */
static int has_userinfo(const char *url)
{
	const char *p = url + strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789+-.");
	p = *p == ':' ? p + 1 + strspn(p + 1, "/\\") : url;
	return memchr(p, '@', strcspn(p, "/?#\\")) != NULL;
}

static int has_part(CURLU *u, CURLUPart what)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(u, what, &v, 0);
	curl_free(v);
	return rc == CURLUE_OK;
}

/*
 * The base URL given for option into t: http or https, a host, no user-info (it would be
 * written into the trace and the log), no query or fragment; its path's trailing slashes
 * dropped. A URL with user-info is never echoed.
 */
static int base_url(struct target *t, const char *url, const char *option, struct hc_err *err)
{
	char *scheme = NULL, *path = NULL;
	if (url && has_userinfo(url))
		return hc_err_set(err, HC_EUSAGE, "%s: a URL with user-info (user:password@) is "
				  "refused, since it would be written into the trace and the log; "
				  "allowed: a URL without credentials (the client sends its key)",
				  option);
	if (!url || strlen(url) >= sizeof(t->base_path) || !(t->url = curl_url()) ||
	    curl_url_set(t->url, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(t->url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		curl_free(scheme);
		return hc_err_set(err, HC_EUSAGE, "%s '%s': allowed: an http:// or https:// URL",
				  option, url ? url : "");
	}
	curl_free(scheme);
	if (has_part(t->url, CURLUPART_USER) || has_part(t->url, CURLUPART_PASSWORD))
		return hc_err_set(err, HC_EUSAGE, "%s: a URL with user-info is refused", option);
	if (has_part(t->url, CURLUPART_QUERY) || has_part(t->url, CURLUPART_FRAGMENT) ||
	    curl_url_get(t->url, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		return hc_err_set(err, HC_EUSAGE, "%s '%s': allowed: a base URL without query or "
				  "fragment", option, url);
	size_t n = strlen(path);
	while (n && path[n - 1] == '/')
		n--;
	snprintf(t->base_path, sizeof(t->base_path), "%.*s", (int)n, path);
	curl_free(path);
	return 0;
}

static int parse_config(struct meter *m, struct sockaddr_in *sa, struct hc_err *err)
{
	if (base_url(&m->upstream, m->cfg.upstream, "--upstream", err) ||
	    (m->cfg.upstream_anthropic &&
	     base_url(&m->upstream_anthropic, m->cfg.upstream_anthropic, "--upstream-anthropic",
		      err)))
		return HC_EUSAGE;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)m->cfg.port);
	if (inet_pton(AF_INET, m->cfg.listen_addr, &sa->sin_addr) != 1)
		return hc_err_set(err, HC_EUSAGE, "--listen '%s': allowed: an IPv4 address",
				  m->cfg.listen_addr);
	return 0;
}

/* Above the served connections, this many more may come in to get a 503 or the status. */
static unsigned busy_room(unsigned served)
{
	return served / 8 + 4;
}

/*
 * Raises the soft open-file limit to the hard one, and lowers m->max_connections until every
 * connection fits in it: the served ones with their upstream transfer, the others alone.
 */
static void fit_open_files(struct meter *m)
{
	struct rlimit rl;
	unsigned n = m->cfg.max_connections ? m->cfg.max_connections : 256;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	while (n > 1 && rl.rlim_cur != RLIM_INFINITY &&
	       (rlim_t)n * FDS_PER_CONNECTION + busy_room(n) + FDS_RESERVED > rl.rlim_cur)
		n--;
	m->max_connections = n;
	m->connections_hard = n + busy_room(n);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct meter *m = cls;
	(void)conn, (void)socket_ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&m->connections, 1);
	else
		atomic_fetch_sub(&m->connections, 1);
}

static void meter_free(struct meter *m)
{
	curl_url_cleanup(m->upstream.url);
	curl_url_cleanup(m->upstream_anthropic.url);
	free(m);
}

static struct MHD_Daemon *daemon_start(struct meter *m, struct sockaddr_in *sa)
{
	return MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL,
		on_request, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, m, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		m, MHD_OPTION_NOTIFY_CONNECTION, on_connection, m, MHD_OPTION_CONNECTION_LIMIT,
		m->connections_hard, MHD_OPTION_CONNECTION_TIMEOUT, m->idle_timeout_s,
		MHD_OPTION_END);
}

/* Opens the trace for appending; a new one gets the header of cfg's source, created, loop. */
static int open_trace(struct meter *m, struct hc_err *err)
{
	const struct meter_config *cfg = &m->cfg;
	struct trace_header h;
	memset(&h, 0, sizeof(h));
	snprintf(h.source, sizeof(h.source), "%s", cfg->source);
	snprintf(h.created, sizeof(h.created), "%s", cfg->created);
	if (cfg->loop && trace_set_str(h.loop, cfg->loop, "--loop", err))
		return HC_EUSAGE;
	return trace_appender_open(&m->trace, cfg->trace_path, &h, err);
}

static int start_projector(struct meter *m, struct hc_err *err)
{
	const struct meter_config *cfg = &m->cfg;
	struct projector_config pc = { .trace_path = cfg->trace_path, .base = cfg->forecast,
				       .prices = cfg->prices, .runs = cfg->forecast_runs,
				       .budget_usd = cfg->budget_usd,
				       .guard = cfg->guard_projected && cfg->budget_usd > 0 };
	m->st.forecasting = 1;
	snprintf(m->st.forecast_base, sizeof(m->st.forecast_base), "%s", cfg->forecast->origin);
	snprintf(m->st.forecast_base_why, sizeof(m->st.forecast_base_why), "%s",
		 cfg->forecast_base_why ? cfg->forecast_base_why : "");
	return projector_start(&m->proj, &pc, err);
}

int meter_start(struct meter **out, const struct meter_config *cfg, struct hc_err *err)
{
	struct sockaddr_in sa;
	struct meter *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!m)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	m->cfg = *cfg;
	m->trace.fd = -1;
	m->st.budget_usd = cfg->budget_usd > 0 ? cfg->budget_usd : NAN;
	m->idle_timeout_s = cfg->idle_timeout_s ? cfg->idle_timeout_s : 30;
	clock_gettime(CLOCK_MONOTONIC, &m->t0);
	fit_open_files(m);
	int rc = parse_config(m, &sa, err);
	if (!rc && curl_global_init(CURL_GLOBAL_DEFAULT))
		rc = hc_err_set(err, HC_ERUNTIME, "cannot initialise libcurl");
	if (!rc)
		rc = open_trace(m, err);
	if (rc) {
		meter_free(m);
		return rc;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->daemon = daemon_start(m, &sa);
	if (!m->daemon) {
		int e = errno;
		trace_appender_close(&m->trace, NULL);
		pthread_mutex_destroy(&m->lock);
		meter_free(m);
		return hc_err_set(err, HC_ERUNTIME, "cannot listen on %s:%u: %s", cfg->listen_addr,
				  cfg->port, e ? strerror(e) : "libmicrohttpd failed");
	}
	if (cfg->forecast && (rc = start_projector(m, err))) {
		meter_stop(m, NULL, NULL);
		return rc;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->daemon,
							       MHD_DAEMON_INFO_BIND_PORT);
	m->port = info ? info->port : cfg->port;
	*out = m;
	return 0;
}

unsigned meter_max_connections(const struct meter *m)
{
	return m->max_connections;
}

unsigned meter_port(const struct meter *m)
{
	return m->port;
}

long long meter_dropped_bytes(const struct meter *m)
{
	return m->trace.dropped;
}

void meter_get_stats(struct meter *m, struct meter_stats *st)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	pthread_mutex_lock(&m->lock);
	*st = m->st;
	pthread_mutex_unlock(&m->lock);
	if (m->proj)
		projector_view(m->proj, &st->forecast);
	st->uptime_s = (double)(t.tv_sec - m->t0.tv_sec) + (t.tv_nsec - m->t0.tv_nsec) / 1e9;
}

int meter_sync(struct meter *m, struct hc_err *err)
{
	pthread_mutex_lock(&m->lock);
	int rc = trace_appender_sync(&m->trace, err);
	trace_counts(m);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/*
 * New requests get a 503; those in flight may end (and be recorded) until cfg.drain_ms has
 * passed, then the server stops and cuts off what is left, each recorded with what it said.
 */
int meter_stop(struct meter *m, struct meter_stats *final, struct hc_err *err)
{
	pthread_mutex_lock(&m->lock);
	m->drain_end = clock_monotonic_s() + (m->cfg.drain_ms > 0 ? m->cfg.drain_ms / 1000.0 : 0);
	atomic_store(&m->stopping, 1);
	pthread_mutex_unlock(&m->lock);
	for (;;) {
		pthread_mutex_lock(&m->lock);
		size_t in_flight = m->st.in_flight;
		pthread_mutex_unlock(&m->lock);
		if (!in_flight || clock_monotonic_s() >= m->drain_end)
			break;
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	MHD_stop_daemon(m->daemon);
	projector_stop(m->proj);
	m->proj = NULL;
	int rc = trace_appender_close(&m->trace, err);
	trace_counts(m);
	if (final)
		meter_get_stats(m, final);
	while (m->pool) {
		struct upstream *u = m->pool;
		m->pool = u->next;
		upstream_free(u);
	}
	while (m->background) {
		struct background *b = m->background;
		m->background = b->next;
		free(b);
	}
	pthread_mutex_destroy(&m->lock);
	curl_global_cleanup();
	meter_free(m);
	return rc;
}

/* "spend": per (role, model); "endpoints": per (path, model), the mean and longest time. */
static void add_tallies(cJSON *o, const struct meter_stats *st)
{
	cJSON *a = cJSON_AddArrayToObject(o, "spend");
	for (size_t i = 0; i < st->n_spend; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "role", st->spend[i].role);
		cJSON_AddStringToObject(x, "model", st->spend[i].model);
		cJSON_AddNumberToObject(x, "calls", (double)st->spend[i].calls);
		cJSON_AddNumberToObject(x, "usd", st->spend[i].usd);
		cJSON_AddItemToArray(a, x);
	}
	a = cJSON_AddArrayToObject(o, "endpoints");
	for (size_t i = 0; i < st->n_endpoints; i++) {
		const struct meter_endpoint *e = &st->endpoints[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "path", e->path);
		cJSON_AddStringToObject(x, "model", e->model);
		cJSON_AddNumberToObject(x, "calls", (double)e->calls);
		cJSON_AddNumberToObject(x, "mean_seconds", e->calls ? e->seconds / e->calls : 0);
		cJSON_AddNumberToObject(x, "max_seconds", e->max_seconds);
		cJSON_AddItemToArray(a, x);
	}
}

static void add_band(cJSON *o, const char *key, const struct project_band *b)
{
	cJSON *x = cJSON_AddObjectToObject(o, key);
	cJSON_AddNumberToObject(x, "p10", b->p10);
	cJSON_AddNumberToObject(x, "p50", b->p50);
	cJSON_AddNumberToObject(x, "p90", b->p90);
}

/* The status's "forecast": the last projection (docs/metering.md, "Live forecast"). */
static void add_forecast(cJSON *o, const struct meter_stats *st)
{
	cJSON *f = cJSON_AddObjectToObject(o, "forecast");
	const struct projector_view *v = &st->forecast;
	const struct projection *p = &v->p;
	cJSON_AddStringToObject(f, "base", st->forecast_base);
	cJSON_AddStringToObject(f, "base_why", st->forecast_base_why);
	cJSON_AddNumberToObject(f, "projections", (double)v->projections);
	cJSON_AddStringToObject(f, "error", v->error);
	cJSON_AddBoolToObject(f, "guard_tripped", v->tripped);
	if (v->tripped)
		cJSON_AddNumberToObject(f, "last_allowed_iteration", (double)v->last_allowed);
	if (!v->have)
		return;
	cJSON_AddNumberToObject(f, "from_iteration", (double)p->upto);
	cJSON_AddNumberToObject(f, "last_iteration", p->last_iteration);
	cJSON_AddNumberToObject(f, "replications", p->runs);
	cJSON_AddNumberToObject(f, "calls", (double)p->calls);
	cJSON_AddNumberToObject(f, "spent_usd", p->spent_usd);
	cJSON_AddNumberToObject(f, "usd_per_hour",
				p->elapsed_hours > 0 ? p->spent_usd / p->elapsed_hours : 0);
	add_band(f, "usd", &p->usd);
	add_band(f, "tokens", &p->tokens);
	add_band(f, "hours_left", &p->hours_left);
	const char *from;
	double end = project_expected_end(p, v->made_at, &from);
	if (isfinite(p->seconds_per_iteration))
		cJSON_AddNumberToObject(f, "seconds_per_iteration", p->seconds_per_iteration);
	cJSON_AddNumberToObject(f, "made_at", v->made_at);
	cJSON_AddNumberToObject(f, "expected_end", end);
	cJSON_AddStringToObject(f, "expected_end_from", from);
}

char *meter_stats_json(const struct meter_stats *st)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "calls", (double)st->calls);
	cJSON_AddNumberToObject(o, "in_flight", (double)st->in_flight);
	cJSON_AddNumberToObject(o, "usage_unknown", (double)st->usage_unknown);
	cJSON_AddNumberToObject(o, "upstream_errors", (double)st->upstream_errors);
	cJSON_AddNumberToObject(o, "unpriced_calls", (double)st->unpriced);
	cJSON_AddNumberToObject(o, "rejected_budget", (double)st->rejected);
	cJSON *t = cJSON_AddObjectToObject(o, "tokens");
	cJSON_AddNumberToObject(t, "input", (double)st->tokens.input);
	cJSON_AddNumberToObject(t, "output", (double)st->tokens.output);
	cJSON_AddNumberToObject(t, "cache_read", (double)st->tokens.cache_read);
	cJSON_AddNumberToObject(t, "cache_write", (double)st->tokens.cache_write);
	cJSON_AddNumberToObject(t, "reasoning", (double)st->tokens.reasoning);
	cJSON_AddNumberToObject(t, "total", (double)usage_total(&st->tokens));
	cJSON_AddNumberToObject(o, "cost_usd", st->cost_usd);
	cJSON_AddNumberToObject(o, "estimated_usd", st->estimated_usd);
	cJSON_AddNumberToObject(o, "usd_per_hour",
				st->uptime_s > 0 ? st->cost_usd * 3600 / st->uptime_s : 0);
	if (isnan(st->budget_usd))
		cJSON_AddNullToObject(o, "budget_usd");
	else
		cJSON_AddNumberToObject(o, "budget_usd", st->budget_usd);
	cJSON_AddBoolToObject(o, "budget_spent", st->budget_spent);
	cJSON_AddNumberToObject(o, "uptime_seconds", st->uptime_s);
	cJSON_AddNumberToObject(o, "write_errors", (double)st->write_errors);
	cJSON_AddNumberToObject(o, "records_pending", (double)st->records_pending);
	cJSON_AddNumberToObject(o, "records_lost", (double)st->records_lost);
	cJSON_AddNumberToObject(o, "trace_reopened", (double)st->trace_reopened);
	cJSON_AddNumberToObject(o, "rejected_projected", (double)st->rejected_projected);
	add_tallies(o, st);
	if (st->forecasting)
		add_forecast(o, st);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}
