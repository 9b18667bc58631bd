import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeParameters } from 'n8n-workflow';

import { runOne, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * The fault matrix: each fault the emulator can produce, run through the Slier Chat node in
 * n8n's engine, with the exact outcome a user gets. Every run is also checked for the API key
 * in outputs, errors and logs (runSlierNode).
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions')).length;

/** Runs one item with Continue On Fail and returns its output json. */
const one = (text: string, parameters: INodeParameters = {}) => runOne({ emulator, text, parameters });

describe('fault matrix through Slier Chat', () => {
	it.each([
		['seconds', 'retry-after=1'],
		['an HTTP date', 'retry-after-date=1'],
		['milliseconds', 'retry-after-ms=200'],
	])('429 with retry-after in %s: waits, then succeeds', async (_name, header) => {
		const json = await one(`rate limited [[429 times=1 ${header}]]`);
		expect(json.content).toBe('claude-2 answers “rate limited” ✓');
		expect(completions()).toBe(2);
	});

	it.each([
		[408, false],
		[409, false],
		[500, false],
		[502, true],
		[503, false],
		[504, true],
	])('HTTP %i (html: %s) is retried (Max Retries 1) and then named with its message', async (code, html) => {
		const json = await one(`down [[status code=${code}${html ? ' html' : ''}]]`, { options: { maxRetries: 1 } });
		expect(completions()).toBe(2);
		const detail = html ? `${code} Bad Gateway ${code} Bad Gateway nginx upstream error` : `The server had an error (${code}).`;
		const expected =
			code >= 500
				? `Slier had a server error (HTTP ${code}) after 1 retry: ${detail} (item 0)`
				: code === 408
					? `Slier or a proxy between gave up waiting for the request (HTTP 408) after 1 retry: ${detail} (item 0)`
					: `Slier rejected the request (HTTP ${code}): ${detail} (item 0)`;
		expect(json.error).toBe(expected);
	});

	it('Max Retries 0 sends once; 10 is accepted; 11 is refused before sending', async () => {
		await one('down [[status code=503]]', { options: { maxRetries: 0 } });
		expect(completions()).toBe(1);
		emulator.reset();
		expect((await one('fine', { options: { maxRetries: 10 } })).content).toBe('claude-2 answers “fine” ✓');
		emulator.reset();
		expect((await one('x', { options: { maxRetries: 11 } })).error).toBe('Max Retries is 11 (item 0)');
		expect(completions()).toBe(0);
	});

	it('a reset before the response is retried', async () => {
		expect((await one('flaky [[reset times=1]]')).content).toBe('claude-2 answers “flaky” ✓');
		expect(completions()).toBe(2);
	});

	it('a reset after the stream started is not retried and says how much had arrived', async () => {
		const json = await one('reset later [[reset-mid after=3]]', { stream: true });
		expect(json.error).toMatch(/^The stream was interrupted after 24 characters of the answer had arrived: the connection to Slier at http:\/\/127\.0\.0\.1:\d+ broke \(connection reset\) \(item 0\)$/);
		expect(completions()).toBe(1);
	});

	it('a stream that ends without [DONE] or a finish fails the item', async () => {
		expect((await one('cut [[cut after=1]]', { stream: true })).error).toBe(
			'The stream ended early: Slier closed it before the answer was complete (9 characters had arrived) (item 0)',
		);
	});

	it('an error object inside the stream fails the item with its message', async () => {
		expect((await one('boom [[stream-error after=1]]', { stream: true })).error).toBe(
			'Slier reported an error inside the stream: The model failed while answering. (item 0)',
		);
	});

	it('content_filter inside the stream gives a filtered item', async () => {
		expect(await one('bad [[stream-filter after=1]]', { stream: true })).toMatchObject({
			filtered: true,
			content: 'claude-2',
			finishReason: 'content_filter',
		});
	});

	it('malformed JSON in a data line fails that item; the others go on', async () => {
		const { items } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'ok 1' }, { text: 'garbled [[malformed after=1]]' }, { text: 'ok 2' }],
			parameters: { stream: true },
		});
		expect(items.map((i) => i.json.error ?? i.json.content)).toEqual([
			'claude-2 answers “ok 1” ✓',
			'Slier sent a stream event that is not valid JSON: {"id": "broken", "choices": [ (item 1)',
			'claude-2 answers “ok 2” ✓',
		]);
	});


	it('401 and 403 are not retried and point at the credential', async () => {
		const json = await runSlierNode({ emulator, items: [{ text: 'x' }], continueOnFail: true, credentials: { apiKey: 'sk-revoked-key' } });
		expect(json.items[0].json.error).toBe('Slier rejected the API key (HTTP 401) (item 0)');
		expect(completions()).toBe(1);
		emulator.reset();
		expect((await one('forbidden [[status code=403]]')).error).toBe('Slier rejected the API key (HTTP 403) (item 0)');
		expect(completions()).toBe(1);
	});

	it('a 3xx to another host is an error and nothing is sent there', async () => {
		// Another host on loopback that records whatever reaches it.
		const reached: string[] = [];
		const other = createServer((req, res) => {
			reached.push(String(req.headers.authorization));
			res.end('{}');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const { port } = other.address() as AddressInfo;
		try {
			expect((await one(`moved [[redirect to=http://127.0.0.1:${port}/v1/chat/completions]]`)).error).toBe(
				`Slier answered with a redirect (HTTP 307) to http://127.0.0.1:${port}/v1/chat/completions, which is not followed so the API key is never sent elsewhere (item 0)`,
			);
			expect(reached).toEqual([]);
		} finally {
			await new Promise((resolve) => other.close(resolve));
		}
	});

	it('handles a 20 MB answer, streamed and not', async () => {
		const size = 20 * 1024 * 1024;
		const plain = await one(`big [[size chars=${size}]]`);
		expect((plain.content as string).length).toBeGreaterThan(size - 10);
		const streamed = await one(`big [[size chars=${size}]]`, { stream: true });
		expect(streamed.content).toBe(plain.content);
	});

	it('handles a BOM, unknown extra fields and created as a string', async () => {
		expect(await one('odd [[bom]] [[extra-fields]] [[created-string]]')).toMatchObject({
			content: 'claude-2 answers “odd” ✓',
			created: expect.any(Number),
		});
	});
});

