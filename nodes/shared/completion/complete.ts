import { requestJson, requestStream } from '../transport/client';
import { SlierError } from '../transport/errors';
import type { SlierRequest, TransportHooks } from '../transport/types';
import { fromCompletion, fromFilterError } from './normalize';
import { StreamAssembler } from './stream-assembler';
import type { Answer, CompletionRequest } from './types';

export type Connection = Omit<SlierRequest, 'method' | 'path' | 'body'>;

export interface CompleteOptions extends TransportHooks {
	/** Each text delta as it arrives (streaming only). */
	onText?: (delta: string) => void;
}

export function completionPath(req: Pick<CompletionRequest, 'endpoint' | 'apiVersion'>): string {
	return `/${req.apiVersion}/${req.endpoint}/completions`;
}

/**
 * Runs one completion and returns the normalized answer. A content-filter refusal, whether an
 * HTTP 400 or a `content_filter` finish inside a stream, is an answer with `filtered: true`,
 * not an error: the caller decides whether the user wants it as an error.
 */
export async function complete(
	connection: Connection,
	completion: CompletionRequest,
	options: CompleteOptions = {},
): Promise<Answer> {
	const req: SlierRequest = {
		...connection,
		method: 'POST',
		path: completionPath(completion),
		body: completion.body,
	};
	if (!completion.body.stream) {
		try {
			return fromCompletion(await requestJson(req, options));
		} catch (error) {
			return filteredOrThrow(error, null);
		}
	}
	const assembler = new StreamAssembler(options.onText, connection.apiKey);
	try {
		const res = await requestStream(
			req,
			(data) => {
				assembler.push(data);
				return assembler.complete;
			},
			options,
		);
		return res.kind === 'json' ? fromCompletion(res.body) : assembler.finish();
	} catch (error) {
		return filteredOrThrow(error, assembler);
	}
}

function filteredOrThrow(error: unknown, assembler: StreamAssembler | null): Answer {
	if (!(error instanceof SlierError)) throw error;
	if (error.isContentFilter) {
		const answer = fromFilterError(error.details, { error: error.details.apiError ?? {} });
		answer.content = assembler?.partialText() ?? null;
		return answer;
	}
	// Once text has streamed, a broken connection must not pass for a complete answer.
	if (assembler && error.details.midStream && (error.kind === 'network' || error.kind === 'timeout')) {
		const chars = assembler.receivedChars;
		throw new SlierError(
			error.kind === 'timeout' ? 'timeout' : 'stream',
			`The stream was interrupted after ${chars} character${chars === 1 ? '' : 's'} of the answer had arrived: ${error.message}`,
			{ ...error.details, receivedChars: chars },
		);
	}
	throw error;
}
