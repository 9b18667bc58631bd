import { createHash } from 'node:crypto';

import { MAX_CONCURRENCY } from './limits';
import { abortedError, RETRY_AFTER_CAP_MS } from './retry';

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
export const CAREFUL_PROBE_ROUNDS = 8;

/** The most attempts one provider origin and key ever gets at once from this n8n process. */
export const SHARED_MAX_IN_FLIGHT = MAX_CONCURRENCY;

/** A shared limiter with nothing in flight or waiting for this long is dropped (it relearns fast). */
export const IDLE_EVICT_MS = 5 * 60_000;

/**
 * Concurrency that adapts to the provider. It starts at its maximum and:
 * - on a 429 at an in-flight level the provider has not just proven it accepts (a burst over its
 *   cap, a probe one above it, or 429s with no success between), sets the limit one below what
 *   was in flight, so a burst of N rejections lands it on the cap; when only one attempt was in
 *   flight (a rate limit) or 429s repeat, it also holds new attempts back for the retry-after the
 *   server asked (at most RETRY_AFTER_CAP_MS);
 * - on a lone 429 among successes at a level already proven, changes nothing: that item waits
 *   its own retry-after and the others go on (sporadic 429s of a busy provider); but a 429 at a
 *   limit just reached by growing is a failed probe, not lone;
 * - when a run of 429s also refused an attempt that was alone in flight, it was a rate limit or a
 *   provider-wide hiccup, not a cap: the first success after it restores the limit it lowered;
 * - on success, grows by one per round of `limit` successes, and after the first cap 429 only
 *   every few rounds, so probing above the cap costs few rejected requests.
 * Learned per n8n process: each queue-mode worker learns its own.
 */
export class AdaptiveLimiter implements Gate {
	private current: number;
	private inFlight = 0;
	private successes = 0;
	private throttled = false;
	/** The limit was last changed by growing (a probe), not set by a 429 or at the start. */
	private grown = false;
	private pausedUntil = 0;
	/** The highest in-flight level recently answered with success. */
	private provenLevel = 0;
	/** A success came after the last 429 (true before any 429). */
	private successSinceRejection = true;
	private lastActive: number;
	/** What held before the current run of 429s, to undo it if they were no concurrency cap. */
	private storm: { limit: number; throttled: boolean; soloRejected: boolean } | undefined;
	private readonly waiting: Array<() => void> = [];
	private wakeTimer: NodeJS.Timeout | undefined;

	constructor(
		private readonly max: number,
		private readonly now: () => number = Date.now,
	) {
		this.current = Math.max(1, max);
		this.lastActive = now();
	}

	get limit(): number {
		return this.current;
	}

	/**
	 * Takes over a limit learned elsewhere (queue mode's shared limit, when this process falls back
	 * to its own): never higher than now, and grown back carefully, as after a 429.
	 */
	adopt(limit: number): void {
		if (limit >= this.current) return;
		this.current = Math.max(1, limit);
		this.throttled = true;
		this.grown = false;
		this.successes = 0;
	}

	/** True when nothing is in flight or waiting and nothing happened for `IDLE_EVICT_MS`. */
	isIdle(now = this.now()): boolean {
		return this.inFlight === 0 && this.waiting.length === 0 && now - this.lastActive >= IDLE_EVICT_MS;
	}

	async acquire(signal?: AbortSignal): Promise<Release> {
		for (let pause = this.pauseLeft(); pause > 0 || this.inFlight >= this.current; pause = this.pauseLeft()) {
			if (signal?.aborted) throw abortedError();
			await this.wait(pause, signal);
		}
		if (signal?.aborted) throw abortedError();
		const level = ++this.inFlight;
		this.lastActive = this.now();
		let released = false;
		return (outcome) => {
			if (released) return;
			released = true;
			this.feedback(outcome, level);
			// Freed at once: the transport releases only after undici has pooled the connection.
			this.inFlight--;
			this.lastActive = this.now();
			this.wakeAll();
		};
	}

	/**
	 * How long new attempts are still held back, read once per check: the wake-up timer is set
	 * from the same reading that found the pause, so a clock that ticks past the pause's end
	 * between two readings cannot leave a waiter with no timer (asleep until its Timeout).
	 */
	private pauseLeft(): number {
		return Math.max(0, this.pausedUntil - this.now());
	}

