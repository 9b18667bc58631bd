import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * (guard for client.ts:165, `choices === undefined`) a 200 that carries an answer is an
 * answer even when the body also has an `error` member (some gateways add a warning object, or
 * `"error": ""`). Deleting that condition passes every existing test.
 */
const KEY = 'sk-review-error-field-0001';
let server: RawServer;

beforeAll(async () => {
	server = await startRawServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({
			id: 'a1', object: 'chat.completion', created: 1, model: 'm',
			choices: [{ index: 0, message: { role: 'assistant', content: ' Fine.' }, finish_reason: 'stop' }],
			error: { message: 'upstream warning: cache miss' },
		}));
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

it('a 200 with choices and an error member is the answer', async () => {
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { options: { maxRetries: 0 } },
		continueOnFail: true,
	});
	expect(items[0].json).toMatchObject({ content: 'Fine.', finishReason: 'stop' });
});
