/**
 * Reasoning models think before they answer, and some put the thought into `content` with framing
 * of their own. This file tells the thought from the answer, for a whole text and for a stream cut
 * anywhere (a tag may arrive one character at a time):
 * - `<think>…</think>` at the start (DeepSeek R1, Qwen3, QwQ, GLM, Magistral through llama.cpp);
 * - only the closing `</think>`, when the model's chat template opened the block itself
 *   (DeepSeek R1 0528, Qwen3 Thinking): everything before it is the thought;
 * - Command R7B: `<|START_THINKING|>…<|END_THINKING|><|START_RESPONSE|>…<|END_RESPONSE|>`;
 * - GPT-OSS (harmony): `<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>…`.
 * Thoughts sent in their own field (`reasoning_content`, `reasoning`) never reach this file.
 */

export interface ThoughtParts {
	/** Text that is certainly the answer. */
	answer: string;
	/** Text that is certainly thought. */
	thought: string;
}

interface Frame {
	open: string[];
	close: string;
	/** Tags around the answer after the thought, dropped from it. */
	answerOpen?: string[];
	answerClose?: string[];
}

const THINK: Frame = { open: ['<think>'], close: '</think>' };
const COMMAND_R: Frame = {
	open: ['<|START_THINKING|>'],
	close: '<|END_THINKING|>',
	answerOpen: ['<|START_RESPONSE|>'],
	answerClose: ['<|END_RESPONSE|>'],
};
/** Harmony: each message has a header (`<|start|>assistant<|channel|>NAME …<|message|>`) and ends with `<|end|>` (`<|return|>` at the very end). */
const HARMONY: Frame = { open: [], close: '<|end|>', answerClose: ['<|end|>', '<|return|>', '<|call|>'] };
const HARMONY_HEADER = ['<|start|>', '<|channel|>'];
const HEADER_END = '<|message|>';
/** A harmony header longer than this is no header: the text is taken as it is. */
const MAX_HEADER = 256;

/** Whether `text` could still become `tag` (it is a proper prefix of it). */
const couldBe = (text: string, tag: string) => text.length < tag.length && tag.startsWith(text);

/** How many characters at the end of `text` could be the start of one of `tags`. */
function heldTail(text: string, tags: string[]): number {
	let longest = 0;
	for (const tag of tags) {
		for (let n = Math.min(tag.length - 1, text.length); n > longest; n--) {
			if (text.endsWith(tag.slice(0, n))) {
				longest = n;
				break;
			}
		}
	}
	return longest;
}

type State = 'start' | 'thought' | 'between' | 'header' | 'answer';

/**
 * Splits a text that arrives in pieces. `push` returns what is decided so far; `flush`, at the end,
 * the rest. With `startsOpen`, a text without an opening tag is taken as thought until `</think>`
 * (and as the answer after all if none comes): nothing of it is passed on as answer before that.
 */
export class ThoughtSplitter {
	private state: State = 'start';
	private pending = '';
	private frame: Frame | undefined;
	/** Thought held because the block was never opened: it becomes the answer if no `</think>` comes. */
	private tentative = false;
	/** A held thought already searched for its end, in pieces: searching it again (or joining it) per push would be quadratic. */
	private held: string[] = [];

	constructor(private readonly startsOpen = false) {}

	push(piece: string): ThoughtParts {
		this.pending += piece;
		const out: ThoughtParts = { answer: '', thought: '' };
		while (this.step(out)) {
			/* each step consumes text or changes state */
		}
		return out;
	}

	flush(): ThoughtParts {
		const out: ThoughtParts = { answer: '', thought: '' };
		const rest = this.held.join('') + this.pending;
		this.held = [];
		this.pending = '';
		if (this.state === 'thought') {
			if (this.tentative) out.answer = rest;
			else out.thought = rest;
		} else if (this.state === 'answer' || this.state === 'start') {
			out.answer = rest;
		}
		// A harmony header cut off by the end (a content filter, a token limit) is framing, not answer.
		this.state = 'answer';
		return out;
	}

	/** Moves on as far as the text allows; false when it needs more text. */
	private step(out: ThoughtParts): boolean {
		switch (this.state) {
			case 'start':
				return this.atStart();
			case 'between':
				return this.afterThought();
			case 'header':
				return this.inHeader();
			case 'thought':
				return this.inThought(out);
			case 'answer':
				return this.inAnswer(out);
		}
	}

	private atStart(): boolean {
		const text = this.pending.replace(/^\s+/, '');
		if (text === '') return false;
		for (const frame of [THINK, COMMAND_R]) {
			const tag = frame.open.find((open) => text.startsWith(open));
			if (tag) return this.enterThought(frame, text.slice(tag.length));
		}
		if (HARMONY_HEADER.some((tag) => text.startsWith(tag))) {
			this.frame = HARMONY;
			this.pending = text;
			this.state = 'header';
			return true;
		}
		if (COMMAND_R.answerOpen!.some((tag) => text.startsWith(tag))) {
			this.frame = COMMAND_R;
			this.pending = text.slice(COMMAND_R.answerOpen![0].length);
			this.state = 'answer';
			return true;
		}
		const tags = [...THINK.open, ...COMMAND_R.open, ...COMMAND_R.answerOpen!, ...HARMONY_HEADER];
		if (tags.some((tag) => couldBe(text, tag))) return false;
		if (this.startsOpen) {
			this.tentative = true;
			return this.enterThought(THINK, this.pending);
		}
		this.state = 'answer';
		return true;
	}

