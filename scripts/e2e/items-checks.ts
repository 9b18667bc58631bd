/**
 * e2e checks for the output item options (issue 12) in a real n8n: Include Input Fields, Answer
 * Format JSON, and failed items with their errorType on n8n's own error output. The error output
 * matters most here: the node relies on how n8n-core routes and copies error items, which only a
 * real n8n of each major version can confirm.
 */
import type { SlierEmulator } from '../../test/emulator/server';
import type { N8nHost, RunOutput } from './n8n-host';

type Test = (name: string, fn: () => Promise<void>) => Promise<void>;

const WORKFLOW_ID = 'slierE2Eitems001';
const credentials = (id: string) => ({ slierApi: { id, name: 'Slier emulator' } });

/** Three leads: one answered with fenced JSON, one rate limited, one answered without JSON. */
const LEADS = [
	{ company: 'Acme', text: 'Facts:\n```json\n{"size": 120}\n``` [[verbatim]]' },
	{ company: 'Busy', text: 'busy [[429 times=99 retry-after-ms=10]]' },
	{ company: 'Chatty', text: 'I would rather not say. [[verbatim]]' },
];

function itemsWorkflow(credentialId: string) {
	const node = (name: string, type: string, typeVersion: number, parameters: object, position: [number, number], extra: object = {}) => ({
		id: name.replace(/\W+/g, '-').toLowerCase(),
		name,
		type,
		typeVersion,
		position,
		parameters,
		...extra,
	});
	const slier = (stream: boolean) => ({
		messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
		stream,
		options: { includeInputFields: true, answerFormat: 'json', maxRetries: 0 },
	});
	const out = (target: string) => [{ node: target, type: 'main', index: 0 }];
	return {
		id: WORKFLOW_ID,
		name: 'e2e: input fields, JSON answers, error output',
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]),
			node('Leads', 'n8n-nodes-base.code', 2, { jsCode: `return ${JSON.stringify(LEADS)}.map((json) => ({ json }));` }, [200, 0]),
			node('Chat', 'n8n-nodes-slier.slierChat', 1, { model: { __rl: true, mode: 'id', value: 'claude-2' }, ...slier(false) }, [400, -150], {
				credentials: credentials(credentialId),
				onError: 'continueErrorOutput',
			}),
			node('Search streamed', 'n8n-nodes-slier.slierSearch', 1, slier(true), [400, 150], {
				credentials: credentials(credentialId),
				onError: 'continueErrorOutput',
			}),
			node('Chat answered', 'n8n-nodes-base.noOp', 1, {}, [650, -200]),
			node('Chat failed', 'n8n-nodes-base.noOp', 1, {}, [650, -100]),
			node('Search answered', 'n8n-nodes-base.noOp', 1, {}, [650, 100]),
			node('Search failed', 'n8n-nodes-base.noOp', 1, {}, [650, 200]),
		],
		connections: {
			Start: { main: [out('Leads')] },
			Leads: { main: [[...out('Chat'), ...out('Search streamed')]] },
			Chat: { main: [out('Chat answered'), out('Chat failed')] },
			'Search streamed': { main: [out('Search answered'), out('Search failed')] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** The json of the items a node received and passed on (a No Op outputs its input). */
function passedOn(run: RunOutput, node: string): Array<Record<string, unknown>> {
	const task = run.data.resultData.runData[node]?.[0];
	if (!task) return [];
	if (task.error) throw new Error(`node "${node}" failed: ${task.error.message}`);
	return (task.data?.main[0] ?? []).map((item) => item.json);
}

function same(actual: unknown, expected: unknown, what: string): void {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

export async function itemChecks(test: Test, host: N8nHost, emulator: SlierEmulator, credentialId: string): Promise<void> {
	await test('Include Input Fields, Answer Format JSON, and failures with errorType on the error output', async () => {
		await host.importJson('workflow', 'items', itemsWorkflow(credentialId));
		emulator.reset();
		const run = await host.execute(WORKFLOW_ID);
		for (const name of ['Chat', 'Search']) {
			const answered = passedOn(run, `${name} answered`);
			same(answered.map((i) => [i.company, i.data]), [['Acme', { size: 120 }]], `${name}: answered items (company kept, JSON in data)`);
			const failed = passedOn(run, `${name} failed`);
			same(failed.map((i) => [i.company, i.errorType]), [['Busy', 'rate_limited'], ['Chatty', 'invalid_json']], `${name}: error output items`);
			const invalid = String(failed[1]?.error);
			if (!invalid.startsWith(`Slier's answer holds no valid JSON (item 2): "I would rather not say."`)) throw new Error(`${name}: ${invalid}`);
		}
		// The options shape the output only: the requests carry just the messages.
		const bodies = emulator.requests.filter((r) => r.path.endsWith('/completions')).map((r) => Object.keys(r.body as object).sort().join());
		if (bodies.some((keys) => keys !== 'messages,model,stream' && keys !== 'messages,stream')) throw new Error(`request bodies: ${bodies.join(' | ')}`);
	});
}
