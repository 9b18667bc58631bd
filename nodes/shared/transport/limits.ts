/**
 * Limits the transport itself needs. The node settings (node/settings.ts) offer and check the
 * same numbers, taking them from here: the transport never imports the n8n layer.
 */

/** The longest timer Node.js can set (2^31 − 1 ms, about 24.8 days); anything longer fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The most requests at once: per node run (Max Concurrent Requests), and per provider and key in one n8n process. */
export const MAX_CONCURRENCY = 64;
