import { jsonOf, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Answer Format JSON. readJsonAnswer (node/answer-json.ts) tries every "{" / "[" as a
 * start, nested ones included. When the model's outer object is broken (a trailing comma, or cut
 * off by max_tokens: finish_reason "length"), it silently returns the first *inner* object that
 * parses, so the item succeeds with `data` being a fragment of what was asked. The user's
 * next node then writes wrong data into the CRM with no error. Wanted: invalid_json.
 * Fix: after a balanced candidate that does not parse, skip past its end instead of descending
 * into it; a candidate that never closes means the JSON is cut off (fail). This also bounds the
 * scan to O(n) (today 50 unclosed starts over a 32 Mi-char answer block the event loop ~7 s).
 */
const emulator = useEmulator();
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

async function answerAsJson(reply: string) {
	const { items } = await runSlierNode({
		emulator,
		items: [{ text: `Extract [[reply b64=${b64(reply)}]]` }],
		parameters: { options: { answerFormat: 'json' } },
		continueOnFail: true,
	});
	return jsonOf(items)[0];
}

describe('Answer Format JSON never passes off a fragment as the answer', () => {
	it('an object with a trailing comma fails as invalid_json, not as its inner object', async () => {
		const item = await answerAsJson('{"company": {"name": "Acme"}, "size": 50,}');
		expect(item.data).not.toEqual({ name: 'Acme' });
		expect(item.errorType).toBe('invalid_json');
	});

	it('a JSON answer cut off by max_tokens fails as invalid_json, not as its first list entry', async () => {
		const item = await answerAsJson('```json\n{"leads": [{"name": "Ada"}, {"name": "Bob"}, {"name": "Ca');
		expect(item.data).not.toEqual({ name: 'Ada' });
		expect(item.errorType).toBe('invalid_json');
	});
});
