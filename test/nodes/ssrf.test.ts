import type { LookupAddress } from 'node:dns';
import type { DnsResolver } from '@n8n/backend-network';
import { LoadOptionsContext } from 'n8n-core';

import { SlierChat } from '../../nodes/SlierChat/SlierChat.node';
import { ipLiteralProxyFor } from '../../nodes/shared/transport/egress';
import { buildAdditionalData, buildWorkflow } from '../harness/run-workflow';
import { runOne, slierNode, TEST_API_KEY, type SlierNodeType } from '../helpers/slier-node';
import { applySsrfPolicy, type SsrfEnv } from '../helpers/ssrf-policy';
import { useEmulator } from '../helpers/use-emulator';

/**
 * n8n's SSRF protection (N8N_SSRF_*) holds for the Slier nodes as for n8n's own HTTP requests.
 * The emulator listens on 127.0.0.1, which n8n's default block list covers: with protection on
 * it must receive nothing, with 127.0.0.0/8 allowed it answers.
 */
const emulator = useEmulator();

let restore: (() => void) | undefined;
function policy(env: SsrfEnv, dns?: DnsResolver) {
	restore = applySsrfPolicy(env, dns);
}
afterEach(() => {
	restore?.();
	restore = undefined;
});

const one = (options: { stream?: boolean; baseUrl?: string; type?: SlierNodeType; maxRetries?: number } = {}) =>
	runOne({
		emulator,
		type: options.type,
		text: 'Hello',
		parameters: { stream: options.stream ?? false, options: { maxRetries: options.maxRetries ?? 2 } },
		credentials: options.baseUrl ? { baseUrl: options.baseUrl } : undefined,
	});

const ALLOW =
	'An n8n administrator can allow it with N8N_SSRF_ALLOWED_IP_RANGES (e.g. 10.0.0.5/32) or N8N_SSRF_ALLOWED_HOSTNAMES, or remove it from N8N_SSRF_BLOCKED_IP_RANGES / N8N_SSRF_BLOCKED_HOSTNAMES';
const blocked = (where: string) =>
	`This n8n instance's SSRF protection does not allow requests to ${where}, so nothing was sent. ${ALLOW} (item 0)`;

describe("n8n's SSRF protection", () => {
	it('off (the default): the request goes out and is answered', async () => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'false' });
		expect((await one()).content).toBe('claude-2 answers “Hello” ✓');
		expect(emulator.requests).toHaveLength(1);
	});

	it.each([
		['Slier Chat', 'slierChat', false],
		['Slier Chat streamed', 'slierChat', true],
		['Slier Search', 'slierSearch', false],
	] as const)('on: %s to 127.0.0.1 fails the item, names the address and the variables, sends nothing', async (_n, type, stream) => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
		expect((await one({ type, stream })).error).toBe(blocked('127.0.0.1'));
		expect(emulator.requests).toEqual([]);
		expect(emulator.stats.connections).toBe(0);
	});

	it('on: a name that resolves to a blocked address is refused too (localhost)', async () => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
		const port = new URL(emulator.url).port;
		expect((await one({ baseUrl: `http://localhost:${port}` })).error).toMatch(/^This n8n instance's SSRF protection does not allow requests to (127\.0\.0\.1|::1), so nothing was sent/);
		expect(emulator.requests).toEqual([]);
	});

	it('on, with N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.0/8: answered, streamed or not', async () => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8' });
		expect((await one()).content).toBe('claude-2 answers “Hello” ✓');
		expect((await one({ stream: true })).content).toBe('claude-2 answers “Hello” ✓');
		expect(emulator.requests).toHaveLength(2);
		// One pool per policy, not one per request: the second request reused the connection.
		expect(emulator.stats.connections).toBe(1);
	});

	it('on: a name that passed the check but re-resolves to a blocked address is refused at connect', async () => {
		// A DNS answer that changes between the pre-flight check and the connection (DNS
		// rebinding). Only the resolver is a stand-in (there is no DNS server here); the policy is
		// n8n's own SsrfProtectionService.
		let lookups = 0;
		const rebinding = {
			lookup: async (): Promise<LookupAddress[]> => [{ address: ++lookups === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }],
		} as unknown as DnsResolver;
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_BLOCKED_IP_RANGES: '127.0.0.1/32' }, rebinding);
		const port = new URL(emulator.url).port;
		// No retry: the refusal must come from the connection itself, not a second pre-flight check.
		expect((await one({ baseUrl: `http://slier-rebinding.test:${port}`, maxRetries: 0 })).error).toBe(blocked('127.0.0.1'));
		expect(lookups).toBe(2);
		expect(emulator.requests).toEqual([]);
	});

	it('on: an IP-literal proxy (HTTP_PROXY) that the policy blocks is refused before connecting', async () => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_BLOCKED_IP_RANGES: '127.0.0.1/32' });
		const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
		// The emulator stands where the proxy would be; the target itself (127.0.0.2) is allowed.
		process.env.HTTP_PROXY = emulator.url;
		process.env.NO_PROXY = '';
		try {
			const port = new URL(emulator.url).port;
			expect((await one({ baseUrl: `http://127.0.0.2:${port}` })).error).toBe(
				blocked('the proxy 127.0.0.1 (HTTP_PROXY / HTTPS_PROXY)'),
			);
		} finally {
			Object.assign(process.env, saved);
		}
		expect(emulator.stats.connections).toBe(0);
	});

	it('on: the model list is refused the same way', async () => {
		policy({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
		const node = slierNode('slierChat');
		const workflow = buildWorkflow({ nodes: [node], connections: {} });
		const additionalData = buildAdditionalData(workflow, { slierApi: { apiKey: TEST_API_KEY, baseUrl: emulator.url } });
		const { searchModels } = new SlierChat().methods.listSearch;
		await expect(searchModels.call(new LoadOptionsContext(workflow, node, additionalData, 'model'))).rejects.toThrow(
			/^Could not list Slier models: This n8n instance's SSRF protection does not allow requests to 127\.0\.0\.1/,
		);
		expect(emulator.requests).toEqual([]);
	});
});

describe('which IP-literal proxy a request will use (checked against the policy)', () => {
	const target = new URL('http://127.0.0.1:8787/v1/chat/completions');

	it('none when NO_PROXY is *: a proxy on a private address that is never used is not refused', () => {
		expect(ipLiteralProxyFor(target, { HTTP_PROXY: 'http://127.0.0.9:3128', NO_PROXY: '*' })).toBeUndefined();
	});

	it('the proxy when NO_PROXY does not name the target', () => {
		expect(ipLiteralProxyFor(target, { HTTP_PROXY: 'http://127.0.0.9:3128', NO_PROXY: 'example.invalid' })).toBe('127.0.0.9');
	});
});
