import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

import { isPassThrough, type EgressFilter } from './egress';

/**
 * One keep-alive agent for the whole package. undici pools connections per origin inside it,
 * so every Slier request of every execution reuses warm connections. It is an
 * EnvHttpProxyAgent so HTTP(S)_PROXY / NO_PROXY apply as they do in n8n itself. Never installed
 * as the global dispatcher: that one belongs to n8n.
 */
let shared: Dispatcher | undefined;

const POOL_OPTIONS = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000 };

/**
 * One more agent per egress policy (n8n's SSRF protection when it is on), whose connections
 * look names up through the policy's secure lookup: a name that resolves, or later re-resolves,
 * to a blocked address is refused at connect time. n8n hands out one filter object per policy,
 * so this map stays tiny; the cap only guards against an n8n that would make a new one each call.
 */
const policyPools = new Map<EgressFilter, Dispatcher>();
const MAX_POLICY_POOLS = 4;

export function getDispatcher(egress?: EgressFilter): Dispatcher {
	if (egress && !isPassThrough(egress)) return policyPool(egress);
	shared ??= new EnvHttpProxyAgent(POOL_OPTIONS);
	return shared;
}

function policyPool(egress: EgressFilter): Dispatcher {
	let pool = policyPools.get(egress);
	if (pool) return pool;
	if (policyPools.size >= MAX_POLICY_POOLS) {
		const [oldest, oldPool] = policyPools.entries().next().value as [EgressFilter, Dispatcher];
		policyPools.delete(oldest);
		void oldPool.close().catch(() => {});
	}
	const lookup = egress.createSecureLookup();
	// proxyTls applies to the connection to a proxy named by HTTP(S)_PROXY, as n8n does for its
	// own proxied requests; connect applies to direct connections.
	pool = new EnvHttpProxyAgent({ ...POOL_OPTIONS, connect: { lookup }, proxyTls: { lookup } });
	policyPools.set(egress, pool);
	return pool;
}

/** Closes the shared pools (tests and scripts call it so the process can exit at once). */
export async function closeDispatcher(): Promise<void> {
	const pools = [shared, ...policyPools.values()];
	shared = undefined;
	policyPools.clear();
	await Promise.all(pools.map((pool) => pool?.close()));
}
