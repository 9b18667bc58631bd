import { randomBytes } from 'node:crypto';

import { checkArguments } from './check-arguments';
import { parseLenient, type RawCall } from './read-calls';
import { resolveToolName, type ToolSpec } from './specs';

/** A call ready for the AI node: an offered tool, checked arguments, a unique id. */
export interface CheckedCall {
	id: string;
	name: string;
	args: Record<string, unknown>;
}

export type Checked = { calls: CheckedCall[]; problems?: undefined } | { calls?: undefined; problems: string[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const short = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}…` : text);

/**
 * Checks every call of one answer. Either all of them can run, or the model hears every problem
 * (an unknown tool, unreadable JSON, a missing or mistyped argument) and writes the answer again:
 * the AI node never runs half of an answer's calls.
 */
export function checkCalls(raw: RawCall[], specs: ToolSpec[]): Checked {
	const problems: string[] = [];
	const calls: CheckedCall[] = [];
	const ids = new Set<string>();
	for (const call of raw) {
		if (call.name === '') {
			problems.push(`the call could not be read as JSON: ${short(String(call.arguments))}`);
			continue;
		}
		const spec = resolveToolName(call.name, specs);
		if (!spec) {
			problems.push(`there is no tool named "${short(call.name)}"; the tools are: ${specs.map((s) => s.name).join(', ')}`);
			continue;
		}
		const args = toArguments(call.arguments, spec);
		if (typeof args === 'string') {
			problems.push(`tool "${spec.name}": ${args}`);
			continue;
		}
		const wrong = checkArguments(spec, args);
		if (wrong.length > 0) {
			problems.push(`tool "${spec.name}": ${wrong.join('; ')}`);
			continue;
		}
		let id = call.id && !ids.has(call.id) ? call.id : newCallId();
		while (ids.has(id)) id = newCallId();
		ids.add(id);
		calls.push({ id, name: spec.name, args });
	}
	return problems.length > 0 ? { problems } : { calls };
}

export function newCallId(): string {
	return `call_${randomBytes(9).toString('base64url')}`;
}

/** The arguments as an object, or what is wrong with them. */
function toArguments(value: unknown, spec: ToolSpec): Record<string, unknown> | string {
	if (value === undefined || value === null || value === '') return {};
	if (isObject(value)) return value;
	if (typeof value === 'string') {
		const parsed = parseLenient(value);
		if (isObject(parsed)) return parsed;
	}
	// "arguments": "12*7" for a tool whose only argument is a string: that is what the model meant.
	const only = soleProperty(spec);
	if (only && (typeof value === 'string' || typeof value === 'number')) {
		return { [only.name]: only.type === 'string' ? String(value) : value };
	}
	return `the arguments must be a JSON object, not ${JSON.stringify(value).slice(0, 80)}`;
}

function soleProperty(spec: ToolSpec): { name: string; type: unknown } | undefined {
	const properties = spec.parameters.properties;
	if (!isObject(properties)) return undefined;
	const names = Object.keys(properties);
	if (names.length !== 1) return undefined;
	const schema = properties[names[0]];
	return { name: names[0], type: isObject(schema) ? schema.type : undefined };
}
