import { LIMITS, tooLarge } from '../transport/body';
import { excerpt, readApiError, SlierError } from '../transport/errors';
import { redactParsed, StreamRedactor } from '../transport/redact';
import { cleanContent, filterOf, toCreated, toUsage } from './normalize';
import type { Answer, Usage } from './types';

/**
 * Builds one answer from SSE chunks as they arrive. It keeps the text and a few scalars, never
 * the chunks themselves, so memory stays bounded by the answer's size. `push` returns the text
 * that may be passed on now (the end of the text is held back while it could still be the start
 * of a split API key); `flushText` returns what was held once the stream has ended.
 */
export class StreamAssembler {
	private text = '';
	private role: string | null = null;
	private finishReason: string | null = null;
	private finished = false; // search chunks carry `finish: true`
	private done = false; // saw `data: [DONE]`
	private id: string | null = null;
	private created: number | null = null;
	private model: string | null = null;
	private object: string | null = null;
	private usage: Usage | null = null;
	private rawUsage: unknown = undefined;

	/** Holds back the end of the text while it could still be the start of a split API key. */
	private readonly redactor: StreamRedactor | undefined;

	constructor(private readonly apiKey?: string) {
		this.redactor = apiKey ? new StreamRedactor(apiKey) : undefined;
	}

	/** True once the answer is complete: `[DONE]`, or search's `finish: true`. Nothing after it is read. */
	get complete(): boolean {
		return this.done || this.finished;
	}

	/**
	 * True once the answer has its finish reason (or search's `finish: true`, or `[DONE]`): it is
	 * whole, and only a usage chunk or `[DONE]` may still follow.
	 */
	get hasFinish(): boolean {
		return this.finishReason !== null || this.complete;
	}

	/**
	 * Grows with every part of the answer that arrives (its text, its finish); it stays put for
	 * pings, empty deltas and role-only chunks. The transport's Timeout for a stream restarts only
	 * when it grows. A new kind of answer part (tool calls, say) should make it grow too.
	 */
	get progressMark(): number {
		return this.receivedChars + (this.hasFinish ? 1 : 0);
	}

	/** Characters of answer text received so far, including any held back for redaction. */
	get receivedChars(): number {
		return this.text.length + (this.redactor?.heldChars ?? 0);
	}

	/** Takes one `data:` payload; returns the new text to pass on. Throws on malformed JSON or an error event. */
	push(data: string): string {
		if (this.done) return '';
		if (data.trim() === '[DONE]') {
			this.done = true;
			return '';
		}
		let chunk: Record<string, unknown>;
		try {
			// Parsing undoes JSON escapes ("\/"), which could bring back a key the raw text hid.
			chunk = JSON.parse(data) as Record<string, unknown>;
			if (this.apiKey) redactParsed(chunk, this.apiKey);
		} catch {
			throw new SlierError('stream', `Slier sent a stream event that is not valid JSON: ${excerpt(data)}`, {
				receivedChars: this.receivedChars,
			});
		}
		if (chunk === null || typeof chunk !== 'object') {
			throw new SlierError('stream', `Slier sent a stream event that is not a JSON object: ${excerpt(data)}`);
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
		const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as Record<string, unknown>) : undefined;
		if (!choice || typeof choice !== 'object') return '';
		const delta = (choice.delta ?? choice.message) as Record<string, unknown> | undefined;
		let text = '';
		if (delta && typeof delta === 'object') {
			if (typeof delta.role === 'string') this.role ??= delta.role;
			if (typeof delta.content === 'string' && delta.content !== '') text = this.append(delta.content);
		}
		if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
		return text;
	}

	private append(piece: string): string {
		if (this.text.length + piece.length > LIMITS.answerChars) {
			throw tooLarge('an answer', `${LIMITS.answerChars / 1024 / 1024} Mi characters`);
		}
		const safe = this.redactor ? this.redactor.push(piece) : piece;
		this.text += safe;
		return safe;
	}

	/** The text held back for redaction, once the stream has ended (or broke). */
	flushText(): string {
		const rest = this.redactor?.flush() ?? '';
		this.text += rest;
		return rest;
	}

	private failWith(error: unknown): never {
		const e = (typeof error === 'object' ? error : { message: String(error) }) as Record<string, unknown>;
		const details = {
			...readApiError(e),
			status: typeof e.status === 'number' ? e.status : undefined,
			receivedChars: this.receivedChars,
		};
		throw new SlierError(
			'stream',
			`Slier reported an error inside the stream: ${details.apiMessage ?? details.reason ?? 'no message'}`,
			details,
		);
	}

	/** The text received so far, for a filtered or interrupted answer (after flushText). */
	partialText(): string | null {
		return this.text === '' ? null : cleanContent(this.text);
	}

	/** The final answer. Throws if the stream ended with neither `[DONE]` nor a finish signal. */
	finish(): Answer {
		this.flushText(); // the caller streams it first; this only makes sure content has it
		if (!this.done && this.finishReason === null && !this.finished) {
			throw new SlierError(
				'stream',
				`The stream ended early: Slier closed it before the answer was complete (${this.text.length} characters had arrived)`,
				{ receivedChars: this.receivedChars },
			);
		}
		const filtered = this.finishReason === 'content_filter';
		return {
			content: filtered ? this.partialText() : cleanContent(this.text),
			role: this.role ?? 'assistant',
			finishReason: this.finishReason ?? (this.finished ? 'stop' : null),
			model: this.model,
			usage: this.usage,
			filtered,
			filter: filtered ? filterOf({}) : null,
			id: this.id,
			created: this.created,
			raw: this.toCompletion(),
		};
	}

	/** The non-streamed response this stream is equivalent to. */
	private toCompletion(): Record<string, unknown> {
		const raw: Record<string, unknown> = {};
		if (this.id !== null) raw.id = this.id;
		if (this.object !== null) raw.object = this.object.replace(/\.chunk$/, '');
		if (this.created !== null) raw.created = this.created;
		if (this.model !== null) raw.model = this.model;
		raw.choices = [
			{
				index: 0,
				message: { role: this.role ?? 'assistant', content: this.text },
				finish_reason: this.finishReason ?? (this.finished ? 'stop' : null),
			},
		];
		if (this.rawUsage !== undefined) raw.usage = this.rawUsage;
		return raw;
	}
}
