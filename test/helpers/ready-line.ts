import type { ChildProcess } from 'node:child_process';

/**
 * Resolves once `child` writes `marker` on its stdout or stderr; rejects, with the end of what it
 * wrote, when it exits first or after `timeoutMs`. For the servers the tests and the e2e start
 * themselves (redis-server, PostgreSQL, n8n workers). Its listeners go when it settles, so a
 * long-running child's output is not kept.
 */
export function readyLine(child: ChildProcess, marker: string, name: string, timeoutMs: number): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		let log = '';
		const done = (error?: Error) => {
			clearTimeout(timer);
			child.stdout?.off('data', seen);
			child.stderr?.off('data', seen);
			child.off('exit', exited);
			if (error) reject(error);
			else resolve();
		};
		const seen = (chunk: Buffer) => {
			log += chunk.toString();
			if (log.includes(marker)) done();
		};
		const exited = (code: number | null) => done(new Error(`${name} exited (${code}):\n${log.slice(-1500)}`));
		const timer = setTimeout(() => done(new Error(`${name} did not start in ${timeoutMs / 1000} s:\n${log.slice(-1500)}`)), timeoutMs);
		child.stdout?.on('data', seen);
		child.stderr?.on('data', seen);
		child.once('exit', exited);
	});
}
