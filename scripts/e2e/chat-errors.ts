/**
 * What a person chatting sees when the Slier Chat Model fails, in n8n's hosted chat: example (d)
 * (Chat Trigger in streaming mode → AI Agent + Simple Memory + Slier Chat Model), a message sent
 * as the chat page sends it, the reply rendered as @n8n/chat renders it.
 *
 * @n8n/chat (packages/frontend/@n8n/chat, api/message.ts `sendMessageStreaming` and
 * utils/streamingHandlers.ts) reads the reply line by line: an `item` chunk's content is added to
 * the bubble of its node and run, an `error` chunk adds "Error: <content>" to the same bubble and
 * ends it. n8n fills an error chunk with the failed node's `description` only (n8n-core,
 * WorkflowExecute: `content: executionError.description`), so that is all the chat shows.
 */
import { request } from 'undici';

import type { SlierEmulator } from '../../test/emulator/server';
import { check, isN8n1, type Test } from './kit';
import type { N8nHost } from './n8n-host';

/** The chat trigger of example (d), examples/chat-agent-with-slier-model.json. */
const CHAT_WEBHOOK = '5b1f7e2a-0001-4c6d-8e9f-0000000000aa';

type Chunk = { type: string; content?: string; metadata?: { nodeId?: string; runIndex?: number } };

/** Sends one chat message as the hosted chat does and returns its bubbles' text, as @n8n/chat renders them. */
async function chatBubbles(host: N8nHost, sessionId: string, chatInput: string): Promise<string[]> {
	const res = await request(`${host.url}/webhook/${CHAT_WEBHOOK}/chat`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'text/plain' },
		body: JSON.stringify({ action: 'sendMessage', sessionId, chatInput }),
	});
	const body = await res.body.text();
	check(res.statusCode === 200, `HTTP ${res.statusCode}: ${body.slice(0, 300)}`);
	const bubbles = new Map<string, string>();
	for (const line of body.split('\n').filter((l) => l.trim())) {
		let chunk: Chunk;
		try {
			chunk = JSON.parse(line) as Chunk;
		} catch {
			chunk = { type: 'item', content: line }; // @n8n/chat shows a line that is not JSON as text
		}
		const key = `${chunk.metadata?.nodeId ?? 'unknown'}#${chunk.metadata?.runIndex ?? ''}`;
		if (chunk.type === 'item') bubbles.set(key, (bubbles.get(key) ?? '') + (chunk.content ?? ''));
		if (chunk.type === 'error') bubbles.set(key, `${bubbles.get(key) ?? ''}Error: ${chunk.content ?? 'Unknown error'}`);
	}
	return [...bubbles.values()].filter((text) => text !== '');
}

/** Waits (at most 60 s) until n8n serves the public chat's page, i.e. its webhooks are registered. */
async function chatPageServed(host: N8nHost): Promise<void> {
	for (let tries = 0; tries < 120; tries++) {
		const res = await fetch(`${host.url}/webhook/${CHAT_WEBHOOK}/chat`).catch(() => undefined);
		await res?.text();
		if (res?.status === 200) return;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`the chat of example (d) was not served within 60 s:\n${host.serverLog.slice(-1500)}`);
}

export async function chatErrorChecks(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) return; // no Slier Chat Model on n8n 1.x
	// Waited for inside the checks, so that SLIER_E2E_ONLY skipping them skips the wait too.
	let served: Promise<void> | undefined;
	const chat = async (...args: Parameters<typeof chatBubbles>) => {
		served ??= chatPageServed(host);
		await served;
		return chatBubbles(...args);
	};
	const shows = (bubbles: string[], what: string, ...parts: Array<string | RegExp>) => {
		const last = bubbles.at(-1) ?? '';
		for (const part of parts) {
			const found = typeof part === 'string' ? last.includes(part) : part.test(last);
			check(found, `${what}: the chat shows ${JSON.stringify(bubbles)}, without ${String(part)}`);
		}
		console.log(`      the chat shows: ${JSON.stringify(last).slice(0, 400)}`);
	};

	await test('hosted chat: a Slier server error shows what happened and whether to send again, then the fix', async () => {
		emulator.reset();
		const bubbles = await chat(host, 'e2e-errors-500', 'Hi [[status code=500]]');
		shows(
			bubbles,
			'server error',
			/^Error: Slier had a server error \(HTTP 500\) after 2 retries: /,
			'Sending the message again later may work.',
			'raise Options → Max Retries',
		);
	});

	await test('hosted chat: a content filter says the filter refused, and to rephrase', async () => {
		const bubbles = await chat(host, 'e2e-errors-filter', 'Hi [[filter]]');
		shows(bubbles, 'content filter', /^Error: Slier's content filter refused to answer/, 'Sent again unchanged, it will be refused again.', 'Rephrase the prompt');
	});

	await test('hosted chat: a stream broken mid-answer shows its cause in a paragraph of its own after the partial answer', async () => {
		const bubbles = await chat(host, 'e2e-errors-reset', 'Hi [[reset-mid after=2]]');
		shows(
			bubbles,
			'stream broken mid-answer',
			/^claude-2 answer[^\n]*\n\nError: The stream was interrupted after \d+ characters? of the answer had arrived: the connection to Slier at \S+ broke \(connection reset\)\. /,
			'Sending the message again may work.',
		);
	});
}
