import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';

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
	const state = { requests: 0 };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			state.requests++;
			Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
		});
	});
	const { url, close } = await listenOnLoopback(server);
	return {
		url,
		get requests() {
			return state.requests;
		},
		close,
	};
}

/**
 * Starts `server` on a free port of 127.0.0.1; its `close` ends the connections still open
 * (keep-alive, tunnels) so that closing never waits on a client.
 */
export async function listenOnLoopback(server: Server): Promise<{ url: string; port: number; close(): Promise<void> }> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

/** A pause that never keeps jest alive. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A port on 127.0.0.1 that nothing listens on (a server is opened there, then closed). */
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** One SSE event of a chat stream: a delta of answer text, with a finish reason or not. */
export function chatEvent(content: string, finishReason: string | null = null): string {
	return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finishReason }] })}\n\n`;
}

/** A whole non-streamed chat completion whose answer is `content`. */
export function chatCompletion(content: string, extra: object = {}): string {
	return JSON.stringify({
		id: 'raw-1',
		object: 'chat.completion',
		created: 1,
		model: 'm',
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		...extra,
	});
}

/**
 * One raw server per test file (or describe block), started before its tests and closed after,
 * with the shared connection pool. Read `url` and `requests` inside tests.
 */
export function useRawServer(handler: RawHandler): RawServer {
	let live: RawServer | undefined;
	beforeAll(async () => {
		live = await startRawServer(handler);
	});
	afterAll(async () => {
		await live?.close();
		await closeDispatcher();
	});
	const get = () => {
		if (!live) throw new Error('the raw server is used outside a test');
		return live;
	};
	return {
		get url() {
			return get().url;
		},
		get requests() {
			return get().requests;
		},
		close: async () => await get().close(),
	};
}
