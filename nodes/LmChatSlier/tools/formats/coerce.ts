import { resolveToolName, type ToolSpec } from '../specs';
import { isObject, parseLenient } from './values';

/**
 * XML-like formats (Qwen3-Coder, Seed-OSS, GLM, MiniMax) write every value as text. Like their
 * parsers in vLLM and SGLang, the text becomes what the tool's schema says: a number, an integer,
 * a boolean, null, or an array or object from JSON (or Python) text. A string stays a string; a
 * value that does not convert stays text, and the argument check says what is wrong.
 */
export function coerceArguments(name: string, raw: Array<[string, string, boolean?]>, specs: ToolSpec[]): Record<string, unknown> {
	const spec = resolveToolName(name, specs);
	const properties = spec && isObject(spec.parameters.properties) ? spec.parameters.properties : {};
	const args: Record<string, unknown> = {};
	// A value marked as text (DSML's string="true") stays text unless the schema asks for another type (vLLM does the same).
	for (const [key, text, asText] of raw) args[key] = asText && !isObject(properties[key]) ? text : coerceValue(text, properties[key]);
	return args;
}

/** Type names tool schemas use besides JSON Schema's (vLLM's parsers accept them too). */
const ALIASES: Record<string, string> = {
	str: 'string', text: 'string', varchar: 'string', char: 'string', enum: 'string',
	int: 'integer', uint: 'integer', long: 'integer', short: 'integer',
	float: 'number', double: 'number', decimal: 'number',
	bool: 'boolean', binary: 'boolean',
	dict: 'object', map: 'object', list: 'array', tuple: 'array',
};

export const normalType = (type: string) => ALIASES[type.toLowerCase()] ?? type.toLowerCase();

function typesOf(schema: unknown): string[] {
	if (!isObject(schema)) return [];
	const types: string[] = [];
	if (typeof schema.type === 'string') types.push(normalType(schema.type));
	if (Array.isArray(schema.type)) types.push(...schema.type.filter((t): t is string => typeof t === 'string').map(normalType));
	for (const key of ['anyOf', 'oneOf']) {
		if (Array.isArray(schema[key])) for (const option of schema[key] as unknown[]) types.push(...typesOf(option));
	}
	if (types.length === 0 && Array.isArray(schema.enum)) types.push(...schema.enum.map((v) => (typeof v === 'number' ? 'number' : typeof v)));
	if (types.length === 0 && isObject(schema.properties)) types.push('object');
	if (types.length === 0 && isObject(schema.items)) types.push('array');
	return types;
}

export function coerceValue(text: string, schema: unknown): unknown {
	const types = typesOf(schema);
	const trimmed = text.trim();
	if (types.includes('string')) return text;
	if (types.length === 0) {
		// No schema for the key: JSON containers are read, anything else stays text.
		if (/^[[{]/.test(trimmed)) {
			const parsed = parseLenient(trimmed);
			if (parsed !== undefined) return parsed;
		}
		return text;
	}
	if (trimmed.toLowerCase() === 'null' || trimmed.toLowerCase() === 'none') return null;
	for (const type of types) {
		if ((type === 'number' || type === 'integer') && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed)) {
			return Number(trimmed);
		}
		if (type === 'boolean' && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
		if (type === 'object' || type === 'array') {
			let parsed = parseLenient(trimmed);
			// GLM-4.6 sometimes escapes the quotes of JSON inside its XML.
			if (parsed === undefined && trimmed.includes('\\"')) parsed = parseLenient(trimmed.replace(/\\"/g, '"'));
			if (type === 'object' ? isObject(parsed) : Array.isArray(parsed)) return parsed;
		}
	}
	return text;
}
