import type { IDataObject } from 'n8n-workflow';

import { AiChainStandIn } from '../harness/ai-chain';
import { runUnderAiNode } from '../harness/ai-node-run';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

async function ask(content: unknown[], stream = false) {
	const { error } = await runUnderAiNode({
		emulator,
		consumer: { name: 'AI Chain', type: 'harness.aiChain', nodeType: new AiChainStandIn(), parameters: { stream } },
		model: { model: { __rl: true, mode: 'id', value: 'claude-2' } },
		items: [{ messages: [{ role: 'user', content }] }],
	});
	const sent = emulator.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { messages: IDataObject[] }).messages);
	return { error, sent };
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
