import type { ServerResponse } from 'node:http';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';

export interface SseStyle {
	crlf?: boolean;
	/** Interleave `: keep-alive` comment lines. */
	comments?: boolean;
	/** Write every frame in pieces of this many bytes (splits lines and multi-byte characters). */
	splitBytes?: number;
	/** Pause between frames. */
	frameDelayMs?: number;
}

/** Writes SSE frames the way a real server might, awkward byte boundaries included. */
export class SseWriter {
	private readonly nl: string;

	constructor(
		private readonly res: ServerResponse,
		private readonly style: SseStyle,
	) {
		this.nl = style.crlf ? '\r\n' : '\n';
		res.socket?.setNoDelay(true);
	}

	get closed(): boolean {
		return this.res.destroyed || this.res.writableEnded;
	}

	async data(payload: string): Promise<void> {
		const { nl } = this;
		let frame = '';
		if (this.style.comments) frame += `: keep-alive${nl}`;
		frame += `data: ${payload}${nl}${nl}`;
		await this.raw(frame);
		if (this.style.frameDelayMs) await delay(this.style.frameDelayMs, undefined, { ref: false });
	}

	async raw(text: string): Promise<void> {
		if (this.closed) return;
		const size = this.style.splitBytes;
		if (!size) {
			await this.write(Buffer.from(text));
			return;
		}
		const bytes = Buffer.from(text);
		for (let at = 0; at < bytes.length && !this.closed; at += size) {
			await this.write(bytes.subarray(at, at + size));
			await tick();
		}
	}

	private write(chunk: Buffer): Promise<void> {
		return new Promise((resolve) => {
			if (this.closed) return resolve();
			// Honor backpressure so a huge answer never piles up in memory.
			if (this.res.write(chunk)) resolve();
			else {
				const done = () => {
					this.res.off('drain', done);
					this.res.off('close', done);
					resolve();
				};
				this.res.once('drain', done);
				this.res.once('close', done);
			}
		});
	}
}
