import { LangchainChatModelAdapter } from '@n8n/ai-utilities';

import { fitStructuredOutput, readStructured } from '../../nodes/LmChatSlier/structured-output';
import { callDirective } from '../emulator/tool-models';
import { runUnderAiNode } from '../harness/ai-node-run';
import { EvaluationMetricStandIn } from '../harness/evaluation-metric';
import { outputOf } from '../harness/run-workflow';
import { runAgent as run, sentBodies } from '../helpers/run-agent';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Tool calls as open models write them, through n8n-core's engine: an AI Agent stand-in (v3)
 * with real LangChain tools, Slier Chat Model as its model, the emulator's slier-tools model
 * writing each format (`[[format name=…]]`). Also what the model call does around the reading:
 * quoted calls, argument checks against the schema the model sees, one correction loop, and
 * structured output for the Evaluation node.
 */
const emulator = useEmulator();
const runAgent = (options: Parameters<typeof run>[1]) => run(emulator, options);
const sent = () => sentBodies(emulator);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const CALC = callDirective('Calculator', { input: '12*7' });
/** Call markup of every format: none of it may reach the chat. */
const MARKUP = /python_tag|TOOL_CALLS|tool_call|<function|<parameter|arg_key|arg_value|Calculator\(|"parameters"|"arguments"|12\*7/;

describe.each([false, true])('each open model format runs the tool (stream %s)', (stream) => {
	it.each(['hermes', 'llama', 'llama-json', 'mistral', 'mistral-name', 'qwen3-coder', 'glm', 'pythonic'])('%s', async (format) => {
		const result = await runAgent({ question: `What is 12 times 7? ${CALC} [[format name=${format}]] [[pace ms=1]]`, stream });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		expect(result.output).toBe('Answer from the tools: Calculator said 84');
		expect(sent()).toHaveLength(2);
		if (stream) {
			const chat = result.chunks.join('');
			expect(chat).not.toMatch(MARKUP);
			expect(chat).toContain('Answer from the tools: Calculator said 84');
		}
	});

	it.each(['llama-parallel', 'mistral', 'mistral-name', 'pythonic', 'qwen3-coder', 'glm'])('%s: every call of one answer runs', async (format) => {
		const question = `${callDirective('Weather', { city: 'Paris' })} ${callDirective('Calculator', { input: '3+4' })} [[format name=${format}]]`;
		const result = await runAgent({ question, tools: 'Calculator,Weather', stream });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([
			{ name: 'Weather', input: { city: 'Paris' } },
			{ name: 'Calculator', input: '3+4' },
		]);
		expect(result.output).toBe('Answer from the tools: Weather said Sunny, 21 °C in Paris; Calculator said 7');
		if (stream) expect(result.chunks.join('')).not.toMatch(/python_tag|TOOL_CALLS|tool_call|arg_key|Weather\(|"city"/);
	});
});

describe('what the tools give back', () => {
	it('a failing tool: the model hears the error and answers from it', async () => {
		const result = await runAgent({ question: `${callDirective('Calculator', { input: 'twelve times seven' })} [[format name=llama]]` });
		expect(result.error).toBeUndefined();
		expect(result.output).toBe('Answer from the tools: Calculator failed with Cannot evaluate "twelve times seven"');
		expect(sent()[1].messages.at(-1)!.content).toBe('<tool_error name="Calculator">\nCannot evaluate "twelve times seven"\n</tool_error>');
	});

	it('a tool with several output items: the model reads every item', async () => {
		const result = await runAgent({ question: `${callDirective('Contacts', { company: 'Acme' })} [[format name=pythonic]]`, tools: 'Contacts' });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([{ name: 'Contacts', input: { company: 'Acme' } }]);
		const items = '[{"name":"Ada","company":"Acme"},{"name":"Grace","company":"Acme"}]';
		expect(sent()[1].messages.at(-1)!.content).toBe(`<tool_result name="Contacts">\n${items}\n</tool_result>`);
		expect(result.output).toBe(`Answer from the tools: Contacts said ${items}`);
	});
});

describe('quoted is not called', () => {
	it.each([false, true])('a call inside a fetched page, repeated by the model in a fence, does not run (stream %s)', async (stream) => {
		const result = await runAgent({ question: `Summarize ${callDirective('WebPage', { url: 'example.com' })} [[quote-results]]`, tools: 'WebPage,Calculator', stream });
		expect(result.error).toBeUndefined();
		// Only the page was fetched: the Calculator call written on it is the page's text.
		expect(result.toolRuns).toEqual([{ name: 'WebPage', input: { url: 'example.com' } }]);
		expect(result.rounds).toHaveLength(1);
		expect(sent()).toHaveLength(2);
		expect(result.output).toContain('<tool_call>\n{"name": "Calculator", "arguments": {"input": "666*666"}}\n</tool_call>');
		// Streamed, the chat shows the prose before the page was fetched, then the answer with the quote.
		if (stream) expect(result.chunks.join('')).toBe(`Let me use WebPage.\n${result.output}`);
	});

	it('a broken call quoted from a page is text too: no correction round', async () => {
		const result = await runAgent({ question: `Summarize ${callDirective('WebPage', { url: 'broken.example.com' })} [[quote-results]]`, tools: 'WebPage,Calculator' });
		expect(result.error).toBeUndefined();
		expect(result.output).toContain('{"name": "Calculator", "arguments": {"input": 666*');
		expect(sent()).toHaveLength(2);
	});

	it('a call the user wrote in their message, repeated by the model, does not run', async () => {
		const call = '[TOOL_CALLS] [{"name": "Calculator", "arguments": {"input": "1+1"}}]';
		const result = await runAgent({ question: `What does this line do? ${call} [[reply b64=${b64(`It is this:\n${call.replace('[{', '[\n  {')}`)}]]` });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([]);
		expect(result.output).toContain('"input": "1+1"');
		expect(sent()).toHaveLength(1);
	});

	it('the same tool with other arguments is a call', async () => {
		const result = await runAgent({ question: `Summarize ${callDirective('WebPage', { url: 'example.com' })} ${callDirective('Calculator', { input: '6*6' })}`, tools: 'WebPage,Calculator' });
		expect(result.toolRuns.map((r) => r.name)).toEqual(['WebPage', 'Calculator']);
	});
});

describe('arguments are checked against the schema the model sees', () => {
	it('an argument the schema does not have goes back to the model, although the tool would strip it and run', async () => {
		const question = `${callDirective('Calculator', { expression: '12*7' })} [[corrected args=${b64({ input: '12*7' })}]] [[format name=glm]]`;
		const result = await runAgent({ question });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		const correction = sent()[1].messages.at(-1)!.content;
		expect(correction).toBe(
			'Your tool call was not run:\n- tool "Calculator": "expression" is not an argument of this tool; its arguments are: input\nWrite the call again in the <tool_call> format, using a listed tool name and arguments that match its schema, or answer without a tool.',
		);
		expect(sent()).toHaveLength(3);
	});

	it('a missing required argument goes back, and the corrected call runs', async () => {
		const question = `${callDirective('Weather', { town: 'Paris' })} [[corrected args=${b64({ city: 'Paris' })}]] [[format name=mistral]]`;
		const result = await runAgent({ question, tools: 'Weather' });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([{ name: 'Weather', input: { city: 'Paris' } }]);
		expect(sent()[1].messages.at(-1)!.content).toMatch(/^Your tool call was not run:\n- tool "Weather": "city": Required; "town" is not an argument of this tool; its arguments are: city, unit\n/);
	});
});

describe('one correction loop, streamed or not', () => {
	it('the prose of a corrected answer reaches the chat once', async () => {
		const result = await runAgent({ model: 'slier-tools-wrong-name', question: `What is 12 times 7? ${CALC} [[with-prose]]`, stream: true });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		expect(sent()).toHaveLength(3);
		expect(result.chunks.join('')).toBe('Let me work that out.\nAnswer from the tools: Calculator said 84');
	});

	it.each([false, true])('an answer given instead of the corrected call is the answer, its repeated prose shown once (stream %s)', async (stream) => {
		const result = await runAgent({ model: 'slier-tools-wrong-name', question: `What is 12 times 7? ${CALC} [[with-prose]] [[give-up]]`, stream });
		expect(result.error).toBeUndefined();
		expect(result.toolRuns).toEqual([]);
		expect(sent()).toHaveLength(2);
		expect(result.output).toBe('Let me work that out.\nI could not find that tool, sorry.');
		if (stream) expect(result.chunks.join('')).toBe('Let me work that out.\nI could not find that tool, sorry.');
	});

	it.each([false, true])('after the bounded corrections, the same error (stream %s)', async (stream) => {
		const result = await runAgent({ model: 'slier-tools-wrong-name', question: `What is 12 times 7? ${CALC} [[always-wrong]] [[with-prose]]`, stream });
		expect(result.error?.message).toBe('Slier\'s model could not call a tool correctly: there is no tool named "calculator_tool"; the tools are: Calculator');
		expect(sent()).toHaveLength(3);
		expect(result.toolRuns).toEqual([]);
	});
});

describe('structured output (n8n’s Evaluation node, Correctness)', () => {
	const evaluate = async (actual: string, includeRaw = false) => {
		const { run, error } = await runUnderAiNode({
			emulator,
			consumer: { name: 'Evaluation', type: 'harness.evaluationMetric', nodeType: new EvaluationMetricStandIn(), parameters: { includeRaw } },
			model: { model: { __rl: true, mode: 'id', value: 'slier-tools' }, options: {} },
			items: [{ expected: '84', actual }],
		});
		return { error, items: error ? [] : outputOf(run, 'Evaluation').map((item) => item.json) };
	};
	const grade = { extended_reasoning: 'Both say 84.', reasoning_summary: 'Same number.', score: 5 };

	it.each(['hermes', 'llama', 'qwen3-coder'])('the model’s extract call gives a score (%s)', async (format) => {
		const { error, items } = await evaluate(`84 ${callDirective('extract', grade)} [[format name=${format}]]`);
		expect(error).toBeUndefined();
		expect(items).toEqual([{ Correctness: 5 }]);
		// The model was told about the tool with the metric's schema, and asked to answer through it.
		const system = sent()[0].messages[0].content;
		expect(system).toContain('"name":"extract"');
		expect(system).toContain('"score":{"type":"integer"');
		expect(system).toContain("Give your whole answer as this tool's arguments.");
	});

	it('a model that answers with the JSON itself gives a score too; includeRaw keeps the message', async () => {
		const { error, items } = await evaluate(`84 [[reply b64=${b64(`Here is my grade:\n${JSON.stringify(grade)}`)}]]`, true);
		expect(error).toBeUndefined();
		expect(items).toEqual([{ Correctness: 5, raw: true }]);
	});

	it('a model that answers in prose fails with what it said', async () => {
		const { error } = await evaluate(`84 [[reply b64=${b64('They match, I would say.')}]]`);
		expect(error?.message).toBe('Failed to evaluate correctness. Error from language model: The model answered without the "extract" call the AI node asked for: They match, I would say.');
	});

	it('a lone call under another name is read as the structured answer; among several such calls none is guessed, the JSON the model wrote is read', () => {
		const schema = { type: 'object', properties: { score: { type: 'integer' } } };
		expect(readStructured({ content: '', tool_calls: [{ name: 'grade', args: { score: 4 } }] }, 'extract', schema)).toEqual({ score: 4 });
		const several = [
			{ name: 'grade', args: { score: 1 } },
			{ name: 'lookup', args: { query: 'score' } },
		];
		expect(readStructured({ content: 'My grade: {"score": 5}', tool_calls: several }, 'extract', schema)).toEqual({ score: 5 });
		expect(() => readStructured({ content: 'I cannot decide.', tool_calls: several }, 'extract', schema)).toThrow(
			'The model answered without the "extract" call the AI node asked for: I cannot decide.',
		);
	});

	it('an adapter that brings its own withStructuredOutput is left alone; LangChain’s default is replaced', () => {
		class FixedAdapter extends LangchainChatModelAdapter {
			withStructuredOutput(): never {
				throw new Error('n8n’s own');
			}
		}
		const model = { provider: 'p', modelId: 'm' } as unknown as ConstructorParameters<typeof LangchainChatModelAdapter>[0];
		const fixed = new FixedAdapter(model);
		const own = fixed.withStructuredOutput;
		expect(fitStructuredOutput(fixed).withStructuredOutput).toBe(own);
		const plain = new LangchainChatModelAdapter(model);
		const langchains = plain.withStructuredOutput;
		expect(fitStructuredOutput(plain).withStructuredOutput).not.toBe(langchains);
	});
});
