import { request, type Dispatcher } from 'undici';

import { LIMITS, readCapped, tooLarge } from './body';
import { ACCEPT_ENCODING, decodedBody, decodingFailure, type Body } from './decode';
import { getDispatcher } from './dispatcher';
import { asBlockedError, checkEgress } from './egress';
import { excerpt, interruptedError, parseErrorBody, SlierError, stripBom, type SlierErrorDetails } from './errors';
import type { AttemptOutcome, Release } from './limiter';
import { redactKey, redactParsed } from './redact';
import { MAX_TIMER_MS } from './limits';
import { abortedError, parseRetryAfter, sleep } from './retry';
import { isRateLimit, RetryBudget } from './retry-budget';
import { contentTypeOf, notApiError, peekStart, shapeOf, type ResponseShape } from './response-kind';
import { parseJson } from './parse-json';
import { readSse, type SseEvents } from './sse';
import type { SlierRequest, TransportHooks } from './types';

/**
 * A response that came back as one JSON document, or a stream whose events the caller pulls. The
 * caller must iterate `events` (or call its `return()`): that releases the limiter slot and lets
 * the connection go back to the pool.
 */
export type SlierResponse =
	| { kind: 'json'; body: unknown; meta: ResponseMeta }
	| {
			kind: 'sse';
			/** Each event's data as sent; each pull says what the last event was (see readSse). */
			events: SseEvents;
	  };

/** Facts about a JSON response, for the words when its content turns out not to be an answer. */
export interface ResponseMeta {
	status: number;
	contentType: string;
	origin: string;
}

/**
 * Sends a request and parses the JSON answer. Retries until a whole 2xx body has been read: a
 * body cut short has reached no one yet, so it is retried like a reset before the response.
 */
export async function requestJson(req: SlierRequest, hooks: TransportHooks = {}): Promise<unknown> {
	return await withRetries(req, 'application/json', hooks, async (res) => {
		const shape = await shapeOfResponse(res, req);
		if (shape !== 'json') throw await notApi(res, req);
		return await readJson(res, req);
	});
}

/**
 * Sends a completion request. The response is read for what it is, not for what was asked: a
 * stream (whose events, each SSE data payload as sent, the caller pulls and redacts) or one JSON
 * document, whichever the server sent (see response-kind.ts). Nothing is retried once a stream has
 * started: a retry would pay for a second generation.
 */
export async function requestStream(req: SlierRequest, hooks: TransportHooks = {}): Promise<SlierResponse> {
	const accept = (req.body as { stream?: unknown } | undefined)?.stream === false ? 'application/json' : 'text/event-stream';
	return await withRetries<SlierResponse>(req, accept, hooks, async (res, slot) => {
		const shape = await shapeOfResponse(res, req);
		if (shape === 'sse') {
			return { kind: 'sse', events: streamEvents(readSse(res.body, req.timeoutMs), req, slot.keep()) };
		}
		if (shape === 'json') {
			const meta = { status: res.statusCode, contentType: contentTypeOf(res.headers), origin: safeOrigin(req.baseUrl) };
			return { kind: 'json', body: await readJson(res, req), meta };
		}
		throw await notApi(res, req);
	});
}

/** The shape of a 2xx response, from its first bytes and then its Content-Type; a 204 is empty. */
async function shapeOfResponse(res: Dispatcher.ResponseData, req: SlierRequest): Promise<ResponseShape> {
	if (res.statusCode === 204) return 'empty';
	try {
		return shapeOf(await peekStart(res.body), contentTypeOf(res.headers));
	} catch (error) {
		throw toSlierError(error, req, 'body');
	}
}

/** The error for a 2xx that is not the API (a website, an empty body): what it was, briefly. */
async function notApi(res: Dispatcher.ResponseData, req: SlierRequest): Promise<SlierError> {
	const text = redactKey(await readCapped(res.body, LIMITS.errorBodyBytes, 'truncate').catch(() => ''), req.apiKey);
	return notApiError(res.statusCode, contentTypeOf(res.headers), text, safeOrigin(req.baseUrl));
}

/**
 * A stream holds its limiter slot until it ends: a provider counts it as in flight until then.
 * Its data is passed on as sent: the reader parses each event and removes the key once (see
 * completion/stream-assembler.ts); a failure here is redacted like any other.
 */
