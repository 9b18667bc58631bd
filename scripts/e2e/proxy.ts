/**
 * Issue 16 in the real n8n, behind a real forward proxy: Squid on 127.0.0.1 with a minimal
 * configuration that keeps Squid's default access rules (CONNECT only to port 443), and n8n run
 * with HTTP_PROXY pointing at it. Slier Chat and n8n's own HTTP Request node run side by side in
 * one workflow against the emulator; Squid's access log shows how each request came. The same
 * workflow carries the other classes through the proxy: a dripped plain answer and a stream of
 * pings fail at Timeout, a finished stream without [DONE] is answered, compressed and non-UTF-8
 * answers read right.
 *
 * Squid is started here in the foreground (a child of this process) and stopped at the end. When
 * it is not installed the check is skipped with a loud note (CI installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SlierEmulator } from '../../test/emulator/server';
import { freePort } from '../../test/helpers/free-port';
import { itemsOf, stopProcess, type N8nHost, type RunOutput } from './n8n-host';
import { CREDENTIAL_ID } from './workflows';

type Test = (name: string, fn: () => Promise<void>) => Promise<void>;

const WORKFLOW_ID = 'slierE2Eproxy001';
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const UTF16_TEXT = 'Grüße ✓ 日本語 😀';
const CP1252_TEXT = '“Quoted” prices: 5 € – 10 € … naïve';

function proxyWorkflow(emulatorUrl: string, apiKey: string) {
	const credentials = { slierApi: { id: CREDENTIAL_ID, name: 'Slier emulator' } };
	const chat = (name: string, content: string, stream: boolean, timeout: number, y: number) => ({
		id: `proxy-${name.replace(/\W+/g, '-').toLowerCase()}`,
		name,
		type: 'n8n-nodes-slier.slierChat',
		typeVersion: 1,
		position: [240, y],
		credentials,
		onError: 'continueRegularOutput',
		parameters: {
			model: { __rl: true, mode: 'id', value: 'claude-2' },
			messages: { values: [{ role: 'user', content }] },
			stream,
			options: { maxRetries: 0, timeout, simplify: true },
		},
	});
	const nodes = [
		chat('Chat', 'Hello through a proxy', false, 20_000, -600),
		chat('Chat streamed', 'Hello through a proxy [[pace ms=20]]', true, 20_000, -450),
		chat('Dripped answer', 'Drip [[drip ms=100]]', false, 1000, -300),
		chat('Pings only', 'Pings [[stall after=1 ms=4000 with=mixed]]', true, 1000, -150),
		chat('Finished, no DONE', 'Finished [[no-done then=hold]]', true, 20_000, 0),
		chat('Gzip UTF-16', `x [[reply b64=${b64(UTF16_TEXT)}]] [[charset name=utf-16le]] [[encode as=gzip]]`, false, 20_000, 150),
		chat('Brotli windows-1252 streamed', `x [[reply b64=${b64(CP1252_TEXT)}]] [[charset name=windows-1252]] [[encode as=br]]`, true, 20_000, 300),
		{
			id: 'proxy-http-request',
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [240, 450],
			parameters: {
				method: 'POST',
				url: `${emulatorUrl}/v1/chat/completions`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${apiKey}` }] },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: JSON.stringify({ model: 'claude-2', messages: [{ role: 'user', content: 'HTTP Request node through a proxy' }] }),
				options: {},
			},
		},
	];
	return {
		id: WORKFLOW_ID,
		name: 'e2e: behind a proxy',
		nodes: [{ id: 'proxy-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, ...nodes],
		connections: { Start: { main: [nodes.map((n) => ({ node: n.name, type: 'main', index: 0 }))] } },
		settings: { executionOrder: 'v1' },
	};
}

function findSquid(): string | undefined {
	const found = spawnSync('sh', ['-c', 'command -v squid || ls /usr/sbin/squid'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
	return found && existsSync(found) ? found : undefined;
}


/** Squid with its default access rules, on 127.0.0.1, logging into `dir`. */
class Squid {
	private process: ChildProcess | undefined;
	log = '';

