import type { AnswerToolCall } from '../../shared/completion/types';
import type { RawCall } from './read-calls';
import type { ToolSpec } from './specs';

/**
 * Native mode: the tools go to the model in OpenAI's form inside `model_params` (the API's place
 * for model-specific parameters), and the model's `tool_calls` come back in the answer or the
 * stream. Only for Slier models that implement it; prompt mode works with every model.
 */
export function nativeToolParams(specs: ToolSpec[]): Record<string, unknown> {
	return {
		tools: specs.map((spec) => ({
			type: 'function',
			function: { name: spec.name, description: spec.description, parameters: spec.parameters },
		})),
	};
}

/** The answer's native calls, for the same checks as calls read from text. */
export function nativeCalls(calls: AnswerToolCall[] | undefined): RawCall[] {
	return (calls ?? []).map((call) => ({ name: call.name, arguments: call.arguments, id: call.id ?? undefined }));
}
