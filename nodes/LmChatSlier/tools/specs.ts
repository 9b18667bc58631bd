import type { Tool } from '@n8n/ai-node-sdk';

/** A tool as the model is told about it, and as its calls are checked. */
export interface ToolSpec {
	name: string;
	description: string;
	/** The input as JSON Schema (what the model reads). */
	parameters: Record<string, unknown>;
	/** A Zod schema when the tool brought one: arguments are checked with it, exactly as the tool will. */
	zod?: { safeParse(value: unknown): { success: boolean; error?: { issues?: Array<{ path: Array<string | number>; message: string }> } } };
}

type JsonSchemaOf = (tool: Tool & { type: 'function' }) => unknown;

const isZod = (value: unknown): value is NonNullable<ToolSpec['zod']> =>
	typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';

/**
 * The AI node's function tools, once each: the SDK's LangChain path binds the tools twice, and
 * provider tools (a vendor's built-in web search) mean nothing to Slier.
 */
export function toolSpecs(tools: Tool[], jsonSchemaOf: JsonSchemaOf): ToolSpec[] {
	const seen = new Map<string, ToolSpec>();
	for (const tool of tools) {
		if (tool.type !== 'function' || seen.has(tool.name)) continue;
		let parameters: unknown;
		try {
			parameters = jsonSchemaOf(tool);
		} catch {
			parameters = undefined;
		}
		// A Zod schema from another copy of zod is not converted: describe the input loosely then.
		if (!isPlainSchema(parameters)) parameters = { type: 'object' };
		const spec: ToolSpec = {
			name: tool.name,
			description: (tool.description ?? '').trim(),
			parameters: stripNoise(parameters as Record<string, unknown>),
		};
		if (isZod(tool.inputSchema)) spec.zod = tool.inputSchema;
		seen.set(tool.name, spec);
	}
	return [...seen.values()];
}

function isPlainSchema(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !isZod(value) && !('_def' in value);
}

/** `$schema` and friends cost prompt tokens and tell the model nothing. */
function stripNoise(schema: Record<string, unknown>): Record<string, unknown> {
	const rest = { ...schema };
	delete rest.$schema;
	return rest;
}

/** The offered tool a model meant: the exact name, else the one name equal up to case and punctuation. */
export function resolveToolName(name: string, specs: ToolSpec[]): ToolSpec | undefined {
	const exact = specs.find((spec) => spec.name === name);
	if (exact) return exact;
	const key = looseName(name);
	const loose = specs.filter((spec) => looseName(spec.name) === key);
	return loose.length === 1 ? loose[0] : undefined;
}

const looseName = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
