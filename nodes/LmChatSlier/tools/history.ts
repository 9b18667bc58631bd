/**
 * A tool's result as the model should read it. n8n's AI Agent (v3) sends a tool's output items
 * as `[{"response": …}]` and a failed tool as `{"error": …}` (with no error flag): both are
 * unwrapped, so the model reads "84", not JSON about JSON, and knows a failure for one.
 */
export function readToolResult(result: unknown, isError: boolean): { text: string; isError: boolean } {
	let value = result;
	if (typeof result === 'string') {
		try {
			value = JSON.parse(result);
		} catch {
			return { text: result, isError };
		}
	}
	if (Array.isArray(value) && value.length === 1 && isOnly(value[0], 'response')) value = (value[0] as { response: unknown }).response;
	else if (isOnly(value, 'response')) value = (value as { response: unknown }).response;
	const failed = isError || (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { error?: unknown }).error === 'string' && Object.keys(value).every((k) => k === 'error' || k === 'errorType'));
	if (failed && typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string') {
		return { text: (value as { error: string }).error, isError: true };
	}
	return { text: typeof value === 'string' ? value : JSON.stringify(value), isError: failed };
}

function isOnly(value: unknown, key: string): boolean {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && key in value;
}
