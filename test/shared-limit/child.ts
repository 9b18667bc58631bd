/**
 * One "worker" process for the shared-limit tests: it takes the provider gate as a queue-mode
 * node run does (EXECUTIONS_MODE and QUEUE_BULL_REDIS_* come from the test) and either
 *   send <url> <key> <n>: sends n completions at once through the gate, each holding its slot
 *     for the request, and prints {"answered": …, "shared": …, "events": […]};
 *   hold <url> <key> <n>: takes n slots (1 s leases renewed every 0.3 s), prints "held", and
 *     keeps them until it is killed;
 *   loaded <url> <key> 0: takes the gate and prints which Redis-side modules are loaded.
 * Run by the tests with ts-node; every wait is bounded by the test that runs it.
 */
import { request } from 'undici';

import { AdaptiveLimiter } from '../../nodes/shared/transport/limiter';
import { providerGate } from '../../nodes/shared/transport/shared-limit/provider-gate';

// The Redis side is required only where it is used, so `loaded` sees what a node run loads.
type QueueGateModule = typeof import('../../nodes/shared/transport/shared-limit/queue-gate');
type QueueLimitModule = typeof import('../../nodes/shared/transport/shared-limit/queue-limit');
type SettingsModule = typeof import('../../nodes/shared/transport/shared-limit/redis-settings');
type StoreModule = typeof import('../../nodes/shared/transport/shared-limit/redis-store');

async function main(): Promise<void> {
	const [mode, url, apiKey, count] = process.argv.slice(2);
	const n = Number(count);
	if (mode === 'send') {
		const events: unknown[] = [];
		const gate = providerGate(url, apiKey, (event) => events.push(event));
		let answered = 0;
		await Promise.all(
			Array.from({ length: n }, async (_, i) => {
				const release = await gate.acquire();
				const res = await request(`${url}/v1/chat/completions`, {
					method: 'POST',
					headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'claude-2', messages: [{ role: 'user', content: `child ${process.pid} ${i}` }] }),
				});
				await res.body.text();
				if (res.statusCode === 200) answered++;
				release({ kind: res.statusCode === 429 ? 'rate-limited' : res.statusCode === 200 ? 'ok' : 'failed' });
			}),
		);
		console.log(JSON.stringify({ answered, shared: (gate as { shared?: boolean }).shared === true, events }));
		process.exit(0);
	}
	if (mode === 'hold') {
		const { QueueGate } = require('../../nodes/shared/transport/shared-limit/queue-gate') as QueueGateModule;
		const { limitId } = require('../../nodes/shared/transport/shared-limit/queue-limit') as QueueLimitModule;
		const { redisSettings } = require('../../nodes/shared/transport/shared-limit/redis-settings') as SettingsModule;
		const { connect, limitKeys, loadIoRedis } = require('../../nodes/shared/transport/shared-limit/redis-store') as StoreModule;
		const store = connect(loadIoRedis()!, redisSettings(), { cap: 60_000, rounds: 8, start: 8 });
		const gate = new QueueGate(store, limitKeys('bull', limitId(url, apiKey)), new AdaptiveLimiter(64), 64, () => {}, {
			leaseTtlMs: 1_000,
			renewEveryMs: 300,
			boundMs: 500,
			pollMs: 25,
			probeEveryMs: 1_000,
		});
		for (let i = 0; i < n; i++) await gate.acquire();
		console.log('held');
		setInterval(() => {}, 60_000); // keeps the process (and its lease renewals) alive until killed
		return;
	}
	if (mode === 'loaded') {
		// Which parts of the shared limit a run loads in this mode (regular mode: none of Redis).
		providerGate(url, apiKey);
		const loaded = Object.keys(require.cache).filter((file) => /ioredis|shared-limit[/\\](queue|redis)/.test(file));
		console.log(JSON.stringify(loaded.map((file) => file.replace(/.*node_modules[/\\]/, '').replace(/.*shared-limit[/\\]/, 'shared-limit/'))));
		process.exit(0);
	}
	throw new Error(`unknown mode ${mode}`);
}

main().catch((error: Error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
