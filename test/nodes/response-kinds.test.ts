import type { INodeParameters, StructuredChunk } from 'n8n-workflow';

import { chatCompletion, useRawServer } from '../helpers/raw-server';
import { jsonOf, runOne, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 16, classes 3, 5, 7 and 8, through the Slier Chat node in n8n's engine against the
 * emulator: a response is read for what it is; no silent wrong success; a wrong Base URL says so;
 * errors are named by their cause.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions')).length;

async function one(text: string, parameters: INodeParameters = {}) {
	const { items, error } = await runSlierNode({ emulator, items: [{ text }], parameters, continueOnFail: true });
	expect(error).toBeUndefined();
	expect(items).toHaveLength(1);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return items[0].json;
}

describe('class 3: a response is read for what it is, not for what was asked', () => {
	it.each([
		['a plain request answered with a stream', 'hi [[body as=sse]]', false],
		['a stream request answered with JSON', 'hi [[body as=json]]', true],
		['a JSON body under a text/event-stream header, streamed', 'hi [[body as=json type=text/event-stream]]', true],
		['a JSON body under a text/event-stream header, not streamed', 'hi [[body as=json type=text/event-stream]]', false],
		['a stream under an application/json header, streamed', 'hi [[body as=sse type=application/json]]', true],
		['a stream under an application/json header, not streamed', 'hi [[body as=sse type=application/json]]', false],
		['a JSON body under text/plain', 'hi [[body as=json type=text/plain]]', false],
	])('%s gives the usual item', async (_name, text, stream) => {
		const expected = await one('hi', { stream: false });
		const json = await one(text, { stream });
		expect(json).toMatchObject({ content: expected.content, finishReason: 'stop', model: 'claude-2', filtered: false, role: 'assistant' });
		expect(json.usage).toEqual(expected.usage);
		expect(json).not.toHaveProperty('error');
	});

	it('a stream request answered with JSON still reaches a streaming chat, as one piece', async () => {
		const chunks: StructuredChunk[] = [];
		const { items } = await runSlierNode({
			emulator,
			items: [{ text: 'hi [[body as=json]]' }],
			parameters: { stream: true },
			onChunk: (chunk) => chunks.push(chunk),
		});
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'end']);
		expect(chunks[1].content).toBe('claude-2 answers “hi” ✓');
		expect(items[0].json.content).toBe(chunks[1].content);
	});

	it('the same answer gives the same item whichever way it came', async () => {
		const asked = await one('same [[body as=sse]]', { stream: true });
		const lying = await one('same [[body as=sse type=application/json]]', { stream: false });
		expect({ ...lying, id: null, created: null }).toEqual({ ...asked, id: null, created: null });
	});
});

describe('class 5: no silent wrong success', () => {
	it.each([false, true])('two choices (n=2, streamed: %s): content is the first, every choice is in choices', async (stream) => {
		const json = await one('hi [[choices n=2]]', { stream });
		expect(json.content).toBe('claude-2 answers “hi” ✓');
		expect(json.choices).toEqual([
			{ index: 0, content: 'claude-2 answers “hi” ✓', finishReason: 'stop' },
			{ index: 1, content: '(choice 1) claude-2 answers “hi” ✓', finishReason: 'stop' },
		]);
		expect(Object.keys(json)).toEqual(['content', 'reasoning', 'choices', 'role', 'finishReason', 'model', 'usage', 'filtered', 'filter', 'id', 'created']);
	});

	it('two choices give the same item streamed or not', async () => {
		const plain = await one('same [[choices n=3]]', { stream: false });
		const streamed = await one('same [[choices n=3]]', { stream: true });
		expect(streamed).toEqual(plain);
		expect(plain.choices).toHaveLength(3);
	});

	it("a chat streamed from two interleaved choices shows only the first choice's text", async () => {
		const chunks: StructuredChunk[] = [];
		const { items } = await runSlierNode({
			emulator,
			items: [{ text: 'hi [[choices n=2]]' }],
			parameters: { stream: true },
			onChunk: (chunk) => chunks.push(chunk),
		});
		const chat = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(chat).toBe('claude-2 answers “hi” ✓');
		expect(items[0].json.content).toBe(chat);
	});

	it('one choice: no choices field', async () => {
		expect(await one('hi')).not.toHaveProperty('choices');
	});

	it.each([false, true])('content as an array of text parts (streamed: %s) is the joined text', async (stream) => {
		const json = await one('parts please [[parts]]', { stream });
		expect(json).toMatchObject({ content: 'claude-2 answers “parts please” ✓', finishReason: 'stop' });
	});

	it.each([
		[true, 'Slier sent a stream with no text and no finish reason: there is no answer to pass on (item 0)'],
		[false, 'Slier sent an answer with no text and no finish reason: there is no answer to pass on (item 0)'],
	])('an answer with neither text nor finish reason (streamed: %s, a stream of only [DONE]) is an error', async (stream, message) => {
		const { items } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'ok 1' }, { text: 'nothing [[done-only]]' }, { text: 'ok 2' }],
			parameters: { stream },
		});
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(jsonOf(items).map((j) => j.error ?? j.content)).toEqual(['claude-2 answers “ok 1” ✓', message.replace('item 0', 'item 1'), 'claude-2 answers “ok 2” ✓']);
		expect(items[1].json.errorType).toBe('server_error');
		// Not retried: the same request would get the same empty answer.
		expect(completions()).toBe(3);
	});

	it('content null with finish_reason "length" gives the same item streamed or not', async () => {
		const plain = await one('long [[length-null]]', { stream: false });
		const streamed = await one('long [[length-null]]', { stream: true });
		expect(plain).toMatchObject({ content: null, finishReason: 'length', filtered: false });
		expect(streamed).toEqual(plain);
	});
});

