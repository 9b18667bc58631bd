/**
 * Search answers cite sources with superscript numbers ("…headset³.", "¹⁰"). These helpers read
 * them, strip them, and pull Markdown links out of the text.
 */
const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** A marker with the blanks before it, so "word ¹." strips to "word.". */
const MARKER = /([ \t]*)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)/g;
/**
 * What comes before a unit's power: a number, an optional space, then a unit of up to three
 * letters, optionally "/unit" ("25 km", "3 m", "9.8 m/s"). A ² or ³ right there is a power.
 */
const NUMBER_AND_UNIT = /\d[ \u00a0\u202f]?[A-Za-zµμ]{1,3}(?:\/[A-Za-zµμ]{1,3})?$/;

/** How far back the unit-power rule looks. */
const LOOK_BACK = 12;

function isPower(text: string, index: number, marker: string): boolean {
	return (marker === '²' || marker === '³') && NUMBER_AND_UNIT.test(text.slice(Math.max(0, index - LOOK_BACK), index));
}

/** The cited numbers in order of first appearance, without repeats; ¹⁰ is 10; "km²" is no citation. */
export function extractCitations(text: string | null): number[] {
	if (!text) return [];
	const seen = new Set<number>();
	for (const match of text.matchAll(MARKER)) {
		const marker = match[2];
		if (match[1] === '' && isPower(text, match.index ?? 0, marker)) continue;
		seen.add(Number([...marker].map((c) => SUPERSCRIPT_DIGITS.indexOf(c)).join('')));
	}
	return [...seen];
}

/** Removes the citation markers; a unit's power ("25 km²", "3 m³") stays. */
export function stripCitations(text: string | null): string | null {
	return text === null ? null : stripAfter('', text);
}

/** Strips `text`, which follows `before` (raw text already handled, for the unit-power look-back). */
function stripAfter(before: string, text: string): string {
	return text.replace(MARKER, (whole: string, blanks: string, marker: string, index: number) =>
		blanks === '' && isPower(before + text, before.length + index, marker) ? whole : '',
	);
}

/** Blanks and markers at the end of streamed text: what follows decides how they strip. */
const UNDECIDED_END = /[ \t⁰¹²³⁴⁵⁶⁷⁸⁹]*$/;

/**
 * stripCitations for text that arrives in pieces (a stream to a chat): the pieces it returns join
 * to exactly stripCitations of the whole. It holds back only blanks and markers at the end (a
 * marker that follows takes the blanks before it; a marker may go on), and keeps the last few
 * characters it let through for the unit-power look-back ("25 km" then "²").
 */
export class CitationStripper {
	private pending = '';
	private before = '';

	push(piece: string): string {
		const text = this.pending + piece;
		const cut = text.search(UNDECIDED_END);
		this.pending = text.slice(cut);
		return this.emit(text.slice(0, cut));
	}

	/** What was held back, once the stream has ended. */
	flush(): string {
		const rest = this.pending;
		this.pending = '';
		return this.emit(rest);
	}

	private emit(ready: string): string {
		if (ready === '') return '';
		const out = stripAfter(this.before, ready);
		this.before = (this.before + ready).slice(-LOOK_BACK);
		return out;
	}
}

export interface Link {
	text: string;
	url: string;
}

// [text](url) and ![alt](url "title"); text may hold one level of nested brackets.
const MARKDOWN_LINK = /!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*<?([^\s)>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g;

/** Markdown links and images in the answer, in order, each once. */
export function extractLinks(text: string | null): Link[] {
	if (!text) return [];
	const links: Link[] = [];
	const seen = new Set<string>();
	for (const [, label, url] of text.matchAll(MARKDOWN_LINK)) {
		const key = `${label}\u0000${url}`;
		if (seen.has(key)) continue;
		seen.add(key);
		links.push({ text: label.trim(), url });
	}
	return links;
}
