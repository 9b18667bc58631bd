import type { INodeParameters, StructuredChunk } from 'n8n-workflow';

import { THINK_FORMS, type ThinkForm } from '../emulator/thinking';
import { runOne, runSlierNode, TEST_API_KEY } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Reasoning models through Slier Chat and Slier Search in n8n's engine: each way a model sends its
 * thought (the emulator's `[[think]]`, framings from vLLM's and llama.cpp's parser tests), streamed
 * and not, with the framing cut at every position. The answer is the answer; the thought is data.
 */
const emulator = useEmulator();

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const think = (form: ThinkForm, args: Record<string, string | number> = {}) =>
	`[[think form=${form}${Object.entries(args).map(([key, value]) => ` ${key}=${value}`).join('')}]]`;
const reply = (text: string) => `[[reply b64=${b64(text)}]]`;

const THOUGHT = "Okay, the user wants a JSON object. A first draft: {\"company\": \"Draft Co\", \"employees\": 0}. Hmm, no, it's Acme.";
const ANSWER = '{"company": "Acme", "employees": 42}';

/** Runs one item; the chat's chunks when streamed. */
async function ask(question: string, parameters: INodeParameters = {}) {
	const chunks: StructuredChunk[] = [];
	const { items } = await runSlierNode({ emulator, items: [{ text: question }], parameters, continueOnFail: true, onChunk: (chunk) => chunks.push(chunk) });
	expect(items).toHaveLength(1);
	const chat = chunks.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content).join('');
	return { item: items[0].json, chunks, chat };
}

describe.each(THINK_FORMS)('a reasoning model answering in the %s form', (form) => {
	const openLess = form === 'open-less';
	// Open-less: only a template-opened model can be streamed without the thought showing (the option says so).
	const options = openLess ? { thoughtStartsOpen: true } : {};

	it.each([false, true])('content is the answer, reasoning the thought, data the answer’s JSON (stream %s)', async (stream) => {
		const { item, chat } = await ask(`Extract ${think(form, { text: b64(THOUGHT), piece: 1 })} ${reply(ANSWER)}`, {
			stream,
			options: { answerFormat: 'json', ...options },
		});
		expect(item.error).toBeUndefined();
		expect(item.content).toBe(ANSWER);
		expect(item.reasoning).toBe(THOUGHT);
		expect(item.data).toEqual({ company: 'Acme', employees: 42 });
		// The documented order: content, data, then the new reasoning, then the fields as before.
		expect(Object.keys(item)).toEqual(['content', 'data', 'reasoning', 'role', 'finishReason', 'model', 'usage', 'filtered', 'filter', 'id', 'created']);
		if (stream) expect(chat).toBe(ANSWER); // the chat never shows the thought
	});

	it('gives the same item streamed and not, raw included', async () => {
		const question = `Hi ${think(form, { chars: 300 })}`;
		const plain = await ask(question, { options: { simplify: false, ...options } });
		const streamed = await ask(question, { stream: true, options: { simplify: false, ...options } });
		expect(streamed.item).toEqual(plain.item);
		expect(plain.item.content).toBe('claude-2 answers “Hi” ✓');
		expect(plain.item.reasoning).toMatch(/^Okay, so the user is asking me this\. .{200,}/);
		expect(streamed.chat).toBe('claude-2 answers “Hi” ✓');
	});

	it('streamed as 3-byte network writes (lines, events and tags split): the same item', async () => {
		const { item, chat } = await ask(`Go ${think(form, { text: b64(THOUGHT), piece: 2 })} ${reply(ANSWER)} [[split size=3]]`, { stream: true, options });
		expect([item.content, item.reasoning, chat]).toEqual([ANSWER, THOUGHT, ANSWER]);
	});

	it('cut at every position of the stream: the same answer, thought and chat text', async () => {
		const thought = 'Hmm, {"draft": 1}';
		const answer = 'Done.';
		// Long enough to cut every tag around the thought and the answer.
		const length = thought.length + answer.length + 80;
		for (let cut = 1; cut <= length; cut++) {
			const { item, chat } = await ask(`Go ${think(form, { text: b64(thought), cut, piece: 1000 })} ${reply(answer)}`, { stream: true, options });
			expect({ cut, content: item.content, reasoning: item.reasoning, chat }).toEqual({ cut, content: answer, reasoning: thought, chat: answer });
		}
	});
});

