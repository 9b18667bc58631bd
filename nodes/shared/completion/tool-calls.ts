import type { AnswerToolCall } from './types';

/**
 * Native tool calls (OpenAI's `tool_calls`), which a Slier model may send when asked through
 * `model_params.tools`. The API documents none; they are read when present and ignored otherwise.
 */
export function readToolCalls(value: unknown): AnswerToolCall[] | undefined {
	if (!Array.isArray(value)) return undefined;
	const calls: AnswerToolCall[] = [];
	for (const item of value) {
		const fn = (item as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
		if (!fn || typeof fn.name !== 'string') continue;
		const id = (item as { id?: unknown }).id;
		calls.push({
			id: typeof id === 'string' ? id : null,
			name: fn.name,
			arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
		});
	}
	return calls.length > 0 ? calls : undefined;
}

/** Streamed tool-call fragments (`delta.tool_calls`, keyed by `index`), put together. */
export class ToolCallAssembler {
	private readonly calls = new Map<number, AnswerToolCall>();
	/** Characters of names and arguments received: a stream's progress, like answer text. */
	received = 0;

	push(value: unknown): void {
		if (!Array.isArray(value)) return;
		for (const [position, item] of value.entries()) {
			const part = item as { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
			if (!part || typeof part !== 'object') continue;
			const index = typeof part.index === 'number' ? part.index : position;
			const call = this.calls.get(index) ?? { id: null, name: '', arguments: '' };
			if (typeof part.id === 'string' && part.id !== '') call.id = part.id;
			if (typeof part.function?.name === 'string') call.name += part.function.name;
			if (typeof part.function?.arguments === 'string') call.arguments += part.function.arguments;
			this.received += (typeof part.function?.name === 'string' ? part.function.name.length : 0) + (typeof part.function?.arguments === 'string' ? part.function.arguments.length : 0);
			this.calls.set(index, call);
		}
	}

	result(): AnswerToolCall[] | undefined {
		const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call).filter((call) => call.name !== '');
		return calls.length > 0 ? calls : undefined;
	}
}
