import { sharedLimiter, type Gate } from '../limiter';
import type { SharedLimitEvent } from './queue-gate';

/**
 * The limit for one provider origin and API key. In regular mode it is the process's own
 * adaptive limiter, and nothing of the Redis side is loaded. In queue mode (EXECUTIONS_MODE=queue,
 * as n8n reads it) it is shared by every worker through n8n's Redis, with the process's own
 * limiter as the fallback when Redis is away or slow.
 */
export function providerGate(baseUrl: string, apiKey: string, onEvent?: (event: SharedLimitEvent) => void): Gate {
	const local = sharedLimiter(baseUrl, apiKey);
	if (!queueMode()) return local;
	// Required here, not imported above: regular mode never loads it (nor ioredis).
	const queue = require('./queue-limit') as typeof import('./queue-limit');
	if (onEvent) queue.reportTo(onEvent);
	return queue.queueGate(baseUrl, apiKey, local);
}

/** n8n trims the value and drops surrounding quotes before it compares. */
function queueMode(): boolean {
	return (process.env.EXECUTIONS_MODE ?? '').trim().replace(/^(['"])(.*)\1$/, '$2') === 'queue';
}
