import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { searchModels } from '../shared/methods/models';
import { nodeEdgeError } from '../shared/node/errors';
import {
	messageProperties,
	modelParamsProperty,
	modelProperty,
	optionsProperty,
	streamProperty,
} from '../shared/node/properties';
import { runCompletions } from '../shared/node/run-items';

export class SlierChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slier Chat',
		name: 'slierChat',
		icon: { light: 'file:../../icons/slier.svg', dark: 'file:../../icons/slier.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "Model: " + ($parameter["model"].cachedResultName || $parameter["model"].value || $parameter["model"]) }}',
		description:
			'Ask a Slier AI model. Sends the messages (a prompt, optionally with a system instruction) and returns the answer text with finish reason, model, token usage and content-filter status.',
		defaults: { name: 'Slier Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slierApi', required: true }],
		properties: [
			modelProperty,
			...messageProperties,
			streamProperty,
			modelParamsProperty,
			optionsProperty(),
		],
	};

	methods = { listSearch: { searchModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return [await runCompletions(this, 'chat')];
		} catch (error) {
			throw nodeEdgeError(this.getNode(), error);
		}
	}
}
