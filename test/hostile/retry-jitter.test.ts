import { backoffDelay, RETRY_AFTER_CAP_MS } from '../../nodes/shared/transport/retry';

/**
 * the jitter added to a retry-after wait (issue 9: "items rejected on different workers
 * retry at the same instant") is clipped by the cap: for any retry-after from 50 s to the 60 s
 * cap, a share of the items, and at exactly 60 s every item, waits exactly 60 000 ms, in step
 * again. Fix: jitter below the cap when the asked wait is near it (e.g. asked - random share), or
 * let the jittered wait exceed the cap by the jitter.
 */
it('waits after a retry-after at the cap still differ between items', () => {
	const early = backoffDelay(0, RETRY_AFTER_CAP_MS, () => 0.1);
	const late = backoffDelay(0, RETRY_AFTER_CAP_MS, () => 0.9);
	expect(early).not.toBe(late);
});
