import type { ServerResponse } from 'node:http';

import { num, type Directives } from './directives';
import { untilDrained } from './wire';

/**
 * Servers that misbehave in ways that hurt the caller's host, on demand:
 * - `[[echo-key in=json|html|filter|stream|content]]` echoes the request's Authorization header
 *   back, as a proxy that reflects headers would: in a JSON error (default), an HTML error page,
 *   a content-filter message, an error event inside a stream, or the answer text itself (then in
 *   3-character deltas, so the key is split across several of them).
 * - `[[huge kind=html|json|sse-line mb=N]]` sends an N MB body, produced as it is written (never
 *   held in memory): an HTML error page, a 200 JSON document, or one SSE line with no line break.
 */
export interface HostileStats {
	/** Bytes a `huge` body had written when the exchange ended. */
	hugeBytesWritten: number;
}

export function echoText(authorization: string): string {
	return `Malformed request; headers were: authorization=${authorization}`;
}

/** The deltas of an answer that quotes the header (for `in=content`). */
export function echoTokens(authorization: string): string[] {
	const key = authorization.replace(/^Bearer /, '');
	const text = ` You sent authorization=${authorization}. See [your key](https://example.com/keys?k=${key}) and ${key}¹.`;
	return text.match(/[\s\S]{1,3}/g) ?? [];
}

/** Answers a hostile directive other than `in=content`; returns false when there is none. */
export async function hostileReply(
	directives: Directives,
	authorization: string,
	stream: boolean,
	res: ServerResponse,
	stats: HostileStats,
): Promise<boolean> {
	const echo = directives.get('echo-key');
	const where = echo?.in ?? 'json';
	if (echo && where !== 'content') {
		const said = echoText(authorization);
		if (where === 'html') {
			res.writeHead(502, { 'content-type': 'text/html' });
			res.end(`<html><body><h1>502 Bad Gateway</h1><p>${said}</p></body></html>`);
		} else if (where === 'filter') {
			json(res, 400, { error: { message: `Refused. ${said}`, reason: 'content_filter', param: 'prompt', status: 400 } });
		} else if (where === 'stream' && stream) {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			const chunk = { id: 'echo', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ' Hello' }, finish_reason: null }] };
			res.write(`data: ${JSON.stringify(chunk)}\n\n`);
			res.end(`data: ${JSON.stringify({ error: { message: said, reason: 'server_error', status: 500 } })}\n\n`);
		} else {
			json(res, 400, { error: { message: said, reason: 'invalid_request', param: `authorization=${authorization}`, status: 400 } });
		}
		return true;
	}
	const huge = directives.get('huge');
	if (!huge) return false;
	const bytes = num(huge, 'mb', 30) * 1024 * 1024;
	const kind = huge.kind ?? 'html';
	if (kind === 'json') {
		res.writeHead(200, { 'content-type': 'application/json' });
		await pour(res, '{"id":"huge","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"', 'a', bytes, stats);
	} else if (kind === 'sse-line') {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		await pour(res, 'data: {"choices":[{"index":0,"delta":{"content":"', 'a', bytes, stats);
	} else {
		// Unclosed tags and script openers: the patterns an excerpt runs are at their slowest here.
		res.writeHead(502, { 'content-type': 'text/html' });
		await pour(res, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>', '<script <p <a ', bytes, stats);
	}
	res.end();
	return true;
}

/** Writes `head`, then `filler` repeated up to `total` bytes, honouring backpressure; stops when the client goes. */
async function pour(res: ServerResponse, head: string, filler: string, total: number, stats: HostileStats): Promise<void> {
	const block = Buffer.from(filler.repeat(Math.ceil(65_536 / filler.length)).slice(0, 65_536));
	stats.hugeBytesWritten = 0;
	const write = async (chunk: Buffer | string) => {
		if (res.destroyed) return;
		stats.hugeBytesWritten += Buffer.byteLength(chunk);
		if (!res.write(chunk)) await untilDrained(res, res);
	};
	await write(head);
	for (let sent = head.length; sent < total && !res.destroyed; sent += block.length) await write(block);
}

function json(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}
