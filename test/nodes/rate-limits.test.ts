import type { INodeParameters } from 'n8n-workflow';

import { sharedLimiter } from '../../nodes/shared/transport/limiter';
import { runOne, runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Rate limits (HTTP 429) as items and later runs feel them: a retry-after beyond the cap fails
 * its item at once, a lone 429 costs only its item a retry, and the limit shared by every run
 * against one Slier URL and key recovers after a storm.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));

const one = (text: string, parameters: INodeParameters = {}) => runOne({ emulator, text, parameters });

describe('a retry-after longer than the 60 s cap', () => {
	it('fails the item at once, saying how long Slier asked for; the others and the next run are not held', async () => {
		const { items, error } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'quota [[429 retry-after=3600]]' }, { text: 'fine 1' }, { text: 'fine 2' }],
			parameters: { options: { maxConcurrency: 1 } },
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.error ?? i.json.content)).toEqual([
			'Slier asked to wait about 1 hour before trying again (HTTP 429), longer than the 60 seconds this node waits: your Slier quota or rate limit may be used up for now (item 0)',
			'claude-2 answers “fine 1” ✓',
			'claude-2 answers “fine 2” ✓',
		]);
		// Sent once, never retried.
		expect(completions().filter((r) => JSON.stringify(r.body).includes('quota'))).toHaveLength(1);
		// Nothing pauses the shared limiter: the next execution goes straight through (a 60 s
		// pause would run into the 30 s test timeout).
		const next = await runSlierNode({ emulator, items: [{ text: 'next node' }] });
		expect(next.items[0].json.content).toBe('claude-2 answers “next node” ✓');
	});

	it('a retry-after date weeks away fails at once and says so in days', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'far [[429 retry-after-date=2592000]]' }] });
		expect(error?.message).toMatch(/^Slier asked to wait about 30 days before trying again \(HTTP 429\)/);
		expect(error?.description).toMatch(/^Run the item again after that time, or check your Slier plan and usage\./);
		expect(completions()).toHaveLength(1);
	});

});

describe('429s are waited through while the Timeout lasts (no item lost to a rate limit)', () => {
	it('more 429s than Max Retries: the item is answered, and Max Retries is not spent on them', async () => {
		expect((await one('busy [[429 times=5 retry-after-ms=10]]', { options: { maxRetries: 0 } })).content).toBe('claude-2 answers “busy” ✓');
		expect(completions()).toHaveLength(6);
	});

	it('a streamed item too (its Timeout is the wait for the stream to start)', async () => {
		expect((await one('busy [[429 times=4 retry-after-ms=10]]', { stream: true, options: { maxRetries: 0 } })).content).toBe('claude-2 answers “busy” ✓');
		expect(completions()).toHaveLength(5);
	});

	it('Max Retries still counts the other failures, even between 429s', async () => {
		const json = await one('mixed [[429 times=2 retry-after-ms=10]] [[status code=503 times=5]]', { options: { maxRetries: 1 } });
		expect(json.error).toMatch(/^Slier had a server error \(HTTP 503\) after 1 retry/);
		// Two 429s (not counted), then a 503 and its one retry.
		expect(completions()).toHaveLength(4);
	});

	it('a rate limit that outlasts the Timeout fails the item, saying how long it waited and how many 429s it met', async () => {
		const json = await one('busy [[429 times=9999 retry-after-ms=40]]', { options: { timeout: 400, maxRetries: 0 } });
		const said = /^Slier's rate limit was still reached when the Timeout ran out: the request waited (\d+(?:\.\d)?) seconds? and met (\d+) HTTP 429 answers \(item 0\)$/.exec(String(json.error));
		expect(said).not.toBeNull();
		expect(json.errorType).toBe('rate_limited');
		// Every request it sent was a 429, and the message counts them all.
		expect(Number(said![2])).toBe(completions().length);
		expect(completions().length).toBeGreaterThan(1);
	});

	it('insufficient_quota is a quota, not a rate limit: it fails at once', async () => {
		const json = await one('broke [[429 times=9 reason=insufficient_quota]]');
		expect(json.error).toBe('Slier says the quota of this API key is used up (HTTP 429, insufficient_quota) (item 0)');
		expect(completions()).toHaveLength(1);
	});
});

describe('sporadic 429s', () => {
	it('a lone 429 among successes costs only its item a retry: every item answered, the shared limit untouched', async () => {
		const texts = Array.from({ length: 40 }, (_, i) => (i % 10 === 9 ? `q ${i} [[429 times=1 retry-after-ms=200]]` : `q ${i}`));
		const { items, error } = await runSlierNode({
			emulator,
			items: texts.map((text) => ({ text })),
			parameters: { options: { maxConcurrency: 8 } },
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.content)).toEqual(texts.map((t) => `claude-2 answers “${t.replace(/ \[\[.*\]\]/, '')}” ✓`));
		expect(completions()).toHaveLength(44);
		expect(sharedLimiter(emulator.url, TEST_API_KEY).limit).toBe(64);
	});
});

/**
 * A 429 storm that is no concurrency cap (every request refused for a moment, whatever the number
 * in flight: a provider-wide hiccup) must not leave the process crawling at 1-3 requests at a time
 * until it has been idle for 5 minutes, which a busy process never is.
 */
describe('after a 429 storm', () => {
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
});
