import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

import { SlierError } from './errors';

/**
 * What a response body is read as: its content-encoding undone and its charset turned into UTF-8,
 * as a stream, so everything after it (JSON, SSE, error bodies) reads UTF-8 bytes and counts
 * its size caps on the decoded bytes. A compressed body is inflated as it is read, never whole: a
 * zip bomb fails at the cap like any other oversized body. Destroying the returned stream (a
 * cap, the idle watchdog) destroys the response too, and an error of the response (a reset, the
 * deadline) fails the returned stream with that error.
 *
 * An ordinary response (no content-encoding, UTF-8 or no charset) is returned as it is.
 */
export type Body = Readable & AsyncIterable<Buffer>;

/**
 * Asked for on plain (non-streamed) requests: long answers are text and shrink several times.
 * Not on streams: a server or proxy that compresses a stream tends to buffer it, which holds
 * back the answer's first words; one that compresses anyway is decoded all the same.
 */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

type Headers = Record<string, string | string[] | undefined>;

export function decodedBody(body: Body, headers: Headers): Body {
	const stages: Array<NodeJS.ReadWriteStream> = [];
	for (const coding of contentCodings(headers).reverse()) {
		const decoder = decoderFor(coding);
		// Marks its own errors (zlib's codes) before pipeline() passes them on, so they read as what
		// they are; an error passed down from the response (a reset, the deadline) is left alone.
		decoder.on('error', (error: Error & { code?: unknown }) => {
			if (!failures.has(error) && /^(Z_|ERR__|ERR_BROTLI)/.test(String(error.code))) failures.set(error, coding);
		});
		stages.push(decoder);
	}
	const charset = charsetOf(headers);
	if (charset) stages.push(new Utf8Transcoder(charset));
	if (stages.length === 0) return body;
	// pipeline() destroys every stage when one fails or is destroyed, and fails the last with
	// the error, so the reader sees a reset, a deadline or a decoding error as it is.
	return pipeline([body, ...stages] as unknown as [Readable, ...NodeJS.ReadWriteStream[]], () => {}) as unknown as Body;
}

const failures = new WeakMap<Error, string>();

/** The coding (gzip, br, …) whose decoder failed with this error, if it is such an error. */
export function decodingFailure(error: unknown): string | undefined {
	return typeof error === 'object' && error !== null ? failures.get(error as Error) : undefined;
}

/** The codings of content-encoding, in the order they were applied; `identity` is none. */
function contentCodings(headers: Headers): string[] {
	const raw = headers['content-encoding'];
	const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
	return value
		.split(',')
		.map((coding) => coding.trim().toLowerCase())
		.filter((coding) => coding !== '' && coding !== 'identity');
}

function decoderFor(coding: string): NodeJS.ReadWriteStream {
	switch (coding) {
		case 'gzip':
		case 'x-gzip':
			// Lenient like browsers: a body cut at the very end still yields what it holds.
			return createGunzip({ finishFlush: zlibSyncFlush });
		case 'deflate':
			return new DeflateDecoder();
		case 'br':
			return createBrotliDecompress();
		default:
			throw new SlierError('response', { problem: 'unknown_encoding', encoding: coding.slice(0, 40) });
	}
}

const zlibSyncFlush = 2; // zlib.constants.Z_SYNC_FLUSH

/**
 * `deflate` is meant to be zlib-wrapped, but some servers send raw deflate: the first byte tells
 * (a zlib header's low nibble is 8), as browsers and undici's fetch decide it.
 */
class DeflateDecoder extends Transform {
	private inner: Transform | undefined;

	_transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
		if (!this.inner) {
			const zlibWrapped = (chunk[0] & 0x0f) === 0x08;
			this.inner = zlibWrapped ? createInflate({ finishFlush: zlibSyncFlush }) : createInflateRaw({ finishFlush: zlibSyncFlush });
			this.inner.on('data', (out: Buffer) => {
				if (!this.push(out)) this.inner?.pause();
			});
			this.inner.on('error', (error) => this.destroy(error));
		}
		this.inner.write(chunk, () => done());
	}

	_read(size: number): void {
		this.inner?.resume();
		super._read(size);
	}

	_flush(done: TransformCallback): void {
		if (!this.inner) return done();
		this.inner.once('end', () => done());
		this.inner.end();
	}

	_destroy(error: Error | null, done: (error: Error | null) => void): void {
		this.inner?.destroy();
		done(error);
	}
}

/**
 * The charset named in content-type when it is not UTF-8 (e.g. `iso-8859-1`, `windows-1252`,
 * `utf-16le`), as a label TextDecoder knows. An unknown label reads as UTF-8, which JSON and SSE
 * are defined to be, as browsers do for a charset they do not know.
 */
function charsetOf(headers: Headers): string | undefined {
	const type = headers['content-type'];
	const value = Array.isArray(type) ? type[0] : type;
	const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(value ?? '');
	const label = (match?.[1] ?? match?.[2] ?? '').trim();
	if (!label) return undefined;
	let encoding: string;
	try {
		encoding = new TextDecoder(label).encoding;
	} catch {
		return undefined;
	}
	return encoding === 'utf-8' ? undefined : encoding;
}

/** Re-encodes text in `charset` as UTF-8, characters split across chunks included. */
class Utf8Transcoder extends Transform {
	private readonly decoder: TextDecoder;

	constructor(charset: string) {
		super();
		this.decoder = new TextDecoder(charset);
	}

	_transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
		done(null, Buffer.from(this.decoder.decode(chunk, { stream: true }), 'utf8'));
	}

	_flush(done: TransformCallback): void {
		done(null, Buffer.from(this.decoder.decode(), 'utf8'));
	}
}