describe('class 7: a wrong Base URL says so', () => {
	it.each([false, true])('a website answering 200 with an HTML page (streamed: %s): not retried, named, with the fix', async (stream) => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x [[website]]' }], parameters: { stream } });
		expect(error?.message).toBe('The Base URL did not answer like the Slier API: it sent an HTML page titled "Welcome to nginx!" (HTTP 200, text/html) (item 0)');
		expect(error?.description).toMatch(/^Set the Base URL in the Slier API credential to the Slier API's address, https:\/\/api\.slier\.ai \(the default\), not a website or another service\. It now points at http:\/\/127\.0\.0\.1:\d+\.$/);
		expect(error?.description).not.toMatch(/try again later/i);
		expect(completions()).toBe(1);
	});

	it.each([
		['an empty 200 with a JSON type', 'x [[empty-200 type=application/json]]', 'an empty response (HTTP 200, application/json)'],
		['an empty 200 without a type', 'x [[empty-200]]', 'an empty response (HTTP 200)'],
		['a 204', 'x [[no-content]]', 'no content (HTTP 204)'],
		['JSON from another service', 'x [[other-json]]', 'JSON that is not a Slier answer: {"status":"ok","service":"inventory","version":3} (HTTP 200, application/json)'],
	])('%s: not_found, not retried, the others answered', async (_name, text, what) => {
		const { items } = await runSlierNode({ emulator, continueOnFail: true, items: [{ text: 'fine' }, { text }], parameters: { stream: true } });
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ content: 'claude-2 answers “fine” ✓' }),
			{ error: `The Base URL did not answer like the Slier API: it sent ${what} (item 1)`, errorType: 'not_found' },
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(completions()).toBe(2);
	});

	it('a stream header with no event at all is a stream that ended early, not a wrong Base URL', async () => {
		expect(await one('x [[empty-stream]]', { stream: true })).toEqual({
			error: 'The stream ended early: Slier closed it before the answer was complete (0 characters had arrived) (item 0)',
			errorType: 'stream_interrupted',
		});
	});

	it('a redirect names where it points (origin and path), never the key nor the query', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'moved [[redirect-key]]' }] });
		expect(error?.message).toBe(
			'Slier answered with a redirect (HTTP 307) to http://127.0.0.1:9/sign-in/[redacted]/next, which is not followed so the API key is never sent elsewhere (item 0)',
		);
		expect(error?.description).toMatch(/^If that is where the Slier API now lives, set the Base URL/);
		expect(completions()).toBe(1);
	});
});

describe('class 8: errors named by their cause', () => {
	it.each([
		['an oversized response header', 'x [[huge-header kb=64]]', 'its headers are larger than n8n accepts'],
		['a body shorter than its Content-Length', 'x [[short-body]]', 'its body was not as long as its Content-Length header said'],
		['a response that is not HTTP', 'x [[not-http]]', expect.stringMatching(/^it is not valid HTTP( \(HPE_[A-Z_]+\))?$/)],
	])('%s: read failure, not "Could not reach", sent once', async (_name, text, cause) => {
		const json = await one(text, { options: { maxRetries: 2 } });
		const match = /^The response from http:\/\/127\.0\.0\.1:\d+ could not be read: (.*) \(item 0\)$/.exec(String(json.error));
		expect({ error: json.error, cause: match?.[1] }).toEqual({ error: json.error, cause });
		expect(json.errorType).toBe('server_error');
		expect(completions()).toBe(1);
	});

	it('the fix says why it was not retried', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x [[huge-header kb=64]]' }] });
		expect(error?.description).toBe(
			'It was not retried: the same server would send the same response. Check the Base URL in the Slier API credential, and any proxy between n8n and Slier.',
		);
	});
});

