/**
 * The Slier Chat Model sub-node in a real n8n: n8n's own AI nodes (Basic LLM Chain, AI Agent with
 * Simple Memory, the Summarization Chain, Information Extractor, Text Classifier, Sentiment
 * Analysis) take Slier as their model, through @n8n/ai-node-sdk, against the emulator.
 * run.ts calls `beforeStart` while n8n is stopped (CLI executions) and `afterStart` once it serves.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';

import type { SlierEmulator } from '../../test/emulator/server';
import { captureEditor } from './editor';
import { activate, check, isN8n1, node as placedNode, slierCredentials as credentials, workflow, type Node, type Test } from './kit';
import { itemsOf, type N8nHost, type RunOutput } from './n8n-host';
import { example } from './workflows';
const LANGCHAIN = '@n8n/n8n-nodes-langchain';
const AGENT_STREAM_PATH = 'slier-model-agent-stream';
const CHAT_EXAMPLE_ID = 'slierE2Eexampled';

/** Nodes side by side, in the order they are made. */
let column = 0;
const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}): Node =>
	placedNode(name, type, typeVersion, parameters, [++column * 200, 0], { id: `lm-${column}`, ...extra });

const slierModel = (name = 'Slier Chat Model', options: object = {}) =>
	node(name, 'n8n-nodes-slier.lmChatSlier', 1, { model: { __rl: true, mode: 'list', value: 'claude-2', cachedResultName: 'Claude 2 (claude-2)' }, options }, { credentials });

const main = (...targets: string[]) => ({ main: [targets.map((target) => ({ node: target, type: 'main', index: 0 }))] });
const model = (target: string) => ({ ai_languageModel: [[{ node: target, type: 'ai_languageModel', index: 0 }]] });

/** The `[[reply …]]` directive: the emulator answers with this text (JSON for the chains' parsers). */
const reply = (value: object) => `[[reply b64=${Buffer.from(JSON.stringify(value)).toString('base64url')}]]`;

