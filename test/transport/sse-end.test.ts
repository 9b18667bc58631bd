import { PassThrough } from 'node:stream';

import { readSse } from '../../nodes/shared/transport/sse';

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
