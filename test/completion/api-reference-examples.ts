/**
 * The examples of the Slier API reference (docs.slier.ai/api-reference/chat: "The chat completion
 * object" and "The chat completion chunk object", whose middle chunks the page elides with "…";
 * the two given are kept as written, the answer's text split as the first one is).
 */
export const CHAT_COMPLETION = {
	id: '9f6280c9e7e340edb043a1b1d512ea4b',
	object: 'chat.completion',
	created: 1692154125,
	model: 'claude-2',
	choices: [{ index: 0, message: { role: 'assistant', content: " I'm doing well, thanks for asking!" }, finish_reason: 'stop' }],
	usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
};

const chunk = (delta: object, finishReason: string | null, extra: object = {}) => ({
	id: '9f6280c9e7e340edb043a1b1d512ea4b',
	object: 'chat.completion.chunk',
	created: 1692154202,
	model: 'claude-2',
	choices: [{ index: 0, delta, finish_reason: finishReason }],
	...extra,
});

/** The stream of the same answer, as `data:` payloads in order, ending with `[DONE]`. */
export const CHAT_CHUNKS: string[] = [
	chunk({ role: 'assistant', content: ' I' }, null),
	chunk({ content: "'m doing well," }, null),
	chunk({ content: ' thanks for asking!' }, null),
	chunk({}, 'stop', { usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } }),
]
	.map((value) => JSON.stringify(value))
	.concat('[DONE]');