	constructor(
		readonly bin: string,
		readonly dir: string,
		readonly port: number,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	async start(): Promise<void> {
		const conf = join(this.dir, 'squid.conf');
		writeFileSync(
			conf,
			[
				`http_port 127.0.0.1:${this.port}`,
				'pid_filename none',
				'cache deny all',
				`access_log stdio:${join(this.dir, 'access.log')}`,
				`cache_log ${join(this.dir, 'cache.log')}`,
				'cache_store_log none',
				'netdb_filename none',
				'pinger_enable off',
				`coredump_dir ${this.dir}`,
				'shutdown_lifetime 0 seconds',
				// Squid's default access rules: CONNECT only to 443, plain requests to safe ports.
				'acl SSL_ports port 443',
				'acl Safe_ports port 80 443 1025-65535',
				'acl CONNECT method CONNECT',
				'http_access deny !Safe_ports',
				'http_access deny CONNECT !SSL_ports',
				'http_access allow localhost',
				'http_access deny all',
			].join('\n'),
		);
		this.process = spawn(this.bin, ['-N', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
		this.process.stdout?.on('data', (c: Buffer) => (this.log += c.toString()));
		this.process.stderr?.on('data', (c: Buffer) => (this.log += c.toString()));
		const deadline = Date.now() + 20_000;
		while (Date.now() < deadline) {
			if (this.process.exitCode !== null) throw new Error(`squid exited: ${this.log.slice(-1500)}${this.cacheLog()}`);
			if ((await this.connectStatus('127.0.0.1', 9).catch(() => '')).startsWith('HTTP/')) return;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`squid did not listen within 20 s: ${this.log.slice(-1500)}${this.cacheLog()}`);
	}

	/** The status line Squid answers a CONNECT to host:port with. */
	connectStatus(host: string, port: number): Promise<string> {
		return new Promise((resolve, reject) => {
			const socket = connect(this.port, '127.0.0.1', () => socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
			let got = '';
			socket.setTimeout(5000, () => socket.destroy(new Error('no answer to CONNECT')));
			socket.on('data', (c: Buffer) => {
				got += c.toString();
				if (got.includes('\r\n')) {
					socket.destroy();
					resolve(got.split('\r\n')[0]);
				}
			});
			socket.on('error', reject);
		});
	}

	/** The access log's request lines (method and URL) for `host:port`. */
	requestsTo(hostPort: string): string[] {
		const file = join(this.dir, 'access.log');
		if (!existsSync(file)) return [];
		return readFileSync(file, 'utf8')
			.split('\n')
			.map((line) => line.trim().split(/\s+/))
			.filter((fields) => fields.length > 6 && fields[6].includes(hostPort))
			.map((fields) => `${fields[3]} ${fields[5]} ${fields[6]}`);
	}

	private cacheLog(): string {
		const file = join(this.dir, 'cache.log');
		return existsSync(file) ? `\n${readFileSync(file, 'utf8').slice(-1500)}` : '';
	}

	async stop(): Promise<void> {
		await stopProcess(this.process, 5000);
	}
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
	if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Imports the workflow and runs the checks through Squid; call while `n8n start` is not running. */
export async function proxyChecks(test: Test, host: N8nHost, emulator: SlierEmulator): Promise<void> {
	const bin = findSquid();
	if (!bin) {
		console.log('\n  !!! PROXY CHECK SKIPPED: squid is not installed (apt-get install -y squid) !!!\n');
		return;
	}
	const dir = mkdtempSync(join(tmpdir(), 'slier-e2e-squid-'));
	chmodSync(dir, 0o777); // Squid started as root writes its logs as its own user
	const squid = new Squid(bin, dir, await freePort());
	const emulatorHost = new URL(emulator.url).host;
	try {
		await test('behind Squid (HTTP_PROXY, default access rules), Slier Chat goes through as n8n’s HTTP Request node does', async () => {
			await squid.start();
			// The control: this Squid refuses what the nodes used to send for an http:// Base URL.
			const refused = await squid.connectStatus('127.0.0.1', Number(new URL(emulator.url).port));
			if (!/ 403 /.test(refused)) throw new Error(`Squid answered a CONNECT to the emulator with "${refused}", not 403`);
			await host.importJson('workflow', 'proxy', proxyWorkflow(emulator.url, emulator.apiKey));
			emulator.reset();
			host.extraEnv = { HTTP_PROXY: squid.url, http_proxy: '', NO_PROXY: '', no_proxy: '' };
			let run: RunOutput;
			try {
				run = await host.execute(WORKFLOW_ID);
			} finally {
				host.extraEnv = {};
			}
			const chat = itemsOf(run, 'Chat')[0];
			expectEqual(chat.content, 'claude-2 answers “Hello through a proxy” ✓', 'Slier Chat content');
			expectEqual(itemsOf(run, 'Chat streamed')[0].content, chat.content, 'Slier Chat streamed content');
			const node = itemsOf(run, 'HTTP Request')[0] as { choices?: Array<{ message: { content: string } }> };
			expectEqual(node.choices?.[0].message.content, ' claude-2 answers “HTTP Request node through a proxy” ✓', 'HTTP Request node answer');
			await new Promise((resolve) => setTimeout(resolve, 500)); // Squid logs a request once it is over
			const seen = squid.requestsTo(emulatorHost);
			const connects = seen.filter((line) => line.includes(' CONNECT '));
			const posts = seen.filter((line) => line.includes(` POST http://${emulatorHost}/v1/chat/completions`));
			if (connects.length !== 1) throw new Error(`expected only the control CONNECT, Squid saw: ${JSON.stringify(seen)}`);
			if (posts.length !== 8) throw new Error(`expected 8 proxied POSTs (7 Slier Chat, 1 HTTP Request), Squid saw: ${JSON.stringify(seen)}`);
			if (emulator.requests.filter((r) => r.path === '/v1/chat/completions').length !== 8) throw new Error('the emulator did not get all 8 requests');
			console.log(`      Squid: ${posts.length} × POST http://${emulatorHost}/… (${posts.map((l) => l.split(' ')[0]).join(', ')}), the control CONNECT ${refused}`);

			// Issue 16's other classes, through the same proxy.
			const drip = itemsOf(run, 'Dripped answer')[0];
			if (!String(drip.error).startsWith('Slier started answering but the whole answer did not arrive within 1 second')) {
				throw new Error(`dripped answer: ${JSON.stringify(drip)}`);
			}
			const pings = itemsOf(run, 'Pings only')[0];
			if (!String(pings.error).includes('The stream sent no answer text for longer than 1 second')) throw new Error(`pings: ${JSON.stringify(pings)}`);
			const finished = itemsOf(run, 'Finished, no DONE')[0];
			expectEqual([finished.content, (finished.usage as { totalTokens?: number } | null)?.totalTokens], ['claude-2 answers “Finished” ✓', 5], 'finished stream without [DONE]');
			const finishedMs = (run.data.resultData.runData['Finished, no DONE'][0] as { executionTime?: number }).executionTime ?? 0;
			if (finishedMs > 5000) throw new Error(`the finished stream took ${finishedMs} ms (Timeout 20 s): it waited for more than the grace`);
			expectEqual(itemsOf(run, 'Gzip UTF-16')[0].content, UTF16_TEXT, 'gzip + utf-16le answer');
			expectEqual(itemsOf(run, 'Brotli windows-1252 streamed')[0].content, CP1252_TEXT, 'br + windows-1252 stream');
			console.log(`      through it: a dripped answer and a stream of pings fail at Timeout (1 s); a finished stream without [DONE] is answered in ${finishedMs} ms; gzip/utf-16le and br/windows-1252 read right`);
		});
	} finally {
		await squid.stop();
		if (!process.env.SLIER_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
	}
}
