import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	StructuredChunk,
} from 'n8n-workflow';

import { SlierSearch } from '../../nodes/SlierSearch/SlierSearch.node';
import { defaultNodeTypes, outputOf, PACKAGE, runWorkflow } from '../harness/run-workflow';
import { slierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Slier Search as an AI Agent's tool inside a streaming execution: n8n runs the tool with a
 * context whose isToolExecution() is true and whose isStreaming() is true too. The chat must get
 * only the agent's answer, never the tool's own text.
 */
const emulator = useEmulator();

/** Slier Search as n8n registers it for agents (the `…Tool` variant, output ai_tool). */
class SlierSearchTool extends SlierSearch {
	constructor() {
		super();
		this.description = { ...this.description, name: 'slierSearchTool', outputs: ['ai_tool'] } as INodeTypeDescription;
	}
}

/** A minimal agent: calls its one tool with a question, then streams its own answer. */
class AgentStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Agent',
		name: 'agentStandIn',
		group: ['transform'],
		version: 1,
		description: 'Calls its tool and streams an answer',
		defaults: { name: 'Agent' },
		inputs: ['main', 'ai_tool'],
		outputs: ['main'],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const [tool] = (await this.getInputConnectionData('ai_tool', 0)) as Array<{ invoke: (args: object) => Promise<string> }>;
		const result = await tool.invoke({ question: 'Who makes Vision Pro?' });
		const answer = `The agent read ${result.length} characters from its tool.`;
		await this.sendChunk('begin', 0);
		await this.sendChunk('item', 0, answer);
		await this.sendChunk('end', 0);
		return [[{ json: { output: answer, tool: result } }]];
	}
}

it('a Slier node running as an agent tool never streams its own answer to the chat', async () => {
	const chunks: StructuredChunk[] = [];
	const run = await runWorkflow({
		// Registered under a name without the "Tool" suffix, so only isToolExecution() can tell.
		nodeTypes: defaultNodeTypes({ 'test.agent': new AgentStandIn(), 'test.slierSearchForAgent': new SlierSearchTool() }),
		nodes: [
			{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: '[{"chatInput":"hi"}]' } },
			{ id: 'a', name: 'Agent', type: 'test.agent', typeVersion: 1, position: [200, 0], parameters: {} },
			{
				id: 's',
				name: 'Slier Search',
				type: 'test.slierSearchForAgent',
				typeVersion: 1,
				position: [200, 200],
				credentials: { slierApi: { id: 'c', name: 'Slier' } },
				parameters: {
					stream: true,
					messages: { values: [{ role: 'user', content: "={{ $fromAI('question', 'The question', 'string') }}" }] },
				},
			},
		],
		connections: {
			Items: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			'Slier Search': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
		credentials: { slierApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
		onChunk: (chunk) => chunks.push(chunk),
	});
	expect(run.data.resultData.error).toBeUndefined();
	const [item] = outputOf(run, 'Agent');
	// The tool really ran, streamed from Slier, and its answer reached the agent.
	expect(item.json.tool).toMatch(/Slier Search on “Who makes Vision Pro\?”/);
	expect(emulator.requests.map((r) => (r.body as { stream: boolean }).stream)).toEqual([true]);
	// Only the agent's chunks reached the chat.
	expect(chunks.map((c) => [c.metadata.nodeName, c.type])).toEqual([
		['Agent', 'begin'],
		['Agent', 'item'],
		['Agent', 'end'],
	]);
	expect(chunks[1].content).toBe(item.json.output);
});

it('nor when an n8n 2.x agent runs the tool as an ordinary node of the …Tool type', async () => {
	// Agent v3 in n8n 2.x sends the tool call back to the engine, which runs the tool node in a
	// plain execute context (isToolExecution() false, isStreaming() true).
	const chunks: StructuredChunk[] = [];
	const run = await runWorkflow({
		nodeTypes: defaultNodeTypes({ [`${PACKAGE}.slierSearchTool`]: new SlierSearchTool() }),
		nodes: [
			{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: '[{"question":"q"}]' } },
			slierNode('slierSearchTool', {
				parameters: { stream: true, messages: { values: [{ role: 'user', content: '={{ $json.question }}' }] } },
			}),
		],
		connections: { Items: { main: [[{ node: 'Slier Search', type: 'main', index: 0 }]] } },
		credentials: { slierApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
		onChunk: (chunk) => chunks.push(chunk),
	});
	expect(run.data.resultData.error).toBeUndefined();
	expect(emulator.requests.map((r) => (r.body as { stream: boolean }).stream)).toEqual([true]);
	expect(chunks).toEqual([]);
});
