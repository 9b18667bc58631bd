import type { StructuredChunk } from 'n8n-workflow';

import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Slier Search with Stream and Strip Citation Markers on, under a streaming Chat Trigger
 * or Webhook: run-items.ts forwards the raw deltas (chunks.send('item', delta)), so the chat
 * shows "source¹ … second²" while the item's content has them stripped. What the user reads in
 * the chat should be the content. Fix: pass deltas through the same stripping (with the
 * unit-power look-back across deltas) before sending them.
 */
const emulator = useEmulator();

it('with Strip Citation Markers on, the chat chunks carry the same text as content', async () => {
	const chunks: StructuredChunk[] = [];
	const { items } = await runSlierNode({
		emulator,
		type: 'slierSearch',
		items: [{ text: 'Who won?' }],
		parameters: { stream: true, options: { stripCitations: true } },
		onChunk: (chunk) => chunks.push(chunk),
	});
	const chat = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
	expect(items[0].json.content).not.toMatch(/[¹²³]/);
	expect(chat).toBe(items[0].json.content);
});
