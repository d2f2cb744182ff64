/*
 * dgm_logs: the LLM calls in the agent logs that DGM and DGM-H write.
 *
 * Both write their agents' logs through Python's logging with the format '%(message)s', and
 * print texts and responses with repr(), so that one logged message is one line. A log may
 * hold three shapes of line, each read here:
 *
 *  - "Response(id='...', ...)" or "Tool Response: Response(id='...', ...)": a response of
 *    OpenAI's Responses API printed by DGM's chat_with_agent_openai. Its usage is reported:
 *    one llm_call with the response's id, created_at, model, status and usage.
 *  - "[{'role': 'user', 'content': [...]}, ...]": the message history that DGM's
 *    chat_with_agent prints after a Claude conversation (convert_msg_history_claude), text
 *    without usage. Every assistant message is one call.
 *  - "Input: '...'", "Output: '...'", "Tool output: '...'": DGM-H's chat_with_agent
 *    (agent/llm_withtools.py), text without usage. Every Output is one call. Read only in
 *    DGM-H's logs (chat_lines): DGM's own chat_with_agent_manualtools logs such lines
 *    without repr(), over several lines, which cannot be counted.
 *
 * Calls read from text get estimated counts (estimated, method "chars/4"): output is the
 * reply's characters / 4, input the characters of every message before it in the
 * conversation / 4, both rounded up. The system prompt and tool definitions are not in the
 * logs, so the input estimate leaves them out. Characters are counted as Python counts them
 * (an escape sequence is one, a UTF-8 sequence one). Other lines are ignored.
 */
#ifndef IMPORT_DGM_LOGS_H
#define IMPORT_DGM_LOGS_H

#include <stddef.h>
#include "trace/trace.h"

#define DGM_LOG_METHOD "chars/4"
#define DGM_LOG_CHARS_PER_TOKEN 4

struct dgm_log {
	struct trace_writer *w;
	/*
	 * What every call of the log shares: node, parent, iteration, role, domain, task, run,
	 * and the provider and model of the calls read from text (which do not name theirs).
	 * Without a model those calls cannot be priced and are written without usage.
	 */
	struct trace_llm_call tmpl;
	int chat_lines; /* the log is DGM-H's: read its Input / Output / Tool output lines */
	size_t reported, estimated, unpriced; /* calls written, by kind */
};

/* Sets log to write to w, with every field of the template unknown. */
void dgm_log_init(struct dgm_log *log, struct trace_writer *w);

/*
 * Writes an llm_call for every call in the log at path. HC_EINPUT with "PATH:LINE: ..." for a
 * line of one of the shapes above that cannot be read; HC_EINPUT when path is missing.
 */
int dgm_log_import(struct dgm_log *log, const char *path, struct hc_err *err);

/* Tokens estimated from characters: ceil(chars / 4). */
long long dgm_log_tokens(size_t chars);

#endif
