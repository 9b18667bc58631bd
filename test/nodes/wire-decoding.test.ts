import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { INodeParameters } from 'n8n-workflow';

import { chatCompletion, chatEvent, pause, type RawHandler, startRawServer } from '../helpers/raw-server';
import { runOne, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 16, class 4, through the node in n8n's engine against the emulator: a proxy or CDN that
 * compresses the answer (asked or not), and charsets other than UTF-8, give the same item as a
 * plain UTF-8 answer; a zip bomb fails as too large.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));
const b64 = (text: string) => Buffer.from(text).toString('base64url');

async function one(text: string, parameters: INodeParameters = {}) {
	const { items } = await runSlierNode({ emulator, items: [{ text }], parameters, continueOnFail: true });
	expect(items).toHaveLength(1);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return items[0].json;
}

const modes: Array<[string, boolean]> = [
	['plain', false],
	['streamed', true],
];

describe('a compressed answer, asked for or not', () => {
	describe.each(modes)('%s', (_mode, stream) => {
		it.each([['gzip'], ['x-gzip'], ['deflate'], ['deflate-raw'], ['br']])('%s reads as the same item', async (as) => {
			const json = await one(`packed [[encode as=${as}]]`, { stream, options: { simplify: false } });
			expect(json).toMatchObject({
				content: 'claude-2 answers “packed” ✓',
				finishReason: 'stop',
				usage: { promptTokens: 1, completionTokens: 4, totalTokens: 5 },
			});
		});

		it('an encoding it cannot read (zstd) fails the item, saying so, without a retry', async () => {
			const json = await one('packed [[encode as=zstd]]', { stream });
			expect(json).toMatchObject({
				error:
					'Slier (or a proxy between) sent the response compressed as "zstd", which this node cannot read (it reads gzip, deflate and br) (item 0)',
				errorType: 'server_error',
			});
			expect(completions()).toHaveLength(1);
		});
	});

	it('asks for compression on plain requests and not on streams', async () => {
		await one('a');
		await one('b', { stream: true });
		expect(completions().map((r) => r.acceptEncoding)).toEqual(['gzip, deflate, br', 'identity']);
	});

	it('a body that says gzip but is not fails as such, without a retry', async () => {
		// The bytes are sent as they are ("zstd" is passed through) but labelled gzip by a raw server below.
		const { startRawServer } = await import('../helpers/raw-server');
		const server = await startRawServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
			res.end('{"choices":[]}');
		});
		try {
			const { items } = await runSlierNode({
				emulator: { ...emulator, url: server.url, apiKey: emulator.apiKey } as typeof emulator,
				items: [{ text: 'x' }],
				continueOnFail: true,
			});
			expect(items[0].json).toMatchObject({
				error: 'Slier sent a response marked as gzip-compressed that could not be decompressed (incorrect header check) (item 0)',
				errorType: 'server_error',
			});
			expect(server.requests).toBe(1);
		} finally {
			await server.close();
		}
	});

	it('an error page that is compressed is read for its message', async () => {
		const json = await one('down [[status code=503]] [[encode as=gzip]]', { options: { maxRetries: 0 } });
		expect(json.error).toBe('Slier had a server error (HTTP 503) after 0 retries: The server had an error (503). (item 0)');
	});
});

describe('a zip bomb', () => {
	it('a plain answer that inflates beyond 32 MiB (256 MiB, about 250 KiB on the wire) fails as too large', async () => {
		const json = await one('bomb [[bomb kind=json mb=256]]');
		expect(json).toMatchObject({
			error: 'Slier sent a JSON response larger than 32 MiB, the most this node reads; it stopped reading and dropped the connection (item 0)',
		});
		expect(completions()).toHaveLength(1);
	});

	it('a stream line that inflates beyond 16 MiB fails as too large', async () => {
		const json = await one('bomb [[bomb kind=sse mb=256]]', { stream: true });
		expect(String(json.error)).toMatch(/^Slier sent one stream event \(or line\) larger than 16 MiB, the most this node reads/);
	});
});

