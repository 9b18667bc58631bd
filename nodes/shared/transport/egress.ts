import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

import { SlierError } from './errors';
import { proxyForUrl } from './proxy-env';

/**
 * n8n's outbound policy (SSRF protection) for HTTP clients of a node's own, as n8n-workflow 2.x
 * hands it out through `helpers.getSecureEgressFilter()`. Typed here structurally, so the
 * transport needs no n8n types and works on n8n 1.x (which has no such helper) as before.
 */
export interface EgressFilter {
	validateUrl(url: string | URL): Promise<EgressResult>;
	validateConnectionHost(host: string): EgressResult;
	createSecureLookup(): typeof dnsLookup;
}

type EgressResult = { ok: true } | { ok: false; error: Error };

/** The instance's filter, or undefined on an n8n without one (1.x): then nothing changes. */
export function egressFilterOf(ctx: { helpers?: unknown }): EgressFilter | undefined {
	const helpers = ctx.helpers as { getSecureEgressFilter?: () => EgressFilter } | undefined;
	if (typeof helpers?.getSecureEgressFilter !== 'function') return undefined;
	return helpers.getSecureEgressFilter();
}

/**
 * n8n's pass-through filter (protection off) looks up names with plain `dns.lookup`: such a
 * filter needs no pool of its own, the package's shared one does the same.
 */
export function isPassThrough(filter: EgressFilter): boolean {
	return filter.createSecureLookup() === dnsLookup;
}

/**
 * Checks the target before anything is sent: its address (a name is resolved and every address
 * checked), and the proxy that will carry the request when that proxy is an IP literal (no DNS
 * lookup, so the secure lookup would never see it).
 */
export async function checkEgress(filter: EgressFilter, url: string): Promise<void> {
	const target = new URL(url);
	const proxy = ipLiteralProxyFor(target);
	if (proxy) {
		const checked = filter.validateConnectionHost(proxy);
		if (!checked.ok) throw blockedError(checked.error, proxy);
	}
	const checked = await filter.validateUrl(target);
	if (!checked.ok) throw blockedError(checked.error);
}

/** n8n's SSRF errors (SsrfBlockedIpError, SsrfBlockedHostnameError) as a SlierError, else undefined. */
export function asBlockedError(error: unknown): SlierError | undefined {
	const err = error as { name?: unknown; cause?: unknown } | undefined;
	if (!err || typeof err !== 'object') return undefined;
	if (err.name === 'SsrfBlockedIpError' || err.name === 'SsrfBlockedHostnameError') return blockedError(err as Error);
	return err.cause && err.cause !== error ? asBlockedError(err.cause) : undefined;
}

/** Names the refused address as n8n's error carries it (`ip`, `hostname`), or the refused `proxy`. */
function blockedError(error: Error, proxy?: string): SlierError {
	if (proxy) return new SlierError('blocked', { blockedTarget: proxy, viaProxy: true });
	const { ip, hostname } = error as { ip?: unknown; hostname?: unknown };
	const name = typeof hostname === 'string' ? hostname : undefined;
	const target = typeof ip === 'string' ? (name && name !== ip ? `${name} (${ip})` : ip) : name;
	return new SlierError('blocked', { blockedTarget: target });
}

/**
 * The proxy that will carry a request to `target` when that proxy is an IP literal, chosen by the
 * same rule as the dispatcher (proxy-env.ts: n8n's own variables and NO_PROXY entries).
 */
export function ipLiteralProxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const raw = proxyForUrl(target, env);
	if (!raw) return undefined;
	try {
		const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
		return isIP(host) ? host : undefined;
	} catch {
		return undefined;
	}
}
