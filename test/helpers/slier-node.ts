import type { ExecutionError, IDataObject, INode, INodeExecutionData, INodeParameters, IRun } from 'n8n-workflow';

import type { SlierEmulator } from '../emulator/server';
import { outputOf, PACKAGE, runWorkflow, type RunOptions } from '../harness/run-workflow';
import { captureOutput } from './capture-output';

/** A key that is easy to spot if it ever leaks into an output, error or log line. */
export const TEST_API_KEY = 'sk-slier-TEST-7f3a9c1e-DO-NOT-LEAK';

export const CHAT_DEFAULTS: INodeParameters = {
	model: { __rl: true, mode: 'list', value: 'claude-2' },
	messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
};

/** Where a run sends its requests: the emulator, or a raw loopback server with a key of the test's own. */
export type SlierTarget = Pick<SlierEmulator, 'url' | 'apiKey'>;

export type SlierNodeType = 'slierChat' | 'slierSearch';

/**
 * A Slier node as it stands in a workflow, with the credential reference every test and script
 * uses. `name` defaults to the node's display name.
 */
export function slierNode(type: SlierNodeType | 'slierSearchTool', overrides: Partial<INode> = {}): INode {
	return {
		id: type,
		name: type === 'slierChat' ? 'Slier Chat' : 'Slier Search',
		type: `${PACKAGE}.${type}`,
		typeVersion: 1,
		position: [200, 0],
		credentials: { slierApi: { id: 'cred-1', name: 'Slier account' } },
		parameters: {},
		...overrides,
	};
}

/** The harness node that outputs `items`, as the input of a Slier node. */
export function itemsNode(items: object[], name = 'Items'): INode {
	return { id: name, name, type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items) } };
}

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
	emulator: SlierTarget;
	items: object[];
	parameters?: INodeParameters;
	type?: SlierNodeType;
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
	const { name } = slierNode(type);
	const defaults = type === 'slierChat' ? CHAT_DEFAULTS : { messages: CHAT_DEFAULTS.messages };
	// Chunks streamed to the chat are checked for the key too.
	const chunks: unknown[] = [];
	const onChunk: RunOptions['onChunk'] = options.onChunk && ((chunk) => (chunks.push(chunk), options.onChunk?.(chunk)));
	const { result: run, output } = await captureOutput(async () => {
		const result = await runWorkflow({
			nodes: [
				itemsNode(options.items),
				slierNode(type, {
					continueOnFail: options.continueOnFail ?? false,
					...(options.onError ? { onError: options.onError } : {}),
					parameters: { ...defaults, ...options.parameters },
				}),
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

/**
 * Runs one item through the node under Continue On Fail and returns its json: the answer, or
 * `{error, errorType}`. Checks that exactly one item came out, paired to the input.
 */
export async function runOne(
	options: Omit<NodeRunOptions, 'items' | 'continueOnFail'> & { text?: string; item?: object },
): Promise<IDataObject> {
	const { items } = await runSlierNode({ ...options, items: [options.item ?? { text: options.text ?? 'hi' }], continueOnFail: true });
	expect(items).toHaveLength(1);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return items[0].json;
}
