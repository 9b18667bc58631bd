import type { IExecuteFunctions } from 'n8n-workflow';

type ChunkType = 'begin' | 'item' | 'end' | 'error';

/**
 * Forwards a streamed answer to n8n's streaming response (Chat Trigger or Webhook in streaming
 * mode, n8n ≥ 1.101), token by token. Older n8n versions lack isStreaming/sendChunk: then, and
 * whenever n8n is not streaming this execution, it does nothing. Nor does it when the node runs
 * as an AI Agent's tool: the execution streams the agent's answer, and the tool's own text must
 * not reach the chat (n8n 2.x sees isStreaming() true for tools too).
 */
export class ChunkStream {
	private chain: Promise<void> = Promise.resolve();
	private textStarted = false;

	private constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly itemIndex: number,
	) {}

	static open(ctx: IExecuteFunctions, itemIndex: number, stream: boolean): ChunkStream | undefined {
		const api = ctx as Partial<Pick<IExecuteFunctions, 'isStreaming' | 'sendChunk'>>;
		if (!stream || typeof api.isStreaming !== 'function' || typeof api.sendChunk !== 'function') return undefined;
		if (runsAsTool(ctx) || !api.isStreaming.call(ctx)) return undefined;
		const chunks = new ChunkStream(ctx, itemIndex);
		chunks.send('begin');
		return chunks;
	}

	/** Sends in order: n8n's sendChunk is asynchronous. */
	send(type: ChunkType, content?: string): void {
		if (type === 'item') {
			// The API pads answers with a leading space; the chat should start like `content`.
			if (!this.textStarted) content = content?.trimStart();
			if (!content) return; // nothing to show (a piece held back or stripped whole)
			this.textStarted = true;
		}
		this.chain = this.chain
			.then(() => this.ctx.sendChunk(type, this.itemIndex, content) as unknown as Promise<void>)
			.catch(() => {}); // a client that went away must not fail the item
	}

	async close(error?: Error): Promise<void> {
		if (error) this.send('error', error.message);
		this.send('end');
		await this.chain;
	}
}

/**
 * True when the node runs as an AI Agent's tool. Agents that call tools through a context of
 * their own say so with isToolExecution(); n8n 2.x agents (v3) run a tool as an ordinary node,
 * where isToolExecution() is false, but always as the `…Tool` node type n8n registers for a
 * usableAsTool node, which never runs any other way.
 */
function runsAsTool(ctx: IExecuteFunctions): boolean {
	const api = ctx as { isToolExecution?: () => boolean };
	if (typeof api.isToolExecution === 'function' && api.isToolExecution.call(ctx) === true) return true;
	return /Tool$/.test(ctx.getNode().type);
}
