import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { agentModelReply, agentModelStream } from './agent-model';
import { answerFor, type Completion, type EmulatorMessage, type Endpoint, MODELS } from './answers';
import { type Directives, num, parseDirectives } from './directives';
import { echoTokens, hostileReply, type HostileStats } from './hostile';
import { responseKindReply } from './response-kinds';
import { SseWriter } from './sse-writer';
import { readThinking, reasoningTokens, thinkingDeltas, thinkingMessage, type Thinking } from './thinking';
import { toolModelCompletion } from './tool-models';
import { drip, endWithoutDone, stall, stallAt } from './waits';
import { applyWire, bomb } from './wire';

export interface EmulatorOptions {
	apiKey?: string;
	/** 0 (default) picks a free port. Always bound to 127.0.0.1. */
	port?: number;
	/** Added before every completion's headers. */
	latencyMs?: number;
	/** Pause between SSE frames. */
	frameDelayMs?: number;
	/** Completions in flight beyond this get a 429, as a provider-side cap would. */
	maxInFlight?: number;
	/** The retry-after-ms sent with a cap 429. */
	capRetryAfterMs?: number;
}

export interface RecordedRequest {
	method: string;
	path: string;
	authorization: string | undefined;
	body: unknown;
	receivedAt: number;
	/** When the exchange ended (response done, or the client went away). */
	closedAt?: number;
	/** Who ended it: the server (its response was whole) or the client (it left first). */
	endedBy?: 'server' | 'client';
	/** Which TCP connection it came on (1, 2, … in the order they were opened). */
	connection: number;
	/** The request's accept-encoding header, if any. */
	acceptEncoding?: string;
}

export interface EmulatorStats extends HostileStats {
	completions: number;
	rejectedByCap: number;
	inFlight: number;
	peakInFlight: number;
	connections: number;
}

export interface SlierEmulator {
	url: string;
	apiKey: string;
	requests: RecordedRequest[];
	stats: EmulatorStats;
	/**
	 * Resolves once `condition` holds, checked again each time a request arrives or an exchange
	 * closes: tests wait for what the server saw, not for a timer.
	 */
	until(condition: () => boolean): Promise<void>;
	/** Forget recorded requests, stats and fault counters. */
	reset(): void;
	close(): Promise<void>;
}

/** Emulator pauses never keep a test process alive after the emulator is closed. */
const delay = (ms: number) => sleep(ms, undefined, { ref: false });

export const DEFAULT_EMULATOR_KEY = 'sk-slier-emulator';

