import { balancedEnd } from '../../shared/completion/json-text';
import { readBody } from './formats/body';
import { FRAMING_LITERALS, framingAt, withoutFraming } from './formats/framing';
import { callsIn, callsInValues } from './formats/json-calls';
import { looksPythonic, readPythonic } from './formats/pythonic';
import { ANY_OPENER, MARKED_FORMATS, OPENER_LITERALS } from './formats/registry';
import { jsonSequence, parseLenient } from './formats/values';
import { resolveToolName, type ToolSpec } from './specs';

export { parseLenient };

/**
 * The call reader. It finds tool calls in an answer the way open models really write them:
 * every published format with a marker of its own (formats/registry.ts: Hermes/Qwen
 * <tool_call>, Llama's <|python_tag|>, Mistral's [TOOL_CALLS], DeepSeek, Kimi, GPT-OSS…), and
 * calls with no marker: a ```json fence, a bare JSON answer or JSON inside a sentence (Llama 3.x),
 * an array of calls (xLAM), OpenAI's {"tool_calls": [...]}, a pythonic list (Llama 3.2/4).
 * Prose before the first call is kept; text after a call is not an answer (models invent the
 * result there) and is dropped; every call of the answer is read.
 *
 * A marker means the model meant a call: its calls are read, or the model hears that they could
 * not be (never a silent miss). Without a marker, JSON or a pythonic list is a call only when it
 * names an offered tool (or has OpenAI's tool_calls shape, or a `tool_call` fence): a user asking
 * for a config example or JSON data gets it.
 */

/** A call as the model wrote it, before its name and arguments are checked. */
export interface RawCall {
	name: string;
	/** An object, or what the model wrote when it was not one. Name '' means "could not be read". */
	arguments: unknown;
	/** An id the model gave (OpenAI's form), if any. */
	id?: string;
}

export interface ReadResult {
	/** The text before the first call (all of it when there is no call), trimmed. */
	prose: string;
	calls: RawCall[];
}

/** A stretch of the answer: a call block, text that may still become one (`end` null), or prose. */
export interface Found {
	start: number;
	/** null: still open while streaming; the guard holds text from `start`. */
	end: number | null;
	/** The calls it holds; undefined for prose (a config example). */
	calls?: RawCall[];
	/** Written with a call marker: a call whatever happens next. */
	marked: boolean;
	/** For an open stretch: only these characters arriving can close it (the guard skips other chunks). */
	closers?: string;
}

interface Weak {
	kind: 'fence' | 'json' | 'pythonic';
	start: number;
	end: number | null;
	body: string;
	/** A `tool_call` fence: the model meant a call whatever it names. */
	explicit: boolean;
	/** JSON that stands after other text on its line. */
	inline?: boolean;
}

const FENCE = '```';

/**
 * The next stretch at or after `from`. `final`: the answer is complete (reading); otherwise it is
 * still streaming, and a stretch that is not closed yet comes back open.
 */
export function nextFound(text: string, from: number, specs: ToolSpec[], final: boolean, memo = new Memo()): Found | undefined {
	const found = nextBlock(text, from, specs, final, memo);
	if (final) return found;
	// While streaming, a thought or harmony framing is held to the end (withoutFraming shows what is left of it).
	const framing = framingAt(text, from);
	return framing !== undefined && (!found || framing < found.start) ? { start: framing, end: null, marked: true } : found;
}

/**
 * Where each search last found its next match. A match at `at` found from `from` is the answer
 * for every start between the two, so reading an answer searches each stretch once: linear.
 */
export class Memo {
	private readonly found = new Map<string, { from: number; at: number }>();

	next(key: string, from: number, search: (from: number) => number): number {
		const known = this.found.get(key);
		if (known && known.from <= from && known.at >= from) return known.at;
		const at = search(from);
		this.found.set(key, { from, at });
		return at;
	}
}

