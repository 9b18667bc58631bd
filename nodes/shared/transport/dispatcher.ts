import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

/**
 * One keep-alive agent for the whole package. undici pools connections per origin inside it,
 * so every Slier request of every execution reuses warm connections. It is an
 * EnvHttpProxyAgent so HTTP(S)_PROXY / NO_PROXY apply as they do in n8n itself. Never installed
 * as the global dispatcher: that one belongs to n8n.
 */
let shared: Dispatcher | undefined;

export function getDispatcher(): Dispatcher {
	shared ??= new EnvHttpProxyAgent({
		keepAliveTimeout: 30_000,
		keepAliveMaxTimeout: 300_000,
	});
	return shared;
}

/** Closes the shared pool (tests and scripts call it so the process can exit at once). */
export async function closeDispatcher(): Promise<void> {
	const current = shared;
	shared = undefined;
	await current?.close();
}
