import { callDirective } from '../emulator/tool-models';
import { runAgent as run, sentBodies, type SentBody } from '../helpers/run-agent';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

const runAgent = (options: Parameters<typeof run>[1]) => run(emulator, options);
type Sent = SentBody;
const sent = () => sentBodies(emulator);

const CALC = callDirective('Calculator', { input: '12*7' });

describe.each(['v3', 'v2'] as const)('Slier Chat Model drives an AI Agent %s with tools (prompt mode, the default)', (agent) => {
	it('describes the tools in the prompt, reads the call, and answers from the tool’s result', async () => {
		const run = await runAgent({ agent, question: `What is 12 times 7? ${CALC}` });
		expect(run.error).toBeUndefined();
		expect(run.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		expect(run.output).toBe('Answer from the tools: Calculator said 84');
		const [first, second] = sent();
		expect(sent()).toHaveLength(2);
		// The tools and the format join the agent's system message: nothing for the user to set up.
		expect(first.messages[0].role).toBe('system');
		expect(first.messages[0].content).toMatch(/^You are a helpful assistant\n\n# Tools\n/);
		expect(first.messages[0].content).toContain('{"name":"Calculator","description":"Useful for getting the result of a math expression.');
		expect(first.model_params).toBeUndefined();
		// History the model can follow: its own call as it wrote it (no copied id), then the result.
		// (Agent v2 keeps the prose the model wrote before its call; v3 rebuilds the call alone.)
		const prose = agent === 'v2' ? 'Let me use Calculator.\n\n' : '';
		expect(second.messages.slice(1)).toEqual([
			{ role: 'user', content: `What is 12 times 7? ${CALC}` },
			{ role: 'assistant', content: `${prose}<tool_call>\n{"name":"Calculator","arguments":{"input":"12*7"}}\n</tool_call>` },
			{ role: 'user', content: '<tool_result name="Calculator">\n84\n</tool_result>' },
		]);
	});

	it.each([false, true])('runs several tools called in one answer, and the model sees every result (stream %s)', async (stream) => {
		const question = `Weather in Paris and 3+4? ${callDirective('Weather', { city: 'Paris' })} ${callDirective('Calculator', { input: '3+4' })}`;
		const run = await runAgent({ agent, question, tools: 'Calculator,Weather', stream });
		expect(run.error).toBeUndefined();
		expect(run.toolRuns).toEqual([
			{ name: 'Weather', input: { city: 'Paris' } },
			{ name: 'Calculator', input: '3+4' },
		]);
		// (Streamed, n8n's v2 agent outputs all the text it streamed, the prose before the calls too.)
		const answer = 'Answer from the tools: Weather said Sunny, 21 °C in Paris; Calculator said 7';
		expect(run.output).toBe(stream && agent === 'v2' ? `Let me use Weather and Calculator.\n${answer}` : answer);
		const history = sent()[1].messages.slice(2).map((m) => `${m.role}: ${m.content.replace(/\n/g, ' ')}`);
		const calls = ['<tool_call> {"name":"Weather","arguments":{"city":"Paris"}} </tool_call>', '<tool_call> {"name":"Calculator","arguments":{"input":"3+4"}} </tool_call>'];
		const results = ['<tool_result name="Weather"> Sunny, 21 °C in Paris </tool_result>', '<tool_result name="Calculator"> 7 </tool_result>'];
		// v2 sends the answer with both calls, then both results (one user message); v3 one call and its result at a time.
		expect(history).toEqual(
			agent === 'v2'
				? [`assistant: Let me use Weather and Calculator.  ${calls.join('  ')}`, `user: ${results.join('  ')}`]
				: [`assistant: ${calls[0]}`, `user: ${results[0]}`, `assistant: ${calls[1]}`, `user: ${results[1]}`],
		);
	});

	it('streams the prose and the final answer, and no part of a call reaches the chat', async () => {
		const run = await runAgent({ agent, question: `What is 12 times 7? ${CALC} [[pace ms=5]]`, stream: true });
		expect(run.error).toBeUndefined();
		expect(run.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		const chat = run.chunks.join('');
		expect(chat).toContain('Let me use Calculator.');
		expect(chat).toContain('Answer from the tools: Calculator said 84');
		expect(chat).not.toMatch(/tool_call|"arguments"|12\*7/);
		expect(run.chunks.length).toBeGreaterThan(5); // token by token, not in one piece
		expect(sent().every((body) => body.stream)).toBe(true);
	});
});

describe('calls written the way real models write them (slier-tools-sloppy)', () => {
	it.each([
		['fence', 'a ```json fence with `tool` / `input`, a trailing comma, prose before and an invented result after'],
		['array', 'an array of calls in a fence'],
		['openai', "OpenAI's {\"tool_calls\": [...]} with arguments as a JSON string"],
		['bare', 'a bare JSON answer with `args`'],
		['string-args', 'arguments as a JSON string with a trailing comma'],
	])('%s: %s', async (form) => {
		for (const stream of [false, true]) {
			emulator.reset();
			const run = await runAgent({ model: 'slier-tools-sloppy', question: `What is 12 times 7? ${CALC} [[sloppy form=${form}]]`, stream });
			expect(run.error).toBeUndefined();
			expect(run.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
			expect(run.output).toBe('Answer from the tools: Calculator said 84');
			// The invented "The result is 42" after the call is not an answer and never shown.
			expect(run.chunks.join('')).not.toMatch(/42|tool_call|```|\{|12\*7/);
			expect(sent()).toHaveLength(2);
		}
	});

	it('an array with two calls runs both', async () => {
		const question = `${callDirective('Weather', { city: 'Oslo', unit: 'F' })} ${callDirective('Calculator', { input: '2*3' })} [[sloppy form=array]]`;
		const run = await runAgent({ model: 'slier-tools-sloppy', question, tools: 'Calculator,Weather' });
		expect(run.toolRuns.map((r) => r.name)).toEqual(['Weather', 'Calculator']);
		expect(run.output).toBe('Answer from the tools: Weather said Sunny, 21 °F in Oslo; Calculator said 6');
	});
});

describe('answers are not misread', () => {
	it('a fenced JSON naming no offered tool is an ordinary answer, with one request, streamed or not', async () => {
		const config = 'Here is an example:\n```json\n{"name": "my-app", "version": "1.0.0", "scripts": {"start": "node index.js"}}\n```';
		const reply = `[[reply b64=${Buffer.from(config).toString('base64url')}]]`;
		for (const stream of [false, true]) {
			emulator.reset();
			const run = await runAgent({ question: `Give me a package.json example ${reply}`, stream });
			expect(run.error).toBeUndefined();
			expect(run.output).toBe(config);
			expect(run.toolRuns).toEqual([]);
			expect(sent()).toHaveLength(1);
			if (stream) expect(run.chunks.join('')).toBe(config);
		}
	});

	it('a question that needs no tool gets a plain answer', async () => {
		const run = await runAgent({ question: 'Say hello' });
		expect(run.output).toBe('slier-tools answers “Say hello” ✓');
		expect(sent()).toHaveLength(1);
	});
});

describe('self-correction (slier-tools-wrong-name)', () => {
	it('a call to a tool that does not exist goes back to the model with the reason, inside the same model call', async () => {
		for (const stream of [false, true]) {
			emulator.reset();
			const run = await runAgent({ model: 'slier-tools-wrong-name', question: `What is 12 times 7? ${CALC}`, stream });
			expect(run.error).toBeUndefined();
			expect(run.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
			expect(run.output).toBe('Answer from the tools: Calculator said 84');
			// The agent saw one round with the right call: the wrong one never reached it.
			expect(run.rounds).toHaveLength(1);
			const bodies = sent();
			expect(bodies).toHaveLength(3);
			expect(bodies[1].messages.slice(-2)).toEqual([
				{ role: 'assistant', content: '<tool_call>\n{"name":"calculator_tool","arguments":{"input":"12*7"}}\n</tool_call>' },
				{
					role: 'user',
					content:
						'Your tool call was not run:\n- there is no tool named "calculator_tool"; the tools are: Calculator\nWrite the call again in the <tool_call> format, using a listed tool name and arguments that match its schema, or answer without a tool.',
				},
			]);
			// Slier's token counts for that model call add up over both attempts.
			// (The emulator counts the words of the messages it got, and its answer's pieces: 1 each.)
			const words = (body: Sent) => body.messages.reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length, 0);
			const promptTokens = words(bodies[0]) + words(bodies[1]);
			expect(run.modelCalls[0].tokenUsage).toEqual({ promptTokens, completionTokens: 2, totalTokens: promptTokens + 2 });
		}
	});

	it('gives up after a bounded number of attempts with an error naming the tool and the problem', async () => {
		const run = await runAgent({ model: 'slier-tools-wrong-name', question: `What is 12 times 7? ${CALC} [[always-wrong]]` });
		expect(run.error?.message).toBe('Slier\'s model could not call a tool correctly: there is no tool named "calculator_tool"; the tools are: Calculator');
		// A chat shows only the description: it starts with what happened and whether to send again.
		expect(run.error?.description).toMatch(
			/^Slier's model could not call a tool correctly: there is no tool named "calculator_tool"; the tools are: Calculator\. The model was told what was wrong and tried 3 times\. .* Sending the message again may work, since a model does not answer the same way twice\. Make the tool easier to call/,
		);
		expect(sent()).toHaveLength(3);
		expect(run.toolRuns).toEqual([]);
	});

	it('arguments missing a required field, or of the wrong type, go back with the reason', async () => {
		const question = `${callDirective('Weather', { unit: 'K' })} weather?`;
		const run = await runAgent({ question, tools: 'Weather' });
		expect(run.error?.message).toMatch(/^Slier's model could not call a tool correctly: tool "Weather": /);
		expect(run.error?.description).toMatch(/"city": Required/);
		expect(run.error?.description).toMatch(/"unit": Invalid enum value/);
		const correction = sent()[1].messages.at(-1)!.content;
		expect(correction).toMatch(/^Your tool call was not run:\n- tool "Weather": "city": Required; "unit": Invalid enum value/);
	});
});

describe('native mode (Tool Calling → Native, slier-tools-native)', () => {
	it.each([false, true])('sends the tools in model_params and reads tool_calls (stream %s)', async (stream) => {
		const run = await runAgent({ model: 'slier-tools-native', question: `What is 12 times 7? ${CALC}`, stream, modelOptions: { toolCalling: 'native', temperature: 0.2 } });
		expect(run.error).toBeUndefined();
		expect(run.toolRuns).toEqual([{ name: 'Calculator', input: '12*7' }]);
		expect(run.output).toBe('Answer from the tools: Calculator said 84');
		const [first] = sent();
		expect(first.model_params).toMatchObject({ temperature: 0.2, tools: [{ type: 'function', function: { name: 'Calculator' } }] });
		expect(first.messages[0].content).toBe('You are a helpful assistant'); // no tool prompt in native mode
	});
});

describe('Tool Calling → Off', () => {
	it('refuses the tools clearly before anything is sent', async () => {
		const run = await runAgent({ question: 'Hi', modelOptions: { toolCalling: 'off' } });
		expect(run.error?.message).toBe('Tool Calling is Off in Slier Chat Model, and this AI Agent has a tool attached (Calculator)');
		expect(run.error?.description).toBe(
			'Tool Calling is Off in Slier Chat Model, and this AI Agent has a tool attached (Calculator). Sending the message again will not help until the workflow is fixed. Set Options → Tool Calling to Prompt (works with every Slier model) or Native, or remove the tools from the AI Agent.',
		);
		expect(sent()).toEqual([]);
	});
});

describe("Slier's token counts in n8n's run data", () => {
	it.each([false, true])('a model call with tools shows Slier’s counts, not an estimate (stream %s)', async (stream) => {
		const run = await runAgent({ question: `What is 12 times 7? ${CALC}`, stream });
		expect(run.modelCalls).toHaveLength(2);
		for (const call of run.modelCalls) {
			expect(call.tokenUsageEstimate).toBeUndefined();
			expect(call.tokenUsage).toEqual(expect.objectContaining({ promptTokens: expect.any(Number), completionTokens: expect.any(Number) }));
		}
	});
});
