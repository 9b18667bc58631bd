import { Agent, ProxyAgent, type Dispatcher } from 'undici';

import { isPassThrough, type EgressFilter } from './egress';
import { SlierError } from './errors';
import { proxyForUrl } from './proxy-env';

/**
 * Keep-alive pools for the whole package. undici pools connections per origin inside them, so
 * every Slier request of every execution reuses warm connections. Never installed as the global
 * dispatcher: that one belongs to n8n.
 *
 * Proxies are chosen per request from the environment by n8n's own rule (proxy-env.ts), so the
 * nodes take the route n8n's HTTP Request node takes: an http:// target through an HTTP proxy is
 * sent as an ordinary proxy request (absolute URI, no CONNECT, which a default Squid refuses
 * for ports other than 443), an https:// target through a CONNECT tunnel.
 */
interface Pools {
	direct: Agent;
	/** One agent per proxy URL the environment named (a handful at most). */
	proxies: Map<string, ProxyAgent>;
	/** The egress policy's secure lookup, for the connections to a proxy too. */
	lookup?: ReturnType<EgressFilter['createSecureLookup']>;
}

let shared: Pools | undefined;

const POOL_OPTIONS = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000 };
/** The environment is read per request; a process that keeps changing it must not pile up agents. */
const MAX_PROXY_AGENTS = 8;

/**
 * One more set per egress policy (n8n's SSRF protection when it is on), whose connections look
 * names up through the policy's secure lookup: a name that resolves, or later re-resolves, to a
 * blocked address is refused at connect time. n8n hands out one filter object per policy, so
 * this map stays tiny; the cap only guards against an n8n that would make a new one each call.
 */
const policyPools = new Map<EgressFilter, Pools>();
const MAX_POLICY_POOLS = 4;

/**
 * The dispatcher for a request to `url`: direct, or through the proxy the environment names for
 * it. Without `url`, the direct pool (benchmarks and tests that want no proxy).
 */
export function getDispatcher(egress?: EgressFilter, url?: string): Dispatcher {
	const pools = egress && !isPassThrough(egress) ? policyPool(egress) : (shared ??= { direct: new Agent(POOL_OPTIONS), proxies: new Map() });
	if (url === undefined) return pools.direct;
	const proxy = routeOf(url);
	return proxy ? proxyAgent(pools, proxy, new URL(url)) : pools.direct;
}

/**
 * The proxy for a URL (or '' for none), remembered for ROUTE_TTL_MS: reading the environment
 * costs microseconds per request, and the route changes only when the variables do.
 */
function routeOf(url: string): string {
	const now = Date.now();
	const known = routes.get(url);
	if (known && known.until > now) return known.proxy;
	if (routes.size >= MAX_ROUTES) routes.clear();
	const proxy = proxyForUrl(new URL(url)) ?? '';
	routes.set(url, { proxy, until: now + ROUTE_TTL_MS });
	return proxy;
}

const routes = new Map<string, { proxy: string; until: number }>();
const ROUTE_TTL_MS = 1_000;
const MAX_ROUTES = 256;

function proxyAgent(pools: Pools, proxy: string, target: URL): Dispatcher {
	let agent = pools.proxies.get(proxy);
	if (agent) return agent;
	if (pools.proxies.size >= MAX_PROXY_AGENTS) {
		const [oldest, old] = pools.proxies.entries().next().value as [string, ProxyAgent];
		pools.proxies.delete(oldest);
		void old.close().catch(() => {});
	}
	if (!URL.canParse(proxy)) {
		// Never quote it: a proxy URL may carry a user name and password.
		const scheme = target.protocol.replace(/:$/, '').toUpperCase();
		throw new SlierError('request', { problem: 'proxy', proxyScheme: scheme });
	}
	// proxyTunnel false: an http:// target goes as a plain proxy request, as n8n sends it;
	// https:// targets are tunnelled with CONNECT either way. proxyTls applies to the connection
	// to the proxy itself, which the policy's lookup guards like a direct one.
	agent = new ProxyAgent({ ...POOL_OPTIONS, uri: proxy, proxyTunnel: false, ...(pools.lookup ? { proxyTls: { lookup: pools.lookup } } : {}) });
	pools.proxies.set(proxy, agent);
	return agent;
}

function policyPool(egress: EgressFilter): Pools {
	let pools = policyPools.get(egress);
	if (pools) return pools;
	if (policyPools.size >= MAX_POLICY_POOLS) {
		const [oldest, old] = policyPools.entries().next().value as [EgressFilter, Pools];
		policyPools.delete(oldest);
		void closePools(old);
	}
	const lookup = egress.createSecureLookup();
	pools = { direct: new Agent({ ...POOL_OPTIONS, connect: { lookup } }), proxies: new Map(), lookup };
	policyPools.set(egress, pools);
	return pools;
}

async function closePools(pools: Pools | undefined): Promise<void> {
	if (!pools) return;
	await Promise.all([pools.direct, ...pools.proxies.values()].map((agent) => agent.close().catch(() => {})));
}

/** Closes the shared pools (tests and scripts call it so the process can exit at once). */
export async function closeDispatcher(): Promise<void> {
	const all = [shared, ...policyPools.values()];
	shared = undefined;
	policyPools.clear();
	routes.clear();
	await Promise.all(all.map(closePools));
}
