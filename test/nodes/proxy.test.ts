import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { HttpRequestPath } from '../../scripts/bench/http-request-node';
import { defaultNodeTypes, outputOf, runWorkflow } from '../harness/run-workflow';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';
import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 16, class 6: behind a company proxy the nodes take the route n8n's HTTP Request node
 * takes with the same environment. Each case runs Slier Chat (in n8n's engine) and n8n-core's
 * `helpers.httpRequest` (what the HTTP Request node sends with) against the emulator, through a
 * forward proxy on 127.0.0.1 that records how each request reached it.
 */
const emulator = useEmulator();
let proxy: ForwardProxy;
let squid: ForwardProxy;

beforeAll(async () => {
	proxy = await startForwardProxy();
	squid = await startForwardProxy({ squidDefaults: true });
});
afterAll(async () => {
	await proxy.close();
	await squid.close();
});
beforeEach(async () => {
	proxy.reset();
	squid.reset();
	// No pooled connection (or tunnel) from the case before: each case's route is seen anew.
	await closeDispatcher();
});

const PROXY_VARIABLES = /^(npm_config_)?(http|https|all|no)?_?proxy$/i;

/** Runs `fn` with exactly these proxy variables set (all others removed), then restores them. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
	const saved = Object.fromEntries(Object.entries(process.env).filter(([name]) => PROXY_VARIABLES.test(name)));
	for (const name of Object.keys(saved)) delete process.env[name];
	Object.assign(process.env, vars);
	try {
		return await fn();
	} finally {
		for (const name of Object.keys(process.env)) if (PROXY_VARIABLES.test(name)) delete process.env[name];
		Object.assign(process.env, saved);
	}
}

async function slierChat(text: string, stream = false) {
	const { items } = await runSlierNode({ emulator, items: [{ text }], parameters: { stream, options: { maxRetries: 0 } }, continueOnFail: true });
	return items[0].json;
}

/** n8n-core's helpers.httpRequest, as the HTTP Request node uses it, to the same endpoint. */
async function httpRequestNode(text: string) {
	const run = await runWorkflow({
		nodeTypes: defaultNodeTypes({ 'bench.httpRequestPath': new HttpRequestPath() }),
		nodes: [
			{ id: 'i', name: 'Items', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify([{ text }]) } },
			{
				id: 'h',
				name: 'HTTP Request',
				type: 'bench.httpRequestPath',
				typeVersion: 1,
				position: [200, 0],
				parameters: { url: `${emulator.url}/v1/chat/completions`, apiKey: emulator.apiKey, concurrency: 1, content: text },
			},
		],
		connections: { Items: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
		credentials: {},
	});
	const error = run.data.resultData.error;
	return error ? { error: error.message } : outputOf(run, 'HTTP Request')[0]?.json;
}

describe('a plain-HTTP Base URL behind HTTP_PROXY', () => {
	it('goes as an ordinary proxy request (no CONNECT), plain and streamed, as the HTTP Request node sends it', async () => {
		await withEnv({ HTTP_PROXY: proxy.url }, async () => {
			expect((await slierChat('via proxy')).content).toBe('claude-2 answers “via proxy” ✓');
			expect((await slierChat('streamed via proxy', true)).content).toBe('claude-2 answers “streamed via proxy” ✓');
			expect((await httpRequestNode('node via proxy')).content).toBe(' claude-2 answers “node via proxy” ✓');
		});
		expect(proxy.connects).toEqual([]);
		expect(proxy.absolute).toEqual([1, 2, 3].map(() => `${emulator.url}/v1/chat/completions`));
	});

	it('a proxy that refuses CONNECT to ports other than 443 (a default Squid) lets both through', async () => {
		await withEnv({ http_proxy: squid.url }, async () => {
			expect((await slierChat('via squid')).content).toBe('claude-2 answers “via squid” ✓');
			expect((await slierChat('streamed via squid', true)).content).toBe('claude-2 answers “streamed via squid” ✓');
			expect((await httpRequestNode('node via squid')).content).toBe(' claude-2 answers “node via squid” ✓');
		});
		expect(squid.connects).toEqual([]);
		expect(squid.absolute).toHaveLength(3);
	});

	it('the proxy’s user name and password from the URL are sent to the proxy, never shown', async () => {
		const guarded = await startForwardProxy({ credentials: 'office:s3cr@t' });
		try {
			const withCredentials = guarded.url.replace('http://', 'http://office:s3cr%40t@');
			const json = await withEnv({ HTTP_PROXY: withCredentials }, () => slierChat('guarded'));
			expect(json.content).toBe('claude-2 answers “guarded” ✓');
			expect(guarded.authorizations).toEqual([`Basic ${Buffer.from('office:s3cr@t').toString('base64')}`]);
		} finally {
			await guarded.close();
		}
	});
});

describe('a proxy that asks for a password the environment does not give', () => {
	it('fails the item at once saying so, plain or streamed, without a retry', async () => {
		const guarded = await startForwardProxy({ credentials: 'office:s3cr@t' });
		try {
			const items = await withEnv({ HTTP_PROXY: guarded.url }, async () => [await slierChat('no password'), await slierChat('no password', true)]);
			for (const json of items) {
				expect(json.error).toBe(
					"The proxy named in this n8n's environment (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY) asks for a user name and password (HTTP 407): put them in the proxy URL, as in http://user:password@proxy:3128 (item 0)",
				);
			}
			expect(guarded.absolute).toHaveLength(2);
		} finally {
			await guarded.close();
		}
	});
});

describe('a proxy variable that is not a URL', () => {
	it('fails the item naming the variables, never quoting the value, and sends nothing', async () => {
		const json = await withEnv({ HTTP_PROXY: 'http://office:pw@proxy host:3128' }, () => slierChat('bad proxy'));
		expect(json.error).toBe(
			"The proxy that this n8n's environment names for HTTP requests (HTTP_PROXY, ALL_PROXY or their lower-case forms) is not a valid URL, so nothing was sent (item 0)",
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('the same variables and exclusions as n8n, case by case', () => {
	// What the route should be for a request to the emulator (http://127.0.0.1:<port>).
	const cases: Array<[string, (p: string, port: string) => Record<string, string>, 'proxy' | 'direct']> = [
		['HTTP_PROXY', (p) => ({ HTTP_PROXY: p }), 'proxy'],
		['http_proxy', (p) => ({ http_proxy: p }), 'proxy'],
		['http_proxy before HTTP_PROXY', (p) => ({ http_proxy: p, HTTP_PROXY: 'http://127.0.0.1:9' }), 'proxy'],
		['an empty http_proxy falls back to HTTP_PROXY', (p) => ({ http_proxy: '', HTTP_PROXY: p }), 'proxy'],
		['a proxy without a scheme', (p) => ({ HTTP_PROXY: p.replace('http://', '') }), 'proxy'],
		['ALL_PROXY', (p) => ({ ALL_PROXY: p }), 'proxy'],
		['npm_config_http_proxy (n8n started by npm)', (p) => ({ npm_config_http_proxy: p }), 'proxy'],
		['HTTPS_PROXY only (not for http:// targets)', (p) => ({ HTTPS_PROXY: p }), 'direct'],
		['NO_PROXY naming the host', (p) => ({ HTTP_PROXY: p, NO_PROXY: 'example.com, 127.0.0.1' }), 'direct'],
		['NO_PROXY naming the host and its port', (p, port) => ({ HTTP_PROXY: p, NO_PROXY: `127.0.0.1:${port}` }), 'direct'],
		['NO_PROXY naming the host with another port', (p) => ({ HTTP_PROXY: p, NO_PROXY: '127.0.0.1:1' }), 'proxy'],
		['NO_PROXY with a leading dot (a suffix)', (p) => ({ HTTP_PROXY: p, NO_PROXY: '.0.0.1' }), 'direct'],
		['NO_PROXY without a dot (exact names only)', (p) => ({ HTTP_PROXY: p, NO_PROXY: '0.0.1' }), 'proxy'],
		['NO_PROXY=*', (p) => ({ HTTP_PROXY: p, NO_PROXY: '*' }), 'direct'],
		['NO_PROXY=localhost (loopback is not bypassed by itself)', (p) => ({ HTTP_PROXY: p, NO_PROXY: 'localhost' }), 'proxy'],
		['no_proxy before NO_PROXY', (p) => ({ HTTP_PROXY: p, no_proxy: '127.0.0.1', NO_PROXY: 'example.com' }), 'direct'],
	];

	it.each(cases)('%s', async (_name, env, route) => {
		const port = new URL(emulator.url).port;
		const routes = await withEnv(env(proxy.url, port), async () => {
			const routeOf = async (run: () => Promise<unknown>) => {
				proxy.reset();
				const json = (await run()) as { content?: string; error?: string };
				expect(json.error).toBeUndefined();
				return proxy.absolute.length + proxy.connects.length > 0 ? 'proxy' : 'direct';
			};
			return { slier: await routeOf(() => slierChat('route')), httpRequest: await routeOf(() => httpRequestNode('route')) };
		});
		expect(routes).toEqual({ slier: route, httpRequest: route });
	});
});
