import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { runSlierNode } from '../helpers/slier-node';
import { startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * the key is removed from the raw text *before* JSON.parse, so a server whose JSON
 * encoder escapes a character of the key (PHP's json_encode writes "/" as "\/", other encoders
 * write "\u002f") slips it past the redaction; JSON.parse then restores the key into the item's
 * error, the chat chunk and raw. Base64-style keys contain "/" and "+".
 * runSlierNode's leak check fails these today; the asserts below say what is wanted instead.
 * Suggested fix: redact the strings of the parsed value (or also the key's JSON-escaped forms).
 */
const KEY = 'sk-live/Ab+cd/EF0123456789xyz';
const escapeSlashes = (json: string) => json.replace(/\//g, '\\/');
const unicodeSlashes = (json: string) => json.replace(/\//g, '\\u002f');

let server: RawServer;
let reply: (stream: boolean, authorization: string) => { status: number; type: string; body: string };

beforeAll(async () => {
	server = await startRawServer((req, res, raw) => {
		const stream = (JSON.parse(raw) as { stream?: boolean }).stream === true;
		const answer = reply(stream, String(req.headers.authorization));
		res.writeHead(answer.status, { 'content-type': answer.type });
		res.end(answer.body);
	});
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

const run = (stream = false, simplify = true) =>
	runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { stream, options: { maxRetries: 0, simplify } },
		continueOnFail: true,
	});

describe('an echoed key escaped by the server’s JSON encoder is still removed', () => {
	it('JSON error body with "\\/" escapes (PHP json_encode style)', async () => {
		reply = (_stream, authorization) => ({
			status: 400,
			type: 'application/json',
			body: escapeSlashes(JSON.stringify({ error: { message: `Malformed request; headers were: authorization=${authorization}` } })),
		});
		const { items } = await run();
		expect(String(items[0].json.error)).toContain('[redacted]');
		expect(String(items[0].json.error)).not.toContain(KEY);
	});

	it('200 answer whose content quotes the key with "\\u002f" escapes, in content and raw', async () => {
		reply = (_stream, authorization) => ({
			status: 200,
			type: 'application/json',
			body: unicodeSlashes(
				JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, choices: [{ index: 0, message: { role: 'assistant', content: `You sent ${authorization}` }, finish_reason: 'stop' }] }),
			),
		});
		const { items } = await run(false, false);
		expect(JSON.stringify(items[0].json)).not.toContain(KEY.replace(/\//g, '\\/'));
		expect(String(items[0].json.content)).not.toContain(KEY);
	});

	it('an error event inside a stream with "\\/" escapes', async () => {
		reply = (_stream, authorization) => ({
			status: 200,
			type: 'text/event-stream',
			body:
				`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ' Hi' }, finish_reason: null }] })}\n\n` +
				`data: ${escapeSlashes(JSON.stringify({ error: { message: `echo ${authorization}`, reason: 'server_error' } }))}\n\n`,
		});
		const { items } = await run(true);
		expect(String(items[0].json.error)).toMatch(/inside the stream/);
		expect(String(items[0].json.error)).not.toContain(KEY);
	});

	it('a key echoed URL-encoded (a gateway quoting the request as a URL: "/" → %2F, "+" → %2B)', async () => {
		reply = (_stream, authorization) => ({
			status: 502,
			type: 'text/html',
			body: `<html><body>Upstream refused https://gw.example/relay?auth=${encodeURIComponent(authorization)}</body></html>`,
		});
		const { items } = await run();
		expect(String(items[0].json.error)).not.toContain(encodeURIComponent(KEY));
	});
});
