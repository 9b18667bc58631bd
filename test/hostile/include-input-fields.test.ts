import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * withInputFields (node/output.ts:57) tests a clash with `key in own`, which also sees
 * Object.prototype: an input field named constructor, toString, valueOf, hasOwnProperty … is
 * silently dropped (Formula 1 data has a "constructor" column). Fix: Object.hasOwn(own, key).
 */
const emulator = useEmulator();

it('Include Input Fields keeps input fields named like Object.prototype members', async () => {
	const input = { text: 'Who won?', driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 };
	const { items } = await runSlierNode({ emulator, items: [input], parameters: { options: { includeInputFields: true } } });
	expect(items[0].json).toMatchObject({ driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 });
});

/**
 * the panel says "where a name is the same, the answer's field wins" and that *failed*
 * items leave out input fields named like answer fields. But withInputFields drops every input
 * field in ANSWER_KEYS from successful items too, even when the answer has no such field: an
 * input `data` (the most common field name from HTTP Request / Code nodes) vanishes with Answer
 * Format Text, and so do `citations` / `links` / `raw` on Slier Chat with Simplify on. Either
 * keep them when the answer has no such field, or say so in the panel and README.
 */
it('a successful item keeps an input field `data` when Answer Format is Text (no clash)', async () => {
	const input = { text: 'Summarize', data: { order: 42 } };
	const { items } = await runSlierNode({ emulator, items: [input], parameters: { options: { includeInputFields: true } } });
	expect(items[0].json.data).toEqual({ order: 42 });
});
