import { joinThoughts, readThought, splitThought, ThoughtSplitter } from '../../nodes/shared/completion/reasoning';

/**
 * Telling a model's thought from its answer, on the outputs public parser tests use:
 *   vllm-project/vllm tests/reasoning/test_deepseekr1_reasoning_parser.py (the `output` of each case)
 *   vllm-project/vllm tests/reasoning/test_gptoss_reasoning_parser.py (BASIC_CONTENT, COMPLEX_CONTENT_1_WITH_CONTENT,
 *     from `<|start|>assistant` on: the leading `<|end|>` there closes the prompt, not the model's text)
 *   ggml-org/llama.cpp tests/test-chat.cpp (Command R7B, message_assist_thoughts)
 * Each is split whole, then streamed cut at every position, and one character at a time.
 */
const FIXTURES: Array<{ source: string; output: string; answer: string; thought: string | null; openLess?: boolean }> = [
	{ source: 'vLLM deepseek_r1 SIMPLE_REASONING', output: 'This is a reasoning section</think>This is the rest', answer: 'This is the rest', thought: 'This is a reasoning section', openLess: true },
	{ source: 'vLLM deepseek_r1 COMPLETE_REASONING', output: 'This is a reasoning section</think>', answer: '', thought: 'This is a reasoning section', openLess: true },
	{ source: 'vLLM deepseek_r1 MULTIPLE_LINES', output: 'This\nThat</think>This is the rest\nThat', answer: 'This is the rest\nThat', thought: 'This\nThat', openLess: true },
	{ source: 'vLLM deepseek_r1 SHORTEST_REASONING', output: '</think>This is the rest', answer: 'This is the rest', thought: null },
	{ source: 'vLLM deepseek_r1 REASONING_WITH_THINK', output: '<think>This is a reasoning section</think>This is the rest', answer: 'This is the rest', thought: 'This is a reasoning section' },
	{ source: 'vLLM deepseek_r1 MULTIPLE_LINES_WITH_THINK', output: '<think>This\nThat</think>This is the rest\nThat', answer: 'This is the rest\nThat', thought: 'This\nThat' },
	{ source: 'vLLM deepseek_r1 THINK_NO_END (cut off while thinking)', output: '<think>This is a reasoning section', answer: '', thought: 'This is a reasoning section' },
	{ source: 'vLLM deepseek_r1 NEW_LINE', output: '\n<think>This is a reasoning section</think>\nThis is the rest', answer: 'This is the rest', thought: 'This is a reasoning section' },
	// vLLM's NO_CONTENT takes untagged text for thought (its parser is configured per model); here it is the answer.
	{ source: 'vLLM deepseek_r1 NO_CONTENT', output: 'This is content', answer: 'This is content', thought: null },
	{
		source: 'vLLM gptoss BASIC_CONTENT',
		output: '<|start|>assistant<|channel|>analysis<|message|>This is reasoning<|end|><|start|>assistant<|channel|>final<|message|>This is the rest',
		answer: 'This is the rest',
		thought: 'This is reasoning',
	},
	{
		source: 'vLLM gptoss COMPLEX_CONTENT_1_WITH_CONTENT',
		output: '<|channel|>analysis<|message|>This is reasoning<|end|><|start|>assistant<|channel|>final <|constrain|> JSON <|message|>This is the rest<|return|>',
		answer: 'This is the rest',
		thought: 'This is reasoning',
	},
	{
		source: 'llama.cpp test-chat.cpp Command R7B',
		output: "<|START_THINKING|>I'm\nthinking<|END_THINKING|><|START_RESPONSE|>Hello, world!\nWhat's up?<|END_RESPONSE|>",
		answer: "Hello, world!\nWhat's up?",
		thought: "I'm\nthinking",
	},
	{ source: 'llama.cpp test-chat.cpp Command R7B, no thought', output: "<|START_RESPONSE|>Hello, world!\nWhat's up?<|END_RESPONSE|>", answer: "Hello, world!\nWhat's up?", thought: null },
	{ source: 'llama.cpp test-chat.cpp message_assist_thoughts_unparsed_deepseek', output: "<think>I'm\nthinking</think>Hello, world!\nWhat's up?", answer: "Hello, world!\nWhat's up?", thought: "I'm\nthinking" },
	// Answers that only look like tags stay as they are.
	{ source: 'an answer with HTML', output: '<b>bold</b> and <|not a tag|>', answer: '<b>bold</b> and <|not a tag|>', thought: null },
	{ source: 'an answer about the tag', output: 'Use <think> to open a block.', answer: 'Use <think> to open a block.', thought: null },
];

/** Streams `text` in the given pieces; returns what was passed on as answer and as thought. */
function stream(pieces: string[], startsOpen: boolean): { answer: string; thought: string } {
	const splitter = new ThoughtSplitter(startsOpen);
	let answer = '';
	let thought = '';
	for (const piece of [...pieces.map((p) => splitter.push(p)), splitter.flush()]) {
		answer += piece.answer;
		thought += piece.thought;
	}
	return { answer, thought };
}

const cuts = (text: string) => [
	...Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]),
	[...text], // one character at a time
];