const code = (name: string, items: object[]) =>
	node(name, 'n8n-nodes-base.code', 2, { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` });

function workflows() {
	const agent = (name: string, text: string, options: object = {}) =>
		node(name, `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text, options });
	const texts = {
		article: 'The city library now runs on rooftop solar panels and stays open later in summer.',
		extract: `My name is Ada and I write programs. ${reply({ name: 'Ada' })}`,
		classify: `I was charged twice this month. ${reply({ Billing: true, Other: false })}`,
		sentiment: `What a wonderful product! ${reply({ sentiment: 'Positive', strength: 0.9, confidence: 0.95 })}`,
	};
	return {
		chain: workflow('slierE2Elmchain1', 'e2e: Basic LLM Chain + Slier Chat Model', [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Basic LLM Chain', `${LANGCHAIN}.chainLlm`, 1.7, { promptType: 'define', text: 'Say hello to a real n8n' }),
			slierModel(),
		], { Start: main('Basic LLM Chain'), 'Slier Chat Model': model('Basic LLM Chain') }),
		memory: workflow('slierE2Elmagent1', 'e2e: AI Agent + Simple Memory + Slier Chat Model', [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			code('Two turns', [{ chatInput: 'my name is Ada' }, { chatInput: 'what is my name' }]),
			agent('AI Agent', '={{ $json.chatInput }}'),
			node('Simple Memory', `${LANGCHAIN}.memoryBufferWindow`, 1.3, { sessionIdType: 'customKey', sessionKey: 'e2e-ada', contextWindowLength: 5 }),
			slierModel(),
		], {
			Start: main('Two turns'),
			'Two turns': main('AI Agent'),
			'Simple Memory': { ai_memory: [[{ node: 'AI Agent', type: 'ai_memory', index: 0 }]] },
			'Slier Chat Model': model('AI Agent'),
		}),
		chains: workflow('slierE2Elmchains', 'e2e: n8n AI chains + Slier Chat Model', [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			code('Article', [{ article: texts.article }]),
			code('Texts', [{ extract: texts.extract, classify: texts.classify, sentiment: texts.sentiment }]),
			node('Summarization Chain', `${LANGCHAIN}.chainSummarization`, 2.1, { options: {} }),
			node('Information Extractor', `${LANGCHAIN}.informationExtractor`, 1.2, {
				text: '={{ $json.extract }}',
				attributes: { attributes: [{ name: 'name', type: 'string', description: 'The name of the person', required: true }] },
				options: {},
			}),
			node('Text Classifier', `${LANGCHAIN}.textClassifier`, 1.1, {
				inputText: '={{ $json.classify }}',
				categories: { categories: [{ category: 'Billing', description: 'Payments and charges' }, { category: 'Other', description: 'Anything else' }] },
				options: {},
			}),
			node('Sentiment Analysis', `${LANGCHAIN}.sentimentAnalysis`, 1.1, { inputText: '={{ $json.sentiment }}', options: {} }),
			slierModel('Model S'),
			slierModel('Model I'),
			slierModel('Model T'),
			slierModel('Model A'),
		], {
			Start: main('Article', 'Texts'),
			Article: main('Summarization Chain'),
			Texts: main('Information Extractor', 'Text Classifier', 'Sentiment Analysis'),
			'Model S': model('Summarization Chain'),
			'Model I': model('Information Extractor'),
			'Model T': model('Text Classifier'),
			'Model A': model('Sentiment Analysis'),
		}),
		tools: workflow('slierE2Elmtools1', 'e2e: AI Agent with a tool + Slier Chat Model', [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			agent('AI Agent', 'What is 12 times 7?'),
			node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {}),
			slierModel('Slier Chat Model', { toolCalling: 'off' }),
		], {
			Start: main('AI Agent'),
			Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Slier Chat Model': model('AI Agent'),
		}),
		stream: workflow('slierE2Elmstream', 'e2e: streaming Webhook → AI Agent + Slier Chat Model', [
			{
				...node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: AGENT_STREAM_PATH, responseMode: 'streaming', options: {} }),
				webhookId: 'c3e1a7b4-2d6f-4e8a-9b1c-5f0d2e4a6c81',
			},
			agent('AI Agent', '={{ $json.body.question }}', { enableStreaming: true }),
			slierModel(),
		], { Webhook: main('AI Agent'), 'Slier Chat Model': model('AI Agent') }),
	};
}

type ChatRequest = { path: string; body: { model?: string; messages: Array<{ role: string; content: string }>; stream?: boolean } };

const chatRequests = (emulator: SlierEmulator) =>
	emulator.requests.filter((r) => r.path === '/v1/chat/completions') as unknown as ChatRequest[];

/** What the sub-node's run data shows for its first call (n8n's tracing writes it). */
function modelRun(run: RunOutput, name: string): Record<string, unknown> {
	const task = run.data.resultData.runData[name]?.[0] as { data?: { ai_languageModel?: Array<Array<{ json: Record<string, unknown> }>> } } | undefined;
	return task?.data?.ai_languageModel?.[0]?.[0]?.json ?? {};
}

