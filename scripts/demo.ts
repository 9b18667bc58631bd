/**
 * `npm run demo`: a feed-summarizing workflow (five feed items → Slier Chat) run by n8n-core's
 * engine. Without SLIER_API_KEY it starts the Slier emulator in-process, and asks it to filter one
 * item and fail another, to show what those look like; with it (and optionally SLIER_BASE_URL,
 * SLIER_MODEL) it calls the real API.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { closeDispatcher } from '../nodes/shared/transport/dispatcher';
import { startEmulator, type SlierEmulator } from '../test/emulator/server';
import { outputOf, runWorkflow } from '../test/harness/run-workflow';
import { itemsNode, slierNode } from '../test/helpers/slier-node';
import { FEED } from './demo/feed';

async function main(): Promise<number> {
	process.env.N8N_LOG_LEVEL ??= 'warn';
	// n8n-core keeps instance settings in its user folder: use a scratch one, not ~/.n8n.
	process.env.N8N_USER_FOLDER ??= join(tmpdir(), 'n8n-nodes-slier-demo');
	let emulator: SlierEmulator | undefined;
	let credentials: { apiKey: string; baseUrl: string };
	if (process.env.SLIER_API_KEY) {
		credentials = { apiKey: process.env.SLIER_API_KEY, baseUrl: process.env.SLIER_BASE_URL ?? 'https://api.slier.ai' };
		console.log(`Calling the Slier API at ${credentials.baseUrl}`);
	} else {
		emulator = await startEmulator();
		credentials = { apiKey: emulator.apiKey, baseUrl: emulator.url };
		console.log(`SLIER_API_KEY is not set: using the built-in Slier emulator at ${emulator.url}`);
	}
	const model = process.env.SLIER_MODEL ?? 'claude-2';
	// Emulator directives (README): the 4th item meets the content filter, the 5th a server error.
	const feed = emulator ? FEED.map((item, n) => ({ ...item, content: `${item.content}${DEMO_FAULTS[n] ?? ''}` })) : FEED;
	if (emulator) console.log('The emulator is asked to answer item #2 as a reasoning model, to filter item #4 and to fail item #5 (HTTP 503), to show them.');
	try {
		const run = await runWorkflow({
			nodes: [
				itemsNode(feed, 'Feed'),
				slierNode('slierChat', {
					name: 'Summarize',
					position: [220, 0],
					continueOnFail: true,
					parameters: {
						model: { __rl: true, mode: 'id', value: model },
						messages: {
							values: [
								{ role: 'system', content: 'Summarize the news item in one sentence.' },
								{ role: 'user', content: '={{ $json.title }}: {{ $json.content }}' },
							],
						},
						stream: true,
						modelParams: { temperature: 0.3 },
						options: { includeInputFields: true, maxRetries: 1 },
					},
				}),
				slierNode('slierSearch', {
					name: 'Background',
					position: [220, 200],
					continueOnFail: true,
					parameters: {
						messages: { values: [{ role: 'user', content: '=What is the background of this story: {{ $json.title }}?' }] },
						options: { stripCitations: true },
					},
				}),
			],
			connections: {
				Feed: {
					main: [
						[
							{ node: 'Summarize', type: 'main', index: 0 },
							{ node: 'Background', type: 'main', index: 0 },
						],
					],
				},
			},
			credentials: { slierApi: credentials },
		});
		const error = run.data.resultData.error;
		if (error) {
			console.error(`The workflow failed: ${error.message}\n${error.description ?? ''}`);
			return 1;
		}
		const items = outputOf(run, 'Summarize');
		console.log(`\nSlier Chat (streamed, Include Input Fields on) output: ${items.length} items, one per feed item\n`);
		items.forEach((item, n) => console.log(describeItem(item, n)));
		console.log('\nThe first item as downstream nodes see it:');
		console.log(JSON.stringify(items[0]?.json, null, 2));
		const searched = outputOf(run, 'Background');
		console.log(`\nSlier Search output: ${searched.length} items (Strip Citation Markers is on: the ¹ ² marks are gone from the text, citations lists them)\n`);
		searched.forEach((item, n) => console.log(describeSearch(item, n)));
		console.log('\nThe first search item:');
		console.log(JSON.stringify(searched[0]?.json, null, 2));
		const failed = items.filter((i) => i.json.error).length + searched.filter((i) => i.json.error).length;
		const expectedFailures = emulator ? 1 : 0;
		return items.length === FEED.length && searched.length === FEED.length && failed === expectedFailures ? 0 : 1;
	} finally {
		await emulator?.close();
		await closeDispatcher();
	}
}

function describeItem(item: INodeExecutionData, n: number): string {
	const json = item.json;
	const title = FEED[(item.pairedItem as { item: number }).item]?.title;
	if (json.error) return `#${n + 1} ${title}\n   FAILED (errorType ${String(json.errorType)}) ${String(json.error)}`;
	const usage = json.usage as IDataObject | null;
	const tokens = usage ? `${usage.promptTokens}+${usage.completionTokens}=${usage.totalTokens} tokens` : 'no usage';
	if (json.filtered) {
		const filter = json.filter as IDataObject;
		return `#${n + 1} ${title}\n   FILTERED by Slier's content filter (filtered: true, content ${JSON.stringify(json.content)}): ${String(filter.message)}`;
	}
	const thought = json.reasoning ? `\n   (the model's thought, kept apart in reasoning: "${String(json.reasoning).slice(0, 60)}…")` : '';
	return `#${n + 1} ${title}\n   → ${String(json.content)}${thought}\n   [${json.finishReason} · ${json.model} · ${tokens}]`;
}

function describeSearch(item: INodeExecutionData, n: number): string {
	const json = item.json;
	if (json.error) return `#${n + 1} FAILED (errorType ${String(json.errorType)}) ${String(json.error)}`;
	if (json.filtered) return `#${n + 1} FILTERED (filtered: true)`;
	const links = (json.links as Array<{ url: string }>).map((l) => l.url).join(', ') || 'none';
	return `#${n + 1} ${String(json.content)}\n   [citations ${JSON.stringify(json.citations)} · links ${links}]`;
}

/** Emulator directives appended to feed items by position (see the emulator in the README). */
const DEMO_FAULTS: Record<number, string> = { 1: ' [[think form=tags chars=140]]', 3: ' [[filter]]', 4: ' [[status code=503]]' };

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error.message);
		process.exit(1);
	},
);
