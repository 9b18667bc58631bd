import {
	ExecutionBaseError,
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { SlierError } from '../transport/errors';
import {
	transportErrorType,
	transportWords,
	unexpectedWords,
	type Audience,
	type ErrorType,
	type RetrySettings,
	type Words,
} from './error-words';

/**
 * The n8n errors every Slier node throws, made from the words of error-words.ts: for the item
 * nodes (naming the item) and the Slier Chat Model alike. Each carries its errorType as a field;
 * n8n's error serialization (toJSON) leaves it out of saved executions.
 */
export type NodeError = (NodeApiError | NodeOperationError) & { errorType?: ErrorType };

/** Marks an n8n error with its errorType; returns the same error. */
export function typed<E extends NodeApiError | NodeOperationError>(error: E, type: ErrorType): E {
	(error as NodeError).errorType = type;
	return error;
}

/**
 * The errorType of a failure. A node error made from Words carries it. An n8n error without one
 * is a check made before sending (parameters, the input item, the credential, an expression n8n
 * could not resolve): `invalid_input`. Anything else was not foreseen.
 */
export function errorTypeOf(error: unknown): ErrorType {
	if (typeof error === 'object' && error !== null) {
		const type = (error as NodeError).errorType;
		if (type) return type;
		if (error instanceof SlierError) return transportErrorType(error);
		if (error instanceof ExecutionBaseError) return 'invalid_input';
	}
	return 'unexpected';
}

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
		return typed(apiError, words.errorType);
	}
	return typed(new NodeOperationError(node, message, { itemIndex, description: words.fix }), words.errorType);
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

/** A problem with what the user configured or fed in, found before anything is sent. */
export function inputError(ctx: IExecuteFunctions, itemIndex: number, problem: string, fix: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `${problem} (item ${itemIndex})`, { itemIndex, description: fix });
}

/** n8n's two error types for a node; n8n itself tells them apart by name, too (rethrowNodeError). */
function isNodeError(error: unknown): error is NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return true;
	// A copy of n8n-workflow other than n8n's own would fail instanceof: trust the name, as n8n does.
	const name = (error as { name?: unknown } | null)?.name;
	return error instanceof Error && (name === 'NodeApiError' || name === 'NodeOperationError');
}

/**
 * What leaves a node is n8n's own error: every entry point (execute, supplyData, the model list,
 * a model call) ends in this. Errors the nodes explain themselves are already a NodeApiError
 * (Slier answered) or a NodeOperationError (anything else) and pass unchanged; the transport's
 * SlierError is explained by `toNodeError` where its settings are known, before it gets here.
 * Anything else (an n8n helper's error, a bug) becomes a NodeOperationError with the same message
 * and description and the original as its cause, keeping its errorType.
 */
export function nodeEdgeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (isNodeError(error)) return error;
	const wrapped = new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
	return typed(wrapped, errorTypeOf(error));
}
