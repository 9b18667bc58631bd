import { NodeOperationError, type INode } from 'n8n-workflow';

import { sendAgainWords } from '../../shared/node/error-words';

/*
 * A chat shows only an error's description, so these descriptions start, like every Slier Chat
 * Model error's (node/error-words.ts causeFirst), with what happened and whether sending the
 * message again can help; the builder's fix follows.
 */

/** The model kept writing calls that cannot run, also after hearing why. */
export function toolCallError(node: INode, problems: string[], attempts: number): NodeOperationError {
	const first = problems[0] ?? 'the call could not be read';
	const message = `Slier's model could not call a tool correctly: ${first}`;
	return new NodeOperationError(node, message, {
		description: [
			`${message}. The model was told what was wrong and tried ${attempts} times. Problems in its last answer: ${problems.join('; ')}.`,
			'Sending the message again may work, since a model does not answer the same way twice.',
			"Make the tool easier to call: a clear tool name and description, few required fields. Or pick a stronger model, or name the tool in the AI Agent's system message. Tool Calling → Native helps if the model supports OpenAI-style tools.",
		].join(' '),
	});
}

/** Tool Calling is Off and the AI Agent has tools attached. */
export function toolsOffError(node: INode, names: string[]): NodeOperationError {
	const unique = [...new Set(names)];
	const message = `Tool Calling is Off in Slier Chat Model, and this AI Agent has ${unique.length === 1 ? 'a tool' : 'tools'} attached (${unique.join(', ')})`;
	return new NodeOperationError(node, message, {
		description: `${message}. ${sendAgainWords('invalid_input')} Set Options → Tool Calling to Prompt (works with every Slier model) or Native, or remove the tools from the AI Agent.`,
	});
}
