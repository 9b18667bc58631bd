/**
 * A minimal OpenAI-compatible chat model at /openai/v1/chat/completions, so the e2e can run
 * n8n's AI Agent (with its OpenAI Chat Model node) offline: it calls the first tool it is given
 * with the user's last message for every required argument, then answers with what the tool
 * returned. Only for the agent test; it plays no part in the Slier API.
 */
interface ToolSpec {
	type: string;
	function: { name: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } };
}

interface OpenAiMessage {
	role: string;
	content?: unknown;
	tool_calls?: unknown[];
}

const text = (content: unknown): string =>
	typeof content === 'string'
		? content
		: Array.isArray(content)
			? content.map((part) => (part as { text?: string }).text ?? '').join('')
			: '';

export function agentModelReply(body: { model?: string; messages?: OpenAiMessage[]; tools?: ToolSpec[] }): object {
	const messages = body.messages ?? [];
	const toolResult = [...messages].reverse().find((m) => m.role === 'tool');
	const question = text([...messages].reverse().find((m) => m.role === 'user')?.content);
	const tool = body.tools?.[0]?.function;
	const base = { id: 'chatcmpl-emulator', object: 'chat.completion', created: 1692154125, model: body.model ?? 'emulator-agent' };
	const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
	if (!toolResult && tool) {
		const args: Record<string, string> = {};
		const names = tool.parameters?.required ?? Object.keys(tool.parameters?.properties ?? {});
		for (const name of names) args[name] = question;
		return {
			...base,
			choices: [
				{
					index: 0,
					message: {
						role: 'assistant',
						content: null,
						tool_calls: [{ id: 'call_emulator_1', type: 'function', function: { name: tool.name, arguments: JSON.stringify(args) } }],
					},
					finish_reason: 'tool_calls',
				},
			],
			usage,
		};
	}
	return {
		...base,
		choices: [
			{ index: 0, message: { role: 'assistant', content: `Agent answer from the tool: ${text(toolResult?.content)}` }, finish_reason: 'stop' },
		],
		usage,
	};
}

/** The same reply as OpenAI's SSE stream (the langchain client asks for one). */
export function agentModelStream(reply: ReturnType<typeof agentModelReply>): string {
	const r = reply as {
		id: string;
		created: number;
		model: string;
		choices: Array<{ message: { role: string; content: string | null; tool_calls?: Array<Record<string, unknown>> }; finish_reason: string }>;
		usage: object;
	};
	const { message, finish_reason } = r.choices[0];
	const head = { id: r.id, object: 'chat.completion.chunk', created: r.created, model: r.model };
	const delta = message.tool_calls
		? { role: 'assistant', content: null, tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
		: { role: 'assistant', content: message.content };
	const events = [
		{ ...head, choices: [{ index: 0, delta, finish_reason: null }] },
		{ ...head, choices: [{ index: 0, delta: {}, finish_reason }] },
		{ ...head, choices: [], usage: r.usage },
	];
	return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
}
