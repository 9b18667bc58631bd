/** Where JSON sits inside text a model wrote (an answer in prose, a tool call after a sentence). */

/** Index just past the bracket that closes the one at `start` (JSON strings respected), or undefined if it never closes. */
export function balancedEnd(text: string, start: number): number | undefined {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) return i + 1;
		}
	}
	return undefined;
}
