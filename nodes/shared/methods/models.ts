import {
	NodeApiError,
	type INode,
	type NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	type JsonObject,
} from 'n8n-workflow';

import { requestJson } from '../transport/client';
import { egressFilterOf } from '../transport/egress';
import { SlierError } from '../transport/errors';
import { readCredentials } from '../node/credentials';
import { nodeEdgeError } from '../node/errors';
import { transportWords } from '../node/error-words';

const LIST_SETTINGS = { timeoutMs: 30_000, maxRetries: 1 };

/**
 * Why the list could not be loaded, as n8n shows it under the list: Slier's answer as a
 * NodeApiError; anything else (the credential's checks, an n8n helper) through the node's edge.
 */
function modelListError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (!(error instanceof SlierError)) return nodeEdgeError(node, error);
	const status = error.details.status;
	// The words the nodes use (error-words.ts), about the list instead of an answer.
	const words = transportWords(error, { settings: LIST_SETTINGS, audience: 'list' });
	const message =
		status === 401 || status === 403 ? 'Slier rejected the API key while listing models' : `Could not list Slier models: ${words.message}`;
	return new NodeApiError(node, { message } as JsonObject, {
		message,
		description: `${words.fix.replace(/\.?$/, '.')} Or switch Model to "ID" and type the model ID.`,
	});
}

interface ModelEntry {
	id?: unknown;
	name?: unknown;
}

/** Feeds Model → From List with `GET /v1/models`, filtered by what the user types. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	let body: unknown;
	try {
		body = await requestJson({
			...(await readCredentials(this)),
			method: 'GET',
			path: '/v1/models',
			...LIST_SETTINGS,
			egress: egressFilterOf(this),
		});
	} catch (error) {
		throw modelListError(this.getNode(), error);
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
