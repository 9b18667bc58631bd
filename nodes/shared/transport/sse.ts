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
 * A watchdog fails the read when the server goes silent for longer than `idleMs`, which
 * undici's own bodyTimeout does not guarantee while the consumer applies backpressure.
 * An exception thrown by `onData` stops the read and destroys the body.
 */
export async function readSse(
	body: Readable & AsyncIterable<Buffer>,
	onData: (data: string) => boolean | void,
	idleMs: number,
): Promise<void> {
	const budget = new StreamBudget();
	let complete = false;
	const parser = createParser({
		onEvent: (event) => {
			budget.eventEnded();
			if (!complete && onData(event.data) === true) complete = true;
		},
		onComment: () => budget.eventEnded(),
	});
	const decoder = new TextDecoder('utf-8');
	const ended = new Error('answer complete');
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
			arm(idleMs);
			budget.add(chunk.length);
			parser.feed(decoder.decode(chunk, { stream: true }));
			if (complete) arm(END_GRACE_MS);
		}
		if (complete) return;
		parser.feed(decoder.decode());
		// Flush a last event that had no trailing blank line.
		parser.reset({ consume: true });
	} catch (error) {
		if (error === ended || (complete && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE')) return;
		throw error;
	} finally {
		clearTimeout(timer);
	}
}
