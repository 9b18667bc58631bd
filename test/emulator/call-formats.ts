/**
 * Tool calls written as the open models behind OpenAI-style endpoints write them, for
 * `[[format name=…]]` on the slier-tools model. The layouts follow the models' chat templates
 * and the tool parsers of the inference servers (vLLM's `tool_parsers/`: llama3_json,
 * mistral, qwen3coder, glm4_moe, pythonic):
 *   hermes          <tool_call>{"name", "arguments"}</tool_call> (what the prompt teaches)
 *   llama           <|python_tag|>{"name": …, "parameters": {…}} (Llama 3.1/3.3)
 *   llama-json      {"name": …, "parameters": {…}} alone, no tag
 *   llama-parallel  <|python_tag|>{…}; {…} (Llama's several calls, `;`-separated)
 *   mistral         [TOOL_CALLS] [{"name": …, "arguments": {…}}, …]
 *   mistral-name    [TOOL_CALLS]name{…}[TOOL_CALLS]name{…} (Mistral's v11 tokenizer)
 *   qwen3-coder     prose, then <tool_call><function=name><parameter=key>value</parameter></function></tool_call>
 *   glm             prose, then <tool_call>name<arg_key>key</arg_key><arg_value>value</arg_value></tool_call>
 *   pythonic        [name(key='value', n=1), …] (Llama 3.2 and 4)
 */
export interface CallToWrite {
	name: string;
	args: Record<string, unknown>;
}

export const CALL_FORMATS = ['hermes', 'llama', 'llama-json', 'llama-parallel', 'mistral', 'mistral-name', 'qwen3-coder', 'glm', 'pythonic'] as const;

const json = (call: CallToWrite, key = 'arguments') => JSON.stringify({ name: call.name, [key]: call.args });

/** A value as text inside an XML-like body: strings bare, anything else as JSON. */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A Python literal: what pythonic calls are made of. */
function python(value: unknown): string {
	if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
	if (typeof value === 'boolean') return value ? 'True' : 'False';
	if (value === null || value === undefined) return 'None';
	if (Array.isArray(value)) return `[${value.map(python).join(', ')}]`;
	if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `'${k}': ${python(v)}`).join(', ')}}`;
	return String(value);
}

export function writeCalls(format: string, calls: CallToWrite[]): string {
	switch (format) {
		case 'llama':
			return calls.map((call) => `<|python_tag|>${json(call, 'parameters')}`).join('\n');
		case 'llama-json':
			return calls.map((call) => json(call, 'parameters')).join('\n');
		case 'llama-parallel':
			return `<|python_tag|>${calls.map((call) => json(call, 'parameters')).join('; ')}`;
		case 'mistral':
			return `[TOOL_CALLS] ${JSON.stringify(calls.map((call) => ({ name: call.name, arguments: call.args })))}`;
		case 'mistral-name':
			return calls.map((call) => `[TOOL_CALLS]${call.name}${JSON.stringify(call.args)}`).join('');
		case 'qwen3-coder':
			return `I'll use ${calls.map((c) => c.name).join(' and ')}.\n${calls
				.map(
					(call) =>
						`<tool_call>\n<function=${call.name}>\n${Object.entries(call.args)
							.map(([key, value]) => `<parameter=${key}>\n${asText(value)}\n</parameter>\n`)
							.join('')}</function>\n</tool_call>`,
				)
				.join('\n')}`;
		case 'glm':
			return `Let me check with ${calls.map((c) => c.name).join(' and ')}.\n${calls
				.map(
					(call) =>
						`<tool_call>${call.name}\n${Object.entries(call.args)
							.map(([key, value]) => `<arg_key>${key}</arg_key>\n<arg_value>${asText(value)}</arg_value>\n`)
							.join('')}</tool_call>`,
				)
				.join('\n')}`;
		case 'pythonic':
			return `[${calls.map((call) => `${call.name}(${Object.entries(call.args).map(([k, v]) => `${k}=${python(v)}`).join(', ')})`).join(', ')}]`;
		default:
			return calls.map((call) => `<tool_call>\n${json(call)}\n</tool_call>`).join('\n');
	}
}
