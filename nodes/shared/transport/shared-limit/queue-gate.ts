import { randomUUID } from 'node:crypto';

import type { AdaptiveLimiter, AttemptOutcome, Gate, Release } from '../limiter';
import { abortedError } from '../retry';
import { CONNECT_TIMEOUT_MS, type LimitKeys, type LimitStore } from './redis-store';

/** What the shared limit tells the node about itself; the node's log words are node/'s. */
export type SharedLimitEvent =
	| { kind: 'fallback'; cause: 'slow' | 'error'; boundMs: number; detail: string }
	| { kind: 'restored' }
	| { kind: 'unavailable'; detail: string };

export interface QueueGateTiming {
	/** A lease not renewed for this long (its worker died) frees its slot. */
	leaseTtlMs: number;
	renewEveryMs: number;
	/**
	 * A Redis call slower than this counts as Redis trouble: the worker uses its own limiter. Until
	 * the process first connected, a call may take up to CONNECT_TIMEOUT_MS (a worker's first
	 * requests wait for the connection instead of bursting past a limit they cannot see yet).
	 */
	boundMs: number;
	/** While every shared slot is taken, ask again this often (plus jitter), or when one of ours frees. */
	pollMs: number;
	/** While on its own limiter, see this often whether Redis answers again. */
	probeEveryMs: number;
}

/**
 * Where a shared limit starts (then doubles per round until the first 429): one node run's default
 * Max Concurrent Requests. A worker that falls back before it read any shared limit starts its own
 * there too: its own limiter's 64 would send every waiting request at once (a worker's first
 * executions, all starting together, while Redis is slow to answer).
 */
export const SHARED_START = 8;

export const QUEUE_GATE_TIMING: QueueGateTiming = { leaseTtlMs: 6_000, renewEveryMs: 2_000, boundMs: 100, pollMs: 25, probeEveryMs: 1_000 };

class TooSlow extends Error {}

interface Waiter {
	resolve(release: Release): void;
	reject(error: Error): void;
	signal?: AbortSignal;
	onAbort(): void;
}

/**
 * The limit of one provider origin and key shared by every worker of a queue-mode n8n, through
 * Redis (see scripts.ts). This process's waiters queue here, and one loop at a time asks Redis
 * for a slot for the first of them, so a worker with many waiting requests costs Redis one call
 * per poll. Any Redis call that fails or takes longer than `boundMs` switches this process to its
 * own limiter (`local`, the regular-mode one) with one event, and a probe switches it back once
 * Redis answers again: Redis trouble never fails an item nor holds it up for long.
 */
export class QueueGate implements Gate {
	private mode: 'shared' | 'local' = 'shared';
	private readonly waiting: Waiter[] = [];
	private pumping = false;
	private wakePump: (() => void) | undefined;
	private readonly held = new Set<string>();
	private renewTimer: NodeJS.Timeout | undefined;
	private probeTimer: NodeJS.Timeout | undefined;
	/** The shared limit as last read: where this process's own limiter starts when it falls back (SHARED_START before any). */
	private lastLimit: number | undefined;

	constructor(
		private readonly store: LimitStore,
		private readonly keys: LimitKeys,
		readonly local: AdaptiveLimiter,
		private readonly max: number,
		private readonly report: (event: SharedLimitEvent) => void,
		private readonly timing: QueueGateTiming = QUEUE_GATE_TIMING,
	) {}

	/** True while the limit is shared through Redis (false: this process's own limiter). */
	get shared(): boolean {
		return this.mode === 'shared';
	}

