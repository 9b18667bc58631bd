import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 9 case 11: an execution cancelled between two items (no request in flight) must never
 * leave holes in the node's output. The cancel here fires from n8n's streaming hook as item 0's
 * answer ends, so it lands exactly between item 0 and item 1 every time.
 */
const emulator = useEmulator();

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
