import type { CompletionEvent } from '../../nodes/shared/completion/complete';
import type { Answer } from '../../nodes/shared/completion/types';
import { checkCalls } from '../../nodes/LmChatSlier/tools/resolve';
import { guardProse } from '../../nodes/LmChatSlier/tools/prose-guard';
import { readCalls } from '../../nodes/LmChatSlier/tools/read-calls';
import type { ToolSpec } from '../../nodes/LmChatSlier/tools/specs';

const SPECS: ToolSpec[] = [
	{ name: 'Calculator', description: 'math', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
	{ name: 'Slier_Search', description: 'web', parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] } },
];

const calc = { name: 'Calculator', args: { input: '12*7' } };

/** What the AI node gets: checked calls (name and arguments), and the prose before them. */
function read(text: string) {
	const { prose, calls } = readCalls(text, SPECS);
	const checked = checkCalls(calls, SPECS);
	return { prose, calls: checked.calls?.map(({ name, args }) => ({ name, args })), problems: checked.problems };
}

describe('the lenient call reader', () => {
	it.each([
		['the documented format', '<tool_call>\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n</tool_call>'],
		['without a closing tag', '<tool_call>{"name": "Calculator", "arguments": {"input": "12*7"}}'],
		['a json fence with name/arguments', '```json\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n```'],
		['tool / input', '```json\n{"tool": "Calculator", "input": {"input": "12*7"}}\n```'],
		['args, bare JSON answer', '{"name": "Calculator", "args": {"input": "12*7"}}'],
		['arguments as a JSON string', '{"name": "Calculator", "arguments": "{\\"input\\": \\"12*7\\"}"}'],
		['a trailing comma', '```\n{"name": "Calculator", "arguments": {"input": "12*7",},}\n```'],
		["OpenAI's tool_calls", '{"tool_calls": [{"id": "x", "type": "function", "function": {"name": "Calculator", "arguments": "{\\"input\\":\\"12*7\\"}"}}]}'],
		['a name in other case and spacing', '<tool_call>{"name": "calculator", "arguments": {"input": "12*7"}}</tool_call>'],
		['a bare string for the one string argument', '<tool_call>{"name": "Calculator", "arguments": "12*7"}</tool_call>'],
		['an extra key beside name and arguments', '```json\n{"name": "Calculator", "arguments": {"input": "12*7"}, "reason": "math"}\n```'],
	])('%s', (_, text) => {
		expect(read(text)).toEqual({ prose: '', calls: [calc], problems: undefined });
	});

	it('keeps prose before the call and drops text after it (models invent the result there)', () => {
		const text = 'Let me compute that.\n```json\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n```\nThe result is 42.';
		expect(read(text)).toEqual({ prose: 'Let me compute that.', calls: [calc], problems: undefined });
	});

	it('reads several calls: an array, or several blocks', () => {
		const search = { name: 'Slier_Search', args: { query: 'weather' } };
		expect(read('[{"name": "Calculator", "arguments": {"input": "12*7"}}, {"name": "Slier_Search", "arguments": {"query": "weather"}}]').calls).toEqual([calc, search]);
		expect(read('<tool_call>{"name":"Calculator","arguments":{"input":"12*7"}}</tool_call>\n<tool_call>{"name":"Slier_Search","arguments":{"query":"weather"}}</tool_call>').calls).toEqual([calc, search]);
	});

	it('reads a fenced JSON that names no offered tool as an ordinary answer', () => {
		const answer = 'Here is a config:\n```json\n{"name": "my-app", "version": "1.0.0"}\n```\nand {"name": "x", "arguments": {}} inline.';
		expect(readCalls(answer, SPECS)).toEqual({ prose: answer, calls: [] });
		expect(readCalls('```json\n{"name": "deploy", "arguments": {"env": "prod"}}\n```', SPECS).calls).toEqual([]);
	});

	it('keeps the id the model gave a call (Mistral [CALL_ID]), and gives a repeated id a fresh one', () => {
		const { calls } = readCalls('[TOOL_CALLS]Calculator[CALL_ID]a1b2c3d4e[ARGS]{"input": "1+1"}Calculator[CALL_ID]a1b2c3d4e[ARGS]{"input": "2+2"}', SPECS);
		const ids = checkCalls(calls, SPECS).calls!.map((call) => call.id);
		expect(ids[0]).toBe('a1b2c3d4e');
		expect(ids[1]).toMatch(/^call_[\w-]+$/);
	});

	it('says what is wrong: an unknown tool, broken JSON, a missing or mistyped argument', () => {
		expect(read('<tool_call>{"name": "Calc2", "arguments": {}}</tool_call>').problems).toEqual(['there is no tool named "Calc2"; the tools are: Calculator, Slier_Search']);
		expect(read('<tool_call>{"name": "Calculator", "arguments": {"input": "1"</tool_call>').problems).toEqual(['the call could not be read as JSON: {"name": "Calculator", "arguments": {"input": "1"']);
		expect(read('<tool_call>{"name": "Slier_Search", "arguments": {"limit": "5"}}</tool_call>').problems).toEqual([
			'tool "Slier_Search": "query" is required; "limit" must be an integer, not a string',
		]);
	});
});

describe('the streaming guard', () => {
	async function* events(pieces: string[]): AsyncGenerator<CompletionEvent> {
		for (const text of pieces) yield { type: 'text', text };
		yield { type: 'answer', answer: { content: pieces.join('') } as Answer };
	}

	async function guard(text: string, size: number) {
		const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
		let shown = '';
		let withheld = '';
		for await (const event of guardProse(events(pieces), SPECS)) {
			if (event.type === 'text') shown += event.text;
			else withheld = event.withheld;
		}
		return { shown, withheld };
	}

	it.each([1, 2, 3, 7, 1000])('passes prose on and holds back every part of a call (pieces of %i characters)', async (size) => {
		const call = '<tool_call>\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n</tool_call>';
		const text = `I will calculate. <b>bold</b> and \`code\` here.\n${call}\nThe result is 42.`;
		const { shown, withheld } = await guard(text, size);
		expect(shown).toBe('I will calculate. <b>bold</b> and `code` here.\n');
		expect(shown + withheld).toBe(text);
		for (const fence of ['```json\n{"tool": "Calculator", "input": {"input": "1"}}\n```', '{"name": "Calculator", "arguments": {}}']) {
			expect((await guard(`Sure.\n${fence}\nDone: 42`, size)).shown).toBe('Sure.\n');
		}
	});

	it.each([1, 3, 1000])('lets a fenced JSON that is no call through once it is closed (pieces of %i)', async (size) => {
		const text = 'Example:\n```json\n{"name": "my-app", "version": "1"}\n```\nThat is all.';
		expect((await guard(text, size)).shown).toBe(text);
	});
});
