import {
	BaseChatModel,
	getParametersJsonSchema,
	type ChatModelConfig,
	type FinishReason,
	type GenerateResult,
	type Message as SdkMessage,
	type StreamChunk,
	type TokenUsage,
} from '@n8n/ai-node-sdk';
import { NodeOperationError, type INode } from 'n8n-workflow';

import { CitationStripper } from '../shared/completion/citations';
import { searchFields } from '../shared/completion/search-fields';
import { answerOf, streamCompletion, type CompletionEvent, type Connection } from '../shared/completion/complete';
import type { Answer, CompletionRequest, Message } from '../shared/completion/types';
import type { SlierCredentials } from '../shared/node/credentials';
import { nodeEdgeError } from '../shared/node/edge-error';
import type { EgressFilter } from '../shared/transport/egress';
import { linkedSignal } from '../shared/transport/signals';
import { SlierError } from '../shared/transport/errors';
import { providerGate } from '../shared/transport/shared-limit/provider-gate';
import { logSharedLimit } from '../shared/node/shared-limit-log';
import { contentFilterError, modelCallError } from './errors';
import { toSlierMessages, UnsupportedContentError } from './messages';
import type { ModelSettings } from '../shared/node/settings';
import { toolCallError, toolsOffError } from './tools/errors';
import { correctionMessage, renderCall, toolInstructions } from './tools/format';
import { nativeCalls, nativeToolParams } from './tools/native';
import { guardProse } from './tools/prose-guard';
import { readCalls } from './tools/read-calls';
import { checkCalls, type CheckedCall } from './tools/resolve';
import { toolSpecs, type ToolSpec } from './tools/specs';

/** What the model needs from the n8n execution that supplied it. */
export interface ModelContext {
	node: INode;
	credentials: SlierCredentials;
	settings: ModelSettings;
	/** The execution's cancel signal: stopping the workflow aborts the call in flight. */
	cancelSignal?: AbortSignal;
	/** n8n's SSRF policy (n8n 2.x), applied to every call as for Slier Chat and Slier Search. */
	egress?: EgressFilter;
	warn: (message: string) => void;
}

/** LangChain passes its call options (with `signal`) where the SDK types say ChatModelConfig. */
type CallConfig = ChatModelConfig & { signal?: AbortSignal };

/**
 * Slier behind n8n's AI nodes. Each call is one Slier completion through the shared
 * `complete()` and transport (retries, the shared limiter, timeouts, cancel, proxy, key
 * handling), exactly as Slier Chat and Slier Search send theirs.
 */
export class SlierChatModel extends BaseChatModel<CallConfig> {
	constructor(private readonly context: ModelContext) {
		super('slier', context.settings.searchMode ? 'slier-search' : context.settings.model);
	}

	async generate(messages: SdkMessage[], config?: CallConfig): Promise<GenerateResult> {
		const tools = this.toolSetup();
		let conversation = this.toMessages(messages, tools);
		const usage = new UsageSum();
		for (let attempt = 0; ; attempt++) {
			const answer = await this.answer(conversation, config, tools);
			usage.add(answer);
			const text = this.finalText(answer);
			const outcome = tools ? readAnswer(text, answer, tools) : ({ kind: 'answer' } as const);
			if (outcome.kind === 'invalid') {
				if (attempt >= MAX_CORRECTIONS) throw toolCallError(this.context.node, outcome.problems, attempt + 1);
				conversation = [...conversation, { role: 'assistant', content: outcome.written }, { role: 'user', content: correctionMessage(outcome.problems) }];
				continue;
			}
			const content: GenerateResult['message']['content'] =
				outcome.kind === 'calls'
					? [...(outcome.prose ? [{ type: 'text' as const, text: outcome.prose }] : []), ...outcome.calls.map(toCallPart)]
					: [{ type: 'text', text }];
			return {
				id: answer.id ?? undefined,
				finishReason: outcome.kind === 'calls' ? 'tool-calls' : toFinishReason(answer.finishReason),
				usage: usage.total(),
				message: { role: 'assistant', content },
				providerMetadata: { model: answer.model, finish_reason: answer.finishReason },
				rawResponse: answer.raw,
			};
		}
	}

