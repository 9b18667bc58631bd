import type { IRun } from 'n8n-workflow';

import { callDirective } from '../emulator/tool-models';
import { runUnderAiNode } from '../harness/ai-node-run';
import { outputOf } from '../harness/run-workflow';
import { ToolAgentStandIn, type ToolRun } from '../harness/tool-agent';
import { useEmulator } from '../helpers/use-emulator';

/**
 * What a tool gives back, as Slier Chat Model passes it on under an AI Agent with tools: a tool
 * that fails, a tool with several output items, and an image beside the question.
 */
const emulator = useEmulator();

interface AgentRun {
	output?: string;
	toolRuns: ToolRun[];
	error: IRun['data']['resultData']['error'];
}

async function runAgent(options: { question: string; tools: string; stream?: boolean; image?: string }): Promise<AgentRun> {
	const { run, error } = await runUnderAiNode({
		emulator,
		consumer: {
			name: 'AI Agent',
			type: 'harness.toolAgent',
			nodeType: new ToolAgentStandIn(),
			parameters: { agent: 'v3', stream: options.stream ?? false, tools: options.tools },
		},
		model: { model: { __rl: true, mode: 'id', value: 'slier-tools' }, options: {} },
		items: [{ question: options.question, ...(options.image ? { image: options.image } : {}) }],
	});
	const [item] = error ? [] : outputOf(run, 'AI Agent');
	const json = (item?.json ?? {}) as { output?: string; toolRuns?: ToolRun[] };
	return { output: json.output, toolRuns: json.toolRuns ?? [], error };
}

/** The user messages of the model's second request: the tool results as the model reads them. */
const resultsSent = () => {
	const posts = emulator.requests.filter((r) => r.method === 'POST');
	expect(posts).toHaveLength(2);
	const { messages } = posts[1].body as { messages: Array<{ role: string; content: string }> };
	return messages.filter((m) => m.role === 'user').slice(1);
};

describe.each([false, true])('Slier Chat Model under an AI Agent (v3) with tools (stream %s)', (stream) => {
	it('a tool that fails: the model reads the failure as a tool error, not as a result, and answers from it', async () => {
		const run = await runAgent({ question: `What is abc? ${callDirective('Calculator', { input: 'abc' })}`, tools: 'Calculator', stream });
		expect(run.error).toBeUndefined();
		expect(run.toolRuns).toEqual([{ name: 'Calculator', input: 'abc' }]);
		expect(resultsSent()).toEqual([{ role: 'user', content: '<tool_error name="Calculator">\nCannot evaluate "abc"\n</tool_error>' }]);
		expect(run.output).toBe('Answer from the tools: Calculator failed with Cannot evaluate "abc"');
	});

	it('a tool with several output items: the model reads every item, not only the first', async () => {
		const run = await runAgent({ question: `Visitors in Paris? ${callDirective('Records', { city: 'Paris' })}`, tools: 'Records', stream });
		expect(run.error).toBeUndefined();
		// n8n's buildObservation passes on the json of each output item of the tool node.
		const rows = '[{"city":"Paris","year":2023,"visitors":120},{"city":"Paris","year":2024,"visitors":135}]';
		expect(resultsSent()).toEqual([{ role: 'user', content: `<tool_result name="Records">\n${rows}\n</tool_result>` }]);
		expect(run.output).toBe(`Answer from the tools: Records said ${rows}`);
	});
});

describe('an image beside the question, under an AI Agent with tools', () => {
	it.each([false, true])('fails the call with a clear error and the fix, sending nothing (stream %s)', async (stream) => {
		const run = await runAgent({
			question: `What is 12 times 7? ${callDirective('Calculator', { input: '12*7' })}`,
			tools: 'Calculator',
			stream,
			image: 'data:image/png;base64,iVBORw0KGgo=',
		});
		expect(run.error?.message).toBe('The AI node sent Slier an image: Slier takes text only');
		expect(run.error?.description).toBe(
			"Slier answers text messages. Remove the image, describe it in text, or turn off the AI Agent's Automatically Passthrough Binary Images option.",
		);
		expect(run.toolRuns).toEqual([]);
		expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
	});
});