/** Everything `n8n execute` printed, also when the run failed (host.execute keeps only the tail). */
async function executeFailing(host: N8nHost, workflowId: string): Promise<string> {
	const args = [host.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'];
	const options = { cwd: host.home, env: host.env, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 };
	return promisify(execFile)(host.nodeBin, args, options).then(
		({ stdout }) => stdout,
		(error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
	);
}

export async function beforeStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	const all = workflows();
	const v1 = isN8n1(n8nVersion);
	await test('Slier Chat Model: its workflows import', async () => {
		for (const [name, w] of Object.entries(all)) await host.importJson('workflow', `lm-${name}`, w);
		await host.importJson('workflow', 'feed-chain', example('feed-summarization-chain.json', 'slierE2Eexamplee', (w) => {
			const rss = w.nodes.find((n) => n.type === 'n8n-nodes-base.rssFeedRead')!;
			(rss.parameters as { url: string }).url = `${emulator.url}/feed.xml`;
		}));
		await host.importJson('workflow', 'chat-agent', example('chat-agent-with-slier-model.json', CHAT_EXAMPLE_ID, (w) => {
			// A public chat, so the test can talk to it over HTTP as the chat widget would.
			(w.nodes[0].parameters as Record<string, unknown>).public = true;
		}));
		if (!v1) for (const id of [all.stream.id, CHAT_EXAMPLE_ID]) await activate(host, id, n8nVersion);
	});
	if (v1) {
		await test('Slier Chat Model on n8n 1.x: the Basic LLM Chain fails saying n8n 2.16 is needed', async () => {
			const printed = await executeFailing(host, all.chain.id);
			check(printed.includes('Slier Chat Model needs n8n 2.16 or newer'), `unexpected outcome: ${printed.slice(-800)}`);
		});
		return;
	}
	await test('Slier Chat Model: a Basic LLM Chain answers with Slier, and n8n shows Slier’s tokens', async () => {
		emulator.reset();
		const run = await host.execute(all.chain.id);
		const [item] = itemsOf(run, 'Basic LLM Chain');
		check(item?.text === 'claude-2 answers “Say hello to a real n8n” ✓', `chain output: ${JSON.stringify(item)}`);
		const [sent] = chatRequests(emulator);
		check(sent?.body.model === 'claude-2', `request: ${JSON.stringify(sent?.body)}`);
		// The emulator counts the words of the messages it got, and the deltas of its answer.
		const promptTokens = sent.body.messages.map((m) => m.content.split(/\s+/).filter(Boolean).length).reduce((a, b) => a + b, 0);
		const completionTokens = ` ${item.text}`.split(/(?= )/).length;
		const usage = modelRun(run, 'Slier Chat Model').tokenUsage as Record<string, number> | undefined;
		const expected = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
		check(usage && Object.entries(expected).every(([k, v]) => usage[k] === v), `run data tokenUsage ${JSON.stringify(usage)}, Slier sent ${JSON.stringify(expected)}`);
		console.log(`      the sub-node's run data: tokenUsage ${JSON.stringify(usage)}`);
	});
	await test('Slier Chat Model: an AI Agent with Simple Memory sends the first turn with the second', async () => {
		emulator.reset();
		const run = await host.execute(all.memory.id);
		const outputs = itemsOf(run, 'AI Agent').map((i) => i.output);
		check(outputs.length === 2, `agent outputs: ${JSON.stringify(outputs)}`);
		const sent = chatRequests(emulator).map((r) => r.body.messages.filter((m) => m.role !== 'system'));
		const expected = [
			[{ role: 'user', content: 'my name is Ada' }],
			[
				{ role: 'user', content: 'my name is Ada' },
				{ role: 'assistant', content: 'claude-2 answers “my name is Ada” ✓' },
				{ role: 'user', content: 'what is my name' },
			],
		];
		check(JSON.stringify(sent) === JSON.stringify(expected), `messages sent: ${JSON.stringify(sent)}`);
	});
	await test('Slier Chat Model: Summarization Chain, Information Extractor, Text Classifier, Sentiment Analysis', async () => {
		emulator.reset();
		const run = await host.execute(all.chains.id);
		const summary = JSON.stringify(itemsOf(run, 'Summarization Chain'));
		check(summary.includes('claude-2 answers'), `summary: ${summary.slice(0, 400)}`);
		const extracted = itemsOf(run, 'Information Extractor')[0]?.output;
		check(JSON.stringify(extracted) === '{"name":"Ada"}', `extracted: ${JSON.stringify(extracted)}`);
		const billing = run.data.resultData.runData['Text Classifier']?.[0]?.data?.main[0] ?? [];
		check(billing.length === 1, `Text Classifier routed nothing to Billing: ${JSON.stringify(run.data.resultData.runData['Text Classifier'])}`);
		const positive = run.data.resultData.runData['Sentiment Analysis']?.[0]?.data?.main[0] ?? [];
		check(positive.length === 1, `Sentiment Analysis routed nothing to Positive: ${JSON.stringify(run.data.resultData.runData['Sentiment Analysis'])}`);
		console.log(`      ${chatRequests(emulator).length} Slier requests; summary: ${summary.slice(0, 120)}…`);
	});
	await test('example (e): RSS Read → Summarization Chain with Slier Chat Model', async () => {
		const summaries = itemsOf(await host.execute('slierE2Eexamplee'), 'Summarization Chain');
		check(summaries.length === 3 && summaries.every((s) => JSON.stringify(s).includes('claude-2 answers')), `summaries: ${JSON.stringify(summaries).slice(0, 600)}`);
	});
	await test('Slier Chat Model: with Tool Calling Off, an AI Agent with a tool attached fails, saying so', async () => {
		emulator.reset();
		const outcome = await executeFailing(host, all.tools.id);
		check(outcome.includes('Tool Calling is Off in Slier Chat Model'), `outcome: ${outcome.slice(0, 800)}`);
		check(chatRequests(emulator).length === 0, 'a request reached Slier');
	});
}

export async function afterStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) return;
	await test('Slier Chat Model: an AI Agent under a streaming Webhook delivers Slier’s answer in pieces', async () => {
		const { arrivals, chunks, text } = await host.postStreaming(AGENT_STREAM_PATH, { question: 'Stream the agent answer [[pace ms=150]]' });
		check(text === 'claude-2 answers “Stream the agent answer” ✓', `streamed text: ${JSON.stringify(text)} from ${JSON.stringify(chunks).slice(0, 600)}`);
		const spread = arrivals[arrivals.length - 1].at - arrivals[0].at;
		check(arrivals.length >= 4 && spread >= 500, `not incremental: ${arrivals.length} network reads over ${spread} ms`);
		const [sent] = chatRequests(emulator).slice(-1);
		check(sent?.body.stream === true, 'the agent did not ask Slier for a stream');
		console.log(`      ${arrivals.length} network reads, first at ${arrivals[0].at} ms, last at ${arrivals[arrivals.length - 1].at} ms`);
	});
	await test('example (d): a chat with the AI Agent + Simple Memory + Slier Chat Model streams and remembers', async () => {
		const say = async (chatInput: string) => {
			const res = await request(`${host.url}/webhook/5b1f7e2a-0001-4c6d-8e9f-0000000000aa/chat`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ action: 'sendMessage', sessionId: 'e2e-chat-1', chatInput }),
			});
			const body = await res.body.text();
			check(res.statusCode === 200, `HTTP ${res.statusCode}: ${body.slice(0, 300)}`);
			return body
				.split('\n')
				.filter((line) => line.trim())
				.map((line) => JSON.parse(line) as { type: string; content?: string })
				.filter((c) => c.type === 'item')
				.map((c) => c.content)
				.join('');
		};
		emulator.reset();
		check((await say('my name is Ada')) === 'claude-2 answers “my name is Ada” ✓', 'first answer');
		check((await say('what is my name')) === 'claude-2 answers “what is my name” ✓', 'second answer');
		const second = chatRequests(emulator)[1]?.body.messages.map((m) => m.content) ?? [];
		check(second.includes('my name is Ada') && second.includes('claude-2 answers “my name is Ada” ✓'), `the second turn lacks the first: ${JSON.stringify(second)}`);
	});
	if (process.env.SLIER_E2E_EDITOR === '0') return;
	await test('Slier Chat Model: the editor shows its panel and model list', async () => {
		const { panelText, listText } = await captureEditor(host, 'slierE2Elmchain1', 'Slier Chat Model', 'lm-chat-slier');
		for (const label of ['Credential', 'Model', 'Options']) check(panelText.includes(label), `the panel does not show "${label}":\n${panelText.slice(0, 1500)}`);
		check(listText.includes('GPT-4o (gpt-4o)'), `the model list: ${listText}`);
	});
}
