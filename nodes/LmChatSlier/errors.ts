import { NodeOperationError, type INode, type NodeApiError } from 'n8n-workflow';

import type { Answer } from '../shared/completion/types';
import { toNodeError } from '../shared/node/node-error';
import type { SlierError } from '../shared/transport/errors';
import type { ModelSettings } from '../shared/node/settings';

/**
 * The error an AI Agent or chain shows for a failed model call. No "(item N)": the AI node, not
 * this sub-node, knows which of its items was being answered.
 */
export function modelCallError(node: INode, error: SlierError, settings: ModelSettings): NodeApiError | NodeOperationError {
	return toNodeError(node, error, settings, {
		model: settings.model || undefined,
		// The item nodes' advice for a broken stream mentions their Stream switch, which this node lacks.
		fix:
			error.kind === 'stream'
				? 'A stream is never retried once it has started (that would pay for a second answer). Run the workflow again.'
				: undefined,
	});
}

/** In a chain there is no item to mark as filtered: a refusal fails the call, saying why. */
export function contentFilterError(node: INode, answer: Answer): NodeOperationError {
	const said = answer.filter?.message ? `: ${answer.filter.message}` : '';
	return new NodeOperationError(node, `Slier's content filter refused to answer${said}`, {
		description:
			'Rephrase the prompt or the system message of the AI node. Slier Chat (not this model) can instead output a filtered item, with On Content Filter → Output Filtered Item.',
	});
}
