import { getEventListeners } from 'node:events';

import { SlierChatModel } from '../../nodes/LmChatSlier/SlierChatModel';
import type { ModelSettings } from '../../nodes/shared/node/settings';
import { extractCitations } from '../../nodes/shared/completion/citations';
import { linkedSignal } from '../../nodes/shared/transport/signals';
import { RunGate, type Gate } from '../../nodes/shared/transport/limiter';
import { TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * guards for lines whose deletion no existing test notices.
 * - signals.ts:426 (linkedSignal.dispose) and SlierChatModel.ts:143 (signal.dispose()): without
 *   them every run / model call leaves an 'abort' listener on n8n's execution cancel signal
 *   (and on an agent's signal that lives for the whole conversation).
 * - limiter.ts:219 (RunGate.free wakes every waiter): waking one would pick the stale waker of a
 *   cancelled waiter and strand the live one.
 * - citations.ts:15 (only ² and ³ are powers): "5 km¹" is a citation.
 */
const emulator = useEmulator();

const SETTINGS: ModelSettings = { model: 'claude-2', searchMode: false, stripCitations: false, apiVersion: 'v1', timeoutMs: 5_000, maxRetries: 0 };

describe('no listener is left on a long-lived cancel signal', () => {
	it('linkedSignal: dispose removes its listener', () => {
		const outer = new AbortController();
		for (let i = 0; i < 5; i++) linkedSignal(outer.signal).dispose();
		expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
	});

	it('Slier Chat Model: generate() and stream() leave no listener on the execution or call signal', async () => {
		const execution = new AbortController();
		const call = new AbortController();
		const model = new SlierChatModel({
			node: { id: 'm', name: 'Slier Chat Model', type: 'n8n-nodes-slier.lmChatSlier', typeVersion: 1, position: [0, 0], parameters: {} },
			credentials: { baseUrl: emulator.url, apiKey: TEST_API_KEY },
			settings: SETTINGS,
			cancelSignal: execution.signal,
			warn: () => {},
		});
		const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }];
		await model.generate(messages, { signal: call.signal } as never);
		for await (const chunk of model.stream(messages, { signal: call.signal } as never)) void chunk;
		expect(getEventListeners(execution.signal, 'abort')).toHaveLength(0);
		expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
	});
});

describe('RunGate', () => {
	it('a free slot reaches a live waiter even when a cancelled waiter queued before it', async () => {
		const open: Gate = { acquire: async () => () => {} };
		const gate = new RunGate(1, open);
		const held = await gate.acquire();
		const cancelled = new AbortController();
		const first = gate.acquire(cancelled.signal).catch((error: Error) => error.message);
		const second = gate.acquire();
		cancelled.abort();
		expect(await first).toMatch(/canceled/);
		held({ kind: 'ok' });
		const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('stranded'), 2_000).unref());
		const got = await Promise.race([second.then(() => 'acquired'), timeout]);
		expect(got).toBe('acquired');
	});
});

it('only ² and ³ can be a unit power: "5 km¹" cites source 1', () => {
	expect(extractCitations('The track is 5 km¹ long.')).toEqual([1]);
});
