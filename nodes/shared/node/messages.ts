import type { IExecuteFunctions } from 'n8n-workflow';

import type { Message, Role } from '../completion/types';
import { inputError } from './errors';
import type { ParamReader } from './param-reader';
import { describeValue } from './settings';

const ROLES: Role[] = ['system', 'user', 'assistant'];

/** Reads and checks the messages of one item, from the panel or from Messages (JSON). */
export function readMessages(ctx: IExecuteFunctions, params: ParamReader, i: number): Message[] {
	const source = params.get('messageSource', i, 'define') as string;
	const messages =
		source === 'json'
			? parseJsonMessages(ctx, i, params.get('messagesJson', i, '[]'))
			: (params.get('messages.values', i, []) as unknown[]);
	const where = source === 'json' ? 'Messages (JSON)' : 'Messages';
	if (!Array.isArray(messages) || messages.length === 0) {
		throw inputError(ctx, i, 'There are no messages to send', `Add at least one user message under ${where}.`);
	}
	return messages.map((message, n) => checkMessage(ctx, i, message, n + 1, where));
}

function parseJsonMessages(ctx: IExecuteFunctions, i: number, value: unknown): unknown[] {
	const fix =
		'Messages (JSON) must be an array like [{"role": "user", "content": "Hello"}]; if it is an expression, check what it gives for this item.';
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw inputError(ctx, i, `Messages (JSON) is not valid JSON: ${(error as Error).message}`, fix);
		}
	}
	if (!Array.isArray(parsed)) {
		throw inputError(ctx, i, `Messages (JSON) is ${describeValue(parsed)}, not an array of messages`, fix);
	}
	return parsed;
}

function checkMessage(ctx: IExecuteFunctions, i: number, value: unknown, n: number, where: string): Message {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw inputError(
			ctx,
			i,
			`Message ${n} in ${where} is ${describeValue(value)}, not an object with role and content`,
			'Give every message a "role" (system, user or assistant) and a "content" text.',
		);
	}
	const { role, content } = value as { role?: unknown; content?: unknown };
	if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
		throw inputError(
			ctx,
			i,
			role === undefined
				? `Message ${n} in ${where} has no role`
				: `Message ${n} in ${where} has the role ${typeof role === 'string' ? JSON.stringify(role) : describeValue(role)}, which Slier does not accept`,
			'Use one of the roles system, user or assistant.',
		);
	}
	if (typeof content !== 'string') {
		throw inputError(
			ctx,
			i,
			content === undefined || content === null
				? `Message ${n} in ${where} has no content`
				: `Message ${n} in ${where} has content that is ${describeValue(content)}, not text`,
			'Make the content a text. For an object or array from an expression, wrap it: {{ JSON.stringify($json.field) }}.',
		);
	}
	if (content.trim() === '') {
		throw inputError(
			ctx,
			i,
			`Message ${n} in ${where} has empty content`,
			'Fill in its content or remove the message. If the content is an expression, check that it gives text for this item.',
		);
	}
	return { role: role as Role, content };
}
