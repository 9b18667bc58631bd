import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { sharedLimiter } from '../../nodes/shared/transport/limiter';
import { startEmulator, type SlierEmulator } from '../emulator/server';
import { runSlierNode, TEST_API_KEY } from '../helpers/slier-node';

let emulator: SlierEmulator;
afterEach(async () => {
	await emulator.close();
	await closeDispatcher();
});

const inputs = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `question ${i}` }));

describe('items run concurrently, in order, without cross-talk', () => {
	it('keeps at most Max Concurrent Requests in flight and every answer with its own input', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY, latencyMs: 40 });
		const { items, error } = await runSlierNode({ emulator, items: inputs(40), parameters: { options: { maxConcurrency: 8 } } });
		expect(error).toBeUndefined();
		expect(emulator.stats.peakInFlight).toBe(8);
		expect(items.map((i) => i.pairedItem)).toEqual(inputs(40).map((_, i) => ({ item: i })));
		expect(items.map((i) => i.json.content)).toEqual(inputs(40).map((x) => `claude-2 answers “${x.text}” ✓`));
	});

	it('sends one item after another with Max Concurrent Requests 1', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY, latencyMs: 10 });
		const { items } = await runSlierNode({ emulator, items: inputs(6), parameters: { stream: true, options: { maxConcurrency: 1 } } });
		expect(emulator.stats.peakInFlight).toBe(1);
		expect(items).toHaveLength(6);
	});

	it('reuses connections across items and executions: never more than its concurrency', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY, latencyMs: 20 });
		await closeDispatcher(); // a fresh pool, so every connection is counted
		for (let run = 0; run < 2; run++) {
			const { items } = await runSlierNode({ emulator, items: inputs(30), parameters: { options: { maxConcurrency: 4 } } });
			expect(items).toHaveLength(30);
		}
		expect(emulator.stats.completions).toBe(60);
		expect(emulator.stats.connections).toBeLessThanOrEqual(4);
	});

	it('adapts to a provider-side cap: every item answered, few requests rejected', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY, latencyMs: 30, maxInFlight: 4, capRetryAfterMs: 50 });
		const { items, error } = await runSlierNode({
			emulator,
			items: inputs(80),
			parameters: { options: { maxConcurrency: 12 } },
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.content)).toEqual(inputs(80).map((x) => `claude-2 answers “${x.text}” ✓`));
		// The first burst of 12 meets the cap of 4 (8 rejected); after that, a few probes at most.
		expect(emulator.stats.completions).toBe(80);
		expect(emulator.stats.rejectedByCap).toBeLessThanOrEqual(16);
	});

	it('parallel executions share one limit per provider and learn its cap together', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY, latencyMs: 30, maxInFlight: 6, capRetryAfterMs: 50 });
		const run = () => runSlierNode({ emulator, items: inputs(40), parameters: { options: { maxConcurrency: 8 } } });
		const [first, second] = await Promise.all([run(), run()]);
		for (const { items, error } of [first, second]) {
			expect(error).toBeUndefined();
			expect(items.map((i) => i.json.content)).toEqual(inputs(40).map((x) => `claude-2 answers “${x.text}” ✓`));
		}
		// 16 workers met a cap of 6: the shared limit settles at the cap, so few are rejected.
		expect(sharedLimiter(emulator.url, TEST_API_KEY).limit).toBeLessThanOrEqual(7);
		expect(emulator.stats.completions).toBe(80);
		expect(emulator.stats.rejectedByCap).toBeLessThanOrEqual(22);
	});

	it('without Continue On Fail, the first failure stops the node and cancels the rest', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY });
		const items = inputs(20).map((x) => ({ text: `${x.text} [[slow-headers ms=20000]]` }));
		items[0] = { text: 'fails fast [[status code=400]]' };
		const { error } = await runSlierNode({ emulator, items, parameters: { options: { maxConcurrency: 4 } } });
		expect(error?.message).toMatch(/^Slier rejected the request \(HTTP 400\).*\(item 0\)$/);
		// Items 1-3 were in flight and got cancelled: the emulator sees each closed by the client,
		// before the 20 s it would have taken. No later item was sent.
		const inFlight = emulator.requests.slice(1);
		await emulator.until(() => inFlight.every((request) => request.closedAt !== undefined));
		expect(emulator.requests).toHaveLength(4);
		expect(inFlight.map((request) => request.endedBy)).toEqual(['client', 'client', 'client']);
	});

	it('a credential error with Continue On Fail gives one paired error item per input item', async () => {
		emulator = await startEmulator({ apiKey: TEST_API_KEY });
		const { items, error } = await runSlierNode({ emulator, items: inputs(3), continueOnFail: true, credentials: { apiKey: ' ' } });
		expect(error).toBeUndefined();
		expect(items).toEqual(
			[0, 1, 2].map((i) => ({ json: { error: 'The Slier API credential has no API key', errorType: 'invalid_input' }, pairedItem: { item: i } })),
		);
		expect(emulator.requests).toHaveLength(0);
	});
});
