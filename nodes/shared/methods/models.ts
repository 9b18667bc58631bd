import {
	NodeApiError,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	type JsonObject,
} from 'n8n-workflow';

import { requestJson } from '../transport/client';
import { egressFilterOf } from '../transport/egress';
import { SlierError } from '../transport/errors';
import { readCredentials } from '../node/credentials';
import { transportWords } from '../node/error-words';

const LIST_SETTINGS = { timeoutMs: 30_000, maxRetries: 1 };

interface ModelEntry {
	id?: unknown;
	name?: unknown;
}

/** Feeds Model → From List with `GET /v1/models`, filtered by what the user types. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const credentials = await readCredentials(this);
	let body: unknown;
	try {
		body = await requestJson({
			...credentials,
			method: 'GET',
			path: '/v1/models',
			...LIST_SETTINGS,
			egress: egressFilterOf(this),
		});
	} catch (error) {
		if (!(error instanceof SlierError)) throw error;
		const status = error.details.status;
		// The words the nodes use (error-words.ts), about the list instead of an answer.
		const words = transportWords(error, { settings: LIST_SETTINGS, audience: 'model' });
		const message =
			status === 401 || status === 403 ? 'Slier rejected the API key while listing models' : `Could not list Slier models: ${words.message}`;
		throw new NodeApiError(this.getNode(), { message } as JsonObject, {
			message,
			description: `${words.fix.replace(/\.?$/, '.')} Or switch Model to "ID" and type the model ID.`,
		});
	}
	const data = (body as { data?: unknown })?.data;
	const entries = (Array.isArray(data) ? data : []) as ModelEntry[];
	const needle = filter?.trim().toLowerCase() ?? '';
	const results = entries
		.filter((m): m is { id: string; name?: unknown } => typeof m?.id === 'string')
		.map((m) => ({ name: typeof m.name === 'string' && m.name ? `${m.name} (${m.id})` : m.id, value: m.id }))
		.filter((r) => needle === '' || r.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
