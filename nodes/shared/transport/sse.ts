import { createParser } from 'eventsource-parser';
import type { Readable } from 'node:stream';

import { StreamBudget } from './body';
import { SlierError } from './errors';
import { seconds } from './format';

/**
 * After the reader stops (the answer is complete), how long the end of the response may take to
 * arrive. It nearly always arrives with the last event; a server that holds the stream open past
 * this has its response destroyed, so a connection with unread data never goes back to the pool.
 */
const END_GRACE_MS = 100;

/**
 * The data of each SSE event of a response body, pulled one at a time. One streaming TextDecoder
 * keeps multi-byte characters that are split across chunks intact. A watchdog fails the read when
 * the server sends nothing of the answer for longer than `idleMs`, which undici's own bodyTimeout
 * does not guarantee while the consumer applies backpressure. Keep-alive comments (": ping") and
 * blank lines do not count: a gateway that pings while the model has stalled must not keep the
 * item waiting forever.
 *
 * The reader decides when the answer is complete and stops pulling (`break`); then, in `finally`,
 * what trails the answer is discarded until the response ends or END_GRACE_MS passes. Whatever
 * happens to the response after that point (a reset, our own destroy) cannot fail the answer.
 */
export async function* readSse(body: Readable & AsyncIterable<Buffer>, idleMs: number): AsyncGenerator<string, void, undefined> {
	const budget = new StreamBudget();
	const events: string[] = [];
	let commentBytes = 0;
	const parser = createParser({
		onEvent: (event) => {
			budget.eventEnded();
			events.push(event.data);
		},
		onComment: (comment) => {
			budget.eventEnded();
			commentBytes += Buffer.byteLength(comment) + 2; // with its ':' and a space
		},
	});
	const decoder = new TextDecoder('utf-8');
	const chunks = body[Symbol.asyncIterator]();
	let timer: NodeJS.Timeout | undefined;
	const arm = (ms: number, error?: Error) => {
		clearTimeout(timer);
		timer = setTimeout(() => body.destroy(error), ms);
	};
	let ended = false;
	try {
		arm(idleMs, new SlierError('timeout', `The stream was silent for longer than ${seconds(idleMs)}`));
		for (;;) {
			const next = await chunks.next();
			if (next.done) break;
			const chunk = next.value;
			budget.add(chunk.length);
			commentBytes = 0;
			parser.feed(decoder.decode(chunk, { stream: true }));
			if (events.length > 0 || textBytes(chunk) > commentBytes) {
				arm(idleMs, new SlierError('timeout', `The stream was silent for longer than ${seconds(idleMs)}`));
			}
			while (events.length > 0) yield events.shift()!;
		}
		ended = true;
		// A last event without the blank line that should end it is still delivered: the SSE spec
		// drops it (and so does eventsource-parser's reset), but it may hold the end of the answer.
		parser.feed(`${decoder.decode()}\n\n`);
		while (events.length > 0) yield events.shift()!;
	} finally {
		clearTimeout(timer);
		if (!ended) await discardRest(body, chunks);
	}
}

/** Reads what trails the answer until the response ends, or destroys it after END_GRACE_MS. */
async function discardRest(body: Readable, chunks: AsyncIterator<Buffer>): Promise<void> {
	if (body.destroyed) return;
	const timer = setTimeout(() => body.destroy(), END_GRACE_MS);
	const budget = new StreamBudget();
	try {
		for (;;) {
			const next = await chunks.next();
			if (next.done) break;
			budget.add((next.value as Buffer).length);
		}
	} catch {
		// A reset, a close without the last chunk, our own grace timer, too much data: the answer
		// the reader took is whole either way.
		body.destroy();
	} finally {
		clearTimeout(timer);
	}
}

/** Bytes that are not line breaks: a chunk of blank lines is a keep-alive, not progress. */
function textBytes(chunk: Buffer): number {
	let breaks = 0;
	for (const byte of chunk) if (byte === 10 || byte === 13) breaks++;
	return chunk.length - breaks;
}
