/**
 * `npm run bench`: throughput and streaming figures against the emulator, side by side.
 *   (a) N items, no latency: Slier Chat in WorkflowExecute vs a bare undici loop (the floor) vs
 *       n8n's this.helpers.httpRequest path (what the HTTP Request node uses), same concurrency.
 *   (b) items at 100 ms latency under a provider cap of 8 in flight (429 beyond): wall time vs
 *       the ideal (items ÷ cap × latency), items answered, requests rejected.
 *   (c) one 20 MB streamed answer: the node's transport vs eventsource-parser alone, time and
 *       peak RSS growth, each in its own process.
 *   (d) sporadic 429s: 80 items at 100 ms latency, 8 of them (every tenth, from item 5) answered
 *       429 once with retry-after: 1; wall time vs the ideal, where each of the 8 costs only its
 *       own worker the wait and the retry ((items × latency + 8 × (1 s + latency)) ÷ concurrency).
 *   (f) queue mode: 1, 2 and 4 worker processes against one capped provider, each with its own
 *       limit and with the limit shared through Redis: rejected share and time vs the ideal.
 * `npm run bench -- --quick` runs every scenario at small sizes (CI runs it so the bench cannot rot);
 * `-- --only=b,d` runs only those scenarios. Each scenario checks its targets and prints PASS or
 * FAIL for each; a summary at the end names the failing ones. Missed targets are findings, not
 * errors: the exit code is 1 only when the bench itself breaks.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

import { closeDispatcher, getDispatcher } from '../nodes/shared/transport/dispatcher';
import { SHARED_MAX_IN_FLIGHT, sharedLimiter } from '../nodes/shared/transport/limiter';
import { DEFAULT_EMULATOR_KEY, startEmulator } from '../test/emulator/server';
import { defaultNodeTypes, outputOf, runWorkflow } from '../test/harness/run-workflow';
import { itemsNode, slierNode } from '../test/helpers/slier-node';
import { HttpRequestPath } from './bench/http-request-node';
import { benchQueueMode } from './bench/queue-mode';
import { benchToolRoundTrip } from './bench/tool-round-trip';

const quick = process.argv.includes('--quick');
/** `--only=b,d` runs just those scenarios. */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (name: string) => !only || only.includes(name);
const SIZES = quick
	? { itemsA: 100, itemsB: 40, latencyB: 50, streamChars: 2 * 1024 * 1024, repeats: 1, itemsD: 30, latencyD: 50 }
	: { itemsA: 1000, itemsB: 300, latencyB: 100, streamChars: 20 * 1024 * 1024, repeats: 5, itemsD: 80, latencyD: 100 };
const CONCURRENCY = 8;
const CAP = 8;

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `bench item ${i}` }));
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Target {
	scenario: string;
	what: string;
	pass: boolean;
	shown: string;
}
const targets: Target[] = [];

/** Records a target `value ≤ limit` of a scenario and prints whether it was met. */
function atMost(scenario: string, what: string, value: number, limit: number, unit = '×'): void {
	const show = (x: number) => (unit === '×' ? `${x.toFixed(2)}×` : `${x.toFixed(1)} ${unit}`);
	const pass = value <= limit;
	const shown = `${what} = ${show(value)} (target ≤ ${unit === '×' ? `${limit}×` : `${limit} ${unit}`})`;
	targets.push({ scenario, what, pass, shown });
	console.log(`    ${pass ? 'PASS' : 'FAIL'} ${shown}`);
}

