/**
 * Errors the transport throws. They carry what a user needs (status, the API's reason and
 * message, a short safe body excerpt) and never the API key or request headers.
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
	| 'request'; // the request could not be sent as built (a header undici refuses): never retried

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
	/** The error object as the API sent it, when there was one. */
	apiError?: Record<string, unknown>;
}

export class SlierError extends Error {
	readonly kind: SlierErrorKind;
	readonly details: SlierErrorDetails;

	constructor(kind: SlierErrorKind, message: string, details: SlierErrorDetails = {}) {
		super(message);
		this.name = 'SlierError';
		this.kind = kind;
		this.details = details;
	}

	get status(): number | undefined {
		return this.details.status;
	}

	get isContentFilter(): boolean {
		return this.details.reason === 'content_filter';
	}
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
