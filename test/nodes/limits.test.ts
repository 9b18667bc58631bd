import type { INodeParameters } from 'n8n-workflow';

import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Every limit of the panel at its edges, through Slier Chat in n8n's engine: the documented
 * bounds themselves are accepted (and sent as given), the first value past each is refused before
 * anything is sent, with the message, the fix (description) and the errorType a user gets.
 */
const emulator = useEmulator();

const completions = () => emulator.requests.filter((r) => r.path.endsWith('/completions'));
const sentParams = () => (completions()[0].body as { model_params?: Record<string, unknown> }).model_params;

async function accepted(parameters: INodeParameters, items = 1) {
	const { items: out, error } = await runSlierNode({ emulator, items: Array.from({ length: items }, (_, i) => ({ text: `edge ${i}` })), parameters });
	expect(error).toBeUndefined();
	expect(out.map((item) => item.json.content)).toEqual(Array.from({ length: items }, (_, i) => `claude-2 answers “edge ${i}” ✓`));
}

/**
 * Refused before sending: the node's error (message and fix) and, for a per-item option under
 * Continue On Fail, the item's error and errorType. `message` is without the "(item 0)" suffix.
 */
async function refused(parameters: INodeParameters, message: string, description: string, perItem = true) {
	const suffix = perItem ? ' (item 0)' : '';
	const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], parameters });
	expect(error?.message).toBe(message + suffix);
	expect(error?.description).toBe(description);
	if (perItem) {
		const { items } = await runSlierNode({ emulator, items: [{ text: 'x' }], parameters, continueOnFail: true });
		expect(items[0].json).toEqual({ error: message + suffix, errorType: 'invalid_input' });
	}
	expect(completions()).toHaveLength(0);
}

describe('Max Concurrent Requests (1 to 64)', () => {
	it('64, the documented maximum, is accepted and every item answered', async () => {
		await accepted({ options: { maxConcurrency: 64 } }, 3);
	});

	it('1 is accepted', async () => {
		await accepted({ options: { maxConcurrency: 1 } }, 2);
	});

	it.each([65, 0])('%p is refused before sending', async (value) => {
		await refused(
			{ options: { maxConcurrency: value } },
			`Max Concurrent Requests is ${value}`,
			'Set Options → Max Concurrent Requests to a whole number from 1 to 64.',
			false, // read once per run: the node fails as a whole
		);
	});
});

describe('Temperature (0 to 2) and Top P (0 to 1)', () => {
	it.each([
		['Temperature 0', { temperature: 0 }, { temperature: 0 }],
		['Temperature 2', { temperature: 2 }, { temperature: 2 }],
		['Top P 0', { topP: 0 }, { top_p: 0 }],
		['Top P 1', { topP: 1 }, { top_p: 1 }],
	])('%s is accepted and sent as given', async (_name, modelParams, sent) => {
		await accepted({ modelParams });
		expect(sentParams()).toEqual(sent);
	});

	it.each([
		['Temperature', 2.01, 'temperature', '0 to 2'],
		['Temperature', -0.01, 'temperature', '0 to 2'],
		['Top P', 1.01, 'topP', '0 to 1'],
		['Top P', -0.01, 'topP', '0 to 1'],
	])('%s %p is refused before sending', async (name, value, key, range) => {
		await refused({ modelParams: { [key]: value } }, `${name} is ${value}, outside ${range}`, `Set Model Parameters → ${name} to a number from ${range}.`);
	});
});

describe('Max Retries (0 to 10)', () => {
	it('0 sends once; 10 retries ten times', async () => {
		const zero = await runSlierNode({ emulator, items: [{ text: 'x [[status code=503]]' }], parameters: { options: { maxRetries: 0 } }, continueOnFail: true });
		expect(zero.items[0].json.errorType).toBe('server_error');
		expect(completions()).toHaveLength(1);
		emulator.reset();
		// Ten 429s that ask for a 1 ms wait, then an answer: only the tenth retry succeeds.
		const ten = await runSlierNode({ emulator, items: [{ text: 'ten [[429 times=10 retry-after-ms=1]]' }], parameters: { options: { maxRetries: 10 } } });
		expect(ten.error).toBeUndefined();
		expect(ten.items[0].json.content).toBe('claude-2 answers “ten” ✓');
		expect(completions()).toHaveLength(11);
	});

	it.each([11, -1])('%p is refused before sending', async (value) => {
		await refused({ options: { maxRetries: value } }, `Max Retries is ${value}`, 'Set Options → Max Retries to a whole number from 0 to 10.');
	});
});

describe('Timeout (1 to 2147483647 ms)', () => {
	it('1 ms, the smallest, is accepted and times out as a timeout, not refused', async () => {
		const { items } = await runSlierNode({ emulator, items: [{ text: 'x [[slow-headers ms=2000]]' }], parameters: { options: { timeout: 1, maxRetries: 0 } }, continueOnFail: true });
		// Said in milliseconds: "within 0.0 seconds" would say nothing.
		expect(items[0].json).toEqual({ error: 'Slier did not answer within 1 millisecond (item 0)', errorType: 'timeout' });
	});

	it('2147483647, the largest, is accepted; 2147483648 is refused', async () => {
		await accepted({ options: { timeout: 2_147_483_647 } });
		emulator.reset();
		await refused(
			{ options: { timeout: 2_147_483_648 } },
			'Timeout is 2147483648 ms, longer than the longest wait n8n can time (2147483647 ms, about 24.8 days)',
			'Set Options → Timeout (Ms) to at most 2147483647; 300000 (5 minutes) is the default.',
		);
	});
});

describe('Max Tokens (at least 1)', () => {
	it('1 is accepted and sent', async () => {
		await accepted({ modelParams: { maxTokens: 1 } });
		expect(sentParams()).toEqual({ max_tokens: 1 });
	});
});
