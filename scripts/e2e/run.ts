/**
 * `npm run test:e2e`: the packed package in a real n8n (installed once into a cache folder by
 * install-n8n.sh), against the Slier emulator: both nodes streamed and not, the example
 * workflows, and a Webhook → Slier Chat workflow whose answer streams to the HTTP caller.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type SlierEmulator } from '../../test/emulator/server';
import * as agentToolFormats from './agent-tool-formats';
import * as agentTools from './agent-tools';
import * as chatModel from './chat-model';
import { chatErrorChecks } from './chat-errors';
import { captureEditor, OWNER } from './editor';
import { agentToolStreamingChecks, prepareAgentToolStreaming } from './agent-tool-streaming';
import { activate, check, expectEqual } from './kit';
import { itemsOf, N8nHost } from './n8n-host';
import { outputOptionChecks } from './output-options';
import { proxyChecks } from './proxy';
import * as reasoning from './reasoning';
import { queueModeChecks } from './queue-mode';
import { ssrfAndKeyEchoChecks } from './ssrf-and-key-echo';
import { AGENT_QUESTION, agentWorkflow, CREDENTIAL_ID, credentialsFile, example, nodesWorkflow, STREAM_PATH, streamingWebhookWorkflow } from './workflows';

const root = join(__dirname, '..', '..');
/** The n8n under test; install-n8n.sh reads the same variable and picks Node 24 for 2.x, 22 for 1.x. */
const N8N_VERSION = (process.env.N8N_VERSION ??= '2.40.7');
const results: Array<{ name: string; error?: string }> = [];
/**
 * SLIER_E2E_ONLY=<regex>: run only the checks whose names match (case-insensitive), besides the
 * install and import steps every check needs. For working on one part; CI runs them all.
 */
const ONLY = process.env.SLIER_E2E_ONLY ? new RegExp(process.env.SLIER_E2E_ONLY, 'i') : undefined;
const SETUP = /^the packed package installs|^the credential and workflows import/;

async function test(name: string, fn: () => Promise<void>): Promise<void> {
	if (ONLY && !ONLY.test(name) && !SETUP.test(name)) return;
	const started = Date.now();
	try {
		await fn();
		results.push({ name });
		console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
	} catch (error) {
		results.push({ name, error: (error as Error).message });
		console.log(`  ✗ ${name}\n      ${(error as Error).message.split('\n').join('\n      ')}`);
	}
}

function pack(): string {
	const out = mkdtempSync(join(tmpdir(), 'slier-pack-'));
	execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
	execFileSync('npm', ['pack', '--pack-destination', out], { cwd: root, stdio: 'ignore' });
	return join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
}

