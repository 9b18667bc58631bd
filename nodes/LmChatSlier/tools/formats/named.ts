import { balancedEnd } from '../../../shared/completion/json-text';
import type { RawCall } from '../read-calls';
import type { ToolSpec } from '../specs';
import { readBody } from './body';
import { skipSpace } from './values';

/** Formats that write the tool's name outside its JSON arguments. */

export interface Block {
	/** Where the call text starts, when it starts before the opener (GPT-OSS's header). */
	start?: number;
	end: number;
	/** Undefined: the block holds no readable call. */
	calls: RawCall[] | undefined;
	/** What stands between the opener and the closer, to show the model when it does not read. */
	body?: string;
}

/** The JSON object at `at`, to its closing brace or to the end of an answer that was cut. */
function jsonAt(text: string, at: number): { args: string; end: number } | undefined {
	if (text[at] !== '{') return undefined;
	const end = balancedEnd(text, at) ?? text.length;
	return { args: text.slice(at, end), end };
}

/**
 * Mistral (vLLM `mistral_tool_parser.py`, llama.cpp `common/chat.cpp`): after `[TOOL_CALLS]`
 * either a JSON array of calls (before tokenizer v11), or `NAME{args}` (v11), or
 * `NAME[CALL_ID]id[ARGS]{args}` / `NAME[ARGS]{args}` (Magistral, Devstral, v13).
 */
