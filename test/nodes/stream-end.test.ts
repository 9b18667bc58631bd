import { once } from 'node:events';

import { chatEvent, pause, startRawServer, useRawServer } from '../helpers/raw-server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runOne, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * `data: [DONE]` ends an answer: the item is whole there, whatever the server does next (keeps
 * sending, resets, closes without ending the chunked body). Raw servers, as the emulator's
 * hold-open directive pings every 200 ms, slower than the 100 ms end grace.
 */
const KEY = 'sk-raw-stream-end-0001';
let after: 'more-data' | 'reset' | 'destroy' = 'more-data';
/** When [DONE] was written, and when the client closed the connection (0: not yet). */
const trailing = { doneAt: 0, leftAt: 0, closed: Promise.resolve() };

const server = useRawServer(async (_req, res) => {
	res.writeHead(200, { 'content-type': 'text/event-stream' });
	res.write(chatEvent(' Whole.', 'stop'));
	res.write('data: [DONE]\n\n');
	if (after === 'more-data') {
		trailing.doneAt = Date.now();
		trailing.leftAt = 0;
		const closed = once(res, 'close').then(() => void (trailing.leftAt = res.writableFinished ? 0 : Date.now()));
		trailing.closed = closed;
		// More events back to back (no gap the 100 ms end grace could fall into), for at most 3 s.
		while (!res.destroyed && Date.now() - trailing.doneAt < 3_000) {
			if (!res.write(chatEvent(' more'))) await Promise.race([once(res, 'drain'), closed]);
			else await new Promise((resolve) => setImmediate(resolve));
		}
		res.end();
		return;
	}
	await pause(20);
	if (after === 'reset') res.socket?.resetAndDestroy();
	else res.socket?.destroy();
});

const run = () => runOne({ emulator: { url: server.url, apiKey: KEY }, parameters: { stream: true, options: { timeout: 10_000, maxRetries: 0 } } });

it('data after [DONE] is not read: the item returns and the client leaves long before the server is done', async () => {
	after = 'more-data';
	expect(await run()).toMatchObject({ content: 'Whole.', finishReason: 'stop' });
	// The server sees the exchange close: left by the client (leftAt set), not ended by the server
	// after its 3 s of trailing data, which is what reading on would wait for.
	await trailing.closed;
	expect(trailing.leftAt).toBeGreaterThan(0);
});

it.each(['reset', 'destroy'] as const)('a connection %s right after [DONE] still gives the whole answer', async (kind) => {
	after = kind;
	expect(await run()).toMatchObject({ content: 'Whole.', finishReason: 'stop' });
});

/** The emulator's hold-open directive: a stream kept open (pinging) after its answer is whole. */
describe('against the emulator', () => {
	const emulator = useEmulator();
	const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));

	describe('a stream kept open after the answer is complete', () => {
		// A fresh pool for each, so every connection is counted.
		beforeEach(() => closeDispatcher());

		it('[DONE] ends the answer: the item returns and the held connection is closed, not pooled', async () => {
			const json = await runOne({ emulator, text: 'held [[hold-open]]', parameters: { stream: true, options: { timeout: 20_000 } } });
			expect(json.content).toBe('claude-2 answers “held” ✓');
			// The client destroyed the response; the emulator would have held it for 60 s.
			await emulator.until(() => completions()[0].closedAt !== undefined);
			const [held] = completions();
			expect(held.endedBy).toBe('client');
			// The next request cannot have reused that connection.
			expect((await runOne({ emulator, text: 'after' })).content).toBe('claude-2 answers “after” ✓');
			const [, after] = completions();
			expect(after.connection).not.toBe(held.connection);
		});

		it("search's finish: true ends the answer the same way", async () => {
			const json = await runOne({ emulator, type: 'slierSearch', text: 'held [[finish-flag-only]] [[hold-open]]', parameters: { stream: true, options: { timeout: 20_000 } } });
			expect(json).toMatchObject({ finishReason: 'stop', citations: [1, 2] });
			await emulator.until(() => completions()[0].closedAt !== undefined);
			expect(completions()[0].endedBy).toBe('client');
		});

		it('a stream that ends normally still leaves its connection for the next item', async () => {
			const { items } = await runSlierNode({
				emulator,
				items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
				parameters: { stream: true, options: { maxConcurrency: 1 } },
			});
			expect(items).toHaveLength(3);
			expect(new Set(completions().map((r) => r.connection)).size).toBe(1);
		});
	});
});

describe('text after the finish reason', () => {
	it('does not cancel the finish grace: a server that then holds the stream open costs the item nothing', async () => {
		let left: Promise<boolean> = Promise.resolve(false);
		const held = await startRawServer(async (_req, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(chatEvent(' Done.', 'stop'));
			// A stray delta after the finish, then nothing for 40 s: longer than the test may run.
			res.write(chatEvent(' (stray)'));
			left = once(res, 'close').then(() => !res.writableFinished);
			for (let i = 0; i < 400 && !res.destroyed; i++) await pause(100);
			res.end();
		});
		try {
			const json = await runOne({ emulator: { url: held.url, apiKey: KEY }, parameters: { stream: true, options: { timeout: 60_000, maxRetries: 0 } } });
			expect(json).toMatchObject({ finishReason: 'stop' });
			expect(String(json.content)).toMatch(/^Done\./);
			// The client left the held stream (the grace ended it), not the server.
			expect(await left).toBe(true);
		} finally {
			await held.close();
		}
	});
});