async function main(): Promise<number> {
	console.log(`Installing (or reusing) n8n ${N8N_VERSION} …`);
	const cache = execFileSync('bash', [join(__dirname, 'install-n8n.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
	const home = mkdtempSync(join(tmpdir(), 'slier-e2e-home-'));
	const host = new N8nHost(cache, home, 15000 + Math.floor(Math.random() * 20000));
	const emulator: SlierEmulator = await startEmulator();
	console.log(`n8n from ${cache}, user folder ${home}, emulator ${emulator.url}\n`);
	try {
		await test('the packed package installs into ~/.n8n/nodes', async () => {
			await host.installPackage(pack());
		});
		await test('the credential and workflows import through the n8n CLI', async () => {
			await host.importJson('credentials', 'credentials', credentialsFile(emulator.apiKey, emulator.url));
			await host.importJson('workflow', 'nodes', nodesWorkflow());
			await host.importJson('workflow', 'feed', example('feed-summary-to-email.json', 'slierE2Eexamplea', (w) => {
				const rss = w.nodes.find((n) => n.type === 'n8n-nodes-base.rssFeedRead')!;
				(rss.parameters as { url: string }).url = `${emulator.url}/feed.xml`;
			}));
			await host.importJson('workflow', 'crm', example('search-to-crm.json', 'slierE2Eexampleb'));
			await host.importJson('workflow', 'agent', example('agent-with-slier-search-tool.json', 'slierE2Eexamplec'));
			await host.importJson('workflow', 'stream', streamingWebhookWorkflow());
			await host.importJson('workflow', 'agent-run', agentWorkflow());
			await prepareAgentToolStreaming(host, N8N_VERSION);
			const list = await host.cli('list:workflow');
			for (const id of ['slierE2Enodes001', 'slierE2Eexamplea', 'slierE2Eexampleb', 'slierE2Eexamplec', 'slierE2Estream01']) {
				check(list.includes(id), `workflow ${id} is missing from: ${list}`);
			}
		});
		await test('Slier Chat and Slier Search answer, streamed the same as not', async () => {
			const run = await host.execute('slierE2Enodes001');
			expectEqual(run.status, 'success', 'status');
			const chat = itemsOf(run, 'Chat');
			expectEqual(chat.map((i) => i.content), ['claude-2 answers “Hello from a real n8n” ✓'], 'chat content');
			expectEqual(itemsOf(run, 'Chat streamed'), chat, 'streamed chat item');
			const search = itemsOf(run, 'Search');
			expectEqual(search[0].citations, [1, 2], 'search citations');
			expectEqual(search[0].model, null, 'search model');
			expectEqual(itemsOf(run, 'Search streamed'), search, 'streamed search item');
			const sent = emulator.requests.find((r) => r.path === '/v1/chat/completions')?.body as { model_params?: unknown };
			expectEqual(sent?.model_params, { temperature: 0.5 }, 'model_params sent');
		});
		await test('example (a): RSS Read → Slier Chat → fields for an e-mail', async () => {
			const run = await host.execute('slierE2Eexamplea');
			const fields = itemsOf(run, 'Fields for e-mail');
			expectEqual(fields.map((f) => f.subject), ['Solar library opens', 'Rail line reopens', 'Bakery wins award'], 'subjects');
			check(String(fields[0].summary).startsWith('claude-2 answers “Solar library opens'), `summary: ${fields[0].summary}`);
		});
		await test('example (b): Code → Slier Search → fields for a CRM', async () => {
			const run = await host.execute('slierE2Eexampleb');
			const fields = itemsOf(run, 'Fields for CRM');
			expectEqual(fields.map((f) => f.company), ['Acme Robotics', 'Northwind Traders'], 'companies');
			expectEqual(fields[0].citations, [1, 2], 'citations');
			check(!/[¹²]/.test(String(fields[0].answer)), 'citation markers were not stripped');
		});
		await outputOptionChecks(test, host, emulator);
		await ssrfAndKeyEchoChecks(host, emulator, test);
		await proxyChecks(test, host, emulator);
		await test('an AI Agent calls Slier Search as a tool, supplying only the question', async () => {
			emulator.reset();
			const run = await host.execute('slierE2Eagent001');
			if (run.data.resultData.error) throw new Error(`the agent failed: ${run.data.resultData.error.message}`);
			const output = String(itemsOf(run, 'AI Agent')[0]?.output);
			check(output.includes(`Slier Search on “${AGENT_QUESTION}”`), `agent output: ${output.slice(0, 500)}`);
			const searches = emulator.requests.filter((r) => r.path === '/v1/search/completions');
			expectEqual(searches.map((r) => r.body), [{ messages: [{ role: 'user', content: AGENT_QUESTION }], stream: false }], 'search requests');
		});
		await chatModel.beforeStart(test, host, emulator, N8N_VERSION);
		await agentTools.beforeStart(test, host, emulator, N8N_VERSION);
		await agentToolFormats.beforeStart(test, host, emulator, N8N_VERSION);
		await reasoning.beforeStart(test, host, emulator, N8N_VERSION);
		await test('a Webhook in streaming mode streams Slier Chat’s answer to the caller as it arrives', async () => {
			await activate(host, 'slierE2Estream01', N8N_VERSION);
			await host.start();
			const { arrivals, text } = await host.postStreaming(STREAM_PATH, { question: 'Stream this to me [[pace ms=150]]' });
			expectEqual(text, 'claude-2 answers “Stream this to me” ✓', 'streamed text');
			const spread = arrivals[arrivals.length - 1].at - arrivals[0].at;
			check(arrivals.length >= 4 && spread >= 500, `not incremental: ${arrivals.length} network reads over ${spread} ms`);
			console.log(`      ${arrivals.length} network reads, first at ${arrivals[0].at} ms, last at ${arrivals[arrivals.length - 1].at} ms`);
		});
		await host.start(); // the checks below need the server, also when SLIER_E2E_ONLY skipped the one above
		await agentToolStreamingChecks(test, host, emulator);
		await chatModel.afterStart(test, host, emulator, N8N_VERSION);
		await chatErrorChecks(test, host, emulator, N8N_VERSION);
		await agentTools.afterStart(test, host, emulator, N8N_VERSION);
		await agentToolFormats.afterStart(test, host, emulator, N8N_VERSION);
		await reasoning.afterStart(test, host, emulator, N8N_VERSION);
		await test('the credential test in n8n passes with the key and fails with a wrong one', async () => {
			await host.login(OWNER);
			const testKey = async (apiKey: string) => {
				const { status, json } = await host.rest('/credentials/test', {
					credentials: { id: CREDENTIAL_ID, name: 'Slier emulator', type: 'slierApi', data: { apiKey, baseUrl: `${emulator.url}/` } },
				});
				if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
				return (json as { data: { status: string; message: string } }).data;
			};
			expectEqual((await testKey(emulator.apiKey)).status, 'OK', 'test with the right key');
			const wrong = await testKey('sk-wrong-key');
			expectEqual(wrong.status, 'Error', 'test with a wrong key');
			check(!wrong.message.includes('sk-wrong-key'), 'the credential test message shows the key');
			console.log(`      with a wrong key n8n says: ${wrong.message}`);
		});
		if (process.env.SLIER_E2E_EDITOR !== '0') {
			await test('the editor shows Slier Chat’s panel with the contract’s parameters and its model list', async () => {
				const { panelText, listText } = await captureEditor(host, 'slierE2Enodes001', 'Chat');
				for (const label of ['Credential', 'Model', 'Messages Source', 'Messages', 'Stream', 'Model Parameters', 'Options']) {
					if (!panelText.includes(label)) throw new Error(`the panel does not show "${label}":\n${panelText.slice(0, 1500)}`);
				}
				for (const model of ['Claude 2 (claude-2)', 'GPT-4o (gpt-4o)', 'Llama 3 70B (llama-3-70b)']) {
					if (!listText.includes(model)) throw new Error(`the model list does not show "${model}": ${listText.slice(0, 500)}`);
				}
			});
		}
		// Last: it stops the server above and runs n8n in queue mode on the same installed package.
		await queueModeChecks(test, host, N8N_VERSION);
	} finally {
		await host.stop();
		await emulator.close();
		if (!process.env.SLIER_E2E_KEEP) rmSync(home, { recursive: true, force: true });
	}
	const failed = results.filter((r) => r.error).length;
	console.log(`\n${results.length - failed} passed, ${failed} failed`);
	return failed === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error.stack ?? error.message);
		process.exit(1);
	},
);
