import {
	NodeOperationError,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type ISupplyDataFunctions,
} from 'n8n-workflow';

import type { Connection } from '../completion/complete';
import type { EgressFilter } from '../transport/egress';

export const DEFAULT_BASE_URL = 'https://api.slier.ai';

export interface SlierCredentials {
	baseUrl: string;
	apiKey: string;
}

/**
 * Where and how a node's completions go: the credential, Timeout and Max Retries, the execution's
 * cancel signal and n8n's SSRF policy. One per item (Slier Chat, Slier Search) or per model.
 */
export function connectionOf(
	credentials: SlierCredentials,
	settings: { timeoutMs: number; maxRetries: number },
	signal: AbortSignal | undefined,
	egress: EgressFilter | undefined,
): Connection {
	return { ...credentials, timeoutMs: settings.timeoutMs, maxRetries: settings.maxRetries, signal, egress };
}

/** Reads and checks the Slier API credential. Errors name the field, never its value. */
export async function readCredentials(
	ctx: IExecuteFunctions | ILoadOptionsFunctions | ISupplyDataFunctions,
): Promise<SlierCredentials> {
	const data = await ctx.getCredentials<{ apiKey?: unknown; baseUrl?: unknown }>('slierApi');
	const apiKey = typeof data.apiKey === 'string' ? data.apiKey.trim() : '';
	if (apiKey === '') {
		throw new NodeOperationError(ctx.getNode(), 'The Slier API credential has no API key', {
			description: 'Open the credential and paste your Slier API key.',
		});
	}
	const rawBase = typeof data.baseUrl === 'string' && data.baseUrl.trim() !== '' ? data.baseUrl.trim() : DEFAULT_BASE_URL;
	const fix = `Use a URL like ${DEFAULT_BASE_URL} (the default) or http://127.0.0.1:8787 for the local emulator.`;
	let url: URL | undefined;
	try {
		url = new URL(rawBase);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The Base URL in the Slier API credential is not a valid http(s) URL: "${url ? url.origin : rawBase.slice(0, 80)}"`,
			{ description: fix },
		);
	}
	if (/[?#]/.test(rawBase)) {
		const part = rawBase.includes('?') ? 'a query string (?…)' : 'a fragment (#…)';
		throw new NodeOperationError(
			ctx.getNode(),
			`The Base URL in the Slier API credential has ${part}, which the API paths cannot be added after`,
			{ description: `Remove everything from the "?" or "#" on. ${fix}` },
		);
	}
	return { apiKey, baseUrl: normalizeBaseUrl(rawBase) };
}

/**
 * The base URL the API paths are appended to: without stray slashes, and without a trailing
 * `/v1` or `/v2` (users paste it from the API's own URLs and OpenAI-style settings; the node
 * adds the version from Options → API Version). The credential test does the same in its
 * expression (SlierApi.credentials.ts).
 */
export function normalizeBaseUrl(baseUrl: string): string {
	return baseUrl.trim().replace(/\/+$/, '').replace(/\/v[12]$/i, '').replace(/\/+$/, '');
}
