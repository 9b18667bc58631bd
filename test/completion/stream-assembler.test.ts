import { fromCompletion } from '../../nodes/shared/completion/normalize';
import { StreamAssembler } from '../../nodes/shared/completion/stream-assembler';
import { SlierError } from '../../nodes/shared/transport/errors';
import { CHAT_CHUNKS, CHAT_COMPLETION } from './api-reference-examples';

/** stream-assembler.ts on its own: `data:` payloads in, text as it may be passed on, then the answer. */
const KEY = 'sk-assembler-test-key-0001';

const event = (delta: object, finishReason: string | null, extra: object = {}, index = 0) =>
	JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'm', choices: [{ index, delta, finish_reason: finishReason }], ...extra });

/** Pushes every payload; returns the text passed on (pushes then the flush) and the assembler. */
function assemble(payloads: string[], apiKey?: string) {
	const assembler = new StreamAssembler(apiKey);
	let text = '';
	for (const data of payloads) text += assembler.push(data);
	text += assembler.flushText();
	return { assembler, text };
}

function failure(fn: () => unknown): SlierError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(SlierError);
		return error as SlierError;
	}
	throw new Error('expected a failure');
}

describe('StreamAssembler', () => {
	it("the API reference's chunks give the same answer as its completion object (but created and object of the stream)", () => {
		const { assembler, text } = assemble(CHAT_CHUNKS);
		expect(text).toBe(" I'm doing well, thanks for asking!");
		const { raw, ...streamed } = assembler.finish();
		const { raw: _plainRaw, ...plain } = fromCompletion(CHAT_COMPLETION);
		expect(streamed).toEqual({ ...plain, created: 1692154202 });
		expect(raw).toEqual({ ...CHAT_COMPLETION, created: 1692154202 });
	});

	it('is complete at [DONE] (or search finish: true) and reads nothing after it', () => {
		const assembler = new StreamAssembler();
		assembler.push(event({ content: 'a' }, 'stop'));
		expect(assembler.hasFinish).toBe(true);
		expect(assembler.complete).toBe(false);
		assembler.push(' [DONE] ');
		expect(assembler.complete).toBe(true);
		expect(assembler.push(event({ content: 'ignored' }, null))).toBe('');
		expect(assembler.finish().content).toBe('a');
		const search = new StreamAssembler();
		search.push(JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }], finish: true }));
		expect(search.complete).toBe(true);
		expect(search.finish().finishReason).toBe('stop');
	});

	it('progressMark grows with answer text and the finish, not with pings, empty or role-only deltas', () => {
		const assembler = new StreamAssembler();
		const marks = [assembler.progressMark];
		for (const data of [event({ role: 'assistant' }, null), event({ content: '' }, null), '{"type":"ping"}', event({ content: 'Hi' }, null), event({}, 'stop')]) {
			assembler.push(data);
			marks.push(assembler.progressMark);
		}
		expect(marks).toEqual([0, 0, 0, 0, 2, 3]);
	});

	it('n = 2: hasFinish only once every choice has its finish; text passed on is the first choice only', () => {
		const assembler = new StreamAssembler();
		expect(assembler.push(event({ content: 'one' }, null, {}, 1))).toBe('');
		expect(assembler.push(event({ content: 'zero' }, 'stop', {}, 0))).toBe('zero');
		expect(assembler.hasFinish).toBe(false);
		assembler.push(event({ content: ' more' }, 'length', {}, 1));
		expect(assembler.hasFinish).toBe(true);
		expect(assembler.finish().choices).toEqual([
			{ index: 0, content: 'zero', finishReason: 'stop' },
			{ index: 1, content: 'one more', finishReason: 'length' },
		]);
	});

	it('holds back the start of a key split across chunks, and never passes the key on', () => {
		const half = KEY.length / 2;
		const { assembler, text } = assemble([event({ content: `leak ${KEY.slice(0, half)}` }, null), event({ content: `${KEY.slice(half)} end` }, 'stop'), '[DONE]'], KEY);
		expect(text).not.toContain(KEY);
		expect(text).toMatch(/^leak .+ end$/);
		expect(assembler.finish().content).not.toContain(KEY);
		// Escaped in JSON ("\/" for "/"), the key is found once parsed, too.
		const escaped = assemble([JSON.stringify({ choices: [{ index: 0, delta: { content: `x ${KEY}` }, finish_reason: 'stop' }] })], KEY);
		expect(escaped.text).not.toContain(KEY);
	});

	it('id, created and model come from the first chunk that has them: a later chunk without them (a usage chunk) erases nothing', () => {
		const { assembler } = assemble([event({ content: 'x' }, 'stop'), JSON.stringify({ choices: [], usage: { total_tokens: 3 } }), '[DONE]']);
		expect(assembler.finish()).toMatchObject({ id: 'c1', created: 5, model: 'm' });
	});

	it('a chunk that lists two choices out of order: each text goes to its own index, the first choice is index 0', () => {
		const assembler = new StreamAssembler();
		const text = assembler.push(
			JSON.stringify({ choices: [{ index: 1, delta: { content: 'one' }, finish_reason: 'stop' }, { index: 0, delta: { content: 'zero' }, finish_reason: 'stop' }] }),
		);
		expect(text).toBe('zero');
		expect(assembler.finish()).toMatchObject({ content: 'zero', choices: [{ index: 0, content: 'zero' }, { index: 1, content: 'one' }] });
	});

	it('receivedChars counts the first choice, held-back characters included', () => {
		const assembler = new StreamAssembler(KEY);
		assembler.push(event({ content: 'abc sk-' }, null));
		expect(assembler.receivedChars).toBe(7);
	});

	// The errors carry facts (kind, problem, what was sent); their words are node/error-words.ts's.
	it.each([
		['a line that is not JSON', '{"id": "broken", "choi', { problem: 'bad_event', bodyExcerpt: '{"id": "broken", "choi' }],
		['JSON that is not an object', '42', { problem: 'not_object_event', bodyExcerpt: '42' }],
		['an error event', JSON.stringify({ error: { message: 'The model failed.', reason: 'server_error' } }), { problem: 'error_event', apiMessage: 'The model failed.', reason: 'server_error' }],
	])('%s fails as a stream error with its facts', (_name, data, facts) => {
		const assembler = new StreamAssembler();
		assembler.push(event({ content: 'abc' }, null));
		const error = failure(() => assembler.push(data));
		expect(error.kind).toBe('stream');
		expect(error.details).toMatchObject({ ...facts, receivedChars: 3 });
	});

	it('a stream that ends with neither [DONE] nor a finish ended early; one with no text and no finish has no answer', () => {
		const early = assemble([event({ content: 'half' }, null)]).assembler;
		expect(failure(() => early.finish())).toMatchObject({ kind: 'stream', details: { problem: 'ended_early', receivedChars: 4 } });
		const empty = assemble(['[DONE]']).assembler;
		expect(failure(() => empty.finish()).details.problem).toBe('no_answer');
	});

	it('a content_filter finish is a filtered answer, its text kept', () => {
		const { assembler } = assemble([event({ content: ' partial' }, 'content_filter'), '[DONE]']);
		expect(assembler.finish()).toMatchObject({ content: 'partial', filtered: true, finishReason: 'content_filter', filter: { reason: 'content_filter' } });
	});

	it('usage may come in a chunk of its own after the finish', () => {
		const { assembler } = assemble([event({ content: 'x' }, 'stop'), JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }), '[DONE]']);
		expect(assembler.finish().usage).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 });
	});

	it('a thought sent under both field names (vLLM while reasoning_content was an alias, mlx-vlm) is one thought, and raw keeps both names as the completion object has them', () => {
		const message = { role: 'assistant', content: 'Answer.', reasoning_content: 'Plan. More.', reasoning: 'Plan. More.' };
		const body = { id: 'c1', object: 'chat.completion', created: 5, model: 'm', choices: [{ index: 0, message, finish_reason: 'stop' }] };
		const { assembler, text } = assemble([
			event({ role: 'assistant', reasoning_content: 'Plan.', reasoning: 'Plan.' }, null),
			event({ reasoning_content: ' More.', reasoning: ' More.' }, null),
			event({ content: 'Answer.' }, 'stop'),
			'[DONE]',
		]);
		expect(text).toBe('Answer.');
		const { raw, ...streamed } = assembler.finish();
		const { raw: _plainRaw, ...plain } = fromCompletion(body);
		expect(streamed).toEqual(plain);
		expect(streamed.reasoning).toBe('Plan. More.');
		expect(raw).toEqual(body);
	});

	it('native tool calls in the first choice reach the answer, their arguments joined across chunks', () => {
		const call = (args: string, first: boolean) =>
			event({ tool_calls: [{ index: 0, ...(first ? { id: 'call_1', type: 'function' } : {}), function: { ...(first ? { name: 'Weather' } : {}), arguments: args } }] }, null);
		const { assembler } = assemble([call('{"city":', true), call('"Paris"}', false), event({}, 'tool_calls'), '[DONE]']);
		expect(assembler.finish().toolCalls).toEqual([{ id: 'call_1', name: 'Weather', arguments: '{"city":"Paris"}' }]);
	});
});
