/**
 * Captures everything written to stdout and stderr while `fn` runs (n8n's logger writes there),
 * so tests can assert that no line carries the API key. Captured output is not echoed.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
	const lines: string[] = [];
	const out = process.stdout.write.bind(process.stdout);
	const err = process.stderr.write.bind(process.stderr);
	const grab = (chunk: unknown) => {
		lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
		return true;
	};
	process.stdout.write = grab as typeof process.stdout.write;
	process.stderr.write = grab as typeof process.stderr.write;
	const log = console.log;
	const warn = console.warn;
	const error = console.error;
	console.log = console.warn = console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
	try {
		const result = await fn();
		return { result, output: lines.join('') };
	} finally {
		process.stdout.write = out;
		process.stderr.write = err;
		console.log = log;
		console.warn = warn;
		console.error = error;
	}
}
