/**
 * A local token estimate for LangChain's `getNumTokens` (the Summarization Chain's map-reduce,
 * memory trimming). LangChain's own count downloads a tiktoken table from the internet and, on a
 * machine without internet, retries for about 90 seconds per chain run. Slier's models use
 * different tokenizers anyway, so an estimate is what any count could be: about 4 characters per
 * token for text in Latin script, one token per character for other scripts (CJK, emoji), and at
 * least one token per word or punctuation mark. It errs on the high side, so splitting by it
 * stays within a model's window.
 */
export function estimateTokens(text: string): number {
	if (text === '') return 0;
	let ascii = 0;
	let other = 0;
	for (const char of text) {
		if (char.charCodeAt(0) < 128) ascii++;
		else other++;
	}
	const pieces = text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0;
	return Math.max(Math.ceil(ascii / 4) + other, pieces);
}

/** The text LangChain passes: a string, or message content parts. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content.map((part) => (typeof part === 'string' ? part : typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text : '')).join('');
	}
	return '';
}