function nextBlock(text: string, from: number, specs: ToolSpec[], final: boolean, memo: Memo): Found | undefined {
	let marked = nextMarked(text, memo.next('marked', from, (at) => searchAt(ANY_OPENER, text, at)));
	// A marker in inline code (`[TOOL_CALLS]`) is a model talking about a format, not calling.
	while (marked && text[marked.at - 1] === '`' && text[marked.openEnd] === '`') {
		const after = marked.openEnd;
		marked = nextMarked(text, memo.next('marked', after, (at) => searchAt(ANY_OPENER, text, at)));
	}
	const weak = nextWeak(text, from, memo, marked?.at ?? text.length);
	if (weak && (!marked || weak.start < marked.at)) {
		if (weak.end === null && !final) return { start: weak.start, end: null, marked: false, closers: weak.kind === 'fence' ? '`\n' : '}]' };
		const calls = interpretWeak(weak, specs);
		const end = weak.end ?? text.length;
		// A marker inside a block that is no call (a fence around <tool_call>) is still a marker.
		if (calls || !marked || marked.at >= end) return { start: weak.start, end, calls, marked: false };
	}
	if (marked) {
		const block = marked.format.read(text, marked.at, marked.openEnd, specs);
		const start = Math.max(from, Math.min(block.start ?? marked.at, marked.at));
		if (!final) return { start, end: null, marked: true };
		const end = Math.max(block.end, marked.openEnd);
		const calls = block.calls?.map(unreadableArguments) ?? [{ name: '', arguments: block.body?.trim() || text.slice(marked.at, end).trim() }];
		return { start, end, calls, marked: true };
	}
	if (!final) {
		const partial = partialOpener(text, from);
		if (partial !== undefined) return { start: partial, end: null, marked: false };
	}
	return undefined;
}

/** Where `pattern` (global) next matches at or after `from`; Infinity when nowhere. */
function searchAt(pattern: RegExp, text: string, from: number): number {
	pattern.lastIndex = from;
	const match = pattern.exec(text);
	return match ? match.index : Number.POSITIVE_INFINITY;
}

function indexAt(text: string, what: string, from: number): number {
	const at = text.indexOf(what, from);
	return at < 0 ? Number.POSITIVE_INFINITY : at;
}

function nextMarked(text: string, at: number) {
	if (!Number.isFinite(at)) return undefined;
	ANY_OPENER.lastIndex = at;
	const match = ANY_OPENER.exec(text);
	if (!match) return undefined;
	const index = match.slice(1).findIndex((group) => group !== undefined);
	return { at: match.index, openEnd: match.index + match[0].length, format: MARKED_FORMATS[index] };
}

/** A block without a marker that starts before `limit` (the next marker), if any. */
function nextWeak(text: string, from: number, memo: Memo, limit: number): Weak | undefined {
	const fenceOpen = memo.next('fence', from, (at) => indexAt(text, FENCE, at));
	const fence = fenceOpen < limit ? fenceAt(text, fenceOpen) : undefined;
	const json = jsonAt(text, memo.next('json', from, (at) => searchAt(JSON_START, text, at)), Math.min(fence?.start ?? limit, limit), limit);
	return json && (!fence || json.start < fence.start) ? json : fence;
}

function fenceAt(text: string, open: number): Weak | undefined {
	if (!Number.isFinite(open)) return undefined;
	const lineEnd = text.indexOf('\n', open + 3);
	if (lineEnd < 0) return { kind: 'fence', start: open, end: null, body: '', explicit: false };
	const lang = text.slice(open + 3, lineEnd).trim().toLowerCase();
	const close = text.indexOf(FENCE, lineEnd + 1);
	// A `tool_call` fence, or Gemma's `tool_code` fence (Google's Gemma function-calling guide).
	const explicit = /^tool_?calls?$|^tool_?code$/.test(lang);
	if (close < 0) return { kind: 'fence', start: open, end: null, body: text.slice(lineEnd + 1), explicit };
	return { kind: 'fence', start: open, end: close + 3, body: text.slice(lineEnd + 1, close), explicit };
}

/**
 * JSON that may be a call: `{"` or `[{` anywhere (Llama 3.x writes its JSON inside sentences,
 * xLAM its array), or a pythonic list `[name(` (Llama 3.2/4; SGLang reads it inside a sentence too).
 */
const QUOTED_MARKER_ROOM = 1000;

