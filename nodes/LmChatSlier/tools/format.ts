import type { ToolSpec } from './specs';

/**
 * The tool-calling format Slier models are taught (prompt mode): the tools as JSON lines inside
 * <tools>, and each call as one JSON object inside <tool_call> tags. Many open models were
 * trained on exactly this layout; any model can follow it from the instructions alone.
 */
export const CALL_OPEN = '<tool_call>';
export const CALL_CLOSE = '</tool_call>';

export function toolInstructions(specs: ToolSpec[]): string {
	const lines = specs.map((spec) => JSON.stringify({ name: spec.name, description: spec.description, parameters: spec.parameters }));
	return [
		'# Tools',
		'',
		'You can call these tools. Each line is one tool: its name, what it does, and the JSON Schema of its arguments.',
		'<tools>',
		...lines,
		'</tools>',
		'',
		'To call a tool, write exactly this, with the tool name and a JSON object of arguments that matches its schema:',
		CALL_OPEN,
		'{"name": "<tool name>", "arguments": {<arguments>}}',
		CALL_CLOSE,
		'',
		'Rules:',
		'- Call a tool when it helps to answer; you may call several tools, one <tool_call> block each.',
		'- After your last <tool_call> block, stop writing. The results come back in the next message as <tool_result> blocks; never write a result yourself.',
		'- Use only the tools listed above, with the names exactly as written.',
		'- When you can answer without a tool, or once the results are in, answer the user normally, without <tool_call> blocks.',
	].join('\n');
}

/** A call as the model would have written it, for the conversation history. */
export function renderCall(name: string, args: unknown): string {
	return `${CALL_OPEN}\n${JSON.stringify({ name, arguments: args })}\n${CALL_CLOSE}`;
}

/** A tool's result (or error) as the model reads it in the next user message. */
export function renderResult(name: string | undefined, result: string, isError: boolean): string {
	const tag = isError ? 'tool_error' : 'tool_result';
	return `<${tag}${name ? ` name="${name.replace(/"/g, "'")}"` : ''}>\n${result}\n</${tag}>`;
}

/** The message that sends a bad call back to the model, with the reasons. */
export function correctionMessage(problems: string[]): string {
	return [
		'Your tool call was not run:',
		...problems.map((problem) => `- ${problem}`),
		`Write the call again in the ${CALL_OPEN} format, using a listed tool name and arguments that match its schema, or answer without a tool.`,
	].join('\n');
}
