import type { INodeParameters } from 'n8n-workflow';

import { complete, type Connection } from '../../nodes/shared/completion/complete';
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { SlierError } from '../../nodes/shared/transport/errors';
import { FINISH_GRACE_MS } from '../../nodes/shared/transport/sse';
import type { SlierEmulator } from '../emulator/server';
import { chatCompletion, chatEvent, pause, startRawServer, useRawServer } from '../helpers/raw-server';
import { runOne, runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Timeout (Ms), through the node in n8n's engine against the emulator and raw servers (and once
 * through the transport alone): Timeout bounds the wait for the headers, the whole wait for a
 * plain answer and every stretch of a stream without answer text; an answer whose finish reason
 * arrived is never thrown away; a Timeout out of range is refused before anything is sent.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));

async function timed(text: string, parameters: INodeParameters = {}, type: 'slierChat' | 'slierSearch' = 'slierChat') {
	const started = Date.now();
	const { items } = await runSlierNode({ emulator, type, items: [{ text }], parameters, continueOnFail: true });
	expect(items).toHaveLength(1);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return { json: items[0].json, ms: Date.now() - started };
}

describe('Timeout bounds the whole wait for a plain answer', () => {
	it('a body dripped one byte every 100 ms fails at Timeout (1 s), not when the last byte comes (~25 s)', async () => {
		const { json } = await timed('drip [[drip ms=100]]', { options: { timeout: 1000 } });
		expect(json).toMatchObject({
			error: 'Slier started answering but the whole answer did not arrive within 1 second (item 0)',
			errorType: 'timeout',
		});
		// A timeout is not retried: the retry would wait just as long.
		expect(completions()).toHaveLength(1);
		// The client left mid-body (the last byte would come after ~25 s): order, not a margin.
		await emulator.until(() => completions()[0].closedAt !== undefined);
		expect(completions()[0].endedBy).toBe('client');
	});

	it('the same body dripped faster than Timeout is answered', async () => {
		const { json } = await timed('quick drip [[drip ms=1]]', { options: { timeout: 5000 } });
		expect(json.content).toBe('claude-2 answers “quick drip” ✓');
	});

	it('a streamed request answered with a dripped plain body is bounded the same way', async () => {
		// The server ignores stream: true and drips JSON: the answer is plain, so its whole wait counts.
		const { json } = await timed('drip [[drip ms=100]] [[plain-for-stream]]', { stream: true, options: { timeout: 1000 } });
		expect(json.errorType).toBe('timeout');
		await emulator.until(() => completions()[0].closedAt !== undefined);
		expect(completions()[0].endedBy).toBe('client');
	});
});

describe('an error page dripped past Timeout', () => {
	it('fails as the timeout, not as its status, and is not retried', async () => {
		const server = await startRawServer(async (_req, res) => {
			res.writeHead(503, { 'content-type': 'text/html' });
			// Bounded: 100 bytes at most, one every 100 ms.
			for (let i = 0; i < 100 && !res.destroyed; i++) {
				res.write('.');
				await pause(100);
			}
			res.end();
		});
		try {
			const { items } = await runSlierNode({
				emulator: { url: server.url, apiKey: emulator.apiKey } as SlierEmulator,
				items: [{ text: 'x' }],
				parameters: { options: { timeout: 1000 } },
				continueOnFail: true,
			});
			// The page takes 10 s: had it been read to its end, the error would be its HTTP 503.
			expect(items[0].json).toMatchObject({
				error: 'Slier started answering but the whole answer did not arrive within 1 second (item 0)',
				errorType: 'timeout',
			});
			expect(server.requests).toBe(1);
		} finally {
			await server.close();
		}
	});
});

