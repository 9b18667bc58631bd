import type { INodeProperties } from 'n8n-workflow';

import { thoughtStartsOpenOption } from '../shared/node/reasoning-option';
import { apiVersionOption, maxRetriesOption, maxTokensOption, temperatureOption, timeoutOption, topPOption } from '../shared/node/properties';

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
		apiVersionOption,
		{
			displayName: 'Extra Model Parameters (JSON)',
			name: 'extra',
			type: 'json',
			default: '{}',
			description:
				'Further model_params this model accepts, as a JSON object; merged in last, so they win over Temperature and Top P',
		},
		maxRetriesOption,
		maxTokensOption,
		{
			displayName: 'Strip Citation Markers',
			name: 'stripCitations',
			type: 'boolean',
			default: false,
			description:
				'Whether to remove the superscript source numbers (¹ ² ³) from Slier Search answers. Only used with Answer With Slier Search.',
		},
		temperatureOption,
		thoughtStartsOpenOption,
		timeoutOption,
		{
			displayName: 'Tool Calling',
			name: 'toolCalling',
			type: 'options',
			default: 'prompt',
			options: [
				{
					name: 'Prompt',
					value: 'prompt',
					description: "The tools are described in the prompt and the model's answer is read for calls. Works with every Slier model.",
				},
				{
					name: 'Native',
					value: 'native',
					description: "The tools are sent as OpenAI-style tools in model_params and the model's tool_calls are read. Only for models that support it.",
				},
				{
					name: 'Off',
					value: 'off',
					description: 'An AI Agent with tools attached fails, saying so',
				},
			],
			description: "How an AI Agent's tools reach the model. Without tools attached this changes nothing.",
		},
		topPOption,
	],
};
