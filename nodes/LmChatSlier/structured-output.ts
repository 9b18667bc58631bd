import { balancedEnd } from '../shared/completion/json-text';

/**
 * `withStructuredOutput` for the LangChain model the SDK's `supplyModel` returns (n8n's
 * Evaluation metrics Correctness and Helpfulness use it, as do other AI nodes and Code nodes).
 *
 * The SDK's adapter has none of its own in n8n 2.40–2.41, so LangChain's default runs: it binds
 * one tool (`extract`) and then accepts only a streamed-chunk message, while the adapter's
 * generate() returns a whole message: "Input is not an AIMessageChunk", even when the model
 * called the tool correctly. This one binds the same tool and reads the call from either kind of
 * message; a model that answered with the JSON itself instead of calling the tool is read too,
 * when the JSON fits the schema. Only an adapter still on LangChain's default is changed: an n8n
 * whose adapter brings its own `withStructuredOutput` is left alone.
 */
export function fitStructuredOutput<T>(adapter: T): T {
	const model = adapter as unknown as StructuredModel;
	if (typeof model !== 'object' || model === null) return adapter;
	if (typeof model.bindTools !== 'function' || typeof model.withStructuredOutput !== 'function') return adapter;
	if (!usesLangChainDefault(model)) return adapter;
	model.withStructuredOutput = (schema: unknown, config?: StructuredConfig) => structuredOutput(model, schema, config);
	return adapter;
}

interface Runnable {
	pipe(next: (input: unknown) => unknown): Runnable;
	withConfig(config: { runName: string }): Runnable;
}

interface StructuredModel {
	bindTools(tools: unknown[], kwargs?: unknown): Runnable;
	withStructuredOutput(schema: unknown, config?: StructuredConfig): Runnable;
}

interface StructuredConfig {
	name?: string;
	includeRaw?: boolean;
	method?: string;
}

interface ZodLike {
	safeParse(value: unknown): { success: boolean; data?: unknown };
	description?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const isZod = (value: unknown): value is ZodLike => isObject(value) && typeof value.safeParse === 'function';

/** The class that defines the model's withStructuredOutput is LangChain's BaseChatModel itself. */
function usesLangChainDefault(model: StructuredModel): boolean {
	for (let proto = Object.getPrototypeOf(model) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
		if (Object.prototype.hasOwnProperty.call(proto, 'withStructuredOutput')) {
			return (proto as { constructor?: { name?: string } }).constructor?.name === 'BaseChatModel';
		}
	}
	return false;
}

function structuredOutput(model: StructuredModel, schema: unknown, config: StructuredConfig = {}): Runnable {
	// The tool's name as LangChain's default picks it: `name`, else a JSON Schema's own name, else "extract".
	const name = config.name ?? (!isZod(schema) && isObject(schema) && typeof schema.name === 'string' ? schema.name : 'extract');
	const described = (isZod(schema) ? schema.description : isObject(schema) ? schema.description : undefined) as string | undefined;
	const description = `${described ?? 'A function available to call.'} Give your whole answer as this tool's arguments.`;
	const tool = { type: 'function', function: { name, description, parameters: jsonSchemaOf(schema) } };
	const read = (message: unknown) => readStructured(message, name, schema);
	const bound = model.bindTools([tool]);
	if (!config.includeRaw) return bound.pipe(read).withConfig({ runName: 'StructuredOutput' });
	// As LangChain's includeRaw: the message, and the parsed value or null when it cannot be read.
	return bound
		.pipe((raw: unknown) => {
			try {
				return { raw, parsed: read(raw) };
			} catch (error) {
				return { raw, parsed: null, parsingError: error };
			}
		})
		.withConfig({ runName: 'StructuredOutputRunnable' });
}

/** A Zod schema as JSON Schema, converted by the LangChain the SDK uses (as its default would). */
function jsonSchemaOf(schema: unknown): unknown {
	if (!isZod(schema)) return schema;
	try {
		const utilities = require.resolve('@n8n/ai-utilities', { paths: [require.resolve('@n8n/ai-node-sdk')] });
		const { toJsonSchema } = require(require.resolve('@langchain/core/utils/json_schema', { paths: [utilities] })) as {
			toJsonSchema: (schema: unknown) => unknown;
		};
		return toJsonSchema(schema);
	} catch {
		return schema; // the SDK converts a Zod schema of its own copy of zod itself
	}
}

interface ToolCallOf {
	name: string;
	args: unknown;
}

/** The tool's arguments from a whole or a streamed message; else JSON the model wrote that fits. */
export function readStructured(message: unknown, name: string, schema: unknown): unknown {
	const calls = ((isObject(message) && Array.isArray(message.tool_calls) ? message.tool_calls : []) as ToolCallOf[]).filter(Boolean);
	const call = calls.find((c) => c.name === name) ?? (calls.length === 1 ? calls[0] : undefined);
	if (call) return fitted(call.args, schema) ?? call.args;
	const text = textOf(message);
	for (const value of jsonValues(text)) {
		const fits = fitted(value, schema);
		if (fits !== undefined) return fits;
	}
	const said = text.trim().replace(/\s+/g, ' ');
	throw new Error(
		`The model answered without the "${name}" call the AI node asked for${said ? `: ${said.length > 200 ? `${said.slice(0, 197)}…` : said}` : ''}`,
	);
}

/** The value as the schema reads it (Zod's parsed data), or undefined when it does not fit. */
function fitted(value: unknown, schema: unknown): unknown {
	if (isZod(schema)) {
		const result = schema.safeParse(value);
		return result.success ? result.data : undefined;
	}
	return isObject(value) ? value : undefined;
}

function textOf(message: unknown): string {
	if (!isObject(message)) return typeof message === 'string' ? message : '';
	const content = message.content;
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content.map((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** Each JSON object in the text (a bare answer, a fenced one, one after a sentence), in order. */
function jsonValues(text: string): unknown[] {
	const values: unknown[] = [];
	for (let start = text.indexOf('{'); start >= 0 && values.length < 10; start = text.indexOf('{', start + 1)) {
		const end = balancedEnd(text, start);
		if (end === undefined) break;
		try {
			values.push(JSON.parse(text.slice(start, end)));
			start = end - 1;
		} catch {
			// not JSON from here: try the next brace
		}
	}
	return values;
}
