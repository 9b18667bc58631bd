import type { RawCall } from '../read-calls';
import { parsePython, skipSpace } from './values';

/**
 * Pythonic calls: `[get_weather(city='LA'), register(name="Ann", age=37)]`, as Llama 3.2 and
 * Llama 4 write them (vLLM `pythonic_tool_parser.py`, `llama4_pythonic_tool_parser.py`) and LFM2
 * inside its `<|tool_call_start|>` tags (vLLM `lfm2`, llama.cpp `common/chat.cpp`). Keyword
 * arguments only, values are Python literals. A single call without the list is read too.
 */
export function readPythonic(text: string, at: number): { calls: RawCall[]; end: number } | undefined {
	let i = skipSpace(text, at);
	const listed = text[i] === '[';
	if (listed) i = skipSpace(text, i + 1);
	const calls: RawCall[] = [];
	for (;;) {
		const call = readOne(text, i);
		if (!call) return undefined;
		calls.push(call.call);
		i = skipSpace(text, call.end);
		if (!listed) return { calls, end: i };
		if (text[i] === ',') i = skipSpace(text, i + 1);
		else if (text[i] === ']') return { calls, end: i + 1 };
		else return undefined;
	}
}

function readOne(text: string, at: number): { call: RawCall; end: number } | undefined {
	const name = /^[A-Za-z_][\w.-]*/.exec(text.slice(at, at + 200));
	if (!name) return undefined;
	let i = skipSpace(text, at + name[0].length);
	if (text[i] !== '(') return undefined;
	i = skipSpace(text, i + 1);
	const args: Record<string, unknown> = {};
	while (text[i] !== ')') {
		const key = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 200));
		if (!key) return undefined;
		i = skipSpace(text, i + key[0].length);
		if (text[i] !== '=') return undefined;
		const value = parsePython(text, i + 1);
		if (!value) return undefined;
		args[key[0]] = value.value;
		i = skipSpace(text, value.end);
		if (text[i] === ',') i = skipSpace(text, i + 1);
		else if (text[i] !== ')') return undefined;
	}
	// Llama 3.1's built-in tools: `brave_search.call(query="…")` calls brave_search.
	return { call: { name: name[0].replace(/\.call$/, ''), arguments: args }, end: i + 1 };
}

/** `[name(` or `name(` at `at`: the start of a pythonic call, before it is read. */
export function looksPythonic(text: string, at: number): boolean {
	return /^\[?\s*[A-Za-z_][\w.-]*\s*\(/.test(text.slice(at, at + 200));
}