describe('for a stream, Timeout bounds every stretch without answer text', () => {
	it.each([
		['ping', 'data: {"type":"ping"} events'],
		['empty', 'deltas with empty content'],
		['role', 'role-only deltas'],
		['comment', 'keep-alive comments'],
		['mixed', 'all of these in turn'],
	])('a stream that sends only %s (%s) for 4 s fails at Timeout (1 s)', async (kind) => {
		// After the 4 s the stream goes on with the answer: only the Timeout makes this an error.
		const { json } = await timed(`stalled [[stall after=1 ms=4000 every=100 with=${kind}]]`, { stream: true, options: { timeout: 1000 } });
		expect(json).toMatchObject({
			error:
				'The stream was interrupted after 9 characters of the answer had arrived: The stream sent no answer text for longer than 1 second, only keep-alives or empty events (item 0)',
			errorType: 'timeout',
		});
	});

	it('a pause without answer text shorter than Timeout is no failure, and a stream longer than Timeout is answered', async () => {
		// Pings for 0.3 s, then the answer in parts 0.2 s apart: about 2 s in all, under a Timeout of 1 s.
		const { json, ms } = await timed('slow but steady answer here [[stall after=1 ms=300 with=mixed]] [[pace ms=200]]', {
			stream: true,
			options: { timeout: 1000 },
		});
		expect(json.content).toBe('claude-2 answers “slow but steady answer here” ✓');
		expect(ms).toBeGreaterThan(1000);
	});
});