describe('charsets other than UTF-8', () => {
	const cases: Array<[string, string]> = [
		['iso-8859-1', 'Café crème à 5 °C, ½ portion — ¿sí?'],
		['windows-1252', '“Quoted” prices: 5 € – 10 € … naïve'],
		['utf-16le', 'Grüße ✓ 日本語 😀'],
		['utf-16be', 'Grüße ✓ 日本語 😀'],
	];
	describe.each(modes)('%s', (_mode, stream) => {
		it.each(cases)('%s decodes to the same text', async (name, text) => {
			// iso-8859-1 has no em dash: the emulator sends "?" for it, as a server would.
			const expected = name === 'iso-8859-1' ? text.replace('—', '?') : text;
			const json = await one(`x [[reply b64=${b64(text)}]] [[charset name=${name}]]`, { stream });
			expect(json.content).toBe(expected);
		});

		it('utf-16le, gzip-compressed, written in 3-byte pieces', async () => {
			const text = 'Grüße ✓ 日本語 😀';
			const json = await one(`x [[reply b64=${b64(text)}]] [[charset name=utf-16le]] [[encode as=gzip]] [[split size=3]]`, { stream });
			expect(json.content).toBe(text);
		});

		it('an unknown charset label reads as UTF-8', async () => {
			const json = await one('label [[charset name=x-no-such-charset]]', { stream });
			expect(json.content).toBe('claude-2 answers “label” ✓');
		});
	});

	it('an error body in utf-16le is read for its message', async () => {
		const json = await one('down [[status code=503]] [[charset name=utf-16le]]', { options: { maxRetries: 0 } });
		expect(json.error).toBe('Slier had a server error (HTTP 503) after 0 retries: The server had an error (503). (item 0)');
	});
});

/**
 * Raw servers for what the emulator cannot show: bytes that really arrive in pieces (written
 * apart, with Nagle off, and counted as the client's reads through undici's diagnostics channel),
 * stacked codings and a quoted charset label.
 */
describe('on the wire, byte by byte', () => {
	const KEY = 'sk-raw-wire-decoding-01';
	/** Body chunks undici handed to the reader, for requests to the raw server. */
	let reads = 0;
	const onChunk = () => void reads++;
	beforeAll(() => subscribe('undici:request:bodyChunkReceived', onChunk));
	afterAll(() => unsubscribe('undici:request:bodyChunkReceived', onChunk));

	async function against(handler: RawHandler, stream: boolean) {
		const server = await startRawServer(handler);
		try {
			reads = 0;
			return await runOne({ emulator: { url: server.url, apiKey: KEY }, parameters: { stream, options: { maxRetries: 0 } } });
		} finally {
			await server.close();
		}
	}

	/** Writes `bytes` in `size`-byte pieces, each its own TCP segment, with a pause between. */
	async function writeApart(res: ServerResponse, bytes: Buffer, size: number): Promise<void> {
		res.socket?.setNoDelay(true);
		for (let at = 0; at < bytes.length && !res.destroyed; at += size) {
			res.write(bytes.subarray(at, at + size));
			await pause(5);
		}
		res.end();
	}

	const TEXT = 'Grüße ✓ 日本語 😀';

	it.each(modes)('utf-16le in 3-byte pieces that arrive apart (%s): every character whole', async (_mode, stream) => {
		const json = await against(async (_req, res) => {
			res.writeHead(200, { 'content-type': `${stream ? 'text/event-stream' : 'application/json'}; charset=utf-16le` });
			const body = stream ? `${chatEvent(TEXT, 'stop')}data: [DONE]\n\n` : chatCompletion(TEXT);
			await writeApart(res, Buffer.from(body, 'utf16le'), 3);
		}, stream);
		expect(json.content).toBe(TEXT);
		// The pieces reached the client apart, so characters were split between its reads.
		expect(reads).toBeGreaterThan(20);
	});

	it('a UTF-8 stream in 1-byte pieces that arrive apart: every character whole', async () => {
		const json = await against(async (_req, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			await writeApart(res, Buffer.from(`${chatEvent(TEXT, 'stop')}data: [DONE]\n\n`), 1);
		}, true);
		expect(json.content).toBe(TEXT);
		expect(reads).toBeGreaterThan(20);
	});

	it('content-encoding "gzip, br" (gzip applied first) is undone br first, then gzip', async () => {
		const json = await against((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip, br' });
			res.end(brotliCompressSync(gzipSync(chatCompletion(' Stacked.'))));
		}, false);
		expect(json).toMatchObject({ content: 'Stacked.', finishReason: 'stop' });
	});

	it('content-encoding "identity" (no coding at all, as some servers say it) reads as is, streamed or not', async () => {
		for (const stream of [false, true]) {
			const json = await against((_req, res) => {
				res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json', 'content-encoding': 'identity' });
				res.end(stream ? `${chatEvent(' As is.', 'stop')}data: [DONE]\n\n` : chatCompletion(' As is.'));
			}, stream);
			expect(json).toMatchObject({ content: 'As is.', finishReason: 'stop' });
		}
	});

	it('a quoted charset label (charset="utf-16le") is read as that charset', async () => {
		const json = await against((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json; charset="utf-16le"' });
			res.end(Buffer.from(chatCompletion(TEXT), 'utf16le'));
		}, false);
		expect(json.content).toBe(TEXT);
	});
});
