/**
 * Security checks in the real n8n: its SSRF protection (N8N_SSRF_*) holds for the Slier nodes,
 * and an API key the server echoes back never reaches the run data n8n stores.
 */
import type { SlierEmulator } from '../../test/emulator/server';
import { check, isN8n1, node, slierCredentials as credentials, toMain, workflow, type Test } from './kit';
import type { N8nHost, RunOutput } from './n8n-host';
import { itemsOf } from './n8n-host';

const WORKFLOW_ID = 'slierE2Esecure01';

/** Manual trigger → Slier Chat (one plain, one streamed, one whose server echoes the key), errors as items. */
function securityWorkflow() {
	const chat = (name: string, content: string, stream: boolean, y: number) =>
		node(
			name,
			'n8n-nodes-slier.slierChat',
			1,
			{ model: { __rl: true, mode: 'id', value: 'claude-2' }, messages: { values: [{ role: 'user', content }] }, stream, options: { maxRetries: 0 } },
			[240, y],
			{ credentials, onError: 'continueRegularOutput' },
		);
	return workflow(
		WORKFLOW_ID,
		'e2e: security',
		[
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			chat('Chat', 'Hello past the policy', false, -200),
			chat('Chat streamed', 'Hello past the policy', true, 0),
			chat('Echoing server', 'Echo [[echo-key in=content]]', true, 200),
		],
		{ Start: { main: toMain('Chat', 'Chat streamed', 'Echoing server') } },
	);
}

async function executeWith(host: N8nHost, env: NodeJS.ProcessEnv): Promise<RunOutput> {
	host.extraEnv = env;
	try {
		return await host.execute(WORKFLOW_ID);
	} finally {
		host.extraEnv = {};
	}
}

export async function ssrfAndKeyEchoChecks(host: N8nHost, emulator: SlierEmulator, test: Test): Promise<void> {
	const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions')).length;
	// n8n 1.x has no SSRF protection (nor getSecureEgressFilter): there the nodes work as before.
	const hasSsrf = !isN8n1();
	let imported = false;
	const execute = async (env: NodeJS.ProcessEnv) => {
		if (!imported) await host.importJson('workflow', 'security', securityWorkflow());
		imported = true;
		emulator.reset();
		return await executeWith(host, env);
	};
	const noKey = (run: RunOutput) => {
		check(!JSON.stringify(run).includes(emulator.apiKey), 'the API key is in the run data');
	};

	if (hasSsrf) {
		await test('with N8N_SSRF_PROTECTION_ENABLED=true the emulator on 127.0.0.1 receives nothing and the item says why', async () => {
			const run = await execute({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
			noKey(run);
			for (const node of ['Chat', 'Chat streamed']) {
				const error = String(itemsOf(run, node)[0]?.error);
				if (!/SSRF protection does not allow requests to 127\.0\.0\.1, so nothing was sent\. An n8n administrator can allow it with N8N_SSRF_ALLOWED_IP_RANGES/.test(error)) {
					throw new Error(`${node}: ${error}`);
				}
				if (node === 'Chat') console.log(`      the item says: ${error}`);
			}
			check(completions() === 0, `the emulator received ${completions()} completion requests`);
		});
	}

	const allowed = hasSsrf
		? 'with N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.0/8 added the same workflow answers; an echoed key is removed'
		: 'n8n 1.x (no SSRF protection): the security workflow answers as before; an echoed key is removed';
	await test(allowed, async () => {
		const run = await execute({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8' });
		noKey(run);
		for (const node of ['Chat', 'Chat streamed']) {
			const content = itemsOf(run, node)[0]?.content;
			if (content !== 'claude-2 answers “Hello past the policy” ✓') throw new Error(`${node}: ${JSON.stringify(itemsOf(run, node))}`);
		}
		const echoed = String(itemsOf(run, 'Echoing server')[0]?.content);
		check(echoed.includes('authorization=Bearer [redacted]'), `echoed: ${echoed}`);
		check(completions() === 3, `the emulator received ${completions()} completion requests, expected 3`);
	});
}
