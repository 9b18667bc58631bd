import type { IDataObject } from 'n8n-workflow';

import { AiChainStandIn } from '../harness/ai-chain';
import { ItemsSource, NodeTypes } from '../harness/node-types';
import { PACKAGE, runWorkflow } from '../harness/run-workflow';
import { LmChatSlier } from '../../nodes/LmChatSlier/LmChatSlier.node';
import { runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();
const sentParams = () => emulator.requests.filter((r) => r.method === 'POST').map((r) => (r.body as IDataObject).model_params);

describe('Max Tokens (model_params.max_tokens)', () => {
	it('Slier Chat sends Model Parameters → Max Tokens; Extra Parameters still win', async () => {
		await runSlierNode({ emulator, items: [{ text: 'a' }], parameters: { modelParams: { maxTokens: 200 } } });
		await runSlierNode({ emulator, items: [{ text: 'b' }], parameters: { modelParams: { maxTokens: 200, extra: '{"max_tokens": 50}' } } });
		expect(sentParams()).toEqual([{ max_tokens: 200 }, { max_tokens: 50 }]);
	});

	it.each([0, 1.5, -3, '={{ "many" }}'])('Slier Chat refuses Max Tokens %p before sending, saying how to fix it', async (maxTokens) => {
		const { error, items } = await runSlierNode({ emulator, items: [{ text: 'a' }], parameters: { modelParams: { maxTokens } }, continueOnFail: true });
		const failure = (items[0]?.json ?? {}) as IDataObject;
		expect(String(failure.error ?? error?.message)).toMatch(/^Max Tokens is .*, not a whole number of at least 1/);
		expect(sentParams()).toEqual([]);
	});

	it('Slier Chat Model sends Options → Max Tokens', async () => {
		const run = await runWorkflow({
			nodes: [
				{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify([{ messages: [['human', 'Hi']] }]) } },
				{ id: 'c', name: 'AI Chain', type: 'harness.aiChain', typeVersion: 1, position: [200, 0], parameters: {} },
				{
					id: 'm',
					name: 'Slier Chat Model',
					type: `${PACKAGE}.lmChatSlier`,
					typeVersion: 1,
					position: [200, 200],
					credentials: { slierApi: { id: 'c', name: 'c' } },
					parameters: { model: { __rl: true, mode: 'id', value: 'claude-2' }, options: { maxTokens: 64, temperature: 0.5 } },
				},
			],
			connections: {
				Items: { main: [[{ node: 'AI Chain', type: 'main', index: 0 }]] },
				'Slier Chat Model': { ai_languageModel: [[{ node: 'AI Chain', type: 'ai_languageModel', index: 0 }]] },
			},
			nodeTypes: new NodeTypes({ 'harness.itemsSource': new ItemsSource(), 'harness.aiChain': new AiChainStandIn(), [`${PACKAGE}.lmChatSlier`]: new LmChatSlier() }),
			credentials: { slierApi: { apiKey: TEST_API_KEY, baseUrl: emulator.url } },
		});
		expect(run.data.resultData.error).toBeUndefined();
		expect(sentParams()).toEqual([{ temperature: 0.5, max_tokens: 64 }]);
	});
});
