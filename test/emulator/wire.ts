import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { constants, createBrotliCompress, createDeflate, createDeflateRaw, createGzip, type Gzip } from 'node:zlib';

import { num, type Directives } from './directives';

/**
 * What a proxy or CDN does to the bytes on the way (issue 16, class 4), whatever the client asked
 * for. The emulator writes its replies as always; these directives rewrite them on the wire:
 * - `[[encode as=gzip|x-gzip|deflate|deflate-raw|br|zstd]]`: compress the body (streams too, flushed
 *   after every write so each event arrives at once) and say so in content-encoding (`deflate-raw`
 *   is raw deflate sent as `deflate`, as some servers do; `zstd` is sent as is, uncompressed, to
 *   try an encoding the client does not read).
 * - `[[charset name=iso-8859-1|windows-1252|utf-16le|utf-16be|utf-8|…]]`: send the text in that
 *   charset and name it in content-type (characters it cannot hold become `?`). Any other name is
 *   put in content-type as given while the bytes stay UTF-8 (an unknown or mistyped label).
 * - `[[bomb kind=json|sse mb=64]]`: a 200 answer whose gzip body inflates to `mb` MiB (about a
 *   thousandth of that on the wire): a zip bomb.
 */
export function applyWire(directives: Directives, res: ServerResponse): void {
	const encode = directives.get('encode');
	const charset = directives.get('charset');
	if (!encode && !charset) return;
	const coding = encode?.as ?? 'gzip';
	const label = charset?.name;
	const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
	const write = res.write.bind(res) as (chunk: Buffer) => boolean;
	const end = res.end.bind(res) as (chunk?: Buffer) => ServerResponse;

	const text = new StringDecoder('utf8');
	const recode = (chunk: unknown): Buffer => {
		const raw = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer | undefined);
		if (!label) return raw ?? Buffer.alloc(0);
		return encodeText(raw ? text.write(raw) : text.end(), label);
	};
	const compressor = encode ? compressorFor(coding) : undefined;
	compressor?.on('data', (out: Buffer) => write(out));

	(res as { writeHead: unknown }).writeHead = (status: number, headers: Record<string, unknown> = {}) => {
		const next: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'content-length') next[name] = value;
		res.removeHeader('content-length');
		if (label) {
			const type = String(next['content-type'] ?? res.getHeader('content-type') ?? 'application/json');
			next['content-type'] = `${type}; charset=${label}`;
		}
		if (encode) next['content-encoding'] = coding === 'deflate-raw' ? 'deflate' : coding;
		return writeHead(status, next);
	};
	(res as { write: unknown }).write = (chunk: unknown) => {
		const bytes = recode(chunk);
		if (!compressor) return write(bytes);
		compressor.write(bytes);
		compressor.flush(constants.Z_SYNC_FLUSH);
		return true;
	};
	(res as { end: unknown }).end = (chunk?: unknown) => {
		if (typeof chunk === 'function') chunk = undefined;
		const last = Buffer.concat([chunk === undefined ? Buffer.alloc(0) : recode(chunk), label ? recode(undefined) : Buffer.alloc(0)]);
		if (!compressor) return end(last);
		compressor.once('end', () => end());
		compressor.end(last);
		return res;
	};
}

type Compressor = Gzip & { flush(kind?: number): void };

function compressorFor(coding: string): Compressor {
	if (coding === 'br') {
		// Brotli's flush takes its own constant; its default flushes.
		const br = createBrotliCompress() as unknown as Compressor;
		const flush = br.flush.bind(br);
		br.flush = () => flush();
		return br;
	}
	if (coding === 'deflate') return createDeflate() as unknown as Compressor;
	if (coding === 'deflate-raw') return createDeflateRaw() as unknown as Compressor;
	if (coding === 'gzip' || coding === 'x-gzip') return createGzip();
	// An encoding the client cannot read (zstd, say): sent as it is, which is all the test needs.
	return Object.assign(new PassThrough(), { flush: () => {} }) as unknown as Compressor;
}

/** Characters of windows-1252 that differ from ISO-8859-1 (0x80–0x9F). */
const WINDOWS_1252: Record<string, number> = {
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b,
	'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99,
	'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

function encodeText(text: string, label: string): Buffer {
	const name = label.toLowerCase();
	if (name === 'utf-16le') return Buffer.from(text, 'utf16le');
	if (name === 'utf-16be') return Buffer.from(text, 'utf16le').swap16();
	if (name === 'iso-8859-1' || name === 'latin1' || name === 'windows-1252') {
		const bytes = Buffer.alloc(text.length);
		let n = 0;
		for (const char of text) {
			const code = char.codePointAt(0)!;
			const mapped = name === 'windows-1252' ? WINDOWS_1252[char] : undefined;
			bytes[n++] = mapped ?? (code <= 0xff && !(name === 'windows-1252' && code >= 0x80 && code <= 0x9f) ? code : 0x3f);
		}
		return bytes.subarray(0, n);
	}
	return Buffer.from(text); // utf-8, or a label the emulator does not encode: the bytes stay UTF-8
}

/** Answers a `bomb` directive; false when there is none. Honours backpressure, stops when the client goes. */
export async function bomb(directives: Directives, res: ServerResponse): Promise<boolean> {
	const args = directives.get('bomb');
	if (!args) return false;
	const sse = args.kind === 'sse';
	res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json', 'content-encoding': 'gzip' });
	const gzip = createGzip({ level: 9 });
	gzip.on('data', (out: Buffer) => {
		if (!res.destroyed && !res.write(out)) gzip.pause();
	});
	res.on('drain', () => gzip.resume());
	const finished = new Promise<void>((resolve) => {
		gzip.once('end', resolve);
		gzip.once('close', resolve);
		res.once('close', resolve);
	});
	const head = sse ? 'data: {"choices":[{"index":0,"delta":{"content":"' : '{"id":"bomb","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"';
	const block = Buffer.alloc(1024 * 1024, 'a');
	const blocks = num(args, 'mb', 64);
	const put = async (chunk: Buffer | string) => {
		if (!res.destroyed && !gzip.write(chunk)) await untilDrained(gzip, res);
	};
	await put(head);
	for (let i = 0; i < blocks && !res.destroyed; i++) await put(block);
	if (!res.destroyed) gzip.end('"}}]}');
	await finished;
	gzip.destroy();
	if (!res.destroyed) res.end();
	return true;
}

/** After a write that returned false: waits until `stream` drains, or the client goes (`res` closes). */
export function untilDrained(stream: NodeJS.EventEmitter, res: ServerResponse): Promise<void> {
	return new Promise<void>((resolve) => {
		const done = () => {
			stream.off('drain', done);
			res.off('close', done);
			resolve();
		};
		stream.once('drain', done);
		res.once('close', done);
	});
}
