import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { nodeEdgeError } from '../shared/node/errors';
import { messageProperties, optionsProperty, streamProperty } from '../shared/node/properties';
import { runCompletions } from '../shared/node/run-items';

export class SlierSearch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slier Search',
		name: 'slierSearch',
		icon: { light: 'file:../../icons/slierSearch.svg', dark: 'file:../../icons/slierSearch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["stream"] ? "Search (streamed)" : "Search" }}',
		description:
			'Search the web with Slier and get a written answer to a question, with the numbers of the sources it cites and the links in it. Input: the question as a user message.',
		defaults: { name: 'Slier Search' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slierApi', required: true }],
		properties: [
			...messageProperties,
			streamProperty,
			optionsProperty([
				{
					displayName: 'Strip Citation Markers',
					name: 'stripCitations',
					type: 'boolean',
					default: false,
					description:
						'Whether to remove the superscript source numbers (¹ ² ³) from the answer text. The citations field lists them either way.',
				},
			]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return [await runCompletions(this, 'search')];
		} catch (error) {
			throw nodeEdgeError(this.getNode(), error);
		}
	}
}
