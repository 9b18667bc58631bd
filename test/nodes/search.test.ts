import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

const search = (items: object[], parameters = {}, continueOnFail = false) =>
	runSlierNode({ emulator, type: 'slierSearch', items, parameters, continueOnFail });

describe('Slier Search through WorkflowExecute', () => {
	it('answers with citations and links; model and usage stay null as the API sends none', async () => {
		const { items, error } = await search([{ text: 'Apple Vision Pro' }]);
		expect(error).toBeUndefined();
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toEqual({
			content:
				'Slier Search on “Apple Vision Pro”: the first source¹ says yes, the second² agrees, and the first¹ adds more. See [the report](https://example.com/report).',
			citations: [1, 2],
			reasoning: null,
			links: [{ text: 'the report', url: 'https://example.com/report' }],
			role: 'assistant',
			finishReason: 'stop',
			model: null,
			usage: null,
			filtered: false,
			filter: null,
			id: expect.stringMatching(/^[0-9a-f]{32}$/),
			created: expect.any(Number),
		});
		expect(emulator.requests[0].path).toBe('/v1/search/completions');
		expect(emulator.requests[0].body).toEqual({ messages: [{ role: 'user', content: 'Apple Vision Pro' }], stream: false });
	});

	it('gives the same item streamed (search chunks end with finish: true)', async () => {
		const plain = await search([{ text: 'same' }], { options: { simplify: false } });
		const streamed = await search([{ text: 'same' }], { stream: true, options: { simplify: false } });
		expect(streamed.items[0].json).toEqual(plain.items[0].json);
		expect(plain.items[0].json.raw).toMatchObject({ object: 'search.completion' });
	});

	it('accepts a stream that ends with finish: true alone (no finish_reason, no [DONE])', async () => {
		const { items } = await search([{ text: 'flag [[finish-flag-only]]' }], { stream: true });
		expect(items[0].json).toMatchObject({ finishReason: 'stop', citations: [1, 2] });
		expect(items[0].json.content).toMatch(/^Slier Search on “flag”/);
	});

	it('calls /v2/search/completions with API Version v2', async () => {
		await search([{ text: 'v2' }], { options: { apiVersion: 'v2' } });
		expect(emulator.requests[0].path).toBe('/v2/search/completions');
	});

	it('outputs a filtered item for the content filter, plain and streamed', async () => {
		const plain = await search([{ text: 'bad [[filter]]' }]);
		expect(plain.items[0].json).toMatchObject({ filtered: true, content: null, citations: [], links: [] });
		const streamed = await search([{ text: 'bad later [[stream-filter after=3]]' }], { stream: true });
		expect(streamed.items[0].json).toMatchObject({ filtered: true, content: 'Slier Search on' });
	});

	describe('citations', () => {
		const cases: Array<[string, string, number[], string]> = [
			['no markers', 'Plain answer, no sources.', [], 'Plain answer, no sources.'],
			['repeated markers', 'One¹ two² one again¹ three³ two².', [1, 2, 3], 'One two one again three two.'],
			['multi-digit markers', 'Tenth¹⁰ and eleventh¹¹, then first¹.', [10, 11, 1], 'Tenth and eleventh, then first.'],
			['markers next to punctuation', 'Ends here³. Also here,² and (here⁴) and "quoted"⁵; last ¹!', [3, 2, 4, 5, 1], 'Ends here. Also here, and (here) and "quoted"; last!'],
			['markers as the only content', '¹²', [12], ''],
		];

		it.each(cases)('%s', async (_name, text, citations, stripped) => {
			const kept = await search([{ text: `${text} [[verbatim]]` }]);
			expect(kept.items[0].json.content).toBe(text);
			expect(kept.items[0].json.citations).toEqual(citations);
			const removed = await search([{ text: `${text} [[verbatim]]` }], { options: { stripCitations: true } });
			expect(removed.items[0].json.content).toBe(stripped);
			expect(removed.items[0].json.citations).toEqual(citations);
		});

		it('reads citations the same from a stream split into 1-byte pieces', async () => {
			const { items } = await search([{ text: 'A¹⁰ b² [[verbatim]] [[split size=1]]' }], { stream: true });
			expect(items[0].json).toMatchObject({ content: 'A¹⁰ b²', citations: [10, 2] });
		});
	});

	it('extracts Markdown links and images, each once', async () => {
		const text = 'See [Docs](https://d.example/a) and ![Chart](https://i.example/c.png "t"), [Docs](https://d.example/a), [bad](not a url).';
		const { items } = await search([{ text: `${text} [[verbatim]]` }]);
		expect(items[0].json.links).toEqual([
			{ text: 'Docs', url: 'https://d.example/a' },
			{ text: 'Chart', url: 'https://i.example/c.png' },
		]);
	});

	it('works as an AI Agent tool when the agent supplies only the question ($fromAI)', async () => {
		// n8n runs a tool node with the agent's arguments as its input item, under `query`, and
		// resolves $fromAI() placeholders from there.
		const { items, error } = await search([{ query: { question: 'Who makes Vision Pro?' } }], {
			messages: {
				values: [{ role: 'user', content: "={{ $fromAI('question', 'The question to search the web for', 'string') }}" }],
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json.content).toMatch(/^Slier Search on “Who makes Vision Pro\?”/);
		expect(emulator.requests[0].body).toEqual({ messages: [{ role: 'user', content: 'Who makes Vision Pro?' }], stream: false });
	});

	it('says which item failed and goes on with Continue On Fail', async () => {
		const { items } = await search([{ text: 'ok' }, { text: ' ' }, { text: 'also ok' }], {}, true);
		expect(items.map((i) => i.json.error ?? i.json.citations)).toEqual([[1, 2], 'Message 1 in Messages has empty content (item 1)', [1, 2]]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

describe('units are not citations', () => {
	const text = 'The lake covers 25 km² and holds 3 m³ per second¹. Sources agree².';

	it('reads [1, 2] and keeps the powers when stripping', async () => {
		const plain = (await search([{ text: `${text} [[verbatim]]` }], {}, true)).items[0].json;
		expect(plain).toMatchObject({ content: text, citations: [1, 2] });
		const stripped = (await search([{ text: `${text} [[verbatim]]` }], { stream: true, options: { stripCitations: true } }, true)).items[0].json;
		expect(stripped).toMatchObject({
			content: 'The lake covers 25 km² and holds 3 m³ per second. Sources agree.',
			citations: [1, 2],
		});
	});
});
