import { createParser } from 'eventsource-parser';
import type { Readable } from 'node:stream';

import { StreamBudget } from './body';
import { SlierError } from './errors';
import { seconds } from './format';

/**
 * After the answer is complete, how long the end of the response may take to arrive. It nearly
 * always arrives with the last event; a server that holds the stream open past this has its
 * response destroyed, so a connection with unread data never goes back to the pool.
 */
const END_GRACE_MS = 100;

/**
 * Feeds a response body through eventsource-parser and calls `onData` with each event's data;
 * `onData` returns true once the answer is complete, and reading stops there.
 * One streaming TextDecoder keeps multi-byte characters that are split across chunks intact.
 * A watchdog fails the read when the server sends nothing of the answer for longer than `idleMs`,
 * which undici's own bodyTimeout does not guarantee while the consumer applies backpressure.
 * Keep-alive comments (": ping") and blank lines do not count: a gateway that pings while the
 * model has stalled must not keep the item waiting forever.
 * An exception thrown by `onData` stops the read and destroys the body.
 */
export async function readSse(
	body: Readable & AsyncIterable<Buffer>,
	onData: (data: string) => boolean | void,
	idleMs: number,
): Promise<void> {
	const budget = new StreamBudget();
	let complete = false;
	let gotEvent = false;
	let commentBytes = 0;
	const parser = createParser({
		onEvent: (event) => {
			budget.eventEnded();
			gotEvent = true;
			if (!complete && onData(event.data) === true) complete = true;
		},
		onComment: (comment) => {
			budget.eventEnded();
			commentBytes += Buffer.byteLength(comment) + 2; // with its ':' and a space
		},
	});
	const decoder = new TextDecoder('utf-8');
	const ended = new SlierError('stream', 'answer complete'); // never seen: caught below
	let timer: NodeJS.Timeout | undefined;
	const arm = (ms: number) => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			body.destroy(complete ? ended : new SlierError('timeout', `The stream was silent for longer than ${seconds(idleMs)}`));
		}, ms);
	};
	try {
		arm(idleMs);
		for await (const chunk of body) {
			if (complete) continue; // discard what trails the answer until the end or the grace
			budget.add(chunk.length);
			gotEvent = false;
			commentBytes = 0;
			parser.feed(decoder.decode(chunk, { stream: true }));
			if (complete) arm(END_GRACE_MS);
			else if (gotEvent || textBytes(chunk) > commentBytes) arm(idleMs);
		}
		if (complete) return;
		parser.feed(decoder.decode());
		// Flush a last event that had no trailing blank line.
		parser.reset({ consume: true });
	} catch (error) {
		// Once the answer is complete, whatever happens to the rest of the response (a reset, a
		// close without the last chunk, our own grace timer) cannot make it less whole.
		if (complete) return;
		throw error;
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
