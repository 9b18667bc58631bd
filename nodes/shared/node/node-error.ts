import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import type { SlierError } from '../transport/errors';
import { withErrorType } from './error-type';
import { transportWords, unexpectedWords, type Audience, type RetrySettings, type Words } from './error-words';

export type { RetrySettings } from './error-words';

export interface NodeErrorContext {
	/** The item that failed; absent for a chat model call, where the AI node knows the item. */
	itemIndex?: number;
	model?: string;
	/** Whether the request asked for a stream (an item node's Stream switch). */
	streamed?: boolean;
	/** Facts for a NodeApiError: the HTTP status and the API's reason, when there was an answer. */
	api?: { status?: number; reason?: string };
}

/**
 * The n8n error for a failure already put in words: for item nodes naming the item, marked with its
 * errorType. Failures with an answer from the server become NodeApiError, the rest NodeOperationError.
 */
export function nodeErrorFrom(node: INode, words: Words, { itemIndex, api }: NodeErrorContext = {}): NodeApiError | NodeOperationError {
	const message = itemIndex === undefined ? words.message : `${words.message} (item ${itemIndex})`;
	if (api) {
		const response: JsonObject = { message };
		if (api.status !== undefined) response.httpCode = String(api.status);
		if (api.reason) response.reason = api.reason;
		const apiError = new NodeApiError(node, response, {
			message,
			description: words.fix,
			httpCode: api.status !== undefined ? String(api.status) : undefined,
			itemIndex,
		});
		return withErrorType(apiError, words.errorType);
	}
	return withErrorType(new NodeOperationError(node, message, { itemIndex, description: words.fix }), words.errorType);
}

/** Kinds of failure where the server did answer: shown as n8n API errors. */
const ANSWERED = new Set<SlierError['kind']>(['http', 'stream', 'response', 'protocol']);

/**
 * Turns a transport error into the n8n error the user sees, with the words of error-words.ts.
 * Every transport error goes through here, for the item nodes and the chat model alike.
 */
export function toNodeError(
	node: INode,
	error: SlierError,
	settings: RetrySettings,
	context: NodeErrorContext & { audience?: Audience } = {},
): NodeApiError | NodeOperationError {
	const audience = context.audience ?? (context.itemIndex === undefined ? 'model' : 'item');
	const words = transportWords(error, { settings, audience, model: context.model, streamed: context.streamed });
	const api = ANSWERED.has(error.kind) ? { status: error.details.status, reason: error.details.reason } : undefined;
	return nodeErrorFrom(node, words, { ...context, api });
}

/** A failure nobody foresaw (a TypeError), as an n8n error that says so, never as bad input. */
export function unexpectedNodeError(node: INode, error: unknown, itemIndex?: number, apiKey?: string): NodeOperationError {
	return nodeErrorFrom(node, unexpectedWords(error, apiKey), { itemIndex }) as NodeOperationError;
}
