/**
 * Misbehaviour on demand. A message content may carry directives such as `[[429 times=1
 * retry-after=1]]` or `[[split size=3]] [[crlf]]`; the emulator strips them from the text it
 * answers and acts on them. Keeping them in the request means every item of a concurrent run
 * can ask for its own fault, with no shared switch between tests.
 */
export type Directives = Map<string, Record<string, string>>;

const DIRECTIVE = /\[\[([a-z0-9-]+)((?:\s+[a-z0-9-]+(?:=[^\]\s]*)?)*)\s*\]\]/gi;

export function parseDirectives(texts: string[]): Directives {
	const found: Directives = new Map();
	for (const text of texts) {
		for (const match of text.matchAll(DIRECTIVE)) {
			const args: Record<string, string> = {};
			for (const pair of match[2].trim().split(/\s+/).filter(Boolean)) {
				const [key, value = 'true'] = pair.split('=');
				args[key] = value;
			}
			found.set(match[1].toLowerCase(), args);
		}
	}
	return found;
}

export function stripDirectives(text: string): string {
	return text.replace(DIRECTIVE, '').replace(/\s+/g, ' ').trim();
}

/** For `[[verbatim]]`: the text without directives, line breaks and spacing kept. */
export function stripDirectivesKeepLayout(text: string): string {
	return text.replace(new RegExp(`[ \\t]*${DIRECTIVE.source}`, 'gi'), '').trim();
}

export function num(args: Record<string, string> | undefined, key: string, fallback: number): number {
	const value = args?.[key] !== undefined ? Number(args[key]) : NaN;
	return Number.isFinite(value) ? value : fallback;
}
