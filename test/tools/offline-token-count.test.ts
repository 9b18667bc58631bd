import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { estimateTokens } from '../../nodes/LmChatSlier/token-count';
import { runUnderAiNode } from '../harness/ai-node-run';
import { aiNodeDescription } from '../harness/node-types';
import { outputOf } from '../harness/run-workflow';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();
const { loadSummarizationChain } = require('@langchain/classic/chains');
const { Document } = require('@langchain/core/documents');

/**
 * n8n's Summarization Chain in brief: LangChain's map-reduce summarization over the model the
 * sub-node supplies. Map-reduce counts tokens with the model's getNumTokens, which in LangChain
 * downloads a tokenizer from the internet.
 */
class SummarizeStandIn implements INodeType {
	description: INodeTypeDescription = aiNodeDescription({
		displayName: 'Summarize',
		name: 'summarize',
		description: 'Stand-in for the Summarization Chain',
		defaultName: 'Summarization Chain',
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const supplied = (await this.getInputConnectionData('ai_languageModel', 0)) as unknown;
		const model = (Array.isArray(supplied) ? supplied[0] : supplied) as { getNumTokens(text: string): Promise<number> };
		const chain = loadSummarizationChain(model, { type: 'map_reduce' });
		const docs = this.getInputData().map((item) => new Document({ pageContent: item.json.text as string }));
		const result = (await chain.invoke({ input_documents: docs })) as { text: string };
		return [[{ json: { summary: result.text, counted: await model.getNumTokens('Slier counts tokens here, offline.') } }]];
	}
}

describe('token counting without the internet', () => {
	it('estimates locally: about 4 characters a token, one per non-Latin character, at least one per word', () => {
		expect(estimateTokens('')).toBe(0);
		expect(estimateTokens('Slier counts tokens here, offline.')).toBe(9);
		expect(estimateTokens('東京は晴れ')).toBe(5);
		expect(estimateTokens('a b c d e f')).toBe(6);
	});

	it('a map-reduce Summarization Chain with Slier Chat Model never reaches for the network', async () => {
		const realFetch = globalThis.fetch;
		const fetched: string[] = [];
		globalThis.fetch = (async (input: unknown) => {
			fetched.push(String(input));
			throw new Error('no internet here');
		}) as typeof fetch;
		try {
			const { run } = await runUnderAiNode({
				emulator,
				consumer: { name: 'Summarization Chain', type: 'harness.summarize', nodeType: new SummarizeStandIn() },
				model: { model: { __rl: true, mode: 'id', value: 'claude-2' } },
				items: [{ text: 'The library runs on solar panels.' }, { text: 'Trains run every 30 minutes.' }],
			});
			expect(run.data.resultData.error).toBeUndefined();
			const [summary] = outputOf(run, 'Summarization Chain');
			expect(summary.json.summary).toMatch(/^claude-2 answers/);
			expect(summary.json.counted).toBe(estimateTokens('Slier counts tokens here, offline.'));
		} finally {
			globalThis.fetch = realFetch;
		}
		// No fetch at all (the encoder's download is the only way a wait could come in): a time bound
		// proved nothing more, and failed on a busy machine (12 s of module loading).
		expect(fetched).toEqual([]);
		// Counted locally, both texts fit one request.
		expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
	});
});
