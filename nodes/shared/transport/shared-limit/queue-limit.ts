import { createHash } from 'node:crypto';

import { RETRY_AFTER_CAP_MS } from '../retry';
import { CAREFUL_PROBE_ROUNDS, SHARED_MAX_IN_FLIGHT, type AdaptiveLimiter, type Gate } from '../limiter';
import { QueueGate, SHARED_START, type SharedLimitEvent } from './queue-gate';
import { redisSettings } from './redis-settings';
import { connect, limitKeys, loadIoRedis, type LimitStore } from './redis-store';

/**
 * Queue mode's side of the provider limit, loaded only in queue mode (provider-gate.ts): one
 * Redis connection per process, one QueueGate per provider origin and key.
 */
let store: LimitStore | undefined | null;
const gates = new Map<string, QueueGate>();
let report: (event: SharedLimitEvent) => void = () => {};
/** How often this process fell back to its own limit (for the bench's figures). */
export const queueLimitStats = { fallbacks: 0 };

/** Where the shared limit's events go: the latest node run's logger (they all log to n8n's log). */
export function reportTo(listener: (event: SharedLimitEvent) => void): void {
	report = listener;
}

/** A hash of the origin and the key: what names the limit in Redis, never the key itself. */
export function limitId(baseUrl: string, apiKey: string): string {
	return createHash('sha256').update(`${new URL(baseUrl).origin}\n${apiKey}`).digest('hex').slice(0, 32);
}

export function queueGate(baseUrl: string, apiKey: string, local: AdaptiveLimiter): Gate {
	if (store === undefined) {
		const ioredis = loadIoRedis();
		if (!ioredis) {
			store = null;
			report({ kind: 'unavailable', detail: 'ioredis could not be loaded from n8n' });
		} else {
			store = connect(ioredis, redisSettings(), { cap: RETRY_AFTER_CAP_MS, rounds: CAREFUL_PROBE_ROUNDS, start: SHARED_START });
		}
	}
	if (store === null) return local;
	const id = limitId(baseUrl, apiKey);
	let gate = gates.get(id);
	// The local limiter is dropped when idle (limiter.ts); a gate follows it.
	if (!gate || gate.local !== local) {
		gate?.dispose();
		gate = new QueueGate(store, limitKeys(redisSettings().prefix, id), local, SHARED_MAX_IN_FLIGHT, (event) => {
			if (event.kind === 'fallback') queueLimitStats.fallbacks++;
			report(event);
		});
		gates.set(id, gate);
	}
	return gate;
}
