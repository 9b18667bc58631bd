/**
 * An AI Agent (its chat model the emulator's OpenAI-compatible stand-in)
 * with Slier Search as a tool, Stream on, behind a Webhook whose response streams. The caller
 * must receive only the agent's answer, never the tool's own text.
 */

import type { SlierEmulator } from '../../test/emulator/server';
import { activate, check, isN8n1, node, workflow, type Test } from './kit';
import type { N8nHost } from './n8n-host';
import { agentWithSearchTool } from './workflows';

const WORKFLOW_ID = 'slierE2Ehard0001';
const PATH = 'slier-agent-stream';
const QUESTION = 'Who makes the Vision Pro?';

/** Webhook (streaming) → AI Agent with Slier Search (Stream on) as its tool. */
function agentStreamingWorkflow(n8nVersion: string) {
	const webhook = node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: PATH, responseMode: 'streaming', options: {} }, [0, 0], {
		webhookId: 'c1e5a7d3-2b4f-4e6a-8c9d-1f3b5d7e9a20',
	});
	// Agent 3.1 (n8n 2.x) runs tools as ordinary nodes through the engine; 2.2 (n8n 1.x) through a
	// tool context. Both stream when the execution streams.
	const agent = { typeVersion: isN8n1(n8nVersion) ? 2.2 : 3.1, text: '={{ $json.body.question }}' };
	const { nodes, connections } = agentWithSearchTool(webhook, agent, true);
	return workflow(WORKFLOW_ID, 'e2e: agent with a streaming Slier Search tool behind a streaming webhook', nodes, connections);
}

/** Imports and publishes the workflow; call before `host.start()`. */
export async function prepareAgentToolStreaming(host: N8nHost, n8nVersion: string): Promise<void> {
	await host.importJson('workflow', 'agent-tool-streaming', agentStreamingWorkflow(n8nVersion));
	await activate(host, WORKFLOW_ID, n8nVersion);
}

/** Runs the checks; call once `host.start()` has run. */
export async function agentToolStreamingChecks(test: Test, host: N8nHost, emulator: SlierEmulator): Promise<void> {
	await test('an agent with a streaming Slier Search tool streams only the agent’s answer to a webhook', async () => {
		await host.waitForWebhook(PATH, 'POST');
		emulator.reset();
		const { chunks, text, raw } = await host.postStreaming(PATH, { question: QUESTION });
		const searches = emulator.requests.filter((r) => r.path === '/v1/search/completions');
		const streamed = searches.map((r) => (r.body as { stream?: boolean }).stream);
		check(streamed.length === 1 && streamed[0] === true, `Slier Search requests (stream flags): ${JSON.stringify(streamed)}`);
		const senders = [...new Set(chunks.map((c) => c.metadata?.nodeName))];
		check(senders.length === 1 && senders[0] === 'AI Agent', `chunks came from ${JSON.stringify(senders)}: ${raw.slice(0, 800)}`);
		check(
			text.startsWith('Agent answer from the tool:') && text.includes(`Slier Search on “${QUESTION}”`),
			`the streamed text is not the agent's answer: ${text.slice(0, 500)}`,
		);
		console.log(`      ${chunks.length} chunks, all from "AI Agent"; Slier Search streamed from Slier but sent none`);
	});
}
