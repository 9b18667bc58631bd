import { createParser } from 'eventsource-parser';
import type { Readable } from 'node:stream';

import { StreamBudget } from './body';
import { SlierError } from './errors';

/**
 * Feeds a response body through eventsource-parser and calls `onData` with each event's data.
 * One streaming TextDecoder keeps multi-byte characters that are split across chunks intact.
 * A watchdog fails the read when the server goes silent for longer than `idleMs`, which
 * undici's own bodyTimeout does not guarantee while the consumer applies backpressure.
 * An exception thrown by `onData` stops the read and destroys the body.
 */
export async function readSse(
	body: Readable & AsyncIterable<Buffer>,
	onData: (data: string) => void,
	idleMs: number,
): Promise<void> {
	const budget = new StreamBudget();
	const parser = createParser({
		onEvent: (event) => {
			budget.eventEnded();
			onData(event.data);
		},
		onComment: () => budget.eventEnded(),
	});
	const decoder = new TextDecoder('utf-8');
	let timer: NodeJS.Timeout | undefined;
	const arm = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			body.destroy(
				new SlierError('timeout', `The stream was silent for longer than ${seconds(idleMs)}`),
			);
		}, idleMs);
	};
	try {
		arm();
		for await (const chunk of body) {
			arm();
			budget.add(chunk.length);
			parser.feed(decoder.decode(chunk, { stream: true }));
		}
		parser.feed(decoder.decode());
		// Flush a last event that had no trailing blank line.
		parser.reset({ consume: true });
	} finally {
		clearTimeout(timer);
	}
}

export function seconds(ms: number): string {
	const s = ms / 1000;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} second${s === 1 ? '' : 's'}`;
}
