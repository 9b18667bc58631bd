import { SlierError } from './errors';

/** Statuses worth another try: the request may succeed unchanged a moment later. */
const RETRYABLE_STATUS = new Set([408, 409, 429]);

export const RETRY_BASE_MS = 500;
export const RETRY_MAX_BACKOFF_MS = 8_000;
/** A server may ask for a longer pause; past this we stop waiting and fail the item. */
export const RETRY_AFTER_CAP_MS = 60_000;

export function isRetryable(error: SlierError): boolean {
	if (error.kind === 'network') return true;
	if (error.kind !== 'http' || error.status === undefined) return false;
	return RETRYABLE_STATUS.has(error.status) || error.status >= 500;
}

/**
 * Reads `retry-after-ms`, then `retry-after` (seconds or an HTTP date).
 * Returns undefined when the server gave no usable hint.
 */
export function parseRetryAfter(
	headers: Record<string, string | string[] | undefined>,
	now = Date.now(),
): number | undefined {
	const ms = first(headers['retry-after-ms']);
	if (ms !== undefined) {
		const value = Number(ms);
		if (Number.isFinite(value) && value >= 0) return value;
	}
	const after = first(headers['retry-after']);
	if (after === undefined) return undefined;
	const seconds = Number(after);
	if (after.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(after);
	if (!Number.isNaN(date)) return Math.max(0, date - now);
	return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Exponential backoff with full jitter (AWS' recipe), unless the server said how long to wait:
 * then exactly that, capped.
 */
export function backoffDelay(retryIndex: number, retryAfterMs?: number, random = Math.random): number {
	if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
	const ceiling = Math.min(RETRY_MAX_BACKOFF_MS, RETRY_BASE_MS * 2 ** retryIndex);
	// Keep at least half the ceiling so a retry never fires instantly against a struggling server.
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Sleeps, but wakes at once (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortedError());
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortedError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export function abortedError(): SlierError {
	return new SlierError('aborted', 'The request was cancelled because the workflow execution was stopped');
}