	private enterThought(frame: Frame, rest: string): boolean {
		this.frame = frame;
		this.pending = rest;
		this.state = 'thought';
		return true;
	}

	private inThought(out: ThoughtParts): boolean {
		const close = this.frame!.close;
		const at = this.pending.indexOf(close);
		if (at >= 0) {
			if (this.held.length > 0) out.thought += this.held.join('');
			this.held = [];
			out.thought += this.pending.slice(0, at);
			this.pending = this.pending.slice(at + close.length);
			this.tentative = false;
			this.state = 'between';
			return true;
		}
		// A block the template opened stays undecided until its end: nothing of it is passed on yet.
		if (this.tentative) {
			const keep = close.length - 1; // the start of a `</think>` split across pieces
			if (this.pending.length > keep) {
				this.held.push(this.pending.slice(0, this.pending.length - keep));
				this.pending = this.pending.slice(this.pending.length - keep);
			}
			return false;
		}
		const keep = heldTail(this.pending, [close]);
		out.thought += this.pending.slice(0, this.pending.length - keep);
		this.pending = this.pending.slice(this.pending.length - keep);
		return false;
	}

	private afterThought(): boolean {
		const frame = this.frame!;
		const text = this.pending.replace(/^\s+/, '');
		if (text === '') return false;
		if (frame === HARMONY) {
			if (HARMONY_HEADER.some((tag) => text.startsWith(tag))) {
				this.pending = text;
				this.state = 'header';
				return true;
			}
			if (HARMONY_HEADER.some((tag) => couldBe(text, tag))) return false;
		}
		const opens = [...frame.open, ...(frame.answerOpen ?? [])];
		const open = opens.find((tag) => text.startsWith(tag));
		if (open && frame.open.includes(open)) return this.enterThought(frame, text.slice(open.length));
		if (open) {
			this.pending = text.slice(open.length);
			this.state = 'answer';
			return true;
		}
		if (opens.some((tag) => couldBe(text, tag))) return false;
		this.pending = text;
		this.state = 'answer';
		return true;
	}

	/** A harmony header: an `analysis` message is thought, any other (`final`) is the answer. */
	private inHeader(): boolean {
		const at = this.pending.indexOf(HEADER_END);
		if (at < 0) {
			if (this.pending.length > MAX_HEADER) this.state = 'answer';
			return this.state === 'answer';
		}
		const header = this.pending.slice(0, at);
		this.pending = this.pending.slice(at + HEADER_END.length);
		this.state = /<\|channel\|>\s*analysis\b/.test(header) ? 'thought' : 'answer';
		return true;
	}

	private inAnswer(out: ThoughtParts): boolean {
		// Without framing, a lone `</think>` may still come: the template opened the block.
		const closes = this.frame ? (this.frame.answerClose ?? []) : [THINK.close];
		if (closes.length === 0) {
			out.answer += this.pending;
			this.pending = '';
			return false;
		}
		const found = closes
			.map((tag) => ({ tag, at: this.pending.indexOf(tag) }))
			.filter((hit) => hit.at >= 0)
			.sort((a, b) => a.at - b.at)[0];
		if (found) {
			const before = this.pending.slice(0, found.at);
			this.pending = this.pending.slice(found.at + found.tag.length);
			if (this.frame) {
				out.answer += before;
				this.state = 'between';
			} else {
				// A lone `</think>` with no opener: the template opened the block, and what came before
				// was thought (already passed on as answer while streaming, unless startsOpen).
				out.thought += before;
				this.frame = THINK;
				this.state = 'between';
			}
			return true;
		}
		const keep = heldTail(this.pending, closes);
		out.answer += this.pending.slice(0, this.pending.length - keep);
		this.pending = this.pending.slice(this.pending.length - keep);
		return false;
	}
}

/** The answer and the thought of a whole text (`thought` null when there was none, or only blanks). */
export function splitThought(text: string): { answer: string; thought: string | null } {
	// The whole text is known: a block the template opened is found by its `</think>` when it comes.
	const splitter = new ThoughtSplitter();
	const a = splitter.push(text);
	const b = splitter.flush();
	const thought = (a.thought + b.thought).trim();
	return { answer: a.answer + b.answer, thought: thought === '' ? null : thought };
}

/** The fields servers send a thought in: `reasoning_content` (DeepSeek, vLLM before 0.10), `reasoning` (vLLM, Ollama, OpenRouter). */
export const THOUGHT_FIELDS = ['reasoning_content', 'reasoning'] as const;

/** The thought a message or a stream delta carries in a field of its own, if any. */
export function readThought(message: Record<string, unknown>): string | null {
	for (const field of THOUGHT_FIELDS) {
		if (typeof message[field] === 'string' && message[field] !== '') return message[field];
	}
	return null;
}

/** A field's thought and a framed one (rarely both), as one text; null when there is none. */
export function joinThoughts(...thoughts: Array<string | null>): string | null {
	const text = thoughts
		.map((thought) => thought?.trim() ?? '')
		.filter((thought) => thought !== '')
		.join('\n\n');
	return text === '' ? null : text;
}
