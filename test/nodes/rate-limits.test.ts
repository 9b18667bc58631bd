import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * The limit shared by every run against one Slier URL and key, as later runs feel it. A 429
 * storm that is no concurrency cap (every request refused for a moment, whatever the number in
 * flight: a provider-wide hiccup) must not leave the process crawling at 1-3 requests at a time
 * until it has been idle for 5 minutes, which a busy process never is.
 */
const emulator = useEmulator({ latencyMs: 40 });

it('after a transient 429 storm the next calm run uses its Max Concurrent Requests again', async () => {
	const storm = await runSlierNode({
		emulator,
		items: Array.from({ length: 16 }, (_, i) => ({ text: `storm ${i} [[429 times=3 retry-after-ms=10]]` })),
		parameters: { options: { maxRetries: 2 } },
		continueOnFail: true,
	});
	// 429s are waited through while the Timeout lasts: the storm loses no item.
	expect(storm.items.map((item) => item.json.errorType ?? 'ok')).toEqual(Array(16).fill('ok'));
	emulator.reset();
	const calm = await runSlierNode({ emulator, items: Array.from({ length: 48 }, (_, i) => ({ text: `calm ${i}` })) });
	expect(calm.items).toHaveLength(48);
	// The server has no cap: the run should use its Max Concurrent Requests (8), as a fresh process does.
	expect(emulator.stats.peakInFlight).toBeGreaterThanOrEqual(6);
});
