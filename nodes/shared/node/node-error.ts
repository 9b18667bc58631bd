import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import type { SlierError } from '../transport/errors';
import { humanDuration, seconds } from '../transport/format';
import { exceedsRetryAfterCap, RETRY_AFTER_CAP_MS } from '../transport/retry';
import { errorTypeOf, withErrorType } from './error-type';
import type { ItemSettings } from './settings';

/** The settings an explanation quotes (both the item nodes and the chat model have them). */
export type RetrySettings = Pick<ItemSettings, 'timeoutMs' | 'maxRetries'>;

/** What went wrong and what to do, in words a workflow builder can act on. */
function explain(error: SlierError, settings: RetrySettings, model?: string): { message: string; fix: string } {
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
		case 'blocked':
			return {
				message: error.message,
				fix: 'Use the public Slier API (https://api.slier.ai), or ask the n8n administrator to allow this address (see the message).',
			};
		case 'too_large':
			return {
				message: error.message,
				fix: 'Check the Base URL in the Slier API credential: it may point at a file or a gateway instead of the Slier API. For a very long answer, ask for a shorter one.',
			};
		case 'request':
			return {
				message: error.message,
				fix: /API key/.test(error.message)
					? 'Open the Slier API credential and paste the API key again, as one line without spaces or line breaks.'
					: 'This request was not sent and not retried. Check the Slier API credential and the node parameters.',
			};
	}
	if (exceedsRetryAfterCap(error)) {
		const wait = humanDuration(error.details.retryAfterMs ?? 0);
		const quota = status === 429 ? ': your Slier quota or rate limit may be used up for now' : '';
		return {
			message: `Slier asked to wait ${wait} before trying again (HTTP ${status ?? '?'}), longer than the ${seconds(RETRY_AFTER_CAP_MS)} this node waits${quota}`,
			fix: `Run the item again after that time, or check your Slier plan and usage. It was not retried, so it did not hold up the other items.${said}`,
		};
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

export interface NodeErrorContext {
	/** The item that failed; absent for a chat model call, where the AI node knows the item. */
	itemIndex?: number;
	model?: string;
	/** Advice that replaces the usual fix (the chat model has no Stream switch to mention). */
	fix?: string;
}

/**
 * Turns a transport error into the n8n error the user sees (for item nodes, naming the item),
 * marked with its errorType. Every transport error goes through here: HTTP answers become
 * NodeApiError, the rest (timeouts, network, cancel, SSRF refusals) NodeOperationError.
 */
export function toNodeError(
	node: INode,
	error: SlierError,
	settings: RetrySettings,
	{ itemIndex, model, fix: customFix }: NodeErrorContext = {},
): NodeApiError | NodeOperationError {
	const explained = explain(error, settings, model);
	const message = itemIndex === undefined ? explained.message : `${explained.message} (item ${itemIndex})`;
	const fix = customFix ?? explained.fix;
	if (error.kind === 'http' || error.kind === 'stream' || error.kind === 'response') {
		const response: JsonObject = { message };
		if (error.details.status !== undefined) response.httpCode = String(error.details.status);
		if (error.details.reason) response.reason = error.details.reason;
		const apiError = new NodeApiError(node, response, {
			message,
			description: fix,
			httpCode: error.details.status !== undefined ? String(error.details.status) : undefined,
			itemIndex,
		});
		return withErrorType(apiError, errorTypeOf(error));
	}
	return withErrorType(new NodeOperationError(node, message, { itemIndex, description: fix }), errorTypeOf(error));
}
