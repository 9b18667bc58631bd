import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

import { listenOnLoopback } from './raw-server';

/**
 * A small forward proxy on 127.0.0.1, as a company proxy stands between n8n and the internet. It
 * records how each request reached it: an ordinary proxy request (`POST http://host:port/path`,
 * absolute URI) or a CONNECT tunnel. Like Squid's default configuration it can refuse CONNECT to
 * any port but 443 (`squidDefaults`), and it can ask for a user name and password.
 */
export interface ForwardProxy {
	url: string;
	port: number;
	/** Absolute URIs of the ordinary proxy requests it got. */
	absolute: string[];
	/** host:port of every CONNECT it got, refused or not. */
	connects: string[];
	/** The Proxy-Authorization header of each request, if any. */
	authorizations: Array<string | undefined>;
	reset(): void;
	close(): Promise<void>;
}

export interface ForwardProxyOptions {
	/** Refuse CONNECT to ports other than 443 with 403, as a default Squid does. */
	squidDefaults?: boolean;
	/** `user:password` the proxy requires (407 without it). */
	credentials?: string;
}

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
	const state = { absolute: [] as string[], connects: [] as string[], authorizations: [] as Array<string | undefined> };
	const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined;
	const authorized = (headers: IncomingHttpHeaders) => {
		state.authorizations.push(headers['proxy-authorization']);
		return !expected || headers['proxy-authorization'] === expected;
	};

	const server = createServer((req, res) => {
		const target = req.url ?? '';
		state.absolute.push(target);
		if (!authorized(req.headers)) {
			res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"', 'content-type': 'text/html' });
			return void res.end('<html><body><h1>407 Proxy Authentication Required</h1></body></html>');
		}
		if (!/^http:\/\//.test(target)) {
			res.writeHead(400, { 'content-type': 'text/plain' });
			return void res.end('not a proxy request');
		}
		const headers = { ...req.headers };
		delete headers['proxy-authorization'];
		delete headers['proxy-connection'];
		const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
			res.on('close', () => answer.destroy());
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	server.on('connect', (req, client: Socket) => {
		const target = req.url ?? '';
		state.connects.push(target);
		const [host, port] = [target.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(target)?.[1] ?? 443)];
		if (!authorized(req.headers)) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n');
		if (options.squidDefaults && port !== 443) return void client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
		const upstream = connect(port, host, () => {
			client.write('HTTP/1.1 200 Connection established\r\n\r\n');
			upstream.pipe(client);
			client.pipe(upstream);
		});
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
		client.on('close', () => upstream.destroy());
	});
	const { url, port, close } = await listenOnLoopback(server);
	return {
		url,
		port,
		get absolute() {
			return state.absolute;
		},
		get connects() {
			return state.connects;
		},
		get authorizations() {
			return state.authorizations;
		},
		reset() {
			state.absolute.length = 0;
			state.connects.length = 0;
			state.authorizations.length = 0;
		},
		close,
	};
}
