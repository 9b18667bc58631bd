import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { aiNodeDescription } from './node-types';

/** The parts of a LangChain chat model the stand-in uses (the SDK's adapter is one). */
interface LangChainModel {
	invoke(messages: unknown[], options?: { signal?: AbortSignal }): Promise<AiMessage>;
	stream(messages: unknown[], options?: { signal?: AbortSignal }): Promise<AsyncIterable<AiMessage>>;
	bindTools(tools: unknown[]): LangChainModel;
}

interface AiMessage {
	text: string;
	content?: unknown;
	usage_metadata?: IDataObject;
	response_metadata?: IDataObject;
}

/**
 * A stand-in for n8n's AI chains (Basic LLM Chain, AI Agent): it takes its model from the
 * `ai_languageModel` input, as they do, so n8n-core's engine calls the sub-node's supplyData
 * with a real SupplyDataContext and the SDK's real LangChain adapter and tracing run. Each input
 * item's `messages` (LangChain message-likes such as ["human", "Hi"]) go to the model, invoked
 * or streamed; the output says what came back.
 */
export class AiChainStandIn implements INodeType {
	description: INodeTypeDescription = aiNodeDescription({
		displayName: 'AI Chain',
		name: 'aiChain',
		description: 'Stand-in for an n8n AI chain',
		defaultName: 'AI Chain',
		properties: [
			{ displayName: 'Stream', name: 'stream', type: 'boolean', default: false },
			// The message's content parts too (a reasoning part must come after the answer's text).
			{ displayName: 'Show Content Parts', name: 'showContent', type: 'boolean', default: false },
			{ displayName: 'Bind a Tool', name: 'bindTool', type: 'boolean', default: false },
			{ displayName: 'Stop Reading After (Deltas)', name: 'stopAfter', type: 'number', default: 0 },
			// A LangChain caller's own abort signal (a chain's timeout, say), apart from the execution's.
			{ displayName: 'Abort After (Ms)', name: 'abortAfterMs', type: 'number', default: 0 },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const supplied = (await this.getInputConnectionData('ai_languageModel', 0)) as LangChainModel | LangChainModel[];
		let model = Array.isArray(supplied) ? supplied[0] : supplied;
		if (this.getNodeParameter('bindTool', 0) === true) {
			model = model.bindTools([
				{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: {} } } },
			]);
		}
		const abortAfterMs = this.getNodeParameter('abortAfterMs', 0) as number;
		const signal = abortAfterMs > 0 ? AbortSignal.timeout(abortAfterMs) : this.getExecutionCancelSignal();
		const out: INodeExecutionData[] = [];
		for (const [i, item] of this.getInputData().entries()) {
			const messages = item.json.messages as unknown[];
			if (this.getNodeParameter('stream', i) !== true) {
				const message = await model.invoke(messages, { signal });
				out.push({
					json: {
						text: message.text,
						usage: message.usage_metadata ?? null,
						metadata: message.response_metadata ?? null,
						...(this.getNodeParameter('showContent', i) === true ? { content: message.content as IDataObject } : {}),
					},
					pairedItem: { item: i },
				});
				continue;
			}
			const deltas: string[] = [];
			let last: AiMessage | undefined;
			const parts: unknown[] = [];
			const stopAfter = this.getNodeParameter('stopAfter', i) as number;
			for await (const chunk of await model.stream(messages, { signal })) {
				if (chunk.text !== '') deltas.push(chunk.text);
				if (Array.isArray(chunk.content)) parts.push(...(chunk.content as unknown[]));
				last = chunk;
				if (stopAfter > 0 && deltas.length >= stopAfter) break; // as a consumer that has enough
			}
			out.push({
				json: {
					text: deltas.join(''),
					deltas,
					usage: last?.usage_metadata ?? null,
					metadata: last?.response_metadata ?? null,
					...(this.getNodeParameter('showContent', i) === true ? { content: parts as IDataObject[] } : {}),
				},
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}
