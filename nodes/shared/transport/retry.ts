import { MAX_TIMER_MS } from './limits';
import { SlierError } from './errors';

/** Statuses worth another try: the request may succeed unchanged a moment later. */
const RETRYABLE_STATUS = new Set([408, 409, 429]);

export const RETRY_BASE_MS = 500;
export const RETRY_MAX_BACKOFF_MS = 8_000;
/**
 * The longest `retry-after` we wait for. A server that asks for longer (a quota used up for the
 * hour, say) is not waited for at all: the item fails at once and says how long Slier asked for.
 */
export const RETRY_AFTER_CAP_MS = 60_000;
/** Waits after a `retry-after` get up to this share added at random, so workers do not retry in step. */
const RETRY_AFTER_JITTER = 0.2;

export function isRetryable(error: SlierError): boolean {
	if (exceedsRetryAfterCap(error)) return false;
	if (error.kind === 'network') return true;
	if (error.kind !== 'http' || error.status === undefined) return false;
	return RETRYABLE_STATUS.has(error.status) || error.status >= 500;
}

/** True when the server asked to wait longer than we ever wait. */
export function exceedsRetryAfterCap(error: SlierError): boolean {
	const asked = error.details.retryAfterMs;
	return asked !== undefined && asked > RETRY_AFTER_CAP_MS;
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
 * then that (at most the cap), plus up to a fifth more at random (items rejected together, on one
 * worker or on several queue-mode workers, then do not all retry at the same instant).
 * The caller does not wait at all when the server asked for more than the cap.
 */
export function backoffDelay(retryIndex: number, retryAfterMs?: number, random = Math.random): number {
	if (retryAfterMs !== undefined) {
		const asked = Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
		// Never shorter than asked; up to a fifth longer, so items rejected together (on several
		// queue-mode workers, say) do not all come back at the same instant, even at the cap.
		return Math.round(asked + random() * asked * RETRY_AFTER_JITTER);
	}
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
		const timer = setTimeout(
			() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			},
			Math.min(Math.max(0, ms), MAX_TIMER_MS),
		);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export function abortedError(): SlierError {
	return new SlierError('aborted', { problem: 'canceled' });
}
