import { AdaptiveLimiter } from '../../nodes/shared/transport/limiter';

/**
 * (guard for limiter.ts:107, `|| repeated`) 429s that repeat with no success between,
 * several in flight, are a rate limit too: new attempts wait the retry-after. Dropping
 * `|| repeated` passes every existing test. Lower bound only (a busy machine only waits longer).
 */
it('repeated 429s with two in flight hold new attempts back for the retry-after', async () => {
	const limiter = new AdaptiveLimiter(8);
	const [a, b] = await Promise.all([limiter.acquire(), limiter.acquire()]);
	const [c, d] = await Promise.all([limiter.acquire(), limiter.acquire()]);
	a({ kind: 'ok' });
	b({ kind: 'rate-limited', retryAfterMs: 300 });
	c({ kind: 'rate-limited', retryAfterMs: 300 });
	d({ kind: 'ok' });
	const started = Date.now();
	(await limiter.acquire())({ kind: 'ok' });
	expect(Date.now() - started).toBeGreaterThanOrEqual(200);
});