	/**
	 * Yields Slier's text deltas as they arrive; a cut or failed stream throws, never ends short.
	 * With tools, the prose guard passes on only what is certainly prose; each call is emitted
	 * complete, once, with its own id (the SDK's adapter merges deltas by id, at a fixed index).
	 */
	async *stream(messages: SdkMessage[], config?: CallConfig): AsyncIterable<StreamChunk> {
		const tools = this.toolSetup();
		let conversation = this.toMessages(messages, tools);
		const { searchMode, stripCitations } = this.context.settings;
		const stripper = searchMode && stripCitations ? new CitationStripper() : undefined;
		let leading = true; // Slier pads answers with a leading space, which generate() trims too
		const delta = (piece: string): StreamChunk | undefined => {
			const text = leading ? piece.replace(/^\s+/, '') : piece;
			if (text === '') return undefined;
			leading = false;
			return { type: 'text-delta', delta: text };
		};
		const usage = new UsageSum();
		for (let attempt = 0; ; attempt++) {
			let answer: Answer | undefined;
			let withheld = '';
			const events = this.call(conversation, config, true, tools);
			for await (const event of tools ? guardProse(events, tools.specs) : events) {
				if (event.type === 'answer') {
					answer = event.answer;
					withheld = (event as { withheld?: string }).withheld ?? '';
					continue;
				}
				const chunk = delta(stripper ? stripper.push(event.text) : event.text);
				if (chunk) yield chunk;
			}
			usage.add(answer!);
			const text = this.finalText(answer!); // a filtered answer throws here
			const outcome = tools ? readAnswer(text, answer!, tools) : ({ kind: 'answer' } as const);
			if (outcome.kind === 'invalid') {
				if (attempt >= MAX_CORRECTIONS) throw toolCallError(this.context.node, outcome.problems, attempt + 1);
				conversation = [...conversation, { role: 'assistant', content: outcome.written }, { role: 'user', content: correctionMessage(outcome.problems) }];
				continue;
			}
			if (outcome.kind === 'answer' && withheld !== '') {
				const chunk = delta(stripper ? stripper.push(withheld) : withheld);
				if (chunk) yield chunk;
			}
			const held = stripper && delta(stripper.flush()); // a marker held back at the very end
			if (held) yield held;
			if (outcome.kind === 'calls') {
				for (const call of outcome.calls) yield { type: 'tool-call-delta', id: call.id, name: call.name, argumentsDelta: JSON.stringify(call.args) };
			}
			yield { type: 'finish', finishReason: outcome.kind === 'calls' ? 'tool-calls' : toFinishReason(answer!.finishReason), usage: usage.total() };
			return;
		}
	}

	/**
	 * One Slier completion through the shared transport, as events. Stopping to pull (an AI node
	 * that stops reading) aborts the request: nobody pays for the rest.
	 */
	private async *call(
		messages: Message[],
		config: CallConfig | undefined,
		stream: boolean,
		tools: ToolSetup | undefined,
	): AsyncGenerator<CompletionEvent, void, undefined> {
		const { node, credentials, settings } = this.context;
		const completion: CompletionRequest = {
			endpoint: settings.searchMode ? 'search' : 'chat',
			apiVersion: settings.apiVersion,
			body: { messages, stream },
		};
		if (!settings.searchMode) {
			completion.body.model = settings.model;
			const params = { ...settings.modelParams, ...(tools?.native ? nativeToolParams(tools.specs) : {}) };
			if (Object.keys(params).length > 0) completion.body.model_params = params;
		}
		const signal = linkedSignal(this.context.cancelSignal, config?.signal, config?.abortSignal);
		const connection: Connection = {
			...credentials,
			timeoutMs: settings.timeoutMs,
			maxRetries: settings.maxRetries,
			signal: signal.signal,
			egress: this.context.egress,
		};
		try {
			yield* streamCompletion(connection, completion, {
				gate: providerGate(credentials.baseUrl, credentials.apiKey, (event) =>
					logSharedLimit({ warn: this.context.warn, info: this.context.warn }, event),
				),
				onRetry: ({ attempt, delayMs, reason }) =>
					this.context.warn(`Slier Chat Model: retry ${attempt} in ${delayMs} ms (${reason})`),
			});
		} catch (error) {
			throw error instanceof SlierError ? modelCallError(node, error, settings) : nodeEdgeError(node, error);
		} finally {
			signal.dispose();
		}
	}

	private async answer(messages: Message[], config: CallConfig | undefined, tools: ToolSetup | undefined): Promise<Answer> {
		return await answerOf(this.call(messages, config, false, tools));
	}

	/** The answer text, or an error for a refusal: a chain has no item to mark as filtered. */
	private finalText(answer: Answer): string {
		if (answer.filtered) throw contentFilterError(this.context.node, answer);
		const { searchMode, stripCitations } = this.context.settings;
		return (searchMode ? searchFields(answer, stripCitations).content : answer.content) ?? '';
	}

