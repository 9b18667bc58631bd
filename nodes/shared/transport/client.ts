import { request, type Dispatcher } from 'undici';

import { LIMITS, mib, readCapped, tooLarge } from './body';
import { getDispatcher } from './dispatcher';
import { asBlockedError, checkEgress } from './egress';
import { excerpt, parseErrorBody, SlierError, stripBom } from './errors';
import type { Release } from './limiter';
import { redactKey } from './redact';
import { abortedError, backoffDelay, isRetryable, parseRetryAfter, sleep } from './retry';
import { readSse, seconds } from './sse';
import type { SlierRequest, TransportHooks } from './types';

/** A response that came back as one JSON document, or as a stream that was fully read. */
export type SlierResponse = { kind: 'json'; body: unknown } | { kind: 'sse' };

/** Sends a request and parses the JSON answer. Retries only before a 2xx response arrives. */
export async function requestJson(req: SlierRequest, hooks: TransportHooks = {}): Promise<unknown> {
	const { res, release } = await openWithRetries(req, 'application/json', hooks);
	try {
		const body = await readJson(res, req);
		await connectionPooled();
		return body;
	} finally {
		release({ kind: 'ok' });
	}
}

/**
 * One turn of the event loop after a body was read: undici puts the connection back in its pool
 * then, so the caller's next request reuses it instead of opening another.
 */
const connectionPooled = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sends a streaming request and hands every SSE data payload to `onData`. If the server answers
 * with plain JSON instead of a stream, that document is returned instead. Nothing is retried
 * once the response has started: a retry would pay for a second generation.
 */
export async function requestStream(
	req: SlierRequest,
	onData: (data: string) => void,
	hooks: TransportHooks = {},
): Promise<SlierResponse> {
	const { res, release } = await openWithRetries(req, 'text/event-stream', hooks);
	try {
		const type = String(res.headers['content-type'] ?? '');
		if (!type.includes('text/event-stream')) return { kind: 'json', body: await readJson(res, req) };
		try {
			await readSse(res.body, (data) => onData(redactKey(data, req.apiKey)), req.timeoutMs);
		} catch (error) {
			const failure = toSlierError(error, req);
			failure.details.midStream = true;
			throw failure;
		}
		await connectionPooled();
		return { kind: 'sse' };
	} finally {
		// The slot is held until the answer is complete: a provider counts a stream as in flight.
		release({ kind: 'ok' });
	}
}

const noRelease: Release = () => {};

async function openWithRetries(
	req: SlierRequest,
	accept: string,
	hooks: TransportHooks,
): Promise<{ res: Dispatcher.ResponseData; release: Release }> {
	for (let attempt = 0; ; attempt++) {
		const release = hooks.gate ? await hooks.gate.acquire(req.signal) : noRelease;
		try {
			return { res: await openOnce(req, accept), release };
		} catch (caught) {
			const error = toSlierError(caught, req);
			release(
				error.status === 429
					? { kind: 'rate-limited', retryAfterMs: error.details.retryAfterMs }
					: { kind: 'failed' },
			);
			if (attempt >= req.maxRetries || !isRetryable(error) || req.signal?.aborted) throw error;
			const delayMs = backoffDelay(attempt, error.details.retryAfterMs);
			hooks.onRetry?.({ attempt: attempt + 1, delayMs, reason: error.message });
			await sleep(delayMs, req.signal);
		}
	}
}

async function openOnce(req: SlierRequest, accept: string): Promise<Dispatcher.ResponseData> {
	if (req.signal?.aborted) throw abortedError();
	const url = joinUrl(req.baseUrl, req.path);
	if (req.egress) await checkEgress(req.egress, url);
	const res = await request(url, {
		method: req.method,
		dispatcher: getDispatcher(req.egress),
		headers: {
			authorization: `Bearer ${req.apiKey}`,
			accept,
			...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: req.body === undefined ? undefined : JSON.stringify(req.body),
		signal: req.signal,
		headersTimeout: req.timeoutMs,
		bodyTimeout: req.timeoutMs,
	});
	if (res.statusCode >= 200 && res.statusCode < 300) return res;
	// Read error bodies at once, before any backoff: an unread body can crash undici 7. Only the
	// first 64 KiB: the rest is never read (the connection is dropped instead).
	const text = redactKey(await readCapped(res.body, LIMITS.errorBodyBytes, 'truncate').catch(() => ''), req.apiKey);
	throw httpError(res.statusCode, text, res.headers);
}

function httpError(
	status: number,
	text: string,
	headers: Record<string, string | string[] | undefined>,
): SlierError {
	const details = { status, ...parseErrorBody(text), retryAfterMs: parseRetryAfter(headers) };
	if (status >= 300 && status < 400) {
		return new SlierError(
			'http',
			`Slier answered with a redirect (HTTP ${status}), which is not followed so the API key is never sent elsewhere`,
			details,
		);
	}
	const what = details.apiMessage ?? details.bodyExcerpt ?? 'no error message in the response';
	return new SlierError('http', `Slier answered HTTP ${status}: ${what}`, details);
}

async function readJson(res: Dispatcher.ResponseData, req: SlierRequest): Promise<unknown> {
	let text: string;
	try {
		const tooBig = () => tooLarge('a JSON response', mib(LIMITS.jsonBodyBytes));
		text = redactKey(await readCapped(res.body, LIMITS.jsonBodyBytes, { fail: tooBig }), req.apiKey);
	} catch (error) {
		throw toSlierError(error, req);
	}
	try {
		return JSON.parse(stripBom(text));
	} catch {
		throw new SlierError('response', `Slier sent a response that is not valid JSON: ${excerpt(text) || '(empty body)'}`, {
			status: res.statusCode,
			bodyExcerpt: excerpt(text),
		});
	}
}

/** Joins without `new URL(path, base)`, which would drop a path prefix in the base URL. */
export function joinUrl(baseUrl: string, path: string): string {
	return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

const NETWORK_CODES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	EPIPE: 'connection closed',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	UND_ERR_SOCKET: 'connection closed by the server',
	UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
	UND_ERR_CLOSED: 'connection closed',
};

/** Maps undici and system errors onto SlierError without leaking request details. */
export function toSlierError(error: unknown, req: SlierRequest): SlierError {
	if (error instanceof SlierError) return error;
	if (req.signal?.aborted) return abortedError();
	const blocked = asBlockedError(error);
	if (blocked) return blocked;
	const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
	const code = err.code ?? err.cause?.code ?? '';
	if (code === 'UND_ERR_HEADERS_TIMEOUT') {
		return new SlierError('timeout', `Slier did not answer within ${seconds(req.timeoutMs)}`);
	}
	if (code === 'UND_ERR_BODY_TIMEOUT') {
		return new SlierError('timeout', `The response was silent for longer than ${seconds(req.timeoutMs)}`);
	}
	const origin = safeOrigin(req.baseUrl);
	const what = NETWORK_CODES[code];
	if (what) return new SlierError('network', `Could not reach Slier at ${origin} (${what})`);
	return new SlierError('network', `Could not reach Slier at ${origin} (${err.message ?? 'unknown error'})`);
}

function safeOrigin(baseUrl: string): string {
	try {
		return new URL(baseUrl).origin;
	} catch {
		return 'the configured base URL';
	}
}
