import { requestStream } from '../transport/client';
import { SlierError } from '../transport/errors';
import { linkedSignal } from '../transport/signals';
import type { Pull } from '../transport/sse';
import type { SlierRequest, TransportHooks } from '../transport/types';
import { fromCompletion, fromFilterError } from './normalize';
import { StreamAssembler } from './stream-assembler';
import type { Answer, CompletionRequest } from './types';

/** Where and how a node sends its completions: built once per item (or per model), used for each call. */
export type Connection = Omit<SlierRequest, 'method' | 'path' | 'body' | 'abort'>;

/**
 * What a completion yields, in order: the answer's text as it arrives (streaming only, already
 * free of the API key), then exactly one `answer`, the normalized whole.
 */
export type CompletionEvent = { type: 'text'; text: string } | { type: 'answer'; answer: Answer };

export function completionPath(req: Pick<CompletionRequest, 'endpoint' | 'apiVersion'>): string {
	return `/${req.apiVersion}/${req.endpoint}/completions`;
}

/**
 * Runs one completion. A content-filter refusal, whether an HTTP 400 or a `content_filter` finish
 * inside a stream, is an answer with `filtered: true`, not an error: the caller decides whether the
 * user wants it as an error. A caller that stops pulling before the answer cancels the request, so
 * nobody pays for the rest of a generation no one reads.
 *
 * One abort chain per call: the execution's signal (`connection.signal`) and the caller's own
 * (`callSignals`, an AI node's) end it, and so does the transport's attempt deadline.
 */
export async function* streamCompletion(
	connection: Connection,
	completion: CompletionRequest,
	hooks: TransportHooks = {},
	callSignals: ReadonlyArray<AbortSignal | undefined> = [],
): AsyncGenerator<CompletionEvent, void, undefined> {
	const stop = linkedSignal(connection.signal, ...callSignals);
	const req: SlierRequest = {
		...connection,
		signal: stop.signal,
		abort: stop.abort,
		method: 'POST',
		path: completionPath(completion),
		body: completion.body,
	};
	let answered = false;
	try {
		const assembler = new StreamAssembler(connection.apiKey, { thoughtStartsOpen: completion.thoughtStartsOpen });
		let answer: Answer;
		try {
			// Read as what the server sent, not as what was asked: a plain request answered with a
			// stream is assembled from its events, a stream request answered with JSON is read as JSON.
			const res = await requestStream(req, hooks);
			if (res.kind === 'json') {
				answer = fromCompletion(res.body, res.meta);
				// A stream was asked for and one document came: its text is the stream's one piece, so a
				// chat (or an AI node that streams) still shows the answer.
				if (completion.body.stream && answer.content !== null) yield { type: 'text', text: answer.content };
			} else {
				// Timeout bounds each stretch without answer text: each pull tells the reader whether the
				// last event moved the answer on (only that restarts it) and whether the answer has its
				// finish reason (then the rest, usage and [DONE], gets a short grace).
				const events = res.events;
				try {
					let mark = assembler.progressMark;
					let pull: Pull | undefined;
					for (;;) {
						const next = await events.next(pull);
						if (next.done) break;
						// After the finish reason only usage and [DONE] may come: a broken line or an error event
						// there does not take back an answer that is already whole.
						const text = assembler.hasFinish ? pushQuietly(assembler, next.value) : assembler.push(next.value);
						if (text === undefined) break;
						pull = { progress: assembler.progressMark !== mark, finished: assembler.hasFinish };
						mark = assembler.progressMark;
						if (text !== '') yield { type: 'text', text };
						if (assembler.complete) break;
					}
				} finally {
					await events.return(undefined);
				}
				const rest = assembler.flushText();
				if (rest !== '') yield { type: 'text', text: rest };
				answer = assembler.finish();
			}
		} catch (error) {
			const rest = assembler.flushText();
			if (rest !== '' && error instanceof SlierError && error.isContentFilter) yield { type: 'text', text: rest };
			answer = streamFailure(error, assembler);
		}
		answered = true; // before the yield: a caller may stop pulling once it has the answer
		yield { type: 'answer', answer };
	} finally {
		// The caller stopped early (or we threw): abort what is still in flight.
		if (!answered) stop.abort();
		stop.dispose();
	}
}

/** A push after the finish reason: what is no usage or [DONE] ends the stream (undefined), it fails nothing. */
function pushQuietly(assembler: StreamAssembler, data: string): string | undefined {
	try {
		return assembler.push(data);
	} catch {
		return undefined;
	}
}

/** Runs one completion to its answer, streamed or not (the streamed text is not needed). */
export async function complete(connection: Connection, completion: CompletionRequest, hooks: TransportHooks = {}): Promise<Answer> {
	return await answerOf(streamCompletion(connection, completion, hooks));
}

/** The answer a completion's events end with, for a caller that does not need the text as it arrives. */
export async function answerOf(events: AsyncIterable<CompletionEvent>): Promise<Answer> {
	for await (const event of events) if (event.type === 'answer') return event.answer;
	throw new Error('A completion ended without an answer');
}

function filteredAnswer(error: SlierError, partial: string | null): Answer {
	const answer = fromFilterError(error.details, { error: error.details.apiError ?? {} });
	answer.content = partial;
	return answer;
}

/** A stream that failed: the filtered answer for a content filter, else the error with how much had arrived. */
function streamFailure(error: unknown, assembler: StreamAssembler): Answer {
	if (!(error instanceof SlierError)) throw error;
	if (error.isContentFilter) return filteredAnswer(error, assembler.partialText());
	if (error.details.problem === 'interrupted') {
		// Say what did arrive: a reasoning model may think for long before its first word of answer.
		const { answer, reasoning } = assembler.received();
		error.details.receivedChars = answer;
		if (reasoning > 0) error.details.reasoningChars = reasoning;
	}
	throw error;
}
