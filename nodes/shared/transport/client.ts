import { request, type Dispatcher } from 'undici';

import { LIMITS, mib, readCapped, tooLarge } from './body';
import { ACCEPT_ENCODING, decodedBody, decodingFailure, type Body } from './decode';
import { getDispatcher } from './dispatcher';
import { asBlockedError, checkEgress } from './egress';
import { excerpt, parseErrorBody, SlierError, stripBom } from './errors';
import type { AttemptOutcome, Release } from './limiter';
import { redactKey, redactParsed } from './redact';
import { abortedError, backoffDelay, exceedsRetryAfterCap, isRetryable, MAX_TIMER_MS, parseRetryAfter, sleep } from './retry';
import { seconds } from './format';
import { readSse, type SseEvents } from './sse';
import type { SlierRequest, TransportHooks } from './types';

/**
 * A response that came back as one JSON document, or a stream whose events the caller pulls. The
 * caller must iterate `events` (or call its `return()`): that releases the limiter slot and lets
 * the connection go back to the pool.
 */
export type SlierResponse =
	| { kind: 'json'; body: unknown }
	| {
			kind: 'sse';
			events: AsyncGenerator<string, void, undefined>;
			/** The last event carried answer text or the finish: Timeout starts over (see readSse). */
			progress(): void;
			/** The answer has its finish reason: the rest gets a short grace, and a reset after it is no failure. */
			finished(): void;
	  };

/**
 * Sends a request and parses the JSON answer. Retries until a whole 2xx body has been read: a
 * body cut short has reached no one yet, so it is retried like a reset before the response.
 */
export async function requestJson(req: SlierRequest, hooks: TransportHooks = {}): Promise<unknown> {
	return await withRetries(req, 'application/json', hooks, async (res) => await readJson(res, req));
}

/**
 * Sends a streaming request. A stream's events (each SSE data payload, with the key redacted) are
 * pulled by the caller, who stops when the answer is complete. If the server answers with plain
 * JSON instead of a stream, that document is returned instead. Nothing is retried once the stream
 * has started: a retry would pay for a second generation.
 */
export async function requestStream(req: SlierRequest, hooks: TransportHooks = {}): Promise<SlierResponse> {
	return await withRetries<SlierResponse>(req, 'text/event-stream', hooks, async (res, slot) => {
		const type = String(res.headers['content-type'] ?? '');
		if (!type.includes('text/event-stream')) return { kind: 'json', body: await readJson(res, req) };
		const sse = readSse(res.body, req.timeoutMs);
		return { kind: 'sse', events: streamEvents(sse, req, slot.keep()), progress: sse.progress, finished: sse.finished };
	});
}

/** A stream holds its limiter slot until it ends: a provider counts it as in flight until then. */
async function* streamEvents(sse: SseEvents, req: SlierRequest, release: Release): AsyncGenerator<string, void, undefined> {
	let outcome: AttemptOutcome = { kind: 'ok' };
	try {
		for await (const data of sse) yield redactKey(data, req.apiKey);
	} catch (error) {
		outcome = { kind: 'failed' };
		const failure = toSlierError(error, req);
		failure.details.midStream = true;
		throw failure;
	} finally {
		await nextTurn();
		release(outcome);
	}
}

const noRelease: Release = () => {};

/**
 * An attempt's limiter slot and its deadline: both end with the attempt, unless the reader keeps
 * them (a stream, whose own idle watchdog then bounds the wait).
 */
interface Slot {
	/**
	 * Takes the slot over and stops the attempt's deadline; the caller must call the returned
	 * release once it is done.
	 */
	keep(): Release;
}

/**
 * Timeout for one attempt of a plain request: one deadline for the whole wait, connection,
 * headers and body alike. undici's headersTimeout and bodyTimeout cannot bound a body that drips
 * a byte at a time; aborting the request's signal at the deadline does, in every phase, with the
 * timeout as the error the request fails with.
 */
class AttemptDeadline {
	// A controller of its own, linked to the outer (cancel) signal by hand: linkedSignal() costs
	// several times more, and this one has only the request as a listener.
	private readonly controller = new AbortController();
	private readonly onOuterAbort = () => this.controller.abort();
	private readonly timer: NodeJS.Timeout;
	private responded = false;

