import { LIMITS, tooLarge } from '../transport/body';
import { excerpt, readApiError, SlierError } from '../transport/errors';
import { parseJson } from '../transport/parse-json';
import { redactKey, redactParsed, StreamRedactor } from '../transport/redact';
import { choiceTexts, cleanContent, contentText, filterOf, noAnswerError, toCreated, toUsage } from './normalize';
import { joinThoughts, readThought, splitThought, THOUGHT_FIELDS, ThoughtSplitter } from './reasoning';
import { ToolCallAssembler } from './tool-calls';
import type { Answer, Usage } from './types';

/** One choice of a stream (`n` > 1 interleaves several, told apart by `index`). */
interface ChoiceState {
	text: string;
	role: string | null;
	finishReason: string | null;
	/** Holds back the end of the text while it could still be the start of a split API key. */
	redactor: StreamRedactor | undefined;
}

/**
 * Builds one answer from SSE chunks as they arrive. It keeps the text and a few scalars, never
 * the chunks themselves, so memory stays bounded by the answer's size. `push` returns the text
 * of the first choice (index 0) that may be passed on now (the end of the text is held back while
 * it could still be the start of a split API key); `flushText` returns what was held once the
 * stream has ended. Other choices are kept apart and reach the answer's `choices`.
 */
export class StreamAssembler {
	private readonly choices = new Map<number, ChoiceState>();
	private finished = false; // search chunks carry `finish: true`
	private done = false; // saw `data: [DONE]`
	private id: string | null = null;
	private created: number | null = null;
	private model: string | null = null;
	private object: string | null = null;
	private usage: Usage | null = null;
	private rawUsage: unknown = undefined;
	private chars = 0;
	private readonly toolCalls = new ToolCallAssembler(); // native tool calls, when a model sends any
	/** The first choice's thought sent in a field of its own, and the names it came under (for `raw`: a server may send it under both). */
	private thought = '';
	private thoughtFields: string[] = [];
	/** Passes on only the answer of a text that may carry a framed thought (`<think>…</think>`). */
	private readonly live: ThoughtSplitter;

	constructor(
		private readonly apiKey?: string,
		options: { thoughtStartsOpen?: boolean } = {},
	) {
		this.live = new ThoughtSplitter(options.thoughtStartsOpen === true);
	}

	/** True once the answer is complete: `[DONE]`, or search's `finish: true`. Nothing after it is read. */
	get complete(): boolean {
		return this.done || this.finished;
	}

	/**
	 * True once the answer has its finish reason (every choice's, when there are several), or
	 * search's `finish: true`, or `[DONE]`: it is whole, and only a usage chunk or `[DONE]` may still follow.
	 */
	get hasFinish(): boolean {
		if (this.complete) return true;
		const choices = [...this.choices.values()];
		return choices.length > 0 && choices.every((choice) => choice.finishReason !== null);
	}

	/**
	 * Grows with every part of the answer that arrives (text of any choice, native tool calls, the
	 * finish); it stays put for pings, empty deltas and role-only chunks. The transport's Timeout
	 * for a stream restarts only when it grows.
	 */
	get progressMark(): number {
		return this.chars + this.thought.length + this.toolCalls.received + (this.hasFinish ? 1 : 0);
	}

	/** Characters of the first choice's answer and of its thought so far (framed or in a field), for the words of a broken stream. */
	received(): { answer: number; reasoning: number } {
		const first = this.choices.get(0);
		const split = splitThought(first?.text ?? '');
		return {
			answer: split.answer.length + (first?.redactor?.heldChars ?? 0),
			reasoning: (joinThoughts(this.thought, split.thought) ?? '').length,
		};
	}

	/** Characters of the first choice's text received so far, including any held back for redaction. */
	get receivedChars(): number {
		const first = this.choices.get(0);
		return first ? first.text.length + (first.redactor?.heldChars ?? 0) : 0;
	}

	/** Takes one `data:` payload; returns the new text to pass on. Throws on malformed JSON or an error event. */
	push(data: string): string {
		if (this.done) return '';
		if (data.trim() === '[DONE]') {
			this.done = true;
			return '';
		}
		const chunk = parseJson(data) as Record<string, unknown> | undefined;
		if (chunk === undefined) {
			throw new SlierError('stream', {
				problem: 'bad_event',
				bodyExcerpt: this.redacted(excerpt(data)),
				receivedChars: this.receivedChars,
			});
		}
		// The one redaction of the chunk: over its parsed strings, so JSON escapes ("\/") hide nothing.
		if (this.apiKey) redactParsed(chunk, this.apiKey);
		if (chunk === null || typeof chunk !== 'object') {
			throw new SlierError('stream', {
				problem: 'not_object_event',
				bodyExcerpt: this.redacted(excerpt(data)),
				receivedChars: this.receivedChars,
			});
		}
		if (chunk.error !== undefined && chunk.error !== null) this.failWith(chunk.error);
		this.id ??= typeof chunk.id === 'string' ? chunk.id : null;
		this.created ??= toCreated(chunk.created);
		this.model ??= typeof chunk.model === 'string' ? chunk.model : null;
		this.object ??= typeof chunk.object === 'string' ? chunk.object : null;
		if (chunk.usage !== undefined && chunk.usage !== null) {
			this.rawUsage = chunk.usage;
			this.usage = toUsage(chunk.usage);
		}
		if (chunk.finish === true) this.finished = true;
		if (!Array.isArray(chunk.choices)) return '';
		let text = '';
		chunk.choices.forEach((value, position) => {
			if (!value || typeof value !== 'object') return;
			const choice = value as Record<string, unknown>;
			const index = typeof choice.index === 'number' && Number.isInteger(choice.index) && choice.index >= 0 ? choice.index : position;
			const state = this.choice(index);
			const delta = (choice.delta ?? choice.message) as Record<string, unknown> | undefined;
			if (delta && typeof delta === 'object') {
				if (typeof delta.role === 'string') state.role ??= delta.role;
				if (index === 0) {
					this.toolCalls.push(delta.tool_calls);
					this.pushThought(delta);
				}
				const piece = contentText(delta.content);
				if (piece) {
					const safe = this.append(state, piece);
					if (index === 0) text += this.live.push(safe).answer;
				}
			}
			if (typeof choice.finish_reason === 'string') state.finishReason = choice.finish_reason;
		});
		return text;
	}

