import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CREDENTIAL_ID, node, slierCredentials as credentials, toMain, workflow, type Node, type Workflow } from './kit';

/** Workflows for the real-n8n run. IDs are fixed so `n8n execute --id` can find them. */
export { CREDENTIAL_ID };

export const OPENAI_CREDENTIAL_ID = 'openAiE2Ecred001';

export function credentialsFile(apiKey: string, baseUrl: string) {
	return [
		{ id: CREDENTIAL_ID, name: 'Slier emulator', type: 'slierApi', data: { apiKey, baseUrl } },
		// The emulator's stand-in chat model for the AI Agent (agent-model.ts).
		{ id: OPENAI_CREDENTIAL_ID, name: 'Agent model (emulator)', type: 'openAiApi', data: { apiKey: 'sk-agent-model', url: `${baseUrl}/openai/v1` } },
	];
}

/** Both nodes, streamed and not, from one manual trigger. */
export function nodesWorkflow(): Workflow {
	const chat = (stream: boolean) => ({
		model: { __rl: true, mode: 'list', value: 'claude-2', cachedResultName: 'Claude 2 (claude-2)' },
		messages: { values: [{ role: 'user', content: 'Hello from a real n8n' }] },
		stream,
		modelParams: { temperature: 0.5 },
	});
	const search = (stream: boolean) => ({
		messages: { values: [{ role: 'user', content: 'Search from a real n8n [[split size=5]]' }] },
		stream,
	});
	return workflow(
		'slierE2Enodes001',
		'e2e: Slier nodes',
		[
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]),
			node('Chat', 'n8n-nodes-slier.slierChat', 1, chat(false), [240, -200], { credentials }),
			node('Chat streamed', 'n8n-nodes-slier.slierChat', 1, chat(true), [240, 0], { credentials }),
			node('Search', 'n8n-nodes-slier.slierSearch', 1, search(false), [240, 200], { credentials }),
			node('Search streamed', 'n8n-nodes-slier.slierSearch', 1, search(true), [240, 400], { credentials }),
		],
		{ Start: { main: toMain('Chat', 'Chat streamed', 'Search', 'Search streamed') } },
	);
}

/** An example from examples/, with its credential pointed at the emulator. */
export function example(file: string, id: string, rewrite: (workflow: Workflow) => void = () => {}): Workflow {
	const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8')) as Workflow;
	workflow.id = id;
	for (const n of workflow.nodes) {
		const creds = n.credentials as Record<string, { id: string; name: string }> | undefined;
		if (creds?.slierApi) creds.slierApi = credentials.slierApi;
	}
	rewrite(workflow);
	return workflow;
}

export const STREAM_PATH = 'slier-stream';

/** Webhook (streaming response) → Slier Chat with Stream on: what a chat front end calls. */
export function streamingWebhookWorkflow(): Workflow {
	return workflow(
		'slierE2Estream01',
		'e2e: streaming webhook',
		[
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: STREAM_PATH, responseMode: 'streaming', options: {} }, [0, 0], {
				webhookId: 'b7d6c9a2-5e1f-4c3b-9a8d-0e2f4a6b8c10',
			}),
			node(
				'Slier Chat',
				'n8n-nodes-slier.slierChat',
				1,
				{
					model: { __rl: true, mode: 'id', value: 'claude-2' },
					messages: { values: [{ role: 'user', content: '={{ $json.body.question }}' }] },
					stream: true,
				},
				[240, 0],
				{ credentials },
			),
		],
		{ Webhook: { main: toMain('Slier Chat') } },
	);
}

export const AGENT_QUESTION = 'Who makes the Vision Pro?';

/**
 * `trigger` → an AI Agent whose chat model is the emulator's stand-in (agent-model.ts) and whose
 * only tool is Slier Search, supplied just the question through $fromAI.
 */
export function agentWithSearchTool(trigger: Node, agent: { typeVersion: number; text: string }, stream = false) {
	return {
		nodes: [
			trigger,
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', agent.typeVersion, { promptType: 'define', text: agent.text, options: {} }, [240, 0]),
			node('Chat Model', '@n8n/n8n-nodes-langchain.lmChatOpenAi', 1.2, { model: { __rl: true, mode: 'id', value: 'emulator-agent' }, options: {} }, [160, 220], {
				credentials: { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'Agent model (emulator)' } },
			}),
			node(
				'Slier Search',
				'n8n-nodes-slier.slierSearchTool',
				1,
				{
					toolDescription: 'Searches the web with Slier and returns an answer with cited sources. Input: one question.',
					messages: { values: [{ role: 'user', content: "={{ $fromAI('question', 'The question to search the web for', 'string') }}" }] },
					...(stream ? { stream: true } : {}),
					options: {},
				},
				[400, 220],
				{ credentials },
			),
		],
		connections: {
			[String(trigger.name)]: { main: toMain('AI Agent') },
			'Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Slier Search': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** AI Agent (a chat model from the emulator) with Slier Search as its only tool. */
export function agentWorkflow(): Workflow {
	const { nodes, connections } = agentWithSearchTool(node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]), { typeVersion: 1.7, text: AGENT_QUESTION });
	return workflow('slierE2Eagent001', 'e2e: agent with Slier Search tool', nodes, connections);
}
