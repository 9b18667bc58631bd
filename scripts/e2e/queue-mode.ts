/**
 * n8n in queue mode: a main process and `n8n worker` processes on a real Redis and a real
 * PostgreSQL (Debian's packages; .ci/run installs them), against the emulator's capped provider
 * (8 requests at a time, 429 with retry-after 1 s beyond). The measurement: 20 webhook
 * calls of 10 items each, all at once; every item must be answered, with 2 and with 4 workers,
 * and at most 10 % of the requests rejected. Run on n8n 2.40.7 only, to keep CI short.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Redis from 'ioredis';

import { startEmulator, type SlierEmulator } from '../../test/emulator/server';
import { readyLine } from '../../test/helpers/ready-line';
import { redisBinary, startRedis, type RedisServer } from '../../test/helpers/redis-server';
import { check, node, slierCredentials, toMain, workflow, type Test } from './kit';
import { N8nHost, stopProcess } from './n8n-host';
import { freePort, postgresBinaries, startPostgres, type Postgres } from './services';
import { credentialsFile } from './workflows';

export const QUEUE_MODE_VERSION = '2.40.7';
const PATH = 'slier-queue';
const CALLS = 20;
const ITEMS = 10;
const CAP = 8;
const LATENCY_MS = 100;

/** Webhook → Split Out (one item per text) → Slier Chat (failed items stay in the output) → the answer. */
function queueWorkflow() {
	return workflow(
		'slierE2Equeue001',
		'e2e: queue mode',
		[
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} }, [0, 0], {
				webhookId: '3f0c9b1e-7a42-4d8e-b5c6-2a9e8d7f1b34',
			}),
			node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.texts', options: { destinationFieldName: 'text' } }, [200, 0]),
			node(
				'Slier Chat',
				'n8n-nodes-slier.slierChat',
				1,
				{ model: { __rl: true, mode: 'id', value: 'claude-2' }, messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] } },
				[400, 0],
				{ credentials: slierCredentials, onError: 'continueRegularOutput' },
			),
		],
		{ Webhook: { main: toMain('Split Out') }, 'Split Out': { main: toMain('Slier Chat') } },
	);
}

