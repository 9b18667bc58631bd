import type { Message as SdkMessage, MessageContent } from '@n8n/ai-node-sdk';

import type { Message } from '../shared/completion/types';

/** A message n8n sent that Slier cannot take (an image, say): the caller turns it into an error. */
export class UnsupportedContentError extends Error {}

/**
 * n8n's messages as Slier's `{role, content}`: text parts joined with a blank line, reasoning
 * dropped (it is the model's own scratchpad). Slier has no tool role and no tool calls: a tool
 * result (only possible in a history another model wrote) becomes user text that says what it
 * is, so such a conversation can go on; an assistant tool call that carries no text is dropped.
 */
export function toSlierMessages(messages: SdkMessage[]): Message[] {
	const out: Message[] = [];
	for (const message of messages) {
		const content = message.content.map(partText).filter((text) => text !== '').join('\n\n');
		if (message.role === 'tool') {
			if (content !== '') out.push({ role: 'user', content: `Tool result${message.name ? ` (${message.name})` : ''}:\n${content}` });
			continue;
		}
		if (content === '' && message.role === 'assistant') continue;
		out.push({ role: message.role === 'system' || message.role === 'assistant' ? message.role : 'user', content });
	}
	return out;
}

function partText(part: MessageContent): string {
	switch (part.type) {
		case 'text':
			return part.text;
		case 'tool-result':
			return typeof part.result === 'string' ? part.result : JSON.stringify(part.result);
		case 'file':
			throw new UnsupportedContentError(
				`a file${part.mediaType ? ` (${part.mediaType})` : ''}: Slier takes text only`,
			);
		default:
			// reasoning, tool calls, citations and provider blocks carry nothing Slier can read
			return '';
	}
}
