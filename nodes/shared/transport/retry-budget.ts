import type { SlierError } from './errors';
import { backoffDelay, exceedsRetryAfterCap, isRetryable } from './retry';

/** The reason a provider gives for a 429 that is a used-up quota: waiting will not help. */
const QUOTA_REASON = 'insufficient_quota';

/**
 * A 429 that means "not now": a rate limit or a concurrency cap. A 429 that means "no" (a
 * retry-after beyond the cap, or `insufficient_quota`) is a quota: never waited for.
 */
export function isRateLimit(error: SlierError): boolean {
	return error.status === 429 && !exceedsRetryAfterCap(error) && error.details.reason !== QUOTA_REASON;
}

/** A 429 for a used-up quota (`insufficient_quota`): failed at once, like a retry-after beyond the cap. */
export function isQuota(error: SlierError): boolean {
	return error.status === 429 && error.details.reason === QUOTA_REASON;
}

/**
 * What one request may still spend on retries. Two budgets, because a 429 is "not now", not "no":
 * - rate limits (isRateLimit) are waited through for as long as the request's Timeout, counted
 *   from its first 429, so no item is lost to a busy provider while it still has time;
 * - every other retryable failure (5xx, 408, 409, resets, timeouts) counts against Max Retries.
 * For a stream, Timeout is the longest wait for it to start: a 429 is a stream not started yet,
 * so the same rule holds.
 */
export class RetryBudget {
	private failures = 0;
	private rateLimits = 0;
	private firstRateLimitAt: number | undefined;

	constructor(
		private readonly maxRetries: number,
		private readonly timeoutMs: number,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * The wait before the next attempt after `error`, or undefined to give up. A rate limit that
	 * outlasts the Timeout gets its facts (how long it was waited for, how many 429s) on the error.
	 */
	next(error: SlierError): number | undefined {
		if (error.details.midStream || !isRetryable(error) || isQuota(error)) return undefined;
		if (!isRateLimit(error)) {
			if (this.failures >= this.maxRetries) return undefined;
			return backoffDelay(this.failures++, error.details.retryAfterMs);
		}
		const now = this.now();
		this.firstRateLimitAt ??= now;
		const delay = backoffDelay(this.rateLimits++, error.details.retryAfterMs);
		// Give up now rather than sleep into a retry the Timeout would not allow.
		if (now + delay - this.firstRateLimitAt >= this.timeoutMs) {
			error.details.rateLimitWaitedMs = now - this.firstRateLimitAt;
			error.details.rateLimitCount = this.rateLimits;
			return undefined;
		}
		return delay;
	}
}
