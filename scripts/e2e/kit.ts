/**
 * What every e2e check file shares: the workflow and node builders, the Slier credential
 * reference, assertions, and the checks that depend on the n8n version under test.
 */
import type { N8nHost } from './n8n-host';

/** run.ts's runner: records a named check, passed or failed. */
export type Test = (name: string, fn: () => Promise<void>) => Promise<void>;

export type Node = Record<string, unknown>;

export type Workflow = { id?: string; name: string; active?: boolean; nodes: Node[]; connections: object; settings?: object };

/** The Slier credential the e2e imports; IDs are fixed so workflows and `n8n execute` find them. */
export const CREDENTIAL_ID = 'slierE2Ecred0001';
export const slierCredentials = { slierApi: { id: CREDENTIAL_ID, name: 'Slier emulator' } };

/** A node as n8n stores it; the id is made from the name unless `extra` gives one. */
export function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: object,
	position: [number, number] = [0, 0],
	extra: object = {},
): Node {
	return { id: name.replace(/\W+/g, '-').toLowerCase(), name, type, typeVersion, position, parameters, ...extra };
}

export function workflow(id: string, name: string, nodes: Node[], connections: object): Workflow & { id: string } {
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** `main` connections from one node to each target's first input. */
export const toMain = (...targets: string[]) => [targets.map((target) => ({ node: target, type: 'main', index: 0 }))];

export function check(condition: unknown, what: string): asserts condition {
	if (!condition) throw new Error(what);
}

/** Equal as JSON (key order counts), else an error saying what differed. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** n8n 1.x: no @n8n/ai-node-sdk, no SSRF protection, workflows are activated rather than published. */
export const isN8n1 = (version = process.env.N8N_VERSION ?? '') => version.startsWith('1.');

/** Makes a workflow's webhooks live: n8n 2.x publishes a version, 1.x activates the workflow. */
export async function activate(host: N8nHost, workflowId: string, version?: string): Promise<void> {
	if (isN8n1(version)) await host.cli('update:workflow', `--id=${workflowId}`, '--active=true');
	else await host.cli('publish:workflow', `--id=${workflowId}`);
}
