import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_CONCURRENCY, MAX_RETRIES, MAX_TIMER_MS } from './settings';
import { thoughtStartsOpenOption } from './reasoning-option';

/**
 * Panel parameters both nodes share. Their names are the public contract (saved workflows
 * reference them): add new ones, never rename.
 */

export const modelProperty: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: 'claude-2' },
	required: true,
	description: 'The Slier model that answers',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a model…',
			typeOptions: { searchListMethod: 'searchModels', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. claude-2',
		},
	],
};

export const messageProperties: INodeProperties[] = [
	{
		displayName: 'Messages Source',
		name: 'messageSource',
		type: 'options',
		default: 'define',
		options: [
			{
				name: 'Define Below',
				value: 'define',
				description: 'Write the messages in this panel; use expressions to bring in item fields',
			},
			{
				name: 'JSON',
				value: 'json',
				description: 'Take an array of {role, content} objects, usually from an expression',
			},
		],
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		displayOptions: { show: { messageSource: ['define'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						default: 'user',
						options: [
							{ name: 'User', value: 'user', description: 'A message from the user' },
							{ name: 'System', value: 'system', description: 'Instructions that set how the model behaves' },
							{ name: 'Assistant', value: 'assistant', description: 'An earlier answer of the model' },
						],
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						placeholder: 'e.g. Summarize in two sentences: {{ $json.content }}',
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  { "role": "user", "content": "Hello" }\n]',
		required: true,
		displayOptions: { show: { messageSource: ['json'] } },
		description: 'An array of objects with "role" (system, user or assistant) and "content" (text)',
	},
];

export const streamProperty: INodeProperties = {
	displayName: 'Stream',
	name: 'stream',
	type: 'boolean',
	default: false,
	description:
		'Whether to receive the answer as it is generated. The output item is the same either way.',
};

/** Options the item nodes and the Slier Chat Model share, defined once so they read the same. */
export const temperatureOption: INodeProperties = {
	displayName: 'Temperature',
	name: 'temperature',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
	default: 1,
	description: 'Higher values make the answer more random, lower more focused (0 to 2)',
};

export const topPOption: INodeProperties = {
	displayName: 'Top P',
	name: 'topP',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
	default: 1,
	description: 'Nucleus sampling: only the tokens in the top P probability mass are considered (0 to 1)',
};

export const maxTokensOption: INodeProperties = {
	displayName: 'Max Tokens',
	name: 'maxTokens',
	type: 'number',
	typeOptions: { minValue: 1, numberPrecision: 0 },
	default: 1024,
	description: 'The most tokens the answer may have (model_params.max_tokens); a longer answer is cut off with finish reason "length"',
};

export const apiVersionOption: INodeProperties = {
	displayName: 'API Version',
	name: 'apiVersion',
	type: 'options',
	default: 'v1',
	options: [
		{ name: 'V1', value: 'v1' },
		{ name: 'V2', value: 'v2' },
	],
	description: 'Which version of the Slier API to call',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: MAX_RETRIES },
	default: DEFAULT_MAX_RETRIES,
	description:
		'How often to retry after a server error, a timeout or a dropped connection, with growing pauses. A rate limit (HTTP 429) does not count: it is waited through and retried for as long as Timeout, counted from the first 429. A streamed answer is never retried once it has started.',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Ms)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_TIMER_MS },
	default: DEFAULT_TIMEOUT_MS,
	description:
		'For an answer sent whole: the longest wait for all of it, from sending to its last byte. For a streamed answer: the longest wait for it to start and between two parts of its text (keep-alives, pings and empty parts do not count). Also how long an item keeps retrying through rate limits (HTTP 429), counted from the first one. At most 2147483647 (about 24.8 days).',
};

export const modelParamsProperty: INodeProperties = {
	displayName: 'Model Parameters',
	name: 'modelParams',
	type: 'collection',
	placeholder: 'Add Parameter',
	default: {},
	options: [
		{
			displayName: 'Extra Parameters (JSON)',
			name: 'extra',
			type: 'json',
			default: '{}',
			description:
				'Further model_params this model accepts, as a JSON object; merged in last, so they win over the fields above',
		},
		maxTokensOption,
		temperatureOption,
		topPOption,
	],
};

/** The Options collection; a node may add its own entries (Search adds citation stripping). */
export function optionsProperty(extra: INodeProperties[] = []): INodeProperties {
	const options: INodeProperties[] = [
		apiVersionOption,
		{
			displayName: 'Answer Format',
			name: 'answerFormat',
			type: 'options',
			default: 'text',
			options: [
				{ name: 'Text', value: 'text', description: 'The answer as text in content' },
				{
					name: 'JSON',
					value: 'json',
					description:
						'Also parse the answer as JSON into data (a fenced JSON code block or a sentence around it is fine); an answer without JSON fails the item',
				},
			],
			description:
				'Whether to read the answer as JSON. Ask the model for JSON in the messages, e.g. "Answer with a JSON object only".',
		},
		{
			displayName: 'Include Input Fields',
			name: 'includeInputFields',
			type: 'boolean',
			default: false,
			description:
				"Whether to output the input item's fields too, followed by the answer's. Where a name is the same, the answer's field wins (content is always the answer). Failed items keep the input fields too, except those named like answer fields.",
		},
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
			default: DEFAULT_MAX_CONCURRENCY,
			description:
				'How many items to send to Slier at the same time. When Slier answers "too many requests" to several at once, all runs using the same account send fewer at once, and more again as requests succeed; in queue mode all workers share that limit through n8n\'s Redis. 1 sends one item after another. Output order is always the input order.',
		},
		maxRetriesOption,
		{
			displayName: 'On Content Filter',
			name: 'onContentFilter',
			type: 'options',
			default: 'output',
			options: [
				{
					name: 'Output Filtered Item',
					value: 'output',
					description: 'Output the item with filtered: true and the reason in filter',
				},
				{
					name: 'Fail the Item',
					value: 'error',
					description: 'Treat it as an error (use Continue On Fail to keep the other items)',
				},
			],
			description: "What to do when Slier's content filter refuses to answer",
		},
		{
			displayName: 'Simplify Output',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description:
				"Whether to output only the normalized fields. Turn off to add raw, the API's own response.",
		},
		thoughtStartsOpenOption,
		timeoutOption,
		...extra,
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
