/*
 * import openai: JSON Lines of OpenAI response bodies, one per line: Chat Completions
 * ("object": "chat.completion") or Responses ("object": "response"), bare or wrapped as a
 * Batch API output line ({"custom_id", "response": {"body": ...}, "error"}).
 *
 * OpenAI's counts already follow hypercap's convention: prompt/input tokens include the
 * cached ones, completion/output tokens include reasoning. OpenAI reports no cache writes.
 */
#include <string.h>
#include <cjson/cJSON.h>
#include "import/import.h"
#include "import/usage_parse.h"

static int one_body(const cJSON *body, struct trace_llm_call *c, struct hc_err *err)
{
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(body, "model");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(body, "usage");
	const cJSON *object = cJSON_GetObjectItemCaseSensitive(body, "object");
	int chat = cJSON_IsString(object) ? !strcmp(object->valuestring, "chat.completion") :
		   !!cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens");
	if (!cJSON_IsString(model))
		return hc_err_set(err, HC_EINPUT, "model: missing; allowed: a Chat Completions or "
				  "Responses body with \"model\" and \"usage\"");
	if (trace_set_str(c->model, model->valuestring, "model", err))
		return HC_EINPUT;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
	if (cJSON_IsString(id) && trace_set_str(c->id, id->valuestring, "id", err))
		return HC_EINPUT;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, chat ? "created" : "created_at");
	if (cJSON_IsNumber(t))
		c->start_time = t->valuedouble;
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(body, "status");
	if (chat) {
		const cJSON *choice = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(body, "choices"), 0);
		status = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
	}
	if (cJSON_IsString(status) && trace_set_str(c->status, status->valuestring, "status", err))
		return HC_EINPUT;
	strcpy(c->provider, "openai");
	usage_parse_service_tier(c->service_tier, body);
	if (import_call_metadata(c, cJSON_GetObjectItemCaseSensitive(body, "metadata"), err))
		return HC_EINPUT;
	if (!cJSON_IsObject(usage))
		return 0; /* not reported: the call stays unpriced */
	c->has_usage = 1;
	return chat ? usage_parse_openai_chat(usage, &c->usage, err) :
		      usage_parse_openai_responses(usage, &c->usage, err);
}

static int one_line(const cJSON *o, const char *path, long line, struct trace_writer *w,
		    struct import_stats *st, struct hc_err *err)
{
	const cJSON *body = o;
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "response");
	if (cJSON_GetObjectItemCaseSensitive(o, "custom_id")) {
		/* A Batch API output line; a failed request carries no body. */
		body = cJSON_GetObjectItemCaseSensitive(resp, "body");
		if (!cJSON_IsObject(body)) {
			st->skipped++;
			snprintf(st->skipped_what, sizeof(st->skipped_what), "failed batch requests");
			return 0;
		}
	}
	struct trace_record rec;
	trace_record_init(&rec, TRACE_LLM_CALL);
	rec.u.call.batch = body != o; /* priced at the batch rates */
	if (one_body(body, &rec.u.call, err))
		return hc_err_prefix(err, "%s:%ld", path, line);
	return trace_writer_put(w, &rec, err) ? hc_err_prefix(err, "%s:%ld", path, line) : 0;
}

int import_openai(const char *path, struct trace_writer *w, struct import_stats *st,
		  struct hc_err *err)
{
	return import_json_lines(path, one_line, w, st, err);
}
