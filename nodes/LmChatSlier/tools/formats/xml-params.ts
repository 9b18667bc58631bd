import type { ToolSpec } from '../specs';
import type { RawCall } from '../read-calls';
import { coerceArguments } from './coerce';

/**
 * The XML-like call bodies, each read the way its parser reads it:
 * - Qwen3-Coder and Seed-OSS (vLLM `qwen3coder_tool_parser.py`, `seed_oss_tool_parser.py`):
 *   `<function=NAME><parameter=KEY>VALUE</parameter></function>`; one newline around a value is
 *   the template's, not the value's.
 * - MiniMax-M2 (vLLM `minimax_m2_tool_parser.py`): `<invoke name="NAME"><parameter name="KEY">VALUE</parameter></invoke>`.
 * - GLM-4.5/4.6 (vLLM `glm4_moe_tool_parser.py`): `NAME<arg_key>KEY</arg_key><arg_value>VALUE</arg_value>`.
 * Values are converted to the schema's types (coerce.ts).
 */

/**
 * The template's newlines around a value are not the value: one leading newline and a trailing
 * newline with the indentation after it go; a value on one line is trimmed (SGLang strips it),
 * a multi-line value (code) keeps its inner indentation.
 */
function trimLayout(value: string): string {
	const inner = value.replace(/^\r?\n/, '').replace(/\r?\n[ \t]*$/, '');
	return inner.includes('\n') ? inner : inner.trim();
}

/**
 * Every `<function=NAME>…</function>` in `body` (or Hermes 2 Pro's `<function name="NAME">`,
 * llama.cpp `common/chat.cpp`); the closing tags may be missing at the end.
 */
export function readFunctionTags(body: string, specs: ToolSpec[]): RawCall[] {
	const calls: RawCall[] = [];
	const parts = body.split(/<function(?:=|\s+name=)/i).slice(1);
	for (const part of parts) {
		const nameEnd = part.indexOf('>');
		const name = (nameEnd < 0 ? part : part.slice(0, nameEnd)).trim().replace(/^["']|["']$/g, '');
		const inner = nameEnd < 0 ? '' : part.slice(nameEnd + 1).split(/<\/function>/i)[0];
		if (/<parameter=/i.test(inner) || inner.trim() === '') {
			calls.push({ name, arguments: coerceArguments(name, parameters(inner, /<parameter=([^>]*)>/gi, /<\/parameter>/i), specs) });
		} else {
			// Functionary v3.1 / Llama 3.1: <function=NAME>{JSON}</function>.
			calls.push({ name, arguments: inner.trim() });
		}
	}
	return calls;
}

/** Every `<invoke name="NAME">…</invoke>` (MiniMax-M2). */
export function readInvokes(body: string, specs: ToolSpec[]): RawCall[] {
	const calls: RawCall[] = [];
	for (const part of body.split(/<invoke\s+name=/i).slice(1)) {
		const nameEnd = part.indexOf('>');
		const name = (nameEnd < 0 ? part : part.slice(0, nameEnd)).trim().replace(/^["']|["']$/g, '');
		const inner = nameEnd < 0 ? '' : part.slice(nameEnd + 1).split(/<\/invoke>/i)[0];
		calls.push({ name, arguments: coerceArguments(name, parameters(inner, /<parameter\s+name=([^>]*)>/gi, /<\/parameter>/i), specs) });
	}
	return calls;
}

/**
 * DeepSeek V3.2's DSML (vLLM `deepseekv32_tool_parser.py`): `<｜DSML｜invoke name="NAME">` with
 * `<｜DSML｜parameter name="KEY" string="true|false">VALUE</｜DSML｜parameter>`; a value marked
 * `string="true"` is text where the schema says nothing of its key, else the schema decides
 * (vLLM's test_string_attr_true_coerced_by_schema).
 */
export function readDsml(body: string, specs: ToolSpec[]): RawCall[] {
	return readInvokes(body.replace(/<(\/?)[|｜]DSML[|｜]/gi, '<$1'), specs);
}

function parameters(inner: string, open: RegExp, close: RegExp): Array<[string, string, boolean?]> {
	const found: Array<[string, string, boolean?]> = [];
	const opens = [...inner.matchAll(open)];
	opens.forEach((match, i) => {
		// `"KEY"`, `KEY`, or `"KEY" string="true"` (DSML): the name, and whether it is text as written.
		const attributes = match[1].trim();
		const key = (/^["']([^"']*)["']|^([^\s"']+)/.exec(attributes) ?? ['', attributes]).slice(1).find((k) => k !== undefined) ?? attributes;
		const asText = /\bstring\s*=\s*["']true["']/i.test(attributes);
		const from = match.index! + match[0].length;
		const until = i + 1 < opens.length ? opens[i + 1].index! : inner.length;
		const value = inner.slice(from, until).split(close)[0];
		found.push([key, trimLayout(value), asText]);
	});
	return found;
}

/** GLM-4.5/4.6: `NAME<arg_key>k</arg_key><arg_value>v</arg_value>…`, or a bare NAME for a call without arguments. */
export function readArgKeys(body: string, specs: ToolSpec[]): RawCall | undefined {
	const first = body.search(/<arg_key>/i);
	// GLM-4.6 sometimes writes a literal backslash-n after the name.
	const name = (first < 0 ? body : body.slice(0, first)).replace(/\\n/g, '').trim();
	if (!/^[\w.:-]+$/.test(name)) return undefined;
	const raw: Array<[string, string, boolean?]> = [];
	// Split, not one lazy expression: each pair is read once, so a cut answer cannot make reading quadratic.
	for (const pair of body.split(/<arg_key>/i).slice(1)) {
		const keyEnd = pair.search(/<\/arg_key>/i);
		if (keyEnd < 0) continue;
		const value = /^<\/arg_key>(?:\s|\\n)*<arg_value>/i.exec(pair.slice(keyEnd));
		if (!value) continue;
		const rest = pair.slice(keyEnd + value[0].length);
		const valueEnd = rest.search(/<\/arg_value>/i);
		raw.push([pair.slice(0, keyEnd).trim(), valueEnd < 0 ? rest : rest.slice(0, valueEnd)]);
	}
	return { name, arguments: coerceArguments(name, raw, specs) };
}
