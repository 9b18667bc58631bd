import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import type { SlierError } from '../transport/errors';
import { seconds } from '../transport/sse';
import type { ItemSettings } from './item-request';

/** What went wrong and what to do, in words a workflow builder can act on. */
export function explain(error: SlierError, settings: ItemSettings, model?: string): { message: string; fix: string } {
	const { status, apiMessage, reason, param } = error.details;
	const said = apiMessage ? ` Slier said: "${apiMessage}"` : '';
	const retries = `${settings.maxRetries} ${settings.maxRetries === 1 ? 'retry' : 'retries'}`;
	switch (error.kind) {
		case 'timeout':
			return {
				message: error.message.replace(/\.?$/, ''),
				fix: `Raise Options → Timeout (Ms) (now ${settings.timeoutMs} ms, ${seconds(settings.timeoutMs)}), or ask for a shorter answer.`,
			};
		case 'network':
			return {
				message: error.message,
				fix: `Check the Base URL in the Slier API credential and that this n8n instance can reach it. It was tried ${settings.maxRetries + 1} time(s).`,
			};
		case 'stream':
			return {
				message: error.message,
				fix: 'A stream is never retried once it has started (that would pay for a second answer). Run the item again, or turn Stream off.',
			};
		case 'response':
			return { message: error.message, fix: 'This looks like a problem on the Slier side or in a proxy between. Try again later.' };
		case 'aborted':
			return { message: error.message, fix: 'The execution was stopped.' };
	}
	if (status === 401 || status === 403) {
		return {
			message: `Slier rejected the API key (HTTP ${status})`,
			fix: `Check the API key in the Slier API credential: it may be mistyped, revoked or lack access.${said}`,
		};
	}
	if (status === 404 && (reason === 'model_not_found' || param === 'model')) {
		return {
			message: `Slier does not know the model "${model ?? '?'}" (HTTP 404)`,
			fix: `Pick a model under Model → From List, which shows the models your key can use, or correct the ID.${said}`,
		};
	}
	if (status === 404) {
		return {
			message: 'Slier has no such endpoint (HTTP 404)',
			fix: `Check the Base URL in the Slier API credential and Options → API Version.${said}`,
		};
	}
	if (status === 429) {
		return {
			message: `Slier's rate limit was still reached after ${retries} (HTTP 429)`,
			fix: `Send fewer items at once, or raise Options → Max Retries.${said}`,
		};
	}
	if (status !== undefined && status >= 300 && status < 400) {
		return { message: error.message, fix: 'Set the Base URL in the credential to the final address of the API.' };
	}
	if (status !== undefined && status >= 500) {
		const what = apiMessage ?? error.details.bodyExcerpt ?? 'no details';
		return {
			message: `Slier had a server error (HTTP ${status}) after ${retries}: ${what}`,
			fix: 'This is on the Slier side or a proxy between. Try again later, or raise Options → Max Retries.',
		};
	}
	return {
		message: `Slier rejected the request (HTTP ${status ?? '?'}): ${apiMessage ?? error.details.bodyExcerpt ?? 'no details'}`,
		fix: param ? `Check the "${param}" part of the request.` : 'Check the messages and model parameters.',
	};
}

/** Turns a transport error into the n8n error the user sees for this item. */
export function toNodeError(
	node: INode,
	error: SlierError,
	itemIndex: number,
	settings: ItemSettings,
	model?: string,
): NodeApiError | NodeOperationError {
	const explained = explain(error, settings, model);
	const message = `${explained.message} (item ${itemIndex})`;
	const fix = explained.fix;
	if (error.kind === 'http' || error.kind === 'stream' || error.kind === 'response') {
		const response: JsonObject = { message };
		if (error.details.status !== undefined) response.httpCode = String(error.details.status);
		if (error.details.reason) response.reason = error.details.reason;
		return new NodeApiError(node, response, {
			message,
			description: fix,
			httpCode: error.details.status !== undefined ? String(error.details.status) : undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(node, message, { itemIndex, description: fix });
}
