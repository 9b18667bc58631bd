import type { Message as SdkMessage } from '@n8n/ai-node-sdk';

import { readToolResult } from './history';
import { resolveToolName, type ToolSpec } from './specs';

/** A call as a reader found it: a tool name and its arguments (an object, or text). */
export interface FoundCall {
	name: string;
	arguments: unknown;
}

/** Reads the calls in a text, the same way a model's answer is read. */
export type CallReader = (text: string, specs: ToolSpec[]) => { calls: FoundCall[] };

/**
 * Quoted is not called. A tool that reads outside text (a web page, an e-mail, a file) may bring
 * back a call written by someone else; a model that repeats it (in a fence, say) must not make
 * the agent run it. The rule: a call in the model's answer that the same reader also finds in
 * the user's own messages or in a tool's result earlier in this conversation, with the same
 * tool and the same arguments, is text, not a call. Whitespace, key order, the format it is
 * written in, and a number written as text do not make it a different call.
 */
export class QuotedCalls {
	private readonly keys = new Set<string>();

	constructor(messages: SdkMessage[], specs: ToolSpec[], read: CallReader) {
		for (const text of quotedTexts(messages)) {
			for (const call of read(text, specs).calls) {
				const key = callKey(call, specs);
				if (key) this.keys.add(key);
			}
		}
	}

	/** True when this call of the model's answer stands in a user message or a tool result. */
	has(call: FoundCall, specs: ToolSpec[]): boolean {
		if (this.keys.size === 0) return false;
		const key = callKey(call, specs);
		return key !== undefined && this.keys.has(key);
	}
}

/**
 * The texts of the conversation the model did not write: user messages, and tool results, read
 * as the model reads them (n8n's `[{"response": …}]` wrapper undone), plus every string inside a
 * JSON result, where a quoted call would stand escaped.
 */
function quotedTexts(messages: SdkMessage[]): string[] {
	const texts: string[] = [];
	for (const message of messages) {
		if (message.role !== 'user' && message.role !== 'tool') continue;
		for (const part of message.content) {
			if (part.type === 'text' && message.role === 'user') texts.push(part.text);
			if (part.type !== 'tool-result') continue;
			texts.push(readToolResult(part.result, part.isError === true).text);
			collectStrings(parsed(part.result), texts, 0);
		}
	}
	return texts.filter((text) => text.trim() !== '');
}

function parsed(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return undefined;
	}
}

/** Every string inside a JSON value (bounded depth): a page's text inside an HTTP tool's JSON. */
function collectStrings(value: unknown, out: string[], depth: number): void {
	if (depth > 20) return;
	if (typeof value === 'string') {
		const inner = value.trim().startsWith('{') || value.trim().startsWith('[') ? parsed(value) : undefined;
		if (inner !== undefined && typeof inner !== 'string') collectStrings(inner, out, depth + 1);
		else out.push(value);
	} else if (Array.isArray(value)) {
		for (const item of value) collectStrings(item, out, depth + 1);
	} else if (typeof value === 'object' && value !== null) {
		for (const item of Object.values(value)) collectStrings(item, out, depth + 1);
	}
}

/** The tool a call names (as resolved against the offered tools) and its arguments, canonical. */
function callKey(call: FoundCall, specs: ToolSpec[]): string | undefined {
	// A call the reader could not read (name '') is known by its text: a broken call quoted from a
	// page must not send the model round the correction loop either.
	if (call.name.trim() === '') return typeof call.arguments === 'string' ? `\u0001${call.arguments.replace(/\s+/g, ' ').trim()}` : undefined;
	const name = resolveToolName(call.name, specs)?.name ?? call.name.trim().toLowerCase();
	let args = call.arguments;
	if (typeof args === 'string') {
		const value = parsed(args);
		args = value === undefined ? args.replace(/\s+/g, ' ').trim() : value;
	}
	return `${name}\u0000${canonical(args ?? {})}`;
}

/** JSON with sorted keys and every scalar as text: `7` and `"7"` are the same argument. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
	}
	return JSON.stringify(String(value).replace(/\s+/g, ' ').trim());
}
