import { AdaptiveLimiter } from '../../nodes/shared/transport/limiter';

/**
 * (unguarded line) limiter.ts `this.provenLevel = Math.min(this.provenLevel, level - 1)`.
 * Deleting it passes every existing test. Without it, a level once proven stays "proven" forever:
 * a provider whose cap dropped (4 → 3) answers each 4th request with a 429 that always counts as
 * "lone", so the limit never comes down and every round pays a rejected request and its wait.
 */
it('a second 429 at the same level, after successes below it, lowers the limit', async () => {
	const limiter = new AdaptiveLimiter(4);
	const round = async () => Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
	// Round 1: four in flight all succeed; level 4 is proven.
	(await round()).forEach((release) => release({ kind: 'ok' }));
	// Round 2: the 4th is rejected (lone: nothing changes yet), the other three succeed.
	let releases = await round();
	releases[3]({ kind: 'rate-limited' });
	releases.slice(0, 3).forEach((release) => release({ kind: 'ok' }));
	expect(limiter.limit).toBe(4);
	// Round 3: the 4th is rejected again; the provider now evidently takes 3.
	releases = await round();
	releases[3]({ kind: 'rate-limited' });
	releases.slice(0, 3).forEach((release) => release({ kind: 'ok' }));
	expect(limiter.limit).toBe(3);
});
