import type { INodeParameters } from 'n8n-workflow';

import * as normalize from '../../nodes/shared/completion/normalize';
import { transportWords } from '../../nodes/shared/node/error-words';
import { SlierError } from '../../nodes/shared/transport/errors';
import { jsonOf, runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Issue 17.2 and 16.8: one module writes what the user reads. A failure nobody foresaw is said to
 * be one (errorType `unexpected`, never `invalid_input`); the content-filter error reads the same in
 * the item nodes as in the Slier Chat Model; every value a user can type makes a sentence.
 */
const emulator = useEmulator();

async function one(text: string, parameters: INodeParameters = {}) {
	const { items, error } = await runSlierNode({ emulator, items: [{ text }], parameters, continueOnFail: true });
	expect(error).toBeUndefined();
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return items[0].json;
}

describe('a failure nobody foresaw (a TypeError inside the node)', () => {
	// Stands for a bug: the real normalizer, except for answers to a message holding "trigger-bug".
	const original = normalize.fromCompletion;
	beforeEach(() => {
		jest.spyOn(normalize, 'fromCompletion').mockImplementation((body: unknown) => {
			if (JSON.stringify(body).includes('trigger-bug')) throw new TypeError("Cannot read properties of undefined (reading 'trim')");
			return original(body);
		});
	});
	afterEach(() => jest.restoreAllMocks());

	it('is its own errorType with a message that says so; the other items succeed, paired', async () => {
		const { items, error } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'ok 1' }, { text: 'trigger-bug [[verbatim]]' }, { text: 'ok 2' }],
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(jsonOf(items)[1]).toEqual({
			error: "The Slier node failed unexpectedly (TypeError: Cannot read properties of undefined (reading 'trim')) (item 1)",
			errorType: 'unexpected',
		});
		expect(jsonOf(items).map((j) => j.content ?? null)).toEqual(['claude-2 answers “ok 1” ✓', null, 'claude-2 answers “ok 2” ✓']);
	});

	it('without Continue On Fail it stops the node as an n8n error with a fix, no stack trace', async () => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'trigger-bug [[verbatim]]' }] });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe("The Slier node failed unexpectedly (TypeError: Cannot read properties of undefined (reading 'trim')) (item 0)");
		expect(error?.description).toMatch(/^This is a fault in the node, not in your workflow or at Slier\./);
		expect(`${error?.message} ${error?.description}`).not.toMatch(/\n\s+at /);
	});
});

describe('the content-filter error', () => {
	it("reads as the Slier Chat Model's (chat-model.test.ts), with the item named at the end", async () => {
		const json = await one('bad [[filter]]', { options: { onContentFilter: 'error' } });
		expect(json).toEqual({
			error: "Slier's content filter refused to answer: This content may violate our content policy, please check https://Slier.ai/terms to learn more. (item 0)",
			errorType: 'content_filter',
		});
	});

	it('a stream cut by the filter reads the same', async () => {
		const json = await one('bad [[stream-filter after=1]]', { stream: true, options: { onContentFilter: 'error' } });
		expect(json).toEqual({ error: "Slier's content filter refused to answer (item 0)", errorType: 'content_filter' });
	});
});

describe('every value a user can type makes a sentence', () => {
	it.each([
		['Timeout 0', { options: { timeout: 0 } }, 'Timeout is 0 ms: it must be more than 0 (item 0)', /^Set Options → Timeout \(Ms\) to a positive number/],
		['Timeout -5', { options: { timeout: -5 } }, 'Timeout is -5 ms: it must be more than 0 (item 0)', /positive number of milliseconds/],
		['Timeout NaN', { options: { timeout: '={{ NaN }}' } }, 'Timeout is NaN, not a number of milliseconds (item 0)', /positive number/],
		['Timeout from an expression giving text', { options: { timeout: '={{ "soon" }}' } }, 'Timeout is the text "soon", not a number of milliseconds (item 0)', /positive number/],
		['Max Retries as text', { options: { maxRetries: '={{ "two" }}' } }, 'Max Retries is the text "two" (item 0)', /whole number from 0 to 10/],
		['Temperature from an expression giving nothing usable', { modelParams: { temperature: '={{ "hot" }}' } }, 'Temperature is the text "hot", not a number from 0 to 2 (item 0)', /Temperature to a number from 0 to 2/],
		['a message without a role', { messageSource: 'json', messagesJson: '[{"content": "hi"}]' }, 'Message 1 in Messages (JSON) has no role (item 0)', /Use one of the roles/],
		['a message without content', { messageSource: 'json', messagesJson: '[{"role": "user"}]' }, 'Message 1 in Messages (JSON) has no content (item 0)', /Make the content a text/],
		['a message whose role is a number', { messageSource: 'json', messagesJson: '[{"role": 1, "content": "hi"}]' }, 'Message 1 in Messages (JSON) has the role 1, which Slier does not accept (item 0)', /Use one of the roles/],
		['content that is a number', { messageSource: 'json', messagesJson: '[{"role": "user", "content": 42}]' }, 'Message 1 in Messages (JSON) has content that is 42, not text (item 0)', /Make the content a text/],
	])('%s', async (_name, parameters, message, fix) => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], parameters: parameters as INodeParameters });
		expect(error?.message).toBe(message);
		expect(error?.description).toMatch(fix);
		expect(`${error?.message}`).not.toMatch(/\ba undefined\b|\ba number\b(?! of| from)|\[object Object\]/);
		expect(emulator.requests).toHaveLength(0);
	});

	it('a failed check is still invalid_input', async () => {
		expect(await one('x', { options: { timeout: 0 } })).toEqual({ error: 'Timeout is 0 ms: it must be more than 0 (item 0)', errorType: 'invalid_input' });
	});
});

describe('the words of a failure, from its facts', () => {
	const message = (error: SlierError) => transportWords(error, { settings: { timeoutMs: 120_000, maxRetries: 2 }, audience: 'item' }).message;

	it('a rate-limit wait is said in tenths of a second below 90 seconds, at a glance from 90 seconds on', () => {
		const waited = (ms: number) => message(new SlierError('http', { status: 429, rateLimitCount: 4, rateLimitWaitedMs: ms }));
		expect(waited(89_940)).toBe("Slier's rate limit was still reached when the Timeout ran out: the request waited 89.9 seconds and met 4 HTTP 429 answers");
		expect(waited(90_000)).toBe("Slier's rate limit was still reached when the Timeout ran out: the request waited about 2 minutes and met 4 HTTP 429 answers");
	});

	it('what a non-API address sent is quoted whole up to 80 characters, cut with an ellipsis beyond', () => {
		const sent = (body: string) =>
			message(new SlierError('response', { problem: 'not_api', status: 200, contentType: 'text/plain; charset=utf-8', bodyExcerpt: body }));
		const eighty = 'a'.repeat(80);
		expect(sent(eighty)).toBe(`The Base URL did not answer like the Slier API: it sent "${eighty}" (HTTP 200, text/plain)`);
		expect(sent(`${eighty}b`)).toBe(`The Base URL did not answer like the Slier API: it sent "${eighty}…" (HTTP 200, text/plain)`);
	});
});