export function readMistral(text: string, openEnd: number, specs: ToolSpec[]): Block {
	let i = skipSpace(text, openEnd);
	if (text[i] === '[' || text[i] === '{') {
		const end = balancedEnd(text, i) ?? text.length;
		return { end, calls: readBody(text.slice(i, end), specs) };
	}
	const calls: RawCall[] = [];
	let end = i;
	for (;;) {
		const name = /^[A-Za-z_][\w.-]*/.exec(text.slice(i, i + 200));
		if (!name) break;
		i += name[0].length;
		const id = /^\[CALL_ID\]\s*([\w-]*)/i.exec(text.slice(i, i + 100));
		if (id) i += id[0].length;
		if (text.startsWith('[ARGS]', i)) i += 6;
		const json = jsonAt(text, skipSpace(text, i));
		if (!json) break;
		calls.push({ name: name[0], arguments: json.args, id: id?.[1] || undefined });
		end = json.end;
		i = skipSpace(text, json.end);
		if (text[i] === ',' || text[i] === ';') i = skipSpace(text, i + 1);
	}
	if (calls.length > 0) return { end, calls };
	// vLLM's fallback: the first JSON array or object after the marker, whatever stands before it.
	const next = text.indexOf('[TOOL_CALLS]', openEnd);
	const rest = text.slice(openEnd, next < 0 ? text.length : next);
	const json = rest.search(/\[\s*\{|\{\s*"/);
	if (json < 0) return { end: text.length, calls: undefined };
	const close = balancedEnd(rest, json) ?? rest.length;
	return { end: openEnd + close, calls: readBody(rest.slice(json, close), specs) };
}

const token = (words: string) => `<[|｜]${words.split(' ').join('(?:[_▁ ]|\\\\_)')}[|｜]>`;
const CALL_BEGIN = new RegExp(token('tool call begin'), 'gi');
const CALL_END = new RegExp(token('tool call end'), 'i');
const ARGUMENT_BEGIN = new RegExp(token('tool call argument begin'), 'i');
const SEP = new RegExp(token('tool sep'), 'i');
const SECTION_END = new RegExp(`${token('tool calls end')}|${token('tool calls section end')}|${token('tool call section end')}`, 'i');

/**
 * Kimi K2 (vLLM `kimi_k2_tool_parser.py`): `<|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{args}<|tool_call_end|>`
 * inside `<|tool_calls_section_begin|>`. DeepSeek (vLLM `deepseekv3_tool_parser.py`,
 * `deepseekv31_tool_parser.py`, llama.cpp): `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{args}\n```<｜tool▁call▁end｜>`
 * (V3, R1) or `<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{args}<｜tool▁call▁end｜>` (V3.1), inside
 * `<｜tool▁calls▁begin｜>`. The bars are full-width and the spaces `▁` in DeepSeek's tokens; the
 * ASCII spellings models also write are read too.
 */
export function readSections(text: string, openEnd: number): Block {
	const close = SECTION_END.exec(text.slice(openEnd));
	const sectionEnd = close ? openEnd + close.index : text.length;
	const end = close ? sectionEnd + close[0].length : text.length;
	// The opener is the section's, or (without a section) the first call's own begin token.
	const bodies = text.slice(openEnd, sectionEnd).split(CALL_BEGIN).filter((part) => part.trim() !== '');
	const calls: RawCall[] = [];
	for (const part of bodies) {
		const body = part.split(CALL_END)[0];
		const call = readSectionCall(body);
		if (call) calls.push(call);
		else if (body.trim() !== '') return { end, calls: undefined };
	}
	return { end, calls: calls.length > 0 ? calls : undefined };
}

function readSectionCall(body: string): RawCall | undefined {
	const argument = ARGUMENT_BEGIN.exec(body);
	if (argument) {
		const id = body.slice(0, argument.index).trim();
		const name = id.replace(/^functions\./, '').replace(/:\d+$/, '');
		return { name, arguments: body.slice(argument.index + argument[0].length).trim(), id: undefined };
	}
	const sep = SEP.exec(body);
	if (!sep) return undefined;
	const before = body.slice(0, sep.index).trim();
	const after = body.slice(sep.index + sep[0].length);
	if (before === 'function' || before === '') {
		const newline = after.search(/\n|```|\{/);
		const name = (newline < 0 ? after : after.slice(0, newline)).trim();
		const rest = newline < 0 ? '' : after.slice(newline);
		const args = rest.replace(/^\s*```(?:json)?/i, '').replace(/```\s*$/, '').trim();
		return { name, arguments: args === '' ? {} : args };
	}
	return { name: before, arguments: after.trim() };
}

/**
 * GPT-OSS, OpenAI's harmony format (vLLM `openai_tool_parser.py`, llama.cpp `common/chat.cpp`):
 * `<|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{args}<|call|>`, or the
 * recipient in the header: `<|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>{args}`.
 */
export function readHarmony(text: string, at: number, openEnd: number): Block {
	const name = /^[\w.-]+/.exec(text.slice(openEnd, openEnd + 200));
	const headerStart = Math.max(text.lastIndexOf('<|start|>', at), text.lastIndexOf('<|channel|>', at));
	const start = headerStart >= 0 && !text.slice(headerStart, at).includes('<|message|>') && at - headerStart < 80 ? headerStart : at;
	const message = text.indexOf('<|message|>', openEnd);
	if (!name || message < 0) return { start, end: text.length, calls: undefined };
	const from = skipSpace(text, message + '<|message|>'.length);
	const callEnd = text.indexOf('<|call|>', from);
	const json = jsonAt(text, from);
	const end = callEnd >= 0 ? callEnd + '<|call|>'.length : json ? json.end : text.length;
	const args = json ? json.args : text.slice(from, callEnd >= 0 ? callEnd : text.length).trim();
	return { start, end, calls: [{ name: name[0], arguments: args === '' ? {} : args }] };
}

/** Functionary v3.2 (vLLM `functionary` template, llama.cpp `common/chat.cpp`): `>>>NAME\n{args}`, one block per call. */
export function readFunctionary(text: string, openEnd: number): Block {
	const name = /^[A-Za-z_][\w.-]*/.exec(text.slice(openEnd, openEnd + 200));
	if (!name) return { end: text.length, calls: undefined };
	const json = jsonAt(text, skipSpace(text, openEnd + name[0].length));
	if (!json) return { end: text.length, calls: undefined };
	return { end: json.end, calls: [{ name: name[0], arguments: json.args }] };
}

/**
 * Qwen-Agent's own format (Qwen 1.5/2 through Qwen-Agent): `✿FUNCTION✿: NAME` then
 * `✿ARGS✿: {args}`, the result to come after `✿RESULT✿`.
 */
export function readQwenAgent(text: string, openEnd: number): Block {
	const name = /^\s*([\w.-]+)/.exec(text.slice(openEnd, openEnd + 200));
	const args = /✿ARGS✿\s*:?\s*/.exec(text.slice(openEnd, openEnd + 400));
	if (!name || !args) return { end: text.length, calls: undefined };
	const from = openEnd + args.index + args[0].length;
	const json = jsonAt(text, from);
	if (!json) return { end: text.length, calls: undefined };
	return { end: json.end, calls: [{ name: name[1], arguments: json.args }] };
}
