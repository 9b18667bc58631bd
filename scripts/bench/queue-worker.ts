/**
 * One n8n "worker" process for bench scenario (f): runs `runs` Slier Chat executions of `items`
 * items each, all at once (as a queue-mode worker runs several executions), through n8n-core's
 * WorkflowExecute. EXECUTIONS_MODE and QUEUE_BULL_REDIS_* come from the bench.
 *   node -r ts-node/register queue-worker.ts <url> <key> <runs> <items>
 * Prints "ready", waits for a line on stdin (so every worker starts together), then prints
 * {"answered": …, "failed": …, "fallbacks": …}.
 */
import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { outputOf, runWorkflow } from '../../test/harness/run-workflow';
import { itemsNode, slierNode } from '../../test/helpers/slier-node';

async function main() {
	const [url, apiKey, runs, perRun] = process.argv.slice(2);
	const execution = (r: number) =>
		runWorkflow({
			nodes: [
				itemsNode(Array.from({ length: Number(perRun) }, (_, i) => ({ text: `worker ${process.pid} run ${r} item ${i}` }))),
				slierNode('slierChat', {
					parameters: {
						model: { __rl: true, mode: 'id', value: 'claude-2' },
						messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
						options: {},
					},
					continueOnFail: true,
				}),
			],
			connections: { Items: { main: [[{ node: 'Slier Chat', type: 'main', index: 0 }]] } },
			credentials: { slierApi: { apiKey, baseUrl: url } },
		});
	console.log('ready');
	await new Promise((resolve) => process.stdin.once('data', resolve));
	const results = await Promise.all(Array.from({ length: Number(runs) }, (_, r) => execution(r)));
	const out = results.flatMap((run) => outputOf(run, 'Slier Chat'));
	const answered = out.filter((item) => typeof item.json.content === 'string').length;
	await closeDispatcher();
	// Loaded only in queue mode; how often this worker fell back to its own limit.
	const queue = process.env.EXECUTIONS_MODE === 'queue' ? (require('../../nodes/shared/transport/shared-limit/queue-limit') as typeof import('../../nodes/shared/transport/shared-limit/queue-limit')) : undefined;
	console.log(JSON.stringify({ answered, failed: out.length - answered, fallbacks: queue?.queueLimitStats.fallbacks ?? 0 }));
	process.exit(0);
}

main().catch((error: Error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
