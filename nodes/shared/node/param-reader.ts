import type { IExecuteFunctions, IGetNodeParameterOptions } from 'n8n-workflow';

/** True when the value holds an n8n expression anywhere (a string starting with "="). */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/**
 * getNodeParameter per item, but a parameter without any expression is resolved once: it is
 * the same for every item, and resolving it costs more than the HTTP call on a fast network.
 * Values are shared between items, so callers must not mutate them.
 */
export class ParamReader {
	private readonly cache = new Map<string, unknown>();
	private readonly raw: Record<string, unknown>;

	constructor(private readonly ctx: IExecuteFunctions) {
		this.raw = ctx.getNode().parameters as Record<string, unknown>;
	}

	get(name: string, itemIndex: number, fallback: unknown, options?: IGetNodeParameterOptions): unknown {
		const key = options?.extractValue ? `${name}#value` : name;
		if (this.cache.has(key)) return this.cache.get(key);
		const value = this.ctx.getNodeParameter(name, itemIndex, fallback, options);
		if (!hasExpression(this.rawAt(name))) this.cache.set(key, value);
		return value;
	}

	private rawAt(path: string): unknown {
		let value: unknown = this.raw;
		for (const part of path.split('.')) {
			if (value === null || typeof value !== 'object') return undefined;
			value = (value as Record<string, unknown>)[part];
		}
		return value;
	}
}
