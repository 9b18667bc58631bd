import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

import { freePort } from './free-port';
import { readyLine } from './ready-line';

/**
 * A real redis-server (Debian's `redis-server` package) on a free 127.0.0.1 port, with no
 * persistence, that a test can stop, pause (SIGSTOP: every call hangs), resume and restart on the
 * same port. `redisBinary()` is undefined when it is not installed: the tests then skip, loudly.
 */
export function redisBinary(): string | undefined {
	for (const candidate of ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
		try {
			execFileSync(candidate, ['--version'], { stdio: 'ignore' });
			return candidate;
		} catch {
			// not this one
		}
	}
	return undefined;
}

export interface RedisServer {
	port: number;
	url: string;
	stop(): Promise<void>;
	pause(): void;
	resume(): void;
	/** Starts it again on the same port (empty: it keeps nothing). */
	restart(): Promise<void>;
}


export async function startRedis(binary: string): Promise<RedisServer> {
	const port = await freePort();
	let child: ChildProcess | undefined;
	const launch = async () => {
		const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child = started;
		await readyLine(started, 'Ready to accept connections', 'redis-server', 10_000);
	};
	const stop = async () => {
		const running = child;
		child = undefined;
		if (!running || running.exitCode !== null) return;
		running.kill('SIGCONT');
		await new Promise<void>((resolve) => {
			running.once('exit', () => resolve());
			running.kill('SIGKILL');
		});
	};
	await launch();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		stop,
		pause: () => child?.kill('SIGSTOP'),
		resume: () => child?.kill('SIGCONT'),
		restart: async () => {
			await stop();
			await launch();
		},
	};
}