/** Starts a Slier API emulator on 127.0.0.1: the API as the reference describes, plus faults on demand. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<SlierEmulator> {
	const apiKey = options.apiKey ?? DEFAULT_EMULATOR_KEY;
	const requests: RecordedRequest[] = [];
	const stats: EmulatorStats = { completions: 0, rejectedByCap: 0, inFlight: 0, peakInFlight: 0, connections: 0, hugeBytesWritten: 0 };
	const faultHits = new Map<string, number>();
	const sockets = new Set<Socket>();
	const socketIds = new WeakMap<Socket, number>();
	let opened = 0;
	const waiters = new Set<() => void>();
	const changed = () => {
		for (const check of [...waiters]) check();
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) sendJson(res, 500, apiError(`Emulator failure: ${error.message}`, 'server_error', 500));
			else res.destroy();
		});
	});
	server.keepAliveTimeout = 60_000;
	server.on('connection', (socket) => {
		stats.connections++;
		socketIds.set(socket, ++opened);
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const raw = await readBody(req);
		const path = (req.url ?? '/').split('?')[0];
		let body: unknown;
		try {
			body = raw ? JSON.parse(raw) : undefined;
		} catch {
			body = raw;
		}
		const record: RecordedRequest = { method: req.method ?? '', path, authorization: req.headers.authorization, body, receivedAt: Date.now(), connection: socketIds.get(req.socket) ?? 0, acceptEncoding: req.headers['accept-encoding'] };
		requests.push(record);
		res.on('close', () => {
			record.closedAt = Date.now();
			record.endedBy = res.writableFinished ? 'server' : 'client';
			changed();
		});
		changed();

		if (req.method === 'GET' && path === '/feed.xml') {
			// A small RSS feed, so example workflows with an RSS Read node run offline.
			res.writeHead(200, { 'content-type': 'application/rss+xml' });
			return void res.end(RSS_FEED);
		}
		if (req.method === 'POST' && path === '/openai/v1/chat/completions') {
			const reply = agentModelReply(body as Parameters<typeof agentModelReply>[0]);
			if (!(body as { stream?: boolean }).stream) return sendJson(res, 200, reply);
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			return void res.end(agentModelStream(reply));
		}
		if (req.headers.authorization !== `Bearer ${apiKey}`) {
			return sendJson(res, 401, apiError('Invalid API key provided.', 'invalid_api_key', 401));
		}
		if (req.method === 'GET' && /^\/v[12]\/models$/.test(path)) {
			return sendJson(res, 200, { object: 'list', data: MODELS });
		}
		const route = /^\/(v1|v2)\/(chat|search)\/completions$/.exec(path);
		if (!route || req.method !== 'POST') {
			return sendJson(res, 404, apiError(`No route for ${req.method} ${path}`, 'not_found', 404));
		}
		stats.inFlight++;
		stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
		res.on('close', () => stats.inFlight--);
		if (options.maxInFlight !== undefined && stats.inFlight > options.maxInFlight) {
			stats.rejectedByCap++;
			res.setHeader('retry-after-ms', String(options.capRetryAfterMs ?? 100));
			return sendJson(res, 429, apiError('Too many requests in flight.', 'rate_limit', 429));
		}
		stats.completions++;
		await completion(route[2] as Endpoint, body, res, req.headers.authorization ?? '');
	}

	async function completion(endpoint: Endpoint, body: unknown, res: ServerResponse, authorization: string): Promise<void> {
		if (endpoint === 'chat' && (await toolModelCompletion(body, res, options.latencyMs))) return; // models that call tools (tool-models.ts)
		const invalid = validate(endpoint, body);
		if (invalid) return sendJson(res, invalid.status, apiError(invalid.message, invalid.reason, invalid.status, invalid.param));
		const request = body as { model?: string; messages: EmulatorMessage[]; stream?: boolean; model_params?: unknown };
		const directives = parseDirectives(request.messages.map((m) => m.content));
		applyWire(directives, res);
		if (await bomb(directives, res)) return;
		const size = directives.get('size');
		const reply = directives.get('reply')?.b64;
		const answer = answerFor(
			endpoint,
			request,
			size ? num(size, 'chars', 1000) : undefined,
			directives.has('verbatim'),
			reply === undefined ? undefined : Buffer.from(reply, 'base64url').toString('utf8'),
		);

		const active = (name: string): Record<string, string> | undefined => {
			const args = directives.get(name);
			if (!args) return undefined;
			const key = `${name}:${answer.id}`;
			const hits = (faultHits.get(key) ?? 0) + 1;
			faultHits.set(key, hits);
			return hits <= num(args, 'times', Infinity) ? args : undefined;
		};

		if (await hostileReply(directives, authorization, request.stream === true, res, stats)) return;
		if (await responseKindReply(endpoint, answer, directives, request.stream === true, res, authorization)) return;
		if (directives.get('echo-key')?.in === 'content') answer.tokens = echoTokens(authorization);
		if (active('reset')) {
			res.socket?.resetAndDestroy();
			return;
		}
		const slow = active('slow-headers');
		if (slow) await delay(num(slow, 'ms', 2000));
		if (options.latencyMs) await delay(options.latencyMs);
		if (res.destroyed) return;

		const limited = active('429');
		if (limited) {
			if (limited['retry-after-ms']) res.setHeader('retry-after-ms', limited['retry-after-ms']);
			if (limited['retry-after']) res.setHeader('retry-after', limited['retry-after']);
			if (limited['retry-after-date']) {
				const at = new Date(Date.now() + num(limited, 'retry-after-date', 1) * 1000);
				res.setHeader('retry-after', at.toUTCString());
			}
			// reason=insufficient_quota: the 429 of a used-up quota, as OpenAI-style APIs send it.
			const quota = limited.reason === 'insufficient_quota';
			return sendJson(res, 429, apiError(quota ? 'You exceeded your current quota.' : 'Rate limit reached, slow down.', quota ? 'insufficient_quota' : 'rate_limit', 429));
		}
		const status = active('status');
		if (status) {
			const code = num(status, 'code', 500);
			if (status.html) {
				res.writeHead(code, { 'content-type': 'text/html' });
				res.end(`<html><head><title>${code} Bad Gateway</title></head><body><h1>${code} Bad Gateway</h1><p>nginx upstream error</p></body></html>`);
				return;
			}
			return sendJson(res, code, apiError(`The server had an error (${code}).`, 'server_error', code));
		}
		const redirect = active('redirect');
		if (redirect) {
			res.writeHead(307, { location: redirect.to ?? 'http://127.0.0.2:9/elsewhere' });
			res.end();
			return;
		}
		if (active('filter')) return sendJson(res, 400, FILTER_BODY);
		const error200 = active('error-200');
		if (error200) {
			// A gateway that sends the API's error object with HTTP 200.
			if (!error200.reason) return sendJson(res, 200, FILTER_BODY);
			const status = error200.status ? { status: num(error200, 'status', 500) } : {};
			return sendJson(res, 200, { error: { message: `Upstream trouble (${error200.reason}).`, reason: error200.reason, ...status } });
		}
		// `plain-for-stream`: a server that ignores stream: true and answers with a plain JSON body.
		if (request.stream && !directives.has('plain-for-stream')) return stream(endpoint, answer, directives, active, res);
		const text = JSON.stringify(completionObject(endpoint, answer, directives));
		if (active('cut-body')) {
			// Headers 200 and half the JSON, then a reset: the body never completes.
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
			res.write(text.slice(0, Math.floor(text.length / 2)));
			await delay(50);
			return void res.socket?.resetAndDestroy();
		}
		if (await drip(directives, res, text)) return;
		return sendJson(res, 200, JSON.parse(text), directives.has('bom'));
	}

	async function stream(
		endpoint: Endpoint,
		answer: Completion,
		directives: Directives,
		active: (name: string) => Record<string, string> | undefined,
		res: ServerResponse,
	): Promise<void> {
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const split = directives.get('split');
		const out = new SseWriter(res, {
			crlf: directives.has('crlf'),
			comments: directives.has('comments'),
			splitBytes: split ? num(split, 'size', 3) : undefined,
			frameDelayMs: num(directives.get('pace'), 'ms', options.frameDelayMs ?? 0),
		});
		const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: object = {}) =>
			JSON.stringify({
				id: answer.id,
				object: `${endpoint}.completion.chunk`,
				created: answer.created,
				...(answer.model !== null ? { model: answer.model } : {}),
				choices: [{ index: 0, delta, finish_reason: finishReason }],
				...(endpoint === 'search' ? { finish: finishReason !== null } : {}),
				...extra,
			});
		const faults = ['cut', 'reset-mid', 'stream-error', 'stream-filter', 'malformed', 'idle'] as const;
		const fault = faults.map((name) => [name, active(name)] as const).find(([, args]) => args);
		const after = fault ? num(fault[1], 'after', 2) : Infinity;
		const stallBefore = stallAt(directives);

		await out.data(chunk({ role: 'assistant', content: '' }, null));
		const thinking = readThinking(directives);
		if (thinking) {
			// A reasoning model: the thought first (in its field or framed in content), then the answer.
			const { deltas, thoughtEnd } = thinkingDeltas(thinking, answer.tokens.join(''));
			for (const [i, delta] of deltas.entries()) {
				if (out.closed) return;
				if (i === thoughtEnd && thinking.stallMs > 0) await delay(thinking.stallMs);
				if (i === thoughtEnd && thinking.filter) {
					// The content filter stops the answer once the thought is out, as an error event.
					await out.data(JSON.stringify(FILTER_BODY));
					return void res.end();
				}
				await out.data(chunk(delta, null));
			}
		}
		for (let i = 0; !thinking && i < answer.tokens.length && !out.closed; i++) {
			if (i === stallBefore) await stall(directives, out, chunk);
			if (i === after && fault) {
				const [name, args] = fault;
				if (name === 'cut') return void res.end();
				if (name === 'reset-mid') {
					// Let the client read what was sent first: an RST discards unread data.
					await delay(50);
					return void res.socket?.resetAndDestroy();
				}
				if (name === 'stream-error') {
					await out.data(JSON.stringify(apiError('The model failed while answering.', 'server_error', 500)));
					return void res.end();
				}
				if (name === 'stream-filter') {
					await out.data(chunk({}, 'content_filter'));
					await out.data('[DONE]');
					return void res.end();
				}
				if (name === 'malformed') await out.data('{"id": "broken", "choices": [');
				if (name === 'idle') await delay(num(args, 'ms', 2000));
			}
			await out.data(chunk({ content: answer.tokens[i] }, null));
		}
		if (out.closed) return;
		const withUsage = endpoint === 'chat' && !directives.has('no-usage') ? usage(answer, thinking) : undefined;
		if (await endWithoutDone(directives, res, out, chunk, withUsage)) return;
		if (directives.has('finish-flag-only')) {
			// Search's other way to end: `finish: true` with no finish_reason, and no [DONE].
			await out.data(JSON.stringify({ id: answer.id, object: `${endpoint}.completion.chunk`, created: answer.created, choices: [{ index: 0, delta: {}, finish_reason: null }], finish: true }));
		} else {
			await out.data(chunk({}, 'stop', endpoint === 'chat' && !directives.has('no-usage') ? { usage: usage(answer, thinking) } : {}));
			await out.data('[DONE]');
		}
		const hold = directives.get('hold-open');
		if (hold) {
			// A server or proxy that keeps the response open after the answer, sending keep-alive
			// comments, until the client goes away (or `ms` passes).
			const until = Date.now() + num(hold, 'ms', 60_000);
			while (!out.closed && Date.now() < until) {
				await out.raw(': keep-alive\n\n');
				await delay(200);
			}
		}
		res.end();
	}

	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		apiKey,
		requests,
		stats,
		until: (condition) =>
			new Promise<void>((resolve) => {
				const check = () => {
					if (!condition()) return;
					waiters.delete(check);
					resolve();
				};
				waiters.add(check);
				check();
			}),
		reset() {
			requests.length = 0;
			faultHits.clear();
			Object.assign(stats, { completions: 0, rejectedByCap: 0, peakInFlight: stats.inFlight, connections: 0, hugeBytesWritten: 0 });
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

/** The content-filter error body as the API reference documents it. */
const FILTER_BODY = {
	error: {
		message: 'This content may violate our content policy, please check https://Slier.ai/terms to learn more.',
		param: 'prompt',
		reason: 'content_filter',
		status: 400,
	},
};

