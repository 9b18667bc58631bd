import { existsSync, readFileSync, statSync } from 'node:fs';

/** What n8n's logger wrote to its log file (test setup sends it there) since `from` bytes. */
function logFileSince(from: number): string {
	const file = process.env.N8N_LOG_FILE_LOCATION;
	if (!file || !existsSync(file)) return '';
	return readFileSync(file).subarray(from).toString('utf8');
}

const logFileSize = () => {
	const file = process.env.N8N_LOG_FILE_LOCATION;
	return file && existsSync(file) ? statSync(file).size : 0;
};

/**
 * Captures everything written to stdout, stderr, the console and n8n's log file while `fn`
 * runs, so tests can assert that no line carries the API key. Captured output is not echoed.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
	const lines: string[] = [];
	const logStart = logFileSize();
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
		// The file transport writes asynchronously: give it a moment to flush.
		await new Promise((resolve) => setTimeout(resolve, 20));
		return { result, output: lines.join('') + logFileSince(logStart) };
	} finally {
		process.stdout.write = out;
		process.stderr.write = err;
		console.log = log;
		console.warn = warn;
		console.error = error;
	}
}