export async function queueModeChecks(test: Test, sqliteHost: N8nHost, version: string): Promise<void> {
	if (version !== QUEUE_MODE_VERSION) {
		console.log(`  - queue mode: checked on n8n ${QUEUE_MODE_VERSION} only (this is ${version})`);
		return;
	}
	const redisBin = redisBinary();
	const pgBin = postgresBinaries();
	if (!redisBin || !pgBin) {
		console.log(`  ! QUEUE MODE CHECK SKIPPED: it needs Debian's redis-server and postgresql (${!redisBin ? 'no redis-server' : 'no postgresql'})`);
		return;
	}
	let redis: RedisServer | undefined;
	let postgres: Postgres | undefined;
	let emulator: SlierEmulator | undefined;
	let main: N8nHost | undefined;
	let workers: ChildProcess[] = [];
	const stopWorkers = async () => {
		await Promise.all(workers.map((worker) => stopProcess(worker, 20_000)));
		workers = [];
	};
	try {
		await test('queue mode: main and workers start on Redis and PostgreSQL', async () => {
			await sqliteHost.stop(); // the cores go to the queue-mode processes
			[redis, postgres, emulator] = await Promise.all([
				startRedis(redisBin),
				startPostgres(pgBin),
				startEmulator({ maxInFlight: CAP, capRetryAfterMs: 1_000, latencyMs: LATENCY_MS }),
			]);
			main = new N8nHost(sqliteHost.cache, sqliteHost.home, await freePort());
			main.extraEnv = {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: 'postgres',
				DB_POSTGRESDB_USER: 'postgres',
				DB_POSTGRESDB_PASSWORD: '',
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
			};
			await main.importJson('credentials', 'queue-credentials', credentialsFile(emulator.apiKey, emulator.url));
			await main.importJson('workflow', 'queue-workflow', queueWorkflow());
			await main.cli('publish:workflow', '--id=slierE2Equeue001');
			await main.start();
		});
		for (const count of [2, 4]) {
			await test(`queue mode, ${count} workers: ${CALLS} webhook calls of ${ITEMS} items against a cap of ${CAP}: every item answered, 429s at most 10 % of requests`, async () => {
				check(main && emulator && redis, 'queue mode did not start');
				await stopWorkers();
				workers = await Promise.all(Array.from({ length: count }, () => startWorker(main!)));
				// Each run learns the provider afresh: forget the shared limit the last run learned.
				const client = new Redis({ host: '127.0.0.1', port: redis!.port });
				const ours = await client.keys('*slier-limit*');
				if (ours.length > 0) await client.del(...ours);
				client.disconnect();
				emulator!.reset();
				await main!.waitForWebhook(PATH, 'POST');
				const started = Date.now();
				const replies = await Promise.all(
					Array.from({ length: CALLS }, async (_, call) => {
						const res = await fetch(`${main!.url}/webhook/${PATH}`, {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify({ texts: Array.from({ length: ITEMS }, (_, i) => `call ${call} item ${i}`) }),
						});
						const text = await res.text();
						if (!res.ok) throw new Error(`call ${call}: HTTP ${res.status} ${text.slice(0, 300)}`);
						return JSON.parse(text) as Array<{ content?: unknown; error?: string }>;
					}),
				);
				const wall = Date.now() - started;
				const items = replies.flat();
				const answered = items.filter((item) => typeof item.content === 'string').length;
				const { completions, rejectedByCap } = emulator!.stats;
				const requests = completions + rejectedByCap;
				const ideal = ((CALLS * ITEMS) / CAP) * LATENCY_MS;
				console.log(
					`      ${count} workers: ${answered} of ${CALLS * ITEMS} items answered; ${rejectedByCap} of ${requests} requests rejected (${((100 * rejectedByCap) / requests).toFixed(1)} %); ${wall} ms, ${(wall / ideal).toFixed(1)}× the ideal ${ideal} ms (${CALLS * ITEMS} items ÷ ${CAP} × ${LATENCY_MS} ms)`,
				);
				const errors = [...new Set(items.filter((item) => item.error).map((item) => item.error))];
				check(answered === CALLS * ITEMS, `only ${answered} of ${CALLS * ITEMS} items answered; errors: ${errors.join(' | ').slice(0, 600)}`);
				check(rejectedByCap <= 0.1 * requests, `${rejectedByCap} of ${requests} requests were rejected (more than 10 %)`);
			});
		}
	} finally {
		await stopWorkers();
		await main?.stop();
		await emulator?.close();
		await redis?.stop();
		await postgres?.stop();
	}
}

/** `n8n worker` with the main's settings and ports of its own; resolved once it is ready. */
async function startWorker(main: N8nHost): Promise<ChildProcess> {
	const port = await freePort();
	const broker = await freePort();
	const health = await freePort();
	const worker = spawn(main.nodeBin, [main.n8nBin, 'worker'], {
		cwd: main.home,
		env: { ...main.env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(broker), QUEUE_HEALTH_CHECK_PORT: String(health) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	await readyLine(worker, 'n8n worker is now ready', 'an n8n worker', 120_000);
	// Keep reading its output, so a full pipe never stalls it; show the Slier lines (warnings).
	worker.stdout?.on('data', (chunk: Buffer) => printSlierLines(chunk));
	worker.stderr?.on('data', (chunk: Buffer) => printSlierLines(chunk));
	return worker;
}

function printSlierLines(chunk: Buffer): void {
	for (const line of chunk.toString().split('\n')) if (/Slier: /.test(line)) console.log(`      worker log: ${line.trim().slice(0, 300)}`);
}
