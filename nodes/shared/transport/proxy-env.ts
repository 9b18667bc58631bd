/**
 * The proxy a request goes through, chosen from the environment exactly as n8n's own HTTP Request
 * node chooses it: n8n (`@n8n/backend-network`) asks `getProxyForUrl` of proxy-from-env 1.1 for
 * every request, and this is the same rule, so the same variables give the same route.
 *
 * - Variables, first non-empty wins, each name in lower case before upper case:
 *   `npm_config_<scheme>_proxy`, `<scheme>_proxy`, `npm_config_proxy`, `all_proxy`. An https
 *   target does not fall back to `http_proxy` (undici's EnvHttpProxyAgent does; n8n does not).
 *   An empty variable counts as unset. A proxy without a scheme gets the target's.
 * - `no_proxy` (or `npm_config_no_proxy`), lower case before upper: `*` alone bypasses every
 *   host; otherwise entries split at commas and spaces, each `host` or `host:port`. An entry that
 *   starts with `.` or `*` matches host names ending with it (`.example.com`, `*.example.com`,
 *   `*example.com`); any other entry matches only that exact host name (`example.com` does not
 *   cover `api.example.com`). No CIDR ranges, and loopback is not bypassed unless listed.
 */
export function proxyForUrl(target: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const scheme = target.protocol.replace(/:$/, '');
	const host = target.host.toLowerCase();
	if (!host || !scheme) return undefined;
	// Brackets of an IPv6 address are kept, as proxy-from-env keeps them.
	const hostname = host.replace(/:\d*$/, '');
	const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[scheme] || 0;
	if (!shouldProxy(hostname, port, env)) return undefined;
	let proxy =
		getEnv(env, `npm_config_${scheme}_proxy`) || getEnv(env, `${scheme}_proxy`) || getEnv(env, 'npm_config_proxy') || getEnv(env, 'all_proxy');
	if (!proxy) return undefined;
	if (!proxy.includes('://')) proxy = `${scheme}://${proxy}`;
	return proxy;
}

const DEFAULT_PORTS: Record<string, number> = { ftp: 21, gopher: 70, http: 80, https: 443, ws: 80, wss: 443 };

function shouldProxy(hostname: string, port: number, env: NodeJS.ProcessEnv): boolean {
	const noProxy = (getEnv(env, 'npm_config_no_proxy') || getEnv(env, 'no_proxy')).toLowerCase();
	if (!noProxy) return true;
	if (noProxy === '*') return false;
	return noProxy.split(/[,\s]/).every((entry) => {
		if (!entry) return true;
		const parsed = /^(.+):(\d+)$/.exec(entry);
		let name = parsed ? parsed[1] : entry;
		const entryPort = parsed ? Number.parseInt(parsed[2], 10) : 0;
		if (entryPort && entryPort !== port) return true;
		if (!/^[.*]/.test(name)) return hostname !== name;
		if (name.startsWith('*')) name = name.slice(1);
		return !hostname.endsWith(name);
	});
}

function getEnv(env: NodeJS.ProcessEnv, key: string): string {
	return env[key.toLowerCase()] || env[key.toUpperCase()] || '';
}