const RSS_FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Emulator news</title><link>https://example.com/</link><description>Offline feed</description>
<item><title>Solar library opens</title><link>https://example.com/news/1</link><description>The branch runs on rooftop panels.</description></item>
<item><title>Rail line reopens</title><link>https://example.com/news/2</link><description>Trains run every 30 minutes.</description></item>
<item><title>Bakery wins award</title><link>https://example.com/news/3</link><description>A 40-year-old starter made the winning loaf.</description></item>
</channel></rss>`;

function validate(
	endpoint: Endpoint,
	body: unknown,
): { status: number; message: string; reason: string; param?: string } | undefined {
	const b = body as { model?: unknown; messages?: unknown } | undefined;
	if (!b || typeof b !== 'object') return { status: 400, message: 'The body must be a JSON object.', reason: 'invalid_request' };
	if (!Array.isArray(b.messages) || b.messages.length === 0) {
		return { status: 400, message: '`messages` must be a non-empty array.', reason: 'invalid_request', param: 'messages' };
	}
	for (const m of b.messages as Array<Record<string, unknown>>) {
		if (!m || !['system', 'user', 'assistant'].includes(m.role as string) || typeof m.content !== 'string') {
			return { status: 400, message: 'Each message needs a role and a string content.', reason: 'invalid_request', param: 'messages' };
		}
	}
	if (endpoint === 'chat') {
		if (typeof b.model !== 'string' || !b.model) {
			return { status: 400, message: '`model` is required.', reason: 'invalid_request', param: 'model' };
		}
		if (!MODELS.some((m) => m.id === b.model)) {
			return { status: 404, message: `The model \`${b.model}\` does not exist.`, reason: 'model_not_found', param: 'model' };
		}
	}
	return undefined;
}

