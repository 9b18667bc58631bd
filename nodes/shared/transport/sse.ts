import { createParser } from 'eventsource-parser';
import type { Readable } from 'node:stream';

import { StreamBudget } from './body';
import { SlierError } from './errors';

/**
 * After the reader stops (the answer is complete), how long the end of the response may take to
 * arrive. It nearly always arrives with the last event; a server that holds the stream open past
 * this has its response destroyed, so a connection with unread data never goes back to the pool.
 */
const END_GRACE_MS = 100;

/**
 * Once the answer has its finish reason it is complete: what may still follow (a usage chunk,
 * `data: [DONE]`) gets this long (or Timeout, if shorter). A server or proxy that holds the
 * stream open past it, or resets it, costs the answer nothing.
 */
export const FINISH_GRACE_MS = 1_000;

/**
 * What the consumer says about the event it was last given, with its next pull
 * (`events.next(pull)`), so Timeout bounds what matters:
 * - `progress`: that event carried answer text (or the finish). Only this restarts the idle
 *   watchdog: keep-alive comments, pings sent as `data:` events, empty deltas and role-only
 *   chunks are not the answer, and a gateway that sends them while the model has stalled must not
 *   keep the item waiting forever.
 * - `finished`: the answer has its finish reason. The reader then waits at most FINISH_GRACE_MS
 *   for the rest (usage, `[DONE]`) and ends quietly after it, or at a close or reset.
 */
export interface Pull {
	progress: boolean;
	finished: boolean;
}

/** The data of each SSE event of a response, pulled one at a time; each pull says what the last one was. */
export type SseEvents = AsyncGenerator<string, void, Pull | undefined>;

/**
 * Reads the SSE events of a response body. One streaming TextDecoder keeps multi-byte
 * characters that are split across chunks intact. The idle watchdog (`idleMs`, the Timeout) runs
 * from the first byte and restarts only for an event the next pull calls `progress`; it fires
 * even while the consumer applies backpressure, which undici's own bodyTimeout does not guarantee.
 * While the consumer holds an event, the watchdog runs as if it were progress (it was, if the
 * next pull says so); a pull that says it was not puts the clock back to the last progress.
 *
 * The consumer decides when the answer is complete and stops pulling (`break`); then what trails
 * the answer is discarded until the response ends or END_GRACE_MS passes. Whatever happens to the
 * response after that point (a reset, our own destroy) cannot fail the answer. A consumer that
 * stops before the answer has its finish (an AI node that stops reading) has the response
 * destroyed at once: the server stops generating what nobody reads.
 */
export function readSse(body: Readable & AsyncIterable<Buffer>, idleMs: number): SseEvents {
	const state = { open: true, finishing: false, quietBytes: 0, progressAt: Date.now() };
	let timer: NodeJS.Timeout | undefined;
	/** Restarts the watchdog to fire `idleMs` after `since`. */
	const armIdle = (since: number) => {
		// Once finishing, the timer is the finish grace: text after the finish must not cancel it.
		if (!state.open || state.finishing) return;
		clearTimeout(timer);
		timer = setTimeout(() => body.destroy(idleError(idleMs, state.quietBytes)), Math.max(0, since + idleMs - Date.now()));
	};
	/** What the pull says about the event just handed over (at `handedAt`). */
	const heed = (pull: Pull | undefined, handedAt: number) => {
		if (pull?.progress || pull?.finished) {
			state.progressAt = handedAt;
			state.quietBytes = 0;
		} else armIdle(state.progressAt);
		if (pull?.finished && state.open && !state.finishing) {
			state.finishing = true;
			clearTimeout(timer);
			timer = setTimeout(() => body.destroy(), Math.min(FINISH_GRACE_MS, idleMs));
		}
	};

	async function* read(): SseEvents {
		const budget = new StreamBudget();
		const events: string[] = [];
		const parser = createParser({
			onEvent: (event) => {
				budget.eventEnded();
				events.push(event.data);
			},
			onComment: () => budget.eventEnded(),
		});
		const decoder = new TextDecoder('utf-8');
		const chunks = body[Symbol.asyncIterator]();
		let ended = false;
		try {
			armIdle(state.progressAt);
			for (;;) {
				// After the finish, a reset, a close without the last chunk or the end of the grace is
				// the end of the response, not a failure: the answer is whole.
				const next = state.finishing ? await chunks.next().catch(() => undefined) : await chunks.next();
				if (next === undefined) {
					ended = true;
					return;
				}
				if (next.done) break;
				const chunk = next.value;
				budget.add(chunk.length);
				state.quietBytes += chunk.length;
				parser.feed(decoder.decode(chunk, { stream: true }));
				while (events.length > 0) {
					// Handed over with the watchdog running from now, as if it were progress; the next pull says.
					const handedAt = Date.now();
					armIdle(handedAt);
					heed(yield events.shift()!, handedAt);
				}
			}
			ended = true;
			// A last event without the blank line that should end it is still delivered: the SSE spec
			// drops it (and so does eventsource-parser's reset), but it may hold the end of the answer.
			parser.feed(`${decoder.decode()}\n\n`);
			while (events.length > 0) {
				const handedAt = Date.now();
				armIdle(handedAt);
				heed(yield events.shift()!, handedAt);
			}
		} finally {
			state.open = false;
			clearTimeout(timer);
			if (!ended && state.finishing) await discardRest(body, chunks);
			else if (!ended) body.destroy();
		}
	}

	return read();
}

/** Silence, or bytes that were none of the answer (keep-alives, pings, empty deltas). */
function idleError(idleMs: number, quietBytes: number): SlierError {
	return new SlierError('timeout', { problem: 'stream_idle', timeoutMs: idleMs, keepAlivesOnly: quietBytes > 0 });
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