	/** Text from a chunk that could not be parsed, for an error. */
	private redacted(text: string): string {
		return this.apiKey ? redactKey(text, this.apiKey) : text;
	}

	private choice(index: number): ChoiceState {
		let state = this.choices.get(index);
		if (!state) {
			// A hostile stream could name endless indexes: each costs a little, the text cap bounds all.
			state = { text: '', role: null, finishReason: null, redactor: this.apiKey ? new StreamRedactor(this.apiKey) : undefined };
			this.choices.set(index, state);
		}
		return state;
	}

	/** A thought in a field of its own: kept apart, counted as progress, never passed on as answer. */
	private pushThought(delta: Record<string, unknown>): void {
		const piece = readThought(delta);
		if (piece === null) return;
		if (this.chars + this.thought.length + piece.length > LIMITS.answerChars) {
			throw tooLarge('big_answer', LIMITS.answerChars);
		}
		if (this.thoughtFields.length === 0) this.thoughtFields = THOUGHT_FIELDS.filter((field) => delta[field] === piece);
		this.thought += piece;
	}

	private append(state: ChoiceState, piece: string): string {
		if (this.chars + piece.length > LIMITS.answerChars) {
			throw tooLarge('big_answer', LIMITS.answerChars);
		}
		this.chars += piece.length;
		const safe = state.redactor ? state.redactor.push(piece) : piece;
		state.text += safe;
		return safe;
	}

	/** The first choice's text held back for redaction, once the stream has ended (or broke). */
	flushText(): string {
		let first = '';
		for (const [index, state] of this.choices) {
			const rest = state.redactor?.flush() ?? '';
			state.text += rest;
			if (index === 0) first = this.live.push(rest).answer + this.live.flush().answer;
		}
		return first;
	}

	private failWith(error: unknown): never {
		const e = (typeof error === 'object' ? error : { message: String(error) }) as Record<string, unknown>;
		const details = {
			...readApiError(e),
			problem: 'error_event' as const,
			status: typeof e.status === 'number' ? e.status : undefined,
			receivedChars: this.receivedChars,
		};
		throw new SlierError('stream', details);
	}

	/** The first choice's text received so far, for a filtered or interrupted answer (after flushText). */
	partialText(): string | null {
		const text = this.choices.get(0)?.text ?? '';
		return cleanContent(splitThought(text).answer);
	}

	/**
	 * The final answer. Throws if the stream ended with neither `[DONE]` nor a finish signal, or
	 * held neither text nor a finish reason (a stream of nothing but `[DONE]` is no answer).
	 */
	finish(): Answer {
		this.flushText(); // the caller streams it first; this only makes sure content has it
		const first = this.choices.get(0);
		const finishReason = first?.finishReason ?? null;
		if (!this.done && finishReason === null && !this.finished) {
			throw new SlierError('stream', { problem: 'ended_early', receivedChars: this.receivedChars });
		}
		const split = splitThought(first?.text ?? '');
		const content = cleanContent(split.answer);
		if (content === null && finishReason === null) throw noAnswerError('stream');
		const filtered = finishReason === 'content_filter';
		const raw = this.toCompletion();
		const toolCalls = this.toolCalls.result();
		return {
			...(toolCalls ? { toolCalls } : {}),
			content,
			reasoning: joinThoughts(this.fieldThought(), split.thought),
			role: first?.role ?? 'assistant',
			finishReason: finishReason ?? (this.finished ? 'stop' : null),
			model: this.model,
			usage: this.usage,
			filtered,
			filter: filtered ? filterOf({}) : null,
			id: this.id,
			created: this.created,
			...(this.choices.size > 1 ? { choices: choiceTexts(raw.choices as unknown[]) } : {}),
			raw,
		};
	}

	/** The field's thought whole: a key split across deltas is only whole here. */
	private fieldThought(): string {
		return this.apiKey ? redactKey(this.thought, this.apiKey) : this.thought;
	}

	/** The non-streamed response this stream is equivalent to. */
	private toCompletion(): Record<string, unknown> {
		const raw: Record<string, unknown> = {};
		if (this.id !== null) raw.id = this.id;
		if (this.object !== null) raw.object = this.object.replace(/\.chunk$/, '');
		if (this.created !== null) raw.created = this.created;
		if (this.model !== null) raw.model = this.model;
		const indexes = [...this.choices.keys()].sort((a, b) => a - b);
		raw.choices = (indexes.length > 0 ? indexes : [0]).map((index) => {
			const state = this.choices.get(index);
			const finishReason = state?.finishReason ?? (this.finished ? 'stop' : null);
			return {
				index,
				message: {
					role: state?.role ?? 'assistant',
					content: state && state.text !== '' ? state.text : null,
					...(index === 0 ? Object.fromEntries(this.thoughtFields.map((field) => [field, this.fieldThought()])) : {}),
				},
				finish_reason: finishReason,
			};
		});
		if (this.rawUsage !== undefined) raw.usage = this.rawUsage;
		return raw;
	}
}