/** Records a target that every item was answered. */
function allAnswered(scenario: string, answered: number, n: number): void {
	const pass = answered === n;
	const shown = `answered ${answered}/${n} (target: all)`;
	targets.push({ scenario, what: 'answered', pass, shown });
	console.log(`    ${pass ? 'PASS' : 'FAIL'} ${shown}`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
	const started = performance.now();
	await fn();
	return performance.now() - started;
}

/**
 * Best of a few runs after one warm-up run: the steady state a long-running n8n reaches (the
 * first runs of each path mostly measure V8 compiling it).
 */
async function best(fn: () => Promise<unknown>): Promise<number> {
	await fn();
	let min = Infinity;
	for (let r = 0; r < SIZES.repeats; r++) min = Math.min(min, await timed(fn));
	return min;
}

function chatWorkflow(
	baseUrl: string,
	apiKey: string,
	n: number,
	maxConcurrency: number,
	content = '={{ $json.text }}',
	inputs: object[] = items(n),
) {
	return runWorkflow({
		nodes: [
			itemsNode(inputs),
			slierNode('slierChat', {
				parameters: {
					model: { __rl: true, mode: 'id', value: 'claude-2' },
					messages: { values: [{ role: 'user', content }] },
					options: { maxConcurrency, maxRetries: 4 },
				},
			}),
		],
		connections: { Items: { main: [[{ node: 'Slier Chat', type: 'main', index: 0 }]] } },
		credentials: { slierApi: { apiKey, baseUrl } },
	});
}

/**
 * The emulator in its own process, as a real provider would be: the figures then measure the
 * client side only, with the server's work on the other core.
 */
async function startEmulatorProcess(): Promise<{ url: string; apiKey: string; close: () => Promise<void> }> {
	const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, 'emulator.ts')], {
		env: { ...process.env, PORT: '0', TS_NODE_TRANSPILE_ONLY: 'true' },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise<string>((resolve, reject) => {
		let seen = '';
		child.stdout.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
			if (match) resolve(match[1]);
		});
		child.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
	});
	return {
		url,
		apiKey: DEFAULT_EMULATOR_KEY,
		close: () =>
			new Promise((resolve) => {
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}

async function benchA() {
	const emulator = await startEmulatorProcess();
	const n = SIZES.itemsA;
	const node = await best(async () => {
		const run = await chatWorkflow(emulator.url, emulator.apiKey, n, CONCURRENCY);
		if (outputOf(run, 'Slier Chat').length !== n) throw new Error('node lost items');
	});
	// The same node with a fixed message: what is left without n8n's per-item expression work.
	const fixed = await best(async () => {
		const run = await chatWorkflow(emulator.url, emulator.apiKey, n, CONCURRENCY, 'bench item');
		if (outputOf(run, 'Slier Chat').length !== n) throw new Error('node lost items');
	});
	const floor = await best(async () => {
		let next = 0;
		const worker = async () => {
			while (next < n) {
				const i = next++;
				const res = await request(`${emulator.url}/v1/chat/completions`, {
					method: 'POST',
					dispatcher: getDispatcher(),
					headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'claude-2', stream: false, messages: [{ role: 'user', content: `bench item ${i}` }] }),
				});
				await res.body.json();
			}
		};
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	});
	const nodeTypes = defaultNodeTypes({ 'bench.httpRequestPath': new HttpRequestPath() });
	const httpRequest = await best(async () => {
		const run = await runWorkflow({
			nodeTypes,
			nodes: [
				{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items(n)) } },
				{
					id: 'h',
					name: 'HTTP',
					type: 'bench.httpRequestPath',
					typeVersion: 1,
					position: [200, 0],
					parameters: {
						url: `${emulator.url}/v1/chat/completions`,
						apiKey: emulator.apiKey,
						concurrency: CONCURRENCY,
						content: '={{ $json.text }}',
					},
				},
			],
			connections: { Items: { main: [[{ node: 'HTTP', type: 'main', index: 0 }]] } },
			credentials: {},
		});
		if (run.data.resultData.error) throw new Error(`httpRequest path failed: ${run.data.resultData.error.message}`);
		if (outputOf(run, 'HTTP').length !== n) throw new Error('httpRequest path lost items');
	});
	await emulator.close();
	console.log(`(a) ${n} items, no latency, concurrency ${CONCURRENCY}, emulator in its own process (best of ${SIZES.repeats} after a warm-up)`);
	console.log(`    Slier Chat node (WorkflowExecute)   ${fmt(node)}   ${(n / (node / 1000)).toFixed(0)} items/s`);
	console.log(`    … with a fixed message (no expression) ${fmt(fixed)}   ${(n / (fixed / 1000)).toFixed(0)} items/s`);
	console.log(`    bare undici loop (floor)            ${fmt(floor)}   ${(n / (floor / 1000)).toFixed(0)} items/s`);
	console.log(`    n8n helpers.httpRequest path        ${fmt(httpRequest)}   ${(n / (httpRequest / 1000)).toFixed(0)} items/s`);
	console.log(`    fixed-message node / floor = ${ratio(fixed, floor)}`);
	atMost('a', 'node / floor', node / floor, 3);
	atMost('a', 'node / httpRequest', node / httpRequest, 0.25);
	return { node, fixed, floor, httpRequest };
}

async function benchB() {
	const n = SIZES.itemsB;
	const latency = SIZES.latencyB;
	const emulator = await startEmulator({ latencyMs: latency, maxInFlight: CAP, capRetryAfterMs: 100 });
	const wall = await timed(async () => {
		const run = await chatWorkflow(emulator.url, emulator.apiKey, n, 16);
		const out = outputOf(run, 'Slier Chat');
		const answered = out.filter((i) => typeof i.json.content === 'string').length;
		(benchB as { answered?: number }).answered = answered;
	});
	const ideal = (n / CAP) * latency;
	const { rejectedByCap, completions } = emulator.stats;
	const sent = completions + rejectedByCap;
	await emulator.close();
	const answered = (benchB as { answered?: number }).answered ?? 0;
	console.log(`(b) ${n} items at ${latency} ms latency, provider cap ${CAP} in flight (429 beyond), Max Concurrent Requests 16`);
	console.log(`    wall ${fmt(wall)}   ideal ${fmt(ideal)}   requests ${sent}, rejected ${rejectedByCap}`);
	atMost('b', 'wall / ideal', wall / ideal, 1.3);
	atMost('b', 'rejected requests', (100 * rejectedByCap) / sent, 10, '%');
	allAnswered('b', answered, n);
	return { wall, ideal, answered, rejected: rejectedByCap / sent };
}

