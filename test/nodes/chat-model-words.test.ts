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
	expect(error?.description).toBe(
		`${error?.message}. Sending the message again will not help until the workflow is fixed. Set the Base URL in the Slier API credential to the Slier API's address, https://api.slier.ai (the default), not a website or another service. It now points at ${emulator.url}.`,
	);
	expect(completions()).toBe(1);
});

/**
 * n8n's hosted and embedded chat show only the description: it starts with what happened and
 * whether sending the message again can help, then the builder's fix (the execution view shows both).
 */
it.each([
	['a server error', 'Hi [[status code=500]]', false, /^Slier had a server error \(HTTP 500\) after 2 retries: .+ Sending the message again later may work\. This is on the Slier side/],
	['a content filter', 'Hi [[filter]]', false, /^Slier's content filter refused to answer: .+ Sent again unchanged, it will be refused again\. Rephrase the prompt/],
	['a stream cut mid-answer', 'Hi [[cut after=2]]', true, /^The stream ended early: Slier closed it before the answer was complete \(\d+ characters had arrived\)\. Sending the message again may work\. A stream is never retried/],
])('%s: the description a chat shows starts with the cause and whether to send again', async (_name, text, stream, description) => {
	const { error } = await chain(text, stream);
	expect(error?.description).toMatch(description);
	expect(error?.description?.startsWith(String(error?.message))).toBe(true);
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
