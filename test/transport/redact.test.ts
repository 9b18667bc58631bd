import { redactKey, redactParsed, StreamRedactor } from '../../nodes/shared/transport/redact';

const KEY = 'sk-slier-abcabd-1234';

describe('redactKey', () => {
	it('removes every occurrence, alone and after Bearer', () => {
		expect(redactKey(`a ${KEY} b Bearer ${KEY}`, KEY)).toBe('a [redacted] b Bearer [redacted]');
	});
	it('leaves text alone when the key is too short to be a real one', () => {
		expect(redactKey('a test b', 'test')).toBe('a test b');
	});
	it('removes a key of exactly the shortest redacted length (8 characters)', () => {
		expect(redactKey('a sk-12345 b', 'sk-12345')).toBe('a [redacted] b');
	});
});

describe('escaped forms of the key', () => {
	const SLASHED = 'sk-live/Ab+cd/EF0123456789xyz';
	// Each form alone, in text that is never parsed (an HTML page, a line that is not JSON): here
	// the text check is the only step that can remove it.
	it.each([
		['"/" escaped as "\\/"', SLASHED.replace(/\//g, '\\/')],
		['"/" escaped as "\\u002f"', SLASHED.replace(/\//g, '\\u002f')],
		['"/" escaped as "\\u002F"', SLASHED.replace(/\//g, '\\u002F')],
		['URL-encoded, upper-case hex', encodeURIComponent(SLASHED)],
		['URL-encoded, lower-case hex', encodeURIComponent(SLASHED).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())],
	])('removes the key written back %s', (_name, form) => {
		expect(redactKey(`echo ${form} end`, SLASHED)).toBe('echo [redacted] end');
	});
	it('removes the key from every string of parsed JSON, whatever escape hid it in the text', () => {
		// "\u0073" is "s": no text form of the key is in the body, only parsing shows it.
		const text = JSON.stringify({ error: { message: `auth=${KEY}`, list: [[`Bearer ${KEY}`]] } }).replace(/sk-/g, '\\u0073k-');
		expect(redactKey(text, KEY)).toBe(text);
		const parsed = redactParsed(JSON.parse(text) as unknown, KEY);
		expect(parsed).toEqual({ error: { message: 'auth=[redacted]', list: [['Bearer [redacted]']] } });
	});
});

describe('redactParsed', () => {
	it('removes the key from a string that is exactly the key', () => {
		expect(redactParsed({ echoed: KEY }, KEY)).toEqual({ echoed: '[redacted]' });
	});
	it('removes the key from a parsed value that is a string itself', () => {
		expect(redactParsed(`Bearer ${KEY}`, KEY)).toBe('Bearer [redacted]');
	});
	it('walks objects inside arrays inside objects', () => {
		expect(redactParsed({ a: [{ b: { c: KEY } }] }, KEY)).toEqual({ a: [{ b: { c: '[redacted]' } }] });
	});
});

describe('StreamRedactor', () => {
	it('removes a key split at every possible place, and holds back no more than needed', () => {
		const text = `x sk-slier-abc ${KEY}${KEY} y sk-sli`;
		for (let size = 1; size <= 7; size++) {
			const redactor = new StreamRedactor(KEY);
			let out = '';
			for (let at = 0; at < text.length; at += size) {
				const piece = redactor.push(text.slice(at, at + size));
				expect(piece).not.toContain(KEY);
				out += piece;
			}
			out += redactor.flush();
			expect(out).toBe('x sk-slier-abc [redacted][redacted] y sk-sli');
		}
	});
	it('passes text that cannot start the key straight through', () => {
		const redactor = new StreamRedactor(KEY);
		expect(redactor.push('hello world')).toBe('hello world');
		expect(redactor.push('ends with s')).toBe('ends with ');
		expect(redactor.push('o')).toBe('so');
	});
});
