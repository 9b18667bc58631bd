/**
 * Tool calling in a real n8n: n8n's AI Agent (v3 and v2) with Slier Chat Model as its model and
 * real tool nodes (Calculator, and Slier Search itself as a tool), against the emulator's
 * tool-calling models (test/emulator/tool-models.ts). Also the Summarization Chain without
 * internet, and Slier's token counts in the run data of a streamed call.
 * run.ts calls `beforeStart` while n8n is stopped (CLI executions) and `afterStart` once it serves.
 * n8n 1.x cannot run the sub-node (it needs n8n 2.16 or newer): the checks are skipped there.
 */
import { parse } from 'flatted';

import type { SlierEmulator } from '../../test/emulator/server';
import { callDirective } from '../../test/emulator/tool-models';
import { OWNER } from './editor';
import { itemsOf, type N8nHost, type RunOutput } from './n8n-host';
import { CREDENTIAL_ID } from './workflows';

type Test = (name: string, fn: () => Promise<void>) => Promise<void>;

const LANGCHAIN = '@n8n/n8n-nodes-langchain';
const credentials = { slierApi: { id: CREDENTIAL_ID, name: 'Slier emulator' } };
const STREAM_PATH = 'slier-agent-tools-stream';
const QUESTION = 'What is 12 times 7, and who runs on solar power?';
const SEARCH_QUESTION = 'Who runs on solar power?';
const directives = `${callDirective('Calculator', { input: '12*7' })} ${callDirective('Slier_Search', { question: SEARCH_QUESTION })}`;

let n = 0;
const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({
	id: `tools-${++n}`,
	name,
	type,
	typeVersion,
	position: [n * 200, 0],
	parameters,
	...extra,
});

const slierModel = (model: string) =>
	node('Slier Chat Model', 'n8n-nodes-slier.lmChatSlier', 1, { model: { __rl: true, mode: 'id', value: model }, options: {} }, { credentials });
const calculator = () => node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {});
const slierSearchTool = () =>
	node(
		'Slier Search',
		'n8n-nodes-slier.slierSearchTool',
		1,
		{
			toolDescription: 'Searches the web with Slier and returns a written answer with cited sources.',
			messages: { values: [{ role: 'user', content: "={{ $fromAI('question', 'A self-contained question to search the web for', 'string') }}" }] },
			options: {},
		},
		{ credentials },
	);
const tool = (name: string) => ({ [name]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] } });
const model = { 'Slier Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] } };

const toolNodes: Record<string, () => ReturnType<typeof node>> = { Calculator: calculator, 'Slier Search': slierSearchTool };

/** Trigger → AI Agent, with Slier Chat Model and the named tools plugged into the agent. */
function agentWorkflow(w: { id: string; name: string; trigger: ReturnType<typeof node> & { webhookId?: string }; agent: ReturnType<typeof node>; model: string; tools: string[] }) {
	return {
		id: w.id,
		name: w.name,
		nodes: [w.trigger, w.agent, slierModel(w.model), ...w.tools.map((name) => toolNodes[name]())],
		connections: { [w.trigger.name]: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] }, ...model, ...Object.assign({}, ...w.tools.map(tool)) },
		settings: { executionOrder: 'v1' },
	};
}

