import { readFileSync } from 'node:fs';

/**
 * The Redis connection n8n itself uses in queue mode, read from the same variables with the same
 * defaults (n8n 2.40's @n8n/config ScalingModeConfig and its RedisClientService): host, port, db,
 * user name, password, TLS, a cluster's nodes, IPv4+IPv6, and the queue's key prefix. n8n has no
 * sentinel settings, so neither has this. Like n8n, a variable may instead name a file
 * (`QUEUE_BULL_REDIS_PASSWORD_FILE`) whose trimmed content is the value.
 */
export interface RedisSettings {
	host: string;
	port: number;
	db: number;
	username: string;
	password: string;
	tls: boolean;
	tlsServerName: string;
	tlsRejectUnauthorized: boolean;
	/** `host:port` pairs from QUEUE_BULL_REDIS_CLUSTER_NODES; empty for a single Redis. */
	clusterNodes: Array<{ host: string; port: number }>;
	dualStack: boolean;
	/** QUEUE_BULL_PREFIX, the namespace of n8n's queue keys; ours go beside them. */
	prefix: string;
}

type Env = NodeJS.ProcessEnv;

export function redisSettings(env: Env = process.env): RedisSettings {
	return {
		host: readText(env, 'QUEUE_BULL_REDIS_HOST', 'localhost'),
		port: readNumber(env, 'QUEUE_BULL_REDIS_PORT', 6379),
		db: readNumber(env, 'QUEUE_BULL_REDIS_DB', 0),
		username: readText(env, 'QUEUE_BULL_REDIS_USERNAME', ''),
		password: readText(env, 'QUEUE_BULL_REDIS_PASSWORD', ''),
		tls: readBoolean(env, 'QUEUE_BULL_REDIS_TLS', false),
		tlsServerName: readText(env, 'QUEUE_BULL_REDIS_TLS_SERVERNAME', ''),
		tlsRejectUnauthorized: readBoolean(env, 'QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE', true),
		clusterNodes: readText(env, 'QUEUE_BULL_REDIS_CLUSTER_NODES', '')
			.split(',')
			.filter((pair) => pair.trim().length > 0)
			.map((pair) => {
				const [host, port] = pair.split(':');
				return { host, port: parseInt(port, 10) };
			}),
		dualStack: readBoolean(env, 'QUEUE_BULL_REDIS_DUALSTACK', false),
		prefix: readText(env, 'QUEUE_BULL_PREFIX', 'bull'),
	};
}

/** The variable, else the content of the file `<name>_FILE` names (as n8n reads them). */
function readRaw(env: Env, name: string): string | undefined {
	if (name in env) return env[name];
	const file = env[`${name}_FILE`];
	if (!file) return undefined;
	try {
		return readFileSync(file, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** n8n trims a value and drops one pair of surrounding quotes. */
const normalize = (value: string) => value.trim().replace(/^(['"])(.*)\1$/, '$2');

function readText(env: Env, name: string, fallback: string): string {
	const value = readRaw(env, name);
	return value === undefined ? fallback : normalize(value);
}

function readNumber(env: Env, name: string, fallback: number): number {
	const value = readRaw(env, name);
	if (value === undefined || normalize(value) === '') return fallback;
	const parsed = Number(value);
	return Number.isNaN(parsed) ? fallback : parsed;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
	const value = readRaw(env, name)?.toLowerCase();
	if (value === 'true' || value === '1') return true;
	if (value === 'false' || value === '0') return false;
	return fallback;
}
