import { proxyForUrl } from '../../nodes/shared/transport/proxy-env';

/**
 * proxyForUrl against the rule n8n itself runs for every outgoing request (proxy-from-env 1.1's
 * getProxyForUrl, here from the dev dependencies, the version n8n 2.40 installs), over a matrix
 * of environments and targets, https ones included.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getProxyForUrl } = require('proxy-from-env') as { getProxyForUrl: (url: string) => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('proxy-from-env/package.json') as { version: string };

const PROXY_VARIABLES = /^(npm_config_)?(http|https|all|no)?_?proxy$/i;

function n8nRule(url: string, env: Record<string, string>): string | undefined {
	const saved = Object.fromEntries(Object.entries(process.env).filter(([name]) => PROXY_VARIABLES.test(name)));
	for (const name of Object.keys(saved)) delete process.env[name];
	Object.assign(process.env, env);
	try {
		return getProxyForUrl(url) || undefined;
	} finally {
		for (const name of Object.keys(process.env)) if (PROXY_VARIABLES.test(name)) delete process.env[name];
		Object.assign(process.env, saved);
	}
}

const targets = [
	'http://api.slier.ai/v1/chat/completions',
	'https://api.slier.ai/v1/chat/completions',
	'https://api.slier.ai:8443/v1',
	'http://127.0.0.1:8787/v1',
	'http://localhost:8787/v1',
	'http://[::1]:8787/v1',
	'https://gateway.internal.example.com/v1',
	'http://API.Slier.AI/v1',
];

const envs: Array<Record<string, string>> = [
	{},
	{ HTTP_PROXY: 'http://proxy:3128' },
	{ http_proxy: 'http://lower:3128', HTTP_PROXY: 'http://upper:3128' },
	{ http_proxy: '', HTTP_PROXY: 'http://upper:3128' },
	{ HTTPS_PROXY: 'http://secure:3128' },
	{ https_proxy: 'secure:3128', HTTP_PROXY: 'http://plain:3128' },
	{ ALL_PROXY: 'http://all:3128' },
	{ all_proxy: 'socks5://socks:1080', HTTP_PROXY: 'http://plain:3128' },
	{ npm_config_proxy: 'http://npm:3128' },
	{ npm_config_https_proxy: 'http://npmsecure:3128', HTTPS_PROXY: 'http://secure:3128' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'slier.ai' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.slier.ai' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*.example.com, localhost' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'api.slier.ai:443' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'API.SLIER.AI,[::1]' },
	{ HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128', no_proxy: '127.0.0.1', NO_PROXY: '*' },
	{ HTTP_PROXY: 'http://proxy:3128', npm_config_no_proxy: 'localhost', NO_PROXY: '127.0.0.1' },
	{ HTTP_PROXY: 'http://user:p%40ss@proxy:3128' },
];

it('runs against proxy-from-env 1.1, as n8n 2.40 does', () => {
	expect(version).toBe('1.1.0');
});

describe.each(envs.map((env) => [JSON.stringify(env), env] as const))('with %s', (_name, env) => {
	it.each(targets)('%s takes the route n8n would', (url) => {
		expect(proxyForUrl(new URL(url), env)).toBe(n8nRule(url, env));
	});
});