	/** Slier's messages; in prompt mode the tools and the call format join the system message. */
	private toMessages(messages: SdkMessage[], tools: ToolSetup | undefined): Message[] {
		let mapped: Message[];
		try {
			mapped = toSlierMessages(messages);
			if (mapped.length === 0) throw new UnsupportedContentError('no message with text');
		} catch (error) {
			if (!(error instanceof UnsupportedContentError)) throw nodeEdgeError(this.context.node, error);
			throw new NodeOperationError(this.context.node, `The AI node sent Slier ${error.message}`, {
				description: 'Slier answers text messages. Remove images and files from the prompt, or describe them in text.',
			});
		}
		if (!tools || tools.native) return mapped;
		const instructions = toolInstructions(tools.specs);
		if (mapped[0].role === 'system') return [{ role: 'system', content: `${mapped[0].content}\n\n${instructions}` }, ...mapped.slice(1)];
		return [{ role: 'system', content: instructions }, ...mapped];
	}

	/**
	 * The AI node's tools and how they reach the model, or undefined without tools. Tool Calling
	 * Off refuses them, as before tool calling existed: answers that never use the tools (and may
	 * claim they did) would be worse than an error.
	 */
	private toolSetup(): ToolSetup | undefined {
		if (this.tools.length === 0) return undefined;
		const { settings, node } = this.context;
		if (settings.toolCalling === 'off') throw toolsOffError(node, this.tools.map((tool) => tool.name));
		const specs = toolSpecs(this.tools, getParametersJsonSchema as (tool: unknown) => unknown);
		if (specs.length === 0) return undefined;
		// Slier Search takes no model_params, so its tools always go by prompt.
		return { specs, native: settings.toolCalling === 'native' && !settings.searchMode };
	}
}

interface ToolSetup {
	specs: ToolSpec[];
	native: boolean;
}

/** Bad calls go back to the model this many times within one model call, then fail. */
export const MAX_CORRECTIONS = 2;

type Outcome =
	| { kind: 'answer' }
	| { kind: 'calls'; prose: string; calls: CheckedCall[] }
	| { kind: 'invalid'; problems: string[]; written: string };

/** What an answer means: an answer, calls to run, or calls to send back with what was wrong. */
function readAnswer(text: string, answer: Answer, tools: ToolSetup): Outcome {
	const read = readCalls(text, tools.specs);
	const raw = [...nativeCalls(answer.toolCalls), ...read.calls];
	if (raw.length === 0) return { kind: 'answer' };
	const checked = checkCalls(raw, tools.specs);
	if (checked.calls) return { kind: 'calls', prose: read.prose, calls: checked.calls };
	// What the model wrote, with its native calls in the documented form, so it sees its mistake.
	const written = [text, ...nativeCalls(answer.toolCalls).map((call) => renderCall(call.name, call.arguments))].filter(Boolean).join('\n\n');
	return { kind: 'invalid', problems: checked.problems, written };
}

function toCallPart(call: CheckedCall) {
	return { type: 'tool-call' as const, toolCallId: call.id, toolName: call.name, input: JSON.stringify(call.args) };
}

/** Slier's token counts over every attempt of one model call (corrections cost tokens too). */
class UsageSum {
	private prompt = 0;
	private completion = 0;
	private total_ = 0;
	private seen = false;

	add(answer: Answer): void {
		const usage = toTokenUsage(answer);
		if (!usage) return;
		this.seen = true;
		this.prompt += usage.promptTokens;
		this.completion += usage.completionTokens;
		this.total_ += usage.totalTokens;
	}

	total(): TokenUsage | undefined {
		return this.seen ? { promptTokens: this.prompt, completionTokens: this.completion, totalTokens: this.total_ } : undefined;
	}
}

const FINISH_REASONS: Record<string, FinishReason> = {
	stop: 'stop',
	length: 'length',
	content_filter: 'content-filter',
	tool_calls: 'tool-calls',
};

function toFinishReason(reason: string | null): FinishReason {
	return (reason !== null && FINISH_REASONS[reason]) || 'other';
}

/** Slier's counts in the SDK's shape; none when Slier sent none (Search), so n8n estimates. */
function toTokenUsage(answer: Answer): TokenUsage | undefined {
	const usage = answer.usage;
	if (!usage || usage.completionTokens === null) return undefined;
	const promptTokens = usage.promptTokens ?? 0;
	return {
		promptTokens,
		completionTokens: usage.completionTokens,
		totalTokens: usage.totalTokens ?? promptTokens + usage.completionTokens,
	};
}
