import type { ServerResponse } from 'node:http';

import type { SlierEmulator } from '../emulator/server';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { FINISH_GRACE_MS } from '../../nodes/shared/transport/sse';
import { runSlierNode } from '../helpers/slier-node';
import { startRawServer, type RawServer } from '../helpers/raw-server';

/**
 * More cases of issue 16's classes 3, 5 and 7 than the issue lists, each answered by hand from a
 * bare loopback server and run through the Slier Chat node in n8n's engine, streamed and not.
 */
const KEY = 'sk-raw-response-kinds-01';
let server: RawServer;
let reply: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
	server = await startRawServer((_req, res) => reply(res));
});
afterAll(async () => {
	await server.close();
	await closeDispatcher();
});

const chunk = (content: string | null, finish: string | null) =>
	`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

async function both(handler: (res: ServerResponse) => void) {
	reply = handler;
	const results = [];
	for (const stream of [false, true]) {
		const before = server.requests;
		const { items } = await runSlierNode({
			emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
			items: [{ text: 'hi' }],
			parameters: { stream, options: { maxRetries: 2 } },
			continueOnFail: true,
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
		results.push({ json: items[0].json, requests: server.requests - before });
	}
	expect(results[1]).toEqual(results[0]);
	return results[0];
}

it('class 3: a stream with a BOM and an event line under application/octet-stream is read as a stream', async () => {
	const { json } = await both((res) => {
		res.writeHead(200, { 'content-type': 'application/octet-stream' });
		res.end(`\uFEFFevent: message\n${chunk(' Hello', null)}${chunk(null, 'stop')}data: [DONE]\n\n`);
	});
	expect(json).toMatchObject({ content: 'Hello', finishReason: 'stop', id: 'c1' });
});

it('class 5: choices listed out of order: content is the one with index 0', async () => {
	const { json } = await both((res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				id: 'x',
				object: 'chat.completion',
				choices: [
					{ index: 1, message: { role: 'assistant', content: ' second' }, finish_reason: 'stop' },
					{ index: 0, message: { role: 'assistant', content: ' first' }, finish_reason: 'length' },
				],
			}),
		);
	});
	expect(json).toMatchObject({
		content: 'first',
		finishReason: 'length',
		choices: [
			{ index: 0, content: 'first', finishReason: 'length' },
			{ index: 1, content: 'second', finishReason: 'stop' },
		],
	});
});

it.each([
	['plain text', 'text/plain', 'OK', 'it sent "OK" (HTTP 200, text/plain)'],
	['a JSON array', 'application/json', '[]', 'it sent JSON that is not a Slier answer: [] (HTTP 200, application/json)'],
])('class 7: a Base URL answering 200 with %s is not the API, sent once', async (_name, type, body, what) => {
	const result = await both((res) => {
		res.writeHead(200, { 'content-type': type });
		res.end(body);
	});
	expect(result).toEqual({ json: { error: `The Base URL did not answer like the Slier API: ${what} (item 0)`, errorType: 'not_found' }, requests: 1 });
});

it('class 8: a stream whose chunked encoding breaks mid-way says how much had arrived and why, sent once', async () => {
	reply = (res) => {
		const socket = res.socket!;
		const event = chunk(' Hello there', null);
		const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
		socket.write(`${head}${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
		setTimeout(() => socket.write('ZZ\r\nnot a chunk\r\n', () => socket.end()), 50);
	};
	const before = server.requests;
	const { items } = await runSlierNode({
		emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
		items: [{ text: 'hi' }],
		parameters: { stream: true, options: { maxRetries: 2 } },
		continueOnFail: true,
	});
	expect(items[0].json).toEqual({
		error: expect.stringMatching(
			/^The stream was interrupted after 12 characters of the answer had arrived: the rest of the response could not be read: it is not valid HTTP( \(HPE_[A-Z_]+\))? \(item 0\)$/,
		),
		errorType: 'stream_interrupted',
	});
	expect(server.requests - before).toBe(1);
});

it('a stream event that is JSON but not an object is named as such, for a plain request too', async () => {
	const { json, requests } = await both((res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.end(`${chunk(' Hi', null)}data: 42\n\n`);
	});
	expect(json).toEqual({ error: 'Slier sent a stream event that is not a JSON object: 42 (item 0)', errorType: 'stream_interrupted' });
	expect(requests).toBe(1);
});

describe('stream events as servers really frame them', () => {
	it('a `:` keep-alive comment before the first event, under application/json: read as a stream', async () => {
		const { json, requests } = await both((res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(`: keep-alive\n\n${chunk(' Kept.', null)}${chunk(null, 'stop')}data: [DONE]\n\n`);
		});
		expect(json).toMatchObject({ content: 'Kept.', finishReason: 'stop' });
		expect(requests).toBe(1);
	});

	it('a last event without the blank line that should end it still carries the end of the answer', async () => {
		const { json } = await both((res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			// No [DONE], and the finish chunk lacks its "\n\n": the body simply ends after it.
			res.end(`${chunk(' Almost', null)}${chunk(' there.', 'stop').trimEnd()}`);
		});
		expect(json).toMatchObject({ content: 'Almost there.', finishReason: 'stop' });
	});

	it('n = 2: a second choice that finishes more than the 1 s finish grace after the first is still whole', async () => {
		const event = (index: number, content: string | null, finish: string | null) =>
			`data: ${JSON.stringify({ id: 'c2', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
		reply = (res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(event(1, ' Second', null) + event(0, ' First.', 'stop'));
			// The second choice goes on after twice the grace, and nothing is sent meanwhile.
			setTimeout(() => res.end(`${event(1, ' too.', 'stop')}data: [DONE]\n\n`), 2 * FINISH_GRACE_MS).unref();
		};
		const { items } = await runSlierNode({
			emulator: { url: server.url, apiKey: KEY } as SlierEmulator,
			items: [{ text: 'hi' }],
			parameters: { stream: true, options: { maxRetries: 0, timeout: 20_000 } },
			continueOnFail: true,
		});
		expect(items[0].json).toMatchObject({ content: 'First.', finishReason: 'stop' });
		expect(items[0].json.choices).toEqual([
			expect.objectContaining({ index: 0, content: 'First.', finishReason: 'stop' }),
			expect.objectContaining({ index: 1, content: 'Second too.', finishReason: 'stop' }),
		]);
	});
});

it('a 204 No Content that names text/event-stream is an empty answer from the Base URL, not a stream that ended early', async () => {
	const { json, requests } = await both((res) => {
		res.writeHead(204, { 'content-type': 'text/event-stream' });
		res.end();
	});
	expect(json.errorType).toBe('not_found');
	expect(String(json.error)).toMatch(/^The Base URL did not answer like the Slier API: it sent no content \(HTTP 204/);
	expect(requests).toBe(1);
});
