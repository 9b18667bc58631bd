import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorTypeOf, nodeEdgeError, toNodeError } from '../../nodes/shared/node/errors';
import { SlierError } from '../../nodes/shared/transport/errors';

/** n8n's community lint (require-node-api-error): what leaves a node is n8n's own error type. */
const node: INode = { id: '1', name: 'Slier Chat', type: 'n8n-nodes-slier.slierChat', typeVersion: 1, position: [0, 0], parameters: {} };

describe("a node's edge", () => {
	it('passes NodeApiError and NodeOperationError unchanged', () => {
		const api = new NodeApiError(node, { message: 'HTTP 500' }, { message: 'HTTP 500', httpCode: '500' });
		const op = new NodeOperationError(node, 'bad input', { description: 'fix it' });
		expect(nodeEdgeError(node, api)).toBe(api);
		expect(nodeEdgeError(node, op)).toBe(op);
	});

	it('passes the n8n errors of another copy of n8n-workflow unchanged, told by name as n8n does', () => {
		// instanceof fails across copies of n8n-workflow; the name is what n8n itself checks.
		const api = Object.assign(new Error('HTTP 500'), { name: 'NodeApiError', description: 'from the other copy' });
		const op = Object.assign(new Error('bad input'), { name: 'NodeOperationError', description: 'fix it' });
		expect(nodeEdgeError(node, api)).toBe(api);
		expect(nodeEdgeError(node, op)).toBe(op);
	});

	it('turns anything else into a NodeOperationError with the same message, the original as cause', () => {
		const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
		const error = nodeEdgeError(node, bug, 2);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(bug.message);
		expect(error.cause).toBe(bug);
		expect(error.context.itemIndex).toBe(2);
		expect(nodeEdgeError(node, 'a string').message).toBe('a string');
	});

	it('keeps the errorType of a transport error that reaches it unexplained', () => {
		const error = nodeEdgeError(node, new SlierError('timeout', { problem: 'headers_timeout', timeoutMs: 5000 }));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(errorTypeOf(error)).toBe('timeout');
	});
});

describe('a transport error as the n8n error the user sees', () => {
	const settings = { timeoutMs: 5_000, maxRetries: 2 };

	it('an HTTP error is an API error with its status as the HTTP code', () => {
		const error = toNodeError(node, new SlierError('http', { status: 503, apiMessage: 'busy' }), settings, { itemIndex: 0 });
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('503');
	});

	it('a response that could not be read as HTTP is an API error too (Slier answered), without an HTTP code', () => {
		const error = toNodeError(node, new SlierError('protocol', { cause: 'UND_ERR_HEADERS_OVERFLOW', origin: 'http://127.0.0.1:9' }), settings, { itemIndex: 0 });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The response from http://127.0.0.1:9 could not be read: its headers are larger than n8n accepts (item 0)');
		expect((error as NodeApiError).httpCode).toBeNull();
	});

	it('a broken stream has no status: its API error carries no HTTP code, not the text "undefined"', () => {
		const error = toNodeError(node, new SlierError('stream', { problem: 'ended_early', receivedChars: 3 }), settings, { itemIndex: 0 });
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBeNull();
	});
});
