import type { INodeParameters } from 'n8n-workflow';

import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { sharedLimiter } from '../../nodes/shared/transport/limiter';
import { runOne, runSlierNode, TEST_API_KEY, type SlierNodeType } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Faults a long-running n8n meets that the fault matrix did not name (issue 9), each through the
 * node in n8n's engine against the emulator.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const one = (text: string, parameters: INodeParameters = {}, type: SlierNodeType = 'slierChat') => runOne({ emulator, type, text, parameters });

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

describe('a stream kept open after the answer is complete', () => {
	// A fresh pool for each, so every connection is counted.
	beforeEach(() => closeDispatcher());

	it('[DONE] ends the answer: the item returns and the held connection is closed, not pooled', async () => {
		const json = await one('held [[hold-open]]', { stream: true, options: { timeout: 20_000 } });
		expect(json.content).toBe('claude-2 answers “held” ✓');
		await pause(300);
		// The client destroyed the response; the emulator would have held it for 60 s.
		const [held] = completions();
		expect(held.closedAt).toBeDefined();
		expect(held.closedAt! - held.receivedAt).toBeLessThan(15_000);
		// The next request cannot have reused that connection.
		expect((await one('after')).content).toBe('claude-2 answers “after” ✓');
		const [, after] = completions();
		expect(after.connection).not.toBe(held.connection);
	});

	it("search's finish: true ends the answer the same way", async () => {
		const json = await one('held [[finish-flag-only]] [[hold-open]]', { stream: true, options: { timeout: 20_000 } }, 'slierSearch');
		expect(json).toMatchObject({ finishReason: 'stop', citations: [1, 2] });
		await pause(300);
		expect(completions()[0].closedAt).toBeDefined();
	});

	it('a stream that ends normally still leaves its connection for the next item', async () => {
		const { items } = await runSlierNode({
			emulator,
			items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
			parameters: { stream: true, options: { maxConcurrency: 1 } },
		});
		expect(items).toHaveLength(3);
		expect(new Set(completions().map((r) => r.connection)).size).toBe(1);
	});
});

describe('a plain answer cut mid-body', () => {
	it('is retried like a reset before the response', async () => {
		expect((await one('cut body [[cut-body times=1]]')).content).toBe('claude-2 answers “cut body” ✓');
		expect(completions()).toHaveLength(2);
	});

	it('fails as a network error after the retries when it keeps happening, saying the answer had started', async () => {
		const json = await one('always cut [[cut-body]]', { options: { maxRetries: 1 } });
		expect(json.error).toMatch(/^The connection to Slier at http:\/\/127\.0\.0\.1:\d+ broke while its answer was being read \(.+\) \(item 0\)$/);
		expect(json.errorType).toBe('network');
		expect(completions()).toHaveLength(2);
	});
});

describe('an error object sent with HTTP 200', () => {
	it('the documented content-filter body gives the filtered item, streamed or not', async () => {
		for (const stream of [false, true]) {
			expect(await one('gateway [[error-200]]', { stream })).toMatchObject({
				content: null,
				filtered: true,
				finishReason: 'content_filter',
				filter: { reason: 'content_filter', param: 'prompt' },
			});
		}
	});

	it('any other error object is that error; a 5xx one is retried as a 5xx', async () => {
		expect((await one('gateway [[error-200 reason=overloaded]]')).error).toBe(
			'Slier sent an error instead of an answer (HTTP 200): Upstream trouble (overloaded). (item 0)',
		);
		expect(completions()).toHaveLength(1);
		emulator.reset();
		expect((await one('gateway [[error-200 reason=overloaded status=503]]', { options: { maxRetries: 1 } })).error).toBe(
			'Slier had a server error (HTTP 503) after 1 retry: Upstream trouble (overloaded). (item 0)',
		);
		expect(completions()).toHaveLength(2);
	});
});

describe('errors that are not network errors', () => {
	it('an API key with a line break is named as such, not retried, and the key never shown', async () => {
		const apiKey = `${TEST_API_KEY}\nsecond-line`;
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { apiKey } });
		expect(error?.message).toBe(
			'The API key in the Slier API credential contains a line break or another character that cannot be sent in an HTTP header (item 0)',
		);
		expect(error?.description).toBe('Open the Slier API credential and paste the API key again, as one line without spaces or line breaks.');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Timeout out of range', () => {
	it('is bounded in the panel and refused beyond 2147483647 ms before sending', async () => {
		expect((await one('x', { options: { timeout: 3_000_000_000 } })).error).toBe(
			'Timeout is 3000000000 ms, longer than the longest wait n8n can time (2147483647 ms, about 24.8 days) (item 0)',
		);
		expect(completions()).toHaveLength(0);
		expect((await one('x', { options: { timeout: 2_147_483_647 } })).content).toBe('claude-2 answers “x” ✓');
	});
});

describe('the Base URL as users paste it', () => {
	it.each([['/v1'], ['/v2/'], ['//'], ['/v1/ ']])('accepts a trailing %j and calls the right path', async (tail) => {
		const { items, error } = await runSlierNode({
			emulator,
			items: [{ text: 'x' }],
			credentials: { baseUrl: ` ${emulator.url}${tail}` },
		});
		expect(error).toBeUndefined();
		expect(items[0].json.content).toBe('claude-2 answers “x” ✓');
		expect(completions().map((r) => r.path)).toEqual(['/v1/chat/completions']);
	});

	it.each([
		['?region=eu', 'a query string (?…)'],
		['#docs', 'a fragment (#…)'],
	])('refuses %s with a clear message, sending nothing', async (tail, what) => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { baseUrl: `${emulator.url}/${tail}` } });
		expect(error?.message).toBe(`The Base URL in the Slier API credential has ${what}, which the API paths cannot be added after`);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('units are not citations', () => {
	const text = 'The lake covers 25 km² and holds 3 m³ per second¹. Sources agree².';

	it('reads [1, 2] and keeps the powers when stripping', async () => {
		const plain = await one(`${text} [[verbatim]]`, {}, 'slierSearch');
		expect(plain).toMatchObject({ content: text, citations: [1, 2] });
		const stripped = await one(`${text} [[verbatim]]`, { stream: true, options: { stripCitations: true } }, 'slierSearch');
		expect(stripped).toMatchObject({
			content: 'The lake covers 25 km² and holds 3 m³ per second. Sources agree.',
			citations: [1, 2],
		});
	});
});
