import { ExecutionBaseError } from 'n8n-workflow';

import { SlierError } from '../transport/errors';
import { transportErrorType } from './error-words';

/**
 * The stable word a failed item carries in `errorType`, so a Switch node can route failures
 * without matching English text. Public contract (DESIGN.md): add words, never rename. The word
 * for each failure is chosen with its message and fix in error-words.ts.
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
	// A failure the node did not foresee (a bug): never passed off as the user's input.
	'unexpected',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

const tags = new WeakMap<object, ErrorType>();

/** Marks an error the node throws with its errorType (from its Words); returns the same error. */
export function withErrorType<E extends object>(error: E, type: ErrorType): E {
	tags.set(error, type);
	return error;
}

/**
 * The errorType a node error was marked with when it was made from its Words. An n8n error that
 * was not marked is a check made before sending (parameters, the input item, the credential, an
 * expression n8n could not resolve): `invalid_input`. Anything else was not foreseen.
 */
export function errorTypeOf(error: unknown): ErrorType {
	if (typeof error === 'object' && error !== null) {
		const tagged = tags.get(error);
		if (tagged) return tagged;
		if (error instanceof SlierError) return transportErrorType(error);
		if (error instanceof ExecutionBaseError) return 'invalid_input';
	}
	return 'unexpected';
}
