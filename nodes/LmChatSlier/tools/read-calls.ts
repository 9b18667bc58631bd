import { resolveToolName, type ToolSpec } from './specs';
import { balancedEnd } from '../../shared/completion/json-text';

/**
 * The lenient call reader. It finds tool calls in an answer the way models really write them:
 * the documented <tool_call> blocks, a ```json fence, a bare JSON answer, an array of calls,
 * OpenAI's {"tool_calls": [...]}, `name` or `tool`, `arguments`/`input`/`args`/`parameters` as an
 * object or a JSON string, a trailing comma. Prose before the first call is kept; text after a
 * call is not an answer (models invent the result there) and is dropped.
 *
 * A block is a call when the model plainly meant one (a <tool_call> block, a `tool_call` fence,
 * OpenAI's `tool_calls`), or when it names an offered tool. A fenced JSON naming no offered tool
 * is an ordinary answer: a user asking for a config example gets it.
 */

/** A call as the model wrote it, before its name and arguments are checked. */
export interface RawCall {
	name: string;
	/** An object, or what the model wrote when it was not one. */
	arguments: unknown;
	/** An id the model gave (OpenAI's form), if any. */
	id?: string;
}

export interface ReadResult {
	/** The text before the first call (all of it when there is no call), trimmed. */
	prose: string;
	calls: RawCall[];
}

/** A stretch of the answer that may hold a call. `end` is null while it is still open. */
export interface Candidate {
	start: number;
	end: number | null;
	body: string;
	/** A <tool_call> block or a `tool_call` fence: the model meant a call whatever it names. */
	explicit: boolean;
}

const TAG_OPEN = /<tool_calls?>/gi;
const FENCE = '```';

/**
 * The next stretch at or after `from` that may hold a call, or where one may be starting at the
 * very end (`end: null`, empty body): the guard holds text from there.
 */
export function nextCandidate(text: string, from: number): Candidate | undefined {
	let best: Candidate | undefined;
	const consider = (candidate: Candidate | undefined) => {
		if (candidate && (!best || candidate.start < best.start)) best = candidate;
	};
	consider(tagCandidate(text, from));
	consider(fenceCandidate(text, from));
	consider(bareJsonCandidate(text, from));
	consider(partialOpener(text, from));
	return best;
}

function tagCandidate(text: string, from: number): Candidate | undefined {
	TAG_OPEN.lastIndex = from;
	const open = TAG_OPEN.exec(text);
	if (!open) return undefined;
	const bodyStart = open.index + open[0].length;
	const close = text.toLowerCase().indexOf('</tool_call', bodyStart);
	if (close < 0) return { start: open.index, end: null, body: text.slice(bodyStart), explicit: true };
	const closeEnd = text.indexOf('>', close);
	return { start: open.index, end: closeEnd < 0 ? null : closeEnd + 1, body: text.slice(bodyStart, close), explicit: true };
}

function fenceCandidate(text: string, from: number): Candidate | undefined {
	const open = text.indexOf(FENCE, from);
	if (open < 0) return undefined;
	const lineEnd = text.indexOf('\n', open + 3);
	if (lineEnd < 0) return { start: open, end: null, body: '', explicit: false };
	const lang = text.slice(open + 3, lineEnd).trim().toLowerCase();
	const close = text.indexOf(FENCE, lineEnd + 1);
	const explicit = /^tool_?calls?$/.test(lang);
	if (close < 0) return { start: open, end: null, body: text.slice(lineEnd + 1), explicit };
	return { start: open, end: close + 3, body: text.slice(lineEnd + 1, close), explicit };
}