/**
 * What a gateway may send with HTTP 200: an answer with extra members, the API's error object
 * instead of an answer, or no usable answer at all. An answer is an answer; a documented error
 * is read as that error; a body that is no API answer at all means the Base URL points elsewhere
 * (`not_found`); an API answer without its parts is Slier's fault (`server_error`). Having been
 * answered, none of them is retried.
 */
const KEY = 'sk-raw-unusual-2xx-0001';
let body = '';
const server = useRawServer((_req, res) => {
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(body);
});

async function answered(withBody: string, stream = false) {
	body = withBody;
	const before = server.requests;
	const item = await runOne({ emulator: { url: server.url, apiKey: KEY }, parameters: { stream, options: { maxRetries: 2 } } });
	return { item, requests: server.requests - before };
}

describe('a 200 that carries an answer', () => {
	it('is the answer even when the body also has an error member (a gateway warning)', async () => {
		const { item } = await answered(chatCompletion(' Fine.', { error: { message: 'upstream warning: cache miss' } }));
		expect(item).toMatchObject({ content: 'Fine.', finishReason: 'stop' });
	});

	it('is the answer when a streaming request is answered with plain JSON', async () => {
		const { item } = await answered(chatCompletion(' Plain.'), true);
		expect(item).toMatchObject({ content: 'Plain.', finishReason: 'stop' });
	});
});

describe('an error object sent with HTTP 200', () => {
	it('the content filter without a status in it is the filtered item', async () => {
		const filter = { error: { message: 'This content may violate our content policy.', reason: 'content_filter', param: 'prompt' } };
		const { item } = await answered(JSON.stringify(filter));
		expect(item).toMatchObject({ filtered: true, filter: { reason: 'content_filter', param: 'prompt' } });
	});

	it('any other error without a status is server_error, said as such, and not retried', async () => {
		const { item, requests } = await answered(JSON.stringify({ error: { message: 'gateway overloaded' } }));
		expect(item).toEqual({ error: 'Slier sent an error instead of an answer (HTTP 200): gateway overloaded (item 0)', errorType: 'server_error' });
		expect(requests).toBe(1);
	});

	it('the documented content-filter body gives the filtered item, streamed or not', async () => {
		for (const stream of [false, true]) {
			expect(await one('gateway [[error-200]]', { stream })).toMatchObject({
				content: null,
				filtered: true,
				finishReason: 'content_filter',
				filter: { reason: 'content_filter', param: 'prompt' },
			});
		}
	});

	it('any other error object is that error; a 5xx one is retried as a 5xx', async () => {
		expect((await one('gateway [[error-200 reason=overloaded]]')).error).toBe(
			'Slier sent an error instead of an answer (HTTP 200): Upstream trouble (overloaded). (item 0)',
		);
		expect(completions()).toBe(1);
		emulator.reset();
		expect((await one('gateway [[error-200 reason=overloaded status=503]]', { options: { maxRetries: 1 } })).error).toBe(
			'Slier had a server error (HTTP 503) after 1 retry: Upstream trouble (overloaded). (item 0)',
		);
		expect(completions()).toBe(2);
	});
});

describe('a 200 without a usable answer is not retried', () => {
	it.each([
		['a body that is not JSON', '<html>Bad gateway</html>', /^The Base URL did not answer like the Slier API: it sent "Bad gateway"/],
		['an empty body', '', /^The Base URL did not answer like the Slier API: it sent an empty response \(HTTP 200, application\/json\)/],
	])('%s: the Base URL is not the API (not_found)', async (_name, withBody, message) => {
		const { item, requests } = await answered(withBody);
		expect(item.errorType).toBe('not_found');
		expect(String(item.error)).toMatch(message);
		expect(requests).toBe(1);
	});

	it('JSON of the API with no choices is server_error', async () => {
		const { item, requests } = await answered(JSON.stringify({ id: 'x', object: 'chat.completion' }));
		expect(item.errorType).toBe('server_error');
		expect(requests).toBe(1);
	});
});
