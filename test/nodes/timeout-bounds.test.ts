import type { INodeParameters } from 'n8n-workflow';

import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { FINISH_GRACE_MS } from '../../nodes/shared/transport/sse';
import type { SlierEmulator } from '../emulator/server';
import { pause, startRawServer } from '../helpers/raw-server';
import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 16, classes 1 and 2, through the node in n8n's engine against the emulator: Timeout bounds
 * the whole wait for a plain answer and every stretch of a stream without answer text; an answer
 * whose finish reason arrived is never thrown away.
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
		const { json, ms } = await timed('drip [[drip ms=100]]', { options: { timeout: 1000 } });
		expect(json).toMatchObject({
			error: 'Slier started answering but the whole answer did not arrive within 1 second (item 0)',
			errorType: 'timeout',
		});
		expect(ms).toBeLessThan(2500);
		// A timeout is not retried: the retry would wait just as long.
		expect(completions()).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(completions()[0].closedAt).toBeDefined();
	});

	it('the same body dripped faster than Timeout is answered', async () => {
		const { json } = await timed('quick drip [[drip ms=1]]', { options: { timeout: 5000 } });
		expect(json.content).toBe('claude-2 answers “quick drip” ✓');
	});

	it('a streamed request answered with a dripped plain body is bounded the same way', async () => {
		// The server ignores stream: true and drips JSON: the answer is plain, so its whole wait counts.
		const { json, ms } = await timed('drip [[drip ms=100]] [[plain-for-stream]]', { stream: true, options: { timeout: 1000 } });
		expect(json.errorType).toBe('timeout');
		expect(ms).toBeLessThan(2500);
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
			const started = Date.now();
			const { items } = await runSlierNode({
				emulator: { url: server.url, apiKey: emulator.apiKey } as SlierEmulator,
				items: [{ text: 'x' }],
				parameters: { options: { timeout: 1000 } },
				continueOnFail: true,
			});
			expect(items[0].json).toMatchObject({
				error: 'Slier started answering but the whole answer did not arrive within 1 second (item 0)',
				errorType: 'timeout',
			});
			expect(Date.now() - started).toBeLessThan(2500);
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
		const { json, ms } = await timed(`stalled [[stall after=1 ms=4000 every=100 with=${kind}]]`, { stream: true, options: { timeout: 1000 } });
		expect(json).toMatchObject({
			error:
				'The stream was interrupted after 9 characters of the answer had arrived: The stream sent no answer text for longer than 1 second, only keep-alives or empty events (item 0)',
			errorType: 'timeout',
		});
		expect(ms).toBeLessThan(2500);
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
		const { json, ms } = await timed(`finished [[no-done ${then}]]`, { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({
			content: 'claude-2 answers “finished” ✓',
			finishReason: 'stop',
			usage: { promptTokens: 1, completionTokens: 4, totalTokens: 5 },
		});
		expect(ms).toBeLessThan(FINISH_GRACE_MS + 1500);
		await new Promise((resolve) => setTimeout(resolve, 200));
		// The held connection is closed by the client, not kept for 60 s.
		expect(completions()[0].closedAt).toBeDefined();
	});

	it('the usage in a chunk of its own after the finish is still read', async () => {
		const { json } = await timed('finished [[no-done then=hold usage=after]]', { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({ finishReason: 'stop', usage: { totalTokens: 5 } });
	});

	it('a finish without usage, then silence: answered after the grace, usage null', async () => {
		const { json, ms } = await timed('finished [[no-done then=hold usage=none]]', { stream: true, options: { timeout: 20_000 } });
		expect(json).toMatchObject({ content: 'claude-2 answers “finished” ✓', usage: null });
		expect(ms).toBeGreaterThanOrEqual(FINISH_GRACE_MS - 50);
		expect(ms).toBeLessThan(FINISH_GRACE_MS + 1500);
	});

	it('a Timeout shorter than the grace bounds the grace too', async () => {
		const { json, ms } = await timed('finished [[no-done then=hold usage=none]]', { stream: true, options: { timeout: 300 } });
		expect(json.content).toBe('claude-2 answers “finished” ✓');
		expect(ms).toBeLessThan(FINISH_GRACE_MS);
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
