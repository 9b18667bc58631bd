import type { CompletionEvent } from '../../shared/completion/complete';
import type { Answer } from '../../shared/completion/types';
import { interpret, nextCandidate } from './read-calls';
import type { ToolSpec } from './specs';

/** What the guard passes on: prose that is safe to show, then the answer with the text held back. */
export type GuardedEvent = { type: 'text'; text: string } | { type: 'answer'; answer: Answer; withheld: string };

/**
 * Streams the prose of an answer that may hold tool calls, and nothing of the calls. A pull-style
 * transformer over the completion's events: text is passed on as soon as it is certain to be
 * prose; anything that may start a call (a <tool_call> tag or its first letters, a ``` fence, a
 * JSON object at the start of a line) is held until it is closed and read. A closed block that is
 * no call (a config example) is passed on then; from the first call on, nothing more is, since
 * text after a call is not an answer. The answer event carries the text held back, which the
 * caller shows if the answer turns out to hold no call after all.
 */
export async function* guardProse(events: AsyncIterable<CompletionEvent>, specs: ToolSpec[]): AsyncGenerator<GuardedEvent, void, undefined> {
	let text = '';
	let settled = 0; // text before this is decided: prose up to here
	let emitted = 0;
	let callFound = false;
	for await (const event of events) {
		if (event.type === 'answer') {
			yield { type: 'answer', answer: event.answer, withheld: text.slice(emitted) };
			continue;
		}
		text += event.text;
		if (callFound) continue;
		for (;;) {
			const candidate = nextCandidate(text, settled);
			if (!candidate) {
				settled = text.length;
				break;
			}
			if (candidate.end === null) {
				settled = candidate.start; // may be a call: hold from here
				break;
			}
			if (interpret(candidate, specs)) {
				settled = candidate.start;
				callFound = true;
				break;
			}
			settled = candidate.end; // a closed block that is no call: prose
		}
		if (settled > emitted) {
			yield { type: 'text', text: text.slice(emitted, settled) };
			emitted = settled;
		}
	}
}