describe.each(FIXTURES)('$source', ({ output, answer, thought, openLess }) => {
	it('is split whole', () => {
		const split = splitThought(output);
		expect({ answer: split.answer.trim(), thought: split.thought }).toEqual({ answer, thought });
	});

	it('streamed, cut anywhere: the same answer, and the thought never passed on as answer', () => {
		for (const pieces of cuts(output)) {
			const got = stream(pieces, false);
			if (openLess) {
				// Without Thought Starts Open a stream cannot know before </think>: what came before it
				// was passed on; the tag never is, nor anything but the answer after it.
				expect(got.answer.trim().endsWith(answer)).toBe(true);
				expect(got.answer).not.toContain('</think>');
			} else {
				expect({ pieces, answer: got.answer.trim(), thought: got.thought.trim() || null }).toEqual({ pieces, answer, thought });
			}
			const open = stream(pieces, true);
			expect({ pieces, answer: open.answer.trim(), thought: open.thought.trim() || null }).toEqual({ pieces, answer, thought });
		}
	});
});

it('a text the template opened but never closed is the answer after all (Thought Starts Open with a model that does not think)', () => {
	const splitter = new ThoughtSplitter(true);
	expect(splitter.push('Just an answer')).toEqual({ answer: '', thought: '' }); // held: it could still be a thought
	expect(splitter.flush()).toEqual({ answer: 'Just an answer', thought: '' });
});

it('a harmony header cut off by the end of the text is no part of the answer', () => {
	expect(splitThought('<|channel|>analysis<|message|>Plan.<|end|><|start|>assistant<|channel|>final<|mess')).toEqual({ answer: '', thought: 'Plan.' });
});

it('several harmony analysis messages are all thought', () => {
	const text = '<|channel|>analysis<|message|>One.<|end|><|start|>assistant<|channel|>analysis<|message|>Two.<|end|><|start|>assistant<|channel|>final<|message|>Done.<|return|>';
	expect(splitThought(text)).toEqual({ answer: 'Done.', thought: 'One.Two.' });
});

it('an answer that ends like the start of a tag keeps its last characters, streamed or not', () => {
	for (const text of ['<', 'Put the smaller number left: 3 <']) {
		expect(splitThought(text)).toEqual({ answer: text, thought: null });
		for (const pieces of cuts(text)) expect({ pieces, ...stream(pieces, false) }).toEqual({ pieces, answer: text, thought: '' });
	}
});

it('a thought block after several blank lines is still found', () => {
	expect(splitThought('\n\n<think>Plan.</think>Answer.')).toEqual({ answer: 'Answer.', thought: 'Plan.' });
	expect(splitThought(' \n \n<|START_THINKING|>Plan.<|END_THINKING|><|START_RESPONSE|>Answer.<|END_RESPONSE|>')).toEqual({ answer: 'Answer.', thought: 'Plan.' });
});

it('with Thought Starts Open, a second thought block is passed on as thought as it comes, and stays thought when cut off', () => {
	const splitter = new ThoughtSplitter(true);
	expect(splitter.push('First.</think>\n<think>Second')).toEqual({ answer: '', thought: 'First.Second' });
	expect(splitter.flush()).toEqual({ answer: '', thought: '' });
});

it('a harmony header as long as the limit (256 characters), streamed, is still a header; a longer one is no header', () => {
	const rest = '<|message|>Plan.<|end|><|start|>assistant<|channel|>final<|message|>Answer.<|return|>';
	const header = (length: number) => '<|channel|>analysis'.padEnd(length, ' ');
	expect(header(256)).toHaveLength(256);
	expect(stream([header(256), rest], false)).toEqual({ answer: 'Answer.', thought: 'Plan.' });
	const tooLong = stream([header(257), rest], false);
	expect(tooLong.thought).toBe('');
	expect(tooLong.answer.startsWith('<|channel|>analysis')).toBe(true);
});

it('a harmony answer in several messages (a commentary preamble, then the final one) loses the framing between them', () => {
	const text = '<|channel|>commentary<|message|>Let me check.<|end|><|start|>assistant<|channel|>final<|message|>Done.<|return|>';
	const split = splitThought(text);
	expect(split.thought).toBeNull();
	expect(split.answer).not.toContain('<|');
	expect(split.answer.startsWith('Let me check.')).toBe(true);
	expect(split.answer.endsWith('Done.')).toBe(true);
});

it('a thought of only blanks is no thought, and a thought is given without its surrounding blanks', () => {
	expect(splitThought('<think>\n\n</think>Answer.')).toEqual({ answer: 'Answer.', thought: null });
	expect(splitThought('<think>\nPlan.\n</think>Answer.')).toEqual({ answer: 'Answer.', thought: 'Plan.' });
});

it('an empty thought field does not hide a thought in the other one', () => {
	expect(readThought({ content: 'Answer.', reasoning_content: '', reasoning: 'Plan.' })).toBe('Plan.');
	expect(readThought({ content: 'Answer.', reasoning_content: '' })).toBeNull();
});

it('a thought in a field and a framed one are kept apart as paragraphs', () => {
	expect(joinThoughts(' From the field. ', '\nFramed.\n')).toBe('From the field.\n\nFramed.');
	expect(joinThoughts(null, ' ')).toBeNull();
});

it('a message with a different thought in each field gives the one in reasoning_content, the name DeepSeek set and most clients read', () => {
	expect(readThought({ content: 'Answer.', reasoning: 'From reasoning.', reasoning_content: 'From reasoning_content.' })).toBe('From reasoning_content.');
	expect(readThought({ content: 'Answer.', reasoning: 'From reasoning.' })).toBe('From reasoning.');
});
