import type { CompletionEvent } from '../../shared/completion/complete';
import type { Answer } from '../../shared/completion/types';
import { withoutFraming } from './formats/framing';
import { nextFound } from './read-calls';
import type { ToolSpec } from './specs';

/** What the guard passes on: prose that is safe to show, then the answer with the text held back. */
export type GuardedEvent = { type: 'text'; text: string } | { type: 'answer'; answer: Answer; withheld: string };

/**
 * Streams the prose of an answer that may hold tool calls, and nothing of the calls. A pull-style
 * transformer over the completion's events: text is passed on as soon as it is certain to be
 * prose; anything that may start a call (any format's opener or its first characters, a ```
 * fence, JSON, a pythonic list) is held until it is closed and read. A closed block that is no
 * call (a config example) is passed on then; from the first call or marker on, nothing more is,
 * since text after a call is not an answer. The answer event carries the text held back, which
 * the caller shows if the answer turns out to hold no call after all.
 */
export async function* guardProse(events: AsyncIterable<CompletionEvent>, specs: ToolSpec[]): AsyncGenerator<GuardedEvent, void, undefined> {
	let text = '';
	let settled = 0; // text before this is decided: prose up to here
	let emitted = 0;
	let callFound = false;
	let closers: string | undefined; // held at an open block that only these characters can close
	for await (const event of events) {
		if (event.type === 'answer') {
			yield { type: 'answer', answer: event.answer, withheld: withoutFraming(text.slice(emitted)) };
			continue;
		}
		text += event.text;
		if (callFound) continue;
		if (closers !== undefined && ![...closers].some((c) => event.text.includes(c))) continue; // nothing can have changed
		closers = undefined;
		for (;;) {
			const found = nextFound(text, settled, specs, false);
			if (!found) {
				settled = text.length;
				break;
			}
			if (found.marked || found.calls) {
				settled = found.start;
				callFound = true;
				break;
			}
			if (found.end === null) {
				settled = found.start; // may be a call: hold from here
				closers = found.closers;
				break;
			}
			settled = found.end; // a closed block that is no call: prose
		}
		if (settled > emitted) {
			yield { type: 'text', text: text.slice(emitted, settled) };
			emitted = settled;
		}
		// What is shown is decided: keep only the rest, so a long answer is not scanned (or copied) again per chunk.
		text = text.slice(emitted);
		settled -= emitted;
		emitted = 0;
	}
}
