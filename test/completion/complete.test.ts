import { answerOf, complete, completionPath, streamCompletion, type CompletionEvent, type Connection } from '../../nodes/shared/completion/complete';
import { SlierError } from '../../nodes/shared/transport/errors';
import { chatCompletion, useRawServer } from '../helpers/raw-server';
import { TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * complete.ts through its public functions, over HTTP to the emulator on 127.0.0.1 (and a raw
 * server where a response must be written by hand): what a completion yields, in what order,
 * and what it does when the caller stops or the stream breaks.
 */
const emulator = useEmulator();

const connection = (extra: Partial<Connection> = {}): Connection => ({ baseUrl: emulator.url, apiKey: TEST_API_KEY, timeoutMs: 10_000, maxRetries: 2, ...extra });
const chat = (content: string, stream: boolean) => ({
	endpoint: 'chat' as const,
	apiVersion: 'v1' as const,
	body: { model: 'claude-2', messages: [{ role: 'user' as const, content }], stream },
});

async function events(content: string, stream: boolean, extra: Partial<Connection> = {}): Promise<CompletionEvent[]> {
	const out: CompletionEvent[] = [];
	for await (const event of streamCompletion(connection(extra), chat(content, stream))) out.push(event);
	return out;
}

async function failure(promise: Promise<unknown>): Promise<SlierError> {
	const error = await promise.then(() => new Error('expected a failure, got an answer'), (caught: Error) => caught);
	expect(error).toBeInstanceOf(SlierError);
	return error as SlierError;
}

describe('streamCompletion', () => {
	it('a stream yields its text as it arrives, then exactly one answer, whose content is that text', async () => {
		const seen = await events('Hello there', true);
		const texts = seen.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);
		expect(texts.length).toBeGreaterThan(1);
		expect(seen.map((e) => e.type)).toEqual([...texts.map(() => 'text'), 'answer']);
		const { answer } = seen[seen.length - 1] as { answer: { content: string } };
		expect(texts.join('').trim()).toBe(answer.content);
		expect(answer.content).toBe('claude-2 answers “Hello there” ✓');
	});

	it('a plain request yields the answer alone', async () => {
		const seen = await events('Hello there', false);
		expect(seen).toEqual([{ type: 'answer', answer: expect.objectContaining({ content: 'claude-2 answers “Hello there” ✓' }) }]);
	});

	it('a stream request answered with one JSON document yields its text as one piece, then the answer', async () => {
		const seen = await events('hi [[body as=json]]', true);
		expect(seen.map((e) => e.type)).toEqual(['text', 'answer']);
		expect((seen[0] as { text: string }).text).toBe('claude-2 answers “hi” ✓');
	});

	it('a caller that stops pulling before the answer cancels the request: the server sees the client leave', async () => {
		const stream = streamCompletion(connection(), chat('a long one [[pace ms=300]]', true));
		for await (const event of stream) if (event.type === 'text') break;
		await emulator.until(() => emulator.requests[0]?.closedAt !== undefined);
		expect(emulator.requests[0].endedBy).toBe('client');
	});

	it('a content filter mid-stream is a filtered answer carrying the text that had arrived', async () => {
		const seen = await events('filtered later [[stream-filter after=3]]', true);
		const last = seen[seen.length - 1] as { type: string; answer: { filtered: boolean; content: string; finishReason: string } };
		expect(last.type).toBe('answer');
		expect(last.answer).toMatchObject({ filtered: true, finishReason: 'content_filter', content: 'claude-2 answers “filtered' });
	});

	it('a stream reset mid-way throws, saying how much had arrived, and is sent once', async () => {
		const error = await failure(complete(connection(), chat('reset later [[reset-mid after=2]]', true)));
		expect(error.kind).toBe('stream');
		expect(error.details).toMatchObject({ problem: 'interrupted', receivedChars: 17, interruptedBy: 'network', cause: 'ECONNRESET' });
		expect(emulator.stats.completions).toBe(1);
	});

	it('a plain request is retried after a 503 and the hook hears of each retry', async () => {
		const retries: number[] = [];
		const answer = await complete(connection(), chat('flaky [[status code=503 times=1]]', false), { onRetry: ({ attempt }) => retries.push(attempt) });
		expect(answer.content).toBe('claude-2 answers “flaky” ✓');
		expect(retries).toEqual([1]);
		expect(emulator.stats.completions).toBe(2);
	});
});

describe('answerOf and completionPath', () => {
	it('answerOf takes the answer event, and fails when events end without one', async () => {
		async function* only(...list: CompletionEvent[]) {
			yield* list;
		}
		const answer = { content: 'x' } as never;
		await expect(answerOf(only({ type: 'text', text: 'x' }, { type: 'answer', answer }))).resolves.toBe(answer);
		await expect(answerOf(only({ type: 'text', text: 'x' }))).rejects.toThrow('A completion ended without an answer');
	});

	it('completionPath puts the API version and the endpoint in the path', () => {
		expect(completionPath({ endpoint: 'search', apiVersion: 'v2' })).toBe('/v2/search/completions');
	});
});

describe('complete() against a raw server', () => {
	let body = '';
	const server = useRawServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(body);
	});

	it('reads the JSON the server sent as the answer', async () => {
		body = chatCompletion(' From raw.');
		const answer = await complete({ baseUrl: server.url, apiKey: 'sk-raw-complete-000001', timeoutMs: 5_000, maxRetries: 0 }, chat('x', false));
		expect(answer).toMatchObject({ content: 'From raw.', finishReason: 'stop', id: 'raw-1' });
	});

	it('JSON that is no completion is the wrong Base URL, not an empty answer', async () => {
		body = JSON.stringify({ hello: 'world' });
		const error = await failure(complete({ baseUrl: server.url, apiKey: 'sk-raw-complete-000001', timeoutMs: 5_000, maxRetries: 0 }, chat('x', false)));
		expect(error.details.problem).toBe('not_api');
	});
});
