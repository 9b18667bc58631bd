/**
 * e2e checks for the output item options (issue 12) in a real n8n: Include Input Fields, Answer
 * Format JSON, and failed items with their errorType on n8n's own error output. The error output
 * matters most here: the node relies on how n8n-core routes and copies error items, which only a
 * real n8n of each major version can confirm.
 */
import type { SlierEmulator } from '../../test/emulator/server';
import { check, expectEqual, node, slierCredentials as credentials, toMain, workflow, type Test } from './kit';
import type { N8nHost, RunOutput } from './n8n-host';

const WORKFLOW_ID = 'slierE2Eitems001';

/**
 * Three leads: one answered with fenced JSON, one rate limited for longer than its Timeout (a 429
 * is waited through while the Timeout lasts), one answered without JSON.
 */
const LEADS = [
	{ company: 'Acme', text: 'Facts:\n```json\n{"size": 120}\n``` [[verbatim]]' },
	{ company: 'Busy', text: 'busy [[429 times=9999 retry-after-ms=50]]' },
	{ company: 'Chatty', text: 'I would rather not say. [[verbatim]]' },
];

function itemsWorkflow() {
	const slier = (stream: boolean) => ({
		messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
		stream,
		options: { includeInputFields: true, answerFormat: 'json', maxRetries: 0, timeout: 3000 },
	});
	return workflow(
		WORKFLOW_ID,
		'e2e: input fields, JSON answers, error output',
		[
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]),
			node('Leads', 'n8n-nodes-base.code', 2, { jsCode: `return ${JSON.stringify(LEADS)}.map((json) => ({ json }));` }, [200, 0]),
			node('Chat', 'n8n-nodes-slier.slierChat', 1, { model: { __rl: true, mode: 'id', value: 'claude-2' }, ...slier(false) }, [400, -150], {
				credentials,
				onError: 'continueErrorOutput',
			}),
			node('Search streamed', 'n8n-nodes-slier.slierSearch', 1, slier(true), [400, 150], {
				credentials,
				onError: 'continueErrorOutput',
			}),
			node('Chat answered', 'n8n-nodes-base.noOp', 1, {}, [650, -200]),
			node('Chat failed', 'n8n-nodes-base.noOp', 1, {}, [650, -100]),
			node('Search answered', 'n8n-nodes-base.noOp', 1, {}, [650, 100]),
			node('Search failed', 'n8n-nodes-base.noOp', 1, {}, [650, 200]),
		],
		{
			Start: { main: toMain('Leads') },
			Leads: { main: toMain('Chat', 'Search streamed') },
			Chat: { main: [...toMain('Chat answered'), ...toMain('Chat failed')] },
			'Search streamed': { main: [...toMain('Search answered'), ...toMain('Search failed')] },
		},
	);
}

/** The json of the items a node received and passed on (a No Op outputs its input). */
function passedOn(run: RunOutput, node: string): Array<Record<string, unknown>> {
	const task = run.data.resultData.runData[node]?.[0];
	if (!task) return [];
	if (task.error) throw new Error(`node "${node}" failed: ${task.error.message}`);
	return (task.data?.main[0] ?? []).map((item) => item.json);
}

export async function outputOptionChecks(test: Test, host: N8nHost, emulator: SlierEmulator): Promise<void> {
	await test('Include Input Fields, Answer Format JSON, and failures with errorType on the error output', async () => {
		await host.importJson('workflow', 'items', itemsWorkflow());
		emulator.reset();
		const run = await host.execute(WORKFLOW_ID);
		for (const name of ['Chat', 'Search']) {
			const answered = passedOn(run, `${name} answered`);
			expectEqual(answered.map((i) => [i.company, i.data]), [['Acme', { size: 120 }]], `${name}: answered items (company kept, JSON in data)`);
			const failed = passedOn(run, `${name} failed`);
			expectEqual(failed.map((i) => [i.company, i.errorType]), [['Busy', 'rate_limited'], ['Chatty', 'invalid_json']], `${name}: error output items`);
			const invalid = String(failed[1]?.error);
			check(invalid.startsWith(`Slier's answer holds no valid JSON (item 2): "I would rather not say."`), `${name}: ${invalid}`);
		}
		// The options shape the output only: the requests carry just the messages.
		const bodies = emulator.requests.filter((r) => r.path.endsWith('/completions')).map((r) => Object.keys(r.body as object).sort().join());
		check(bodies.every((keys) => keys === 'messages,model,stream' || keys === 'messages,stream'), `request bodies: ${bodies.join(' | ')}`);
	});
}