async function benchC() {
	const emulator = await startEmulator();
	const worker = join(__dirname, 'bench', 'stream-worker.ts');
	// Asynchronous: the emulator serving the stream lives in this process.
	const run = async (mode: string) => {
		const results = [];
		for (let r = 0; r < SIZES.repeats; r++) {
			const { stdout } = await promisify(execFile)(
				process.execPath,
				['--expose-gc', '-r', 'ts-node/register', worker, mode, emulator.url, emulator.apiKey, String(SIZES.streamChars)],
				{ encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', N8N_USER_FOLDER: tmpdir() } },
			);
			results.push(JSON.parse(stdout) as { ms: number; length: number; rssGrowth: number });
		}
		return results.sort((a, b) => a.ms - b.ms)[0];
	};
	const parser = await run('parser');
	const node = await run('node');
	await emulator.close();
	const size = SIZES.streamChars;
	console.log(`(c) one ${mb(size)} streamed answer (best of ${SIZES.repeats}, each in its own process)`);
	console.log(`    eventsource-parser alone   ${fmt(parser.ms)}   peak RSS growth ${mb(parser.rssGrowth)}   (${parser.length} chars)`);
	console.log(`    Slier transport + assembly ${fmt(node.ms)}   peak RSS growth ${mb(node.rssGrowth)}   (${node.length} chars)`);
	if (node.length !== size || parser.length !== size) throw new Error('a stream lost text');
	atMost('c', 'time node / parser', node.ms / parser.ms, 1.5);
	atMost('c', 'node RSS growth / answer size', node.rssGrowth / size, 3);
	return { parser, node };
}

async function benchD() {
	const n = SIZES.itemsD;
	const latency = SIZES.latencyD;
	const retryAfterMs = 1000;
	const emulator = await startEmulator({ latencyMs: latency });
	const inputs = items(n).map((item, i) => (i % 10 === 5 ? { text: `${item.text} [[429 times=1 retry-after=1]]` } : item));
	const limited = inputs.filter((item) => item.text.includes('[[429')).length;
	let answered = 0;
	const wall = await timed(async () => {
		const run = await chatWorkflow(emulator.url, emulator.apiKey, n, CONCURRENCY, '={{ $json.text }}', inputs);
		answered = outputOf(run, 'Slier Chat').filter((i) => typeof i.json.content === 'string').length;
	});
	// The items' work spread over the slots, but never less than one item's wait and retry: with
	// few items (--quick) that path is the whole run.
	const ideal = Math.max((n * latency + limited * (retryAfterMs + latency)) / CONCURRENCY, 2 * latency + retryAfterMs);
	const requests = emulator.requests.length;
	const limit = sharedLimiter(emulator.url, emulator.apiKey).limit;
	if (process.env.BENCH_DEBUG) {
		const t0 = emulator.requests[0].receivedAt;
		console.log(emulator.requests.map((r) => `${(r.body as { messages: Array<{ content: string }> }).messages[0].content.slice(11, 14)}@${r.receivedAt - t0}`).join(' '));
	}
	await emulator.close();
	console.log(`(d) sporadic 429s: ${n} items at ${latency} ms latency, ${limited} of them answered 429 once with retry-after: 1, Max Concurrent Requests ${CONCURRENCY}`);
	console.log(`    wall ${fmt(wall)}   ideal ${fmt(ideal)}   requests ${requests}   shared limit after the run ${limit} (of ${SHARED_MAX_IN_FLIGHT})`);
	atMost('d', 'wall / ideal', wall / ideal, 1.5);
	allAnswered('d', answered, n);
	return { wall, ideal, answered };
}

async function main() {
	process.env.N8N_LOG_LEVEL ??= 'error';
	process.env.N8N_USER_FOLDER ??= join(tmpdir(), 'n8n-nodes-slier-bench');
	console.log(`n8n-nodes-slier benchmark${quick ? ' (quick)' : ''}: Node ${process.version}, ${new Date().toISOString()}\n`);
	const scenarios: Array<[string, () => Promise<unknown>]> = [
		['a', benchA],
		['b', benchB],
		['c', benchC],
		['d', benchD],
		['e', () => benchToolRoundTrip(quick)],
		['f', () => benchQueueMode(quick, { atMost, allAnswered })],
	];
	for (const [, run] of scenarios.filter(([name]) => wanted(name))) {
		await run();
		console.log();
	}
	await closeDispatcher();
	const failing = targets.filter((t) => !t.pass);
	console.log(`targets: ${targets.length - failing.length} of ${targets.length} met${quick ? ' (quick: the sizes are too small for the figures to mean much)' : ''}`);
	for (const t of failing) console.log(`  FAIL (${t.scenario}) ${t.shown}`);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		console.error(error.stack ?? error.message);
		process.exit(1);
	},
);
