import { Logger } from '@n8n/backend-common';
import { DnsResolver, OutboundHttp, SsrfProtectionService } from '@n8n/backend-network';
import { SsrfProtectionConfig } from '@n8n/config';
import { Container } from '@n8n/di';

/** The N8N_SSRF_* variables an n8n administrator sets. */
export type SsrfEnv = Partial<
	Record<
		| 'N8N_SSRF_PROTECTION_ENABLED'
		| 'N8N_SSRF_BLOCKED_IP_RANGES'
		| 'N8N_SSRF_ALLOWED_IP_RANGES'
		| 'N8N_SSRF_ALLOWED_HOSTNAMES'
		| 'N8N_SSRF_BLOCKED_HOSTNAMES',
		string
	>
>;

/**
 * Puts n8n's real SSRF protection in place as n8n builds it at startup: its config read from
 * the N8N_SSRF_* variables by @n8n/config, the SsrfProtectionService, and the OutboundHttp that
 * hands the egress filter to nodes (helpers.getSecureEgressFilter). n8n reads the variables once
 * per process, so a test drops those three from n8n's DI container and lets it build them anew.
 * `dns` replaces only the resolver (for a DNS answer that changes). Returns a function that
 * restores what was there.
 */
export function applySsrfPolicy(env: SsrfEnv, dns?: DnsResolver): () => void {
	const services = [SsrfProtectionConfig, SsrfProtectionService, OutboundHttp] as const;
	const previous = services.map((type) => [type, Container.get(type as never)] as const);
	const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
	Object.assign(process.env, env);
	try {
		for (const type of services) Container.set(type as never, undefined as never);
		const config = Container.get(SsrfProtectionConfig);
		if (dns) Container.set(SsrfProtectionService, new SsrfProtectionService(config, dns, Container.get(Logger)));
		Container.get(OutboundHttp);
	} finally {
		for (const [name, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	}
	return () => {
		for (const [type, instance] of previous) Container.set(type as never, instance as never);
	};
}
