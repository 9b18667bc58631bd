import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Review: withInputFields (node/output.ts:57) tests a clash with `key in own`, which also sees
 * Object.prototype: an input field named constructor, toString, valueOf, hasOwnProperty … is
 * silently dropped (Formula 1 data has a "constructor" column). Fix: Object.hasOwn(own, key).
 */
const emulator = useEmulator();

it('review: Include Input Fields keeps input fields named like Object.prototype members', async () => {
	const input = { text: 'Who won?', driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 };
	const { items } = await runSlierNode({ emulator, items: [input], parameters: { options: { includeInputFields: true } } });
	expect(items[0].json).toMatchObject({ driver: 'Ada', constructor: 'Ferrari', toString: 'x', valueOf: 3 });
});