describe('an answer whose finish reason arrived is never thrown away', () => {
	// A fresh pool for each, so every connection is counted.
	beforeEach(() => closeDispatcher());

	it.each([
		['holds the connection open', 'then=hold'],
		['resets the connection', 'then=reset'],
		['closes the connection', 'then=close'],
	])('finish and usage, no [DONE], then the server %s: the item is answered at once, usage and all', async (_what, then) => {
		const { json } = await timed(`finished [[no-done ${then}]]`, { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({
			content: 'claude-2 answers “finished” ✓',
			finishReason: 'stop',
			usage: { promptTokens: 1, completionTokens: 4, totalTokens: 5 },
		});
		// The held connection is closed by the client, not kept for 60 s (the test would time out).
		await emulator.until(() => completions()[0].closedAt !== undefined);
	});

	it('the usage in a chunk of its own after the finish is still read', async () => {
		const { json } = await timed('finished [[no-done then=hold usage=after]]', { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({ finishReason: 'stop', usage: { totalTokens: 5 } });
	});

	it('a finish without usage, then silence: answered after the grace, usage null', async () => {
		const { json, ms } = await timed('finished [[no-done then=hold usage=none]]', { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({ content: 'claude-2 answers “finished” ✓', usage: null });
		expect(ms).toBeGreaterThanOrEqual(FINISH_GRACE_MS - 50);
		// Not the Timeout (20 s): the grace ended it; the held connection was left by the client.
		expect(ms).toBeLessThan(10_000);
		await emulator.until(() => completions()[0].closedAt !== undefined);
		expect(completions()[0].endedBy).toBe('client');
	});

	it('a Timeout shorter than the grace bounds the grace too', async () => {
		const { json } = await timed('finished [[no-done then=hold usage=none]]', { stream: true, options: { timeout: 300 } });
		expect(json.content).toBe('claude-2 answers “finished” ✓');
		// Measured by the server, which sends everything at once and then holds: n8n's own start-up
		// is not in it.
		await emulator.until(() => completions()[0].closedAt !== undefined);
		const [held] = completions();
		expect(held.closedAt! - held.receivedAt).toBeLessThan(FINISH_GRACE_MS);
	});

	it('a broken line or an error event after the finish does not take the answer back', async () => {
		const chunk = (delta: object, finish: string | null, extra: object = {}) =>
			`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'claude-2', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
		for (const trailer of ['data: {"id": "broken", "choi\n\n', `data: ${JSON.stringify({ error: { message: 'upstream hiccup' } })}\n\n`]) {
			const server = await startRawServer(async (_req, res) => {
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				res.write(chunk({ role: 'assistant', content: ' Whole' }, null));
				res.write(chunk({ content: ' answer.' }, null));
				res.write(chunk({}, 'stop', { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }));
				res.write(trailer);
				for (let i = 0; i < 100 && !res.destroyed; i++) await pause(50); // then hold, bounded
				res.end();
			});
			try {
				const { items } = await runSlierNode({
					emulator: { url: server.url, apiKey: emulator.apiKey } as SlierEmulator,
					items: [{ text: 'x' }],
					parameters: { stream: true, options: { timeout: 20_000 } },
					continueOnFail: true,
				});
				expect(items[0].json).toMatchObject({ content: 'Whole answer.', finishReason: 'stop', usage: { totalTokens: 3 } });
			} finally {
				await server.close();
			}
		}
	});

	it('a reset before the finish still fails the item: the answer was not complete', async () => {
		const { json } = await timed('cut [[reset-mid after=2]]', { stream: true });
		expect(json.errorType).toBe('stream_interrupted');
	});
});

describe('headers and silence', () => {
	it('headers slower than the timeout: says after how long, and which option raises it', async () => {
		const { error } = await runSlierNode({
			emulator,
			items: [{ text: 'slow [[slow-headers ms=1500]]' }],
			parameters: { options: { timeout: 500 } },
		});
		expect(error?.message).toBe('Slier did not answer within 0.5 seconds (item 0)');
		expect(error?.description).toBe('Raise Options → Timeout (Ms) (now 500 ms, 0.5 seconds), or ask for a shorter answer.');
		expect(completions()).toHaveLength(1);
	});

	it('a stream idle longer than the timeout: fails the item, naming the option', async () => {
		const { json } = await timed('idle [[idle after=1 ms=1500]]', { stream: true, options: { timeout: 400 } });
		expect(json.error).toBe(
			'The stream was interrupted after 9 characters of the answer had arrived: The stream was silent for longer than 0.4 seconds (item 0)',
		);
	});
});

describe('Timeout out of range', () => {
	it('is bounded in the panel and refused beyond 2147483647 ms before sending', async () => {
		expect((await timed('x', { options: { timeout: 3_000_000_000 } })).json.error).toBe(
			'Timeout is 3000000000 ms, longer than the longest wait n8n can time (2147483647 ms, about 24.8 days) (item 0)',
		);
		expect(completions()).toHaveLength(0);
		expect((await timed('x', { options: { timeout: 2_147_483_647 } })).json.content).toBe('claude-2 answers “x” ✓');
	});
});

/**
 * Timeout (Ms) through the node, against raw servers that stall exactly where a test says. The
 * stalls send no byte at all for longer than Timeout, so each case holds whether Timeout bounds
 * the silence between parts or (for a plain answer) the whole wait. Every server loop is bounded
 * and stops when the client leaves.
 */
const KEY = 'sk-raw-timeouts-000001';
type Behaviour = 'steady-stream' | 'stall-after-headers' | 'stream-stall-after-headers' | 'pings-only' | 'headers-then-pings';
let behaviour: Behaviour = 'steady-stream';

const server = useRawServer(async (_req, res) => {
	let left = false;
	res.on('close', () => (left = true));
	switch (behaviour) {
		case 'steady-stream':
			// 12 parts of the answer 150 ms apart: 1.8 s in all, never silent for 0.6 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			for (let i = 0; i < 12 && !left; i++) {
				res.write(chatEvent(` w${i}`));
				await pause(150);
			}
			res.end(chatEvent('.', 'stop') + 'data: [DONE]\n\n');
			return;
		case 'stall-after-headers':
			// Headers at once, then nothing for up to 3 s, then a whole answer (if anyone still waits).
			res.writeHead(200, { 'content-type': 'application/json' });
			res.flushHeaders();
			for (let i = 0; i < 30 && !left; i++) await pause(100);
			if (!left) res.end(chatCompletion(' Late.'));
			return;
		case 'stream-stall-after-headers':
			// Stream headers at once, then no byte for up to 3 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.flushHeaders();
			for (let i = 0; i < 30 && !left; i++) await pause(100);
			if (!left) res.end(chatEvent(' Late.', 'stop') + 'data: [DONE]\n\n');
			return;
		case 'headers-then-pings':
			// Stream headers, then only keep-alive comments every 100 ms for 4 s: bytes keep coming, so
			// undici's own body timeout never fires; only the stream's watchdog, armed at the headers, can.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.flushHeaders();
			for (let i = 0; i < 40 && !left; i++) {
				res.write(': ping\n\n');
				await pause(100);
			}
			res.end();
			return;
		case 'pings-only':
			// One part of the answer, then only keep-alive comments every 100 ms for 4 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(chatEvent(' Hel'));
			for (let i = 0; i < 40 && !left; i++) {
				res.write(': ping\n\n');
				await pause(100);
			}
			res.end();
	}
});

const target = () => ({ url: server.url, apiKey: KEY });

describe('Timeout bounds silence, not a stream that keeps answering', () => {
	it('a stream that steadily sends answer text for three times Timeout succeeds', async () => {
		behaviour = 'steady-stream';
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 600, maxRetries: 0 } } });
		expect(item.error).toBeUndefined();
		expect(item.content).toBe('w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11.');
	});

	it('a stream that only sends keep-alive comments fails after Timeout as a timeout', async () => {
		behaviour = 'pings-only';
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 1000, maxRetries: 0 } } });
		expect(item.errorType).toBe('timeout');
		expect(String(item.error)).toMatch(/sent no answer text for longer than 1 second, only keep-alives or empty events/);
	});
});

describe('a stream that sends its headers and then nothing', () => {
	it('fails as a timeout within about Timeout, and is not retried', async () => {
		behaviour = 'stream-stall-after-headers';
		const before = server.requests;
		// The server answers after 3 s if the client is still there: only the Timeout makes this an error.
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 500, maxRetries: 2 } } });
		expect(item.errorType).toBe('timeout');
		expect(String(item.error)).toMatch(/0\.5 seconds \(item 0\)$/);
		expect(server.requests - before).toBe(1);
	});
});

describe('a stream that sends its headers and then only keep-alives', () => {
	it('fails at Timeout as a timeout, by the stream watchdog armed at the headers (not undici, not the end of the stream)', async () => {
		behaviour = 'headers-then-pings';
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 1000, maxRetries: 0 } } });
		expect(item).toEqual({
			error:
				'The stream was interrupted after 0 characters of the answer had arrived: The stream sent no answer text for longer than 1 second, only keep-alives or empty events (item 0)',
			errorType: 'timeout',
		});
	});
});

describe('a plain answer whose body stalls after the headers', () => {
	it('fails as a timeout, is not retried, and says which option raises the limit', async () => {
		behaviour = 'stall-after-headers';
		const before = server.requests;
		// The server answers after 3 s if the client is still there: only the Timeout makes this an error.
		const { error } = await runSlierNode({ emulator: target(), items: [{ text: 'hi' }], parameters: { options: { timeout: 500, maxRetries: 2 } } });
		expect(error?.message).toMatch(/0\.5 seconds \(item 0\)$/);
		expect(error?.description).toMatch(/^Raise Options → Timeout \(Ms\) \(now 500 ms/);
		// A timeout is not a network failure: retrying it would only wait as long again.
		expect(server.requests - before).toBe(1);
	});

	it('its errorType is timeout, not network', async () => {
		behaviour = 'stall-after-headers';
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 500, maxRetries: 2 } } });
		expect(item.errorType).toBe('timeout');
	});
});

describe('Timeout 0', () => {
	it('is refused as bad input before anything is sent, saying which option to set and how', async () => {
		const before = server.requests;
		const { error } = await runSlierNode({ emulator: target(), items: [{ text: 'hi' }], parameters: { options: { timeout: 0 } } });
		expect(error?.message).toMatch(/^Timeout is /);
		expect(error?.description).toBe('Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. 300000 for 5 minutes.');
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 0 } } });
		expect(item.errorType).toBe('invalid_input');
		expect(server.requests).toBe(before);
	});

	it('the message names the value it refused and what is wrong with it', async () => {
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 0 } } });
		expect(item.error).toMatch(/^Timeout is 0 ms: it must be more than 0\b/);
	});
});

describe('the transport alone (complete())', () => {
	const chat = (content: string, stream: boolean, timeoutMs: number) =>
		complete({ baseUrl: emulator.url, apiKey: TEST_API_KEY, timeoutMs, maxRetries: 2 } satisfies Connection, {
			endpoint: 'chat',
			apiVersion: 'v1',
			body: { model: 'claude-2', messages: [{ role: 'user', content }], stream },
		});
	const failure = async (answer: Promise<unknown>): Promise<SlierError> => {
		const error = await answer.then(() => new Error('expected a failure, got success'), (caught: Error) => caught);
		expect(error).toBeInstanceOf(SlierError);
		return error as SlierError;
	};

	it('times out slow headers, without retrying', async () => {
		const error = await failure(chat('slow [[slow-headers ms=1500]]', false, 300));
		// The transport's error carries facts; the words are the node's (see 'headers and silence').
		expect(error.kind).toBe('timeout');
		expect(error.details).toMatchObject({ problem: 'headers_timeout', timeoutMs: 300 });
		expect(completions()).toHaveLength(1);
	});

	it('times out a stream that goes silent', async () => {
		const error = await failure(chat('idle [[idle after=2 ms=1500]]', true, 300));
		expect(error.kind).toBe('timeout');
		expect(error.details).toMatchObject({ problem: 'interrupted', interruptedBy: 'timeout', receivedChars: 17, timeoutMs: 300 });
	});
});
