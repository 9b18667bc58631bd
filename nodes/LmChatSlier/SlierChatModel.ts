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
import { streamCompletion, type CompletionEvent, type Connection } from '../shared/completion/complete';
import type { Answer, CompletionRequest, Message } from '../shared/completion/types';
import { connectionOf, type SlierCredentials } from '../shared/node/credentials';
import { contentFilterWords } from '../shared/node/error-words';
import { nodeEdgeError, nodeErrorFrom, toNodeError } from '../shared/node/errors';
import type { EgressFilter } from '../shared/transport/egress';
import { SlierError } from '../shared/transport/errors';
import { providerGate } from '../shared/transport/shared-limit/provider-gate';
import type { RetryInfo } from '../shared/transport/types';
import { logSharedLimit } from '../shared/node/shared-limit-log';
import { toSlierMessages, UnsupportedContentError } from './messages';
import type { ModelSettings } from '../shared/node/settings';
import { toolCallError, toolsOffError } from './tools/errors';
import { correctionMessage, renderCall, toolInstructions } from './tools/format';
import { nativeCalls, nativeToolParams } from './tools/native';
import { guardProse } from './tools/prose-guard';
import { QuotedCalls } from './tools/quoted';
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
 * `streamCompletion()` and transport (retries, the shared limiter, timeouts, cancel, proxy, key
 * handling), exactly as Slier Chat and Slier Search send theirs.
 */
export class SlierChatModel extends BaseChatModel<CallConfig> {
	private readonly connection: Connection;

	constructor(private readonly context: ModelContext) {
		super('slier', context.settings.searchMode ? 'slier-search' : context.settings.model);
		this.connection = connectionOf(context.credentials, context.settings, context.cancelSignal, context.egress);
	}

	async generate(messages: SdkMessage[], config?: CallConfig): Promise<GenerateResult> {
		const turn = this.respond(messages, config, false);
		let step = await turn.next();
		while (!step.done) step = await turn.next(); // not streamed: no chat text comes before the end
		const { answer, outcome, text, usage } = step.value;
		const content: GenerateResult['message']['content'] =
			outcome.kind === 'calls'
				? [...(outcome.prose ? [{ type: 'text' as const, text: outcome.prose }] : []), ...outcome.calls.map(toCallPart)]
				: [{ type: 'text', text }];
		// The thought goes last: n8n's Guardrails reads only the first part, which must be the answer.
		if (answer.reasoning !== null) content.push({ type: 'reasoning', text: answer.reasoning });
		return {
			id: answer.id ?? undefined,
			finishReason: outcome.kind === 'calls' ? 'tool-calls' : toFinishReason(answer.finishReason),
			usage,
			message: { role: 'assistant', content },
			providerMetadata: { model: answer.model, finish_reason: answer.finishReason },
			rawResponse: answer.raw,
		};
	}

	/**
	 * Yields Slier's text deltas as they arrive; a cut or failed stream throws, never ends short.
	 * n8n's chat appends an error to the bubble of the answer it broke ("Error: …" after the
	 * partial text): a failure after some text starts a paragraph of its own first.
	 */
	async *stream(messages: SdkMessage[], config?: CallConfig): AsyncIterable<StreamChunk> {
		let shown = false;
		try {
			for await (const chunk of this.streamChunks(messages, config)) {
				if (chunk.type === 'text-delta') shown = true;
				yield chunk;
			}
		} catch (error) {
			if (shown) yield { type: 'text-delta', delta: '\n\n' };
			throw nodeEdgeError(this.context.node, error);
		}
	}

