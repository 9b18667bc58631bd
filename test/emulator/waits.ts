import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { num, type Directives } from './directives';
import type { SseWriter } from './sse-writer';

/**
 * Servers that make the client wait in ways Timeout must bound (issue 16, classes 1 and 2):
 * - `[[drip ms=300]]`: a plain (non-streamed) answer whose headers come at once and whose JSON body
 *   then arrives one byte every `ms` (default 300).
 * - `[[stall after=N ms=4000 every=100 with=ping|empty|role|comment|mixed]]`: a stream that, after N
 *   answer deltas (default 1), sends for `ms` only events that carry no answer text, every `every`
 *   ms: `ping` a `data: {"type":"ping"}` event (as some gateways do), `empty` a delta with
 *   `content: ""`, `role` a role-only delta, `comment` an SSE `: ping` comment, `mixed` all four in
 *   turn. Then it goes on with the answer.
 * - `[[no-done then=hold|reset|close usage=in|after|none ms=60000]]`: a stream that sends its finish
 *   reason (with the usage in the same chunk, in a chunk after it, or none) and never `[DONE]`;
 *   then holds the connection open (sending nothing, for at most `ms`), resets it, or closes it.
 */

/** Emulator pauses never keep a test process alive after the emulator is closed. */
const delay = (ms: number) => sleep(ms, undefined, { ref: false });

/** Sends `text` as a 200 JSON body one byte at a time; false when there is no `drip` directive. */
export async function drip(directives: Directives, res: ServerResponse, text: string): Promise<boolean> {
	const args = directives.get('drip');
	if (!args) return false;
	const ms = num(args, 'ms', 300);
	res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.socket?.setNoDelay(true);
	for (const byte of Buffer.from(text)) {
		if (res.destroyed) return true;
		res.write(Buffer.of(byte));
		await delay(ms);
	}
	res.end();
	return true;
}

/** Index of the delta before which a `stall` sends its non-answer events, or -1. */
export function stallAt(directives: Directives): number {
	const args = directives.get('stall');
	return args ? num(args, 'after', 1) : -1;
}

/** Events that carry nothing of the answer, for `ms`; `chunk` builds a chunk like the stream's others. */
export async function stall(
	directives: Directives,
	out: SseWriter,
	chunk: (delta: Record<string, unknown>, finishReason: string | null) => string,
): Promise<void> {
	const args = directives.get('stall') ?? {};
	const until = Date.now() + num(args, 'ms', 4000);
	const every = num(args, 'every', 100);
	const kinds = args.with === 'mixed' ? ['ping', 'empty', 'role', 'comment'] : [args.with ?? 'ping'];
	for (let i = 0; !out.closed && Date.now() < until; i++) {
		const kind = kinds[i % kinds.length];
		if (kind === 'comment') await out.raw(': ping\n\n');
		else if (kind === 'empty') await out.data(chunk({ content: '' }, null));
		else if (kind === 'role') await out.data(chunk({ role: 'assistant' }, null));
		else await out.data(JSON.stringify({ type: 'ping' }));
		await delay(every);
	}
}

/**
 * Ends a stream the `no-done` way; false when there is no such directive. `usage` is the usage
 * object the stream would send.
 */
export async function endWithoutDone(
	directives: Directives,
	res: ServerResponse,
	out: SseWriter,
	chunk: (delta: Record<string, unknown>, finishReason: string | null, extra?: object) => string,
	usage: object | undefined,
): Promise<boolean> {
	const args = directives.get('no-done');
	if (!args) return false;
	const where = args.usage ?? 'in';
	await out.data(chunk({}, 'stop', where === 'in' && usage ? { usage } : {}));
	if (where === 'after' && usage) await out.data(JSON.stringify({ id: 'usage', object: 'chat.completion.chunk', choices: [], usage }));
	const then = args.then ?? 'hold';
	if (then === 'reset') {
		// Let the client read what was sent first: an RST discards unread data.
		await delay(50);
		res.socket?.resetAndDestroy();
	} else if (then === 'close') {
		res.end();
	} else {
		const until = Date.now() + num(args, 'ms', 60_000);
		while (!out.closed && Date.now() < until) await delay(50);
		res.end();
	}
	return true;
}
