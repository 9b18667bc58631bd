import { requestStream } from '../transport/client';
import { SlierError } from '../transport/errors';
import { linkedSignal } from '../transport/signals';
import type { SlierRequest, TransportHooks } from '../transport/types';
import { fromCompletion, fromFilterError } from './normalize';
import { StreamAssembler } from './stream-assembler';
import type { Answer, CompletionRequest } from './types';

export type Connection = Omit<SlierRequest, 'method' | 'path' | 'body'>;

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
 */
export async function* streamCompletion(
	connection: Connection,
	completion: CompletionRequest,
	hooks: TransportHooks = {},
): AsyncGenerator<CompletionEvent, void, undefined> {
	const stop = linkedSignal(connection.signal);
	const req: SlierRequest = { ...connection, signal: stop.signal, method: 'POST', path: completionPath(completion), body: completion.body };
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
				// Timeout bounds each stretch without answer text: only a chunk that moved the answer on
				// restarts it. Once the finish reason is in, the rest (usage, [DONE]) gets a short grace.
				let mark = assembler.progressMark;
				for await (const data of res.events) {
					// After the finish reason only usage and [DONE] may come: a broken line or an error event
					// there does not take back an answer that is already whole.
					const text = assembler.hasFinish ? pushQuietly(assembler, data) : assembler.push(data);
					if (text === undefined) break;
					if (assembler.progressMark !== mark) {
						mark = assembler.progressMark;
						res.progress();
					}
					if (assembler.hasFinish) res.finished();
					if (text !== '') yield { type: 'text', text };
					if (assembler.complete) break;
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

/** A stream that failed: the filtered answer for a content filter, else the error in its words. */
function streamFailure(error: unknown, assembler: StreamAssembler): Answer {
	if (!(error instanceof SlierError)) throw error;
	if (error.isContentFilter) return filteredAnswer(error, assembler.partialText());
	// Once text has streamed, a broken connection must not pass for a complete answer.
	if (error.details.midStream && (error.kind === 'network' || error.kind === 'timeout' || error.kind === 'protocol')) {
		const { answer: chars, reasoning } = assembler.received();
		throw new SlierError(
			error.kind === 'timeout' ? 'timeout' : 'stream',
			`The stream was interrupted after ${chars} character${chars === 1 ? '' : 's'} of the answer had arrived: ${error.message}`,
			{ ...error.details, problem: 'interrupted', receivedChars: chars, ...(reasoning > 0 ? { reasoningChars: reasoning } : {}), interruptedBy: error.kind },
		);
	}
	throw error;
}
