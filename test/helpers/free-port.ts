import { createServer } from 'node:net';

/** A port free on 127.0.0.1 now, for a server a test or the e2e starts itself (Redis, PostgreSQL, Squid, n8n). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}
