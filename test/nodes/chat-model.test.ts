import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import type { IDataObject, INodeParameters, IRun } from 'n8n-workflow';

import { AiChainStandIn } from '../harness/ai-chain';
import { runUnderAiNode } from '../harness/ai-node-run';
import { outputOf } from '../harness/run-workflow';
import { applySsrfPolicy } from '../helpers/ssrf-policy';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

interface ChainRun {
	items: IDataObject[];
	error: IRun['data']['resultData']['error'];
	run: IRun;
	/** What the sub-node's run data shows for each model call (n8n's tracing writes it). */
	modelCalls: IDataObject[];
}

/** Items → AI Chain stand-in, with Slier Chat Model plugged into its model input. */
async function runChain(options: {
	messages: unknown[][];
	parameters?: INodeParameters;
	stream?: boolean;
	bindTool?: boolean;
	stopAfter?: number;
	abortAfterMs?: number;
	onStarted?: (cancel: () => void) => void;
}): Promise<ChainRun> {
	const { run, error, modelCalls } = await runUnderAiNode({
		emulator,
		consumer: {
			name: 'AI Chain',
			type: 'harness.aiChain',
			nodeType: new AiChainStandIn(),
			parameters: { stream: options.stream ?? false, bindTool: options.bindTool ?? false, stopAfter: options.stopAfter ?? 0, abortAfterMs: options.abortAfterMs ?? 0 },
		},
		model: { model: { __rl: true, mode: 'list', value: 'claude-2' }, ...options.parameters },
		items: options.messages.map((messages) => ({ messages })),
		onStarted: options.onStarted,
	});
	return { items: outputOf(run, 'AI Chain').map((item) => item.json), error, run, modelCalls };
}

const bodies = () => emulator.requests.filter((r) => r.method === 'POST').map((r) => ({ path: r.path, body: r.body as IDataObject }));

const CONVERSATION = [
	['system', 'You answer briefly.'],
	['human', 'my name is Ada'],
	['ai', 'Nice to meet you, Ada.'],
	['human', [{ type: 'text', text: 'what is' }, { type: 'text', text: 'my name' }]],
];

