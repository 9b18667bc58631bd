import type { RawCall } from '../read-calls';
import { skipSpace } from './values';

/**
 * FunctionGemma and Gemma 4 (vLLM `functiongemma_tool_parser.py`, `gemma4_tool_parser.py`):
 * `call:NAME{key:<escape>text<escape>,n:26}` inside `<start_function_call>…<end_function_call>`
 * (FunctionGemma) or `<|tool_call>…<tool_call|>` (Gemma 4, strings between `<|"|>`). Keys are
 * bare, strings sit between the escape tokens, other values are written as they are.
 */
export function readGemma(body: string): RawCall[] | undefined {
	const calls: RawCall[] = [];
	const header = /call\s*:\s*([\w.-]+)\s*(?=\{)/g;
	for (let match = header.exec(body); match; match = header.exec(body)) {
		const args = parseValue(body, match.index + match[0].length, 0);
		if (!args) return undefined;
		calls.push({ name: match[1], arguments: args.value });
		header.lastIndex = args.end;
	}
	return calls.length > 0 ? calls : undefined;
}

const QUOTES = ['<|"|>', '<escape>'];

function parseValue(text: string, at: number, depth: number): { value: unknown; end: number } | undefined {
	if (depth > 32) return undefined;
	const i = skipSpace(text, at);
	const quote = QUOTES.find((q) => text.startsWith(q, i));
	if (quote) {
		const close = text.indexOf(quote, i + quote.length);
		if (close < 0) return undefined;
		return { value: text.slice(i + quote.length, close), end: close + quote.length };
	}
	if (text[i] === '{') return parseObject(text, i, depth);
	if (text[i] === '[') {
		const items: unknown[] = [];
		let j = skipSpace(text, i + 1);
		while (text[j] !== ']') {
			const item = parseValue(text, j, depth + 1);
			if (!item) return undefined;
			items.push(item.value);
			j = skipSpace(text, item.end);
			if (text[j] === ',') j = skipSpace(text, j + 1);
			else if (text[j] !== ']') return undefined;
		}
		return { value: items, end: j + 1 };
	}
	const bare = /^[^,}\]]*/.exec(text.slice(i, i + 1000))![0];
	const word = bare.trim();
	if (word === '') return undefined;
	if (/^(true|false|null)$/.test(word) || /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(word)) return { value: JSON.parse(word), end: i + bare.length };
	return { value: word, end: i + bare.length };
}

function parseObject(text: string, at: number, depth: number): { value: Record<string, unknown>; end: number } | undefined {
	const out: Record<string, unknown> = {};
	let i = skipSpace(text, at + 1);
	while (text[i] !== '}') {
		const key = /^(?:<\|"\|>|<escape>|")?([\w.-]+)(?:<\|"\|>|<escape>|")?\s*:/.exec(text.slice(i, i + 300));
		if (!key) return undefined;
		const value = parseValue(text, i + key[0].length, depth + 1);
		if (!value) return undefined;
		out[key[1]] = value.value;
		i = skipSpace(text, value.end);
		if (text[i] === ',') i = skipSpace(text, i + 1);
		else if (text[i] !== '}') return undefined;
	}
	return { value: out, end: i + 1 };
}
