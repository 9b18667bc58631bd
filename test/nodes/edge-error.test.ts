import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorTypeOf, nodeEdgeError } from '../../nodes/shared/node/errors';
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
