// The official OpenAI and Anthropic clients, streaming and not, pointed at hypercap meter by
// the environment the meter gives its child (OPENAI_BASE_URL, ANTHROPIC_BASE_URL). Run by
// tests/test_meter.c as `hypercap meter ... -- node clients.mjs`; exits 1 on any failure.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const openai = new OpenAI({ maxRetries: 0, timeout: 20000 });
const anthropic = new Anthropic({ maxRetries: 0, timeout: 20000 });
const messages = [{ role: 'user', content: 'Say hello.' }];

async function main() {
	const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages,
		max_tokens: 11 });
	if (!chat.usage || chat.usage.completion_tokens !== 11)
		throw new Error('chat: no usage');
	let chunks = 0;
	const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages,
		max_tokens: 13, stream: true, stream_options: { include_usage: true } });
	for await (const chunk of stream)
		chunks++;
	if (chunks < 3)
		throw new Error('chat stream: ' + chunks + ' chunks');
	const resp = await openai.responses.create({ model: 'o4-mini', input: 'Say hello.',
		max_output_tokens: 17 });
	if (!resp.usage || resp.usage.output_tokens !== 17)
		throw new Error('responses: no usage');
	let completed = false;
	const rstream = await openai.responses.create({ model: 'o4-mini', input: 'Say hello.',
		max_output_tokens: 19, stream: true });
	for await (const ev of rstream)
		completed ||= ev.type === 'response.completed';
	if (!completed)
		throw new Error('responses stream: no response.completed');
	const emb = await openai.embeddings.create({ model: 'text-embedding-3-small',
		input: 'hello', encoding_format: 'float' });
	if (!emb.usage)
		throw new Error('embeddings: no usage');
	const msg = await anthropic.messages.create({ model: 'claude-opus-4-5', messages,
		max_tokens: 23 });
	if (msg.usage.output_tokens !== 23)
		throw new Error('messages: output ' + msg.usage.output_tokens);
	const mstream = anthropic.messages.stream({ model: 'claude-haiku-4-5', messages,
		max_tokens: 29 });
	const final = await mstream.finalMessage();
	if (final.usage.output_tokens !== 29)
		throw new Error('messages stream: output ' + final.usage.output_tokens);
}

main().then(() => process.exit(0), (e) => {
	console.error('clients.mjs: ' + e.message);
	process.exit(1);
});
