/**
 * Removes the API key from text the server sent, before that text can reach an item, an error,
 * a log line or a streamed chunk. A proxy or API that echoes request headers back ("headers were:
 * authorization=Bearer sk-…") would otherwise spread the key everywhere. Removing the key also
 * removes it from `Bearer <key>`, which becomes `Bearer [redacted]`.
 */
export const REDACTED = '[redacted]';

/** Shorter "keys" are not secrets worth mangling every answer for (and are no real Slier key). */
export const MIN_REDACTED_KEY_LENGTH = 8;

export function redactKey(text: string, apiKey: string): string {
	if (apiKey.length < MIN_REDACTED_KEY_LENGTH || !text.includes(apiKey)) return text;
	return text.split(apiKey).join(REDACTED);
}

/**
 * Redacts text that arrives in pieces (streamed deltas), where the key may be split across two
 * pieces. It holds back only the end of the text that could still become the key, and lets the
 * rest through at once.
 */
export class StreamRedactor {
	private held = '';

	constructor(private readonly apiKey: string) {}

	/** The text that is safe to pass on now (may be empty). */
	push(piece: string): string {
		const key = this.apiKey;
		if (key.length < MIN_REDACTED_KEY_LENGTH) return piece;
		const text = redactKey(this.held + piece, key);
		const keep = heldPrefixLength(text, key);
		this.held = text.slice(text.length - keep);
		return text.slice(0, text.length - keep);
	}

	get heldChars(): number {
		return this.held.length;
	}

	/** What was held back, once no more text follows (it was never the whole key). */
	flush(): string {
		const rest = this.held;
		this.held = '';
		return rest;
	}
}

/** The length of the longest end of `text` that is a proper beginning of `key`. */
function heldPrefixLength(text: string, key: string): number {
	const first = key.charCodeAt(0);
	for (let at = Math.max(0, text.length - key.length + 1); at < text.length; at++) {
		if (text.charCodeAt(at) === first && key.startsWith(text.slice(at))) return text.length - at;
	}
	return 0;
}
