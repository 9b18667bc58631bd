/**
 * The streaming guard through the seam: what the chat shows while an answer streams in, at chunk
 * sizes from one character up. Prose is shown, nothing of a call ever is, and an answer with no
 * call is shown whole.
 */
import { guardStreamedText, type SeamTool } from '../../nodes/LmChatSlier/tools';
import { MARKED_FORMATS } from '../../nodes/LmChatSlier/tools/formats/registry';

const TOOLS: SeamTool[] = [
	{ name: 'Calculator', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
	{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];

const SIZES = [1, 2, 3, 5, 8, 13, Number.POSITIVE_INFINITY];

async function shown(text: string, size: number): Promise<{ text: string; pieces: number }> {
	async function* chunks() {
		for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
	}
	let out = '';
	let pieces = 0;
	for await (const piece of guardStreamedText(chunks(), TOOLS)) {
		out += piece;
		pieces++;
	}
	return { text: out, pieces };
}

const CALLS: Array<[string, string, string]> = [
	['Hermes', 'Let me compute.\n<tool_call>\n{"name": "Calculator", "arguments": {"input": "12*7"}}\n</tool_call>', 'Let me compute.'],
	['JSON indented on its own line', 'Let me compute.\n    {\n      "name": "Calculator",\n      "arguments": {"input": "12*7"}\n    }', 'Let me compute.'],
	['<tool_calls> (Jamba)', 'Sure.<tool_calls>[{"name": "Calculator", "arguments": {"input": "12*7"}}]</tool_calls>', 'Sure.'],
	['Llama <|python_tag|>', 'Ok <|python_tag|>{"name": "Calculator", "parameters": {"input": "12*7"}}', 'Ok'],
	['Llama JSON inside prose', 'Here is the result: {"name": "Calculator", "parameters": {"input": "12*7"}} Would you like more?', 'Here is the result:'],
	['Mistral name{args}', 'Checking[TOOL_CALLS]get_weather{"city": "Paris"}', 'Checking'],
	['pythonic', 'Let me check the weather: [get_weather(city=\'Paris\')]', 'Let me check the weather:'],
	['Qwen3-Coder XML', 'One moment.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>', 'One moment.'],
	['GLM', 'Weather:<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>', 'Weather:'],
	['DeepSeek', 'Hmm.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"city": "Paris"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>', 'Hmm.'],
	['Kimi K2', 'Ok.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"city": "Paris"}<|tool_call_end|><|tool_calls_section_end|>', 'Ok.'],
	['GPT-OSS', '<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>', ''],
	['Functionary >>>', '>>>get_weather\n{"city": "Paris"}', ''],
	['FireFunction functools', 'Sure functools[{"name": "get_weather", "arguments": {"city": "Paris"}}]', 'Sure'],
	['MiniMax', 'Ok<minimax:tool_call><invoke name="get_weather"><parameter name="city">Paris</parameter></invoke></minimax:tool_call>', 'Ok'],
	['Command R7B', 'Fine<|START_ACTION|>[{"tool_call_id": "0", "tool_name": "get_weather", "parameters": {"city": "Paris"}}]<|END_ACTION|>', 'Fine'],
];

describe.each(SIZES)('streamed in chunks of %s characters', (size) => {
	it.each(CALLS)('%s: the prose is shown, nothing of the call', async (_, text, prose) => {
		const out = await shown(text, size);
		expect(out.text.trim()).toBe(prose);
	});

	it.each([
		['plain prose with brackets and tags', 'A plain answer: use <b>bold</b>, a {brace}, [1] and a [link](https://x.y) — done.'],
		['a config example', 'Here:\n```json\n{"name": "my-app", "version": "1.0.0"}\n```\nThat is all.'],
		['JSON data on its own line', 'Result:\n  {"name": "Ann", "age": 3}\nok'],
		['a Python session', '>>> print(1)\n1\n>>> to do'],
		['markers in inline code', 'Mistral writes `[TOOL_CALLS]` and Hermes `<tool_call>`.'],
		['words that start like openers', 'Go to the functools docs; [TOOL] and <tool> are fine; to=fun.'],
	])('%s is shown whole', async (_, text) => {
		expect((await shown(text, size)).text).toBe(text);
	});

	it('a thought is not shown, the answer after it is', async () => {
		expect((await shown('<think>Maybe [get_weather(city=\'X\')]?</think>It is sunny.', size)).text).toBe('It is sunny.');
		expect((await shown('<|channel>thought\nMaybe rain.<channel|>It is sunny.', size)).text).toBe('It is sunny.');
	});
});

it('shows prose while it streams, before the answer ends', async () => {
	// Pieces, not timing: the prose comes out as several pieces when the chunks are small.
	const out = await shown('One two three four five six.\n<tool_call>{"name": "Calculator", "arguments": {"input": "1"}}</tool_call>', 3);
	expect(out.pieces).toBeGreaterThan(5);
});

describe('the chunk size never changes what the chat shows', () => {
	// Answers assembled from pieces of every format (a fixed seed: the same answers every run).
	const PIECES = [
		'<tool_call>', '</tool_call>', '{"name": "get_weather", "arguments": {"city": "P"}}', "[get_weather(city='x')]", 'Hello ', 'world. ', '\n',
		'```json\n', '```', '{', '}', '[', ']', '"', "'", '<|python_tag|>', '[TOOL_CALLS]', 'get_weather', '{"city": "P"}', '<think>', '</think>',
		'<|channel|>', 'to=functions.get_weather', '<|message|>', '>>>', 'functools[', '<function=get_weather>', '<parameter=city>', 'P',
		'</parameter>', '</function>', ' t', ' f', '<', '|', '>', '<｜tool▁calls▁begin｜>', '<｜tool▁call▁begin｜>', '<｜tool▁sep｜>', ';',
	];
	let seed = 42;
	const random = (n: number) => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) % n;
	};
	const answers = Array.from({ length: 300 }, () => Array.from({ length: 1 + random(8) }, () => PIECES[random(PIECES.length)]).join(''));

	it('for 300 assembled answers, at chunk sizes 1, 2, 3 and 5 as whole', async () => {
		const differing: string[] = [];
		for (const answer of answers) {
			const whole = (await shown(answer, Number.POSITIVE_INFINITY)).text;
			for (const size of [1, 2, 3, 5]) {
				if ((await shown(answer, size)).text !== whole) differing.push(`${JSON.stringify(answer)} at ${size}`);
			}
		}
		expect(differing).toEqual([]);
	});
});

describe('every opener in the registry is held back from its first character', () => {
	// Built from the registry, so a format added there is checked here too.
	const openers = MARKED_FORMATS.flatMap((format) => format.literals.map((literal) => [format.family, literal] as const));

	/** What the chat shows while the answer is still streaming (before its end is known). */
	async function shownWhileStreaming(text: string, size: number): Promise<string> {
		let ended = false;
		async function* chunks() {
			for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
			ended = true;
		}
		let out = '';
		for await (const piece of guardStreamedText(chunks(), TOOLS)) if (!ended) out += piece;
		return out;
	}

	it.each(MARKED_FORMATS.map((format) => [format.family, format] as const))('%s: each held spelling is its opener', (_, format) => {
		for (const literal of format.literals) expect(new RegExp(`^(?:${format.opener})`, 'i').test(`${literal}f{`)).toBe(true);
	});

	it.each(openers)('%s: %s', async (_, literal) => {
		for (const size of [1, 2, 3, 5, 8, 13]) {
			expect({ size, shown: await shownWhileStreaming(`Hello. ${literal}`, size) }).toEqual({ size, shown: 'Hello. ' });
		}
	});
});