/** `{"…` or `[{` at the start of a line (or of the answer): a bare JSON call. */
function bareJsonCandidate(text: string, from: number): Candidate | undefined {
	const pattern = /(^|\n)[ \t]*([[{])/g;
	pattern.lastIndex = Math.max(0, from - 1);
	for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
		const start = match.index + match[0].length - 1;
		if (start < from) continue;
		const next = text.slice(start + 1).match(/^\s*(\S)/);
		if (next) {
			const wanted = match[2] === '{' ? '"' : '{';
			if (next[1] !== wanted && !(match[2] === '{' && next[1] === "'")) continue;
		}
		const end = balancedEnd(text, start);
		return { start, end: end ?? null, body: text.slice(start, end ?? text.length), explicit: false };
	}
	return undefined;
}

/** The end of the text may be the first characters of a tag or fence: hold them. */
function partialOpener(text: string, from: number): Candidate | undefined {
	const tail = text.slice(Math.max(from, text.length - 12));
	const tagStart = tail.lastIndexOf('<');
	if (tagStart >= 0 && '<tool_call>'.startsWith(tail.slice(tagStart).toLowerCase())) {
		return { start: text.length - tail.length + tagStart, end: null, body: '', explicit: false };
	}
	const ticks = /`{1,2}$/.exec(text);
	if (ticks && ticks.index >= from) return { start: ticks.index, end: null, body: '', explicit: false };
	const brace = /(^|\n)[ \t]*[[{]\s*$/.exec(text);
	if (brace) {
		const start = text.length - brace[0].length + brace[1].length;
		if (start >= from) return { start, end: null, body: '', explicit: false };
	}
	return undefined;
}

/** JSON as models write it: a trailing comma, or text around the one JSON value, is forgiven. */
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
	const start = trimmed.search(/[[{]/);
	if (start < 0) return undefined;
	const end = balancedEnd(trimmed, start);
	if (end === undefined || (start === 0 && end === trimmed.length)) return undefined;
	return parseLenient(trimmed.slice(start, end));
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
		if (c === ',' && /^\s*[}\]]/.test(text.slice(i + 1))) continue;
		out += c;
	}
	return out;
}

const NAME_KEYS = ['name', 'tool', 'tool_name', 'toolName', 'function', 'action'];
const ARG_KEYS = ['arguments', 'input', 'args', 'parameters', 'params', 'action_input', 'tool_input'];

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One call-shaped object, or undefined. Besides a name and arguments, a call may carry other keys
 * (a model's "reason", say) only when its arguments are there or the model plainly meant a call:
 * {"name": "my-app", "version": "1.0"} is data.
 */
function asCall(value: unknown, explicit = false): RawCall | undefined {
	if (!isObject(value)) return undefined;
	if (isObject(value.function)) {
		const inner = asCall(value.function, true);
		return inner && { ...inner, id: typeof value.id === 'string' ? value.id : undefined };
	}
	const nameKey = NAME_KEYS.find((key) => typeof value[key] === 'string' && (value[key] as string).trim() !== '');
	if (!nameKey) return undefined;
	const argKey = ARG_KEYS.find((key) => key in value);
	const others = Object.keys(value).filter((key) => key !== nameKey && key !== argKey && key !== 'id' && key !== 'type');
	if (others.length > 0 && !argKey && !explicit) return undefined;
	const args = argKey ? value[argKey] : {};
	return { name: (value[nameKey] as string).trim(), arguments: args, id: typeof value.id === 'string' ? value.id : undefined };
}

/** The calls a JSON value stands for, and whether its very shape says "call" (OpenAI's wrapper). */
export function callsIn(value: unknown, explicit = false): { calls: RawCall[]; explicit: boolean } | undefined {
	if (isObject(value) && Array.isArray(value.tool_calls)) {
		const calls = value.tool_calls.map((call) => asCall(call, true));
		return calls.every(Boolean) && calls.length > 0 ? { calls: calls as RawCall[], explicit: true } : undefined;
	}
	if (Array.isArray(value)) {
		const calls = value.map((call) => asCall(call, explicit));
		return calls.length > 0 && calls.every(Boolean) ? { calls: calls as RawCall[], explicit: false } : undefined;
	}
	const call = asCall(value, explicit);
	return call ? { calls: [call], explicit: false } : undefined;
}

/** The calls a candidate holds, or undefined when it is ordinary text (a config example, say). */
export function interpret(candidate: Candidate, specs: ToolSpec[]): RawCall[] | undefined {
	const value = parseLenient(candidate.body);
	let found = callsIn(value, candidate.explicit);
	if (!found && candidate.explicit) {
		// Several JSON objects in one block, one per line.
		const lines = candidate.body.split('\n').map((line) => callsIn(parseLenient(line), true)).filter(Boolean);
		if (lines.length > 0) found = { calls: lines.flatMap((l) => l!.calls), explicit: true };
	}
	if (!found) {
		// The model meant a call but its JSON is broken: say so, so it can write it again.
		return candidate.explicit && candidate.body.trim() !== '' ? [{ name: '', arguments: candidate.body.trim() }] : undefined;
	}
	const meant = candidate.explicit || found.explicit || found.calls.some((call) => resolveToolName(call.name, specs));
	return meant ? found.calls : undefined;
}

/** Reads a whole answer: the prose before the first call, and every call. */
export function readCalls(text: string, specs: ToolSpec[]): ReadResult {
	const calls: RawCall[] = [];
	let prose: string | undefined;
	for (let from = 0; from < text.length; ) {
		const candidate = nextCandidate(text, from);
		if (!candidate) break;
		if (candidate.end === null && candidate.body === '') break; // a lone opener at the very end
		const found = interpret(candidate, specs);
		if (found) {
			prose ??= text.slice(0, candidate.start);
			calls.push(...found);
		}
		if (candidate.end === null) break;
		from = candidate.end;
	}
	return { prose: (prose ?? text).trim(), calls };
}
