import type { Readable } from 'node:stream';

import { SlierError } from './errors';

/**
 * Size caps for everything read from the server, so a wrong Base URL that points at a huge file,
 * or a broken gateway, cannot stall or exhaust the n8n process. Each is far above what a real
 * Slier answer needs.
 */
export const LIMITS = {
	/** An error body: enough for any API error or proxy page; the rest is never read. */
	errorBodyBytes: 64 * 1024,
	/** A successful JSON response (a non-streamed answer, the model list). */
	jsonBodyBytes: 32 * 1024 * 1024,
	/** One SSE event (or one line without a line break). */
	sseEventBytes: 16 * 1024 * 1024,
	/** A whole streamed response on the wire, chunk envelopes included. */
	streamBytes: 512 * 1024 * 1024,
	/** The text of a streamed answer, in characters. */
	answerChars: 32 * 1024 * 1024,
} as const;

export const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** Slier sent more than a cap allows (which cap: the problem; the cap: limit). */
export function tooLarge(problem: 'big_json' | 'big_event' | 'big_stream' | 'big_answer', limit: number): SlierError {
	return new SlierError('too_large', { problem, limit });
}

/**
 * Reads a body as UTF-8 text, at most `maxBytes`. Beyond that the body is destroyed, so the
 * connection is closed instead of pooled, and `onOverflow` decides: return the first `maxBytes`
 * ('truncate', for error bodies) or fail ('fail').
 */
export async function readCapped(
	body: Readable & AsyncIterable<Buffer>,
	maxBytes: number,
	onOverflow: 'truncate' | { fail: () => Error },
): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		if (size + chunk.length > maxBytes) {
			chunks.push(chunk.subarray(0, maxBytes - size));
			body.destroy();
			if (onOverflow !== 'truncate') throw onOverflow.fail();
			size = maxBytes;
			break;
		}
		chunks.push(chunk);
		size += chunk.length;
	}
	return Buffer.concat(chunks, size).toString('utf8');
}

/** Counts what a stream has sent and fails it past the caps, before the parser buffers more. */
export class StreamBudget {
	private total = 0;
	private pending = 0;

	/** An event (or comment) was complete: its bytes no longer sit in the parser. */
	eventEnded(): void {
		this.pending = 0;
	}

	add(bytes: number): void {
		this.total += bytes;
		this.pending += bytes;
		if (this.pending > LIMITS.sseEventBytes) throw tooLarge('big_event', LIMITS.sseEventBytes);
		if (this.total > LIMITS.streamBytes) throw tooLarge('big_stream', LIMITS.streamBytes);
	}
}
