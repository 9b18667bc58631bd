import type { Readable } from 'node:stream';

import { excerpt, SlierError, stripBom } from './errors';

/**
 * What a 2xx response is, decided by the response and not by what was asked: the API may answer
 * a plain request with a stream, a stream request with one JSON document, and a gateway may send a
 * Content-Type that does not match its body. The first bytes of the body decide; the header only
 * where the body's start says nothing.
 */
export type ResponseShape = 'json' | 'sse' | 'empty' | 'other';

/** How much of the body's start is looked at (blank lines before the first byte included). */
const PEEK_BYTES = 512;

/** The body's first bytes (up to the first character that is not a blank), put back for the reader. */
export async function peekStart(body: Readable): Promise<string> {
	const seen: Buffer[] = [];
	let size = 0;
	for (;;) {
		const chunk = body.read() as Buffer | null;
		if (chunk !== null) {
			seen.push(chunk);
			size += chunk.length;
			const head = Buffer.concat(seen, size);
			const text = head.toString('utf8');
			if (stripBom(text).trim() !== '' || size >= PEEK_BYTES) {
				// Put back in the same turn as the read: the body cannot have ended in between.
				body.unshift(head);
				return text;
			}
			continue;
		}
		// Only blanks, then the end: nothing to put back.
		if (body.readableEnded || body.destroyed) return Buffer.concat(seen, size).toString('utf8');
		await readable(body);
	}
}

/** Resolves when the body has data or has ended; rejects with its error. */
function readable(body: Readable): Promise<void> {
	return new Promise((resolve, reject) => {
		const done = (error?: Error) => {
			body.off('readable', onReadable);
			body.off('end', onEnd);
			body.off('close', onEnd);
			body.off('error', done);
			if (error) reject(error);
			else resolve();
		};
		const onReadable = () => done();
		const onEnd = () => done();
		body.on('readable', onReadable);
		body.once('end', onEnd);
		body.once('close', onEnd);
		body.once('error', done);
	});
}

export function contentTypeOf(headers: Record<string, string | string[] | undefined>): string {
	const value = headers['content-type'];
	return (Array.isArray(value) ? value[0] : (value ?? '')).trim();
}

/**
 * JSON when the body starts like JSON, a stream when it starts like SSE (a `data:` field or a
 * comment), whatever the header says. An HTML page is never the API. Otherwise the header decides,
 * and a body that is neither is not the API.
 */
export function shapeOf(start: string, contentType: string): ResponseShape {
	const text = stripBom(start).trimStart();
	const type = contentType.toLowerCase();
	// An empty stream is a stream that ended early; any other empty body is not the API.
	if (text === '') return start.length >= PEEK_BYTES || type.includes('text/event-stream') ? shapeByHeader(type) : 'empty';
	if (text[0] === '{' || text[0] === '[') return 'json';
	if (text[0] === ':' || /^(data|event|id|retry)[ \t]*:/.test(text)) return 'sse';
	if (text[0] === '<') return 'other';
	return shapeByHeader(type);
}

function shapeByHeader(type: string): ResponseShape {
	if (type.includes('text/event-stream')) return 'sse';
	if (/[/+]json\b/.test(type)) return 'json';
	return 'other';
}

/** The title of an HTML page, if it has one: what a user recognizes ("Welcome to nginx!"). */
export function pageTitle(text: string): string | undefined {
	const match = /<title[^>]*>([\s\S]{0,300}?)<\/title>/i.exec(text.slice(0, 8 * 1024));
	const title = match ? excerpt(match[1]) : '';
	return title === '' ? undefined : title;
}

/** A 2xx that is not the Slier API: a website, an empty body, a 204. */
export function notApiError(status: number, contentType: string, text: string, origin: string): SlierError {
	const title = pageTitle(text);
	const body = excerpt(text);
	return new SlierError('response', {
		problem: 'not_api',
		status,
		contentType: contentType || undefined,
		pageTitle: title,
		bodyExcerpt: body || undefined,
		origin,
	});
}
