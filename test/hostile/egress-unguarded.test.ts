import { ipLiteralProxyFor } from '../../nodes/shared/transport/egress';

/**
 * (guard for egress.ts:91) NO_PROXY=* means no request goes through the proxy, so an
 * IP-literal HTTP(S)_PROXY must not be checked against the SSRF policy (that would refuse every
 * request of an instance whose proxy sits on a private address although it is never used).
 * Deleting `if (entries.includes('*')) return true;` passes every existing test.
 */
describe('which IP-literal proxy a request will use', () => {
	const target = new URL('http://127.0.0.1:8787/v1/chat/completions');

	it('none when NO_PROXY is *', () => {
		expect(ipLiteralProxyFor(target, { HTTP_PROXY: 'http://127.0.0.9:3128', NO_PROXY: '*' })).toBeUndefined();
	});

	it('the proxy when NO_PROXY does not name the target', () => {
		expect(ipLiteralProxyFor(target, { HTTP_PROXY: 'http://127.0.0.9:3128', NO_PROXY: 'example.invalid' })).toBe('127.0.0.9');
	});
});
