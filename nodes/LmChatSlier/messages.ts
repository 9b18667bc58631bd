import type { Message as SdkMessage, MessageContent } from '@n8n/ai-node-sdk';

import { splitThought } from '../shared/completion/reasoning';
import type { Message } from '../shared/completion/types';
import { renderCall, renderResult } from './tools/format';
import { readToolResult } from './tools/history';

/** A message n8n sent that Slier cannot take (a file, say): the caller turns it into an error. */
export class UnsupportedContentError extends Error {}

/**
 * n8n's messages as Slier's `{role, content}`: text parts joined with a blank line, reasoning
 * dropped (it is the model's own scratchpad). Slier has no tool role and no tool calls, so the
 * model's earlier calls are written back as the <tool_call> blocks it wrote, and each result (or
 * error) as a <tool_result> (or <tool_error>) block in a user message, naming the tool: the model
 * reads what it called and what came back, and answers from it instead of calling again. Results
 * of one round share one user message.
 */
export function toSlierMessages(messages: SdkMessage[]): Message[] {
	const out: Message[] = [];
	const toolNames = new Map<string, string>(); // toolCallId → tool name: results carry only the id
	let lastWasResult = false;
	for (const message of messages) {
		if (message.role === 'tool') {
			const content = message.content
				.map((part) => (part.type === 'tool-result' ? resultText(part, toolNames.get(part.toolCallId) ?? message.name) : partText(part)))
				.filter((text) => text !== '')
				.join('\n\n');
			if (content === '') continue;
			const previous = out[out.length - 1];
			if (lastWasResult && previous?.role === 'user') previous.content += `\n\n${content}`;
			else out.push({ role: 'user', content });
			lastWasResult = true;
			continue;
		}
		lastWasResult = false;
		// A streamed answer comes back as one text part per delta: those join without a gap.
		const texts: string[] = [];
		let inText = false;
		for (const part of message.content) {
			if (part.type === 'tool-call') {
				if (part.toolCallId) toolNames.set(part.toolCallId, part.toolName);
				texts.push(renderCall(part.toolName, callArguments(part.input, part.toolCallId)));
				inText = false;
				continue;
			}
			const text = partText(part);
			if (text === '') continue;
			if (inText && message.role === 'assistant') texts[texts.length - 1] += text;
			else texts.push(text);
			inText = part.type === 'text';
		}
		// An earlier answer goes back without its thought (`<think>…</think>`): it is no part of what was said.
		const content = texts.map((text) => (message.role === 'assistant' ? splitThought(text).answer.trim() : text)).filter((text) => text !== '').join('\n\n');
		if (content === '' && message.role === 'assistant') continue;
		out.push({ role: message.role === 'system' || message.role === 'assistant' ? message.role : 'user', content });
	}
	return out;
}

/** The arguments of an earlier call, without the `id` n8n's AI Agent copies into them. */
function callArguments(input: string, toolCallId: string | undefined): unknown {
	let args: unknown;
	try {
		args = JSON.parse(input);
	} catch {
		return input;
	}
	if (typeof args === 'object' && args !== null && !Array.isArray(args) && toolCallId && (args as { id?: unknown }).id === toolCallId) {
		const { id: _id, ...rest } = args as Record<string, unknown>;
		void _id;
		return rest;
	}
	return args;
}

function resultText(part: Extract<MessageContent, { type: 'tool-result' }>, name: string | undefined): string {
	const { text, isError } = readToolResult(part.result, part.isError === true);
	return renderResult(name, text, isError);
}

function partText(part: MessageContent): string {
	switch (part.type) {
		case 'text':
			return part.text;
		case 'file':
			throw new UnsupportedContentError(
				`a file${part.mediaType ? ` (${part.mediaType})` : ''}: Slier takes text only`,
			);
		default:
			// reasoning, citations and provider blocks carry nothing Slier can read
			return '';
	}
}
