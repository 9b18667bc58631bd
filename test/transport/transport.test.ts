import { request } from 'undici';

import { complete, type Connection } from '../../nodes/shared/completion/complete';
import type { Answer } from '../../nodes/shared/completion/types';
import { requestJson } from '../../nodes/shared/transport/client';
import { getDispatcher } from '../../nodes/shared/transport/dispatcher';
import { SlierError } from '../../nodes/shared/transport/errors';
import { transportWords } from '../../nodes/shared/node/error-words';
import { closedPort } from '../helpers/raw-server';
import { TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();
const connection = (): Connection => ({ baseUrl: emulator.url, apiKey: TEST_API_KEY, timeoutMs: 5_000, maxRetries: 2 });

const chat = (content: string, stream = false, conn: Partial<Connection> = {}) =>
	complete({ ...connection(), ...conn }, {
		endpoint: 'chat',
		apiVersion: 'v1',
		body: { model: 'claude-2', messages: [{ role: 'user', content }], stream },
	});

/** Runs `fn`, expects a SlierError, checks it never mentions the key, and returns it. */
async function failure(fn: () => Promise<unknown>): Promise<SlierError> {
	try {
		await fn();
	} catch (error) {
		expect(error).toBeInstanceOf(SlierError);
		expect(JSON.stringify({ m: (error as Error).message, d: (error as SlierError).details })).not.toContain(TEST_API_KEY);
		return error as SlierError;
	}
	throw new Error('expected a failure, got success');
}

/** What a user reads about `error` (the transport itself states only facts). */
const said = (error: SlierError) => transportWords(error, { settings: { timeoutMs: 5_000, maxRetries: 2 }, audience: 'item' }).message;

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions')).length;

describe('transport: JSON and SSE', () => {
	it('returns the same answer for a plain and a streamed request', async () => {
		const plain = await chat('same answer');
		const streamed = await chat('same answer', true);
		expect(plain.content).toBe('claude-2 answers “same answer” ✓');
		expect({ ...streamed, raw: null }).toEqual({ ...plain, raw: null });
	});

	it('reassembles SSE split inside lines and inside multi-byte characters', async () => {
		// First prove the emulator really delivers many small chunks, so the test can fail.
		const res = await request(`${emulator.url}/v1/chat/completions`, {
			method: 'POST',
			dispatcher: getDispatcher(),
			headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'claude-2', stream: true, messages: [{ role: 'user', content: 'ü€😊 [[split size=1]]' }] }),
		});
		let chunks = 0;
		let splitChar = false;
		for await (const chunk of res.body) {
			chunks++;
			// A lone lead byte of a 2-, 3- or 4-byte UTF-8 sequence: a character split across chunks.
			if (chunk.length === 1 && chunk[0] >= 0xc2) splitChar = true;
		}
		expect(chunks).toBeGreaterThan(100);
		expect(splitChar).toBe(true);

		const answer = await chat('ü€😊 [[split size=1]]', true);
		expect(answer.content).toBe('claude-2 answers “ü€😊” ✓');
	});

	it('reads CRLF line endings and ignores comment lines', async () => {
		const answer = await chat('crlf [[crlf]] [[comments]] [[split size=7]]', true);
		expect(answer.content).toBe('claude-2 answers “crlf” ✓');
		expect(answer.usage).toEqual({ promptTokens: 1, completionTokens: 4, totalTokens: 5 });
	});

	it('accepts a BOM, unknown extra fields and created as a string', async () => {
		const answer = await chat('odd [[bom]] [[extra-fields]] [[created-string]]');
		expect(answer.content).toBe('claude-2 answers “odd” ✓');
		expect(typeof answer.created).toBe('number');
		expect(answer.raw).toMatchObject({ system_fingerprint: 'fp_emulator' });
	});

	it('reports usage as null when the API sends none (never invented)', async () => {
		expect((await chat('no usage [[no-usage]]')).usage).toBeNull();
		expect((await chat('no usage [[no-usage]]', true)).usage).toBeNull();
	});

	it('lists models with GET /v1/models', async () => {
		const body = (await requestJson({ ...connection(), method: 'GET', path: '/v1/models' })) as { data: unknown[] };
		expect(body.data).toContainEqual({ id: 'claude-2', name: 'Claude 2' });
	});
});