function workflows() {
	return {
		v3: agentWorkflow({
			id: 'slierE2Etools003',
			name: 'e2e: AI Agent v3 + Slier Chat Model + Calculator + Slier Search',
			trigger: node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			agent: node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: `${QUESTION} ${directives}`, options: {} }),
			model: 'slier-tools',
			tools: ['Calculator', 'Slier Search'],
		}),
		stream: agentWorkflow({
			id: 'slierE2Etools004',
			name: 'e2e: streaming Webhook → AI Agent v3 + Slier Chat Model + tools',
			trigger: {
				...node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: STREAM_PATH, responseMode: 'streaming', options: {} }),
				webhookId: '7d2c9e4a-51b3-4f0e-8a6d-3c1b2e9f7a10',
			},
			agent: node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: '={{ $json.body.question }}', options: { enableStreaming: true } }),
			model: 'slier-tools',
			tools: ['Calculator', 'Slier Search'],
		}),
		v2: agentWorkflow({
			id: 'slierE2Etools002',
			name: 'e2e: AI Agent v2 + Slier Chat Model (sloppy model) + Calculator',
			trigger: node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			agent: node('AI Agent', `${LANGCHAIN}.agent`, 2.2, { promptType: 'define', text: `What is 12 times 7? ${callDirective('Calculator', { input: '12*7' })}`, options: {} }),
			model: 'slier-tools-sloppy',
			tools: ['Calculator'],
		}),
		summary: {
			id: 'slierE2Etools005',
			name: 'e2e: Summarization Chain + Slier Chat Model, offline',
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
				node('Article', 'n8n-nodes-base.code', 2, {
					jsCode: `return [{ json: { text: ${JSON.stringify('The city library now runs on rooftop solar panels. '.repeat(40))} } }];`,
				}),
				node('Summarization Chain', `${LANGCHAIN}.chainSummarization`, 2.1, { options: {} }),
				{ ...slierModel('claude-2'), name: 'Slier Chat Model' },
			],
			connections: {
				Start: { main: [[{ node: 'Article', type: 'main', index: 0 }]] },
				Article: { main: [[{ node: 'Summarization Chain', type: 'main', index: 0 }]] },
				'Slier Chat Model': { ai_languageModel: [[{ node: 'Summarization Chain', type: 'ai_languageModel', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		},
	};
}

function check(condition: unknown, what: string): asserts condition {
	if (!condition) throw new Error(what);
}

type Body = { model?: string; stream?: boolean; messages: Array<{ role: string; content: string }> };
const posts = (emulator: SlierEmulator, path: string) => emulator.requests.filter((r) => r.path === path).map((r) => r.body as Body);

const SKIP_1X = 'skipped on n8n 1.x: Slier Chat Model needs @n8n/ai-node-sdk (n8n 2.16 or newer)';

export async function beforeStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (n8nVersion.startsWith('1.')) {
		console.log(`  - tool calling with Slier Chat Model: ${SKIP_1X}`);
		return;
	}
	const all = workflows();
	await test('tool calling: its workflows import', async () => {
		for (const [name, w] of Object.entries(all)) await host.importJson('workflow', `tools-${name}`, w);
		await host.cli('publish:workflow', `--id=${all.stream.id}`);
	});
	await test('tool calling: AI Agent v3 with Slier Chat Model calls Calculator and Slier Search and answers from their results', async () => {
		emulator.reset();
		const run = await host.execute(all.v3.id);
		const output = String(itemsOf(run, 'AI Agent')[0]?.output);
		check(output.startsWith('Answer from the tools:') && output.includes('Calculator said 84'), `agent output: ${output.slice(0, 600)}`);
		check(output.includes(`Slier Search on “${SEARCH_QUESTION}”`), `no Slier Search result in the answer: ${output.slice(0, 600)}`);
		const searches = posts(emulator, '/v1/search/completions');
		check(JSON.stringify(searches.map((b) => b.messages)) === JSON.stringify([[{ role: 'user', content: SEARCH_QUESTION }]]), `search requests: ${JSON.stringify(searches)}`);
		const chats = posts(emulator, '/v1/chat/completions');
		check(chats.length === 2 && chats.every((b) => b.model === 'slier-tools'), `model requests: ${chats.length}`);
		console.log(`      ${chats.length} model calls, 1 search; answer: ${output.slice(0, 140)}…`);
	});
	await test('tool calling: AI Agent v2 with a sloppy model (fenced call, invented result after it) runs the Calculator', async () => {
		emulator.reset();
		const run = await host.execute(all.v2.id);
		const output = String(itemsOf(run, 'AI Agent')[0]?.output);
		check(output === 'Answer from the tools: Calculator said 84', `agent output: ${output.slice(0, 600)}`);
	});
	await test('tool calling: a Summarization Chain with Slier Chat Model answers in under 5 s without internet', async () => {
		emulator.reset();
		const run = (await host.execute(all.summary.id)) as RunOutput & { data: { resultData: { runData: Record<string, Array<{ executionTime?: number }>> } } };
		const summary = JSON.stringify(itemsOf(run, 'Summarization Chain'));
		check(summary.includes('claude-2 answers'), `summary: ${summary.slice(0, 300)}`);
		const ms = run.data.resultData.runData['Summarization Chain']?.[0]?.executionTime ?? NaN;
		check(ms < 5000, `the Summarization Chain took ${ms} ms`);
		console.log(`      the Summarization Chain ran ${ms} ms (${posts(emulator, '/v1/chat/completions').length} Slier requests)`);
	});
}

export async function afterStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (n8nVersion.startsWith('1.')) return;
	await test('tool calling: behind a streaming Webhook, chunks carry only prose and the final answer; the run data shows Slier’s tokens', async () => {
		emulator.reset();
		const { chunks, text } = await host.postStreaming(STREAM_PATH, { question: `${QUESTION} ${directives} [[pace ms=20]]` });
		check(/^Let me use Calculator and Slier_Search\./.test(text), `streamed text: ${JSON.stringify(text).slice(0, 400)}`);
		check(text.includes('Answer from the tools:') && text.includes('Calculator said 84'), `no final answer in the stream: ${JSON.stringify(text).slice(0, 600)}`);
		check(!/tool_call|"arguments"|12\*7/.test(text), `a call reached the chat: ${JSON.stringify(text).slice(0, 600)}`);
		const chats = posts(emulator, '/v1/chat/completions');
		check(chats.length === 2 && chats.every((b) => b.stream === true), `model requests: ${JSON.stringify(chats.map((b) => b.stream))}`);
		console.log(`      ${chunks.filter((c) => c.type === 'item').length} item chunks: ${JSON.stringify(text).slice(0, 160)}`);
		// The execution's run data, as the editor shows it: Slier's counts, not n8n's estimate.
		const usage = await modelUsage(host, 'slierE2Etools004');
		check(usage.length === 2 && usage.every((u) => u.tokenUsage && !u.tokenUsageEstimate), `the sub-node's run data: ${JSON.stringify(usage)}`);
		console.log(`      the sub-node's run data (streamed calls): ${usage.map((u) => JSON.stringify(u.tokenUsage)).join(', ')}`);
	});
}

/** What the Slier Chat Model's run data shows for each call of the latest execution of a workflow. */
async function modelUsage(host: N8nHost, workflowId: string): Promise<Array<Record<string, unknown>>> {
	const cookie = await host.login(OWNER);
	const get = async (path: string) => {
		const res = await fetch(`${host.url}/rest${path}`, { headers: { cookie } });
		if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
		return ((await res.json()) as { data: unknown }).data;
	};
	let id: string | undefined;
	for (let i = 0; i < 20 && !id; i++) {
		const list = (await get(`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`)) as { results?: Array<{ id: string; status: string }> };
		id = list.results?.find((e) => e.status === 'success')?.id;
		if (!id) await new Promise((resolve) => setTimeout(resolve, 500));
	}
	check(id, 'no finished execution of the streaming workflow');
	const execution = (await get(`/executions/${id}`)) as { data: string };
	const data = parse(execution.data) as { resultData: { runData: Record<string, Array<{ data?: { ai_languageModel?: Array<Array<{ json: Record<string, unknown> }>> } }>> } };
	return (data.resultData.runData['Slier Chat Model'] ?? []).map((task) => task.data?.ai_languageModel?.[0]?.[0]?.json ?? {});
}
