import { LoadOptionsContext } from 'n8n-core';
import type { INode } from 'n8n-workflow';
import { request } from 'undici';

import { SlierApi } from '../../credentials/SlierApi.credentials';
import { SlierChat } from '../../nodes/SlierChat/SlierChat.node';
import { getDispatcher } from '../../nodes/shared/transport/dispatcher';
import { buildAdditionalData, buildWorkflow } from '../harness/run-workflow';
import { runSlierNode, slierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator();

/**
 * Sends the credential's own test request the way n8n's credential tester does: its expressions
 * (base URL, the Authorization header of `authenticate`) resolved by n8n's expression engine.
 */
async function testCredential(apiKey: string, baseUrl: string): Promise<number> {
	const credential = new SlierApi();
	const probe: INode = { id: 'p', name: 'P', type: 'harness.itemsSource', typeVersion: 1, position: [0, 0], parameters: {} };
	const { expression } = buildWorkflow({ nodes: [probe], connections: {} });
	const resolve = (value: unknown) =>
		String(expression.getSimpleParameterValue(probe, value as string, 'manual', { $credentials: { apiKey, baseUrl } }));
	const { baseURL, url, method } = credential.test.request;
	const headers = (credential.authenticate.properties.headers ?? {}) as Record<string, string>;
	const res = await request(`${resolve(baseURL)}${url}`, {
		method: method ?? 'GET',
		headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, resolve(v)])),
		dispatcher: getDispatcher(),
	});
	await res.body.dump();
	return res.statusCode;
}

describe('Slier API credential', () => {
	it('is named as the public contract says, with a password field and a default base URL', () => {
		const credential = new SlierApi();
		expect(credential.name).toBe('slierApi');
		expect(credential.displayName).toBe('Slier API');
		const [apiKey, baseUrl] = credential.properties;
		expect(apiKey).toMatchObject({ name: 'apiKey', typeOptions: { password: true } });
		expect(baseUrl).toMatchObject({ name: 'baseUrl', default: 'https://api.slier.ai' });
	});

	it('its test passes with a valid key and fails with a wrong one (GET /v1/models)', async () => {
		expect(await testCredential(TEST_API_KEY, `${emulator.url}/`)).toBe(200);
		expect(await testCredential('sk-wrong', emulator.url)).toBe(401);
		expect(emulator.requests.map((r) => r.path)).toEqual(['/v1/models', '/v1/models']);
		expect(emulator.requests[0].authorization).toBe(`Bearer ${TEST_API_KEY}`);
	});

	it('its test accepts a key pasted with a line break or spaces around it, like the nodes', async () => {
		expect(await testCredential(` ${TEST_API_KEY}\n`, emulator.url)).toBe(200);
		expect(emulator.requests[0].authorization).toBe(`Bearer ${TEST_API_KEY}`);
	});

	it('its test accepts a pasted /v1 or /v2, stray slashes and spaces, like the nodes', async () => {
		for (const tail of ['/v1', '/v2/', '//', '/v1/ ']) {
			expect(await testCredential(TEST_API_KEY, ` ${emulator.url}${tail}`)).toBe(200);
		}
		expect(emulator.requests.map((r) => r.path)).toEqual(Array(4).fill('/v1/models'));
	});
});

describe('Model list', () => {
	const node = slierNode('slierChat');

	function context(apiKey = TEST_API_KEY, baseUrl = emulator.url) {
		const workflow = buildWorkflow({ nodes: [node], connections: {} });
		const additionalData = buildAdditionalData(workflow, { slierApi: { apiKey, baseUrl } });
		return new LoadOptionsContext(workflow, node, additionalData, 'model');
	}

	it('lists the models from GET /v1/models, filtered by what the user types', async () => {
		const { searchModels } = new SlierChat().methods.listSearch;
		expect((await searchModels.call(context())).results).toEqual([
			{ name: 'Claude 2 (claude-2)', value: 'claude-2' },
			{ name: 'GPT-4o (gpt-4o)', value: 'gpt-4o' },
			{ name: 'Llama 3 70B (llama-3-70b)', value: 'llama-3-70b' },
		]);
		expect((await searchModels.call(context(), 'LLAMA')).results).toEqual([
			{ name: 'Llama 3 70B (llama-3-70b)', value: 'llama-3-70b' },
		]);
	});

	it('lists the models with a pasted /v1 base URL too', async () => {
		const { searchModels } = new SlierChat().methods.listSearch;
		expect((await searchModels.call(context(TEST_API_KEY, `${emulator.url}/v1/`))).results).toHaveLength(3);
		expect(emulator.requests.map((r) => r.path)).toEqual(['/v1/models']);
	});

	it('says the key was rejected when listing fails with 401', async () => {
		const { searchModels } = new SlierChat().methods.listSearch;
		await expect(searchModels.call(context('sk-wrong'))).rejects.toThrow('Slier rejected the API key while listing models');
	});
});

describe('errors that are not network errors', () => {
	it('an API key with a line break is named as such, not retried, and the key never shown', async () => {
		const apiKey = `${TEST_API_KEY}\nsecond-line`;
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { apiKey } });
		expect(error?.message).toBe(
			'The API key in the Slier API credential contains a line break or another character that cannot be sent in an HTTP header (item 0)',
		);
		expect(error?.description).toBe('Open the Slier API credential and paste the API key again, as one line without spaces or line breaks.');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('the Base URL as users paste it', () => {
	it.each([['/v1'], ['/v2/'], ['//'], ['/v1/ ']])('accepts a trailing %j and calls the right path', async (tail) => {
		const { items, error } = await runSlierNode({
			emulator,
			items: [{ text: 'x' }],
			credentials: { baseUrl: ` ${emulator.url}${tail}` },
		});
		expect(error).toBeUndefined();
		expect(items[0].json.content).toBe('claude-2 answers “x” ✓');
		expect(emulator.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
	});

	it.each([
		['?region=eu', 'a query string (?…)'],
		['#docs', 'a fragment (#…)'],
	])('refuses %s with a clear message, sending nothing', async (tail, what) => {
		const { error } = await runSlierNode({ emulator, items: [{ text: 'x' }], credentials: { baseUrl: `${emulator.url}/${tail}` } });
		expect(error?.message).toBe(`The Base URL in the Slier API credential has ${what}, which the API paths cannot be added after`);
		expect(emulator.requests).toHaveLength(0);
	});
});
