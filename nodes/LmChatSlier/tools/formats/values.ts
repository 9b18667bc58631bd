import { balancedEnd } from '../../../shared/completion/json-text';

/**
 * Values as models write them inside calls: JSON, JSON with a trailing comma, and Python literals
 * ('single quotes', True/False/None), which pythonic calls (Llama 3.2/4, LFM2) and some Hermes
 * answers use. Every parser here walks forward only: reading stays linear in the answer's length.
 */

export const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON as models write it: a trailing comma, Python literals, or text around the one JSON value, is forgiven. */
export function parseLenient(text: string): unknown {
	const trimmed = text.trim();
	if (trimmed === '') return undefined;
	for (const attempt of [trimmed, withoutTrailingCommas(trimmed)]) {
		try {
			return JSON.parse(attempt);
		} catch {
			// try the next form
		}
	}
	const python = parsePython(trimmed, 0);
	if (python && skipSpace(trimmed, python.end) === trimmed.length) return python.value;
	const closed = closeOpen(trimmed);
	if (closed !== trimmed) return parseLenient(closed);
	const start = trimmed.search(/[[{]/);
	if (start < 0) return undefined;
	const end = balancedEnd(trimmed, start);
	if (end === undefined || (start === 0 && end === trimmed.length)) return undefined;
	return parseLenient(trimmed.slice(start, end));
}

/**
 * A JSON value the answer stopped inside (`[{"name": …}}` with the array never closed): its open
 * brackets closed, when it stopped between values. Unchanged when nothing is open.
 */
function closeOpen(text: string): string {
	if (!/^[[{]/.test(text)) return text;
	const open: string[] = [];
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
		else if (c === '}' || c === ']') {
			if (open.pop() !== c) return text;
		}
	}
	// Only right after a whole object or array (the calls, or their arguments, are whole): a value
	// cut in its middle could run half a call.
	if (inString || open.length === 0 || !/[}\]]\s*$/.test(text)) return text;
	return text + open.reverse().join('');
}

function withoutTrailingCommas(text: string): string {
	let out = '';
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			out += c;
			if (c === '\\') out += text[++i] ?? '';
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') inString = true;
		if (c === ',' && /^\s*[}\]]/.test(text.slice(i + 1, i + 200))) continue;
		out += c;
	}
	return out;
}

export function skipSpace(text: string, at: number): number {
	while (at < text.length && /\s/.test(text[at])) at++;
	return at;
}

export interface Parsed {
	value: unknown;
	end: number;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', '\\': '\\', "'": "'", '"': '"', '/': '/' };

/**
 * One Python literal (or JSON value) at `at`: strings in either quote, numbers, True/False/None
 * (and true/false/null), lists, tuples, dicts. Undefined when there is none.
 */
export function parsePython(text: string, at: number, depth = 0): Parsed | undefined {
	if (depth > 64) return undefined;
	at = skipSpace(text, at);
	const c = text[at];
	if (c === undefined) return undefined;
	if (c === '"' || c === "'") return parseString(text, at);
	if (c === '[' || c === '(') return parseList(text, at, c === '[' ? ']' : ')', depth);
	if (c === '{') return parseDict(text, at, depth);
	const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 64));
	if (number) return { value: Number(number[0]), end: at + number[0].length };
	const word = /^[A-Za-z_]\w*/.exec(text.slice(at, at + 16));
	if (word) {
		const literals: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };
		if (word[0] in literals) return { value: literals[word[0]], end: at + word[0].length };
	}
	return undefined;
}

function parseString(text: string, at: number): Parsed | undefined {
	const quote = text[at];
	let out = '';
	for (let i = at + 1; i < text.length; i++) {
		const c = text[i];
		if (c === quote && endsString(text, i + 1)) return { value: out, end: i + 1 };
		if (c !== '\\') {
			out += c;
			continue;
		}
		const next = text[++i];
		if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
			out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
			i += 4;
		} else if (next !== undefined) out += ESCAPES[next] ?? `\\${next}`; // Python keeps unknown escapes
	}
	return undefined;
}

/**
 * Whether a quote at `at - 1` closes its string. Models put unescaped quotes inside quoted
 * values (`command='sed -n '1,5p' f.py'`, vLLM's LFM2 tests): a quote closes only where a value
 * may end, before `,` `]` `}` `:`, a call's `)` that ends it, or the end.
 */
function endsString(text: string, at: number): boolean {
	const i = skipSpace(text, at);
	const c = text[i];
	if (c === undefined || c === ',' || c === ']' || c === '}' || c === ':' || c === '<') return true;
	if (c !== ')') return false;
	const next = skipSpace(text, i + 1);
	const after = text[next];
	// After the call's `)`: the list goes on or ends, or a new line starts the next call (OLMo 3).
	return after === undefined || after === ',' || after === ']' || after === '<' || after === ';' || text.slice(i + 1, next).includes('\n');
}

function parseList(text: string, at: number, close: string, depth: number): Parsed | undefined {
	const items: unknown[] = [];
	let i = skipSpace(text, at + 1);
	while (text[i] !== close) {
		const item = parsePython(text, i, depth + 1);
		if (!item) return undefined;
		items.push(item.value);
		i = skipSpace(text, item.end);
		if (text[i] === ',') i = skipSpace(text, i + 1);
		else if (text[i] !== close) return undefined;
	}
	return { value: items, end: i + 1 };
}

function parseDict(text: string, at: number, depth: number): Parsed | undefined {
	const out: Record<string, unknown> = {};
	let i = skipSpace(text, at + 1);
	while (text[i] !== '}') {
		const key = parsePython(text, i, depth + 1);
		if (!key) return undefined;
		i = skipSpace(text, key.end);
		// A Python set ({'a', 'b'}) becomes a list, in the order written.
		if (Object.keys(out).length === 0 && (text[i] === ',' || text[i] === '}')) return parseSet(text, at, depth);
		if (text[i] !== ':' || (typeof key.value !== 'string' && typeof key.value !== 'number')) return undefined;
		const value = parsePython(text, i + 1, depth + 1);
		if (!value) return undefined;
		out[String(key.value)] = value.value;
		i = skipSpace(text, value.end);
		if (text[i] === ',') i = skipSpace(text, i + 1);
		else if (text[i] !== '}') return undefined;
	}
	return { value: out, end: i + 1 };
}

function parseSet(text: string, at: number, depth: number): Parsed | undefined {
	const list = parseList(text, at, '}', depth);
	return list;
}

/**
 * JSON values one after another from `at`, as models list several calls: one per line, or
 * separated by `;` or `,` (Llama 3.x). Stops at the first thing that is not a value.
 * `open` is set when the last value never closes (the answer was cut, or is still streaming).
 */
export function jsonSequence(text: string, at: number): { values: unknown[]; end: number; open: boolean } {
	const values: unknown[] = [];
	let i = skipSpace(text, at);
	let end = i;
	for (;;) {
		if (text[i] !== '{' && text[i] !== '[') break;
		const close = balancedEnd(text, i);
		if (close === undefined) {
			const rest = parseLenient(text.slice(i));
			if (rest !== undefined) values.push(rest);
			return { values, end: text.length, open: true };
		}
		values.push(parseLenient(text.slice(i, close)));
		end = close;
		i = skipSpace(text, close);
		if (text[i] === ';' || text[i] === ',') i = skipSpace(text, i + 1);
	}
	return { values, end, open: false };
}