function usage(answer: Completion, thinking?: Thinking) {
	const reasoning = thinking ? reasoningTokens(thinking) : 0;
	const completion = answer.tokens.length + reasoning;
	return {
		prompt_tokens: answer.promptTokens,
		completion_tokens: completion,
		total_tokens: answer.promptTokens + completion,
		...(thinking ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
	};
}

function completionObject(endpoint: Endpoint, answer: Completion, directives: Directives): Record<string, unknown> {
	const thinking = readThinking(directives);
	const object: Record<string, unknown> = {
		id: answer.id,
		object: `${endpoint}.completion`,
		created: directives.has('created-string') ? String(answer.created) : answer.created,
		...(answer.model !== null ? { model: answer.model } : {}),
		choices: [{ index: 0, message: thinking ? thinkingMessage(thinking, answer.tokens.join('')) : { role: 'assistant', content: answer.tokens.join('') }, finish_reason: 'stop' }],
	};
	if (endpoint === 'chat' && !directives.has('no-usage')) object.usage = usage(answer, thinking);
	if (directives.has('extra-fields')) {
		object.system_fingerprint = 'fp_emulator';
		object.unknown_block = { nested: [1, 2, 3] };
	}
	return object;
}

function apiError(message: string, reason: string, status: number, param?: string) {
	return { error: { message, reason, status, ...(param ? { param } : {}) } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, bom = false): void {
	if (res.destroyed) return;
	const text = (bom ? '\uFEFF' : '') + JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}
