import type { ApiVersion } from '../completion/types';
import { describeValue } from './messages';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './properties';

/**
 * Checks of the settings every Slier node shares (Slier Chat, Slier Search, Slier Chat Model), so
 * the same value is accepted or refused with the same words everywhere. Each node supplies
 * `fail`, which builds its own error (an item error naming the item, or a sub-node error).
 */
export type Fail = (problem: string, fix: string) => Error;

export function checkTimeout(value: unknown, fail: Fail): number {
	const timeoutMs = value ?? DEFAULT_TIMEOUT_MS;
	if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
		throw fail(`Timeout is ${describeValue(timeoutMs)}`, 'Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. 300000 for 5 minutes.');
	}
	if (timeoutMs > MAX_TIMEOUT_MS) {
		throw fail(
			`Timeout is ${timeoutMs} ms, longer than the longest wait n8n can time (${MAX_TIMEOUT_MS} ms, about 24.8 days)`,
			'Set Options → Timeout (Ms) to at most 2147483647; 300000 (5 minutes) is the default.',
		);
	}
	return timeoutMs;
}

export function checkMaxRetries(value: unknown, fail: Fail): number {
	const maxRetries = value ?? DEFAULT_MAX_RETRIES;
	if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
		throw fail(`Max Retries is ${String(maxRetries)}`, 'Set Options → Max Retries to a whole number from 0 to 10.');
	}
	return maxRetries;
}

export function checkApiVersion(value: unknown, fail: Fail): ApiVersion {
	const apiVersion = value ?? 'v1';
	if (apiVersion !== 'v1' && apiVersion !== 'v2') {
		throw fail(`API Version "${String(apiVersion)}" is not one Slier offers`, 'Choose v1 or v2 under Options → API Version.');
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
				`${name} is ${typeof value === 'number' ? value : describeValue(value)}, outside ${min} to ${max}`,
				`Set ${where} → ${name} to a number from ${min} to ${max}.`,
			);
		}
		return value;
	};
	if (temperature !== undefined) params.temperature = range('Temperature', temperature, 0, 2);
	if (topP !== undefined) params.top_p = range('Top P', topP, 0, 1);
	if (maxTokens !== undefined && maxTokens !== null && maxTokens !== '') {
		if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
			throw fail(`Max Tokens is ${typeof maxTokens === 'number' ? maxTokens : describeValue(maxTokens)}, not a whole number of at least 1`, `Set ${where} → Max Tokens to a whole number such as 1024, or remove it to let the model decide.`);
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
