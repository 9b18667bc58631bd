import type { Cluster, Redis, RedisOptions } from 'ioredis';

import type { RedisSettings } from './redis-settings';
import { ACQUIRE, RELEASE, RENEW } from './scripts';

type Client = Redis | Cluster;

/** The commands the scripts define on the client (ioredis sends EVALSHA, and EVAL once when the script is new). */
interface LimitCommands {
	slierAcquire(state: string, leases: string, ...args: Array<string | number>): Promise<[number, number, number]>;
	slierRelease(state: string, leases: string, ...args: Array<string | number>): Promise<number>;
	slierRenew(leases: string, ...args: Array<string | number>): Promise<number>;
}

export type Outcome = 'ok' | 'rate-limited' | 'failed';

/** What the shared limiter asks of Redis; each call rejects on any trouble (the caller falls back). */
export interface LimitStore {
	acquire(keys: LimitKeys, lease: string, leaseTtlMs: number, max: number): Promise<{ granted: boolean; level: number; waitMs: number; limit: number }>;
	release(keys: LimitKeys, lease: string, outcome: Outcome, retryAfterMs: number, level: number, max: number): Promise<void>;
	renew(keys: LimitKeys, leases: string[], leaseTtlMs: number): Promise<void>;
	ping(): Promise<void>;
	close(): Promise<void>;
	/** True once the first connection was made: until then a call may wait for it (connectTimeout). */
	readonly connectedOnce: boolean;
}

export interface LimitKeys {
	state: string;
	leases: string;
}

/** The longest wait for the first connection, once per process (then QueueGateTiming.boundMs applies). */
export const CONNECT_TIMEOUT_MS = 2_000;

/** A limit unused for this long is dropped from Redis (like an idle local limiter, it relearns fast). */
export const STATE_TTL_MS = 5 * 60_000;

/**
 * The keys of one provider origin and key. `id` is a hash of both, never the key; the braces make
 * both keys one Redis Cluster slot, as a script needs. The queue's prefix keeps them beside n8n's.
 */
export function limitKeys(prefix: string, id: string): LimitKeys {
	const base = `${prefix.replace(/[{}]/g, '')}:slier-limit:{${id}}`;
	return { state: `${base}:state`, leases: `${base}:leases` };
}

/**
 * ioredis, as n8n ships it: n8n puts its own node_modules on the module path of community
 * packages, so nothing is installed with this package. Loaded only in queue mode.
 */
type IoRedis = typeof import('ioredis');
export function loadIoRedis(): IoRedis | undefined {
	try {
		return require('ioredis') as IoRedis;
	} catch {
		return undefined;
	}
}

/**
 * One connection per process for every shared limit, made the way n8n makes its own (same
 * settings). A command sent while the connection is (re)made waits for it, but the limiter never
 * waits longer than its bound (queue-gate.ts); a command in flight when the connection drops
 * fails at once (no retries per request). ioredis keeps reconnecting every second.
 */
export function connect(ioredis: IoRedis, settings: RedisSettings, adaptive: { cap: number; rounds: number; start: number }): LimitStore {
	const options: RedisOptions = {
		username: settings.username || undefined,
		password: settings.password || undefined,
		db: settings.db,
		enableReadyCheck: false,
		maxRetriesPerRequest: 0,
		connectTimeout: CONNECT_TIMEOUT_MS,
		retryStrategy: () => 1_000,
		...(settings.dualStack ? { family: 0 } : {}),
		...(settings.tls ? { tls: { servername: settings.tlsServerName || undefined, rejectUnauthorized: settings.tlsRejectUnauthorized } } : {}),
	};
	const Redis = ioredis.default ?? (ioredis as unknown as IoRedis['default']);
	const client: Client =
		settings.clusterNodes.length > 0
			? new Redis.Cluster(settings.clusterNodes, { redisOptions: options, clusterRetryStrategy: () => 1_000 })
			: new Redis({ ...options, host: settings.host, port: settings.port });
	// Trouble shows as failed commands (and one warning from the limiter); n8n logs its own Redis errors.
	client.on('error', () => {});
	let connectedOnce = false;
	client.once('connect', () => (connectedOnce = true));
	client.defineCommand('slierAcquire', { numberOfKeys: 2, lua: ACQUIRE });
	client.defineCommand('slierRelease', { numberOfKeys: 2, lua: RELEASE });
	client.defineCommand('slierRenew', { numberOfKeys: 1, lua: RENEW });
	const commands = client as unknown as LimitCommands;
	return {
		async acquire(keys, lease, leaseTtlMs, max) {
			const [granted, value, limit] = await commands.slierAcquire(keys.state, keys.leases, lease, leaseTtlMs, max, STATE_TTL_MS, adaptive.start);
			return granted === 1 ? { granted: true, level: value, waitMs: 0, limit } : { granted: false, level: 0, waitMs: value, limit };
		},
		async release(keys, lease, outcome, retryAfterMs, level, max) {
			await commands.slierRelease(keys.state, keys.leases, lease, outcome, retryAfterMs, level, max, adaptive.cap, adaptive.rounds, STATE_TTL_MS, adaptive.start);
		},
		async renew(keys, leases, leaseTtlMs) {
			if (leases.length > 0) await commands.slierRenew(keys.leases, leaseTtlMs, ...leases);
		},
		async ping() {
			await client.ping();
		},
		async close() {
			client.disconnect();
		},
		get connectedOnce() {
			return connectedOnce;
		},
	};
}
