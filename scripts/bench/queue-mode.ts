/**
 * Bench scenario (f): n8n in queue mode, 1, 2 and 4 worker processes sharing one capped provider
 * (8 requests at a time, 429 with retry-after: 1 beyond), with each worker's own limit (what
 * every release before this one did) and with the limit shared through a real redis-server. Per
 * run: items answered, the rejected share of requests, and the wall time against the ideal
 * (items ÷ cap × latency). Each worker runs its share of the executions at once, 10 items each
 * (the issue's measurement: 20 webhook calls of 10 items).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';

import { startEmulator } from '../../test/emulator/server';
import { readyLine } from '../../test/helpers/ready-line';
import { redisBinary, startRedis } from '../../test/helpers/redis-server';

export interface Targets {
	atMost(scenario: string, what: string, value: number, limit: number, unit?: string): void;
	allAnswered(scenario: string, answered: number, n: number): void;
}

const CAP = 8;
const ITEMS_PER_RUN = 10;

export async function benchQueueMode(quick: boolean, targets: Targets): Promise<void> {
	const runs = quick ? 8 : 20;
	const latency = quick ? 50 : 100;
	const processes = quick ? [1, 2] : [1, 2, 4];
	const n = runs * ITEMS_PER_RUN;
	console.log(`(f) queue mode: ${runs} executions of ${ITEMS_PER_RUN} items over 1–${processes[processes.length - 1]} worker processes, provider cap ${CAP} in flight (429 with retry-after: 1 beyond), ${latency} ms latency`);
	const binary = redisBinary();
	if (!binary) {
		console.log('    SKIPPED: no redis-server binary (apt-get install -y redis-server)');
		return;
	}
	const redis = await startRedis(binary);
	const inspect = new Redis({ host: '127.0.0.1', port: redis.port });
	const emulator = await startEmulator({ latencyMs: latency, maxInFlight: CAP, capRetryAfterMs: 1_000 });
	const ideal = (n / CAP) * latency;
	try {
		for (const count of processes) {
			for (const shared of [false, true]) {
				await inspect.flushall();
				emulator.reset();
				const started = await startWorkers(count, runs, emulator.url, emulator.apiKey, redis.port, shared);
				const t0 = performance.now();
				const answers = await started.go();
				const wall = performance.now() - t0;
				const answered = answers.reduce((sum, a) => sum + a.answered, 0);
				const fallbacks = answers.reduce((sum, a) => sum + a.fallbacks, 0);
				const { rejectedByCap, completions } = emulator.stats;
				const share = (100 * rejectedByCap) / (completions + rejectedByCap);
				const label = `${count} process${count === 1 ? '' : 'es'}, ${shared ? 'shared limit' : 'own limits  '}`;
				console.log(
					`    ${label}: answered ${answered}/${n}, rejected ${rejectedByCap} of ${completions + rejectedByCap} requests (${share.toFixed(1)} %), wall ${wall.toFixed(0)} ms = ${(wall / ideal).toFixed(2)}× the ideal ${ideal.toFixed(0)} ms${shared ? `, fallbacks to the own limit ${fallbacks}` : ''}`,
				);
				if (shared) {
					targets.allAnswered('f', answered, n);
					targets.atMost('f', `rejected share, ${count} processes, shared`, share, 10, '%');
				}
			}
		}
	} finally {
		inspect.disconnect();
		await emulator.close();
		await redis.stop();
	}
}

/** Starts the workers and waits until each is ready; `go()` starts them together and collects their answers. */
async function startWorkers(count: number, runs: number, url: string, apiKey: string, redisPort: number, shared: boolean) {
	const children: ChildProcess[] = [];
	const results: Array<Promise<{ answered: number; failed: number; fallbacks: number }>> = [];
	for (let w = 0; w < count; w++) {
		const share = Math.floor(runs / count) + (w < runs % count ? 1 : 0);
		const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, 'queue-worker.ts'), url, apiKey, String(share), String(ITEMS_PER_RUN)], {
			env: {
				...process.env,
				TS_NODE_TRANSPILE_ONLY: 'true',
				// The shared limit's warnings (a fallback to the own limit) show in the bench's output.
				N8N_LOG_LEVEL: 'warn',
				EXECUTIONS_MODE: shared ? 'queue' : 'regular',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
			},
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		children.push(child);
		let out = '';
		results.push(
			new Promise((resolve, reject) => {
				child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
				child.once('exit', (code) => {
					const last = out.trim().split('\n').pop() ?? '';
					if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
					else reject(new Error(`a bench worker exited (${code}):\n${out.slice(-1500)}`));
				});
			}),
		);
	}
	await Promise.all(children.map((child) => readyLine(child, 'ready', 'a bench worker', 60_000)));
	return {
		go: async () => {
			for (const child of children) child.stdin!.write('go\n');
			return await Promise.all(results);
		},
	};
}
