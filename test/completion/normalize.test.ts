import { choiceTexts, cleanContent, contentText, fromCompletion, fromFilterError, toCreated, toUsage } from '../../nodes/shared/completion/normalize';
import { SlierError } from '../../nodes/shared/transport/errors';
import { CHAT_COMPLETION } from './api-reference-examples';

/** normalize.ts on its own: a completion as the API sends it becomes the node's answer. */
describe('fromCompletion', () => {
	it("the API reference's example becomes the answer: text trimmed, usage and scalars kept, raw untouched", () => {
		expect(fromCompletion(CHAT_COMPLETION)).toEqual({
			content: "I'm doing well, thanks for asking!",
			reasoning: null, // the reference's models do not think
			role: 'assistant',
			finishReason: 'stop',
			model: 'claude-2',
			usage: { promptTokens: 12, completionTokens: 9, totalTokens: 21 },
			filtered: false,
			filter: null,
			id: '9f6280c9e7e340edb043a1b1d512ea4b',
			created: 1692154125,
			raw: CHAT_COMPLETION,
		});
	});

	it('takes the choice with index 0 wherever it is listed, and lists every choice when there are several', () => {
		const body = {
			object: 'chat.completion',
			choices: [
				{ index: 1, message: { content: ' second' }, finish_reason: 'length' },
				{ index: 0, message: { role: 'assistant', content: ' first' }, finish_reason: 'stop' },
			],
		};
		const answer = fromCompletion(body);
		expect(answer.content).toBe('first');
		expect(answer.finishReason).toBe('stop');
		expect(answer.choices).toEqual([
			{ index: 0, content: 'first', finishReason: 'stop' },
			{ index: 1, content: 'second', finishReason: 'length' },
		]);
	});

	it('one choice: no choices field', () => {
		expect(fromCompletion(CHAT_COMPLETION)).not.toHaveProperty('choices');
	});

	it('a content_filter finish is a filtered answer with the default filter', () => {
		const answer = fromCompletion({ ...CHAT_COMPLETION, choices: [{ index: 0, message: { content: null }, finish_reason: 'content_filter' }] });
		expect(answer).toMatchObject({ content: null, filtered: true, filter: { reason: 'content_filter', param: null, message: null } });
	});

	it.each([
		['JSON that is no object', [1, 2], 'not_api'],
		['an object with neither choices nor a completion object', { data: [] }, 'not_api'],
		['a completion without choices', { object: 'chat.completion' }, 'no_choice'],
		['a choice without a message', { choices: [{ index: 0, delta: { content: 'x' } }] }, 'no_choice'],
		['neither text nor a finish reason', { choices: [{ index: 0, message: { content: '  ' }, finish_reason: null }] }, 'no_answer'],
	])('%s is an error (%s), never an empty answer', (_name, body, problem) => {
		let caught: unknown;
		try {
			fromCompletion(body);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(SlierError);
		expect((caught as SlierError).kind).toBe('response');
		expect((caught as SlierError).details.problem).toBe(problem);
	});
});

describe('the pieces of an answer', () => {
	it.each([
		[1692154125, 1692154125],
		['1692154125', 1692154125],
		['', null],
		['soon', null],
		[Number.NaN, null],
		[null, null],
	])('toCreated(%p) is %p (documented as a string, sent as a number)', (value, expected) => {
		expect(toCreated(value)).toBe(expected);
	});

	it('toUsage: names made camelCase; a missing total is the sum; anything else null', () => {
		expect(toUsage({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 })).toEqual({ promptTokens: 12, completionTokens: 9, totalTokens: 21 });
		expect(toUsage({ prompt_tokens: 12, completion_tokens: 9 })).toEqual({ promptTokens: 12, completionTokens: 9, totalTokens: 21 });
		expect(toUsage({ prompt_tokens: 12 })).toEqual({ promptTokens: 12, completionTokens: null, totalTokens: null });
		expect(toUsage({ prompt_tokens: '12', completion_tokens: 9, total_tokens: 21 })).toEqual({ promptTokens: null, completionTokens: 9, totalTokens: 21 });
		expect(toUsage(null)).toBeNull();
		expect(toUsage([1])).toBeNull();
	});

	it('cleanContent trims the leading space the API pads with; no text at all is null', () => {
		expect(cleanContent(" I'm fine ")).toBe("I'm fine");
		expect(cleanContent(' \n ')).toBeNull();
		expect(cleanContent('')).toBeNull();
		expect(cleanContent(null)).toBeNull();
	});

	it('contentText joins text parts (typed text or output_text, or plain strings) and ignores the rest', () => {
		expect(contentText('plain')).toBe('plain');
		expect(contentText([{ type: 'text', text: 'a' }, 'b', { text: 'c' }, { type: 'output_text', text: 'd' }, { type: 'image_url', text: 'no' }, 7])).toBe('abcd');
		expect(contentText([{ type: 'image_url', image_url: {} }])).toBeNull();
		expect(contentText({ text: 'not a list' })).toBeNull();
		expect(contentText([])).toBeNull();
	});

	it('choiceTexts: sorted by index, from message or delta, the position when there is no index, non-objects dropped', () => {
		const choices = [
			{ index: 1, delta: { content: ' b' }, finish_reason: null },
			{ index: 0, message: { content: ' a ' }, finish_reason: 'stop' },
			'junk',
			{ message: { content: 'd' }, finish_reason: 'length' },
		];
		expect(choiceTexts(choices)).toEqual([
			{ index: 0, content: 'a', finishReason: 'stop' },
			{ index: 1, content: 'b', finishReason: null },
			{ index: 3, content: 'd', finishReason: 'length' },
		]);
	});

	it('fromFilterError: the filtered answer keeps the reason, param and message the API gave', () => {
		const raw = { error: { message: 'blocked', param: 'prompt', reason: 'content_filter', status: 400 } };
		expect(fromFilterError({ reason: 'content_filter', param: 'prompt', apiMessage: 'blocked' }, raw)).toEqual({
			content: null,
			reasoning: null,
			role: 'assistant',
			finishReason: 'content_filter',
			model: null,
			usage: null,
			filtered: true,
			filter: { reason: 'content_filter', param: 'prompt', message: 'blocked' },
			id: null,
			created: null,
			raw,
		});
	});
});
