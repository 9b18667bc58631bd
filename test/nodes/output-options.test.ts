import { readJsonAnswer } from '../../nodes/shared/node/answer-json';
import { jsonOf, runOne, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/** Include Input Fields and Answer Format, through WorkflowExecute, both nodes, streamed or not. */
const emulator = useEmulator();

const NODES = [
	['Slier Chat', 'slierChat', false],
	['Slier Chat streamed', 'slierChat', true],
	['Slier Search', 'slierSearch', false],
	['Slier Search streamed', 'slierSearch', true],
] as const;

describe('Include Input Fields', () => {
	it.each(NODES)('%s: the input fields, then the answer; the answer wins a name clash', async (_name, type, stream) => {
		const input = { company: 'Acme', nested: { size: 5 }, content: 'the input text', text: 'Tell me', filtered: 'yes' };
		const on = await runSlierNode({ emulator, type, items: [input], parameters: { stream, options: { includeInputFields: true } } });
		const off = await runSlierNode({ emulator, type, items: [input], parameters: { stream } });
		const answer = off.items[0].json;
		expect(answer.company).toBeUndefined();
		const json = on.items[0].json;
		expect(json).toEqual({ company: 'Acme', nested: { size: 5 }, text: 'Tell me', ...answer });
		expect(json.content).toBe(answer.content);
		expect(json.filtered).toBe(false);
		// Input-only fields first, then the answer's fields in their documented order.
		expect(Object.keys(json)).toEqual(['company', 'nested', 'text', ...Object.keys(answer)]);
		expect(on.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('copies the input fields: the output shares no object with the input item', async () => {
		const { run, items } = await runSlierNode({ emulator, items: [{ text: 'x', nested: { a: 1 } }], parameters: { options: { includeInputFields: true } } });
		const input = run.data.resultData.runData.Items[0].data!.main[0]![0].json;
		expect(items[0].json.nested).toEqual(input.nested);
		expect(items[0].json.nested).not.toBe(input.nested);
	});

	it('failed items keep the input fields too (Continue On Fail), but never an input content, and filtered items', async () => {
		const { items } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: '', lead: 'A', content: 'input text' }, { text: 'bad [[filter]]', lead: 'B' }, { text: 'x [[status code=500]]', lead: 'C', error: 'old' }],
			parameters: { options: { includeInputFields: true, maxRetries: 0 } },
		});
		expect(jsonOf(items)).toEqual([
			{ text: '', lead: 'A', error: 'Message 1 in Messages has empty content (item 0)', errorType: 'invalid_input' },
			expect.objectContaining({ text: 'bad [[filter]]', lead: 'B', filtered: true, content: null }),
			{ text: 'x [[status code=500]]', lead: 'C', error: expect.stringMatching(/^Slier had a server error \(HTTP 500\)/), errorType: 'server_error' },
		]);
	});

	it('off (the default): failed items are {error, errorType} only', async () => {
		const { items } = await runSlierNode({ emulator, continueOnFail: true, items: [{ text: '', lead: 'A' }] });
		expect(items[0].json).toEqual({ error: 'Message 1 in Messages has empty content (item 0)', errorType: 'invalid_input' });
	});

	it('keeps input fields named like Object.prototype members (a "constructor" column)', async () => {
		const input = { text: 'Who won?', driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 };
		const { items } = await runSlierNode({ emulator, items: [input], parameters: { options: { includeInputFields: true } } });
		expect(items[0].json).toMatchObject({ driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 });
	});

	it('a successful item keeps an input field `data` when Answer Format is Text (no clash)', async () => {
		const input = { text: 'Summarize', data: { order: 42 } };
		const { items } = await runSlierNode({ emulator, items: [input], parameters: { options: { includeInputFields: true } } });
		expect(items[0].json.data).toEqual({ order: 42 });
	});
});