describe('transport: retries', () => {
	it.each([
		['retry-after in seconds', 'retry-after=1', 900, 2_500],
		['retry-after-ms', 'retry-after-ms=300', 280, 1_500],
		['retry-after as an HTTP date', 'retry-after-date=2', 900, 3_000],
	])('waits as a 429 with %s says, then succeeds', async (_name, header, min, max) => {
		const started = Date.now();
		const answer = await chat(`limited [[429 times=1 ${header}]]`);
		const waited = Date.now() - started;
		expect(answer.content).toBe('claude-2 answers “limited” ✓');
		expect(completions()).toBe(2);
		expect(waited).toBeGreaterThanOrEqual(min);
		expect(waited).toBeLessThan(max);
	});

	it('retries a 5xx with an HTML body, then names the status and an excerpt', async () => {
		const error = await failure(() => chat('down [[status code=503 html]]', false, { maxRetries: 2 }));
		expect(completions()).toBe(3);
		expect(error.status).toBe(503);
		expect(error.message).toBe('Slier answered HTTP 503: 503 Bad Gateway 503 Bad Gateway nginx upstream error');
	});

	it('retries a connection reset before the response, then succeeds', async () => {
		const answer = await chat('reset once [[reset times=1]]');
		expect(answer.content).toBe('claude-2 answers “reset once” ✓');
		expect(completions()).toBe(2);
	});

	it('retries a refused connection, then says it could not reach Slier', async () => {
		const port = await closedPort();
		const retries: number[] = [];
		const error = await failure(() =>
			complete(
				{ ...connection(), baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 },
				{ endpoint: 'chat', apiVersion: 'v1', body: { model: 'claude-2', messages: [{ role: 'user', content: 'x' }], stream: false } },
				{ onRetry: (info) => retries.push(info.attempt) },
			),
		);
		expect(retries).toEqual([1]);
		expect(error.kind).toBe('network');
		expect(said(error)).toBe(`Could not reach Slier at http://127.0.0.1:${port} (connection refused)`);
	});

	it('does not retry a 401', async () => {
		const error = await failure(() => chat('x', false, { apiKey: 'sk-wrong' }));
		expect(error.status).toBe(401);
		expect(emulator.requests).toHaveLength(1);
	});

	it('does not follow a redirect, so the key never goes to another host', async () => {
		const error = await failure(() => chat('moved [[redirect]]'));
		expect(error.status).toBe(307);
		expect(said(error)).toMatch(/redirect \(HTTP 307\).*, which is not followed/);
		expect(emulator.requests).toHaveLength(1);
	});
});

describe('transport: broken streams are never passed off as answers', () => {
	it('fails a stream that ends without [DONE] or a finish reason', async () => {
		const error = await failure(() => chat('cut [[cut after=2]]', true));
		expect(said(error)).toBe('The stream ended early: Slier closed it before the answer was complete (17 characters had arrived)');
	});

	it('fails with the message of an error object inside the stream', async () => {
		const error = await failure(() => chat('boom [[stream-error after=2]]', true));
		expect(said(error)).toBe('Slier reported an error inside the stream: The model failed while answering.');
		expect(error.details.status).toBe(500);
	});

	it('fails on a data line that is not JSON, naming it', async () => {
		const error = await failure(() => chat('garbled [[malformed after=1]]', true));
		expect(said(error)).toBe('Slier sent a stream event that is not valid JSON: {"id": "broken", "choices": [');
	});

	it('does not retry a reset after the stream started, and says how much had arrived', async () => {
		const error = await failure(() => chat('reset later [[reset-mid after=2]]', true));
		expect(said(error)).toMatch(/^The stream was interrupted after 17 characters of the answer had arrived: the connection to Slier at .* broke \(connection reset\)$/);
		expect(completions()).toBe(1);
	});

	it('turns a content_filter finish inside the stream into a filtered answer', async () => {
		const answer: Answer = await chat('filtered later [[stream-filter after=3]]', true);
		expect(answer).toMatchObject({ filtered: true, finishReason: 'content_filter', content: 'claude-2 answers “filtered' });
	});
});
