import { execFile } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';

import { AdaptiveLimiter, type Release } from '../../nodes/shared/transport/limiter';
import { QueueGate, type QueueGateTiming, type SharedLimitEvent } from '../../nodes/shared/transport/shared-limit/queue-gate';
import { limitId, queueGate } from '../../nodes/shared/transport/shared-limit/queue-limit';
import { redisSettings } from '../../nodes/shared/transport/shared-limit/redis-settings';
import { connect, limitKeys, type LimitStore } from '../../nodes/shared/transport/shared-limit/redis-store';
import { startEmulator, type SlierEmulator } from '../emulator/server';
import { redisBinary, startRedis, type RedisServer } from '../helpers/redis-server';
import { within } from '../helpers/within';

/**
 * The queue-mode shared limit against a real redis-server, outside n8n: worker processes that
 * hold one cap together, slots of a killed worker that expire, and Redis trouble that costs
 * nothing (one warning, this process's own limiter, back to the shared one when Redis answers).
 */
const binary = redisBinary();
if (!binary) console.warn('\n  SKIPPED: the shared-limit tests need a redis-server binary (apt-get install -y redis-server)\n');
const suite = binary ? describe : describe.skip;
jest.setTimeout(60_000);

const KEY = 'sk-shared-limit-test-key';
const child = join(__dirname, 'child.ts');
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('regular mode (one process)', () => {
	it('loads nothing of the Redis side: neither ioredis nor the queue-mode modules', async () => {
		const run = async (mode: string) => {
			const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register', child, 'loaded', 'http://127.0.0.1:9', KEY, '0'], {
				env: { ...process.env, EXECUTIONS_MODE: mode, QUEUE_BULL_REDIS_PORT: '9', TS_NODE_TRANSPILE_ONLY: 'true' },
				timeout: 45_000,
			});
			return JSON.parse(stdout.trim().split('\n').pop()!) as string[];
		};
		expect(await run('regular')).toEqual([]);
		// The same run in queue mode does load them (so the check above can fail).
		expect((await run('queue')).some((file) => file.startsWith('ioredis'))).toBe(true);
	});
});

describe("n8n's Redis settings (QUEUE_BULL_REDIS_*), read as n8n reads them", () => {
	it('takes 1 and 0 for true and false, as it takes true and false', () => {
		const on = redisSettings({ QUEUE_BULL_REDIS_TLS: '1', QUEUE_BULL_REDIS_DUALSTACK: '1', QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: '0' });
		expect(on).toMatchObject({ tls: true, dualStack: true, tlsRejectUnauthorized: false });
		const off = redisSettings({ QUEUE_BULL_REDIS_TLS: '0', QUEUE_BULL_REDIS_DUALSTACK: 'false', QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: 'TRUE' });
		expect(off).toMatchObject({ tls: false, dualStack: false, tlsRejectUnauthorized: true });
	});

	it('drops one pair of matching quotes around a value; quotes that do not pair are part of it (a password may start and end with them)', () => {
		expect(redisSettings({ QUEUE_BULL_REDIS_PASSWORD: ' "s3cret" ' }).password).toBe('s3cret');
		expect(redisSettings({ QUEUE_BULL_REDIS_PASSWORD: "'s3cret'" }).password).toBe('s3cret');
		expect(redisSettings({ QUEUE_BULL_REDIS_PASSWORD: '\'s3"cret"' }).password).toBe('\'s3"cret"');
		expect(redisSettings({ QUEUE_BULL_REDIS_PASSWORD: '"s3cret\'' }).password).toBe('"s3cret\'');
	});
});

