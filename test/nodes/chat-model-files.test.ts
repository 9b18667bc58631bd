import type { IDataObject } from 'n8n-workflow';

import { LmChatSlier } from '../../nodes/LmChatSlier/LmChatSlier.node';
import { AiChainStandIn } from '../harness/ai-chain';
import { ItemsSource, NodeTypes } from '../harness/node-types';
import { PACKAGE, runWorkflow } from '../harness/run-workflow';
import { TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

async function ask(content: unknown[], stream = false) {
	const run = await runWorkflow({
		nodes: [
			{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify([{ messages: [{ role: 'user', content }] }]) } },
			{ id: 'c', name: 'AI Chain', type: 'harness.aiChain', typeVersion: 1, position: [200, 0], parameters: { stream } },
			{
				id: 'm',
				name: 'Slier Chat Model',
				type: `${PACKAGE}.lmChatSlier`,
				typeVersion: 1,
				position: [200, 200],
				credentials: { slierApi: { id: 'c', name: 'c' } },
				parameters: { model: { __rl: true, mode: 'id', value: 'claude-2' } },
			},
		],
		connections: {
			Items: { main: [[{ node: 'AI Chain', type: 'main', index: 0 }]] },
			'Slier Chat Model': { ai_languageModel: [[{ node: 'AI Chain', type: 'ai_languageModel', index: 0 }]] },
		},
		nodeTypes: new NodeTypes({ 'harness.itemsSource': new ItemsSource(), 'harness.aiChain': new AiChainStandIn(), [`${PACKAGE}.lmChatSlier`]: new LmChatSlier() }),
		credentials: { slierApi: { apiKey: TEST_API_KEY, baseUrl: emulator.url } },
	});
	const sent = emulator.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { messages: IDataObject[] }).messages);
	return { error: run.data.resultData.error, sent };
}

describe('images and files given to an AI node with Slier Chat Model', () => {
	it('a PDF fails the call before anything is sent, saying Slier takes text only and what to do', async () => {
		const { error, sent } = await ask([
			{ type: 'text', text: 'Summarize this' },
			{ type: 'file', mimeType: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') },
		]);
		expect(error?.message).toBe('The AI node sent Slier a file (application/pdf): Slier takes text only');
		expect(error?.description).toMatch(/Remove images and files from the prompt, or describe them in text/);
		expect(sent).toEqual([]);
	});

	it.each([false, true])('an image (image_url, as the AI Agent passes one) fails the call with a clear error, not dropped silently (stream %s)', async (stream) => {
		const { error, sent } = await ask(
			[
				{ type: 'text', text: 'What is in this picture?' },
				{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
			],
			stream,
		);
		expect(error?.message).toBe('The AI node sent Slier an image: Slier takes text only');
		expect(error?.description).toMatch(/Automatically Passthrough Binary Images/);
		expect(sent).toEqual([]);
	});
});
