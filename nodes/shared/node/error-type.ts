import { SlierError, type SlierErrorKind } from '../transport/errors';

/**
 * The stable word a failed item carries in `errorType`, so a Switch node can route failures
 * without matching English text. Public contract (DESIGN.md): add words, never rename.
 */
export const ERROR_TYPES = [
	'rate_limited',
	'timeout',
	'content_filter',
	'auth',
	'bad_request',
	'not_found',
	'server_error',
	'network',
	'stream_interrupted',
	'invalid_input',
	'invalid_json',
	'blocked',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

function byStatus(status: number | undefined): ErrorType {
	if (status === 401 || status === 403) return 'auth';
	if (status === 404) return 'not_found';
	if (status === 408) return 'timeout';
	if (status === 429) return 'rate_limited';
	// A redirect is not followed: like a 404, the Base URL points at the wrong place.
	if (status !== undefined && status >= 300 && status < 400) return 'not_found';
	if (status !== undefined && status >= 500) return 'server_error';
	return 'bad_request';
}

/**
 * One entry per transport failure kind: a new kind fails the type check here until it is given
 * its word, so no failure ships without one.
 */
const BY_KIND: Record<SlierErrorKind, (error: SlierError) => ErrorType> = {
	http: (error) => (error.isContentFilter ? 'content_filter' : byStatus(error.status)),
	network: () => 'network',
	timeout: () => 'timeout',
	stream: () => 'stream_interrupted',
	// A 2xx body without a usable answer: the fault is on Slier's side.
	response: () => 'server_error',
	// The n8n administrator's SSRF policy refused the address: neither a retry nor Slier can help.
	blocked: () => 'blocked',
	// Slier (or a proxy) sent more than the documented caps: a fault on the sending side.
	too_large: () => 'server_error',
	// A request that could not be built (e.g. a key with a line break): a configuration problem,
	// like the other checks made before sending.
	request: () => 'invalid_input',
	// Never an item: a cancelled execution stops the node. Listed for completeness.
	aborted: () => 'network',
};

const tags = new WeakMap<object, ErrorType>();

/** Marks an error the node throws with its errorType; returns the same error. */
export function withErrorType<E extends object>(error: E, type: ErrorType): E {
	tags.set(error, type);
	return error;
}

/**
 * The errorType of a failure: the word it was marked with (node errors made from a transport
 * error, the content filter, invalid JSON), else the transport error's kind. Anything else is a
 * check the node made before sending (parameters, the input item, the credential).
 */
export function errorTypeOf(error: unknown): ErrorType {
	if (typeof error === 'object' && error !== null) {
		const tagged = tags.get(error);
		if (tagged) return tagged;
		if (error instanceof SlierError) return BY_KIND[error.kind](error);
	}
	return 'invalid_input';
}
