import type { StructuredChunk } from 'n8n-workflow';

import { chatCompletion, chatEvent, startRawServer, type RawServer } from '../helpers/raw-server';
import { runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * A server (or a proxy in between) that echoes the Authorization header back. The key must not
 * reach an item, an error, a log line or a streamed chunk on any path: runSlierNode fails the
 * test if it appears anywhere in the run, its error, the log output or the chunks.
 */
const emulator = useEmulator();

async function run(text: string, options: { stream?: boolean; simplify?: boolean; type?: 'slierChat' | 'slierSearch' } = {}) {
	const chunks: StructuredChunk[] = [];
	const result = await runSlierNode({
		emulator,
		type: options.type,
		items: [{ text }],
		parameters: { stream: options.stream ?? false, options: { maxRetries: 0, simplify: options.simplify ?? true } },
		continueOnFail: true,
		onChunk: (chunk) => chunks.push(chunk),
	});
	const text_ = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
	return { item: result.items[0].json, chunks, chunkText: text_ };
}

describe('an echoed API key is removed from everything the server sends back', () => {
	it('from a JSON error body: message and param', async () => {
		const { item } = await run('hi [[echo-key]]');
		expect(item.error).toBe(
			'Slier rejected the request (HTTP 400): Malformed request; headers were: authorization=Bearer [redacted] (item 0)',
		);
	});

	it('from an HTML error page', async () => {
		const { item } = await run('hi [[echo-key in=html]]');
		expect(item.error).toBe(
			'Slier had a server error (HTTP 502) after 0 retries: 502 Bad Gateway Malformed request; headers were: authorization=Bearer [redacted] (item 0)',
		);
	});

	it('without Continue On Fail: the error and its description that stop the workflow', async () => {
		const result = await runSlierNode({ emulator, items: [{ text: 'hi [[echo-key]]' }], parameters: { options: { maxRetries: 0 } } });
		expect(result.error?.message).toContain('authorization=Bearer [redacted]');
	});

	it('from an error event inside a stream, and from the error chunk sent to the chat', async () => {
		const { item, chunks } = await run('hi [[echo-key in=stream]]', { stream: true });
		expect(item.error).toBe(
			'Slier reported an error inside the stream: Malformed request; headers were: authorization=Bearer [redacted] (item 0)',
		);
		expect(chunks.find((c) => c.type === 'error')?.content).toBe(item.error);
	});

	it('from a content-filter message, in filter and raw', async () => {
		const { item } = await run('hi [[echo-key in=filter]]', { simplify: false });
		expect(item.filtered).toBe(true);
		expect((item.filter as { message: string }).message).toBe(
			'Refused. Malformed request; headers were: authorization=Bearer [redacted]',
		);
		expect(JSON.stringify(item.raw)).toContain('Bearer [redacted]');
	});

	const quoted =
		'You sent authorization=Bearer [redacted]. See [your key](https://example.com/keys?k=[redacted]) and [redacted]¹.';

	it('from the text of a 200 answer, in content and raw', async () => {
		const { item } = await run('hi [[echo-key in=content]]', { simplify: false });
		expect(item.content).toBe(quoted);
		expect(JSON.stringify(item.raw)).toContain('Bearer [redacted]');
	});

	it('from a streamed answer whose deltas split the key, in content and in every chunk', async () => {
		const { item, chunks, chunkText } = await run('hi [[echo-key in=content]]', { stream: true, simplify: false });
		expect(item.content).toBe(quoted);
		expect(chunkText).toBe(quoted);
		// The key was cut into 3-character deltas: no chunk may hold any piece of it that long.
		const pieces = chunks.filter((c) => c.type === 'item').map((c) => c.content ?? '');
		expect(pieces.length).toBeGreaterThan(20);
		expect(JSON.stringify(item.raw)).toContain('Bearer [redacted]');
	});

	it('from Slier Search: content, citations and links, streamed or not', async () => {
		for (const stream of [false, true]) {
			const { item } = await run('hi [[echo-key in=content]]', { stream, type: 'slierSearch' });
			expect(item.content).toBe(quoted);
			expect(item.citations).toEqual([1]);
			expect(item.links).toEqual([{ text: 'your key', url: 'https://example.com/keys?k=[redacted]' }]);
		}
	});

	it('the emulator really echoes the key (the test would see a leak)', async () => {
		// Same request with a fetch of our own: the body does carry the key.
		const res = await fetch(`${emulator.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'claude-2', messages: [{ role: 'user', content: 'hi [[echo-key]]' }] }),
		});
		expect(await res.text()).toContain(TEST_API_KEY);
	});
});

/**
 * A server whose JSON encoder escapes a character of the key (PHP's json_encode writes "/" as
 * "\/", others "\u002f"), or a gateway quoting it URL-encoded. Base64-style keys hold "/" and "+".
 */
describe('an echoed key escaped by the server is still removed', () => {
	const KEY = 'sk-live/Ab+cd/EF0123456789xyz';
	const escapeSlashes = (json: string) => json.replace(/\//g, '\\/');
	let server: RawServer;
	let reply: (authorization: string) => { status: number; type: string; body: string };

	beforeAll(async () => {
		server = await startRawServer((req, res) => {
			const answer = reply(String(req.headers.authorization));
			res.writeHead(answer.status, { 'content-type': answer.type });
			res.end(answer.body);
		});
	});
	afterAll(async () => await server.close());

	const runEscaped = async (stream = false, simplify = true) =>
		(await runSlierNode({ emulator: { url: server.url, apiKey: KEY }, items: [{ text: 'hi' }], parameters: { stream, options: { maxRetries: 0, simplify } }, continueOnFail: true }))
			.items[0].json;

	it('from a JSON error body with "\\/" escapes (PHP json_encode style)', async () => {
		reply = (authorization) => ({
			status: 400,
			type: 'application/json',
			body: escapeSlashes(JSON.stringify({ error: { message: `Malformed request; headers were: authorization=${authorization}` } })),
		});
		const item = await runEscaped();
		expect(String(item.error)).toContain('[redacted]');
		expect(String(item.error)).not.toContain(KEY);
	});

	it('from a 200 answer whose content quotes the key with "\\u002f" escapes, in content and raw', async () => {
		reply = (authorization) => ({ status: 200, type: 'application/json', body: chatCompletion(`You sent ${authorization}`).replace(/\//g, '\\u002f') });
		const item = await runEscaped(false, false);
		expect(JSON.stringify(item)).not.toContain(KEY.replace(/\//g, '\\/'));
		expect(item.content).toBe('You sent Bearer [redacted]');
	});

	it('from an error event inside a stream with "\\/" escapes', async () => {
		reply = (authorization) => ({
			status: 200,
			type: 'text/event-stream',
			body: chatEvent(' Hi') + `data: ${escapeSlashes(JSON.stringify({ error: { message: `echo ${authorization}`, reason: 'server_error' } }))}\n\n`,
		});
		const item = await runEscaped(true);
		expect(String(item.error)).toMatch(/inside the stream/);
		expect(String(item.error)).not.toContain(KEY);
	});

	it('from an HTML page quoting it URL-encoded ("/" → %2F, "+" → %2B)', async () => {
		reply = (authorization) => ({
			status: 502,
			type: 'text/html',
			body: `<html><body>Upstream refused https://gw.example/relay?auth=${encodeURIComponent(authorization)}</body></html>`,
		});
		const item = await runEscaped();
		expect(String(item.error)).toContain('auth=Bearer%20[redacted]');
	});

	it('from a stream data line that is not JSON, where only the text check can see it ("\\/" escapes)', async () => {
		reply = (authorization) => ({ status: 200, type: 'text/event-stream', body: chatEvent(' Hi') + `data: oops ${escapeSlashes(authorization)}\n\n` });
		const item = await runEscaped(true);
		expect(String(item.error)).toMatch(/not valid JSON/);
		expect(String(item.error)).toContain('[redacted]');
	});

	it('from a JSON error body whose key hides behind an escape only parsing undoes ("\\u0073k-")', async () => {
		reply = (authorization) => ({
			status: 400,
			type: 'application/json',
			body: JSON.stringify({ error: { message: `headers were: ${authorization}` } }).replace('sk-', '\\u0073k-'),
		});
		const item = await runEscaped();
		expect(String(item.error)).toContain('headers were: Bearer [redacted]');
	});

	it('from a 200 answer whose key hides behind an escape only parsing undoes, in content and raw', async () => {
		reply = (authorization) => ({ status: 200, type: 'application/json', body: chatCompletion(`You sent ${authorization}`).replace('sk-', '\\u0073k-') });
		const item = await runEscaped(false, false);
		expect(item.content).toBe('You sent Bearer [redacted]');
	});

	it('from a 200 body that is not JSON, quoted in the error', async () => {
		reply = (authorization) => ({ status: 200, type: 'application/json', body: `oops ${authorization}` });
		const item = await runEscaped();
		expect(item.error).toBe('Slier sent a response that is not valid JSON: oops Bearer [redacted] (item 0)');
	});

	it('from an error page cut to an excerpt in the middle of the key: not even its beginning is shown', async () => {
		// The excerpt is 200 characters: the key starts 10 before the cut.
		reply = (authorization) => ({ status: 502, type: 'text/html', body: `<p>${'a'.repeat(200 - 'Bearer '.length - 10)}${authorization}</p>` });
		const item = await runEscaped();
		expect(String(item.error)).not.toContain(KEY.slice(0, 10));
	});
});
