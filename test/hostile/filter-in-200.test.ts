import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * (guard for client.ts:178) a gateway that sends the content-filter error with HTTP 200
 * and without `status` in it (the emulator's error-200 always includes status 400, which takes
 * the other branch). It must still be the filtered item, not "an error instead of an answer".
 */
const KEY = 'sk-review-filter-200-001';
let server: RawServer;

beforeAll(async () => {
	server = await startRawServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ error: { message: 'This content may violate our content policy.', reason: 'content_filter', param: 'prompt' } }));
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

it('a content filter sent with HTTP 200 and no status is the filtered item', async () => {
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { options: { maxRetries: 0 } },
		continueOnFail: true,
	});
	expect(items[0].json).toMatchObject({ filtered: true, filter: { reason: 'content_filter', param: 'prompt' } });
});
