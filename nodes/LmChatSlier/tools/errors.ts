import { NodeOperationError, type INode } from 'n8n-workflow';

/** The model kept writing calls that cannot run, also after hearing why. */
export function toolCallError(node: INode, problems: string[], attempts: number): NodeOperationError {
	const first = problems[0] ?? 'the call could not be read';
	return new NodeOperationError(node, `Slier's model could not call a tool correctly: ${first}`, {
		description: [
			`The model was told what was wrong and tried ${attempts} times. Problems in its last answer: ${problems.join('; ')}.`,
			"Make the tool easier to call: a clear tool name and description, few required fields. Or pick a stronger model, or name the tool in the AI Agent's system message. Tool Calling → Native helps if the model supports OpenAI-style tools.",
		].join(' '),
	});
}

/** Tool Calling is Off and the AI Agent has tools attached. */
export function toolsOffError(node: INode, names: string[]): NodeOperationError {
	const unique = [...new Set(names)];
	return new NodeOperationError(
		node,
		`Tool Calling is Off in Slier Chat Model, and this AI Agent has ${unique.length === 1 ? 'a tool' : 'tools'} attached (${unique.join(', ')})`,
		{
			description: 'Set Options → Tool Calling to Prompt (works with every Slier model) or Native, or remove the tools from the AI Agent.',
		},
	);
}
