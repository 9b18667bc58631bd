import { getEventListeners } from 'node:events';

import { SlierChatModel } from '../../nodes/LmChatSlier/SlierChatModel';
import type { ModelSettings } from '../../nodes/shared/node/settings';
import { linkedSignal } from '../../nodes/shared/transport/signals';
import { runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Cancelling an execution: it stops the node without holes in its output, and the cancel
 * signals, which live as long as the execution (or an agent's conversation), keep no listener.
 */
const emulator = useEmulator();

/**
 * An execution cancelled between two items (no request in flight) must never leave holes in the
 * node's output. The cancel fires from n8n's streaming hook as item 0's answer ends, so it lands
 * exactly between item 0 and item 1 every time.
 */
describe('cancelling between items', () => {
	it.each([
		['without Continue On Fail', false],
		['with Continue On Fail', true],
	])('%s: the node stops with a clear error naming the first unanswered item; nothing more is sent', async (_name, continueOnFail) => {
		let cancel = () => {};
		const { run, error } = await runSlierNode({
			emulator,
			items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
			parameters: { stream: true, options: { maxConcurrency: 1 } },
			continueOnFail,
			onStarted: (c) => (cancel = c),
			onChunk: (chunk) => {
				if (chunk.type === 'end') cancel();
			},
		});
		// Not n8n's "Cannot read properties of undefined (reading 'pairedItem')" from a hole. Item 1
		// is either not started (the unanswered-item error) or waiting for its request slot (the
		// canceled request's error): both name it, and say "canceled" so n8n marks the run canceled.
		const stopped = /^(The workflow execution was canceled before item 1 was answered|The request was canceled because the workflow execution was stopped \(item 1\))$/;
		expect(error?.message).toMatch(stopped);
		expect(run.status).toBe('canceled');
		const task = run.data.resultData.runData['Slier Chat'][0];
		expect(task.error?.message).toMatch(stopped);
		for (const item of task.data?.main?.[0] ?? []) expect(item).toBeDefined();
		expect(emulator.stats.completions).toBe(1);
	});

	it('a cancel after the last item: the node outputs every item (n8n then marks the run cancelled)', async () => {
		let cancel = () => {};
		let ends = 0;
		const { items, error } = await runSlierNode({
			emulator,
			items: [{ text: 'a' }, { text: 'b' }],
			parameters: { stream: true, options: { maxConcurrency: 1 } },
			onStarted: (c) => (cancel = c),
			onChunk: (chunk) => {
				if (chunk.type === 'end' && ++ends === 2) cancel();
			},
		});
		expect(error?.name).toBe('ManualExecutionCancelledError');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items.map((i) => i.json.content)).toEqual(['claude-2 answers “a” ✓', 'claude-2 answers “b” ✓']);
	});
});

const messages = (text: string) => [{ role: 'user' as const, content: [{ type: 'text' as const, text }] }];

/** The sub-node's model as n8n's AI nodes get it, for calls made through the SDK's own API. */
function chatModel(cancelSignal?: AbortSignal) {
	const settings: ModelSettings = { model: 'claude-2', searchMode: false, stripCitations: false, apiVersion: 'v1', timeoutMs: 10_000, maxRetries: 0 };
	return new SlierChatModel({
		node: { id: 'm', name: 'Slier Chat Model', type: 'n8n-nodes-slier.lmChatSlier', typeVersion: 1, position: [0, 0], parameters: {} },
		credentials: { baseUrl: emulator.url, apiKey: TEST_API_KEY },
		settings,
		cancelSignal,
		warn: () => {},
	});
}

describe('Slier Chat Model: the SDK caller’s abortSignal', () => {
	it('aborts the request in flight, generate() and stream() alike', async () => {
		const model = chatModel();
		const started = Date.now();
		await expect(model.generate(messages('Slow [[slow-headers ms=5000]]'), { abortSignal: AbortSignal.timeout(200) })).rejects.toThrow(/cancel/i);
		const streamed = (async () => {
			for await (const chunk of model.stream(messages('Slow [[slow-headers ms=5000]]'), { abortSignal: AbortSignal.timeout(200) })) void chunk;
		})();
		await expect(streamed).rejects.toThrow(/cancel/i);
		expect(Date.now() - started).toBeLessThan(3_000);
	});
});

describe('no listener is left on a long-lived cancel signal', () => {
	it('linkedSignal: dispose removes its listener', () => {
		const outer = new AbortController();
		for (let i = 0; i < 5; i++) linkedSignal(outer.signal).dispose();
		expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
	});

	it('Slier Chat Model: generate() and stream() leave no listener on the execution or call signal', async () => {
		const execution = new AbortController();
		const call = new AbortController();
		const model = chatModel(execution.signal);
		await model.generate(messages('Hi'), { signal: call.signal } as never);
		for await (const chunk of model.stream(messages('Hi'), { signal: call.signal } as never)) void chunk;
		expect(getEventListeners(execution.signal, 'abort')).toHaveLength(0);
		expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
	});
});
