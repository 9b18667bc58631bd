import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ApiVersion, CompletionRequest, Endpoint } from '../completion/types';
import { describeValue, readMessages } from './messages';
import { inputError } from './input-error';
import type { ParamReader } from './param-reader';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './properties';

/** What the node decided for one item, besides the request body. */
export interface ItemSettings {
	simplify: boolean;
	timeoutMs: number;
	maxRetries: number;
	onContentFilter: 'output' | 'error';
	includeInputFields: boolean;
	answerFormat: 'text' | 'json';
}

export interface ItemRequest {
	completion: CompletionRequest;
	settings: ItemSettings;
	/** The item's Options as set, for a node's own options (Search's Strip Citation Markers). */
	options: IDataObject;
}

/** Reads one item's parameters into a request, checking them before this item is sent. */
export function readItemRequest(
	ctx: IExecuteFunctions,
	params: ParamReader,
	i: number,
	endpoint: Endpoint,
): ItemRequest {
	const options = params.get('options', i, {}) as IDataObject;
	const settings = readSettings(ctx, i, options);
	const body: CompletionRequest['body'] = {
		messages: readMessages(ctx, params, i),
		stream: params.get('stream', i, false) === true,
	};
	if (endpoint === 'chat') {
		body.model = readModel(ctx, params, i);
		const modelParams = readModelParams(ctx, params, i);
		if (modelParams) body.model_params = modelParams;
	}
	const apiVersion = (options.apiVersion as ApiVersion | undefined) ?? 'v1';
	if (apiVersion !== 'v1' && apiVersion !== 'v2') {
		throw inputError(ctx, i, `API Version "${String(apiVersion)}" is not one Slier offers`, 'Choose v1 or v2 under Options → API Version.');
	}
	return { completion: { endpoint, apiVersion, body }, settings, options };
}

function readSettings(ctx: IExecuteFunctions, i: number, options: IDataObject): ItemSettings {
	const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
	if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
		throw inputError(ctx, i, `Timeout is ${describeValue(timeoutMs)}`, 'Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. 300000 for 5 minutes.');
	}
	if (timeoutMs > MAX_TIMEOUT_MS) {
		throw inputError(ctx, i, `Timeout is ${timeoutMs} ms, longer than the longest wait n8n can time (${MAX_TIMEOUT_MS} ms, about 24.8 days)`, 'Set Options → Timeout (Ms) to at most 2147483647; 300000 (5 minutes) is the default.');
	}
	const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
	if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
		throw inputError(ctx, i, `Max Retries is ${String(maxRetries)}`, 'Set Options → Max Retries to a whole number from 0 to 10.');
	}
	const answerFormat = options.answerFormat ?? 'text';
	if (answerFormat !== 'text' && answerFormat !== 'json') {
		throw inputError(ctx, i, `Answer Format is ${typeof answerFormat === 'string' ? JSON.stringify(answerFormat) : describeValue(answerFormat)}`, 'Set Options → Answer Format to Text or JSON.');
	}
	return {
		simplify: options.simplify !== false,
		timeoutMs,
		maxRetries,
		onContentFilter: options.onContentFilter === 'error' ? 'error' : 'output',
		includeInputFields: options.includeInputFields === true,
		answerFormat,
	};
}

function readModel(ctx: IExecuteFunctions, params: ParamReader, i: number): string {
	const model = params.get('model', i, '', { extractValue: true });
	if (typeof model !== 'string' || model.trim() === '') {
		throw inputError(ctx, i, 'No model is selected', 'Pick a model from the list, or enter a model ID such as claude-2.');
	}
	return model.trim();
}

function readModelParams(ctx: IExecuteFunctions, reader: ParamReader, i: number): Record<string, unknown> | undefined {
	const { temperature, topP, extra } = reader.get('modelParams', i, {}) as IDataObject;
	const params: Record<string, unknown> = {};
	if (temperature !== undefined) params.temperature = checkRange(ctx, i, 'Temperature', temperature, 0, 2);
	if (topP !== undefined) params.top_p = checkRange(ctx, i, 'Top P', topP, 0, 1);
	if (extra !== undefined && extra !== '') Object.assign(params, parseExtra(ctx, i, extra));
	return Object.keys(params).length > 0 ? params : undefined;
}

function checkRange(ctx: IExecuteFunctions, i: number, name: string, value: unknown, min: number, max: number): number {
	if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
		throw inputError(ctx, i, `${name} is ${typeof value === 'number' ? value : describeValue(value)}, outside ${min} to ${max}`, `Set Model Parameters → ${name} to a number from ${min} to ${max}.`);
	}
	return value;
}

function parseExtra(ctx: IExecuteFunctions, i: number, extra: unknown): Record<string, unknown> {
	const fix = 'Extra Parameters (JSON) must be a JSON object, e.g. {"max_tokens": 200}.';
	let parsed = extra;
	if (typeof extra === 'string') {
		try {
			parsed = JSON.parse(extra);
		} catch (error) {
			throw inputError(ctx, i, `Extra Parameters (JSON) is not valid JSON: ${(error as Error).message}`, fix);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw inputError(ctx, i, `Extra Parameters (JSON) is ${describeValue(parsed)}, not a JSON object`, fix);
	}
	const unsafe = findUnsafeKey(parsed);
	if (unsafe) {
		throw inputError(
			ctx,
			i,
			`Extra Parameters (JSON) has the key "${unsafe.key}"${unsafe.path ? ` inside "${unsafe.path}"` : ''}, which is not allowed`,
			'Remove that key. Keys named __proto__, constructor or prototype could change how the request is built, so they are never sent.',
		);
	}
	return parsed as Record<string, unknown>;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first key, at any depth, that JavaScript treats specially: JSON.parse keeps `__proto__` as
 * a plain key, but merging it into the request (Object.assign) would swap the prototype instead
 * and silently drop it. Walks without recursion, so deep nesting cannot overflow the stack.
 */
function findUnsafeKey(root: object): { key: string; path: string } | undefined {
	const stack: Array<{ value: object; path: string }> = [{ value: root, path: '' }];
	while (stack.length > 0) {
		const { value, path } = stack.pop()!;
		for (const key of Object.keys(value)) {
			if (UNSAFE_KEYS.has(key)) return { key, path };
			const child = (value as Record<string, unknown>)[key];
			if (typeof child === 'object' && child !== null) stack.push({ value: child, path: path ? `${path}.${key}` : key });
		}
	}
	return undefined;
}