const JSON_START = /\{\s*["']|\[\s*\{|\[\s*[A-Za-z_][\w.-]*\s*\(/g;

function jsonAt(text: string, at: number, before: number, limit: number): Weak | undefined {
	if (!Number.isFinite(at) || at >= before) return undefined;
	JSON_START.lastIndex = at;
	const match = JSON_START.exec(text);
	if (!match) return undefined;
	const start = match.index;
	const kind = text[start] === '[' && !match[0].includes('{') ? 'pythonic' : 'json';
	// JSON still open a little past the next marker is not a call of its own: the marker is read.
	// (A little past: a call may quote a marker in its arguments.) Bounding the search keeps
	// reading linear when an answer repeats an opener with cut JSON after it.
	const bound = limit + QUOTED_MARKER_ROOM;
	const end = balancedEnd(bound < text.length ? text.slice(0, bound) : text, start);
	if (end === undefined && bound < text.length) return undefined;
	let back = start - 1;
	while (back >= 0 && (text[back] === ' ' || text[back] === '\t')) back--;
	const inline = back >= 0 && text[back] !== '\n' && text[back] !== '\r';
	return { kind, start, end: end ?? null, body: text.slice(start, end ?? text.length), explicit: false, inline };
}

/** Arguments written as JSON that does not read: the model hears it, the call does not run on a guess. */
function unreadableArguments(call: RawCall): RawCall {
	if (typeof call.arguments !== 'string' || !/^\s*[[{]/.test(call.arguments) || parseLenient(call.arguments) !== undefined) return call;
	return { name: '', arguments: `${call.name} ${call.arguments.trim()}` };
}

/** The calls a block without a marker holds, or undefined when it is ordinary text. */
function interpretWeak(weak: Weak, specs: ToolSpec[]): RawCall[] | undefined {
	if (weak.explicit) {
		const calls = readBody(weak.body, specs);
		return calls ?? (weak.body.trim() !== '' ? [{ name: '', arguments: weak.body.trim() }] : undefined);
	}
	const named = (calls: RawCall[]) => calls.some((call) => resolveToolName(call.name, specs));
	if (weak.kind === 'pythonic' || (weak.kind === 'fence' && looksPythonic(weak.body.trim(), 0))) {
		const read = readPythonic(weak.body, 0);
		return read && named(read.calls) ? read.calls : undefined;
	}
	const body = weak.body.trim();
	const single = callsIn(parseLenient(body), false);
	// Inside a sentence, only a whole call (with its arguments, as Llama writes it) is one:
	// "the tool {"name": "Calculator"} adds numbers" is the model talking about a tool.
	if (single && weak.inline && !/"(?:arguments|parameters|args|input|params)"\s*:/.test(body) && !single.explicit) return undefined;
	if (single) return single.explicit || named(single.calls) ? single.calls : undefined;
	if (weak.kind === 'fence' && /^[[{]/.test(body)) {
		// Several JSON calls in one fence, one per line.
		const calls = callsInValues(jsonSequence(body, 0).values, false);
		return calls && named(calls) ? calls : undefined;
	}
	return undefined;
}

const HELD_LITERALS = [...OPENER_LITERALS, ...FRAMING_LITERALS];
const LITERAL_STARTS = new Set(HELD_LITERALS.map((literal) => literal[0]));
const LONGEST = Math.max(...HELD_LITERALS.map((literal) => literal.length));

/** The end of the text may be the first characters of an opener, a fence or a call: hold them. */
function partialOpener(text: string, from: number): number | undefined {
	const starts: number[] = [];
	const window = Math.max(from, text.length - 200);
	const bracket = /[[{]\s*$|\[\s*[A-Za-z_][\w.-]*\s*$|>>>[\w.-]*\s*$/.exec(text.slice(window));
	if (bracket) starts.push(window + bracket.index + bracket[0].search(/[[{>]/));
	const ticks = /`{1,2}$/.exec(text.slice(-2));
	if (ticks) starts.push(text.length - ticks[0].length);
	for (let at = Math.max(from, text.length - LONGEST); at < text.length; at++) {
		if (!LITERAL_STARTS.has(text[at].toLowerCase())) continue;
		const tail = text.slice(at).toLowerCase();
		if (HELD_LITERALS.some((literal) => literal.startsWith(tail))) {
			starts.push(at);
			break;
		}
	}
	const start = Math.min(...starts.filter((at) => at >= from));
	return Number.isFinite(start) ? start : undefined;
}

/** Reads a whole answer: the prose before the first call, and every call. */
export function readCalls(answer: string, specs: ToolSpec[]): ReadResult {
	const text = withoutFraming(answer);
	const calls: RawCall[] = [];
	const memo = new Memo();
	let prose: string | undefined;
	for (let from = 0; from < text.length; ) {
		const found = nextFound(text, from, specs, true, memo);
		if (!found || found.end === null) break;
		if (found.calls) {
			prose ??= text.slice(0, found.start);
			calls.push(...found.calls);
		}
		from = Math.max(found.end, from + 1);
	}
	return { prose: (prose ?? text).trim(), calls };
}