describe('a reasoning model: the rest of the item', () => {
	it('reports reasoning tokens in usage, streamed or not, only when Slier does', async () => {
		for (const stream of [false, true]) {
			const item = await runOne({ emulator, text: `Hi ${think('reasoning_content', { chars: 40, piece: 10 })}`, parameters: { stream } });
			expect(item.usage).toEqual({ promptTokens: 1, completionTokens: 8, totalTokens: 9, reasoningTokens: 4 });
		}
		const plain = await runOne({ emulator, text: 'Hi' });
		expect(plain.usage).toEqual({ promptTokens: 1, completionTokens: 4, totalTokens: 5 });
		expect(plain.reasoning).toBeNull();
	});

	it('open-less, streamed without Thought Starts Open: the item is still split (the chat may show the thought)', async () => {
		const question = `Go ${think('open-less', { text: b64('Let me see.') })} ${reply('Yes.')}`;
		const { item, chat } = await ask(question, { stream: true });
		expect([item.content, item.reasoning]).toEqual(['Yes.', 'Let me see.']);
		expect(chat).toBe('Let me see.\nYes.');
	});

	it('Thought Starts Open with a model that does not think: the whole text is the answer, sent at the end', async () => {
		const { item, chat, chunks } = await ask('Plain [[pace ms=5]]', { stream: true, options: { thoughtStartsOpen: true } });
		expect([item.content, item.reasoning]).toEqual(['claude-2 answers “Plain” ✓', null]);
		expect(chat).toBe(item.content);
		expect(chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end']);
	});

	it('a long thought counts as progress for Timeout: the answer comes though no answer text came for longer than Timeout', async () => {
		// 30 pieces of thought 40 ms apart (over a second), Timeout 600 ms.
		const item = await runOne({
			emulator,
			text: `Think hard ${think('reasoning_content', { chars: 300, piece: 10 })} [[pace ms=40]]`,
			parameters: { stream: true, options: { timeout: 600 } },
		});
		expect(item.error).toBeUndefined();
		expect(item.content).toBe('claude-2 answers “Think hard” ✓');
		expect(String(item.reasoning)).toHaveLength(300);
	});

	it.each(['reasoning_content', 'tags'] as const)('a stream that stalls after thinking (%s) says what arrived', async (form) => {
		const item = await runOne({
			emulator,
			// The first piece ends where the thought does (after `<think>\n` when framed).
			text: `Think ${think(form, { chars: 4120, cut: form === 'tags' ? 4128 : 4120, piece: 412, 'stall-ms': 3000 })}`,
			parameters: { stream: true, options: { timeout: 500 } },
		});
		expect(item.errorType).toBe('timeout');
		expect(item.error).toMatch(/^The stream was interrupted after 0 characters of the answer, 4,120 of reasoning had arrived: The stream was silent for longer than 0\.5 s/);
	});

	it('Slier Search answers carry a reasoning field too', async () => {
		const { items } = await runSlierNode({ emulator, type: 'slierSearch', items: [{ text: `Who? ${think('tags', { text: b64('Search first.') })}` }] });
		expect(items[0].json.reasoning).toBe('Search first.');
		expect(items[0].json.content).toMatch(/^Slier Search on “Who\?”/);
		expect(Object.keys(items[0].json).slice(0, 4)).toEqual(['content', 'reasoning', 'citations', 'links']);
	});

	it.each(['tags', 'harmony'] as const)('a stream the content filter stops after the thought (%s): no thought in content', async (form) => {
		const item = await runOne({ emulator, text: `Hi ${think(form, { text: b64('Secret plan.'), filter: 1 })}`, parameters: { stream: true } });
		expect(item.filtered).toBe(true);
		expect(item.content).toBeNull();
	});

	it.each([false, true])('a thought that echoes the API key, split across deltas, shows it redacted (stream %s)', async (stream) => {
		// runSlierNode fails the test if the key shows anywhere in the run data (raw included here).
		const item = await runOne({
			emulator,
			text: `Hi ${think('reasoning_content', { text: b64(`The key is ${TEST_API_KEY}, I should not say it.`), piece: 3 })}`,
			parameters: { stream, options: { simplify: false } },
		});
		expect(item.reasoning).toBe('The key is [redacted], I should not say it.');
	});

	it('a failed item never passes on an input field named reasoning (Include Input Fields)', async () => {
		const { items } = await runSlierNode({
			emulator,
			continueOnFail: true,
			items: [{ text: 'x [[status code=500]]', reasoning: 'from the input' }],
			parameters: { options: { includeInputFields: true, maxRetries: 0 } },
		});
		expect(items[0].json).not.toHaveProperty('reasoning');
		expect(items[0].json.errorType).toBe('server_error');
	});

	it('an answer with several choices: each choice’s content is its answer alone', async () => {
		const item = await runOne({ emulator, text: `Hi [[choices n=2]] ${reply('<think>Hmm.</think>Answer.')}` });
		expect((item.choices as Array<{ content: string }>)[0].content).toBe('Answer.');
		expect([item.content, item.reasoning]).toEqual(['Answer.', 'Hmm.']);
	});

	it('a refused (filtered) answer has reasoning null', async () => {
		const item = await runOne({ emulator, text: 'bad [[filter]]' });
		expect(item.filtered).toBe(true);
		expect(item.reasoning).toBeNull();
	});
});
