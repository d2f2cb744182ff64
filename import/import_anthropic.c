/*
 * import anthropic: JSON Lines of Anthropic Messages API response bodies ("type":
 * "message"), bare or wrapped as a Message Batches result line ({"custom_id", "result":
 * {"type": "succeeded", "message": ...}}).
 *
 * Anthropic's input_tokens EXCLUDES cache_read_input_tokens and cache_creation_input_tokens
 * (FACTS §2), so hypercap's input is their sum; adding them again later would double-bill.
 * Anthropic does not report thinking tokens apart from output: reasoning stays 0.
 */
#include <string.h>
#include <cjson/cJSON.h>
#include "import/import.h"
#include "import/usage_parse.h"

static int one_message(const cJSON *msg, struct trace_llm_call *c, struct hc_err *err)
{
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(msg, "model");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(msg, "usage");
	if (!cJSON_IsString(model))
		return hc_err_set(err, HC_EINPUT, "model: missing; allowed: a Messages body with "
				  "\"model\" and \"usage\"");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *stop = cJSON_GetObjectItemCaseSensitive(msg, "stop_reason");
	if (trace_set_str(c->model, model->valuestring, "model", err) ||
	    (cJSON_IsString(id) && trace_set_str(c->id, id->valuestring, "id", err)) ||
	    (cJSON_IsString(stop) && trace_set_str(c->status, stop->valuestring, "status", err)))
		return HC_EINPUT;
	strcpy(c->provider, "anthropic");
	usage_parse_service_tier(c->service_tier, msg);
	if (!cJSON_IsObject(usage))
		return 0; /* not reported: the call stays unpriced */
	if (usage_parse_anthropic(usage, &c->usage, err))
		return HC_EINPUT;
	c->has_usage = 1;
	return 0;
}

static int one_line(const cJSON *o, const char *path, long line, struct trace_writer *w,
		    struct import_stats *st, struct hc_err *err)
{
	const cJSON *msg = o;
	if (cJSON_GetObjectItemCaseSensitive(o, "custom_id")) {
		const cJSON *result = cJSON_GetObjectItemCaseSensitive(o, "result");
		msg = cJSON_GetObjectItemCaseSensitive(result, "message");
		if (!cJSON_IsObject(msg)) {
			/* errored, canceled or expired: no message, nothing billed */
			st->skipped++;
			snprintf(st->skipped_what, sizeof(st->skipped_what),
				 "batch results without a message");
			return 0;
		}
	}
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	rec.u.call.batch = msg != o; /* priced at the batch rates */
	if (one_message(msg, &rec.u.call, err) || trace_writer_put(w, &rec, err))
		return hc_err_prefix(err, "%s:%ld", path, line);
	return 0;
}

int import_anthropic(const char *path, struct trace_writer *w, struct import_stats *st,
		     struct hc_err *err)
{
	return import_json_lines(path, one_line, w, st, err);
}
