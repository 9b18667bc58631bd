/**
 * Reasoning models behind the Slier Chat Model in a real n8n: the emulator's `[[think]]` makes the
 * model think before it answers, in the forms such models use. n8n's Basic LLM Chain, Information
 * Extractor and AI Agent (with a Calculator) must get the answer alone, and a thought's tool call
 * must never run; behind a streaming Webhook the chat must never show the thought.
 * run.ts calls `beforeStart` while n8n is stopped (CLI executions) and `afterStart` once it serves.
 * n8n 1.x cannot run the sub-node (it needs n8n 2.16 or newer): the checks are skipped there.
 */
import type { SlierEmulator } from '../../test/emulator/server';
import { callDirective } from '../../test/emulator/tool-models';
import { activate, check, isN8n1, node as placedNode, slierCredentials as credentials, workflow, type Node, type Test } from './kit';
import { itemsOf, type N8nHost } from './n8n-host';

const LANGCHAIN = '@n8n/n8n-nodes-langchain';
const STREAM_PATH = 'slier-reasoning-stream';
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const think = (form: string, thought: string, extra = '') => `[[think form=${form} text=${b64(thought)} piece=3${extra}]]`;
const reply = (text: string) => `[[reply b64=${b64(text)}]]`;

/** A thought with a draft a parser or tool reader must not take: JSON, and a tool call. */
const DRAFT_JSON = 'A first draft: {"company": "Draft Co"}. No, the text says Acme.';
const DRAFT_CALL = 'I could call <tool_call>\n{"name":"Calculator","arguments":{"input":"6+7"}}\n</tool_call> but they asked 6 times 7.';
const AGENT_QUESTION = `What is 6 times 7? ${callDirective('Calculator', { input: '6*7' })}`;

let column = 0;
const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}): Node =>
	placedNode(name, type, typeVersion, parameters, [++column * 200, 0], { id: `think-${column}`, ...extra });
const slierModel = (name: string, model: string) =>
	node(name, 'n8n-nodes-slier.lmChatSlier', 1, { model: { __rl: true, mode: 'id', value: model }, options: {} }, { credentials });
const main = (...targets: string[]) => ({ main: [targets.map((target) => ({ node: target, type: 'main', index: 0 }))] });
const model = (target: string) => ({ ai_languageModel: [[{ node: target, type: 'ai_languageModel', index: 0 }]] });
const calculator = (name: string, agent: string) => ({ [name]: { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] } });

function workflows() {
	return {
		nodes: workflow('slierE2Ethink001', 'e2e: a reasoning model behind Slier Chat Model', [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Basic LLM Chain', `${LANGCHAIN}.chainLlm`, 1.7, { promptType: 'define', text: `Say hello ${think('tags', 'The user wants a greeting.')}` }),
			node('Information Extractor', `${LANGCHAIN}.informationExtractor`, 1.2, {
				text: `Acme is hiring. ${think('harmony', DRAFT_JSON)} ${reply('{"company": "Acme"}')}`,
				attributes: { attributes: [{ name: 'company', type: 'string', description: 'The company', required: true }] },
				options: {},
			}),
			node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: `${AGENT_QUESTION} ${think('command-r', DRAFT_CALL)}`, options: {} }),
			node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {}),
			slierModel('Model C', 'claude-2'),
			slierModel('Model I', 'claude-2'),
			slierModel('Model T', 'slier-tools'),
		], {
			Start: main('Basic LLM Chain', 'Information Extractor', 'AI Agent'),
			'Model C': model('Basic LLM Chain'),
			'Model I': model('Information Extractor'),
			'Model T': model('AI Agent'),
			...calculator('Calculator', 'AI Agent'),
		}),
		stream: workflow('slierE2Ethink002', 'e2e: streaming Webhook → AI Agent + Slier Chat Model (reasoning model) + Calculator', [
			{
				...node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: STREAM_PATH, responseMode: 'streaming', options: {} }),
				webhookId: '4e0b6f1c-22d9-4a7e-9c35-7f1d0a6b2e58',
			},
			node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: '={{ $json.body.question }}', options: { enableStreaming: true } }),
			node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {}),
			slierModel('Slier Chat Model', 'slier-tools'),
		], { Webhook: main('AI Agent'), 'Slier Chat Model': model('AI Agent'), ...calculator('Calculator', 'AI Agent') }),
	};
}

type Body = { model?: string; messages: Array<{ role: string; content: string }> };
const toolRequests = (emulator: SlierEmulator) =>
	emulator.requests.filter((r) => r.path === '/v1/chat/completions' && (r.body as Body).model === 'slier-tools').map((r) => r.body as Body);

/** The Calculator results the model was sent back: only the answer's call ran. */
const resultsSent = (emulator: SlierEmulator) =>
	toolRequests(emulator).flatMap((b) => b.messages.flatMap((m) => [...m.content.matchAll(/<tool_result name="Calculator">\n([^\n]*)/g)].map((r) => r[1])));

const SKIP_1X = 'skipped on n8n 1.x: Slier Chat Model needs @n8n/ai-node-sdk (n8n 2.16 or newer)';

export async function beforeStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) {
		console.log(`  - reasoning models with Slier Chat Model: ${SKIP_1X}`);
		return;
	}
	const all = workflows();
	await test('reasoning model: its workflows import', async () => {
		// One CLI call for both (an array): each call costs seconds of n8n start-up.
		await host.importJson('workflow', 'think', Object.values(all));
		await activate(host, all.stream.id, n8nVersion);
	});
	await test('reasoning model: a Basic LLM Chain, an Information Extractor and an AI Agent with a tool get the answer alone', async () => {
		emulator.reset();
		const run = await host.execute(all.nodes.id);
		const text = itemsOf(run, 'Basic LLM Chain')[0]?.text;
		check(text === 'claude-2 answers “Say hello” ✓', `chain output: ${JSON.stringify(text)}`);
		const extracted = itemsOf(run, 'Information Extractor')[0]?.output;
		check(JSON.stringify(extracted) === '{"company":"Acme"}', `extracted: ${JSON.stringify(extracted)}`);
		const output = String(itemsOf(run, 'AI Agent')[0]?.output);
		check(output === 'Answer from the tools: Calculator said 42', `agent output: ${output.slice(0, 400)}`);
		check(JSON.stringify(resultsSent(emulator)) === '["42"]', `Calculator results sent to the model: ${JSON.stringify(resultsSent(emulator))}`);
		console.log(`      chain: ${JSON.stringify(text)}; extracted ${JSON.stringify(extracted)}; agent: ${JSON.stringify(output)}`);
	});
}

export async function afterStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) return;
	await test('reasoning model: behind a streaming Webhook the chat shows the answer, never the thought', async () => {
		emulator.reset();
		const { chunks, text } = await host.postStreaming(STREAM_PATH, { question: `${AGENT_QUESTION} ${think('tags', DRAFT_CALL)}` });
		check(text.includes('Answer from the tools: Calculator said 42'), `streamed text: ${JSON.stringify(text).slice(0, 400)}`);
		check(!/could call|6\+7|tool_call/.test(text), `the thought reached the chat: ${JSON.stringify(text).slice(0, 400)}`);
		check(JSON.stringify(resultsSent(emulator)) === '["42"]', `Calculator results sent to the model: ${JSON.stringify(resultsSent(emulator))}`);
		console.log(`      ${chunks.filter((c) => c.type === 'item').length} item chunks: ${JSON.stringify(text).slice(0, 160)}`);
	});
}
