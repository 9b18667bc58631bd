import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../../test/helpers/free-port';
import { readyLine } from '../../test/helpers/ready-line';

export { freePort };

/**
 * A throw-away PostgreSQL from Debian's `postgresql` package for n8n's queue mode: its own data
 * folder, trust authentication, 127.0.0.1 on a free port, run as the `postgres` user (PostgreSQL
 * refuses root). Undefined when the package is not installed.
 */
export interface Postgres {
	port: number;
	stop(): Promise<void>;
}

export function postgresBinaries(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
	const bin = version && join(root, version, 'bin');
	return bin && existsSync(join(bin, 'postgres')) ? bin : undefined;
}


export async function startPostgres(bin: string): Promise<Postgres> {
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	const data = mkdtempSync(join(tmpdir(), 'slier-e2e-pg-'));
	chownSync(data, uid, gid);
	execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { uid, gid, stdio: 'ignore', cwd: data });
	const port = await freePort();
	const server: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', data, '-c', 'fsync=off'], {
		uid,
		gid,
		cwd: data,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	await readyLine(server, 'ready to accept connections', 'PostgreSQL', 30_000);
	return {
		port,
		stop: async () => {
			if (server.exitCode === null) {
				await new Promise<void>((resolve) => {
					const kill = setTimeout(() => server.kill('SIGKILL'), 10_000);
					server.once('exit', () => {
						clearTimeout(kill);
						resolve();
					});
					server.kill('SIGINT'); // fast shutdown
				});
			}
			rmSync(data, { recursive: true, force: true });
		},
	};
}
