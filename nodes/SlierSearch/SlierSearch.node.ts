import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { CitationStripper, extractCitations, extractLinks, stripCitations } from '../shared/completion/citations';
import type { Answer } from '../shared/completion/types';
import type { EndpointFields } from '../shared/node/output';
import { messageProperties, optionsProperty, streamProperty } from '../shared/node/properties';
import { runCompletions } from '../shared/node/run-items';

/**
 * Search's view of the answer: the cited source numbers and the links, read from the answer as
 * sent; the text without its markers when Strip Citation Markers is on. Answer Format JSON always
 * reads the text without markers, so a marker after a value ("500¹") cannot break the JSON.
 */
function searchFields(answer: Answer, options: IDataObject): EndpointFields {
	const withoutMarkers = stripCitations(answer.content);
	return {
		content: options.stripCitations === true ? withoutMarkers : answer.content,
		extra: {
			citations: extractCitations(answer.content),
			links: extractLinks(answer.content) as unknown as IDataObject[],
		},
		jsonSource: withoutMarkers,
	};
}

export class SlierSearch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slier Search',
		name: 'slierSearch',
		icon: { light: 'file:slierSearch.svg', dark: 'file:slierSearch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["stream"] ? "Search (streamed)" : "Search" }}',
		description:
			'Search the web with Slier and get a written answer to a question, with the numbers of the sources it cites and the links in it. Input: the question as a user message.',
		defaults: { name: 'Slier Search' },
		usableAsTool: true,
		inputs: ['main'],
		outputs: ['main'],
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
		return [
			await runCompletions(this, 'search', {
				fields: searchFields,
				// A chat shows what `content` holds: without the markers when they are stripped.
				chatText: (options) => (options.stripCitations === true ? new CitationStripper() : undefined),
			}),
		];
	}
}
