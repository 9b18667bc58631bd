import { NodeOperationError, type IDataObject, type ISupplyDataFunctions } from 'n8n-workflow';

import type { ApiVersion } from '../shared/completion/types';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../shared/node/properties';

/** What the panel decided for every call the AI node makes through this model. */
export interface ModelSettings {
	/** Empty in search mode: Slier Search takes no model. */
	model: string;
	searchMode: boolean;
	stripCitations: boolean;
	apiVersion: ApiVersion;
	timeoutMs: number;
	maxRetries: number;
	modelParams?: Record<string, unknown>;
}

/** Reads and checks the panel once, in supplyData, so a bad value fails before any request. */
export function readModelSettings(ctx: ISupplyDataFunctions, itemIndex: number): ModelSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const fail = (message: string, fix: string) =>
		new NodeOperationError(ctx.getNode(), message, { description: fix, itemIndex });
	const searchMode = options.searchMode === true;
	let model = '';
	if (!searchMode) {
		const value = ctx.getNodeParameter('model', itemIndex, '', { extractValue: true });
		if (typeof value !== 'string' || value.trim() === '') {
			throw fail('No model is selected', 'Pick a model from the list, or enter a model ID such as claude-2.');
		}
		model = value.trim();
	}
	const apiVersion = options.apiVersion ?? 'v1';
	if (apiVersion !== 'v1' && apiVersion !== 'v2') {
		throw fail(`API Version "${String(apiVersion)}" is not one Slier offers`, 'Choose v1 or v2 under Options → API Version.');
	}
	const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
	if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
		throw fail('Timeout is not a positive number', 'Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. 300000 for 5 minutes.');
	}
	const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
	if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
		throw fail(`Max Retries is ${String(maxRetries)}`, 'Set Options → Max Retries to a whole number from 0 to 10.');
	}
	const modelParams: Record<string, unknown> = {};
	const range = (name: string, value: unknown, min: number, max: number) => {
		if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
			throw fail(`${name} is ${String(value)}, outside ${min} to ${max}`, `Set Options → ${name} to a number from ${min} to ${max}.`);
		}
		return value;
	};
	if (options.temperature !== undefined) modelParams.temperature = range('Temperature', options.temperature, 0, 2);
	if (options.topP !== undefined) modelParams.top_p = range('Top P', options.topP, 0, 1);
	const extra = parseExtra(options.extra, fail);
	return {
		model,
		searchMode,
		stripCitations: options.stripCitations === true,
		apiVersion,
		timeoutMs,
		maxRetries,
		// Spread, not Object.assign: a "__proto__" key stays a plain key instead of a prototype.
		modelParams: searchMode ? undefined : nonEmpty({ ...modelParams, ...extra }),
	};
}

function parseExtra(
	value: unknown,
	fail: (message: string, fix: string) => NodeOperationError,
): Record<string, unknown> {
	if (value === undefined || value === '') return {};
	const fix = 'Options → Extra Model Parameters (JSON) must be a JSON object, e.g. {"max_tokens": 200}.';
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw fail(`Extra Model Parameters (JSON) is not valid JSON: ${(error as Error).message}`, fix);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw fail('Extra Model Parameters (JSON) is not a JSON object', fix);
	}
	return parsed as Record<string, unknown>;
}

const nonEmpty = (params: Record<string, unknown>) => (Object.keys(params).length > 0 ? params : undefined);