describe('Slier Chat Model under an AI chain (generate)', () => {
	it('maps n8n messages onto Slier messages, sends the model parameters, and returns the answer', async () => {
		const { items, error } = await runChain({
			messages: [CONVERSATION],
			parameters: { options: { temperature: 0.3, extra: '{"max_tokens": 50}' } },
		});
		expect(error).toBeUndefined();
		expect(bodies()).toEqual([
			{
				path: '/v1/chat/completions',
				body: {
					model: 'claude-2',
					stream: false,
					model_params: { temperature: 0.3, max_tokens: 50 },
					messages: [
						{ role: 'system', content: 'You answer briefly.' },
						{ role: 'user', content: 'my name is Ada' },
						{ role: 'assistant', content: 'Nice to meet you, Ada.' },
						{ role: 'user', content: 'what is\n\nmy name' },
					],
				},
			},
		]);
		expect(items[0].text).toBe('claude-2 answers “what is my name” ✓');
	});

	it("reports Slier's token usage and finish reason, and n8n's run data shows Slier's tokens", async () => {
		const { items, modelCalls } = await runChain({ messages: [[['human', 'Count my tokens']]] });
		// The emulator counts prompt words and answer deltas: 3 and 6.
		expect(items[0].usage).toMatchObject({ input_tokens: 3, output_tokens: 6, total_tokens: 9 });
		expect(items[0].metadata).toMatchObject({ finish_reason: 'stop', provider: 'slier', model: 'claude-2' });
		expect(modelCalls).toHaveLength(1);
		expect(modelCalls[0].tokenUsage).toEqual({ promptTokens: 3, completionTokens: 6, totalTokens: 9 });
	});

	it('writes an earlier tool call and its result (roles Slier lacks) as the documented blocks', async () => {
		await runChain({
			messages: [
				[
					['human', 'Weather in Paris?'],
					{ role: 'assistant', content: '', tool_calls: [{ id: 'call-1', name: 'get_weather', args: { city: 'Paris' } }] },
					{ role: 'tool', content: 'Sunny, 21 °C', tool_call_id: 'call-1', name: 'get_weather' },
					['human', 'So?'],
				],
			],
		});
		expect((bodies()[0].body.messages as IDataObject[]).map((m) => [m.role, m.content])).toEqual([
			['user', 'Weather in Paris?'],
			['assistant', '<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call>'],
			['user', '<tool_result name="get_weather">\nSunny, 21 °C\n</tool_result>'],
			['user', 'So?'],
		]);
	});

	it('sends a tool result that is not a string (content blocks) as JSON text, never [object Object]', async () => {
		await runChain({
			messages: [
				[
					['human', 'Weather in Paris?'],
					{ role: 'assistant', content: '', tool_calls: [{ id: 'call-1', name: 'get_weather', args: { city: 'Paris' } }] },
					{ role: 'tool', content: [{ type: 'text', text: 'Sunny, 21 °C' }], tool_call_id: 'call-1', name: 'get_weather' },
				],
			],
		});
		const folded = (bodies()[0].body.messages as IDataObject[])[2];
		expect(folded.role).toBe('user');
		expect(folded.content).toMatch(/^<tool_result name="get_weather">\n\[\{.*"Sunny, 21 °C".*\}\]\n<\/tool_result>$/);
	});

	it('fails with Slier’s message and what to do when the content filter refuses', async () => {
		const { error, items } = await runChain({ messages: [[['human', 'Something bad [[filter]]']]] });
		expect(items).toEqual([]);
		expect(error?.message).toBe(
			"Slier's content filter refused to answer: This content may violate our content policy, please check https://Slier.ai/terms to learn more.",
		);
		expect(error?.description).toMatch(/Rephrase the prompt/);
	});

	it('says what is wrong with the key, and never shows it', async () => {
		await runChain({ messages: [[['human', 'Hi']]] }).then(({ error }) => expect(error).toBeUndefined());
		const { error } = await runChainWithKey('sk-wrong');
		expect(error?.message).toBe('Slier rejected the API key (HTTP 401)');
		expect(error?.description).toMatch(/Check the API key in the Slier API credential/);
	});

	it("honours n8n's SSRF protection like Slier Chat: a blocked Base URL fails the call and nothing is sent", async () => {
		for (const stream of [false, true]) {
			const restore = applySsrfPolicy({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
			try {
				const { error } = await runChain({ messages: [[['human', 'Hi']]], stream });
				expect(error?.message).toMatch(/^This n8n instance's SSRF protection does not allow requests to 127\.0\.0\.1, so nothing was sent/);
			} finally {
				restore();
			}
		}
		expect(emulator.requests).toEqual([]);
		const restore = applySsrfPolicy({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8' });
		try {
			const { error, items } = await runChain({ messages: [[['human', 'Hi']]] });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			expect(bodies()).toHaveLength(1);
		} finally {
			restore();
		}
	});

	it('with Tool Calling Off, refuses to run under an agent with tools attached', async () => {
		const { error } = await runChain({ messages: [[['human', 'Weather in Paris?']]], bindTool: true, parameters: { options: { toolCalling: 'off' } } });
		expect(error?.message).toBe('Tool Calling is Off in Slier Chat Model, and this AI Agent has a tool attached (get_weather)');
		expect(bodies()).toEqual([]);
	});

	it('fails before any request when a model parameter is out of range', async () => {
		const { error, modelCalls } = await runChain({ messages: [[['human', 'Hi']]], parameters: { options: { topP: 3 } } });
		// n8n reports a sub-node's supplyData failure this way; the sub-node itself shows ours.
		expect(error?.message).toBe('Error in sub-node Slier Chat Model');
		expect(error?.description).toBe('Top P is 3, outside 0 to 1');
		expect(modelCalls).toEqual([{ error: 'Top P is 3, outside 0 to 1' }]);
		expect(bodies()).toEqual([]);
	});

	it.each([
		[{ extra: '{"max_tokens": 5, "__proto__": {"x": 1}}' }, 'Extra Model Parameters (JSON) has the key "__proto__", which is not allowed'],
		[{ timeout: 2_147_483_648 }, 'Timeout is 2147483648 ms, longer than the longest wait n8n can time (2147483647 ms, about 24.8 days)'],
		[{ maxRetries: 11 }, 'Max Retries is 11'],
	])('refuses the same settings as Slier Chat, with the same words, before any request (%j)', async (options, problem) => {
		const { error, modelCalls } = await runChain({ messages: [[['human', 'Hi']]], parameters: { options } });
		expect(error?.description).toBe(problem);
		expect(modelCalls).toEqual([{ error: problem }]);
		expect(bodies()).toEqual([]);
	});
});

describe('Slier Chat Model under an AI chain (stream)', () => {
	it('streams real text deltas that join to the same answer generate() gives, with usage', async () => {
		const streamed = await runChain({ messages: [[['human', 'Stream me a short answer']]], stream: true });
		expect(streamed.error).toBeUndefined();
		const { deltas, text, usage } = streamed.items[0] as { deltas: string[]; text: string; usage: IDataObject };
		expect(deltas.length).toBeGreaterThan(3);
		expect(text).toBe('claude-2 answers “Stream me a short answer” ✓');
		expect(usage).toMatchObject({ input_tokens: 5, output_tokens: 8 });
		expect(bodies()[0].body.stream).toBe(true);
		// @n8n/ai-node-sdk 0.30.1's tracing reads a streamed call's usage under names LangChain does
		// not use there; the package teaches it those names, so n8n shows Slier's counts, not its estimate.
		expect(streamed.modelCalls[0].tokenUsage).toEqual({ promptTokens: 5, completionTokens: 8, totalTokens: 13 });
		expect(Object.keys(streamed.modelCalls[0])).not.toContain('tokenUsageEstimate');
		emulator.reset();
		const generated = await runChain({ messages: [[['human', 'Stream me a short answer']]] });
		expect(generated.items[0].text).toBe(text);
	});

	it('fails on a stream cut mid-way instead of passing a short answer off as whole', async () => {
		const { error, items } = await runChain({ messages: [[['human', 'Tell me everything [[cut after=2]]']]], stream: true });
		expect(items).toEqual([]);
		expect(error?.message).toMatch(/^The stream ended early: Slier closed it before the answer was complete/);
		expect(error?.description).toMatch(/never retried once it has started/);
	});

	it('fails when the content filter stops a stream part-way', async () => {
		const { error } = await runChain({ messages: [[['human', 'Go on [[stream-filter after=2]]']]], stream: true });
		expect(error?.message).toBe("Slier's content filter refused to answer");
	});

	it('stops the request when the AI node stops reading the stream, instead of paying for the rest', async () => {
		// 9 deltas 500 ms apart: read to the end, the answer would take 4 s or more.
		const { items, error } = await runChain({ messages: [[['human', 'Say a lot [[pace ms=500]]']]], stream: true, stopAfter: 2 });
		expect(error).toBeUndefined();
		// The second piece may lack its last letter: " answers" ends in "s", which could begin the
		// API key, so the key redaction holds it back until the next piece shows it is not.
		expect(items[0].deltas).toEqual(['claude-2', expect.stringMatching(/^ answers?$/)]);
		// The client left before the emulator had sent the whole answer (order, not a margin).
		await emulator.until(() => emulator.requests[0].closedAt !== undefined);
		expect(emulator.requests[0].endedBy).toBe('client');
	});

	// The emulator would hold these headers 30 s, longer than the test may run: only the abort ends
	// them, and the test waits for the emulator to see the client leave (an event, not a margin).
	const HELD = 'Take your time [[slow-headers ms=30000]]';
	const leftByClient = async () => {
		await emulator.until(() => emulator.requests[0]?.closedAt !== undefined);
		expect(emulator.requests).toHaveLength(1);
		expect(emulator.requests[0].endedBy).toBe('client');
	};

	it.each([
		['generate', false],
		['stream', true],
	])("%s: the AI node's own abort signal (not the execution's) aborts the request in flight", async (_name, stream) => {
		// The AI node's signal is a timer of its own (the stand-in's Abort After); 1.5 s lets the request arrive first.
		const { error } = await runChain({ messages: [[['human', HELD]]], stream, abortAfterMs: 1_500 });
		expect(error).toBeDefined();
		await leftByClient();
	});

	it('cancelling the execution aborts the request even when the AI node passes a signal of its own', async () => {
		let cancelled = false;
		await runChain({
			messages: [[['human', HELD]]],
			// The AI node's own signal would fire only after a minute: only the execution's cancel can stop this.
			abortAfterMs: 60_000,
			onStarted: (cancel) =>
				void emulator.until(() => emulator.requests.length === 1).then(() => {
					cancelled = true;
					cancel();
				}),
		}).catch(() => undefined);
		expect(cancelled).toBe(true);
		await leftByClient();
	});

	it('aborts the request in flight when the execution is cancelled', async () => {
		let cancelled = false;
		await runChain({
			messages: [[['human', HELD]]],
			stream: true,
			onStarted: (cancel) =>
				void emulator.until(() => emulator.requests.length === 1).then(() => {
					cancelled = true;
					cancel();
				}),
		}).catch(() => undefined);
		expect(cancelled).toBe(true);
		await leftByClient();
	});
});

describe('Slier Chat Model in search mode (web answers)', () => {
	const question = [['human', 'Who won?']];

	it('asks Slier Search, sends no model, and keeps the citation markers by default', async () => {
		const { items } = await runChain({ messages: [question], parameters: { options: { searchMode: true, temperature: 0.2 } } });
		expect(bodies()).toEqual([{ path: '/v1/search/completions', body: { messages: [{ role: 'user', content: 'Who won?' }], stream: false } }]);
		expect(items[0].text).toMatch(/^Slier Search on “Who won\?”: the first source¹ says yes, the second² agrees/);
	});

	it('strips the markers when asked, streamed or not', async () => {
		const options = { searchMode: true, stripCitations: true };
		const generated = await runChain({ messages: [question], parameters: { options } });
		const streamed = await runChain({ messages: [question], parameters: { options }, stream: true });
		expect(generated.items[0].text).toBe(
			'Slier Search on “Who won?”: the first source says yes, the second agrees, and the first adds more. See [the report](https://example.com/report).',
		);
		expect(streamed.items[0].text).toBe(generated.items[0].text);
	});
});

async function runChainWithKey(apiKey: string) {
	const { error } = await runUnderAiNode({
		emulator: { url: emulator.url, apiKey },
		consumer: { name: 'AI Chain', type: 'harness.aiChain', nodeType: new AiChainStandIn() },
		model: {},
		items: [{ messages: [['human', 'Hi']] }],
	});
	return { error };
}

describe('Slier Chat Model, hostile inputs', () => {
	it('refuses a Timeout above 2147483647 ms before sending, streamed too', async () => {
		const { error } = await runChain({ messages: [[['human', 'Hi [[pace ms=20]]']]], parameters: { options: { timeout: 3_000_000_000 } }, stream: true });
		expect(error?.description).toMatch(/^Timeout is 3000000000 ms/);
		expect(bodies()).toEqual([]);
	});

	it('search mode with Strip Citation Markers keeps a unit power when streamed, as generate() does', async () => {
		const answer = 'The lake covers 25 km² and holds 3 m³ per second¹. Sources agree².';
		const reply = Buffer.from(answer, 'utf8').toString('base64url');
		const parameters = { options: { searchMode: true, stripCitations: true } };
		const messages = [[['human', `Lake? [[reply b64=${reply}]]`]]];
		const generated = await runChain({ messages, parameters });
		const streamed = await runChain({ messages, parameters, stream: true });
		expect(generated.items[0].text).toBe('The lake covers 25 km² and holds 3 m³ per second. Sources agree.');
		expect(streamed.items[0].text).toBe(generated.items[0].text);
	});

	it('search mode with Strip Citation Markers keeps a unit power at the very end of a streamed answer', async () => {
		const reply = Buffer.from('The lake covers 25 km²', 'utf8').toString('base64url');
		const { items } = await runChain({
			messages: [[['human', `Lake? [[reply b64=${reply}]]`]]],
			parameters: { options: { searchMode: true, stripCitations: true } },
			stream: true,
		});
		expect(items[0].text).toBe('The lake covers 25 km²');
	});

	it('says what a wrong Temperature is without [object Object]', async () => {
		const { error } = await runChain({ messages: [[['human', 'Hi']]], parameters: { options: { temperature: '={{ { "a": 1 } }}' } } });
		expect(error?.description).toBe('Temperature is an object, not a number from 0 to 2');
		expect(bodies()).toEqual([]);
	});
});

describe('on n8n 1.x, which has no @n8n/ai-node-sdk', () => {
	it("loads every node of the package, and the sub-node says what it needs (built package)", () => {
		// A fresh Node process where @n8n/ai-node-sdk cannot be found, as in n8n 1.x.
		const script = `
			const Module = require('module');
			const resolve = Module._resolveFilename;
			Module._resolveFilename = function (request, ...rest) {
				if (request.startsWith('@n8n/ai-node-sdk')) throw Object.assign(new Error('Cannot find module ' + request), { code: 'MODULE_NOT_FOUND' });
				return resolve.call(this, request, ...rest);
			};
			const names = require('./package.json').n8n.nodes.map((file) => {
				const Node = Object.values(require('./' + file))[0];
				return new Node().description.name;
			});
			const { LmChatSlier } = require('./dist/nodes/LmChatSlier/LmChatSlier.node.js');
			new LmChatSlier().supplyData
				.call({ getNode: () => ({ name: 'Slier Chat Model' }) }, 0)
				.then(() => ({}), (error) => ({ message: error.message, description: error.description }))
				.then((failure) => console.log(JSON.stringify({ names, failure })));
		`;
		const out = execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
		const { names, failure } = JSON.parse(out) as { names: string[]; failure: IDataObject };
		expect(names).toEqual(['slierChat', 'slierSearch', 'lmChatSlier']);
		expect(failure.message).toBe('Slier Chat Model needs n8n 2.16 or newer');
		expect(failure.description).toMatch(/use the Slier Chat node/);
	});
});