suite('the shared limit in queue mode, against a real redis-server', () => {
	let redis: RedisServer;
	let inspect: Redis;
	let emulator: SlierEmulator;
	const gates: QueueGate[] = [];
	const stores: LimitStore[] = [];

	beforeAll(async () => {
		redis = await startRedis(binary!);
		inspect = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
		inspect.on('error', () => {});
		emulator = await startEmulator({ apiKey: KEY, latencyMs: 60 });
	});
	afterAll(async () => {
		for (const gate of gates) gate.dispose();
		for (const store of stores) await store.close();
		inspect.disconnect();
		await emulator.close();
		await redis.stop();
	});
	beforeEach(async () => {
		await inspect.flushall();
		emulator.reset();
	});

	const env = (mode: string) => ({
		...process.env,
		EXECUTIONS_MODE: mode,
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		TS_NODE_TRANSPILE_ONLY: 'true',
	});
	const keys = () => limitKeys('bull', limitId(emulator.url, KEY));
	/** A limit the workers had learned: 3 at a time, grown only after many successes. */
	const seed = () => inspect.hset(keys().state, 'limit', 3, 'throttled', 1);

	const send = async (mode: string, n: number) => {
		const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register', child, 'send', emulator.url, KEY, String(n)], {
			env: env(mode),
			timeout: 45_000,
		});
		return JSON.parse(stdout.trim().split('\n').pop()!) as { answered: number; shared: boolean; events: unknown[] };
	};

	/** A connection to the test's Redis, as a worker of its own makes it. */
	const store = () => {
		const made = connect(require('ioredis'), { ...settings(), port: redis.port }, { cap: 60_000, rounds: 8, start: 8 });
		stores.push(made);
		return made;
	};

	/** A gate in this process, with short timings so the tests are quick (`through` may watch its Redis calls). */
	const gate = (events: SharedLimitEvent[] = [], timing: Partial<QueueGateTiming> = {}, through: (store: LimitStore) => LimitStore = (s) => s) => {
		const made = new QueueGate(through(store()), keys(), new AdaptiveLimiter(64), 64, (event) => events.push(event), {
			leaseTtlMs: 1_000,
			renewEveryMs: 300,
			boundMs: 100,
			pollMs: 25,
			probeEveryMs: 200,
			...timing,
		});
		gates.push(made);
		return made;
	};

	it('two worker processes hold the cap together; each on its own does not', async () => {
		await seed();
		const shared = await Promise.all([send('queue', 10), send('queue', 10)]);
		expect(shared).toEqual([
			{ answered: 10, shared: true, events: [] },
			{ answered: 10, shared: true, events: [] },
		]);
		expect(emulator.stats.peakInFlight).toBeLessThanOrEqual(3);
		expect(emulator.stats.completions).toBe(20);

		// The same two processes in regular mode: each has its own limit, so together they exceed 3.
		emulator.reset();
		await inspect.flushall();
		await seed();
		const alone = await Promise.all([send('regular', 10), send('regular', 10)]);
		expect(alone.map((r) => r.shared)).toEqual([false, false]);
		expect(emulator.stats.peakInFlight).toBeGreaterThan(3);
	});

	it('Redis holds a hash of the origin and key, never the key, and every key expires', async () => {
		await send('queue', 4);
		const names = await inspect.keys('*');
		expect(names.sort()).toEqual([keys().leases, keys().state].sort().filter((name) => names.includes(name)));
		expect(names).toContain(keys().state);
		for (const name of names) {
			expect(name).not.toContain(KEY);
			expect(name).not.toContain('127.0.0.1');
			expect(await inspect.pttl(name)).toBeGreaterThan(0);
			const type = await inspect.type(name);
			const content = type === 'hash' ? JSON.stringify(await inspect.hgetall(name)) : JSON.stringify(await inspect.zrange(name, 0, -1));
			expect(content).not.toContain(KEY);
		}
	});

	it('a fresh shared limit starts at 8 (a run’s default Max Concurrent Requests) and grows by one per success until the first 429', async () => {
		const g = gate();
		const first: Release[] = await Promise.all(Array.from({ length: 8 }, () => g.acquire()));
		let ninth = false;
		const waiting = g.acquire().then((release) => {
			ninth = true;
			return release;
		});
		await tick(300);
		expect(ninth).toBe(false);
		first[0]({ kind: 'ok' });
		const release = await waiting;
		expect(await inspect.hget(keys().state, 'limit')).toBe('9');
		first[1]({ kind: 'rate-limited', retryAfterMs: 1_000 });
		// The release reaches Redis on its own time: wait for it, however slow the machine.
		for (let i = 0; i < 250 && (await inspect.hget(keys().state, 'limit')) === '9'; i++) await tick(20);
		// The 429 came with 8 in flight (itself included): one below, and from now on it grows only carefully.
		expect(await inspect.hmget(keys().state, 'limit', 'throttled')).toEqual(['7', '1']);
		for (const r of [...first.slice(2), release]) r({ kind: 'ok' });
	});

	it("a killed worker's slots free once its leases lapse; while it lives, they stay taken", async () => {
		await inspect.hset(keys().state, 'limit', 2, 'throttled', 1);
		const holder = spawn(process.execPath, ['-r', 'ts-node/register', child, 'hold', emulator.url, KEY, '2'], { env: env('queue'), stdio: ['ignore', 'pipe', 'inherit'] });
		await new Promise<void>((resolve, reject) => {
			holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
			holder.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
		});
		let granted = false;
		const waiting = gate()
			.acquire()
			.then((release) => {
				granted = true;
				return release;
			});
		// Longer than a lease (1 s): renewed by the living holder, so still taken.
		await tick(1_800);
		expect(granted).toBe(false);
		expect(await inspect.zcard(keys().leases)).toBe(2);
		holder.kill('SIGKILL');
		const release = await waiting;
		expect(granted).toBe(true);
		release({ kind: 'ok' });
	});

	it('while every shared slot is taken, a waiter asks Redis again at the poll interval or when a slot of this process frees, not in a busy loop', async () => {
		await inspect.hset(keys().state, 'limit', 1, 'throttled', 1);
		let asked = 0;
		const g = gate([], { pollMs: 60_000 }, (real) => {
			const counting = Object.create(real) as LimitStore;
			counting.acquire = (...args) => {
				asked++;
				return real.acquire(...args);
			};
			return counting;
		});
		const holder = await g.acquire();
		const waiting = g.acquire();
		// However slow this machine: wait for the waiter's first ask, then give a busy loop time to show.
		for (let i = 0; i < 250 && asked < 2; i++) await tick(20);
		await tick(200);
		// Granted once, refused once: the next ask waits for the poll (a minute here) or a freed slot.
		expect(asked).toBe(2);
		holder({ kind: 'ok' });
		(await within(5_000, waiting))({ kind: 'ok' });
		expect(asked).toBe(3);
	});

	it('an execution cancelled before it asks takes no slot: refused at once, nothing held in Redis', async () => {
		const g = gate();
		const controller = new AbortController();
		controller.abort();
		await expect(within(5_000, g.acquire(controller.signal))).rejects.toMatchObject({ kind: 'aborted' });
		await tick(100);
		expect(await inspect.zcard(keys().leases)).toBe(0);
	});

	it('a waiter cancelled while first in line takes no slot: the next one gets the slot the holder frees', async () => {
		await inspect.hset(keys().state, 'limit', 1, 'throttled', 1);
		const g = gate();
		const holder = await g.acquire();
		const controller = new AbortController();
		const cancelled = g.acquire(controller.signal);
		await tick(100);
		controller.abort();
		await expect(cancelled).rejects.toMatchObject({ kind: 'aborted' });
		holder({ kind: 'ok' });
		const next = await within(5_000, g.acquire());
		expect(await inspect.zcard(keys().leases)).toBe(1);
		next({ kind: 'ok' });
	});

	it('a slot released twice counts once: the shared limit learns one success, not two', async () => {
		const g = gate();
		const release = await g.acquire();
		release({ kind: 'ok' });
		release({ kind: 'ok' });
		// This acquire reaches Redis after both releases (one connection, in order).
		const next = await g.acquire();
		expect(await inspect.hget(keys().state, 'limit')).toBe('9');
		next({ kind: 'ok' });
	});

	it("a 429 on a lone attempt pauses every worker for its retry-after: another worker's ask is told to wait", async () => {
		const g = gate();
		const release = await g.acquire();
		release({ kind: 'rate-limited', retryAfterMs: 30_000 });
		for (let i = 0; i < 100 && (await inspect.zcard(keys().leases)) > 0; i++) await tick(20);
		const answer = await store().acquire(keys(), 'another-worker', 1_000, 64);
		expect(answer.granted).toBe(false);
		expect(answer.waitMs).toBeGreaterThan(0);
		expect(answer.waitMs).toBeLessThanOrEqual(30_000);
	});

	it('429s with more in flight than a limit of 1 (a lease that lapsed meanwhile) keep the limit at 1, never 0 (which would refuse every worker)', async () => {
		const s = store();
		await inspect.hset(keys().state, 'limit', 1, 'throttled', 1);
		// Another worker's attempt, in flight; ours took its slot first, but its lease lapsed (its worker stalled).
		const [seconds] = await inspect.time();
		await inspect.zadd(keys().leases, (Number(seconds) + 60) * 1000, 'other-worker');
		await s.release(keys(), 'lapsed', 'rate-limited', 0, 1, 64);
		expect(await inspect.hget(keys().state, 'limit')).toBe('1');
		await s.release(keys(), 'other-worker', 'rate-limited', 0, 1, 64);
		expect(await s.acquire(keys(), 'next', 1_000, 64)).toMatchObject({ granted: true, limit: 1 });
	});

	it('a 429 at a shared limit just reached by growing lowers it, even at a level that succeeded before (workers count a little ahead of the provider)', async () => {
		const s = store();
		// Level 9 "proven" by a success, the limit grown to 9, no 429 since: a probe one above a cap of 8.
		await inspect.hset(keys().state, 'limit', 9, 'throttled', 1, 'proven', 9, 'sinceOk', 1, 'grown', 1);
		const leases = Array.from({ length: 9 }, (_, i) => `lease-${i}`);
		for (const lease of leases) expect(await s.acquire(keys(), lease, 10_000, 64)).toMatchObject({ granted: true });
		await s.release(keys(), leases[8], 'rate-limited', 0, 9, 64);
		expect(await inspect.hget(keys().state, 'limit')).toBe('8');
		for (const lease of leases.slice(0, 8)) await s.release(keys(), lease, 'ok', 0, 8, 64);
	});

	it('a worker keeps one gate per provider and key for all its runs, and makes a new one only with a new local limiter', async () => {
		const saved = { host: process.env.QUEUE_BULL_REDIS_HOST, port: process.env.QUEUE_BULL_REDIS_PORT };
		process.env.QUEUE_BULL_REDIS_HOST = '127.0.0.1';
		process.env.QUEUE_BULL_REDIS_PORT = String(redis.port);
		const made: QueueGate[] = [];
		try {
			const local = new AdaptiveLimiter(64);
			made.push(queueGate(emulator.url, KEY, local) as QueueGate);
			expect(made[0]).toBeInstanceOf(QueueGate);
			made.push(queueGate(emulator.url, KEY, local) as QueueGate);
			expect(made[1]).toBe(made[0]);
			// The idle local limiter was dropped and made anew (limiter.ts): the gate follows it.
			const renewed = new AdaptiveLimiter(64);
			made.push(queueGate(emulator.url, KEY, renewed) as QueueGate);
			expect(made[2]).not.toBe(made[0]);
			expect(made[2].local).toBe(renewed);
		} finally {
			for (const [name, value] of [['QUEUE_BULL_REDIS_HOST', saved.host], ['QUEUE_BULL_REDIS_PORT', saved.port]] as const) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
			for (const g of made) g.dispose();
			// The module's one connection, reached through a gate (no worker ever closes it).
			await (made[0] as unknown as { store?: LimitStore } | undefined)?.store?.close();
		}
	});

	it('a paused Redis (every call hangs): one warning, the own limiter at once; resumed: shared again', async () => {
		const events: SharedLimitEvent[] = [];
		const g = gate(events);
		(await g.acquire())({ kind: 'ok' });
		expect(g.shared).toBe(true);
		const held: Release[] = await Promise.all(Array.from({ length: 3 }, () => g.acquire()));
		const learned = Number(await inspect.hget(keys().state, 'limit'));
		redis.pause();
		try {
			// Their releases hang too, and the acquires below would hang for as long as Redis is
			// paused: the bound sends them to the own limiter, with one warning for all.
			for (const release of held) release({ kind: 'ok' });
			const releases: Release[] = await Promise.all(Array.from({ length: 5 }, () => g.acquire()));
			await tick(300);
			expect(events).toEqual([{ kind: 'fallback', cause: 'slow', boundMs: 100, detail: '' }]);
			expect(g.shared).toBe(false);
			// The own limiter starts from the shared limit, not from 64: no burst past what was learned.
			expect(g.local.limit).toBe(learned);
			for (const release of releases) release({ kind: 'ok' });
		} finally {
			redis.resume();
		}
		for (let i = 0; i < 100 && !g.shared; i++) await tick(50);
		expect(events.map((e) => e.kind)).toEqual(['fallback', 'restored']);
		const release = await g.acquire();
		expect(await inspect.zcard(keys().leases)).toBe(1);
		release({ kind: 'ok' });
	});

	it('a worker whose Redis has not answered yet falls back to its own limit starting at 8, not at 64 (no burst of its waiting requests)', async () => {
		const events: SharedLimitEvent[] = [];
		redis.pause();
		try {
			const g = gate(events);
			const release = await within(10_000, g.acquire());
			expect(events.map((e) => e.kind)).toEqual(['fallback']);
			expect(g.shared).toBe(false);
			expect(g.local.limit).toBe(8);
			release({ kind: 'ok' });
		} finally {
			redis.resume();
		}
	});

	it('a stopped Redis: one warning and the own limiter; restarted: used again', async () => {
		const events: SharedLimitEvent[] = [];
		const g = gate(events);
		(await g.acquire())({ kind: 'ok' });
		await redis.stop();
		try {
			const releases: Release[] = [];
			for (let i = 0; i < 3; i++) releases.push(await g.acquire());
			// Refused (the connection is gone) or unanswered within the bound, whichever comes first.
			expect(events.map((e) => e.kind)).toEqual(['fallback']);
			for (const release of releases) release({ kind: 'ok' });
		} finally {
			await redis.restart();
		}
		for (let i = 0; i < 200 && !g.shared; i++) await tick(50);
		expect(events.map((e) => e.kind)).toEqual(['fallback', 'restored']);
		const release = await g.acquire();
		expect(await inspect.zcard(keys().leases)).toBe(1);
		release({ kind: 'ok' });
	});
});

function settings() {
	return {
		host: '127.0.0.1',
		port: 0,
		db: 0,
		username: '',
		password: '',
		tls: false,
		tlsServerName: '',
		tlsRejectUnauthorized: true,
		clusterNodes: [],
		dualStack: false,
		prefix: 'bull',
	};
}
