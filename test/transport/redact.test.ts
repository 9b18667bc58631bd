import { redactKey, StreamRedactor } from '../../nodes/shared/transport/redact';

const KEY = 'sk-slier-abcabd-1234';

describe('redactKey', () => {
	it('removes every occurrence, alone and after Bearer', () => {
		expect(redactKey(`a ${KEY} b Bearer ${KEY}`, KEY)).toBe('a [redacted] b Bearer [redacted]');
	});
	it('leaves text alone when the key is too short to be a real one', () => {
		expect(redactKey('a test b', 'test')).toBe('a test b');
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
