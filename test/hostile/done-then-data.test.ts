import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { pause, startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * (unguarded line) sse.ts `if (complete) continue;`. A server that keeps sending data
 * events after `data: [DONE]` faster than the 100 ms end grace: the item must return at [DONE]
 * (the client drops the connection), not read on until the server stops. Deleting that line
 * passes every existing test (the hold-open directive pings every 200 ms, slower than the grace).
 */
const KEY = 'sk-review-done-then-data';
let server: RawServer;
const trailing = { sent: 0, total: 150, clientLeft: false };

beforeAll(async () => {
	server = await startRawServer(async (_req, res) => {
		res.on('close', () => (trailing.clientLeft = !res.writableFinished));
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: ' Done.' }, finish_reason: 'stop' }] })}\n\n`);
		res.write('data: [DONE]\n\n');
		// Bounded: 150 more events, 20 ms apart (3 s), then the end.
		for (trailing.sent = 0; trailing.sent < trailing.total && !res.destroyed; trailing.sent++) {
			res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ' more' }, finish_reason: null }] })}\n\n`);
			await pause(20);
		}
		res.end();
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

it('data after [DONE] is not read on: the client leaves long before the server is done', async () => {
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { stream: true, options: { timeout: 10_000, maxRetries: 0 } },
	});
	expect(items[0].json.content).toBe('Done.');
	// Wait (bounded) for the server's loop to notice.
	for (let i = 0; i < 100 && !trailing.clientLeft && trailing.sent < trailing.total; i++) await pause(20);
	expect(trailing.clientLeft).toBe(true);
	// Generous: the grace is 100 ms, i.e. ~5 events; only reading to the end reaches 150.
	expect(trailing.sent).toBeLessThan(100);
});
