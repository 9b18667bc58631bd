import { backoffDelay, parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../nodes/shared/transport/retry';

describe('retry timing', () => {
	it('reads retry-after-ms first, then retry-after in seconds or as an HTTP date', () => {
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
		expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
		expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
		expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
		expect(parseRetryAfter({}, now)).toBeUndefined();
	});

	it('backs off exponentially with jitter between half and all of the ceiling', () => {
		expect(backoffDelay(0, undefined, () => 0)).toBe(250);
		expect(backoffDelay(0, undefined, () => 1)).toBe(500);
		expect(backoffDelay(2, undefined, () => 0)).toBe(1000);
		expect(backoffDelay(10, undefined, () => 1)).toBe(8000);
	});

	it('honors a server hint exactly, capped at 60 s', () => {
		expect(backoffDelay(0, 1234)).toBe(1234);
		expect(backoffDelay(0, 3_600_000)).toBe(RETRY_AFTER_CAP_MS);
	});
});
