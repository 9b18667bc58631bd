import type { IDataObject, INodeParameters, IRun } from 'n8n-workflow';

import type { SlierEmulator } from '../emulator/server';
import { runUnderAiNode } from '../harness/ai-node-run';
import { outputOf } from '../harness/run-workflow';
import { ToolAgentStandIn, type ToolRun } from '../harness/tool-agent';

export interface AgentRun {
	output?: string;
	toolRuns: ToolRun[];
	chunks: string[];
	rounds: IDataObject[];
	error: IRun['data']['resultData']['error'];
	/** What the sub-node's run data shows for each model call. */
	modelCalls: IDataObject[];
}

/** Items → tool agent stand-in (v2 or v3), with Slier Chat Model as its model. */
export async function runAgent(
	emulator: SlierEmulator,
	options: { question: string; model?: string; agent?: 'v2' | 'v3'; stream?: boolean; tools?: string; modelOptions?: INodeParameters },
): Promise<AgentRun> {
	const { run, error, modelCalls } = await runUnderAiNode({
		emulator,
		consumer: {
			name: 'AI Agent',
			type: 'harness.toolAgent',
			nodeType: new ToolAgentStandIn(),
			parameters: { agent: options.agent ?? 'v3', stream: options.stream ?? false, tools: options.tools ?? 'Calculator' },
		},
		model: { model: { __rl: true, mode: 'id', value: options.model ?? 'slier-tools' }, options: options.modelOptions ?? {} },
		items: [{ question: options.question }],
	});
	const [item] = error ? [] : outputOf(run, 'AI Agent');
	const json = (item?.json ?? {}) as { output?: string; toolRuns?: ToolRun[]; chunks?: string[]; rounds?: IDataObject[] };
	return { output: json.output, toolRuns: json.toolRuns ?? [], chunks: json.chunks ?? [], rounds: json.rounds ?? [], error, modelCalls };
}

export type SentBody = { model: string; stream: boolean; messages: Array<{ role: string; content: string }>; model_params?: IDataObject };

/** The completion requests the emulator received, in order. */
export const sentBodies = (emulator: SlierEmulator) => emulator.requests.filter((r) => r.method === 'POST').map((r) => r.body as SentBody);
