/**
 * JSON.parse that answers `undefined` for text that is not JSON (no JSON text parses to
 * `undefined`), so a caller can turn bad JSON into its own error where it reads best.
 */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
