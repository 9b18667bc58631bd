import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A bare HTTP server on 127.0.0.1 whose every answer a test writes by hand, for server
 * behaviours the emulator has no directive for. Counts the requests it got.
 */
export interface RawServer {
	url: string;
	requests: number;
	close(): Promise<void>;
}

export type RawHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
	const sockets = new Set<Socket>();
	const state = { requests: 0 };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			state.requests++;
			Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		get requests() {
			return state.requests;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

/** A pause that never keeps jest alive. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
