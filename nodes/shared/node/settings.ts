import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';

import type { ApiVersion } from '../completion/types';
import { MAX_CONCURRENCY, MAX_TIMER_MS } from '../transport/limits';

export { MAX_CONCURRENCY, MAX_TIMER_MS };

/**
 * The settings every Slier node shares (Slier Chat, Slier Search, Slier Chat Model): their defaults
 * and limits, their checks, and the readers of both kinds of node, so the same value is accepted
 * or refused with the same words everywhere. Each caller supplies `fail`, which builds its own
 * error (an item error naming the item, or a sub-node error).
 */

export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_RETRIES = 2;
export const MAX_RETRIES = 10;
export const DEFAULT_MAX_CONCURRENCY = 8;

export type Fail = (problem: string, fix: string) => Error;

/**
 * Says what a value is, for error messages, so that "X is …" reads as a sentence for anything a
 * user can type or an expression can give: "not set", "empty", "null", "0", "true", "the text
 * "abc"", "an object", "an array" (never "a undefined", never [object Object]).
 */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'not set';
	if (value === null) return 'null';
	if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
	if (typeof value === 'number') return String(value);
	if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	if (typeof value === 'string') {
		const text = value.replace(/\s+/g, ' ').trim();
		if (text === '') return 'empty';
		return `the text "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
	}
	if (typeof value === 'function') return 'a function';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/** What the node decided for one item, besides the request body. */
export interface ItemSettings {
	simplify: boolean;
	timeoutMs: number;
	maxRetries: number;
	onContentFilter: 'output' | 'error';
	includeInputFields: boolean;
	answerFormat: 'text' | 'json';
}

/** The item nodes' Options for one item. */
export function readItemSettings(options: IDataObject, fail: Fail): ItemSettings {
	const timeoutMs = checkTimeout(options.timeout, fail);
	const maxRetries = checkMaxRetries(options.maxRetries, fail);
	const answerFormat = options.answerFormat ?? 'text';
	if (answerFormat !== 'text' && answerFormat !== 'json') {
		throw fail(`Answer Format is ${typeof answerFormat === 'string' ? JSON.stringify(answerFormat) : describeValue(answerFormat)}`, 'Set Options → Answer Format to Text or JSON.');
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

/** What the Slier Chat Model's panel decided for every call the AI node makes through it. */
export interface ModelSettings {
	/** Empty in search mode: Slier Search takes no model. */
	model: string;
	searchMode: boolean;
	stripCitations: boolean;
	apiVersion: ApiVersion;
	timeoutMs: number;
	maxRetries: number;
	modelParams?: Record<string, unknown>;
	/** How an AI Agent's tools reach the model: described in the prompt (the default), native, or refused. */
	toolCalling?: ToolCalling;
	/** Options → Thought Starts Open: a stream passes nothing on as answer before `</think>`. */
	thoughtStartsOpen?: boolean;
}

export type ToolCalling = 'prompt' | 'native' | 'off';

/** Reads and checks the Slier Chat Model's panel once, in supplyData, so a bad value fails before any request. */
export function readModelSettings(ctx: ISupplyDataFunctions, itemIndex: number, fail: Fail): ModelSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const searchMode = options.searchMode === true;
	const model = searchMode ? '' : checkModel(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }), fail);
	const apiVersion = checkApiVersion(options.apiVersion, fail);
	const timeoutMs = checkTimeout(options.timeout, fail);
	const maxRetries = checkMaxRetries(options.maxRetries, fail);
	const modelParams = checkModelParams(options, 'Options', 'Extra Model Parameters (JSON)', fail);
	const toolCalling = options.toolCalling ?? 'prompt';
	if (toolCalling !== 'prompt' && toolCalling !== 'native' && toolCalling !== 'off') {
		throw fail(`Tool Calling ${typeof toolCalling === 'string' ? `"${toolCalling}"` : `is ${describeValue(toolCalling)}, which`} is not an option`, 'Choose Prompt, Native or Off under Options → Tool Calling.');
	}
	return {
		model,
		searchMode,
		stripCitations: options.stripCitations === true,
		apiVersion,
		timeoutMs,
		maxRetries,
		// Slier Search takes no model parameters.
		modelParams: searchMode ? undefined : modelParams,
		toolCalling,
		...(options.thoughtStartsOpen === true ? { thoughtStartsOpen: true } : {}),
	};
}

/** Max Concurrent Requests, read once per run since it shapes the run. */
export function checkMaxConcurrency(value: unknown, fail: Fail): number {
	const maxConcurrency = value ?? DEFAULT_MAX_CONCURRENCY;
	if (typeof maxConcurrency !== 'number' || !Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY) {
		throw fail(`Max Concurrent Requests is ${describeValue(maxConcurrency)}`, `Set Options → Max Concurrent Requests to a whole number from 1 to ${MAX_CONCURRENCY}.`);
	}
	return maxConcurrency;
}

export function checkTimeout(value: unknown, fail: Fail): number {
	const timeoutMs = value ?? DEFAULT_TIMEOUT_MS;
	const fix = `Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. ${DEFAULT_TIMEOUT_MS} for 5 minutes.`;
	if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
		throw fail(`Timeout is ${describeValue(timeoutMs)}, not a number of milliseconds`, fix);
	}
	if (!(timeoutMs > 0)) {
		throw fail(`Timeout is ${timeoutMs} ms: it must be more than 0`, fix);
	}
	if (timeoutMs > MAX_TIMER_MS) {
		throw fail(
			`Timeout is ${timeoutMs} ms, longer than the longest wait n8n can time (${MAX_TIMER_MS} ms, about 24.8 days)`,
			`Set Options → Timeout (Ms) to at most ${MAX_TIMER_MS}; ${DEFAULT_TIMEOUT_MS} (5 minutes) is the default.`,
		);
	}
	return timeoutMs;
}

export function checkMaxRetries(value: unknown, fail: Fail): number {
	const maxRetries = value ?? DEFAULT_MAX_RETRIES;
	if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES) {
		throw fail(`Max Retries is ${describeValue(maxRetries)}`, `Set Options → Max Retries to a whole number from 0 to ${MAX_RETRIES}.`);
	}
	return maxRetries;
}

export function checkApiVersion(value: unknown, fail: Fail): ApiVersion {
	const apiVersion = value ?? 'v1';
	if (apiVersion !== 'v1' && apiVersion !== 'v2') {
		throw fail(
			`API Version ${typeof apiVersion === 'string' ? `"${apiVersion}"` : `is ${describeValue(apiVersion)}, which`} is not one Slier offers`,
			'Choose v1 or v2 under Options → API Version.',
		);
	}
	return apiVersion;
}

export function checkModel(value: unknown, fail: Fail): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw fail('No model is selected', 'Pick a model from the list, or enter a model ID such as claude-2.');
	}
	return value.trim();
}

/** The panel's model parameters and where the user finds them ("Model Parameters", "Options"). */
export interface ModelParamValues {
	temperature?: unknown;
	topP?: unknown;
	extra?: unknown;
	maxTokens?: unknown;
}

/** `model_params` for the request: temperature, top_p, then Extra Parameters (JSON) merged last. */
export function checkModelParams(
	{ temperature, topP, extra, maxTokens }: ModelParamValues,
	where: string,
	extraName: string,
	fail: Fail,
): Record<string, unknown> | undefined {
	const params: Record<string, unknown> = {};
	const range = (name: string, value: unknown, min: number, max: number) => {
		if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
			throw fail(
				typeof value === 'number' && !Number.isNaN(value)
					? `${name} is ${value}, outside ${min} to ${max}`
					: `${name} is ${describeValue(value)}, not a number from ${min} to ${max}`,
				`Set ${where} → ${name} to a number from ${min} to ${max}.`,
			);
		}
		return value;
	};
	if (temperature !== undefined) params.temperature = range('Temperature', temperature, 0, 2);
	if (topP !== undefined) params.top_p = range('Top P', topP, 0, 1);
	if (maxTokens !== undefined && maxTokens !== null && maxTokens !== '') {
		if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
			throw fail(`Max Tokens is ${describeValue(maxTokens)}, not a whole number of at least 1`, `Set ${where} → Max Tokens to a whole number such as 1024, or remove it to let the model decide.`);
		}
		params.max_tokens = maxTokens;
	}
	if (extra !== undefined && extra !== '') Object.assign(params, parseExtra(extra, extraName, fail));
	return Object.keys(params).length > 0 ? params : undefined;
}

function parseExtra(extra: unknown, name: string, fail: Fail): Record<string, unknown> {
	const fix = `${name} must be a JSON object, e.g. {"max_tokens": 200}.`;
	let parsed = extra;
	if (typeof extra === 'string') {
		try {
			parsed = JSON.parse(extra);
		} catch (error) {
			throw fail(`${name} is not valid JSON: ${(error as Error).message}`, fix);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw fail(`${name} is ${describeValue(parsed)}, not a JSON object`, fix);
	}
	const unsafe = findUnsafeKey(parsed);
	if (unsafe) {
		throw fail(
			`${name} has the key "${unsafe.key}"${unsafe.path ? ` inside "${unsafe.path}"` : ''}, which is not allowed`,
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
