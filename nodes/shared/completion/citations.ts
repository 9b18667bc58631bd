/**
 * Search answers cite sources with superscript numbers ("…headset³.", "¹⁰"). These helpers read
 * them, strip them, and pull Markdown links out of the text.
 */
const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const MARKER = /[⁰¹²³⁴⁵⁶⁷⁸⁹]+/g;
/** A marker with the blanks before it, so "word ¹." strips to "word.". */
const MARKER_WITH_SPACE = /[ \t]*[⁰¹²³⁴⁵⁶⁷⁸⁹]+/g;

/** The cited numbers in order of first appearance, without repeats; ¹⁰ is 10. */
export function extractCitations(text: string | null): number[] {
	if (!text) return [];
	const seen = new Set<number>();
	for (const [marker] of text.matchAll(MARKER)) {
		const value = Number([...marker].map((c) => SUPERSCRIPT_DIGITS.indexOf(c)).join(''));
		seen.add(value);
	}
	return [...seen];
}

export function stripCitations(text: string | null): string | null {
	return text === null ? null : text.replace(MARKER_WITH_SPACE, '');
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