	constructor(
		private readonly timeoutMs: number,
		private readonly outer: AbortSignal | undefined,
	) {
		if (outer?.aborted) this.controller.abort();
		else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
		this.timer = setTimeout(() => this.controller.abort(this.error()), Math.min(timeoutMs, MAX_TIMER_MS));
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** True once the deadline fired. */
	get expired(): boolean {
		return this.controller.signal.aborted && this.controller.signal.reason instanceof SlierError;
	}

	/** The response headers arrived: a timeout from now on is a body that came too slowly. */
	markResponded(): void {
		this.responded = true;
	}

	/** Stops the clock; the request stays cancellable through the outer signal until dispose(). */
	stop(): void {
		clearTimeout(this.timer);
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.outer?.removeEventListener('abort', this.onOuterAbort);
	}

	private error(): SlierError {
		const within = seconds(this.timeoutMs);
		return this.responded
			? new SlierError('timeout', `Slier started answering but the whole answer did not arrive within ${within}`)
			: new SlierError('timeout', `Slier did not answer within ${within}`);
	}
}

/**
 * The retry loop. `read` consumes a 2xx response inside the attempt, holding its limiter slot. A
 * failure of `read` is retried when it is retryable and not `midStream` (text may have been passed on).
 */
async function withRetries<T>(
	req: SlierRequest,
	accept: string,
	hooks: TransportHooks,
	read: (res: Dispatcher.ResponseData, slot: Slot) => Promise<T>,
): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const release = hooks.gate ? await hooks.gate.acquire(req.signal) : noRelease;
		const deadline = new AttemptDeadline(req.timeoutMs, req.signal);
		let kept = false;
		const slot: Slot = {
			keep: () => {
				kept = true;
				deadline.stop();
				return (outcome) => {
					deadline.dispose();
					release(outcome);
				};
			},
		};
		let outcome: AttemptOutcome = { kind: 'failed' };
		let error: SlierError;
		try {
			const result = await read(await openOnce(req, accept, deadline), slot);
			outcome = { kind: 'ok' };
			return result;
		} catch (caught) {
			error = toSlierError(caught, req);
			// A retry-after beyond the cap is a quota, not a concurrency cap: the item fails at once
			// and nobody else is held back for it.
			if (error.status === 429 && !exceedsRetryAfterCap(error)) {
				outcome = { kind: 'rate-limited', retryAfterMs: error.details.retryAfterMs };
			}
			if (error.details.midStream || attempt >= req.maxRetries || !isRetryable(error) || req.signal?.aborted) {
				throw error;
			}
		} finally {
			if (!kept) {
				deadline.dispose();
				// The one place that waits for connection pooling: undici puts a connection back in its
				// pool on the turn after its body was read. Yielding that turn before the slot is freed
				// means the next attempt, this caller's or a waiter's, reuses that connection instead of
				// opening another.
				await nextTurn();
				release(outcome);
			}
		}
		const delayMs = backoffDelay(attempt, error.details.retryAfterMs);
		hooks.onRetry?.({ attempt: attempt + 1, delayMs, reason: error.message });
		await sleep(delayMs, req.signal);
	}
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openOnce(req: SlierRequest, accept: string, deadline: AttemptDeadline): Promise<Dispatcher.ResponseData> {
	if (req.signal?.aborted) throw abortedError();
	const url = joinUrl(req.baseUrl, req.path);
	if (req.egress) await checkEgress(req.egress, url);
	const res = await request(url, {
		method: req.method,
		dispatcher: getDispatcher(req.egress, url),
		headers: {
			authorization: `Bearer ${req.apiKey}`,
			accept,
			// A stream is asked for uncompressed: a compressed stream tends to be buffered on the way.
			'accept-encoding': accept === 'text/event-stream' ? 'identity' : ACCEPT_ENCODING,
			...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: req.body === undefined ? undefined : JSON.stringify(req.body),
		signal: deadline.signal,
		headersTimeout: req.timeoutMs,
		bodyTimeout: req.timeoutMs,
	});
	deadline.markResponded();
	const ok = res.statusCode >= 200 && res.statusCode < 300;
	// From here on the body is read decoded: content-encoding undone, the charset made UTF-8.
	let decoded: Body | undefined;
	try {
		decoded = decodedBody(res.body, res.headers);
	} catch (error) {
		res.body.on('error', () => {}).destroy(); // never leave a body unread (undici 7 can crash on one)
		if (ok) throw error;
	}
	if (ok) return Object.assign(res, { body: decoded as typeof res.body });
	// Read error bodies at once, before any backoff: an unread body can crash undici 7. Only the
	// first 64 KiB: the rest is never read (the connection is dropped instead). An error page
	// that drips past the deadline fails as the timeout, not as its status.
	const read = decoded ? readCapped(decoded, LIMITS.errorBodyBytes, 'truncate') : Promise.resolve('');
	const text = redactKey(
		await read.catch((error: unknown) => {
			if (deadline.expired) throw error;
			return '';
		}),
		req.apiKey,
	);
	throw httpError(res.statusCode, text, res.headers, req.apiKey);
}

/** `text` is already redacted; what parsing it brings back (escaped forms of the key) is redacted too. */
function httpError(
	status: number,
	text: string,
	headers: Record<string, string | string[] | undefined>,
	apiKey: string,
): SlierError {
	const details = { status, ...redactParsed(parseErrorBody(text), apiKey), retryAfterMs: parseRetryAfter(headers) };
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
	let body: unknown;
	try {
		body = redactParsed(JSON.parse(stripBom(text)) as unknown, req.apiKey);
	} catch {
		throw new SlierError('response', `Slier sent a response that is not valid JSON: ${excerpt(text) || '(empty body)'}`, {
			status: res.statusCode,
			bodyExcerpt: excerpt(text),
		});
	}
	if (carriesError(body)) throw errorInBody(res.statusCode, text, res.headers, req.apiKey);
	return body;
}

/** Some gateways send an API error with HTTP 200: `{error: …}` and no answer. */
function carriesError(body: unknown): boolean {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
	const { error, choices } = body as Record<string, unknown>;
	return error !== undefined && error !== null && error !== false && choices === undefined;
}

/** Reads an error that came with a 2xx exactly as if it had come with the status it names. */
function errorInBody(
	status: number,
	text: string,
	headers: Record<string, string | string[] | undefined>,
	apiKey: string,
): SlierError {
	const details = redactParsed(parseErrorBody(text), apiKey);
	const named = details.apiError?.status ?? details.apiError?.code;
	const namedStatus = typeof named === 'number' ? named : Number(named);
	if (Number.isInteger(namedStatus) && namedStatus >= 400 && namedStatus < 600) return httpError(namedStatus, text, headers, apiKey);
	if (details.reason === 'content_filter') return httpError(400, text, headers, apiKey);
	const what = details.apiMessage ?? details.reason ?? details.bodyExcerpt ?? 'no message';
	return new SlierError('response', `Slier sent an error instead of an answer (HTTP ${status}): ${what}`, {
		...details,
		status,
	});
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

/** Errors about the request as built (a header undici refuses), not about the network: never retried. */
const REQUEST_CODES = new Set([
	'UND_ERR_INVALID_ARG',
	'ERR_INVALID_CHAR',
	'ERR_INVALID_HTTP_TOKEN',
	'ERR_INVALID_ARG_TYPE',
	'ERR_INVALID_ARG_VALUE',
	'ERR_INVALID_URL',
	'UND_ERR_NOT_SUPPORTED',
]);

/** Maps undici and system errors onto SlierError by cause, without leaking request details. */
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
	const message = redactKey(err.message ?? 'unknown error', req.apiKey);
	if (/Proxy Authentication Required \(407\)|Proxy response \(407\)/.test(message)) {
		return new SlierError(
			'request',
			"The proxy named in this n8n's environment (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY) asks for a user name and password (HTTP 407): put them in the proxy URL, as in http://user:password@proxy:3128",
		);
	}
	const coding = decodingFailure(error);
	if (coding) {
		// The bytes are wrong (zlib's Z_DATA_ERROR, say): trying again will not help.
		return new SlierError('response', `Slier sent a response marked as ${coding}-compressed that could not be decompressed (${message})`);
	}
	if (REQUEST_CODES.has(code) || !code) {
		if (/header|authorization/i.test(message) && /[^\x21-\x7e]/.test(req.apiKey)) {
			return new SlierError(
				'request',
				'The API key in the Slier API credential contains a line break or another character that cannot be sent in an HTTP header',
			);
		}
		return new SlierError('request', `The request to Slier could not be sent: ${message}`);
	}
	const origin = safeOrigin(req.baseUrl);
	const what = NETWORK_CODES[code] ?? message;
	return new SlierError('network', `Could not reach Slier at ${origin} (${what})`);
}

function safeOrigin(baseUrl: string): string {
	try {
		return new URL(baseUrl).origin;
	} catch {
		return 'the configured base URL';
	}
}
