import { NodeOperationError, type INode } from 'n8n-workflow';

import { balancedEnd } from '../completion/json-text';
import { typed } from './errors';

/** At most this many `{` / `[` positions are tried as the start of embedded JSON. */
const MAX_STARTS = 50;
const FENCE = /```[ \t]*(?:json|JSON|json5)?[ \t]*\r?\n?([\s\S]*?)```/g;

type Parsed = { found: true; value: unknown } | { found: false };

function tryParse(text: string): Parsed {
	const trimmed = text.trim();
	if (trimmed === '') return { found: false };
	try {
		return { found: true, value: JSON.parse(trimmed) as unknown };
	} catch {
		return { found: false };
	}
}

/**
 * The JSON a model answered with: the whole answer, else a ```json fenced block, else the first
 * whole object or array inside the text (a sentence before or after it is ignored). A value that
 * is invalid or cut off is not searched for smaller values inside it: the item fails instead.
 */
export function readJsonAnswer(text: string | null): Parsed {
	if (text === null) return { found: false };
	const whole = tryParse(text);
	if (whole.found) return whole;
	for (const [, block] of text.matchAll(FENCE)) {
		const fenced = tryParse(block);
		if (fenced.found) return fenced;
	}
	let tried = 0;
	for (let i = 0; i < text.length && tried < MAX_STARTS; i++) {
		if (text[i] !== '{' && text[i] !== '[') continue;
		tried++;
		const end = balancedEnd(text, i);
		// Never closed: JSON cut off (by a token limit, say). Its first inner value is no answer.
		if (end === undefined) break;
		const embedded = tryParse(text.slice(i, end));
		if (embedded.found) return embedded;
		// Closed but invalid (a trailing comma, say): its inner values are fragments, not the
		// answer, so the search goes on after it. Each character is scanned once.
		i = end - 1;
	}
	return { found: false };
}

/** The start of the answer on one line, for an error message. */
function quoteStart(text: string | null): string {
	const line = (text ?? '').replace(/\s+/g, ' ').trim();
	if (line === '') return '(an empty answer)';
	return `"${line.length > 60 ? `${line.slice(0, 60)}…` : line}"`;
}

export function invalidJsonError(node: INode, itemIndex: number, text: string | null): NodeOperationError {
	const error = new NodeOperationError(node, `Slier's answer holds no valid JSON (item ${itemIndex}): ${quoteStart(text)}`, {
		itemIndex,
		description:
			'Ask the model for JSON only, e.g. end the message with "Answer with a JSON object only, no other text.", or set Options → Answer Format to Text.',
	});
	return typed(error, 'invalid_json');
}
