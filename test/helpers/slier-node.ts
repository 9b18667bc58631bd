import type { ExecutionError, INode, INodeExecutionData, INodeParameters, IRun } from 'n8n-workflow';

import type { SlierEmulator } from '../emulator/server';
import { outputOf, PACKAGE, runWorkflow, type RunOptions } from '../harness/run-workflow';
import { captureOutput } from './capture-output';

/** A key that is easy to spot if it ever leaks into an output, error or log line. */
export const TEST_API_KEY = 'sk-slier-TEST-7f3a9c1e-DO-NOT-LEAK';

export const CHAT_DEFAULTS: INodeParameters = {
	model: { __rl: true, mode: 'list', value: 'claude-2' },
	messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
};

export interface NodeRun {
	items: INodeExecutionData[];
	/** The error output's items (node setting On Error: Continue (using error output)). */
	errorItems: INodeExecutionData[];
	/** The error that stopped the workflow, if any. */
	error: ExecutionError | undefined;
	run: IRun;
	/** Everything printed while the workflow ran. */
	output: string;
}

export interface NodeRunOptions {
	emulator: SlierEmulator;
	items: object[];
	parameters?: INodeParameters;
	type?: 'slierChat' | 'slierSearch';
	continueOnFail?: boolean;
	/** The node's On Error setting, e.g. 'continueErrorOutput'. */
	onError?: INode['onError'];
	credentials?: { apiKey?: string; baseUrl?: string };
	onStarted?: (cancel: () => void) => void;
	onChunk?: RunOptions['onChunk'];
}

/**
 * Runs Items → Slier node in n8n's engine and returns the node's output. Every run is checked
 * for the API key anywhere in the run data, the error or the log output.
 */
export async function runSlierNode(options: NodeRunOptions): Promise<NodeRun> {
	const type = options.type ?? 'slierChat';
	const name = type === 'slierChat' ? 'Slier Chat' : 'Slier Search';
	const defaults = type === 'slierChat' ? CHAT_DEFAULTS : { messages: CHAT_DEFAULTS.messages };
	// Chunks streamed to the chat are checked for the key too.
	const chunks: unknown[] = [];
	const onChunk: RunOptions['onChunk'] = options.onChunk && ((chunk) => (chunks.push(chunk), options.onChunk?.(chunk)));
	const { result: run, output } = await captureOutput(async () => {
		const result = await runWorkflow({
			nodes: [
				{
					id: 'items',
					name: 'Items',
					type: 'harness.itemsSource',
					typeVersion: 1,
					position: [0, 0],
					parameters: { items: JSON.stringify(options.items) },
				},
				{
					id: 'slier',
					name,
					type: `${PACKAGE}.${type}`,
					typeVersion: 1,
					position: [200, 0],
					credentials: { slierApi: { id: 'cred-1', name: 'Slier account' } },
					continueOnFail: options.continueOnFail ?? false,
					...(options.onError ? { onError: options.onError } : {}),
					parameters: { ...defaults, ...options.parameters },
				},
			],
			connections: { Items: { main: [[{ node: name, type: 'main', index: 0 }]] } },
			credentials: {
				slierApi: {
					apiKey: options.credentials?.apiKey ?? options.emulator.apiKey,
					baseUrl: options.credentials?.baseUrl ?? options.emulator.url,
				},
			},
			onStarted: options.onStarted,
			onChunk,
		});
		return result;
	});
	const error = run.data.resultData.error;
	const everything =
		JSON.stringify(run.data) + String(error?.message) + String(error?.description) + output + JSON.stringify(chunks);
	const key = options.credentials?.apiKey ?? options.emulator.apiKey;
	if (key.length >= 8 && everything.includes(key)) {
		throw new Error('The API key leaked into the run data, an error, a log line or a streamed chunk');
	}
	return { items: outputOf(run, name), errorItems: outputOf(run, name, 1), error, run, output };
}

/** The json of each output item. */
export const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);
