import { SlierError } from '../transport/errors';
import { readToolCalls } from './tool-calls';
import type { Answer, ContentFilter, FilterDetails, Usage } from './types';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** `created` is documented as a string but sent as a number: accept both, output a number. */
export function toCreated(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	return null;
}

export function toUsage(value: unknown): Usage | null {
	if (!isObject(value)) return null;
	const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
	const promptTokens = num(value.prompt_tokens);
	const completionTokens = num(value.completion_tokens);
	let totalTokens = num(value.total_tokens);
	if (totalTokens === null && promptTokens !== null && completionTokens !== null) {
		totalTokens = promptTokens + completionTokens;
	}
	return { promptTokens, completionTokens, totalTokens };
}

/** The API pads answers with a leading space (" I'm doing well"); downstream nodes want text. */
export function cleanContent(content: string | null): string | null {
	return content === null ? null : content.trim();
}

export function filterOf(details: FilterDetails): ContentFilter {
	return {
		reason: details.reason ?? 'content_filter',
		param: details.param ?? null,
		message: details.apiMessage ?? null,
	};
}

/** Normalizes a non-streamed completion (`chat.completion` or `search.completion`). */
export function fromCompletion(body: unknown): Answer {
	if (!isObject(body)) {
		throw new SlierError('response', 'Slier sent a response that is not a JSON object');
	}
	const choices = Array.isArray(body.choices) ? body.choices : [];
	const choice = isObject(choices[0]) ? choices[0] : undefined;
	const message = choice && isObject(choice.message) ? choice.message : undefined;
	if (!message) {
		throw new SlierError('response', 'Slier sent a response without an answer (no choices[0].message)');
	}
	const finishReason = str(choice?.finish_reason);
	const filtered = finishReason === 'content_filter';
	const toolCalls = readToolCalls(message.tool_calls);
	return {
		...(toolCalls ? { toolCalls } : {}),
		content: cleanContent(str(message.content)),
		role: str(message.role) ?? 'assistant',
		finishReason,
		model: str(body.model),
		usage: toUsage(body.usage),
		filtered,
		filter: filtered ? filterOf({}) : null,
		id: str(body.id),
		created: toCreated(body.created),
		raw: body,
	};
}

/** The item for an answer the content filter stopped before any text (HTTP 400). */
export function fromFilterError(details: FilterDetails, raw: unknown): Answer {
	return {
		content: null,
		role: 'assistant',
		finishReason: 'content_filter',
		model: null,
		usage: null,
		filtered: true,
		filter: filterOf(details),
		id: null,
		created: null,
		raw,
	};
}
