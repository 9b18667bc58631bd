/**
 * (e) What a tool round trip costs with Slier Chat Model in prompt mode: an AI Agent (the v3 loop
 * of test/harness/tool-agent.ts, through the SDK's real supplyModel adapter and LangChain) asks,
 * the model calls the Calculator, the agent sends the result, the model answers: two model
 * calls. Against the emulator at a fixed latency, it prints the milliseconds each model call adds
 * on top of Slier's own latency, with and without tools, what reading an answer for calls costs,
 * and the prompt tokens the tool descriptions add.
 */
import { LmChatSlier } from '../../nodes/LmChatSlier/LmChatSlier.node';
import { toolInstructions } from '../../nodes/LmChatSlier/tools/format';
import { guardStreamedText, readToolCalls } from '../../nodes/LmChatSlier/tools';
import type { ToolSpec } from '../../nodes/LmChatSlier/tools/specs';
import { estimateTokens } from '../../nodes/LmChatSlier/tools/token-count';
import { startEmulator } from '../../test/emulator/server';
import { callDirective } from '../../test/emulator/tool-models';
import { AiChainStandIn } from '../../test/harness/ai-chain';
import { runUnderAiNode } from '../../test/harness/ai-node-run';
import { ItemsSource, NodeTypes } from '../../test/harness/node-types';
import { outputOf, PACKAGE } from '../../test/harness/run-workflow';
import { ToolAgentStandIn } from '../../test/harness/tool-agent';

const LATENCY_MS = 50;

async function* chunksOf(text: string, size: number): AsyncGenerator<string, void, undefined> {
	for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

const nodeTypes = new NodeTypes({
	'harness.itemsSource': new ItemsSource(),
	'harness.toolAgent': new ToolAgentStandIn(),
	'harness.aiChain': new AiChainStandIn(),
	[`${PACKAGE}.lmChatSlier`]: new LmChatSlier(),
});

function workflow(emulator: { url: string; apiKey: string }, items: object[], withTools: boolean) {
	const consumer = withTools
		? { name: 'AI Agent', type: 'harness.toolAgent', parameters: { agent: 'v3', tools: 'Calculator' } }
		: { name: 'AI Agent', type: 'harness.aiChain', parameters: {} };
	// Unchecked: capturing the console and scanning the run would add to the timings.
	return runUnderAiNode({ emulator, consumer, model: { model: { __rl: true, mode: 'id', value: 'slier-tools' } }, items, nodeTypes, check: false }).then(({ run }) => run);
}

export async function benchToolRoundTrip(quick: boolean): Promise<void> {
	const runs = quick ? 5 : 40;
	const emulator = await startEmulator({ latencyMs: LATENCY_MS });
	const question = `What is 12 times 7? ${callDirective('Calculator', { input: '12*7' })}`;
	const timeCalls = async (withTools: boolean) => {
		const items = withTools ? [{ question }] : [{ messages: [['human', 'What is 12 times 7?']] }];
		await workflow(emulator, items, withTools); // warm-up
		emulator.reset();
		const started = performance.now();
		for (let r = 0; r < runs; r++) {
			const run = await workflow(emulator, items, withTools);
			if (run.data.resultData.error) throw new Error(`the ${withTools ? 'agent' : 'chain'} failed: ${run.data.resultData.error.message}`);
			if (withTools && !String(outputOf(run, 'AI Agent')[0].json.output).includes('84')) throw new Error('the agent did not answer from the tool');
		}
		const ms = performance.now() - started;
		const calls = emulator.requests.filter((r) => r.method === 'POST');
		return { perCall: ms / calls.length, calls: calls.length, prompts: calls.map((c) => c.body as { messages: Array<{ content: string }> }) };
	};
	const plain = await timeCalls(false);
	const tools = await timeCalls(true);
	await emulator.close();

	const specs: ToolSpec[] = [
		{ name: 'Calculator', description: 'Useful for getting the result of a math expression. The input to this tool should be a valid mathematical expression.', parameters: { type: 'object', properties: { input: { type: 'string' } }, additionalProperties: false } },
		{ name: 'Slier_Search', description: 'Searches the web with Slier and returns a written answer with cited sources.', parameters: { type: 'object', properties: { question: { type: 'string', description: 'A self-contained question to search the web for' } }, required: ['question'] } },
	];
	// Reading cost through the seam the model call uses: a 2 KB answer (prose, then a call), the
	// same answer streamed through the guard in 4-character chunks (about a token each), and a
	// 200 KB answer of nothing but '<' and '[' (every character may start a call): reading must stay
	// linear in the answer's length.
	const answer = `${'The weather is fine today and the numbers are easy to check. '.repeat(31)}Let me use Calculator.\n<tool_call>\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n</tool_call>`;
	const adversarial = '<['.repeat(100_000);
	const reads = quick ? 200 : 2_000;
	const perRead = (text: string, times: number) => {
		const started = performance.now();
		for (let i = 0; i < times; i++) readToolCalls(text, specs);
		return ((performance.now() - started) / times) * 1000;
	};
	const perStream = async (text: string, size: number, times: number) => {
		const started = performance.now();
		for (let i = 0; i < times; i++) {
			for await (const piece of guardStreamedText(chunksOf(text, size), specs)) void piece;
		}
		return ((performance.now() - started) / times) * 1000;
	};
	const readUs = perRead(answer, reads);
	const streamUs = await perStream(answer, 4, reads / 10);
	const bigReadMs = perRead(adversarial, 3) / 1000;
	const bigStreamMs = (await perStream(adversarial, 64, 1)) / 1000;

	console.log(`(e) tool round trip, prompt mode: AI Agent (v3 loop, LangChain) + Slier Chat Model + Calculator, Slier latency ${LATENCY_MS} ms, ${runs} runs`);
	console.log(`    plain model call (no tools)        ${plain.perCall.toFixed(1)} ms per call = Slier's ${LATENCY_MS} ms + ${(plain.perCall - LATENCY_MS).toFixed(1)} ms`);
	console.log(`    with a tool (${tools.calls / runs} calls per question) ${tools.perCall.toFixed(1)} ms per call = Slier's ${LATENCY_MS} ms + ${(tools.perCall - LATENCY_MS).toFixed(1)} ms (agent loop, tool run, prompt, reading)`);
	console.log(`    reading one ${answer.length}-character answer for calls: ${readUs.toFixed(1)} µs`);
	console.log(`    the same answer streamed through the guard in 4-character chunks: ${streamUs.toFixed(1)} µs`);
	console.log(`    a ${adversarial.length / 1000} KB answer of '<' and '[': read ${bigReadMs.toFixed(1)} ms, streamed in 64-character chunks ${bigStreamMs.toFixed(1)} ms`);
	console.log(`    prompt tokens the tool descriptions add (local estimate): ${estimateTokens(toolInstructions(specs.slice(0, 1)))} for Calculator alone, ${estimateTokens(toolInstructions(specs))} for Calculator + Slier Search`);
}
