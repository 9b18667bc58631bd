import type { RawCall } from '../read-calls';
import type { ToolSpec } from '../specs';
import { readGemma } from './gemma';
import { callsInValues } from './json-calls';
import { readPythonic } from './pythonic';
import { readArgKeys, readDsml, readFunctionTags, readInvokes } from './xml-params';
import { jsonSequence, skipSpace } from './values';

/**
 * What stands between a format's opener and its closer. Models mix formats (Qwen3-Coder writes
 * its XML inside the Hermes tags, LFM2 writes pythonic or JSON lists), so every body is tried as
 * each body form: XML parameters, GLM's arg_key pairs, JSON values (one or several), a pythonic
 * list, or a bare tool name (a GLM call without arguments). Undefined when nothing reads.
 */
export function readBody(body: string, specs: ToolSpec[]): RawCall[] | undefined {
	// Gemma's tool_code may wrap the call in print(…).
	const text = body.trim().replace(/^print\(([\s\S]*)\)$/, '$1').trim();
	if (text === '') return undefined;
	if (/<function(?:=|\s+name=)/i.test(text)) return readFunctionTags(text, specs);
	if (/<[|｜]DSML[|｜]invoke\s+name=/i.test(text)) return readDsml(text, specs);
	if (/<(?:steptml:)?invoke\s+name=/i.test(text)) return readInvokes(text.replace(/steptml:/gi, ''), specs);
	if (/^call\s*:/.test(text)) return readGemma(text);
	if (/<arg_key>/i.test(text)) {
		const call = readArgKeys(text, specs);
		return call && [call];
	}
	if (text[0] === '{' || text[0] === '[') {
		const json = jsonSequence(text, 0);
		const calls = callsInValues(json.values, true);
		if (calls) return calls;
	}
	const pythonic = readPythonic(text, 0);
	if (pythonic && skipSpace(text, pythonic.end) >= text.length - 1) return pythonic.calls;
	// OLMo 3 (vLLM `olmo3_tool_parser.py`): one pythonic call per line.
	const lines = text.split('\n').filter((line) => line.trim() !== '');
	if (lines.length > 1) {
		const each = lines.map((line) => readPythonic(line, 0));
		if (each.every((read, i) => read && skipSpace(lines[i], read.end) === lines[i].length)) return each.flatMap((read) => read!.calls);
	}
	if (/^[A-Za-z_][\w.:-]*$/.test(text)) return [{ name: text, arguments: {} }];
	return undefined;
}
