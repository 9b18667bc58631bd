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

	it('tells the model at most five problems of one call', () => {
		const fields = ['a', 'b', 'c', 'd', 'e', 'f'];
		const tool = (required: string[]): SeamTool[] => [{ name: 'form', parameters: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])), required } }];
		const problems = (required: string[]) => readToolCalls('<tool_call>{"name": "form", "arguments": {}}</tool_call>', tool(required)).problems;
		expect(problems(fields.slice(0, 5))).toEqual(['tool "form": "a" is required; "b" is required; "c" is required; "d" is required; "e" is required']);
		expect(problems(fields)).toEqual(['tool "form": "a" is required; "b" is required; "c" is required; "d" is required; "e" is required']);
	});

	it('takes null for a field marked nullable (OpenAPI), and only for that one', () => {
		const tools: SeamTool[] = [
			{ name: 'note', parameters: { type: 'object', properties: { text: { type: 'string', nullable: true }, tag: { type: 'string' }, topic: { type: 'string', nullable: false } } } },
		];
		const call = (args: string) => readToolCalls(`<tool_call>{"name": "note", "arguments": ${args}}</tool_call>`, tools);
		expect(call('{"text": null}')).toEqual({ prose: '', calls: [{ name: 'note', arguments: { text: null } }], problems: [] });
		expect(call('{"tag": null}').problems).toEqual(['tool "note": "tag" must be a string, not null']);
		expect(call('{"topic": null}').problems).toEqual(['tool "note": "topic" must be a string, not null']);
		expect(call('{"text": 3}').problems).toEqual(['tool "note": "text" must be a string or null, not a number']);
	});

	it('reads a bare JSON call at the very start of the answer after spaces or a tab as a call, not as a tool named inside a sentence', () => {
		const tools: SeamTool[] = [{ name: 'get_time', parameters: { type: 'object', properties: {} } }];
		const time = [{ name: 'get_time', arguments: {} }];
		expect(readToolCalls('{"name": "get_time"}', tools).calls).toEqual(time);
		expect(readToolCalls('  {"name": "get_time"}', tools).calls).toEqual(time);
		expect(readToolCalls('\t{"name": "get_time"}', tools).calls).toEqual(time);
		expect(readToolCalls('The tool {"name": "get_time"} tells the time.', tools)).toEqual({ prose: 'The tool {"name": "get_time"} tells the time.', calls: [], problems: [] });
	});

	it.each([1, 2, 3, 5, 8, 13, 1000])('streams the prose and no call markup at chunk size %i', async (size) => {
		expect(await shown('Checking.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', size)).toBe('Checking.\n');
		expect(await shown('A plain answer with a {brace} and <b>tags</b>.', size)).toBe('A plain answer with a {brace} and <b>tags</b>.');
	});
});
