import { createHash } from 'node:crypto';

import { abortedError } from './retry';

export type AttemptOutcome =
	| { kind: 'ok' }
	| { kind: 'rate-limited'; retryAfterMs?: number }
	| { kind: 'failed' };

export type Release = (outcome: AttemptOutcome) => void;

/** Admits one HTTP attempt at a time per slot; the transport calls it around every attempt. */
export interface Gate {
	acquire(signal?: AbortSignal): Promise<Release>;
}

/** After the first 429, grow only after this many rounds of successes at the current limit. */
const CAREFUL_PROBE_ROUNDS = 8;

/** The most attempts one provider origin and key ever gets at once from this n8n. */
export const SHARED_MAX_IN_FLIGHT = 64;

/**
 * Concurrency that adapts to the provider. It starts at its maximum and:
 * - on a 429 while several attempts were in flight, sets the limit one below what was in flight
 *   (a burst of N rejections lands it on the provider's cap); a 429 with a single attempt in
 *   flight is a rate limit, not a concurrency cap, and leaves the limit alone;
 * - on any 429, holds new attempts back for the retry-after the server asked for;
 * - on success, grows by one per round of `limit` successes, and after the first 429 only every
 *   few rounds, so probing above the cap costs few rejected requests.
 */
export class AdaptiveLimiter implements Gate {
	private current: number;
	private inFlight = 0;
	private successes = 0;
	private throttled = false;
	private pausedUntil = 0;
	private readonly waiting: Array<() => void> = [];
	private wakeTimer: NodeJS.Timeout | undefined;

	/** Peak attempts in flight, for tests and the benchmark. */
	peak = 0;
	rejections = 0;

	constructor(private readonly max: number) {
		this.current = Math.max(1, max);
	}

	get limit(): number {
		return this.current;
	}

	async acquire(signal?: AbortSignal): Promise<Release> {
		while (!this.canStart()) {
			if (signal?.aborted) throw abortedError();
			await this.wait(signal);
		}
		if (signal?.aborted) throw abortedError();
		this.inFlight++;
		this.peak = Math.max(this.peak, this.inFlight);
		let released = false;
		return (outcome) => {
			if (released) return;
			released = true;
			this.feedback(outcome);
			// Free the slot on the next turn: rejections of one burst that arrive together then all
			// see the burst's in-flight count (feedback above), and a waiter starts only once undici
			// has pooled the finished connection (the transport also yields that turn itself).
			setImmediate(() => {
				this.inFlight--;
				this.wakeAll();
			});
		};
	}

	private canStart(): boolean {
		return this.inFlight < this.current && Date.now() >= this.pausedUntil;
	}

	private feedback(outcome: AttemptOutcome): void {
		if (outcome.kind === 'rate-limited') {
			this.rejections++;
			this.successes = 0;
			// inFlight still counts this attempt: its slot is freed a turn later.
			if (this.inFlight > 1) {
				this.throttled = true;
				this.current = Math.max(1, Math.min(this.current, this.inFlight) - 1);
			}
			if (outcome.retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + outcome.retryAfterMs);
			return;
		}
		if (outcome.kind !== 'ok' || this.current >= this.max) return;
		this.successes++;
		const needed = this.current * (this.throttled ? CAREFUL_PROBE_ROUNDS : 1);
		if (this.successes >= needed) {
			this.current++;
			this.successes = 0;
		}
	}

	private wait(signal?: AbortSignal): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				signal?.removeEventListener('abort', done);
				resolve();
			};
			this.waiting.push(done);
			signal?.addEventListener('abort', done, { once: true });
			this.scheduleWake();
		});
	}

	/** While paused, wake the waiters when the pause ends. */
	private scheduleWake(): void {
		const delay = this.pausedUntil - Date.now();
		if (delay <= 0 || this.wakeTimer) return;
		this.wakeTimer = setTimeout(() => {
			this.wakeTimer = undefined;
			this.wakeAll();
		}, delay);
	}

	private wakeAll(): void {
		for (const wake of this.waiting.splice(0)) wake();
	}
}

const shared = new Map<string, AdaptiveLimiter>();

/**
 * The limiter for one provider origin and API key, shared by every node run in this n8n process,
 * so parallel executions (a chat's one-item runs, say) adapt together to the provider's cap and
 * pause together on a retry-after. Keyed by a hash, never the key itself.
 */
export function sharedLimiter(baseUrl: string, apiKey: string): AdaptiveLimiter {
	const key = `${new URL(baseUrl).origin} ${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
	let limiter = shared.get(key);
	if (!limiter) {
		limiter = new AdaptiveLimiter(SHARED_MAX_IN_FLIGHT);
		shared.set(key, limiter);
	}
	return limiter;
}
