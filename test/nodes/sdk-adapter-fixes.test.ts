import { fitAdapter, fixStreamedUsage } from '../../nodes/LmChatSlier/sdk-adapter-fixes';

type Parser = (result: unknown) => Record<string, number>;

/** The parser @n8n/ai-node-sdk 0.30 gives the adapter: it reads only the generated-call names. */
const sdkParser: Parser = (result) => {
	const usage = (result as { llmOutput?: { tokenUsage?: Record<string, number> } })?.llmOutput?.tokenUsage;
	const completionTokens = usage?.output_tokens ?? 0;
	const promptTokens = usage?.input_tokens ?? 0;
	return { completionTokens, promptTokens, totalTokens: completionTokens + promptTokens };
};

/** A parser that already reads LangChain's streamed names (an n8n that fixed it). */
const fixedParser: Parser = (result) => {
	const usage = (result as { llmOutput?: { tokenUsage?: Record<string, number> } })?.llmOutput?.tokenUsage ?? {};
	return { completionTokens: usage.completionTokens ?? usage.output_tokens ?? 0, promptTokens: usage.promptTokens ?? usage.input_tokens ?? 0, totalTokens: 0 };
};

const streamed = { llmOutput: { tokenUsage: { promptTokens: 12, completionTokens: 9, totalTokens: 21 } } };
const generated = { llmOutput: { tokenUsage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 } } };

describe("Slier's token counts for streamed calls (feature-detected)", () => {
	it("teaches the SDK's parser LangChain's streamed names, and keeps what it read before", () => {
		const handler = { options: { tokensUsageParser: sdkParser } };
		fixStreamedUsage({ callbacks: [handler, { other: true }] });
		expect(handler.options.tokensUsageParser(streamed)).toEqual({ completionTokens: 9, promptTokens: 12, totalTokens: 21 });
		expect(handler.options.tokensUsageParser(generated)).toEqual({ completionTokens: 9, promptTokens: 12, totalTokens: 21 });
		const once = handler.options.tokensUsageParser;
		fixStreamedUsage({ callbacks: [handler] });
		expect(handler.options.tokensUsageParser).toBe(once); // never wrapped twice
	});

	it('leaves a parser that already reads them alone', () => {
		const handler = { options: { tokensUsageParser: fixedParser } };
		fixStreamedUsage({ callbacks: [handler] });
		expect(handler.options.tokensUsageParser).toBe(fixedParser);
	});

	it('applies to every model bindTools makes (the AI Agent binds its tools that way)', async () => {
		const make = (): Record<string, unknown> => ({ callbacks: [{ options: { tokensUsageParser: sdkParser } }], bindTools: () => make() });
		const bound = (fitAdapter(make()).bindTools as () => { callbacks: Array<{ options: { tokensUsageParser: Parser } }>; getNumTokens: (t: string) => Promise<number> })();
		expect(bound.callbacks[0].options.tokensUsageParser(streamed).completionTokens).toBe(9);
		expect(await bound.getNumTokens('four words right here')).toBe(6); // 21 characters / 4, rounded up
	});
});
