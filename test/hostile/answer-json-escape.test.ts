import { readJsonAnswer } from '../../nodes/shared/node/answer-json';

/**
 * (guard for answer-json.ts:93, the backslash escape inside strings) deleting `i++`
 * passes every existing test. An escaped quote followed by a brace inside a string value must
 * not end the object early.
 */
it('embedded JSON whose string holds \\"}\\" is read whole', () => {
	const text = 'Result: {"quote": "he said \\"}\\" loudly", "n": 1} as asked';
	expect(readJsonAnswer(text)).toEqual({ found: true, value: { quote: 'he said "}" loudly', n: 1 } });
});
