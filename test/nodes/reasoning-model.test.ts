import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { THINK_FORMS, type ThinkForm } from '../emulator/thinking';
import { callDirective } from '../emulator/tool-models';
import { AiChainStandIn } from '../harness/ai-chain';
import { runUnderAiNode } from '../harness/ai-node-run';
import { outputOf } from '../harness/run-workflow';
import { ToolAgentStandIn, type ToolRun } from '../harness/tool-agent';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Reasoning models behind the Slier Chat Model, in n8n's engine with the SDK's real LangChain
 * adapter: the AI node gets the answer alone as text (a chain, an Information Extractor's parser,
 * an agent's tools and its chat) and the thought as the SDK's reasoning part, after the text.
 */
const emulator = useEmulator();

/** LangChain as the SDK's adapter loads it (n8n's Information Extractor parses with it). */
const fromSdk = (module: string) => require(require.resolve(module, { paths: [require.resolve('@n8n/ai-utilities')] }));
const { StructuredOutputParser } = fromSdk('@langchain/core/output_parsers');

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const think = (form: ThinkForm, args: Record<string, string | number> = {}) =>
	`[[think form=${form}${Object.entries(args).map(([key, value]) => ` ${key}=${value}`).join('')}]]`;
const reply = (text: string) => `[[reply b64=${b64(text)}]]`;

/** The Slier Chat Model's options for a form: an open-less thought streams clean only when the panel says so. */
const optionsFor = (form: ThinkForm): IDataObject => (form === 'open-less' ? { thoughtStartsOpen: true } : {});

async function chain(question: string | unknown[], stream: boolean, options: IDataObject = {}, model = 'claude-2') {
	const { run, error } = await runUnderAiNode({
		emulator,
		consumer: { name: 'AI Chain', type: 'harness.aiChain', nodeType: new AiChainStandIn(), parameters: { stream, showContent: true } },
		model: { model: { __rl: true, mode: 'id', value: model }, options } as INodeParameters,
		items: [{ messages: typeof question === 'string' ? [['human', question]] : question }],
	});
	expect(error).toBeUndefined();
	return outputOf(run, 'AI Chain')[0].json as { text: string; deltas?: string[]; content: Array<{ type: string; text?: string; reasoning?: string }>; usage: IDataObject | null };
}

const sentMessages = () =>
	emulator.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { messages: Array<{ role: string; content: string }> }).messages);

describe.each(THINK_FORMS)('the Slier Chat Model with a reasoning model, %s form', (form) => {
	const thought = 'The user wants a greeting. Maybe {"draft": true}?';

	it.each([false, true])('a Basic LLM Chain gets the answer alone; the thought is a reasoning part after it (stream %s)', async (stream) => {
		const out = await chain(`Greet ${think(form, { text: b64(thought), piece: 1 })} ${reply('Hello there!')}`, stream, optionsFor(form));
		expect(out.text).toBe('Hello there!');
		if (stream) expect(out.deltas!.join('')).toBe('Hello there!');
		// The answer first (Guardrails reads only the first part), the thought last, as reasoning.
		const parts = out.content.filter((part) => part.type === 'text' || part.type === 'reasoning');
		expect(parts[0].type).toBe('text');
		expect(parts.map((part) => part.text ?? '').join('')).toBe('Hello there!');
		expect(parts[parts.length - 1]).toEqual({ type: 'reasoning', reasoning: thought });
		expect(parts.filter((part) => part.type === 'reasoning')).toHaveLength(1);
	});

	it('an Information Extractor reads the answer’s JSON, not the draft in the thought', async () => {
		const out = await chain(`Extract ${think(form, { text: b64('Draft: {"company": "Draft Co", "employees": 0}. No, Acme.') })} ${reply('{"company": "Acme", "employees": "42"}')}`, false);
		const parser = StructuredOutputParser.fromNamesAndDescriptions({ company: 'the company', employees: 'how many people' });
		await expect(parser.parse(out.text)).resolves.toEqual({ company: 'Acme', employees: '42' });
	});
});

describe('the Slier Chat Model with a reasoning model', () => {
	it('passes Slier’s reasoning tokens on to n8n', async () => {
		const out = await chain(`Hi ${think('reasoning', { chars: 40, piece: 10 })}`, false);
		expect(out.usage).toMatchObject({ input_tokens: 1, output_tokens: 8, total_tokens: 9, output_token_details: { reasoning: 4 } });
	});

	it('sends earlier answers back without their thoughts (an agent’s memory)', async () => {
		await chain(
			[
				['human', 'First question'],
				['ai', '<think>\nOld thought.\n</think>\n\nOld answer.'],
				['human', 'Next question'],
			],
			false,
		);
		expect(sentMessages()[0]).toEqual([
			{ role: 'user', content: 'First question' },
			{ role: 'assistant', content: 'Old answer.' },
			{ role: 'user', content: 'Next question' },
		]);
	});

	it('with a model that does not think, returns no reasoning part', async () => {
		const out = await chain('Plain', false);
		expect(out.content).toEqual([{ type: 'text', text: 'claude-2 answers “Plain” ✓' }]);
	});
});

describe.each(THINK_FORMS)('an AI Agent with a tool and a reasoning model, %s form: the thought’s call never runs', (form) => {
	// The thought drafts a call (6+7); the answer makes another (6*7).
	const thought = `I could call <tool_call>\n{"name":"Calculator","arguments":{"input":"6+7"}}\n</tool_call> but it is 6*7.`;

	it.each([false, true])('stream %s', async (stream) => {
		const { run, error } = await runUnderAiNode({
			emulator,
			consumer: { name: 'AI Agent', type: 'harness.toolAgent', nodeType: new ToolAgentStandIn(), parameters: { agent: 'v3', stream, tools: 'Calculator' } },
			model: { model: { __rl: true, mode: 'id', value: 'slier-tools' }, options: optionsFor(form) } as INodeParameters,
			items: [{ question: `What is 6 times 7? ${think(form, { text: b64(thought), piece: 3 })} ${callDirective('Calculator', { input: '6*7' })}` }],
		});
		expect(error).toBeUndefined();
		const json = outputOf(run, 'AI Agent')[0].json as { output: string; toolRuns: ToolRun[]; chunks: string[] };
		expect(json.toolRuns).toEqual([{ name: 'Calculator', input: '6*7' }]);
		expect(json.output).toBe('Answer from the tools: Calculator said 42');
		// The chat (n8n streams every chunk's text) never shows the thought.
		if (stream) expect(json.chunks.join('')).not.toMatch(/could call|6\+7|think|START_|channel/);
		// The round trip sent back no thought either.
		expect(JSON.stringify(sentMessages()[1])).not.toContain('could call');
	});
});
