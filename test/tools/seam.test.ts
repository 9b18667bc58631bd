import { guardStreamedText, readToolCalls, type SeamTool } from '../../nodes/LmChatSlier/tools';

const TOOLS: SeamTool[] = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];

async function shown(text: string, size: number): Promise<string> {
	async function* chunks() {
		for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
	}
	let out = '';
	for await (const piece of guardStreamedText(chunks(), TOOLS)) out += piece;
	return out;
}

describe('the seam', () => {
	it('reads a call, its prose, and says nothing is wrong', () => {
		expect(readToolCalls('Checking.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', TOOLS)).toEqual({
			prose: 'Checking.',
			calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
			problems: [],
		});
	});

	it('reports problems and no calls when a call cannot run', () => {
		const read = readToolCalls('<tool_call>{"name": "get_weather", "arguments": {}}</tool_call>', TOOLS);
		expect(read.calls).toEqual([]);
		expect(read.problems).toEqual(['tool "get_weather": "city" is required']);
	});

	it('checks type names beside JSON Schema\'s as their JSON types, and leaves unknown names unchecked', () => {
		const tools: SeamTool[] = [
			{ name: 'measure', parameters: { type: 'object', properties: { ratio: { type: 'float' }, count: { type: 'int' }, anything: { type: 'any' } } } },
		];
		const call = (args: string) => readToolCalls(`<tool_call>{"name": "measure", "arguments": ${args}}</tool_call>`, tools);
		expect(call('{"ratio": 0.5, "count": 3, "anything": [1]}').problems).toEqual([]);
		expect(call('{"ratio": "half"}').problems).toEqual(['tool "measure": "ratio" must be a number, not a string']);
		expect(call('{"count": true}').problems).toEqual(['tool "measure": "count" must be an integer, not a boolean']);
	});

	it.each([1, 2, 3, 5, 8, 13, 1000])('streams the prose and no call markup at chunk size %i', async (size) => {
		expect(await shown('Checking.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', size)).toBe('Checking.\n');
		expect(await shown('A plain answer with a {brace} and <b>tags</b>.', size)).toBe('A plain answer with a {brace} and <b>tags</b>.');
	});
});
