import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { pause, startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * (guard for sse.ts:384) after `data: [DONE]` the answer is whole, so a server or proxy
 * that then drops the connection without ending the chunked body (a reset, a premature close)
 * must not fail the item. No existing test has the connection cut *after* [DONE].
 */
const KEY = 'sk-review-done-then-reset';
let server: RawServer;
let how: 'reset' | 'destroy' = 'reset';

beforeAll(async () => {
	server = await startRawServer(async (_req, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: ' Whole.' }, finish_reason: 'stop' }] })}\n\n`);
		res.write('data: [DONE]\n\n');
		await pause(20);
		if (how === 'reset') res.socket?.resetAndDestroy();
		else res.socket?.destroy();
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

it.each(['reset', 'destroy'] as const)('a connection %s right after [DONE] still gives the whole answer', async (kind) => {
	how = kind;
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { stream: true, options: { timeout: 10_000, maxRetries: 0 } },
		continueOnFail: true,
	});
	expect(items[0].json).toMatchObject({ content: 'Whole.', finishReason: 'stop' });
});
