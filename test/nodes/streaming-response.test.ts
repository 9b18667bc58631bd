import type { INodeParameters, StructuredChunk } from 'n8n-workflow';

import type { SlierEmulator } from '../emulator/server';
import { chatEvent, startRawServer } from '../helpers/raw-server';
import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/** n8n streaming the execution (Chat Trigger / Webhook in streaming mode): chunks reach the user. */
const emulator = useEmulator();

type Received = StructuredChunk & { at: number };

async function streamed(text: string, parameters: INodeParameters, type: 'slierChat' | 'slierSearch' = 'slierChat') {
	const chunks: Received[] = [];
	const run = await runSlierNode({
		emulator,
		type,
		items: [{ text }],
		parameters,
		continueOnFail: true,
		onChunk: (chunk) => chunks.push({ ...chunk, at: Date.now() }),
	});
	return { chunks, item: run.items[0].json };
}

describe("forwarding a streamed answer to n8n's streaming response", () => {
	it('sends begin, each text delta as it arrives, then end; the output item is unchanged', async () => {
		const { chunks, item } = await streamed('Tell me [[pace ms=40]]', { stream: true });
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'item', 'item', 'item', 'item', 'end']);
		const text = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(text).toBe('claude-2 answers “Tell me” ✓');
		expect(item.content).toBe(text);
		expect(chunks.every((c) => c.metadata.itemIndex === 0 && c.metadata.nodeName === 'Slier Chat')).toBe(true);
		// Incremental: the first words arrived well before the last.
		const items = chunks.filter((c) => c.type === 'item');
		expect(items[items.length - 1].at - items[0].at).toBeGreaterThanOrEqual(120);
	});

	it('works for Slier Search too', async () => {
		const { chunks, item } = await streamed('q', { stream: true }, 'slierSearch');
		const text = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(text).toBe(item.content);
		expect(chunks[0].type).toBe('begin');
	});

	it('sends an error chunk, then end, when the stream fails', async () => {
		const { chunks, item } = await streamed('x [[stream-error after=2]]', { stream: true });
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'item', 'error', 'end']);
		expect(chunks[3].content).toBe(item.error);
	});

	it('a content filter error mid-stream: the chat still gets all the text that had arrived, letters held back for key redaction too', async () => {
		// The text ends in "s", which could begin the API key: the redaction holds it back until the
		// stream ends; the filter's error event ends it, and that text must still reach the chat.
		const server = await startRawServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(chatEvent(' Two answers'));
			res.end(`data: ${JSON.stringify({ error: { message: 'Filtered.', reason: 'content_filter', param: 'prompt' } })}\n\n`);
		});
		try {
			const chunks: StructuredChunk[] = [];
			const { items } = await runSlierNode({
				emulator: { url: server.url, apiKey: 'sk-raw-stream-filter-01' } as SlierEmulator,
				items: [{ text: 'x' }],
				parameters: { stream: true, options: { onContentFilter: 'output' } },
				continueOnFail: true,
				onChunk: (chunk) => chunks.push(chunk),
			});
			expect(items[0].json).toMatchObject({ filtered: true, content: 'Two answers' });
			expect(chunks.filter((c) => c.type === 'item').map((c) => c.content).join('').trim()).toBe('Two answers');
		} finally {
			await server.close();
		}
	});

	it('sends nothing when the Stream option is off (n8n shows the final item)', async () => {
		const { chunks, item } = await streamed('not streamed', { stream: false });
		expect(chunks).toEqual([]);
		expect(item.content).toBe('claude-2 answers “not streamed” ✓');
	});

	it('Slier Search with Strip Citation Markers: the chat chunks carry the same text as content', async () => {
		const { chunks, item } = await streamed('Who won?', { stream: true, options: { stripCitations: true } }, 'slierSearch');
		const chat = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(item.content).not.toMatch(/[¹²³]/);
		expect(chat).toBe(item.content);
	});
});
