/**
 * Errors the transport throws: facts (kind, problem, status, the API's reason and message, a short
 * safe body excerpt, a cause code …), never the API key or request headers, and no sentence for
 * the user: node/error-words.ts alone writes those, from these facts.
 */
export type SlierErrorKind =
	| 'http' // the API answered with a status >= 300
	| 'network' // no response: refused, reset, DNS
	| 'timeout' // headers or stream idle longer than the timeout
	| 'aborted' // the execution was cancelled
	| 'stream' // the SSE stream broke its contract (cut short, malformed, error event)
	| 'response' // a 2xx body we could not use
	| 'blocked' // n8n's SSRF protection refused the address; nothing was sent
	| 'too_large' // a body, stream event or answer beyond the caps in body.ts
	| 'request' // the request could not be sent as built (a header undici refuses): never retried
	| 'protocol'; // a response arrived but could not be read as HTTP (oversized headers, wrong length): never retried

/**
 * Which failure, within a kind, for the words the user reads (nodes/shared/node/error-words.ts).
 * The transport states facts; it does not write the user's English.
 */
export type SlierProblem =
	| 'redirect' // http: a 3xx, not followed
	| 'not_api' // response: a 2xx that is not the API (an HTML page, plain text, an empty body, a 204)
	| 'not_json' // response: a body that claims JSON (or looks like it) but does not parse
	| 'error_in_body' // response: an error object with a 2xx and no status we can use
	| 'no_choice' // response: a completion without choices[0].message
	| 'no_answer' // response: an answer with neither text nor finish reason (a stream of only [DONE])
	| 'ended_early' // stream: closed without [DONE] or a finish reason
	| 'interrupted' // stream / timeout: broke after it had started
	| 'error_event' // stream: an error object inside the stream
	| 'bad_event' // stream: a data line that is not valid JSON
	| 'not_object_event' // stream: a data line that is JSON but not an object
	| 'headers_timeout' // timeout: no response headers within the timeout
	| 'body_timeout' // timeout: a response body silent for longer than the timeout
	| 'answer_timeout' // timeout: a plain answer started but did not arrive whole within the timeout
	| 'stream_idle' // timeout: a stream without answer text for longer than the timeout
	| 'bad_key' // request: the key cannot be sent in a header
	| 'unsendable' // request: undici refused the request as built
	| 'proxy' // request: the environment's proxy is not a URL (proxyScheme says which variable)
	| 'proxy_auth' // request: the environment's proxy asks for a user name and password (HTTP 407)
	| 'undecodable' // response: marked with a content-encoding (encoding) whose bytes do not decode
	| 'unknown_encoding' // response: compressed with an encoding this node cannot read (encoding)
	| 'big_json' // too_large: a JSON response beyond limit (bytes)
	| 'big_event' // too_large: one stream event (or line) beyond limit (bytes)
	| 'big_stream' // too_large: a whole stream beyond limit (bytes)
	| 'big_answer' // too_large: a streamed answer beyond limit (characters)
	| 'canceled'; // aborted: the execution's cancel signal fired

export interface SlierErrorDetails {
	status?: number;
	reason?: string;
	param?: string;
	apiMessage?: string;
	bodyExcerpt?: string;
	retryAfterMs?: number;
	/** True when the failure came after a 2xx response had started (never retried). */
	midStream?: boolean;
	/** Characters of answer text received before a stream failed. */
	receivedChars?: number;
	/** Characters of the model's thought that had arrived when a stream broke (reasoning models). */
	reasoningChars?: number;
	/** The error object as the API sent it, when there was one. */
	apiError?: Record<string, unknown>;
	problem?: SlierProblem;
	/** A stream timed out though bytes came: keep-alives, pings or empty events, none of the answer. */
	keepAlivesOnly?: boolean;
	/** The low-level error code (ECONNRESET, UND_ERR_HEADERS_OVERFLOW, HPE_INVALID_CONSTANT …). */
	cause?: string;
	/** The low-level error's own text, key removed, when its code says nothing we know. */
	causeMessage?: string;
	/** The Base URL's origin (scheme, host, port): never a path or query. */
	origin?: string;
	/** True when a response had arrived (its status line and headers) before the failure. */
	afterResponse?: boolean;
	timeoutMs?: number;
	/** The response's Content-Type, for a response that was not the API. */
	contentType?: string;
	/** The <title> of an HTML page that answered instead of the API. */
	pageTitle?: string;
	/** Where a redirect pointed: origin and path only, never a query string. */
	location?: string;
	/** What n8n's SSRF protection refused: an address, a host name, or the proxy. */
	blockedTarget?: string;
	/** True when the response was a stream (it may answer a request that asked for none). */
	fromStream?: boolean;
	/** For a stream interrupted mid-way: the kind of failure that broke it (network, timeout). */
	interruptedBy?: SlierErrorKind;
	/** blocked: the refused address is the proxy of the environment, not the Base URL. */
	viaProxy?: boolean;
	/** request/proxy: the scheme whose proxy variable is not a URL (HTTP, HTTPS). */
	proxyScheme?: string;
	/** response: the content-encoding that could not be decoded. */
	encoding?: string;
	/** too_large: the cap that was passed, in bytes (characters for big_answer). */
	limit?: number;
	/** A rate limit outlasted the Timeout: how long the request had waited since its first 429. */
	rateLimitWaitedMs?: number;
	/** A rate limit outlasted the Timeout: how many 429s the request met. */
	rateLimitCount?: number;
}