	/**
	 * With tools, only what is certainly prose reaches the chat; each call is emitted complete,
	 * once, with its own id (the SDK's adapter merges deltas by id, at a fixed index).
	 */
	private async *streamChunks(messages: SdkMessage[], config?: CallConfig): AsyncIterable<StreamChunk> {
		// yield* passes a reader's stop on to the request, which is then aborted
		const { answer, outcome, usage } = yield* this.respond(messages, config, true);
		// The thought, whole, after the answer's text: never as text, so no chat shows it.
		if (answer.reasoning !== null) yield { type: 'content', content: { type: 'reasoning', text: answer.reasoning } };
		if (outcome.kind === 'calls') {
			for (const call of outcome.calls) yield { type: 'tool-call-delta', id: call.id, name: call.name, argumentsDelta: JSON.stringify(call.args) };
		}
		yield { type: 'finish', finishReason: outcome.kind === 'calls' ? 'tool-calls' : toFinishReason(answer.finishReason), usage };
	}

	/**
	 * One model call, for generate() and stream() alike: Slier answers, the answer is read, and bad
	 * calls go back to the model with the reasons (at most MAX_CORRECTIONS times). Streamed, it
	 * yields the text the chat shows, and each piece of prose reaches the chat once: a correction's
	 * rewrite of the prose already shown is not shown again, and an answer it writes instead of
	 * calls is passed on when complete (less the prose already shown, if it repeats it).
	 */
	private async *respond(messages: SdkMessage[], config: CallConfig | undefined, stream: boolean): AsyncGenerator<StreamChunk, Turn, undefined> {
		const tools = this.toolSetup();
		let conversation = this.toMessages(messages, tools);
		const quoted = tools && new QuotedCalls(messages, tools.specs, readCalls);
		const chat = stream ? new ChatText(this.context.settings) : undefined;
		const usage = new UsageSum();
		let shown = ''; // Slier's text already passed to the chat, over every attempt
		for (let attempt = 0; ; attempt++) {
			let answer: Answer | undefined;
			let withheld = '';
			let written = ''; // a correction's text, held until its outcome is known
			const events = this.call(conversation, config, stream, tools);
			for await (const event of tools && chat && attempt === 0 ? guardProse(events, tools.specs) : events) {
				if (event.type === 'answer') {
					answer = event.answer;
					withheld = (event as { withheld?: string }).withheld ?? '';
				} else if (chat && attempt === 0) {
					shown += event.text;
					const piece = chat.push(event.text);
					if (piece) yield { type: 'text-delta', delta: piece };
				} else {
					written += event.text;
				}
			}
			if (!answer) throw nodeEdgeError(this.context.node, new Error('A completion ended without an answer'));
			usage.add(answer);
			const text = this.finalText(answer); // a filtered answer throws here
			const outcome = tools ? readAnswer(text, answer, tools, quoted) : ({ kind: 'answer' } as const);
			if (outcome.kind === 'invalid') {
				if (attempt >= MAX_CORRECTIONS) throw toolCallError(this.context.node, outcome.problems, attempt + 1);
				conversation = [...conversation, { role: 'assistant', content: outcome.written }, { role: 'user', content: correctionMessage(outcome.problems) }];
				continue;
			}
			if (chat) {
				let rest = '';
				if (outcome.kind === 'answer') rest = attempt === 0 ? withheld : shown.trim() !== '' && written.startsWith(shown) ? written.slice(shown.length) : written;
				const piece = chat.end(rest);
				if (piece) yield { type: 'text-delta', delta: piece };
			}
			return { answer, outcome, text, usage: usage.total() };
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
			...(settings.thoughtStartsOpen ? { thoughtStartsOpen: true } : {}),
		};
		if (!settings.searchMode) {
			completion.body.model = settings.model;
			const params = { ...settings.modelParams, ...(tools?.native ? nativeToolParams(tools.specs) : {}) };
			if (Object.keys(params).length > 0) completion.body.model_params = params;
		}
		try {
			const hooks = {
				gate: providerGate(credentials.baseUrl, credentials.apiKey, (event) => logSharedLimit({ warn: this.context.warn, info: this.context.warn }, event)),
				onRetry: ({ attempt, delayMs, reason }: RetryInfo) => this.context.warn(`Slier Chat Model: retry ${attempt} in ${delayMs} ms (${reason})`),
			};
			// LangChain's signals for this call end it too, on the call's one abort chain.
			yield* streamCompletion(this.connection, completion, hooks, [config?.signal, config?.abortSignal]);
		} catch (error) {
			// No "(item N)": the AI node, not this sub-node, knows which of its items was being answered.
			throw error instanceof SlierError
				? toNodeError(node, error, settings, { model: settings.model || undefined, audience: 'model' })
				: nodeEdgeError(node, error);
		}
	}

