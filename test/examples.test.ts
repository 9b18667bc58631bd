import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, type IConnections, type IDataObject, type INode, type INodeType } from 'n8n-workflow';

import { LmChatSlier } from '../nodes/LmChatSlier/LmChatSlier.node';
import { SlierChat } from '../nodes/SlierChat/SlierChat.node';
import { SlierSearch } from '../nodes/SlierSearch/SlierSearch.node';
import { ItemsSource, NodeTypes } from './harness/node-types';
import { outputOf, runWorkflow } from './harness/run-workflow';
import { FixtureStandIn, ManualTriggerStandIn, SetStandIn } from './harness/stand-ins';
import { TEST_API_KEY } from './helpers/slier-node';
import { useEmulator } from './helpers/use-emulator';

const dir = join(__dirname, '..', 'examples');
const load = (file: string) =>
	JSON.parse(readFileSync(join(dir, file), 'utf8')) as { name: string; nodes: INode[]; connections: IConnections };

/** n8n's own node types the examples use, with the versions they were written for. */
const N8N_TYPES: Record<string, number[]> = {
	'n8n-nodes-base.manualTrigger': [1],
	'n8n-nodes-base.rssFeedRead': [1.1],
	'n8n-nodes-base.code': [2],
	'n8n-nodes-base.set': [3.4],
	'@n8n/n8n-nodes-langchain.chatTrigger': [1.1, 1.4],
	'@n8n/n8n-nodes-langchain.agent': [1.7, 3.1],
	'@n8n/n8n-nodes-langchain.lmChatOpenAi': [1.2],
	'@n8n/n8n-nodes-langchain.memoryBufferWindow': [1.3],
	'@n8n/n8n-nodes-langchain.chainSummarization': [2.1],
};

const OURS: Record<string, INodeType> = { slierChat: new SlierChat(), slierSearch: new SlierSearch(), lmChatSlier: new LmChatSlier() };

const emulator = useEmulator();

describe.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('example %s', (file) => {
	it('uses known node types, and our nodes with parameters n8n finds no issue with', () => {
		const workflow = load(file);
		for (const node of workflow.nodes) {
			const ours = /^n8n-nodes-slier\.(slierChat|slierSearch|lmChatSlier)(Tool)?$/.exec(node.type);
			if (!ours) {
				expect(N8N_TYPES[node.type]).toContain(node.typeVersion);
				continue;
			}
			const { description } = OURS[ours[1]];
			expect(node.typeVersion).toBe(description.version);
			// n8n adds toolDescription to a tool variant's panel; the rest is the node's own.
			const { toolDescription, ...own } = node.parameters;
			expect(ours[2] ? typeof toolDescription : 'none').toBe(ours[2] ? 'string' : 'none');
			const checked = { ...node, parameters: own };
			const resolved = NodeHelpers.getNodeParameters(description.properties, own, true, false, checked, description);
			expect(resolved).not.toBeNull();
			expect(NodeHelpers.getNodeParametersIssues(description.properties, { ...checked, parameters: resolved! }, description)).toBeNull();
			expect(node.credentials?.slierApi).toBeDefined();
		}
		// n8n 1.x cannot clone a Code node's items in `$('Node').item`: examples take the input's
		// fields through Include Input Fields instead, so they run the same on 1.x and 2.x.
		expect(JSON.stringify(workflow.nodes)).not.toMatch(/\$\(['"]/);
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(workflow.nodes.map((n) => n.name)).toContain(from);
			for (const target of Object.values(outputs).flat(2)) {
				expect(workflow.nodes.map((n) => n.name)).toContain(target!.node);
			}
		}
	});
});

/** Runs an example with n8n-nodes-base stand-ins around our real nodes. */
async function runExample(file: string, fixtures: Record<string, IDataObject[]>) {
	const workflow = load(file);
	const nodeTypes = new NodeTypes({
		'harness.itemsSource': new ItemsSource(),
		'n8n-nodes-slier.slierChat': OURS.slierChat,
		'n8n-nodes-slier.slierSearch': OURS.slierSearch,
		'n8n-nodes-base.manualTrigger': new ManualTriggerStandIn(),
		'n8n-nodes-base.set': new SetStandIn(),
		'n8n-nodes-base.rssFeedRead': new FixtureStandIn(fixtures['n8n-nodes-base.rssFeedRead'] ?? []),
		'n8n-nodes-base.code': new FixtureStandIn(fixtures['n8n-nodes-base.code'] ?? []),
	});
	return runWorkflow({
		nodes: workflow.nodes,
		connections: workflow.connections,
		nodeTypes,
		credentials: { slierApi: { apiKey: TEST_API_KEY, baseUrl: emulator.url } },
	});
}

describe('examples run against the emulator', () => {
	it('(a) feed → Slier Chat → fields for an e-mail', async () => {
		const feed = [
			{ title: 'Solar library opens', link: 'https://example.com/1', contentSnippet: 'Runs on rooftop panels.' },
			{ title: 'Rail line reopens', link: 'https://example.com/2', contentSnippet: 'Trains every 30 minutes. [[filter]]' },
			// RSS Read also outputs the article as `content`: a failed item must not pass it off as the summary.
			{ title: 'Bakery wins award', link: 'https://example.com/3', contentSnippet: 'Sourdough. [[status code=400]]', content: 'Full article' },
		];
		const run = await runExample('feed-summary-to-email.json', { 'n8n-nodes-base.rssFeedRead': feed });
		expect(run.data.resultData.error).toBeUndefined();
		expect(outputOf(run, 'Fields for e-mail').map((i) => i.json)).toEqual([
			{
				subject: 'Solar library opens',
				summary: 'claude-2 answers “Solar library opens Runs on rooftop panels.” ✓',
				link: 'https://example.com/1',
				html: '<h3><a href="https://example.com/1">Solar library opens</a></h3><p>claude-2 answers “Solar library opens Runs on rooftop panels.” ✓</p>',
			},
			{
				subject: 'Rail line reopens',
				summary: '(Slier declined to summarize this item)',
				link: 'https://example.com/2',
				html: '<h3><a href="https://example.com/2">Rail line reopens</a></h3><p></p>',
			},
			{
				// A failed item keeps the feed's fields too, so the digest still names it.
				subject: 'Bakery wins award',
				summary: 'Summary failed: Slier rejected the request (HTTP 400): The server had an error (400). (item 2)',
				link: 'https://example.com/3',
				html: '<h3><a href="https://example.com/3">Bakery wins award</a></h3><p></p>',
			},
		]);
		expect((emulator.requests[0].body as { model_params: object }).model_params).toEqual({ temperature: 0.3 });
	});

	it('(b) leads → Slier Search → answer and citations for a CRM', async () => {
		const leads = [
			{ company: 'Acme Robotics', website: 'acme-robotics.example' },
			{ company: 'Northwind Traders', website: 'northwind.example' },
		];
		const run = await runExample('search-to-crm.json', { 'n8n-nodes-base.code': leads });
		expect(run.data.resultData.error).toBeUndefined();
		expect(outputOf(run, 'Fields for CRM').map((i) => i.json)).toEqual([
			{
				company: 'Acme Robotics',
				answer:
					'Slier Search on “What does Acme Robotics (acme-robotics.example) sell, and who are its main customers?”: the first source says yes, the second agrees, and the first adds more. See [the report](https://example.com/report).',
				citations: [1, 2],
				sources: 'https://example.com/report',
			},
			expect.objectContaining({ company: 'Northwind Traders', citations: [1, 2] }),
		]);
	});
});
