import type { SlierErrorDetails } from '../transport/errors';

export type Endpoint = 'chat' | 'search';
export type ApiVersion = 'v1' | 'v2';
export type Role = 'system' | 'user' | 'assistant';

export interface Message {
	role: Role;
	content: string;
}

/** The request body the API documents, plus where to send it. */
export interface CompletionRequest {
	endpoint: Endpoint;
	apiVersion: ApiVersion;
	body: {
		model?: string;
		messages: Message[];
		stream: boolean;
		model_params?: Record<string, unknown>;
	};
	/** The model's template opens its thought: a stream passes nothing on as answer before `</think>`. */
	thoughtStartsOpen?: boolean;
}

export interface Usage {
	promptTokens: number | null;
	completionTokens: number | null;
	totalTokens: number | null;
	/** Only when Slier reports it (`completion_tokens_details.reasoning_tokens`). */
	reasoningTokens?: number;
}

export interface ContentFilter {
	reason: string;
	param: string | null;
	message: string | null;
}

/** One choice of an answer with several (`n` > 1 in Extra Parameters). */
export interface ChoiceText {
	index: number;
	content: string | null;
	finishReason: string | null;
}

/**
 * The normalized answer: one shape for chat and search, streamed or not, filtered or not.
 * Fields the API did not send are null, never invented.
 */
export interface Answer {
	/** The answer alone, without the model's thought. */
	content: string | null;
	/** The model's thought (a `reasoning_content`/`reasoning` field, or `<think>`-style framing), or null. */
	reasoning: string | null;
	role: string;
	finishReason: string | null;
	model: string | null;
	usage: Usage | null;
	filtered: boolean;
	filter: ContentFilter | null;
	id: string | null;
	created: number | null;
	/** Every choice, only when the API sent more than one; `content` is the first's (index 0). */
	choices?: ChoiceText[];
	/** The API's own response; for a stream, the equivalent non-streamed response. */
	raw: unknown;
	/** Native tool calls (`tool_calls`), only when the model sent some (Slier Chat Model's Native mode). */
	toolCalls?: AnswerToolCall[];
}

/** One native tool call; `arguments` is the JSON text the model wrote. */
export interface AnswerToolCall {
	id: string | null;
	name: string;
	arguments: string;
}

export type FilterDetails = Pick<SlierErrorDetails, 'reason' | 'param' | 'apiMessage'>;
