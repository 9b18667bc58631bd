import type { Logger } from 'n8n-workflow';

import type { SharedLimitEvent } from '../transport/shared-limit/queue-gate';

/**
 * What the n8n log says about the rate limit shared by queue-mode workers (transport/shared-limit):
 * one warning when a worker falls back to its own limit, one line when it shares again.
 */
export function logSharedLimit(logger: Pick<Logger, 'warn' | 'info'>, event: SharedLimitEvent): void {
	switch (event.kind) {
		case 'fallback': {
			const why = event.cause === 'slow' ? `it did not answer within ${event.boundMs} ms` : `it failed: ${event.detail}`;
			logger.warn(
				`Slier: the rate limit shared by the queue-mode workers could not be read from n8n's Redis (${why}). This worker uses its own limit until Redis answers again; no item fails for it.`,
			);
			return;
		}
		case 'restored':
			logger.info("Slier: n8n's Redis answers again; this worker shares the rate limit with the others again.");
			return;
		case 'unavailable':
			logger.warn(`Slier: n8n runs in queue mode, but the rate limit cannot be shared through Redis (${event.detail}). Each worker uses its own limit.`);
			return;
	}
}
