/**
 * Tool calls as open models write them, in a real n8n: an AI Agent (3.1) with Slier Chat Model
 * and the Calculator, the emulator's slier-tools model answering in Llama's <|python_tag|>,
 * Mistral's [TOOL_CALLS], Qwen3-Coder's XML, GLM's <arg_key> and pythonic form (one item each,
 * one execution); a streaming Webhook whose chat must show no call text; and the Evaluation
 * node's Correctness metric (withStructuredOutput) with Slier Chat Model as its model, in the
 * same execution. n8n 1.x cannot run the sub-node: the checks are skipped there.
 */
import type { SlierEmulator } from '../../test/emulator/server';
import { callDirective } from '../../test/emulator/tool-models';
import { check, expectEqual, isN8n1, node, slierCredentials as credentials, toMain, workflow, type Test } from './kit';
import { itemsOf, type N8nHost } from './n8n-host';

const LANGCHAIN = '@n8n/n8n-nodes-langchain';
const RUN_ID = 'slierE2Eformat01';
const STREAM_ID = 'slierE2Eformat02';
const STREAM_PATH = 'slier-agent-formats-stream';
const FORMATS = ['llama', 'mistral', 'mistral-name', 'qwen3-coder', 'glm', 'pythonic'];
const CALC = callDirective('Calculator', { input: '12*7' });
const GRADE = { extended_reasoning: 'Both answers say 84.', reasoning_summary: 'The same number.', score: 5 };

const slierModel = (target: string) => ({
	node: node('Slier Chat Model', `n8n-nodes-slier.lmChatSlier`, 1, { model: { __rl: true, mode: 'id', value: 'slier-tools' }, options: {} }, [400, 220], { credentials }),
	connection: { 'Slier Chat Model': { ai_languageModel: [[{ node: target, type: 'ai_languageModel', index: 0 }]] } },
});

/** Start → Questions (one item per format) → AI Agent + Calculator; Start → Evaluation (Correctness). */
function formatsWorkflow() {
	const questions = FORMATS.map((format) => ({ format, question: `What is 12 times 7? ${CALC} [[format name=${format}]]` }));
	const model = slierModel('AI Agent');
	const grader = { ...slierModel('Evaluation'), node: { ...slierModel('Evaluation').node, id: 'grader-model', name: 'Grader Model' } };
	return workflow(
		RUN_ID,
		'e2e: AI Agent + Slier Chat Model, open model call formats; Evaluation Correctness',
		[
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]),
			node('Questions', 'n8n-nodes-base.code', 2, { jsCode: `return ${JSON.stringify(questions.map((json) => ({ json })))};` }, [200, 0]),
			node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: '={{ $json.question }}', options: {} }, [400, 0]),
			model.node,
			node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {}, [600, 220]),
			node(
				'Evaluation',
				'n8n-nodes-base.evaluation',
				4.8,
				{ operation: 'setMetrics', metric: 'correctness', expectedAnswer: '84', actualAnswer: `84 ${callDirective('extract', GRADE)} [[format name=qwen3-coder]]` },
				[200, 400],
				{ onError: 'continueRegularOutput' },
			),
			{ ...grader.node, position: [200, 600] },
		],
		{
			Start: { main: toMain('Questions', 'Evaluation') },
			Questions: { main: toMain('AI Agent') },
			...model.connection,
			'Grader Model': { ai_languageModel: [[{ node: 'Evaluation', type: 'ai_languageModel', index: 0 }]] },
			Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	);
}

/** Webhook (streaming) → AI Agent with streaming on, Slier Chat Model and the Calculator. */
function streamingWorkflow() {
	const model = slierModel('AI Agent');
	return workflow(
		STREAM_ID,
		'e2e: streaming Webhook → AI Agent + Slier Chat Model, open model call formats',
		[
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: STREAM_PATH, responseMode: 'streaming', options: {} }, [0, 0], {
				webhookId: '3f8a1c5e-7b2d-4e9f-a6c1-5d8e2b4f9a31',
			}),
			node('AI Agent', `${LANGCHAIN}.agent`, 3.1, { promptType: 'define', text: '={{ $json.body.question }}', options: { enableStreaming: true } }, [240, 0]),
			model.node,
			node('Calculator', `${LANGCHAIN}.toolCalculator`, 1, {}, [600, 220]),
		],
		{ Webhook: { main: toMain('AI Agent') }, ...model.connection, Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] } },
	);
}

const SKIP_1X = 'skipped on n8n 1.x: Slier Chat Model needs @n8n/ai-node-sdk (n8n 2.16 or newer)';
const chatPosts = (emulator: SlierEmulator) => emulator.requests.filter((r) => r.path === '/v1/chat/completions');

export async function beforeStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) {
		console.log(`  - open model call formats and Evaluation with Slier Chat Model: ${SKIP_1X}`);
		return;
	}
	await test('open model formats: their workflows import', async () => {
		await host.importJson('workflow', 'tool-formats', formatsWorkflow());
		await host.importJson('workflow', 'tool-formats-stream', streamingWorkflow());
		await host.cli('publish:workflow', `--id=${STREAM_ID}`);
	});
	await test(`open model formats: an AI Agent runs the Calculator for ${FORMATS.join(', ')} answers; Evaluation's Correctness gives a score`, async () => {
		emulator.reset();
		const run = await host.execute(RUN_ID);
		const outputs = itemsOf(run, 'AI Agent').map((item) => item.output);
		expectEqual(outputs, FORMATS.map(() => 'Answer from the tools: Calculator said 84'), 'agent outputs, one per format');
		const [metric] = itemsOf(run, 'Evaluation');
		check(metric?.Correctness === 5, `Evaluation output: ${JSON.stringify(metric).slice(0, 600)}`);
		console.log(`      ${FORMATS.length} formats, ${chatPosts(emulator).length} model calls; Evaluation: ${JSON.stringify(metric)}`);
	});
}

export async function afterStart(test: Test, host: N8nHost, emulator: SlierEmulator, n8nVersion: string): Promise<void> {
	if (isN8n1(n8nVersion)) return;
	await test('open model formats: behind a streaming Webhook, Llama and Qwen3-Coder calls run and no call text reaches the chat', async () => {
		for (const format of ['llama', 'qwen3-coder']) {
			emulator.reset();
			const { text } = await host.postStreaming(STREAM_PATH, { question: `What is 12 times 7? ${CALC} [[format name=${format}]] [[pace ms=5]]` });
			check(text.includes('Answer from the tools: Calculator said 84'), `${format}: no final answer in the stream: ${JSON.stringify(text).slice(0, 600)}`);
			check(!/python_tag|tool_call|<function|<parameter|"parameters"|12\*7/.test(text), `${format}: call text reached the chat: ${JSON.stringify(text).slice(0, 600)}`);
			check(chatPosts(emulator).length === 2, `${format}: ${chatPosts(emulator).length} model calls`);
			console.log(`      ${format}: ${JSON.stringify(text).slice(0, 120)}`);
		}
	});
}
