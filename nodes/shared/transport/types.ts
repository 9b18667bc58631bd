import type { EgressFilter } from './egress';
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
	/** Cancels the request (n8n's execution cancel signal). */
	signal?: AbortSignal;
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