export class SlierError extends Error {
	readonly kind: SlierErrorKind;
	readonly details: SlierErrorDetails;

	constructor(kind: SlierErrorKind, details: SlierErrorDetails = {}) {
		super();
		this.name = 'SlierError';
		this.kind = kind;
		this.details = details;
	}

	/** Its facts on one line (for a log), read when asked: a reader may add facts on the way up. */
	override get message(): string {
		return factLine(this.kind, this.details);
	}

	get status(): number | undefined {
		return this.details.status;
	}

	get isContentFilter(): boolean {
		return this.details.reason === 'content_filter';
	}
}

/**
 * The error's own message: its facts on one line, for a log and a stack trace. What a user reads
 * is written from the same facts by node/error-words.ts.
 */
function factLine(kind: SlierErrorKind, details: SlierErrorDetails): string {
	if (kind === 'http') {
		const to = details.problem === 'redirect' ? ` (a redirect${details.location ? ` to ${details.location}` : ''}, not followed)` : '';
		return `Slier answered HTTP ${details.status ?? '?'}${to}: ${details.apiMessage ?? details.reason ?? details.bodyExcerpt ?? 'no error message in the response'}`;
	}
	const facts = FACT_KEYS.flatMap((key) => (details[key] === undefined ? [] : [`${key}=${String(details[key])}`]));
	return `${kind}${details.problem ? `/${details.problem}` : ''}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}

const FACT_KEYS = [
	'status',
	'cause',
	'causeMessage',
	'origin',
	'timeoutMs',
	'receivedChars',
	'interruptedBy',
	'reason',
	'apiMessage',
	'bodyExcerpt',
	'blockedTarget',
	'encoding',
	'limit',
] as const satisfies ReadonlyArray<keyof SlierErrorDetails>;

/** A failure that broke a stream after it had started (a reset, the idle watchdog, unreadable HTTP). */
export function interruptedError(error: SlierError): SlierError {
	return new SlierError(error.kind === 'timeout' ? 'timeout' : 'stream', {
		...error.details,
		problem: 'interrupted',
		interruptedBy: error.kind,
		midStream: true,
	});
}

const EXCERPT_CHARS = 200;
/** Patterns only ever run over this much of a body, so a hostile page costs little time. */
const EXCERPT_SCAN_CHARS = 8 * 1024;

/** A short, single-line excerpt of a non-JSON body (an HTML error page, say). */
export function excerpt(text: string): string {
	const plain = text
		.slice(0, EXCERPT_SCAN_CHARS)
		.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
		.replace(/<[^<>]*>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	return plain.length > EXCERPT_CHARS ? `${plain.slice(0, EXCERPT_CHARS)}…` : plain;
}

/** Reads `{error: {message, reason, param, status}}` (or `{message}`) from an error body. */
export function parseErrorBody(text: string): SlierErrorDetails {
	let parsed: unknown;
	try {
		parsed = JSON.parse(stripBom(text));
	} catch {
		return text.trim() ? { bodyExcerpt: excerpt(text) } : {};
	}
	if (!parsed || typeof parsed !== 'object') return { bodyExcerpt: excerpt(text) };
	const root = parsed as Record<string, unknown>;
	const err = (typeof root.error === 'object' && root.error !== null ? root.error : root) as Record<
		string,
		unknown
	>;
	const details = readApiError(err);
	if (details.apiMessage === undefined && typeof root.error === 'string') details.apiMessage = root.error;
	if (details.apiMessage === undefined && details.reason === undefined) {
		details.bodyExcerpt = excerpt(text);
	}
	return details;
}

/** The message, reason (or type, or code) and param of an API error object, wherever it came from. */
export function readApiError(err: Record<string, unknown>): SlierErrorDetails {
	const details: SlierErrorDetails = { apiError: err };
	if (typeof err.message === 'string') details.apiMessage = err.message;
	const reason = [err.reason, err.type, err.code].find((value) => typeof value === 'string');
	if (reason !== undefined) details.reason = reason as string;
	if (typeof err.param === 'string') details.param = err.param;
	return details;
}

export function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