	/** `level`: attempts in flight when this one started, itself included. */
	private feedback(outcome: AttemptOutcome, level: number): void {
		if (outcome.kind === 'rate-limited') {
			this.storm ??= { limit: this.current, throttled: this.throttled, soloRejected: false };
			// Refused while it was the only attempt in flight: no concurrency cap refuses that.
			if (level === 1) this.storm.soloRejected = true;
			// A 429 at a limit just reached by growing is a failed probe, never lone: counts run a
			// little ahead of what the provider sees (a slot frees after the answer was read; more so
			// across queue-mode workers), so a level over the cap can "succeed" first, and lone 429s
			// there kept the limit over the cap for a whole run (18 % rejected in one CI run).
			const lone = this.successSinceRejection && level <= this.provenLevel && !(this.grown && level >= this.current);
			const repeated = !this.successSinceRejection;
			this.successSinceRejection = false;
			this.successes = 0;
			// A second 429 at this level before a success there is no longer lone.
			this.provenLevel = Math.min(this.provenLevel, level - 1);
			if (lone) return;
			// inFlight still counts this attempt, so each rejection of a burst lowers the limit by one.
			if (this.inFlight > 1) {
				this.throttled = true;
				this.grown = false;
				this.current = Math.max(1, Math.min(this.current, this.inFlight) - 1);
			}
			// Hold everyone back only for a rate limit (one attempt in flight) or repeated 429s: a
			// burst over the cap is answered by the lower limit alone.
			if (outcome.retryAfterMs && (this.inFlight <= 1 || repeated)) {
				const pause = Math.min(outcome.retryAfterMs, RETRY_AFTER_CAP_MS);
				this.pausedUntil = Math.max(this.pausedUntil, this.now() + pause);
			}
			return;
		}
		if (outcome.kind !== 'ok') return;
		this.successSinceRejection = true;
		if (this.storm?.soloRejected) {
			// The 429s just past refused even a lone request: a rate limit or a provider-wide hiccup,
			// not a cap. Undo what they lowered, or every later run would crawl at the lowered limit.
			this.current = Math.max(this.current, this.storm.limit);
			this.throttled = this.storm.throttled;
			this.grown = false;
		}
		this.storm = undefined;
		// A level counts as proven only within the current limit: a burst's attempts above the
		// cap that happened to be accepted prove nothing about the cap.
		this.provenLevel = Math.max(this.provenLevel, Math.min(level, this.current));
		if (this.current >= this.max) return;
		this.successes++;
		const needed = this.current * (this.throttled ? CAREFUL_PROBE_ROUNDS : 1);
		if (this.successes >= needed) {
			this.current++;
			this.grown = true;
			this.successes = 0;
		}
	}

	/**
	 * Resolves when a slot may be free: after `pause` ms when paused, or when an attempt is
	 * released; at once when `signal` aborts (every waiter of it).
	 */
	private wait(pause: number, signal?: AbortSignal): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				signal?.removeEventListener('abort', done);
				resolve();
			};
			this.waiting.push(done);
			signal?.addEventListener('abort', done, { once: true });
			if (pause > 0) this.scheduleWake(pause);
		});
	}

	/** While paused, wake the waiters when the pause ends (they check again, and may wait on). */
	private scheduleWake(pause: number): void {
		if (this.wakeTimer) return;
		this.wakeTimer = setTimeout(() => {
			this.wakeTimer = undefined;
			this.wakeAll();
		}, Math.min(pause, RETRY_AFTER_CAP_MS));
	}

	private wakeAll(): void {
		for (const wake of this.waiting.splice(0)) wake();
	}
}

const shared = new Map<string, AdaptiveLimiter>();

/**
 * The limiter for one provider origin and API key, shared by every node run in this n8n process,
 * so parallel executions (a chat's one-item runs, say) adapt together to the provider's cap and
 * pause together on a retry-after. Keyed by a hash, never the key itself. Limiters idle for
 * `IDLE_EVICT_MS` are dropped on the next lookup, so a process that served many URLs and keys
 * over weeks does not keep them all.
 */
export function sharedLimiter(baseUrl: string, apiKey: string, now = Date.now()): AdaptiveLimiter {
	for (const [key, limiter] of shared) if (limiter.isIdle(now)) shared.delete(key);
	const key = `${new URL(baseUrl).origin} ${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
	let limiter = shared.get(key);
	if (!limiter) {
		limiter = new AdaptiveLimiter(SHARED_MAX_IN_FLIGHT);
		shared.set(key, limiter);
	}
	return limiter;
}

/**
 * One node run's gate: at most `max` of its attempts in flight (Max Concurrent Requests), each
 * also admitted by the shared limiter. Counting attempts rather than items means an item asleep
 * before its retry holds no slot, so the run's other items keep `max` requests going.
 */
export class RunGate implements Gate {
	private inFlight = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(
		private readonly max: number,
		private readonly shared: Gate,
	) {}

	async acquire(signal?: AbortSignal): Promise<Release> {
		while (this.inFlight >= this.max) {
			if (signal?.aborted) throw abortedError();
			await new Promise<void>((resolve) => {
				const done = () => {
					signal?.removeEventListener('abort', done);
					resolve();
				};
				this.waiting.push(done);
				signal?.addEventListener('abort', done, { once: true });
			});
		}
		if (signal?.aborted) throw abortedError();
		this.inFlight++;
		let release: Release | undefined;
		try {
			release = await this.shared.acquire(signal);
		} finally {
			// The shared limit refused (a cancel): give the run's slot back.
			if (!release) this.free();
		}
		const shared = release;
		return (outcome) => {
			shared(outcome);
			this.free();
		};
	}

	private free(): void {
		this.inFlight--;
		// All re-check: one of them may have left already because its signal aborted.
		for (const wake of this.waiting.splice(0)) wake();
	}
}
