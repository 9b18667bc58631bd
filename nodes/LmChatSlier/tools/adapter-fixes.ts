import { contentText, estimateTokens } from './token-count';

/** The parts of the SDK's LangChain adapter (a LangChain chat model) these fixes touch. */
interface Adapter {
	getNumTokens?: (content: unknown) => Promise<number>;
	bindTools?: (...args: unknown[]) => unknown;
	callbacks?: unknown;
}

type UsageParser = (result: unknown) => { completionTokens?: number } & Record<string, unknown>;
interface TracingHandler {
	options?: { tokensUsageParser?: UsageParser };
}

const FIXED = Symbol('slier.usageParserFixed');

/**
 * Two fixes to the LangChain model the SDK's `supplyModel` returns, made on that instance and on
 * every model `bindTools` makes from it (the AI Agent binds its tools that way):
 * - token counts are estimated locally (token-count.ts) instead of by a tokenizer LangChain
 *   downloads from the internet;
 * - n8n's run data shows Slier's token counts for a streamed call too (see fixStreamedUsage).
 */
export function fitAdapter<T>(adapter: T): T {
	const model = adapter as Adapter;
	if (typeof model !== 'object' || model === null) return adapter;
	model.getNumTokens = async (content: unknown) => estimateTokens(contentText(content));
	fixStreamedUsage(model);
	const bind = model.bindTools?.bind(model);
	if (bind) model.bindTools = (...args: unknown[]) => fitAdapter(bind(...args));
	return adapter;
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