async function* streamEvents(sse: SseEvents, req: SlierRequest, release: Release): SseEvents {
	let outcome: AttemptOutcome = { kind: 'ok' };
	try {
		yield* sse;
	} catch (error) {
		outcome = { kind: 'failed' };
		const failure = toSlierError(error, req, 'body');
		// Once a stream has started, a broken connection must not pass for a complete answer.
		if (failure.kind === 'network' || failure.kind === 'timeout' || failure.kind === 'protocol') throw interruptedError(failure);
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
	readonly signal: AbortSignal;
	private readonly abort: (reason: SlierError) => void;
	private readonly timer: NodeJS.Timeout;
	private responded = false;
	private readonly onOuterAbort?: () => void;

	constructor(
		private readonly timeoutMs: number,
		private readonly outer: AbortSignal | undefined,
		callAbort: ((reason: SlierError) => void) | undefined,
	) {
		if (callAbort && outer) {
			// The call's own chain (a completion): the deadline ends it, no controller of its own.
			this.signal = outer;
			this.abort = callAbort;
		} else {
			// A request without one (the model list): a controller linked to the outer signal by hand.
			const controller = new AbortController();
			this.signal = controller.signal;
			this.abort = (reason) => controller.abort(reason);
			this.onOuterAbort = () => controller.abort();
			if (outer?.aborted) controller.abort();
			else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
		}
		this.timer = setTimeout(() => this.abort(this.error()), Math.min(timeoutMs, MAX_TIMER_MS));
	}

	/** True once the deadline fired. */
	get expired(): boolean {
		return this.signal.aborted && this.signal.reason instanceof SlierError;
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
		if (this.onOuterAbort) this.outer?.removeEventListener('abort', this.onOuterAbort);
	}

	private error(): SlierError {
		return new SlierError('timeout', { problem: this.responded ? 'answer_timeout' : 'headers_timeout', timeoutMs: this.timeoutMs });
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
	const budget = new RetryBudget(req.maxRetries, req.timeoutMs);
	for (let attempt = 0; ; attempt++) {
		const release = hooks.gate ? await hooks.gate.acquire(req.signal) : noRelease;
		const deadline = new AttemptDeadline(req.timeoutMs, req.signal, req.abort);
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
		let delayMs: number | undefined;
		try {
			const result = await read(await openOnce(req, accept, deadline), slot);
			outcome = { kind: 'ok' };
			return result;
		} catch (caught) {
			error = toSlierError(caught, req);
			// A quota (a retry-after beyond the cap, insufficient_quota) is no concurrency cap: the item
			// fails at once and nobody else is held back for it.
			if (isRateLimit(error)) {
				outcome = { kind: 'rate-limited', retryAfterMs: error.details.retryAfterMs };
			}
			delayMs = req.signal?.aborted ? undefined : budget.next(error);
			if (delayMs === undefined) throw error;
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
	const decoded = decodedOrFailure(res);
	if (ok) {
		if (decoded instanceof Error) throw decoded;
		return Object.assign(res, { body: decoded as typeof res.body });
	}
	// Read error bodies at once, before any backoff: an unread body can crash undici 7. Only the
	// first 64 KiB: the rest is never read (the connection is dropped instead). An error page
	// that drips past the deadline fails as the timeout, not as its status.
	const read = decoded instanceof Error ? Promise.resolve('') : readCapped(decoded, LIMITS.errorBodyBytes, 'truncate');
	const text = redactKey(
		await read.catch((error: unknown) => {
			if (deadline.expired) throw error;
			return '';
		}),
		req.apiKey,
	);
	throw httpError(res.statusCode, text, res.headers, req.apiKey, req.baseUrl);
}

/** The body decoded, or why it cannot be (then it is destroyed: undici 7 can crash on an unread body). */
function decodedOrFailure(res: Dispatcher.ResponseData): Body | Error {
	try {
		return decodedBody(res.body, res.headers);
	} catch (error) {
		res.body.on('error', () => {}).destroy();
		return error instanceof Error ? error : new Error(String(error));
	}
}

/** `text` is already redacted; what parsing it brings back (escaped forms of the key) is redacted too. */
function httpError(
	status: number,
	text: string,
	headers: Record<string, string | string[] | undefined>,
	apiKey: string,
	baseUrl: string,
): SlierError {
	const details: SlierErrorDetails = { status, ...redactParsed(parseErrorBody(text), apiKey), retryAfterMs: parseRetryAfter(headers) };
	if (status >= 300 && status < 400) {
		const location = redirectTarget(headers.location, baseUrl, apiKey);
		return new SlierError('http', { ...details, problem: 'redirect', location });
	}
	return new SlierError('http', details);
}

async function readJson(res: Dispatcher.ResponseData, req: SlierRequest): Promise<unknown> {
	let text: string;
	try {
		const tooBig = () => tooLarge('big_json', LIMITS.jsonBodyBytes);
		text = redactKey(await readCapped(res.body, LIMITS.jsonBodyBytes, { fail: tooBig }), req.apiKey);
	} catch (error) {
		throw toSlierError(error, req, 'body');
	}
	const parsed = parseJson(stripBom(text));
	if (parsed === undefined) {
		throw new SlierError('response', {
			problem: 'not_json',
			status: res.statusCode,
			bodyExcerpt: excerpt(text),
			contentType: contentTypeOf(res.headers) || undefined,
		});
	}
	const body = redactParsed(parsed, req.apiKey);
	if (carriesError(body)) throw errorInBody(res.statusCode, text, res.headers, req.apiKey, req.baseUrl);
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
	baseUrl: string,
): SlierError {
	const details = redactParsed(parseErrorBody(text), apiKey);
	const named = details.apiError?.status ?? details.apiError?.code;
	const namedStatus = typeof named === 'number' ? named : Number(named);
	if (Number.isInteger(namedStatus) && namedStatus >= 400 && namedStatus < 600) return httpError(namedStatus, text, headers, apiKey, baseUrl);
	if (details.reason === 'content_filter') return httpError(400, text, headers, apiKey, baseUrl);
	return new SlierError('response', {
		...details,
		problem: 'error_in_body',
		status,
	});
}

/** Joins without `new URL(path, base)`, which would drop a path prefix in the base URL. */
export function joinUrl(baseUrl: string, path: string): string {
	return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

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

/**
 * Codes for a response that arrived but cannot be read as HTTP. The same server gives the same
 * response again, so these are never retried.
 */
const PROTOCOL_CODES = new Set([
	'UND_ERR_HEADERS_OVERFLOW',
	'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
	'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
	'UND_ERR_RES_EXCEEDED_MAX_SIZE',
	'UND_ERR_INFO',
]);

/**
 * Maps undici and system errors onto SlierError by cause, without leaking request details. The
 * error carries the facts (code, origin, timeout, whether a response had arrived: `phase` 'body'
 * when it failed while a response body was read); the words are node/error-words.ts's.
 */
export function toSlierError(error: unknown, req: SlierRequest, phase: 'request' | 'body' = 'request'): SlierError {
	if (error instanceof SlierError) return error;
	// The call's chain ended by the attempt deadline carries the timeout; any other abort is a cancel.
	if (req.signal?.aborted) return req.signal.reason instanceof SlierError ? req.signal.reason : abortedError();
	const blocked = asBlockedError(error);
	if (blocked) return blocked;
	const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
	const code = err.code ?? err.cause?.code ?? '';
	const timeoutMs = req.timeoutMs;
	if (code === 'UND_ERR_HEADERS_TIMEOUT') {
		return new SlierError('timeout', { problem: 'headers_timeout', timeoutMs, cause: code });
	}
	if (code === 'UND_ERR_BODY_TIMEOUT') {
		return new SlierError('timeout', { problem: 'body_timeout', timeoutMs, cause: code });
	}
	const message = redactKey(err.message ?? 'unknown error', req.apiKey);
	if (/Proxy Authentication Required \(407\)|Proxy response \(407\)/.test(message)) {
		return new SlierError('request', { problem: 'proxy_auth' });
	}
	const coding = decodingFailure(error);
	if (coding) {
		// The bytes are wrong (zlib's Z_DATA_ERROR, say): trying again will not help.
		return new SlierError('response', { problem: 'undecodable', encoding: coding, causeMessage: message });
	}
	const origin = safeOrigin(req.baseUrl);
	if (PROTOCOL_CODES.has(code) || code.startsWith('HPE_') || err.name === 'HTTPParserError') {
		return new SlierError('protocol', {
			cause: code || 'HPE',
			causeMessage: message,
			origin,
			afterResponse: true,
		});
	}
	if (REQUEST_CODES.has(code) || !code) {
		if (/header|authorization/i.test(message) && /[^\x21-\x7e]/.test(req.apiKey)) {
			return new SlierError('request', { problem: 'bad_key', cause: code || undefined });
		}
		return new SlierError('request', {
			problem: 'unsendable',
			cause: code || undefined,
			causeMessage: message,
		});
	}
	return new SlierError('network', {
		cause: code,
		causeMessage: message,
		origin,
		afterResponse: phase === 'body' || undefined,
	});
}

/**
 * Where a redirect pointed, for the error: origin and path only (a query string may carry a
 * token), with the key removed. Relative locations are read against the Base URL.
 */
function redirectTarget(value: string | string[] | undefined, baseUrl: string, apiKey: string): string | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (!raw) return undefined;
	try {
		const url = new URL(raw, baseUrl);
		if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
		const path = url.pathname.length > 120 ? `${url.pathname.slice(0, 120)}…` : url.pathname;
		return redactKey(`${url.origin}${path}`, apiKey);
	} catch {
		return undefined;
	}
}

function safeOrigin(baseUrl: string): string {
	try {
		return new URL(baseUrl).origin;
	} catch {
		return 'the configured base URL';
	}
}
