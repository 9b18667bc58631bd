import type { IDataObject } from 'n8n-workflow';

import { AiChainStandIn } from '../harness/ai-chain';
import { runUnderAiNode } from '../harness/ai-node-run';
import { runSlierNode } from '../helpers/slier-node';
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
		const { run } = await runUnderAiNode({
			emulator,
			consumer: { name: 'AI Chain', type: 'harness.aiChain', nodeType: new AiChainStandIn() },
			model: { model: { __rl: true, mode: 'id', value: 'claude-2' }, options: { maxTokens: 64, temperature: 0.5 } },
			items: [{ messages: [['human', 'Hi']] }],
		});
		expect(run.data.resultData.error).toBeUndefined();
		expect(sentParams()).toEqual([{ temperature: 0.5, max_tokens: 64 }]);
	});
});
