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
	if (apiKey.length < MIN_REDACTED_KEY_LENGTH) return text;
	for (const form of keyForms(apiKey)) if (text.includes(form)) text = text.split(form).join(REDACTED);
	return text;
}

let memo: { key: string; forms: string[] } | undefined;

/**
 * The key as a server may write it back: as is, with "/" escaped by a JSON encoder ("\/",
 * "\u002f"), or URL-encoded by a gateway that quotes the request ("%2F", "%2B"). Keys in
 * base64 style hold "/" and "+". Parsed JSON is redacted again after parsing (redactParsed), which
 * catches any other escape.
 */
function keyForms(apiKey: string): string[] {
	if (memo?.key !== apiKey) {
		const url = encodeURIComponent(apiKey);
		const forms = new Set([
			apiKey,
			apiKey.replace(/\//g, '\\/'),
			apiKey.replace(/\//g, '\\u002f'),
			apiKey.replace(/\//g, '\\u002F'),
			url,
			url.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
		]);
		memo = { key: apiKey, forms: [...forms] };
	}
	return memo.forms;
}

/**
 * Removes the key from every string inside a value parsed from the server's JSON, in place (JSON
 * escapes such as "\u0073k-…" are undone by parsing, so the text check alone cannot see them).
 * Walks without recursion, so deep nesting cannot overflow the stack. Returns the value.
 */
export function redactParsed<T>(value: T, apiKey: string): T {
	if (apiKey.length < MIN_REDACTED_KEY_LENGTH) return value;
	if (typeof value === 'string') return redactKey(value, apiKey) as T;
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const node = stack.pop();
		if (typeof node !== 'object' || node === null) continue;
		const record = node as Record<string, unknown>;
		for (const field of Object.keys(record)) {
			const child = record[field];
			if (typeof child === 'string') {
				if (child.length >= apiKey.length) record[field] = redactKey(child, apiKey);
			} else if (typeof child === 'object' && child !== null) stack.push(child);
		}
	}
	return value;
}

/**
 * Redacts text that arrives in pieces (streamed deltas), where the key may be split across two
 * pieces. It holds back only the end of the text that could still become the key, and lets the
 * rest through at once. Each piece comes already redacted on its own (redactParsed over its
 * chunk), so only a piece joined to a held end is searched again.
 */
export class StreamRedactor {
	private held = '';

	constructor(private readonly apiKey: string) {}

	/** The text that is safe to pass on now (may be empty). */
	push(piece: string): string {
		const key = this.apiKey;
		if (key.length < MIN_REDACTED_KEY_LENGTH) return piece;
		const text = this.held === '' ? piece : redactKey(this.held + piece, key);
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
