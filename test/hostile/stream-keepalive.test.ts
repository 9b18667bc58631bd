import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { pause, startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * Timeout is documented as "for a stream, the longest silence between two parts of the
 * answer", but the watchdog in readSse is re-armed by any bytes, SSE keep-alive comments
 * included. A gateway that pings (": ping" every 15 s is common) while the model has stalled
 * keeps the item, its limiter slot and the execution waiting forever. Here the server pings every
 * 100 ms for 4 s with Timeout 1 s, then closes: the item should fail as a timeout, not wait for the
 * close ("stream ended early"). Suggested fix: re-arm the idle watchdog only on data events
 * (onEvent), not on comments or raw chunks.
 */
const KEY = 'sk-review-keepalive-0001';
let server: RawServer;

beforeAll(async () => {
	server = await startRawServer(async (_req, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: ' Hel' }, finish_reason: null }] })}\n\n`);
		// Bounded: 40 pings, then the server gives up and closes.
		for (let i = 0; i < 40 && !res.destroyed; i++) {
			res.write(': ping\n\n');
			await pause(100);
		}
		res.end();
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

it('a stream that only sends keep-alive comments fails after Timeout as a timeout', async () => {
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { stream: true, options: { timeout: 1000, maxRetries: 0 } },
		continueOnFail: true,
	});
	expect(items[0].json.errorType).toBe('timeout');
	expect(String(items[0].json.error)).toMatch(/sent no answer text for longer than 1 second, only keep-alives or empty events/);
});
