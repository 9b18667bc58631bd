import { getEventListeners } from 'node:events';

import { SlierChatModel } from '../../nodes/LmChatSlier/SlierChatModel';
import { complete } from '../../nodes/shared/completion/complete';
import { SlierError } from '../../nodes/shared/transport/errors';
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
	/** Three items one at a time; the cancel fires as item 0's streamed answer ends. */
	async function cancelAfterFirstAnswer(continueOnFail: boolean) {
		let cancel = () => {};
		const ends: number[] = [];
		const result = await runSlierNode({
			emulator,
			items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
			parameters: { stream: true, options: { maxConcurrency: 1 } },
			continueOnFail,
			onStarted: (c) => (cancel = c),
			onChunk: (chunk) => {
				if (chunk.type !== 'end') return;
				ends.push(emulator.stats.completions);
				cancel();
			},
		});
		return { ...result, ends, task: result.run.data.resultData.runData['Slier Chat'][0] };
	}
	// Not n8n's "Cannot read properties of undefined (reading 'pairedItem')" from a hole. Item 1
	// is either not started (the unanswered-item error) or waiting for its request slot (the
	// canceled request's error): both name it, and say "canceled" so n8n marks the run canceled.
	const stopped = /^(The workflow execution was canceled before item 1 was answered|The request was canceled because the workflow execution was stopped \(item 1\))$/;

	it('without Continue On Fail: the node stops with a clear error naming the first unanswered item, outputs nothing, and sends nothing more', async () => {
		const { run, error, task, ends } = await cancelAfterFirstAnswer(false);
		expect(error?.message).toMatch(stopped);
		expect(run.status).toBe('canceled');
		expect(task.error?.message).toMatch(stopped);
		// A failed node has no output in n8n: no item 0 answer half-delivered beside the error.
		expect(task.data).toBeUndefined();
		// Item 0's answer ended with one request sent; nothing was sent for items 1 and 2 after it
		// (item 1's error chunk ends its part of the streamed response).
		expect(ends[0]).toBe(1);
		expect(ends).toEqual(ends.map(() => 1));
		expect(emulator.stats.completions).toBe(1);
	});

	it('with Continue On Fail: the run is still cancelled, and n8n passes every input item through, each paired, no hole', async () => {
		const { run, error, task, ends } = await cancelAfterFirstAnswer(true);
		expect(error?.message).toMatch(stopped);
		expect(run.status).toBe('canceled');
		expect(task.error?.message).toMatch(stopped);
		const output = task.data?.main?.[0] ?? [];
		expect(output.map((item) => item?.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => item.json.text)).toEqual(['a', 'b', 'c']);
		expect(ends[0]).toBe(1);
		expect(ends).toEqual(ends.map(() => 1));
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

/** Completion requests whose prompt contains `text`. */
const sent = (text: string) =>
	emulator.requests.filter((r) => r.path.endsWith('/completions') && JSON.stringify(r.body).includes(text));

/**
 * Requests in flight when the cancel comes. The cancel fires when the emulator has seen the
 * requests (an event, not a timer), and the waits it must cut short outlast the test's own
 * timeout: slow headers of 30 s, a retry-after of 50 s. Without the abort the test times out;
 * no margin in milliseconds is measured.
 */
describe('cancelling requests in flight', () => {
	it('cancelling the workflow aborts every in-flight request and retries nothing', async () => {
		let cancelled = false;
		const run = runSlierNode({
			emulator,
			items: [{ text: 'slow 1 [[slow-headers ms=30000]]' }, { text: 'slow 2 [[429 retry-after=50]]' }, { text: 'slow 3 [[slow-headers ms=30000]]' }],
			onStarted: (cancel) => {
				// Both slow requests are waiting for headers, and the 429 has been answered: its item now waits to retry.
				void emulator.until(() => sent('slow-headers').length === 2 && sent('429').some((r) => r.closedAt)).then(() => {
					cancelled = true;
					cancel();
				});
			},
		});
		const { error } = await run;
		expect(cancelled).toBe(true);
		expect(error?.message).toMatch(/canceled/);
		// The emulator sees both slow requests closed by the client (it would hold them 30 s).
		await emulator.until(() => sent('slow-headers').every((r) => r.closedAt !== undefined));
		// Three requests in all: the 429'd item sent no retry.
		expect(emulator.stats.completions).toBe(3);
		expect(sent('429')).toHaveLength(1);
	});

	it('a cancel mid-stream closes the connection, so Slier stops generating', async () => {
		// After its first delta the stream sends keep-alives for 40 s, longer than the test may run.
		let cancel = () => {};
		let texts = 0;
		const { run } = await runSlierNode({
			emulator,
			items: [{ text: 'long answer [[stall after=1 ms=40000 every=200 with=comment]]' }],
			parameters: { stream: true },
			onStarted: (c) => (cancel = c),
			onChunk: (chunk) => {
				// Cancelled once the answer has begun to arrive: the response is streaming.
				if (chunk.type === 'item' && ++texts === 1) cancel();
			},
		});
		expect(texts).toBeGreaterThanOrEqual(1);
		expect(run.status).toBe('canceled');
		// The emulator sees the client close the stream, long before it would have ended it.
		await emulator.until(() => emulator.requests[0].closedAt !== undefined);
		expect(emulator.requests[0].endedBy).toBe('client');
		expect(emulator.stats.completions).toBe(1);
	});

	it('complete(): aborts an in-flight request and the server sees it closed', async () => {
		const controller = new AbortController();
		void emulator.until(() => emulator.requests.length === 1).then(() => controller.abort());
		const error = await chatAlone('slow [[slow-headers ms=30000]]', controller.signal).catch((caught: Error) => caught);
		expect(error).toBeInstanceOf(SlierError);
		expect((error as SlierError).kind).toBe('aborted');
		await emulator.until(() => emulator.requests[0].closedAt !== undefined);
		expect(emulator.stats.completions).toBe(1);
	});

	it('complete(): stops waiting for a retry at once when cancelled, and sends nothing more', async () => {
		const controller = new AbortController();
		// The 429 has been answered (its exchange closed): the client now waits 50 s to retry.
		void emulator.until(() => emulator.requests[0]?.closedAt !== undefined).then(() => controller.abort());
		const error = await chatAlone('limited [[429 retry-after=50]]', controller.signal).catch((caught: Error) => caught);
		expect((error as SlierError).kind).toBe('aborted');
		expect(emulator.stats.completions).toBe(1);
	});
});

/** One chat completion through the transport alone, cancellable. */
const chatAlone = (content: string, signal: AbortSignal) =>
	complete({ baseUrl: emulator.url, apiKey: TEST_API_KEY, timeoutMs: 60_000, maxRetries: 2, signal }, {
		endpoint: 'chat',
		apiVersion: 'v1',
		body: { model: 'claude-2', messages: [{ role: 'user', content }], stream: false },
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
		// Headers held 30 s, longer than the test may run: only the abort can end these calls.
		const model = chatModel();
		await expect(model.generate(messages('Slow [[slow-headers ms=30000]]'), { abortSignal: AbortSignal.timeout(200) })).rejects.toThrow(/cancel/i);
		const streamed = (async () => {
			for await (const chunk of model.stream(messages('Slow [[slow-headers ms=30000]]'), { abortSignal: AbortSignal.timeout(200) })) void chunk;
		})();
		await expect(streamed).rejects.toThrow(/cancel/i);
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