	async acquire(signal?: AbortSignal): Promise<Release> {
		if (signal?.aborted) throw abortedError();
		if (this.mode === 'local') return await this.local.acquire(signal);
		return await new Promise<Release>((resolve, reject) => {
			const waiter: Waiter = {
				resolve,
				reject,
				signal,
				onAbort: () => {
					const at = this.waiting.indexOf(waiter);
					if (at >= 0) this.waiting.splice(at, 1);
					reject(abortedError());
				},
			};
			signal?.addEventListener('abort', waiter.onAbort, { once: true });
			this.waiting.push(waiter);
			void this.pump();
		});
	}

	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.waiting.length > 0 && this.mode === 'shared') {
				const lease = randomUUID();
				let answer: Awaited<ReturnType<LimitStore['acquire']>>;
				try {
					answer = await this.bounded(this.store.acquire(this.keys, lease, this.timing.leaseTtlMs, this.max), lease);
				} catch (error) {
					this.fallBack(error);
					return;
				}
				this.lastLimit = answer.limit;
				if (!answer.granted) {
					await this.pause(answer.waitMs > 0 ? answer.waitMs : this.timing.pollMs * (1 + Math.random()));
					continue;
				}
				const waiter = this.waiting.shift();
				if (!waiter) {
					// Everyone who waited was cancelled meanwhile: give the slot back.
					this.store.release(this.keys, lease, 'failed', 0, answer.level, this.max).catch(() => {});
					continue;
				}
				waiter.signal?.removeEventListener('abort', waiter.onAbort);
				this.held.add(lease);
				this.keepRenewing();
				waiter.resolve(this.releaser(lease, answer.level));
			}
		} finally {
			this.pumping = false;
		}
	}

	private releaser(lease: string, level: number): Release {
		let released = false;
		return (outcome: AttemptOutcome) => {
			if (released) return;
			released = true;
			this.held.delete(lease);
			const retryAfterMs = outcome.kind === 'rate-limited' ? (outcome.retryAfterMs ?? 0) : 0;
			this.bounded(this.store.release(this.keys, lease, outcome.kind, retryAfterMs, level, this.max))
				.catch((error: unknown) => this.fallBack(error))
				.finally(() => this.wakePump?.());
		};
	}

	/** Sleeps until `ms` pass or one of this process's slots frees. */
	private pause(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.wakePump = undefined;
				resolve();
			};
			const timer = setTimeout(done, ms);
			this.wakePump = done;
		});
	}

	/**
	 * A Redis call, or TooSlow after `boundMs`. The verdict waits one more turn of the event loop,
	 * so an answer that arrived while this process was busy (its timer and the reply ready at
	 * once) still counts. A slot granted too late is given back.
	 */
	private bounded<T>(call: Promise<T>, lease?: string): Promise<T> {
		let timer: NodeJS.Timeout | undefined;
		let settled = false;
		void call.then(
			() => (settled = true),
			() => (settled = true),
		);
		const slow = new Promise<never>((_, reject) => {
			timer = setTimeout(() => setImmediate(() => {
				if (settled) return;
				reject(new TooSlow());
				if (lease) {
					call
						.then((answer) => {
							const level = (answer as { granted?: boolean; level?: number }).granted ? ((answer as { level: number }).level ?? 0) : -1;
							if (level >= 0) return this.store.release(this.keys, lease, 'failed', 0, level, this.max);
							return undefined;
						})
						.catch(() => {});
				}
			}), this.store.connectedOnce ? this.timing.boundMs : CONNECT_TIMEOUT_MS);
		});
		return Promise.race([call, slow]).finally(() => clearTimeout(timer));
	}

	private keepRenewing(): void {
		if (this.renewTimer) return;
		this.renewTimer = setInterval(() => {
			if (this.held.size === 0) {
				clearInterval(this.renewTimer);
				this.renewTimer = undefined;
				return;
			}
			this.bounded(this.store.renew(this.keys, [...this.held], this.timing.leaseTtlMs)).catch((error: unknown) => this.fallBack(error));
		}, this.timing.renewEveryMs);
		this.renewTimer.unref();
	}

	/** Redis failed or was slow: this process's own limiter from now on, until Redis answers again. */
	private fallBack(error: unknown): void {
		if (this.mode === 'local') return;
		this.mode = 'local';
		const slow = error instanceof TooSlow;
		this.report({
			kind: 'fallback',
			cause: slow ? 'slow' : 'error',
			boundMs: this.timing.boundMs,
			detail: slow ? '' : error instanceof Error ? error.message : String(error),
		});
		this.local.adopt(this.lastLimit ?? SHARED_START);
		for (const waiter of this.waiting.splice(0)) {
			waiter.signal?.removeEventListener('abort', waiter.onAbort);
			this.local.acquire(waiter.signal).then(waiter.resolve, waiter.reject);
		}
		this.probeTimer = setInterval(() => {
			this.bounded(this.store.ping()).then(
				() => {
					if (this.mode === 'shared') return;
					clearInterval(this.probeTimer);
					this.probeTimer = undefined;
					this.mode = 'shared';
					this.report({ kind: 'restored' });
				},
				() => {},
			);
		}, this.timing.probeEveryMs);
		this.probeTimer.unref();
	}

	/** Stops the timers (tests, and a process that shuts down). */
	dispose(): void {
		clearInterval(this.renewTimer);
		clearInterval(this.probeTimer);
	}
}
