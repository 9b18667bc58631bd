import type { INodeParameters } from 'n8n-workflow';

import { jsonOf, runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

/** The body the emulator received for the n-th completion request. */
const sentBody = (n = 0) =>
	emulator.requests.filter((r) => r.path.endsWith('/completions'))[n]?.body as Record<string, unknown>;

describe('Slier Chat through WorkflowExecute', () => {
	it('answers each item with one normalized item, paired to its input', async () => {
		const { items, error } = await runSlierNode({ emulator, items: [{ text: 'How are you?' }, { text: 'Bonjour' }] });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items[0].json).toEqual({
			content: 'claude-2 answers “How are you?” ✓',
			reasoning: null,
			role: 'assistant',
			finishReason: 'stop',
			model: 'claude-2',
			usage: { promptTokens: 3, completionTokens: 6, totalTokens: 9 },
			filtered: false,
			filter: null,
			id: expect.stringMatching(/^[0-9a-f]{32}$/),
			created: expect.any(Number),
		});
		expect(items[1].json.content).toBe('claude-2 answers “Bonjour” ✓');
		expect(sentBody(0)).toEqual({
			model: 'claude-2',
			messages: [{ role: 'user', content: 'How are you?' }],
			stream: false,
		});
		expect(emulator.requests[0].path).toBe('/v1/chat/completions');
		expect(emulator.requests[0].authorization).toBe(`Bearer ${TEST_API_KEY}`);
	});

	it('gives the same item for a streamed answer as for a plain one', async () => {
		const plain = await runSlierNode({ emulator, items: [{ text: 'Stream me' }] });
		const streamed = await runSlierNode({ emulator, items: [{ text: 'Stream me' }], parameters: { stream: true } });
		expect(sentBody(1).stream).toBe(true);
		expect(streamed.items[0].json).toEqual(plain.items[0].json);
		expect(streamed.items[0].json.content).toBe('claude-2 answers “Stream me” ✓');
	});

	it('gives the same raw response streamed and plain when Simplify is off', async () => {
		const parameters = { options: { simplify: false } };
		const plain = await runSlierNode({ emulator, items: [{ text: 'raw please' }], parameters });
		const streamed = await runSlierNode({ emulator, items: [{ text: 'raw please' }], parameters: { ...parameters, stream: true } });
		expect(plain.items[0].json.raw).toMatchObject({ object: 'chat.completion', model: 'claude-2' });
		expect(streamed.items[0].json).toEqual(plain.items[0].json);
		// raw keeps the API's own text, leading space included; content is trimmed.
		expect((plain.items[0].json.raw as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe(
			' claude-2 answers “raw please” ✓',
		);
	});

	it('survives SSE split inside lines and multi-byte characters, CRLF and comment lines', async () => {
		const text = 'Grüße 😊 [[split size=1]] [[crlf]] [[comments]]';
		const { items } = await runSlierNode({ emulator, items: [{ text }], parameters: { stream: true } });
		expect(items[0].json.content).toBe('claude-2 answers “Grüße 😊” ✓');
		expect(items[0].json.finishReason).toBe('stop');
	});

	it('forwards model, temperature, top P and extra parameters as model_params', async () => {
		await runSlierNode({
			emulator,
			items: [{ text: 'params' }],
			parameters: {
				model: { __rl: true, mode: 'id', value: 'gpt-4o' },
				modelParams: { temperature: 0.2, topP: 0.9, extra: '{"max_tokens": 50, "temperature": 0.3}' },
			},
		});
		expect(sentBody()).toEqual({
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'params' }],
			stream: false,
			model_params: { temperature: 0.3, top_p: 0.9, max_tokens: 50 },
		});
	});

	it('takes messages from a JSON expression over the input item', async () => {
		const { items } = await runSlierNode({
			emulator,
			items: [{ conversation: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'From JSON' }] }],
			parameters: { messageSource: 'json', messagesJson: '={{ $json.conversation }}' },
		});
		expect(items[0].json.content).toBe('claude-2 answers “From JSON” ✓');
		expect((sentBody().messages as unknown[]).length).toBe(2);
	});

	it('takes messages from a JSON string typed in the panel', async () => {
		const { items } = await runSlierNode({
			emulator,
			items: [{}],
			parameters: { messageSource: 'json', messagesJson: '[{"role":"user","content":"typed JSON"}]' },
		});
		expect(items[0].json.content).toBe('claude-2 answers “typed JSON” ✓');
	});

	it('calls the v2 endpoint when API Version is v2', async () => {
		const { items } = await runSlierNode({ emulator, items: [{ text: 'v2' }], parameters: { options: { apiVersion: 'v2' } } });
		expect(emulator.requests[0].path).toBe('/v2/chat/completions');
		expect(items[0].json.content).toBe('claude-2 answers “v2” ✓');
	});

	describe('content filter', () => {
		it('outputs a filtered item for an HTTP 400 content_filter', async () => {
			const { items, error } = await runSlierNode({ emulator, items: [{ text: 'bad [[filter]]' }] });
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({
				content: null,
				reasoning: null,
				role: 'assistant',
				finishReason: 'content_filter',
				model: null,
				usage: null,
				filtered: true,
				filter: {
					reason: 'content_filter',
					param: 'prompt',
					message: expect.stringContaining('may violate our content policy'),
				},
				id: null,
				created: null,
			});
		});

		it('outputs a filtered item with the partial text when a stream ends in content_filter', async () => {
			const { items } = await runSlierNode({
				emulator,
				items: [{ text: 'partly bad [[stream-filter after=2]]' }],
				parameters: { stream: true },
			});
			expect(items[0].json).toMatchObject({
				content: 'claude-2 answers',
				finishReason: 'content_filter',
				filtered: true,
				filter: { reason: 'content_filter', param: null, message: null },
			});
		});

		it('fails the item instead when On Content Filter is "error"', async () => {
			const { items } = await runSlierNode({
				emulator,
				items: [{ text: 'bad [[filter]]' }, { text: 'fine' }],
				continueOnFail: true,
				parameters: { options: { onContentFilter: 'error' } },
			});
			expect(items[0].json.error).toMatch(/^Slier's content filter refused to answer: This content may violate .* \(item 0\)$/);
			expect(items[1].json.content).toBe('claude-2 answers “fine” ✓');
		});
	});

	describe('bad input is refused before anything is sent', () => {
		const cases: Array<[string, object, INodeParameters, RegExp, RegExp]> = [
			['no messages', {}, { messages: { values: [] } }, /^There are no messages to send \(item 0\)$/, /Add at least one user message/],
			['empty content', { text: '   ' }, {}, /^Message 1 in Messages has empty content \(item 0\)$/, /Fill in its content/],
			['an unknown role', { text: 'x' }, { messages: { values: [{ role: 'bot', content: 'hi' }] } }, /has the role "bot", which Slier does not accept/, /system, user or assistant/],
			['content that is not text', { obj: { a: 1 } }, { messages: { values: [{ role: 'user', content: '={{ $json.obj }}' }] } }, /content that is an object, not text/, /JSON\.stringify/],
			['messagesJson that is not JSON', {}, { messageSource: 'json', messagesJson: '[{"role": "user",' }, /^Messages \(JSON\) is not valid JSON/, /must be an array like/],
			['messagesJson that is not an array', { m: { role: 'user', content: 'hi' } }, { messageSource: 'json', messagesJson: '={{ $json.m }}' }, /^Messages \(JSON\) is an object, not an array of messages/, /must be an array like/],
			['messagesJson items without role/content', {}, { messageSource: 'json', messagesJson: '["hello"]' }, /Message 1 in Messages \(JSON\) is the text \"hello\", not an object/, /Give every message/],
			['extra that is not an object', { text: 'x' }, { modelParams: { extra: '[1,2]' } }, /^Extra Parameters \(JSON\) is an array, not a JSON object/, /\{"max_tokens": 200\}/],
			['extra that is not JSON', { text: 'x' }, { modelParams: { extra: '{max_tokens: 5}' } }, /^Extra Parameters \(JSON\) is not valid JSON/, /must be a JSON object/],
			['extra with a __proto__ key', { text: 'x' }, { modelParams: { extra: '{"__proto__": {"max_tokens": 5}}' } }, /^Extra Parameters \(JSON\) has the key "__proto__", which is not allowed \(item 0\)$/, /Remove that key/],
			['extra with a nested constructor key', { text: 'x' }, { modelParams: { extra: '{"a": {"b": [{"constructor": 1}]}}' } }, /^Extra Parameters \(JSON\) has the key "constructor" inside "a\.b\.0", which is not allowed/, /__proto__, constructor or prototype/],
			['extra with a prototype key', { text: 'x' }, { modelParams: { extra: '{"prototype": null}' } }, /has the key "prototype"/, /Remove that key/],
			['temperature outside 0-2', { text: 'x' }, { modelParams: { temperature: 3 } }, /^Temperature is 3, outside 0 to 2/, /from 0 to 2/],
			['top P outside 0-1', { text: 'x' }, { modelParams: { topP: -0.5 } }, /^Top P is -0.5, outside 0 to 1/, /from 0 to 1/],
			['an empty model ID', { text: 'x' }, { model: { __rl: true, mode: 'id', value: ' ' } }, /^No model is selected/, /enter a model ID/],
		];

		it.each(cases)('%s', async (_name, input, parameters, message, fix) => {
			const { error, items } = await runSlierNode({ emulator, items: [input], parameters });
			expect(items).toEqual([]);
			expect(error?.message).toMatch(message);
			expect(error?.description).toMatch(fix);
			expect(error?.name).toBe('NodeOperationError');
			expect(emulator.requests).toHaveLength(0);
		});
	});

	it('with Continue On Fail, a bad item becomes {error, errorType} and the others still succeed, all paired', async () => {
		const { items, error } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'first' }, { text: '' }, { text: 'third [[status code=500 times=9]]' }, { text: 'fourth' }],
			parameters: { options: { maxRetries: 0 } },
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ content: 'claude-2 answers “first” ✓' }),
			{ error: 'Message 1 in Messages has empty content (item 1)', errorType: 'invalid_input' },
			{ error: 'Slier had a server error (HTTP 500) after 0 retries: The server had an error (500). (item 2)', errorType: 'server_error' },
			expect.objectContaining({ content: 'claude-2 answers “fourth” ✓' }),
		]);
	});

	it('without Continue On Fail, the first failure stops the node with a NodeApiError', async () => {
		const { error, output } = await runSlierNode({
			emulator,
			items: [{ text: 'gateway [[status code=502 html]]' }],
			parameters: { options: { maxRetries: 1 } },
		});
		// The retry is logged (and the leak check in runSlierNode read that log).
		expect(output).toMatch(/Slier chat: item 0 retry 1 in \d+ ms \(Slier answered HTTP 502/);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('Slier had a server error (HTTP 502) after 1 retry: 502 Bad Gateway 502 Bad Gateway nginx upstream error (item 0)');
		expect(emulator.stats.completions).toBe(2);
	});

	it('says the API key was rejected on a 401, without retrying', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { apiKey: 'sk-wrong-key-123' } });
		expect(error?.message).toBe('Slier rejected the API key (HTTP 401) (item 0)');
		expect(error?.description).toMatch(/Check the API key in the Slier API credential/);
		expect(emulator.requests).toHaveLength(1);
	});

	it('says an unknown model is unknown and where to find valid ones', async () => {
		const { error } = await runSlierNode({
			emulator,
			items: [{ text: 'x' }],
			parameters: { model: { __rl: true, mode: 'id', value: 'no-such-model' } },
		});
		expect(error?.message).toBe('Slier does not know the model "no-such-model" (HTTP 404) (item 0)');
		expect(error?.description).toMatch(/From List/);
	});

	it('refuses a malformed base URL and an empty API key in the credential', async () => {
		const bad = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { baseUrl: 'api.slier.ai' } });
		expect(bad.error?.message).toBe('The Base URL in the Slier API credential is not a valid http(s) URL: "api.slier.ai"');
		const empty = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { apiKey: '   ' } });
		expect(empty.error?.message).toBe('The Slier API credential has no API key');
		expect(emulator.requests).toHaveLength(0);
	});
});
