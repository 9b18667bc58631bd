import type { RawCall } from '../read-calls';
import { isObject } from './values';

/**
 * Calls written as JSON, in every shape the parsers accept: `name` or `tool`/`tool_name`
 * (Command R7B)/`function`, `arguments`/`parameters` (Llama 3.x, InternLM)/`input`/`args`, as an
 * object or a JSON string; OpenAI's `{"tool_calls": [...]}` and `{"function": {...}}`; an array
 * of calls (Mistral, xLAM, Granite, Phi-4, Jamba, Nemotron); and Apertus' `{"NAME": {args}}`
 * inside its markers.
 */
const NAME_KEYS = ['name', 'tool', 'tool_name', 'toolName', 'function', 'action'];
const ARG_KEYS = ['arguments', 'input', 'args', 'parameters', 'params', 'action_input', 'tool_input'];

/**
 * One call-shaped object, or undefined. Besides a name and arguments, a call may carry other keys
 * (a model's "reason", say) only when its arguments are there or the model plainly meant a call:
 * {"name": "my-app", "version": "1.0"} is data.
 */
function asCall(value: unknown, explicit: boolean): RawCall | undefined {
	if (!isObject(value)) return undefined;
	if (isObject(value.function)) {
		const inner = asCall(value.function, true);
		return inner && { ...inner, id: typeof value.id === 'string' ? value.id : undefined };
	}
	const nameKey = NAME_KEYS.find((key) => typeof value[key] === 'string' && (value[key] as string).trim() !== '');
	if (!nameKey) {
		// Apertus: {"get_weather": {"city": "Paris"}}, inside its own markers only.
		const keys = Object.keys(value);
		if (explicit && keys.length === 1 && isObject(value[keys[0]])) return { name: keys[0], arguments: value[keys[0]] };
		return undefined;
	}
	const argKey = ARG_KEYS.find((key) => key in value);
	const others = Object.keys(value).filter((key) => key !== nameKey && key !== argKey && !['id', 'type', 'tool_call_id'].includes(key));
	if (others.length > 0 && !argKey && !explicit) return undefined;
	const args = argKey ? value[argKey] : {};
	const id = typeof value.id === 'string' ? value.id : undefined;
	return { name: (value[nameKey] as string).trim(), arguments: args, id };
}

/** The calls a JSON value stands for, and whether its very shape says "call" (OpenAI's wrapper). */
export function callsIn(value: unknown, explicit: boolean): { calls: RawCall[]; explicit: boolean } | undefined {
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

/** Every call in a list of JSON values, or undefined when one of them is no call. */
export function callsInValues(values: unknown[], explicit: boolean): RawCall[] | undefined {
	const calls: RawCall[] = [];
	for (const value of values) {
		const found = callsIn(value, explicit);
		if (!found) return undefined;
		calls.push(...found.calls);
	}
	return calls.length > 0 ? calls : undefined;
}
