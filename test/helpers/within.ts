/**
 * `promise`, or a rejection once `ms` passed without it: a hang shows as a failure that says what
 * did not happen, not as a test stuck until jest's timeout. The timer is cleared either way.
 */
export function within<T>(ms: number, promise: Promise<T>, what = 'it'): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