	/** The answer text, or an error for a refusal: a chain has no item to mark as filtered. */
	private finalText(answer: Answer): string {
		if (answer.filtered) throw nodeErrorFrom(this.context.node, contentFilterWords(answer.filter, 'model'));
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
function readAnswer(text: string, answer: Answer, tools: ToolSetup, quoted: QuotedCalls | undefined): Outcome {
	const read = readCalls(text, tools.specs);
	// A call the model repeated from a tool's result or the user's message is text (quoted.ts).
	const raw = [...nativeCalls(answer.toolCalls), ...read.calls].filter((call) => !quoted?.has(call, tools.specs));
	if (raw.length === 0) return { kind: 'answer' };
	const checked = checkCalls(raw, tools.specs);
	if (checked.calls) return { kind: 'calls', prose: read.prose, calls: checked.calls };
	// What the model wrote, with its native calls in the documented form, so it sees its mistake.
	const shown = [text, ...nativeCalls(answer.toolCalls).map((call) => renderCall(call.name, call.arguments))].filter(Boolean).join('\n\n');
	return { kind: 'invalid', problems: checked.problems, written: shown };
}

/** What one model call came to, over its corrections. */
interface Turn {
	answer: Answer;
	outcome: Exclude<Outcome, { kind: 'invalid' }>;
	/** The last answer's text. */
	text: string;
	usage: TokenUsage | undefined;
}

/**
 * The text a streamed answer shows in the chat: without the leading space Slier pads answers
 * with (generate() trims it too), and in search mode without citation markers if asked.
 */
class ChatText {
	private leading = true;
	private readonly stripper?: CitationStripper;

	constructor(settings: ModelSettings) {
		if (settings.searchMode && settings.stripCitations) this.stripper = new CitationStripper();
	}

	push(piece: string): string {
		return this.trim(this.stripper ? this.stripper.push(piece) : piece);
	}

	/** The last text, and whatever the stripper still holds (a marker at the very end). */
	end(piece: string): string {
		return this.push(piece) + (this.stripper ? this.trim(this.stripper.flush()) : '');
	}

	private trim(piece: string): string {
		const text = this.leading ? piece.replace(/^\s+/, '') : piece;
		if (text !== '') this.leading = false;
		return text;
	}
}

function toCallPart(call: CheckedCall) {
	return { type: 'tool-call' as const, toolCallId: call.id, toolName: call.name, input: JSON.stringify(call.args) };
}

/** Slier's token counts over every attempt of one model call (corrections cost tokens too). */
class UsageSum {
	private prompt = 0;
	private completion = 0;
	private total_ = 0;
	private reasoning: number | undefined;
	private seen = false;

	add(answer: Answer): void {
		const usage = toTokenUsage(answer);
		if (!usage) return;
		this.seen = true;
		this.prompt += usage.promptTokens;
		this.completion += usage.completionTokens;
		this.total_ += usage.totalTokens;
		const reasoning = usage.outputTokenDetails?.reasoning;
		if (reasoning !== undefined) this.reasoning = (this.reasoning ?? 0) + reasoning;
	}

	total(): TokenUsage | undefined {
		if (!this.seen) return undefined;
		const total: TokenUsage = { promptTokens: this.prompt, completionTokens: this.completion, totalTokens: this.total_ };
		if (this.reasoning !== undefined) total.outputTokenDetails = { reasoning: this.reasoning };
		return total;
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
		...(usage.reasoningTokens !== undefined ? { outputTokenDetails: { reasoning: usage.reasoningTokens } } : {}),
	};
}
