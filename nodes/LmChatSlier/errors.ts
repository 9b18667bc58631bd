import type { INode, NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Answer } from '../shared/completion/types';
import { contentFilterWords } from '../shared/node/error-words';
import { nodeErrorFrom, toNodeError } from '../shared/node/node-error';
import type { SlierError } from '../shared/transport/errors';
import type { ModelSettings } from '../shared/node/settings';

/**
 * The error an AI Agent or chain shows for a failed model call, in the words the item nodes use
 * (error-words.ts). No "(item N)": the AI node, not this sub-node, knows which of its items was
 * being answered.
 */
export function modelCallError(node: INode, error: SlierError, settings: ModelSettings): NodeApiError | NodeOperationError {
	return toNodeError(node, error, settings, { model: settings.model || undefined, audience: 'model' });
}

/** In a chain there is no item to mark as filtered: a refusal fails the call, saying why. */
export function contentFilterError(node: INode, answer: Answer): NodeOperationError {
	return nodeErrorFrom(node, contentFilterWords(answer.filter, 'model')) as NodeOperationError;
}
