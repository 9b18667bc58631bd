import { chatCompletion, useRawServer } from '../helpers/raw-server';
import { runOne } from '../helpers/slier-node';

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
