import { humanDuration, seconds } from '../../nodes/shared/transport/format';
import { MAX_TIMER_MS } from '../../nodes/shared/node/settings';
import { SlierError } from '../../nodes/shared/transport/errors';
import { RetryBudget } from '../../nodes/shared/transport/retry-budget';
import { backoffDelay, exceedsRetryAfterCap, isRetryable, parseRetryAfter, RETRY_AFTER_CAP_MS, sleep } from '../../nodes/shared/transport/retry';

describe('retry timing', () => {
	it('reads retry-after-ms first, then retry-after in seconds or as an HTTP date', () => {
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
		expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
		expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
		expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
		expect(parseRetryAfter({}, now)).toBeUndefined();
	});

	it('backs off exponentially with jitter between half and all of the ceiling', () => {
		expect(backoffDelay(0, undefined, () => 0)).toBe(250);
		expect(backoffDelay(0, undefined, () => 1)).toBe(500);
		expect(backoffDelay(2, undefined, () => 0)).toBe(1000);
		expect(backoffDelay(10, undefined, () => 1)).toBe(8000);
	});

	it('honors a server hint plus up to a fifth of jitter, the asked part never past the 60 s cap', () => {
		expect(backoffDelay(0, 1000, () => 0)).toBe(1000);
		expect(backoffDelay(0, 1000, () => 1)).toBe(1200);
		expect(backoffDelay(0, 59_000, () => 1)).toBe(70_800);
		expect(backoffDelay(0, RETRY_AFTER_CAP_MS, () => 1)).toBe(RETRY_AFTER_CAP_MS * 1.2);
		expect(backoffDelay(0, 3_600_000, () => 0)).toBe(RETRY_AFTER_CAP_MS);
	});

	it('waits after a retry-after at the cap still differ between items (the jitter is not clipped by the cap)', () => {
		const early = backoffDelay(0, RETRY_AFTER_CAP_MS, () => 0.1);
		const late = backoffDelay(0, RETRY_AFTER_CAP_MS, () => 0.9);
		expect(early).not.toBe(late);
	});

	it('says how long a wait is in words', () => {
		expect([5_000, 89_000, 90_000, 3_600_000, 5_400_000, 86_400_000 * 21].map(humanDuration)).toEqual([
			'5 seconds',
			'89 seconds',
			'about 2 minutes',
			'about 1 hour',
			'about 2 hours',
			'about 21 days',
		]);
	});

	it('says a limit the user set exactly, in milliseconds below a tenth of a second', () => {
		expect([1, 99, 100, 300, 1_000, 1_500, 300_000].map(seconds)).toEqual([
			'1 millisecond',
			'99 milliseconds',
			'0.1 seconds',
			'0.3 seconds',
			'1 second',
			'1.5 seconds',
			'300 seconds',
		]);
	});

	it('sleeps at most the longest timer, so a date weeks away cannot overflow setTimeout', async () => {
		const spy = jest.spyOn(global, 'setTimeout');
		const controller = new AbortController();
		const sleeping = sleep(30 * 86_400_000, controller.signal);
		expect(spy.mock.calls.at(-1)?.[1]).toBe(MAX_TIMER_MS);
		spy.mockRestore();
		controller.abort();
		await expect(sleeping).rejects.toThrow('canceled');
	});
});

describe('the retry-after cap at its edge', () => {
	/** A 429 asking for `retryAfterMs`: the error's facts set by hand (its words are not needed here). */
	const limited = (retryAfterMs: number) => {
		const error = new (SlierError as unknown as new (kind: string) => SlierError)('http');
		Object.assign(error.details, { status: 429, retryAfterMs });
		return error;
	};

	it('a retry-after of exactly the 60 s cap is waited for (retried); one millisecond more fails at once', () => {
		expect(exceedsRetryAfterCap(limited(RETRY_AFTER_CAP_MS))).toBe(false);
		expect(isRetryable(limited(RETRY_AFTER_CAP_MS))).toBe(true);
		expect(exceedsRetryAfterCap(limited(RETRY_AFTER_CAP_MS + 1))).toBe(true);
		expect(isRetryable(limited(RETRY_AFTER_CAP_MS + 1))).toBe(false);
	});
});

describe('the rate-limit budget at the end of the Timeout', () => {
	/** A 429 asking for `retryAfterMs` (0: at once), as the client hands it to the budget. */
	const limited = (retryAfterMs: number) => {
		const error = new (SlierError as unknown as new (kind: string) => SlierError)('http');
		Object.assign(error.details, { status: 429, retryAfterMs });
		return error;
	};

	it('retries a 429 up to the last millisecond of the Timeout (counted from the first 429), not at its end', () => {
		let now = 1_000_000;
		const budget = new RetryBudget(0, 5_000, () => now);
		expect(budget.next(limited(0))).toBe(0);
		now += 4_999;
		expect(budget.next(limited(0))).toBe(0);
		// A retry now would start when the Timeout has ended: given up, with what was waited.
		now += 1;
		const last = limited(0);
		expect(budget.next(last)).toBeUndefined();
		expect(last.details).toMatchObject({ rateLimitWaitedMs: 5_000, rateLimitCount: 3 });
	});
});