describe('a 200-item run with a random mix of faults and Continue On Fail', () => {
	it('outputs 200 items in input order, each paired, each success its own answer, each failure clear', async () => {
		// A fixed-seed generator: the mix is random but the same on every run.
		let seed = 42;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const faults: Array<[string, RegExp | null]> = [
			['', null],
			['', null],
			['[[429 times=1 retry-after-ms=50]]', null],
			['[[status code=503 times=1]]', null],
			['[[reset times=1]]', null],
			['[[split size=2]] [[crlf]]', null],
			['[[status code=502 html]]', /^Slier had a server error \(HTTP 502\) after 1 retry: 502 Bad Gateway/],
			['[[cut after=1]]', /^The stream ended early/],
			['[[stream-error after=1]]', /^Slier reported an error inside the stream: The model failed while answering\./],
			['[[malformed after=1]]', /^Slier sent a stream event that is not valid JSON/],
			['[[reset-mid after=1]]', /^The stream was interrupted after \d+ characters/],
			['[[filter]]', null],
		];
		const plan = Array.from({ length: 200 }, (_, i) => {
			const [directive, failure] = faults[Math.floor(random() * faults.length)];
			return { text: `item ${i} ${directive}`.trim(), failure, filtered: directive === '[[filter]]' };
		});
		const { items, error } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: plan.map(({ text }) => ({ text })),
			parameters: { stream: true, options: { maxRetries: 1, maxConcurrency: 8 } },
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(200);
		items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			const expected = plan[i];
			if (expected.failure) {
				expect(item.json.error).toMatch(expected.failure);
				expect(item.json.error).toMatch(new RegExp(`\\(item ${i}\\)$`));
			} else if (expected.filtered) {
				expect(item.json).toMatchObject({ filtered: true, content: null });
			} else {
				expect(item.json.content).toBe(`claude-2 answers “item ${i}” ✓`);
			}
		});
		expect(plan.filter((p) => p.failure).length).toBeGreaterThan(40);
	});
});

describe('a plain answer cut mid-body', () => {
	it('is retried like a reset before the response', async () => {
		expect((await one('cut body [[cut-body times=1]]')).content).toBe('claude-2 answers “cut body” ✓');
		expect(completions()).toBe(2);
	});

	it('fails as a network error after the retries when it keeps happening, saying the answer had started', async () => {
		const json = await one('always cut [[cut-body]]', { options: { maxRetries: 1 } });
		expect(json.error).toMatch(/^The connection to Slier at http:\/\/127\.0\.0\.1:\d+ broke while its answer was being read \(.+\) \(item 0\)$/);
		expect(json.errorType).toBe('network');
		expect(completions()).toBe(2);
	});
});
