import { AdaptiveLimiter, sharedLimiter } from '../../nodes/shared/transport/limiter';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveLimiter', () => {
	it('lands on the provider cap after a burst of rejections', async () => {
		const limiter = new AdaptiveLimiter(16);
		const releases = await Promise.all(Array.from({ length: 16 }, () => limiter.acquire()));
		// The provider took 6 and rejected 10 at once.
		releases.slice(6).forEach((release) => release({ kind: 'rate-limited' }));
		expect(limiter.limit).toBe(6);
		releases.slice(0, 6).forEach((release) => release({ kind: 'ok' }));
		await turn();
		expect(limiter.limit).toBe(6);
	});

	it('treats a 429 with one attempt in flight as a rate limit: pauses, keeps the limit', async () => {
		const limiter = new AdaptiveLimiter(8);
		const release = await limiter.acquire();
		release({ kind: 'rate-limited', retryAfterMs: 150 });
		expect(limiter.limit).toBe(8);
		await turn();
		const started = Date.now();
		(await limiter.acquire())({ kind: 'ok' });
		expect(Date.now() - started).toBeGreaterThanOrEqual(120);
	});

	it('grows back one slot per round of successes, slowly after a 429', async () => {
		const limiter = new AdaptiveLimiter(4);
		const burst = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
		burst[3]({ kind: 'rate-limited' });
		burst.slice(0, 3).forEach((release) => release({ kind: 'ok' }));
		expect(limiter.limit).toBe(3);
		// 8 rounds of 3 successes are needed; the burst already gave 3.
		for (let i = 0; i < 3 * 8 - 3 - 1; i++) {
			await turn();
			(await limiter.acquire())({ kind: 'ok' });
		}
		expect(limiter.limit).toBe(3);
		await turn();
		(await limiter.acquire())({ kind: 'ok' });
		expect(limiter.limit).toBe(4);
	});

	it('wakes a waiter with an error when its execution is cancelled', async () => {
		const limiter = new AdaptiveLimiter(1);
		const held = await limiter.acquire();
		const controller = new AbortController();
		const waiting = limiter.acquire(controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow('cancelled');
		held({ kind: 'ok' });
	});

	it('is shared per origin and key, and keyed without the key itself', () => {
		const a = sharedLimiter('http://127.0.0.1:1/v1', 'sk-a');
		expect(sharedLimiter('http://127.0.0.1:1/other', 'sk-a')).toBe(a);
		expect(sharedLimiter('http://127.0.0.1:1', 'sk-b')).not.toBe(a);
		expect(sharedLimiter('http://127.0.0.1:2', 'sk-a')).not.toBe(a);
	});
});
