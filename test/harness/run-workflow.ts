import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IConnections,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type StructuredChunk,
} from 'n8n-workflow';

import { SlierApi } from '../../credentials/SlierApi.credentials';
import { SlierChat } from '../../nodes/SlierChat/SlierChat.node';
import { SlierSearch } from '../../nodes/SlierSearch/SlierSearch.node';
import { CredentialsHelper } from './credentials-helper';
import { ItemsSource, NodeTypes } from './node-types';

export const PACKAGE = 'n8n-nodes-slier';

/** Every node type a test or demo workflow may use, under the names a saved workflow uses. */
export function defaultNodeTypes(extra: Record<string, INodeType> = {}): NodeTypes {
	return new NodeTypes({
		'harness.itemsSource': new ItemsSource(),
		[`${PACKAGE}.slierChat`]: new SlierChat(),
		[`${PACKAGE}.slierSearch`]: new SlierSearch(),
		...extra,
	});
}

export interface RunOptions extends WorkflowParts {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Turns on n8n's streaming response (as a Chat Trigger does) and receives its chunks. */
	onChunk?: (chunk: StructuredChunk) => void;
	/** Lets a test cancel the execution (PCancelable.cancel) once it is running. */
	onStarted?: (cancel: () => void) => void;
}

export interface WorkflowParts {
	nodes: INode[];
	connections: IConnections;
	nodeTypes?: NodeTypes;
}

export function buildWorkflow({ nodes, connections, nodeTypes }: WorkflowParts): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: 'Test workflow',
		nodes,
		connections,
		active: false,
		nodeTypes: nodeTypes ?? defaultNodeTypes(),
		settings: { executionOrder: 'v1' },
	});
}

/** What n8n hands the engine besides the workflow: credentials, hooks and instance URLs. */
export function buildAdditionalData(
	workflow: Workflow,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): IWorkflowExecuteAdditionalData {
	const nodes = Object.values(workflow.nodes);
	const workflowData: IWorkflowBase = {
		id: workflow.id,
		name: workflow.name ?? '',
		active: false,
		isArchived: false,
		nodes,
		connections: workflow.connectionsBySourceNode,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	};
	const base = 'http://127.0.0.1:5678';
	return {
		credentialsHelper: new CredentialsHelper({ slierApi: new SlierApi() }, credentials),
		hooks: new ExecutionLifecycleHooks('manual', 'test-execution', workflowData),
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used here');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Runs a workflow in n8n-core's real engine, the way n8n runs a manual execution. */
export async function runWorkflow(options: RunOptions): Promise<IRun> {
	const workflow = buildWorkflow(options);
	const additionalData = buildAdditionalData(workflow, options.credentials);
	if (options.onChunk) {
		const onChunk = options.onChunk;
		additionalData.streamingEnabled = true;
		additionalData.hooks!.addHandler('sendChunk', async (chunk) => onChunk(chunk));
	}
	const start = options.nodes.find((node) => {
		const { description } = workflow.nodeTypes.getByNameAndVersion(node.type);
		return Array.isArray(description.inputs) && description.inputs.length === 0;
	});
	const run = new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: start });
	options.onStarted?.(() => run.cancel());
	return run;
}

/** The items a node output on its first run (main output 0; 1 is the error output, when on). */
export function outputOf(run: IRun, nodeName: string, output = 0): INodeExecutionData[] {
	return run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[output] ?? [];
}
