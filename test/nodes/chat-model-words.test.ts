import type { IDataObject, IRun } from 'n8n-workflow';

import { AiChainStandIn } from '../harness/ai-chain';
import { runUnderAiNode } from '../harness/ai-node-run';
import { outputOf } from '../harness/run-workflow';
import { useEmulator } from '../helpers/use-emulator';

/**
 * The Slier Chat Model reads responses and words failures exactly as the item nodes do (issue 16
 * classes 3, 5, 7; issue 17.2): the same transport, the same error-words.ts, without "(item N)".
 */
const emulator = useEmulator();

async function chain(text: string, stream: boolean): Promise<{ items: IDataObject[]; error: IRun['data']['resultData']['error'] }> {
	const { run, error } = await runUnderAiNode({
		emulator,
		consumer: { name: 'AI Chain', type: 'harness.aiChain', nodeType: new AiChainStandIn(), parameters: { stream } },
		model: { model: { __rl: true, mode: 'list', value: 'claude-2' }, options: { maxRetries: 2 } },
		items: [{ messages: [['human', text]] }],
	});
	return { items: outputOf(run, 'AI Chain').map((item) => item.json), error };
}

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions')).length;

it.each([false, true])('a website at the Base URL (streamed: %s): the same words as the item nodes, sent once', async (stream) => {
	const { error } = await chain('Hi [[website]]', stream);
	expect(error?.message).toBe('The Base URL did not answer like the Slier API: it sent an HTML page titled "Welcome to nginx!" (HTTP 200, text/html)');
	expect(error?.description).toMatch(/^Set the Base URL in the Slier API credential to the Slier API's address, https:\/\/api\.slier\.ai/);
	expect(completions()).toBe(1);
});

it.each([
	['a plain call answered with a stream', 'Hi [[body as=sse]]', false],
	['a streamed call answered with JSON', 'Hi [[body as=json]]', true],
	['two interleaved choices', 'Hi [[choices n=2]]', true],
])('%s: the answer is the first choice, read for what it is', async (_name, text, stream) => {
	const { items, error } = await chain(text, stream);
	expect(error).toBeUndefined();
	expect(items[0].text).toBe('claude-2 answers “Hi” ✓');
});

it('a stream of only [DONE] fails the call with the item nodes\' words', async () => {
	const { error } = await chain('Hi [[done-only]]', true);
	expect(error?.message).toBe('Slier sent a stream with no text and no finish reason: there is no answer to pass on');
});

it('an oversized response header: named by its cause, sent once', async () => {
	const { error } = await chain('Hi [[huge-header kb=64]]', false);
	expect(error?.message).toMatch(/^The response from http:\/\/127\.0\.0\.1:\d+ could not be read: its headers are larger than n8n accepts$/);
	expect(completions()).toBe(1);
});
