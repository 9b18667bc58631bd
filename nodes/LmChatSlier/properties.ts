import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from '../shared/node/properties';

/** The hint n8n's own chat models show: this node is plugged in below an AI Agent or chain. */
export const connectionHint: INodeProperties = {
	displayName:
		"This node must be connected to an AI Agent or an AI chain. <a data-action='openSelectiveNodeCreator' data-action-parameter-creatorview='AI'>Insert one</a>",
	name: 'notice',
	type: 'notice',
	default: '',
	typeOptions: { containerClass: 'ndv-connection-hint-notice' },
};

export const searchModeNotice: INodeProperties = {
	displayName:
		'Answers come from Slier Search (web answers with cited sources); the Model above is not used',
	name: 'searchNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { '/options.searchMode': [true] } },
};

/** Names are the public contract (DESIGN.md, `lmChatSlier`): add options, never rename. */
export const modelOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Answer With Slier Search (Web Answers)',
			name: 'searchMode',
			type: 'boolean',
			default: false,
			description:
				"Whether to answer through Slier Search's completions instead of a chat model: answers from the web, with superscript source numbers. No model is sent then.",
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			default: 'v1',
			options: [
				{ name: 'V1', value: 'v1' },
				{ name: 'V2', value: 'v2' },
			],
			description: 'Which version of the Slier API to call',
		},
		{
			displayName: 'Extra Model Parameters (JSON)',
			name: 'extra',
			type: 'json',
			default: '{}',
			description:
				'Further model_params this model accepts, as a JSON object; merged in last, so they win over Temperature and Top P',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: DEFAULT_MAX_RETRIES,
			description:
				'How often to retry after a rate limit, a server error or a dropped connection, with growing pauses. A streamed answer is never retried once it has started.',
		},
		{
			displayName: 'Strip Citation Markers',
			name: 'stripCitations',
			type: 'boolean',
			default: false,
			description:
				'Whether to remove the superscript source numbers (¹ ² ³) from Slier Search answers. Only used with Answer With Slier Search.',
		},
		{
			displayName: 'Temperature',
			name: 'temperature',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
			default: 1,
			description: 'Higher values make the answer more random, lower more focused (0 to 2)',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_TIMEOUT_MS },
			default: DEFAULT_TIMEOUT_MS,
			description:
				'How long to wait for Slier to start answering, and for a stream, the longest silence between two parts of the answer (at most 2147483647 ms, about 24.8 days)',
		},
		{
			displayName: 'Top P',
			name: 'topP',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			default: 1,
			description: 'Nucleus sampling: only the tokens in the top P probability mass are considered (0 to 1)',
		},
	],
};
