import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { z } from 'zod';

import { aiNodeDescription } from './node-types';

const { ChatPromptTemplate } = require('@langchain/core/prompts');

/**
 * A stand-in for n8n's Evaluation node, operation Set Metrics, metric Correctness: as n8n-nodes-base
 * 2.40's metricHandlers.correctness does, it pipes a system + human prompt into
 * `llm.withStructuredOutput(<Zod schema>)` and outputs the score, or fails with n8n's words
 * ("Failed to evaluate correctness", the model's error in the description).
 */
export class EvaluationMetricStandIn implements INodeType {
	description: INodeTypeDescription = aiNodeDescription({
		displayName: 'Evaluation',
		name: 'evaluationMetric',
		description: 'Stand-in for n8n’s Evaluation node (Correctness)',
		defaultName: 'Evaluation',
		properties: [{ displayName: 'Include Raw', name: 'includeRaw', type: 'boolean', default: false }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const llm = (await this.getInputConnectionData('ai_languageModel', 0)) as {
			withStructuredOutput(schema: unknown, config?: object): unknown;
		};
		const schema = z.object({
			extended_reasoning: z.string().describe('detailed step-by-step analysis of factual accuracy and similarity'),
			reasoning_summary: z.string().describe('one sentence summary focusing on key differences'),
			score: z.number().int().min(1).max(5).describe('integer from 1 to 5 representing the similarity score'),
		});
		const prompt = ChatPromptTemplate.fromMessages([
			['system', 'You are an expert grader. Score how well the actual answer matches the expected one.'],
			['human', 'Expected answer: {expected}\nActual answer: {actual}'],
		]);
		const out: INodeExecutionData[] = [];
		for (const [i, item] of this.getInputData().entries()) {
			const includeRaw = this.getNodeParameter('includeRaw', i) === true;
			const chain = prompt.pipe(llm.withStructuredOutput(schema, includeRaw ? { includeRaw } : undefined));
			let response: Record<string, unknown>;
			try {
				response = await chain.invoke({ expected: item.json.expected, actual: item.json.actual });
			} catch (error) {
				throw new Error(`Failed to evaluate correctness. Error from language model: ${(error as Error).message}`);
			}
			const parsed = (includeRaw ? response.parsed : response) as { score?: number } | null;
			out.push({ json: { Correctness: parsed?.score ?? null, ...(includeRaw ? { raw: Boolean(response.raw) } : {}) }, pairedItem: { item: i } });
		}
		return [out];
	}
}
