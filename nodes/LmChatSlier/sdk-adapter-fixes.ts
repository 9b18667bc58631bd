import { NodeOperationError, type INode } from 'n8n-workflow';

import { contentText, estimateTokens } from './token-count';

/** The parts of the SDK's LangChain adapter (a LangChain chat model) these fixes touch. */
interface Adapter {
	getNumTokens?: (content: unknown) => Promise<number>;
	bindTools?: (...args: unknown[]) => unknown;
	callbacks?: unknown;
	_generate?: (messages: unknown[], ...rest: unknown[]) => Promise<unknown>;
	_streamResponseChunks?: (messages: unknown[], ...rest: unknown[]) => AsyncIterable<unknown>;
}

type UsageParser = (result: unknown) => { completionTokens?: number } & Record<string, unknown>;
interface TracingHandler {
	options?: { tokensUsageParser?: UsageParser };
}

const FIXED = Symbol('slier.usageParserFixed');

/**
 * Three fixes to the LangChain model the SDK's `supplyModel` returns, made on that instance and
 * on every model `bindTools` makes from it (the AI Agent binds its tools that way):
 * - token counts are estimated locally (token-count.ts) instead of by a tokenizer LangChain
 *   downloads from the internet;
 * - n8n's run data shows Slier's token counts for a streamed call too (see fixStreamedUsage);
 * - an image fails the call with a clear error: the SDK would drop it silently, and the model
 *   would answer as if there were none.
 */
export function fitAdapter<T>(adapter: T, node?: INode): T {
	const model = adapter as Adapter;
	if (typeof model !== 'object' || model === null) return adapter;
	model.getNumTokens = async (content: unknown) => estimateTokens(contentText(content));
	fixStreamedUsage(model);
	if (node) refuseImages(model, node);
	const bind = model.bindTools?.bind(model);
	if (bind) model.bindTools = (...args: unknown[]) => fitAdapter(bind(...args), node);
	return adapter;
}

function refuseImages(model: Adapter, node: INode): void {
	const check = (messages: unknown[]) => {
		const image = messages.some((message) => {
			const content = (message as { content?: unknown })?.content;
			return Array.isArray(content) && content.some((part) => ['image_url', 'image'].includes((part as { type?: string })?.type ?? ''));
		});
		if (!image) return;
		throw new NodeOperationError(node, 'The AI node sent Slier an image: Slier takes text only', {
			description:
				"Slier answers text messages. Remove the image, describe it in text, or turn off the AI Agent's Automatically Passthrough Binary Images option.",
		});
	};
	const generate = model._generate?.bind(model);
	if (generate) {
		model._generate = async (messages, ...rest) => {
			check(messages);
			return await generate(messages, ...rest);
		};
	}
	const stream = model._streamResponseChunks?.bind(model);
	if (stream) {
		model._streamResponseChunks = async function* (messages, ...rest) {
			check(messages);
			yield* stream(messages, ...rest);
		};
	}
}

/**
 * For a streamed call, LangChain hands n8n's tracing the usage as `promptTokens` /
 * `completionTokens`, while the adapter's parser reads `input_tokens` / `output_tokens` (the
 * names of a generated call): it finds 0 and n8n shows its own estimate. The parser is asked
 * first with LangChain's streamed form; only if it cannot read it is it taught to, so an n8n
 * whose parser reads both is left as it is.
 */
export function fixStreamedUsage(model: Adapter): void {
	const handlers = Array.isArray(model.callbacks) ? (model.callbacks as TracingHandler[]) : [];
	for (const handler of handlers) {
		const options = handler?.options;
		const parse = options?.tokensUsageParser;
		if (typeof parse !== 'function' || (parse as unknown as Record<symbol, boolean>)[FIXED]) continue;
		let reads = false;
		try {
			reads = parse({ llmOutput: { tokenUsage: { promptTokens: 3, completionTokens: 5, totalTokens: 8 } } })?.completionTokens === 5;
		} catch {
			reads = false;
		}
		if (reads) continue;
		const fixed: UsageParser = (result) => {
			const output = (result as { llmOutput?: { tokenUsage?: Record<string, unknown> } } | undefined)?.llmOutput;
			const usage = output?.tokenUsage;
			if (usage && usage.output_tokens === undefined && typeof usage.completionTokens === 'number') {
				const tokenUsage = { ...usage, input_tokens: usage.promptTokens, output_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
				return parse({ ...(result as object), llmOutput: { ...output, tokenUsage } });
			}
			return parse(result);
		};
		(fixed as unknown as Record<symbol, boolean>)[FIXED] = true;
		options!.tokensUsageParser = fixed;
	}
}
