import type { ResponseMeta } from '../transport/client';
import { excerpt, SlierError } from '../transport/errors';
import { joinThoughts, readThought, splitThought } from './reasoning';
import { readToolCalls } from './tool-calls';
import type { Answer, ChoiceText, ContentFilter, FilterDetails, Usage } from './types';

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
	const details = value.completion_tokens_details;
	const reasoningTokens = isObject(details) ? num(details.reasoning_tokens) : null;
	return { promptTokens, completionTokens, totalTokens, ...(reasoningTokens !== null ? { reasoningTokens } : {}) };
}

/**
 * The API pads answers with a leading space (" I'm doing well"); downstream nodes want text. No
 * text at all is `null`, as the API's own `content: null`: a stream cannot tell "" from null, and
 * the same answer must give the same item streamed or not.
 */
export function cleanContent(content: string | null): string | null {
	if (content === null) return null;
	const text = content.trim();
	return text === '' ? null : text;
}

/**
 * A message's text: a string, or an array of text parts (`[{type: "text", text}]`, or strings)
 * joined, as OpenAI-style gateways send it. Anything else holds no text (null).
 */
export function contentText(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (!Array.isArray(value)) return null;
	let text: string | null = null;
	for (const part of value) {
		const piece =
			typeof part === 'string'
				? part
				: isObject(part) && typeof part.text === 'string' && (part.type === undefined || part.type === 'text' || part.type === 'output_text')
					? part.text
					: null;
		if (piece !== null) text = (text ?? '') + piece;
	}
	return text;
}

/** Each choice's text and finish reason, by index, for an answer with several choices (`n` > 1). */
export function choiceTexts(choices: unknown[]): ChoiceText[] {
	return choices
		.map((choice, position): ChoiceText | undefined => {
			if (!isObject(choice)) return undefined;
			const message = isObject(choice.message) ? choice.message : isObject(choice.delta) ? choice.delta : {};
			return {
				index: typeof choice.index === 'number' ? choice.index : position,
				content: cleanContent(splitThought(contentText(message.content) ?? '').answer),
				finishReason: str(choice.finish_reason),
			};
		})
		.filter((choice): choice is ChoiceText => choice !== undefined)
		.sort((a, b) => a.index - b.index);
}

/** An answer with neither text nor a finish reason: nothing to pass on, and nothing says why. */
export function noAnswerError(how: 'stream' | 'json'): SlierError {
	return new SlierError('response', { problem: 'no_answer', fromStream: how === 'stream' });
}

export function filterOf(details: FilterDetails): ContentFilter {
	return {
		reason: details.reason ?? 'content_filter',
		param: details.param ?? null,
		message: details.apiMessage ?? null,
	};
}

/** Normalizes a non-streamed completion (`chat.completion` or `search.completion`). */
export function fromCompletion(body: unknown, meta?: ResponseMeta): Answer {
	// JSON that is not an object, or one with no choices and no sign of a completion: another service
	// answered (a wrong Base URL).
	if (!isObject(body) || (body.choices === undefined && !/^(chat|search)\.completion/.test(str(body.object) ?? ''))) {
		throw new SlierError('response', {
			problem: 'not_api',
			status: meta?.status,
			contentType: meta?.contentType || undefined,
			origin: meta?.origin,
			bodyExcerpt: excerpt(JSON.stringify(body)),
		});
	}
	const choices = Array.isArray(body.choices) ? body.choices : [];
	// The answer is the first choice (index 0), wherever the API put it in the list.
	const choice = (choices.find((c) => isObject(c) && c.index === 0) ?? choices[0]) as unknown;
	const message = isObject(choice) && isObject(choice.message) ? choice.message : undefined;
	if (!isObject(choice) || !message) {
		throw new SlierError('response', { problem: 'no_choice' });
	}
	const finishReason = str(choice.finish_reason);
	const split = splitThought(contentText(message.content) ?? '');
	const content = cleanContent(split.answer);
	if (content === null && finishReason === null) throw noAnswerError('json');
	const filtered = finishReason === 'content_filter';
	const toolCalls = readToolCalls(message.tool_calls);
	return {
		...(toolCalls ? { toolCalls } : {}),
		content,
		reasoning: joinThoughts(readThought(message), split.thought),
		role: str(message.role) ?? 'assistant',
		finishReason,
		model: str(body.model),
		usage: toUsage(body.usage),
		filtered,
		filter: filtered ? filterOf({}) : null,
		id: str(body.id),
		created: toCreated(body.created),
		...(choices.length > 1 ? { choices: choiceTexts(choices) } : {}),
		raw: body,
	};
}

/** The item for an answer the content filter stopped before any text (HTTP 400). */
export function fromFilterError(details: FilterDetails, raw: unknown): Answer {
	return {
		content: null,
		reasoning: null,
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
