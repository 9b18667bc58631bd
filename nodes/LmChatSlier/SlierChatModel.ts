import {
	BaseChatModel,
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
import type { Answer, CompletionRequest } from '../shared/completion/types';
import type { SlierCredentials } from '../shared/node/credentials';
import { nodeEdgeError } from '../shared/node/edge-error';
import type { EgressFilter } from '../shared/transport/egress';
import { linkedSignal } from '../shared/transport/signals';
import { SlierError } from '../shared/transport/errors';
import { sharedLimiter } from '../shared/transport/limiter';
import { contentFilterError, modelCallError } from './errors';
import { toSlierMessages, UnsupportedContentError } from './messages';
import type { ModelSettings } from '../shared/node/settings';

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
		const answer = await this.answer(messages, config);
		const text = this.finalText(answer);
		return {
			id: answer.id ?? undefined,
			finishReason: toFinishReason(answer.finishReason),
			usage: toTokenUsage(answer),
			message: { role: 'assistant', content: [{ type: 'text', text }] },
			providerMetadata: { model: answer.model, finish_reason: answer.finishReason },
			rawResponse: answer.raw,
		};
	}

	/** Yields Slier's text deltas as they arrive; a cut or failed stream throws, never ends short. */
	async *stream(messages: SdkMessage[], config?: CallConfig): AsyncIterable<StreamChunk> {
		const { searchMode, stripCitations } = this.context.settings;
		const stripper = searchMode && stripCitations ? new CitationStripper() : undefined;
		let leading = true; // Slier pads answers with a leading space, which generate() trims too
		const delta = (piece: string): StreamChunk | undefined => {
			const text = leading ? piece.replace(/^\s+/, '') : piece;
			if (text === '') return undefined;
			leading = false;
			return { type: 'text-delta', delta: text };
		};
		let answer: Answer | undefined;
		for await (const event of this.call(messages, config, true)) {
			if (event.type === 'answer') {
				answer = event.answer;
				continue;
			}
			const chunk = delta(stripper ? stripper.push(event.text) : event.text);
			if (chunk) yield chunk;
		}
		const held = stripper && delta(stripper.flush()); // a marker held back at the very end
		if (held) yield held;
		this.finalText(answer!); // a filtered answer throws here
		yield { type: 'finish', finishReason: toFinishReason(answer!.finishReason), usage: toTokenUsage(answer!) };
	}

	/**
	 * One Slier completion through the shared transport, as events. Stopping to pull (an AI node
	 * that stops reading) aborts the request: nobody pays for the rest.
	 */
	private async *call(messages: SdkMessage[], config: CallConfig | undefined, stream: boolean): AsyncGenerator<CompletionEvent, void, undefined> {
		const { node, credentials, settings } = this.context;
		this.refuseTools();
		const completion: CompletionRequest = {
			endpoint: settings.searchMode ? 'search' : 'chat',
			apiVersion: settings.apiVersion,
			body: { messages: this.toMessages(messages), stream },
		};
		if (!settings.searchMode) {
			completion.body.model = settings.model;
			if (settings.modelParams) completion.body.model_params = settings.modelParams;
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
				gate: sharedLimiter(credentials.baseUrl, credentials.apiKey),
				onRetry: ({ attempt, delayMs, reason }) =>
					this.context.warn(`Slier Chat Model: retry ${attempt} in ${delayMs} ms (${reason})`),
			});
		} catch (error) {
			throw error instanceof SlierError ? modelCallError(node, error, settings) : nodeEdgeError(node, error);
		} finally {
			signal.dispose();
		}
	}

	private async answer(messages: SdkMessage[], config: CallConfig | undefined): Promise<Answer> {
		for await (const event of this.call(messages, config, false)) if (event.type === 'answer') return event.answer;
		throw new Error('A completion ended without an answer');
	}

	/** The answer text, or an error for a refusal: a chain has no item to mark as filtered. */
	private finalText(answer: Answer): string {
		if (answer.filtered) throw contentFilterError(this.context.node, answer);
		const { searchMode, stripCitations } = this.context.settings;
		return (searchMode ? searchFields(answer, stripCitations).content : answer.content) ?? '';
	}

	private toMessages(messages: SdkMessage[]) {
		try {
			const mapped = toSlierMessages(messages);
			if (mapped.length === 0) throw new UnsupportedContentError('no message with text');
			return mapped;
		} catch (error) {
			if (!(error instanceof UnsupportedContentError)) throw nodeEdgeError(this.context.node, error);
			throw new NodeOperationError(this.context.node, `The AI node sent Slier ${error.message}`, {
				description: 'Slier answers text messages. Remove images and files from the prompt, or describe them in text.',
			});
		}
	}

	/**
	 * Slier documents no tool calling. An AI Agent with tools would get answers that never use
	 * them (and may claim they did), so say so instead of answering.
	 */
	private refuseTools(): void {
		if (this.tools.length === 0) return;
		const names = this.tools.map((tool) => tool.name).join(', ');
		throw new NodeOperationError(this.context.node, `Slier Chat Model cannot call tools, and this AI Agent has ${this.tools.length === 1 ? 'a tool' : 'tools'} attached (${names})`, {
			description:
				"Slier's API has no tool calling. Remove the tools from the AI Agent, or give the agent a chat model that calls tools and attach Slier Search or Slier Chat to it as a tool.",
		});
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
