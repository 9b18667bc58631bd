import { extractCitations, extractLinks, stripCitations, type Link } from './citations';
import type { Answer } from './types';

/** What Slier Search shows of an answer, for Slier Search's items and the Slier Chat Model's search mode. */
export interface SearchFields {
	/** The answer text as shown: without the superscript markers when they are stripped. */
	content: string | null;
	/** The cited source numbers, read from the answer as sent. */
	citations: number[];
	/** The Markdown links in the answer. */
	links: Link[];
	/**
	 * The text without markers, whatever was asked: Answer Format JSON reads this, so a marker
	 * after a value ("500¹") cannot break the JSON.
	 */
	plainText: string | null;
}

export function searchFields(answer: Answer, stripMarkers: boolean): SearchFields {
	const plainText = stripCitations(answer.content);
	return {
		content: stripMarkers ? plainText : answer.content,
		citations: extractCitations(answer.content),
		links: extractLinks(answer.content),
		plainText,
	};
}
