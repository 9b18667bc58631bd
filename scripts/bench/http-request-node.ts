import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

/**
 * What the HTTP Request node does with the same calls: the message content resolved per item
 * from the same expression, then n8n's `this.helpers.httpRequest`, with the same concurrency as
 * the Slier node, so the difference is the transport.
 */
export class HttpRequestPath implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HTTP Request path',
		name: 'httpRequestPath',
		group: ['transform'],
		version: 1,
		description: 'Benchmark stand-in',
		defaults: { name: 'HTTP Request path' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'API Key', name: 'apiKey', type: 'string', default: '' },
			{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 8 },
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const url = this.getNodeParameter('url', 0) as string;
		const apiKey = this.getNodeParameter('apiKey', 0) as string;
		const concurrency = this.getNodeParameter('concurrency', 0) as number;
		const out: INodeExecutionData[] = new Array(items.length);
		let next = 0;
		const worker = async () => {
			while (next < items.length) {
				const i = next++;
				const body = await this.helpers.httpRequest({
					method: 'POST',
					url,
					headers: { authorization: `Bearer ${apiKey}` },
					body: {
						model: 'claude-2',
						messages: [{ role: 'user', content: this.getNodeParameter('content', i) as string }],
						stream: false,
					},
					json: true,
				});
				const content = (body as { choices: Array<{ message: { content: string } }> }).choices[0].message.content;
				out[i] = { json: { content } as IDataObject, pairedItem: { item: i } };
			}
		};
		await Promise.all(Array.from({ length: concurrency }, worker));
		return [out];
	}
}
