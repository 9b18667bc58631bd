import type { IDataObject, INodeParameters, INodeType, IRun } from 'n8n-workflow';

import { LmChatSlier } from '../../nodes/LmChatSlier/LmChatSlier.node';
import { captureOutput } from '../helpers/capture-output';
import { ItemsSource, NodeTypes } from './node-types';
import { PACKAGE, runWorkflow } from './run-workflow';

/** The AI node the Slier Chat Model is plugged into (a stand-in for a chain or an agent). */
export interface AiConsumer {
	/** The node's name in the workflow, as outputOf reads it ("AI Chain", "AI Agent", …). */
	name: string;
	/** Its type name, such as `harness.aiChain`. */
	type: string;
	/** The node type behind that name (not needed when `nodeTypes` is given). */
	nodeType?: INodeType;
	parameters?: INodeParameters;
}

export interface AiNodeRunOptions {
	/** Where the Slier API credential points, and its key. */
	emulator: { url: string; apiKey: string };
	consumer: AiConsumer;
	/** The Slier Chat Model sub-node's parameters (model, options). */
	model: INodeParameters;
	/** The items the Items source node outputs, to the consumer's main input. */
	items: object[];
	onStarted?: (cancel: () => void) => void;
	/** A registry to reuse across runs (a benchmark's); by default one is built for the consumer. */
	nodeTypes?: NodeTypes;
	/**
	 * Capture stdout, stderr, the console and n8n's log, and fail if the API key or
	 * "[object Object]" shows in them, the run data or the error (default). A benchmark
	 * turns it off so the timings are the workflow's alone.
	 */
	check?: boolean;
}

export interface AiNodeRun {
	run: IRun;
	error: IRun['data']['resultData']['error'];
	/** What was written to the console and n8n's log during the run ('' unchecked). */
	output: string;
	/** What the sub-node's run data shows for each model call (n8n's tracing writes it). */
	modelCalls: IDataObject[];
}

/**
 * Runs Items → an AI node, with the Slier Chat Model plugged into its `ai_languageModel` input,
 * in n8n-core's real engine: n8n calls the sub-node's supplyData and the SDK's real LangChain
 * adapter runs, as under n8n's own AI nodes.
 */
export async function runUnderAiNode(options: AiNodeRunOptions): Promise<AiNodeRun> {
	const { emulator, consumer } = options;
	const model = 'Slier Chat Model';
	const execute = () =>
		runWorkflow({
			nodes: [
				{ id: 'items', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(options.items) } },
				{ id: 'consumer', name: consumer.name, type: consumer.type, typeVersion: 1, position: [200, 0], parameters: consumer.parameters ?? {} },
				{
					id: 'model',
					name: model,
					type: `${PACKAGE}.lmChatSlier`,
					typeVersion: 1,
					position: [200, 200],
					credentials: { slierApi: { id: 'cred-1', name: 'Slier account' } },
					parameters: options.model,
				},
			],
			connections: {
				Items: { main: [[{ node: consumer.name, type: 'main', index: 0 }]] },
				[model]: { ai_languageModel: [[{ node: consumer.name, type: 'ai_languageModel', index: 0 }]] },
			},
			nodeTypes:
				options.nodeTypes ??
				new NodeTypes({
					'harness.itemsSource': new ItemsSource(),
					[consumer.type]: consumer.nodeType ?? missing(consumer.type),
					[`${PACKAGE}.lmChatSlier`]: new LmChatSlier(),
				}),
			credentials: { slierApi: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
			onStarted: options.onStarted,
		});
	const { result: run, output } = options.check === false ? { result: await execute(), output: '' } : await captureOutput(execute);
	const error = run.data.resultData.error;
	if (options.check !== false) {
		const everything = JSON.stringify(run.data) + String(error?.message) + String(error?.description) + output;
		if (everything.includes(emulator.apiKey)) throw new Error('The API key leaked into the run data, an error or a log line');
		if (everything.includes('[object Object]')) throw new Error('[object Object] in the run data, an error or a log line');
	}
	const modelCalls = (run.data.resultData.runData[model] ?? []).map(
		(task) => (task.data?.ai_languageModel?.[0]?.[0]?.json ?? { error: task.error?.message }) as IDataObject,
	);
	return { run, error, output, modelCalls };
}

function missing(type: string): never {
	throw new Error(`runUnderAiNode: no node type given for ${type}`);
}
