import type { INodeParameters } from 'n8n-workflow';

import { ERROR_TYPES } from '../../nodes/shared/node/error-words';
import { closedPort } from '../helpers/raw-server';
import { jsonOf, runSlierNode } from '../helpers/slier-node';
import { applySsrfPolicy } from '../helpers/ssrf-policy';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Every failed item carries a stable errorType beside its error, under Continue On Fail and on
 * n8n's error output (On Error: Continue (using error output)), paired to its input.
 */
const emulator = useEmulator();

describe('errorType of each failure the emulator can produce', () => {
	const cases: Array<[string, string, string, INodeParameters, object?]> = [
		['rate_limited', 'a rate limit that outlasts the Timeout', 'busy [[429 times=999 retry-after-ms=10]]', { options: { timeout: 200 } }],
		['rate_limited', 'a used-up quota (insufficient_quota)', 'x [[429 reason=insufficient_quota]]', {}],
		['timeout', 'no answer within the timeout', 'slow [[slow-headers ms=1500]]', { options: { timeout: 300 } }],
		['timeout', 'HTTP 408 after the retries', 'x [[status code=408]]', { options: { maxRetries: 0 } }],
		['timeout', 'a stream silent longer than the timeout', 'idle [[idle after=1 ms=1500]]', { stream: true, options: { timeout: 300 } }],
		['content_filter', 'the filter with On Content Filter: Fail', 'bad [[filter]]', { options: { onContentFilter: 'error' } }],
		['content_filter', 'the filter ending a stream, Fail', 'bad [[stream-filter after=1]]', { stream: true, options: { onContentFilter: 'error' } }],
		['auth', 'HTTP 403', 'x [[status code=403]]', {}],
		['bad_request', 'HTTP 400 (not the filter)', 'x [[status code=400]]', {}],
		['bad_request', 'HTTP 422', 'x [[status code=422]]', {}],
		['not_found', 'an unknown model', 'x', { model: { __rl: true, mode: 'id', value: 'no-such-model' } }],
		['not_found', 'a redirect', 'x [[redirect to=http://127.0.0.1:9/elsewhere]]', {}],
		['server_error', 'HTTP 500 after the retries', 'x [[status code=500]]', { options: { maxRetries: 0 } }],
		['server_error', 'an HTML 502 page', 'x [[status code=502 html]]', { options: { maxRetries: 0 } }],
		['stream_interrupted', 'a stream cut short', 'x [[cut after=1]]', { stream: true }],
		['stream_interrupted', 'a reset mid-stream', 'x [[reset-mid after=1]]', { stream: true }],
		['stream_interrupted', 'an error event in the stream', 'x [[stream-error after=1]]', { stream: true }],
		['stream_interrupted', 'a malformed stream event', 'x [[malformed after=1]]', { stream: true }],
		['invalid_input', 'an empty message', ' ', {}],
		['invalid_input', 'Max Retries out of range', 'x', { options: { maxRetries: 11 } }],
		['server_error', 'a JSON body beyond the size cap', 'x [[huge kind=json mb=40]]', { options: { maxRetries: 0 } }],
		['invalid_json', 'Answer Format JSON, an answer without JSON', 'no json here [[verbatim]]', { options: { answerFormat: 'json' } }],
	];

	it.each(cases)('%s: %s', async (errorType, _name, text, parameters) => {
		const { items, error } = await runSlierNode({ emulator, items: [{ text }], parameters, continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toEqual({ error: expect.stringMatching(/\(item 0\)/), errorType });
	});

	it('auth: a key Slier rejects (HTTP 401)', async () => {
		const { items } = await runSlierNode({ emulator, items: [{ text: 'x' }], continueOnFail: true, credentials: { apiKey: 'sk-revoked-key-1' } });
		expect(items[0].json).toEqual({ error: 'Slier rejected the API key (HTTP 401) (item 0)', errorType: 'auth' });
	});

	it('network: nothing listens at the Base URL', async () => {
		const port = await closedPort();
		const { items } = await runSlierNode({
			emulator,
			items: [{ text: 'x' }],
			continueOnFail: true,
			parameters: { options: { maxRetries: 0 } },
			credentials: { baseUrl: `http://127.0.0.1:${port}` },
		});
		expect(items[0].json).toEqual({ error: expect.stringMatching(/^Could not reach Slier .*connection refused/), errorType: 'network' });
	});

	it("blocked: n8n's SSRF protection refuses the Base URL's address, nothing is sent", async () => {
		const restore = applySsrfPolicy({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
		try {
			const { items } = await runSlierNode({ emulator, items: [{ text: 'x' }], continueOnFail: true });
			expect(items[0].json).toEqual({ error: expect.stringMatching(/SSRF protection does not allow requests to 127\.0\.0\.1.*\(item 0\)$/), errorType: 'blocked' });
			expect(emulator.requests).toHaveLength(0);
		} finally {
			restore();
		}
	});

	it('invalid_input: a credential without an API key fails every item, each paired', async () => {
		const { items } = await runSlierNode({ emulator, items: [{ text: 'a' }, { text: 'b' }], continueOnFail: true, credentials: { apiKey: ' ' } });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(jsonOf(items)).toEqual([
			{ error: 'The Slier API credential has no API key', errorType: 'invalid_input' },
			{ error: 'The Slier API credential has no API key', errorType: 'invalid_input' },
		]);
	});

	it('uses only the documented words', () => {
		// `unexpected` (a bug, not a fault the emulator can produce) is produced in error-words.test.ts.
		const used = new Set(cases.map(([type]) => type).concat('auth', 'network', 'blocked', 'unexpected'));
		for (const type of used) expect(ERROR_TYPES).toContain(type);
		// Every documented word except none is produced by a case above.
		expect([...ERROR_TYPES].filter((t) => !used.has(t))).toEqual([]);
	});
});

describe('On Error: Continue (using error output)', () => {
	const items = [{ text: 'fine', lead: 'A' }, { text: 'broke [[429 reason=insufficient_quota]]', lead: 'B' }, { text: '', lead: 'C' }, { text: 'also fine', lead: 'D' }];

	it.each([
		['Slier Chat', 'slierChat', false],
		['Slier Chat streamed', 'slierChat', true],
		['Slier Search', 'slierSearch', false],
		['Slier Search streamed', 'slierSearch', true],
	] as const)('%s: failures go to the error output with errorType, paired; successes stay', async (_name, type, stream) => {
		const run = await runSlierNode({
			emulator,
			type,
			items,
			onError: 'continueErrorOutput',
			parameters: { stream, options: { maxRetries: 0 } },
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(run.items.map((i) => typeof i.json.content)).toEqual(['string', 'string']);
		expect(run.errorItems.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// n8n adds the input item's fields to error-output items; errorType survives beside error.
		expect(jsonOf(run.errorItems)).toEqual([
			{ text: items[1].text, lead: 'B', error: 'Slier says the quota of this API key is used up (HTTP 429, insufficient_quota) (item 1)', errorType: 'rate_limited' },
			{ text: '', lead: 'C', error: 'Message 1 in Messages has empty content (item 2)', errorType: 'invalid_input' },
		]);
	});

	it('without it (Continue On Fail), failures stay in the one output, in order', async () => {
		const run = await runSlierNode({ emulator, items, continueOnFail: true, parameters: { options: { maxRetries: 0 } } });
		expect(run.errorItems).toEqual([]);
		expect(run.items.map((i) => i.json.errorType ?? 'ok')).toEqual(['ok', 'rate_limited', 'invalid_input', 'ok']);
	});
});
