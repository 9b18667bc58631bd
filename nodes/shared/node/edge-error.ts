import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorTypeOf, withErrorType } from './error-type';

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
	return withErrorType(wrapped, errorTypeOf(error));
}