describe('Answer Format: JSON', () => {
	const answers: Array<[string, string, unknown]> = [
		['plain JSON', '{"size": 120, "industry": "robotics"}', { size: 120, industry: 'robotics' }],
		['a ```json fence', 'Here you go:\n```json\n{"size": 120,\n "tags": ["a", "b"]}\n```\nAnything else?', { size: 120, tags: ['a', 'b'] }],
		['a bare ``` fence', '```\n[1, 2, 3]\n```', [1, 2, 3]],
		['a fenced value that is not an object', 'The name:\n```json\n"Acme Robotics"\n```', 'Acme Robotics'],
		['a sentence before and after', 'Sure! The data is {"ok": true, "note": "braces } in a string"} as asked.', { ok: true, note: 'braces } in a string' }],
		['a stray brace before the JSON', 'Use {curly} braces: {"a": {"b": [1]}}', { a: { b: [1] } }],
	];

	it.each(NODES)('%s: reads JSON from plain, fenced and prose-wrapped answers into data, after content', async (_name, type, stream) => {
		for (const [, text, data] of answers) {
			const { items, error } = await runSlierNode({ emulator, type, items: [{ text: `${text} [[verbatim]]` }], parameters: { stream, options: { answerFormat: 'json' } } });
			expect(error).toBeUndefined();
			expect(items[0].json.data).toEqual(data);
			expect(items[0].json.content).toBe(text);
			expect(Object.keys(items[0].json).slice(0, 2)).toEqual(['content', 'data']);
		}
	});

	it.each(['slierChat', 'slierSearch'] as const)('%s: the same item streamed and not', async (type) => {
		const text = 'Result:\n```json\n{"a": 1}\n```';
		const parameters = { options: { answerFormat: 'json', simplify: false } };
		const plain = await runSlierNode({ emulator, type, items: [{ text: `${text} [[verbatim]]` }], parameters });
		const streamed = await runSlierNode({ emulator, type, items: [{ text: `${text} [[verbatim]]` }], parameters: { ...parameters, stream: true } });
		expect(streamed.items[0].json).toEqual(plain.items[0].json);
		expect(plain.items[0].json.data).toEqual({ a: 1 });
	});

	it('fails an answer without JSON, quoting its start on one line and saying what to do', async () => {
		const long = 'Sorry, I cannot produce that.\nBut here is a long explanation that goes on and on for a while';
		const { error } = await runSlierNode({ emulator, items: [{ text: `${long} [[verbatim]]` }], parameters: { options: { answerFormat: 'json' } } });
		expect(error?.message).toBe(`Slier's answer holds no valid JSON (item 0): "Sorry, I cannot produce that. But here is a long explanation…"`);
		expect(error?.description).toMatch(/Ask the model for JSON only/);
		const broken = await runSlierNode({ emulator, items: [{ text: '{"a": 1, [[verbatim]]' }], parameters: { options: { answerFormat: 'json' } } });
		expect(broken.error?.message).toBe(`Slier's answer holds no valid JSON (item 0): "{"a": 1,"`);
	});

	it('Text (the default) adds no data field', async () => {
		const { items } = await runSlierNode({ emulator, items: [{ text: '{"a": 1} [[verbatim]]' }] });
		expect(items[0].json).not.toHaveProperty('data');
	});

	it('a filtered answer gets data null and no error, plain and streamed', async () => {
		const plain = await runSlierNode({ emulator, items: [{ text: 'bad [[filter]]' }], parameters: { options: { answerFormat: 'json' } } });
		expect(plain.items[0].json).toMatchObject({ filtered: true, content: null, data: null });
		const streamed = await runSlierNode({ emulator, items: [{ text: 'half {"a" [[stream-filter after=1]]' }], parameters: { stream: true, options: { answerFormat: 'json' } } });
		expect(streamed.error).toBeUndefined();
		expect(streamed.items[0].json).toMatchObject({ filtered: true, data: null });
	});

	it('Search: citation markers next to values do not break the JSON, and data has none', async () => {
		const text = 'Found it¹: {"employees": 500², "industry": "robotics³"}';
		const { items } = await runSlierNode({ emulator, type: 'slierSearch', items: [{ text: `${text} [[verbatim]]` }], parameters: { options: { answerFormat: 'json' } } });
		expect(items[0].json).toMatchObject({ content: text, data: { employees: 500, industry: 'robotics' }, citations: [1, 2, 3] });
		expect(Object.keys(items[0].json).slice(0, 5)).toEqual(['content', 'data', 'reasoning', 'citations', 'links']);
	});

	it('Search: Strip Citation Markers still shapes content, independent of data', async () => {
		const text = 'Yes¹. {"a": 1}';
		const { items } = await runSlierNode({ emulator, type: 'slierSearch', items: [{ text: `${text} [[verbatim]]` }], parameters: { options: { answerFormat: 'json', stripCitations: true } } });
		expect(items[0].json).toMatchObject({ content: 'Yes. {"a": 1}', data: { a: 1 }, citations: [1] });
	});

	it('an Answer Format the node does not know is refused before sending', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], parameters: { options: { answerFormat: 'yaml' } } });
		expect(error?.message).toBe('Answer Format is "yaml" (item 0)');
		expect(emulator.requests).toHaveLength(0);
	});

	describe('never passes off a fragment as the answer', () => {
		const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
		const answerAsJson = (reply: string) =>
			runOne({ emulator, text: `Extract [[reply b64=${b64(reply)}]]`, parameters: { options: { answerFormat: 'json' } } });

		it('an object with a trailing comma fails as invalid_json, not as its inner object', async () => {
			const item = await answerAsJson('{"company": {"name": "Acme"}, "size": 50,}');
			expect(item.data).not.toEqual({ name: 'Acme' });
			expect(item.errorType).toBe('invalid_json');
		});

		it('a JSON answer cut off by max_tokens fails as invalid_json, not as its first list entry', async () => {
			const item = await answerAsJson('```json\n{"leads": [{"name": "Ada"}, {"name": "Bob"}, {"name": "Ca');
			expect(item.data).not.toEqual({ name: 'Ada' });
			expect(item.errorType).toBe('invalid_json');
		});

		it('an escaped quote before a brace inside a string value does not end the object early', () => {
			const text = 'Result: {"quote": "he said \\"}\\" loudly", "n": 1} as asked';
			expect(readJsonAnswer(text)).toEqual({ found: true, value: { quote: 'he said "}" loudly', n: 1 } });
		});
	});
});
