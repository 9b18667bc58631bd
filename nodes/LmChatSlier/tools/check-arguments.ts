import { normalType } from './formats/coerce';
import type { ToolSpec } from './specs';

/**
 * Checks a call's arguments before the AI node runs the tool, so a model that forgot a required
 * field or wrote a number for a string hears why and writes the call again. A Zod schema (what
 * n8n's tools carry) is used as is; a JSON Schema is checked for what models get wrong: required
 * fields, types, enums, nested objects and arrays. Either way, a field the JSON Schema shown to
 * the model forbids (`additionalProperties: false`) goes back too: a Zod schema would strip it
 * silently, and the tool would run without what the model meant to give it. Where the schema
 * allows extra fields, they are left to the tool.
 */
export function checkArguments(spec: ToolSpec, args: Record<string, unknown>): string[] {
	const problems: string[] = [];
	if (spec.zod) {
		const result = spec.zod.safeParse(args);
		if (!result.success) {
			const issues = result.error?.issues ?? [];
			if (issues.length === 0) problems.push('the arguments do not match the input schema');
			problems.push(...issues.map((issue) => (issue.path.length > 0 ? `"${issue.path.join('.')}": ${issue.message}` : issue.message)));
		}
	} else {
		checkValue(spec.parameters, args, '', problems);
	}
	unknownKeys(spec.parameters, args, '', problems);
	return problems.slice(0, 5);
}

/** Fields the schema forbids (`additionalProperties: false`), at any depth. */
function unknownKeys(schema: unknown, value: unknown, path: string, problems: string[]): void {
	if (!isObject(schema)) return;
	if (isObject(value) && isObject(schema.properties)) {
		const properties = schema.properties;
		const known = Object.keys(properties);
		for (const [name, child] of Object.entries(value)) {
			const where = path ? `${path}.${name}` : name;
			if (name in properties) unknownKeys(properties[name], child, where, problems);
			else if (schema.additionalProperties === false) {
				problems.push(`"${where}" is not an argument of this tool${known.length > 0 ? `; its arguments are: ${known.join(', ')}` : ''}`);
			}
		}
	}
	if (Array.isArray(value) && isObject(schema.items)) {
		value.forEach((item, i) => unknownKeys(schema.items, item, `${path}[${i}]`, problems));
	}
}

type Schema = Record<string, unknown>;

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

function matchesType(type: string, value: unknown): boolean {
	const actual = typeOf(value);
	if (type === 'number') return actual === 'number' || actual === 'integer';
	return actual === type;
}

function checkValue(schema: unknown, value: unknown, path: string, problems: string[]): void {
	if (!isObject(schema)) return;
	const where = path === '' ? 'the arguments' : `"${path}"`;
	for (const key of ['anyOf', 'oneOf'] as const) {
		const options = schema[key];
		if (Array.isArray(options) && options.length > 0) {
			const fits = options.some((option) => {
				const found: string[] = [];
				checkValue(option, value, path, found);
				return found.length === 0;
			});
			if (!fits) problems.push(`${where} match none of the allowed forms`);
			return;
		}
	}
	// Type names beside JSON Schema's (`float`, `int`, `bool`, as vLLM's parsers accept) mean the JSON
	// types; a name no one knows is not checked, rather than refusing every value.
	const named = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
	const types = named.map(normalType).filter((type) => JSON_TYPES.has(type));
	if (schema.nullable === true) types.push('null');
	if (types.length > 0 && !types.some((type) => matchesType(type, value))) {
		problems.push(`${where} must be ${types.map(article).join(' or ')}, not ${article(typeOf(value) === 'integer' ? 'number' : typeOf(value))}`);
		return;
	}
	if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
		problems.push(`${where} must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
		return;
	}
	if (isObject(value)) {
		const properties = isObject(schema.properties) ? schema.properties : {};
		const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
		for (const name of required) {
			if (value[name] === undefined) problems.push(`"${path ? `${path}.` : ''}${name}" is required`);
		}
		for (const [name, child] of Object.entries(properties)) {
			if (value[name] !== undefined) checkValue(child as Schema, value[name], path ? `${path}.${name}` : name, problems);
		}
	}
	if (Array.isArray(value) && isObject(schema.items)) {
		value.forEach((item, i) => checkValue(schema.items, item, `${path}[${i}]`, problems));
	}
}

function article(type: string): string {
	if (type === 'null') return 'null';
	return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
