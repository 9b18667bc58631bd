import { createHash } from 'node:crypto';

import { stripDirectives, stripDirectivesKeepLayout } from './directives';

export interface EmulatorMessage {
	role: string;
	content: string;
}

export type Endpoint = 'chat' | 'search';

export interface Completion {
	id: string;
	created: number;
	model: string | null;
	/** The answer split into the deltas a stream sends (joined, they are the whole answer). */
	tokens: string[];
	promptTokens: number;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * A deterministic answer derived from the request, so tests can assert exact text, usage, id and
 * created. Like the real API, the text starts with a space, which the nodes trim.
 */
export function answerFor(
	endpoint: Endpoint,
	body: { model?: string; messages: EmulatorMessage[]; model_params?: unknown },
	sizeChars?: number,
	verbatim = false,
	/** A fixed answer text (the `reply` directive), e.g. the JSON an AI chain's parser wants. */
	reply?: string,
): Completion {
	const userMessages = body.messages.filter((m) => m.role === 'user');
	const last = userMessages[userMessages.length - 1]?.content ?? '';
	const prompt = stripDirectives(last);
	const model = endpoint === 'chat' ? (body.model ?? null) : null;
	// Verbatim keeps line breaks, so a test can have the answer be a fenced JSON block.
	const text =
		reply !== undefined
			? ` ${reply}`
			: verbatim
				? ` ${stripDirectivesKeepLayout(last)}`
				: endpoint === 'chat'
					? ` ${model} answers “${prompt}” ✓`
					: ` Slier Search on “${prompt}”: the first source¹ says yes, the second² agrees, and the first¹ adds more. See [the report](https://example.com/report).`;
	const seed = JSON.stringify({ endpoint, model: body.model, messages: body.messages, p: body.model_params });
	const hash = createHash('sha1').update(seed).digest('hex');
	return {
		id: hash.slice(0, 32),
		created: 1692154125 + (parseInt(hash.slice(0, 6), 16) % 1_000_000),
		model,
		tokens: sizeChars ? bigTokens(sizeChars) : text.split(/(?= )/),
		promptTokens: body.messages.reduce((n, m) => n + words(stripDirectives(m.content)), 0),
	};
}

/** A large answer (for size tests) in 4 KiB deltas. */
function bigTokens(chars: number): string[] {
	const line = 'Slier streams large answers in pieces. ';
	const piece = line.repeat(Math.ceil(4096 / line.length)).slice(0, 4096);
	const tokens: string[] = [];
	for (let left = chars; left > 0; left -= piece.length) tokens.push(piece.slice(0, Math.min(left, piece.length)));
	return tokens;
}

export const MODELS = [
	{ id: 'claude-2', name: 'Claude 2' },
	{ id: 'gpt-4o', name: 'GPT-4o' },
	{ id: 'llama-3-70b', name: 'Llama 3 70B' },
];
