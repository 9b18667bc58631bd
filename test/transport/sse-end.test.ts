import { PassThrough } from 'node:stream';

import { FINISH_GRACE_MS, readSse } from '../../nodes/shared/transport/sse';

/**
 * How a stream's response ends once its reader stops pulling. A reader that stops before the
 * answer's finish (an AI node that stops reading) must drop the response at once, so the server
 * stops generating; a reader that stops after the finish lets the end of the response arrive (a
 * short grace), so an intact connection can go back to the pool.
 */
function body(): PassThrough & AsyncIterable<Buffer> {
	// No auto-destroy: "destroyed" then means that the reader dropped the response.
	const stream = new PassThrough({ autoDestroy: false });
	stream.write('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n');
	return stream as PassThrough & AsyncIterable<Buffer>;
}

it('a reader that stops before the finish destroys the response at once, without the end grace', async () => {
	const response = body();
	const events = readSse(response, 10_000)[Symbol.asyncIterator]();
	expect((await events.next()).value).toContain('Hi');
	// The rest of the response is there as the reader stops: a reader that waited for the end
	// grace would read it to its end; one that drops the response at once never does (order, not
	// a margin in milliseconds).
	const stopped = events.return!(undefined);
	response.end('data: [DONE]\n\n');
	await stopped;
	expect(response.destroyed).toBe(true);
	expect(response.readableEnded).toBe(false);
});

it('a reader that stops after the finish lets the response end by itself within the grace', async () => {
	const response = body();
	const events = readSse(response, 10_000);
	await events.next();
	setTimeout(() => response.end('data: [DONE]\n\n'), 20);
	// The pull says the answer has its finish: what follows gets the grace.
	await events.next({ progress: true, finished: true });
	await events.return(undefined);
	// Ended, not destroyed: the connection under it stays reusable.
	expect(response.readableEnded).toBe(true);
	expect(response.destroyed).toBe(false);
});

/**
 * Once the answer has its finish reason, a response held open is dropped after the finish grace:
 * FINISH_GRACE_MS, or the Timeout if that is shorter. Fake timers and clock (the stream's own
 * ticks stay real), so the grace is checked to the millisecond, with no margin.
 */
describe('the finish grace', () => {
	beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
	afterEach(() => jest.useRealTimers());

	/** Reads the first event and says that it carried the finish: the reader then waits for the rest. */
	async function finished(idleMs: number) {
		const response = body();
		const events = readSse(response, idleMs);
		await events.next();
		return { response, events };
	}

	it.each([
		['a long Timeout', 60_000, FINISH_GRACE_MS],
		['a Timeout shorter than the grace', 300, 300],
	])('with %s (%d ms), a response held open after the finish is dropped when its grace of %d ms ends', async (_name, idleMs, grace) => {
		const { response, events } = await finished(idleMs);
		try {
			const end = events.next({ progress: true, finished: true });
			jest.advanceTimersByTime(grace - 1);
			expect(response.destroyed).toBe(false);
			jest.advanceTimersByTime(1);
			expect(response.destroyed).toBe(true);
			expect((await end).done).toBe(true);
		} finally {
			response.destroy();
		}
	});

	it('text after the finish reason does not cancel the grace', async () => {
		const { response, events } = await finished(60_000);
		try {
			const stray = events.next({ progress: true, finished: true });
			response.write('data: {"choices":[{"delta":{"content":" (stray)"}}]}\n\n');
			expect((await stray).value).toContain('(stray)');
			// The stray text moved the answer on, as a consumer may say: still only the grace is left.
			const end = events.next({ progress: true, finished: true });
			jest.advanceTimersByTime(FINISH_GRACE_MS);
			expect(response.destroyed).toBe(true);
			expect((await end).done).toBe(true);
		} finally {
			response.destroy();
		}
	});
});
