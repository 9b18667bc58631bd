import type { EgressFilter } from './egress';
import type { SlierError } from './errors';
import type { Gate } from './limiter';

/** What the transport needs to send one request. It knows nothing about n8n parameters. */
export interface SlierRequest {
	baseUrl: string;
	apiKey: string;
	method: 'GET' | 'POST';
	/** Path below the base URL, e.g. `/v1/chat/completions`. */
	path: string;
	body?: unknown;
	/** Headers timeout, and for SSE the longest silence allowed between two chunks. */
	timeoutMs: number;
	/** Retries after the first attempt (0 disables retrying). */
	maxRetries: number;
	/** Cancels the request (n8n's execution cancel signal, or the call's own chain). */
	signal?: AbortSignal;
	/**
	 * Aborts `signal` (the call's own chain, see completion/complete.ts): the attempt deadline then
	 * fires through it instead of a controller of its own. A timeout is never retried, so ending
	 * the call with it loses nothing.
	 */
	abort?: (reason: SlierError) => void;
	/** n8n's outbound policy (SSRF protection), where n8n provides one. */
	egress?: EgressFilter;
}

export interface RetryInfo {
	attempt: number;
	delayMs: number;
	reason: string;
}

export interface TransportHooks {
	/** Called before each backoff sleep; used for logging (never gets the key). */
	onRetry?: (info: RetryInfo) => void;
	/** Admits each attempt (the node's adaptive concurrency); none means no limit. */
	gate?: Gate;
}
