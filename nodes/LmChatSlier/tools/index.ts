import type { CompletionEvent } from '../../shared/completion/complete';
import type { Answer } from '../../shared/completion/types';
import { guardProse } from './prose-guard';
import { readCalls } from './read-calls';
import { checkCalls } from './resolve';
import type { ToolSpec } from './specs';

/**
 * The seam for conformance testing: what the Slier Chat Model does with a model's answer when
 * tools are offered by prompt, without n8n or HTTP around it.
 *
 * - `readToolCalls(text, tools)`: the prose before the calls, the calls (offered tool names,
 *   arguments checked against the tool's JSON Schema) and `problems`. Non-empty `problems` means
 *   the model is asked to write its answer again and `calls` is empty: an answer never runs half
 *   of its calls. No calls and no problems: the text is the final answer.
 * - `guardStreamedText(chunks, tools)`: text chunks as they stream in, out the text the chat
 *   shows: prose as soon as it is certain to be prose, never call markup; held text that turns
 *   out to be prose is shown at the end when the answer holds no call.
 *
 * `tools` are as the model sees them: a name, a description and a JSON Schema of the arguments.
 * Two things need more than one answer and stay outside the seam: the quoting rule (a call the
 * model repeats from a tool result or the user's message is text; it needs the conversation) and
 * the correction loop (it needs the model). A thought (`<think>`) and GPT-OSS's harmony framing
 * are not the answer: their calls never run, and the chat is not shown them.
 */
export interface SeamTool {
	name: string;
	description?: string;
	parameters: Record<string, unknown>;
}

export interface ReadToolCalls {
	prose: string;
	calls: Array<{ name: string; arguments: Record<string, unknown> }>;
	problems: string[];
}

const specsOf = (tools: SeamTool[]): ToolSpec[] =>
	tools.map((tool) => ({ name: tool.name, description: (tool.description ?? '').trim(), parameters: tool.parameters }));

export function readToolCalls(text: string, tools: SeamTool[]): ReadToolCalls {
	const specs = specsOf(tools);
	const read = readCalls(text, specs);
	if (read.calls.length === 0) return { prose: read.prose, calls: [], problems: [] };
	const checked = checkCalls(read.calls, specs);
	if (checked.problems) return { prose: read.prose, calls: [], problems: checked.problems };
	return { prose: read.prose, calls: checked.calls.map((call) => ({ name: call.name, arguments: call.args })), problems: [] };
}

export async function* guardStreamedText(chunks: AsyncIterable<string>, tools: SeamTool[]): AsyncGenerator<string, void, undefined> {
	const specs = specsOf(tools);
	let whole = '';
	async function* events(): AsyncGenerator<CompletionEvent, void, undefined> {
		for await (const chunk of chunks) {
			whole += chunk;
			yield { type: 'text', text: chunk };
		}
		yield { type: 'answer', answer: { text: whole } as unknown as Answer };
	}
	for await (const event of guardProse(events(), specs)) {
		if (event.type === 'text') {
			yield event.text;
			continue;
		}
		const read = readToolCalls(whole, tools);
		if (read.calls.length === 0 && read.problems.length === 0 && event.withheld !== '') yield event.withheld;
	}
}
