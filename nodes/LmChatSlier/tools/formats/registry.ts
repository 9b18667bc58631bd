import type { ToolSpec } from '../specs';
import { readBody } from './body';
import { readFunctionary, readHarmony, readMistral, readQwenAgent, readSections, type Block } from './named';

/**
 * Every published call format with a marker of its own. A marker means the model meant a call:
 * an answer that holds one is never the final answer (its calls run, or the model hears what is
 * wrong). Each entry names the models and the parser or template whose wire shape it follows.
 * `literals` are the opener's spellings: the streaming guard holds back their first characters.
 */
export interface MarkedFormat {
	family: string;
	follows: string;
	/** The opener, as a regular expression (case-insensitive). */
	opener: string;
	literals: string[];
	read(text: string, at: number, openEnd: number, specs: ToolSpec[]): Block;
}

/** The body up to the closer (or the end of the answer, which was cut or stopped at the closer). */
const tagged = (closer: string) => {
	const pattern = new RegExp(closer, 'i');
	return (text: string, _at: number, openEnd: number, specs: ToolSpec[]): Block => {
		const close = pattern.exec(text.slice(openEnd));
		const bodyEnd = close ? openEnd + close.index : text.length;
		const body = text.slice(openEnd, bodyEnd);
		return { end: close ? bodyEnd + close[0].length : text.length, calls: readBody(body, specs), body };
	};
};

/** No closer: the body runs to the next same opener or to the end. */
const untilNext = (opener: string) => {
	const pattern = new RegExp(opener, 'i');
	return (text: string, _at: number, openEnd: number, specs: ToolSpec[]): Block => {
		const next = pattern.exec(text.slice(openEnd));
		const end = next ? openEnd + next.index : text.length;
		const body = text.slice(openEnd, end);
		return { end, calls: readBody(body, specs), body };
	};
};

/** A DeepSeek/Kimi token in every spelling llama.cpp accepts: `<｜tool▁calls▁begin｜>`, `_`, a space, or `\\_` between the words. */
const dsk = (words: string) => `<[|｜]${words.split(' ').join('(?:[_▁ ]|\\\\_)')}[|｜]>`;

export const MARKED_FORMATS: MarkedFormat[] = [
	{
		family: 'Seed-OSS',
		follows: 'vLLM seed_oss_tool_parser.py',
		opener: '<seed:tool_call>',
		literals: ['<seed:tool_call>'],
		read: tagged('</seed:tool_call>'),
	},
	{
		family: 'MiniMax-M2',
		follows: 'vLLM minimax_m2_tool_parser.py',
		opener: '<minimax:tool_call>',
		literals: ['<minimax:tool_call>'],
		read: tagged('</minimax:tool_call>'),
	},
	{
		family: 'LongCat-Flash',
		follows: 'vLLM longcat_tool_parser.py',
		opener: '<longcat_tool_call>',
		literals: ['<longcat_tool_call>'],
		read: tagged('</longcat_tool_call>'),
	},
	{
		family: 'Jamba, MiniMax-M1, Hunyuan',
		follows: 'vLLM jamba_tool_parser.py, minimax_tool_parser.py',
		opener: '<tool_calls>',
		literals: ['<tool_calls>'],
		read: tagged('</tool_calls>'),
	},
	{
		family: 'Hermes 2/3, Qwen 2.5/3, Qwen3-Coder, GLM-4.5/4.6/4.7, xLAM, Granite 3.1+',
		follows: 'vLLM hermes_tool_parser.py, qwen3coder_tool_parser.py, glm4_moe_tool_parser.py',
		opener: '<tool_call>',
		literals: ['<tool_call>'],
		read: tagged('</tool_call>'),
	},
	{
		family: 'Llama 3.1/3.2/3.3 (JSON)',
		follows: 'vLLM llama_tool_parser.py, llama.cpp common/chat.cpp',
		opener: '<\\|python_tag\\|>',
		literals: ['<|python_tag|>'],
		read: tagged('<\\|eom_id\\|>|<\\|eot_id\\|>|<\\|python_tag\\|>'),
	},
	{
		family: 'Llama 4 (pythonic)',
		follows: 'vLLM llama4_pythonic_tool_parser.py',
		opener: '<\\|python_start\\|>',
		literals: ['<|python_start|>'],
		read: tagged('<\\|python_end\\|>'),
	},
	{
		family: 'Mistral, Mixtral, Ministral, Magistral, Devstral',
		follows: 'vLLM mistral_tool_parser.py, llama.cpp common/chat.cpp',
		opener: '\\[TOOL_CALLS\\]',
		literals: ['[tool_calls]'],
		read: (text, _at, openEnd, specs) => readMistral(text, openEnd, specs),
	},
	{
		family: 'Granite 3.0',
		follows: 'vLLM granite_tool_parser.py',
		opener: '<\\|tool_call\\|>',
		literals: ['<|tool_call|>'],
		read: untilNext('<\\|tool_call\\|>'),
	},
	{
		family: 'Granite 20B function calling',
		follows: 'vLLM granite_20b_fc_tool_parser.py',
		opener: '<function_call>',
		literals: ['<function_call>'],
		read: untilNext('<function_call>'),
	},
	{
		family: 'Phi-4-mini, FireFunction v2',
		follows: 'vLLM phi4mini_tool_parser.py, llama.cpp common/chat.cpp (FireFunction v2)',
		opener: 'functools(?=\\[)',
		literals: ['functools['],
		read: untilNext('functools\\['),
	},
	{
		family: 'InternLM 2/2.5',
		follows: 'vLLM internlm2_tool_parser.py',
		opener: '<\\|action_start\\|>\\s*(?:<\\|plugin\\|>)?',
		literals: ['<|action_start|>'],
		read: tagged('<\\|action_end\\|>'),
	},
	{
		family: 'Nemotron (Llama-3.1-Nemotron, Nemotron-H/Nano)',
		follows: 'llama.cpp common/chat.cpp, vLLM nemotron tool parsers',
		opener: '<TOOLCALL>',
		literals: ['<toolcall>'],
		read: tagged('</TOOLCALL>'),
	},
	{
		family: 'LFM2',
		follows: 'llama.cpp common/chat.cpp (LFM2)',
		opener: '<\\|tool_call_start\\|>',
		literals: ['<|tool_call_start|>'],
		read: tagged('<\\|tool_call_end\\|>'),
	},
	{
		family: 'Apertus',
		follows: 'llama.cpp common/chat.cpp (Apertus)',
		opener: '<\\|tools_prefix\\|>',
		literals: ['<|tools_prefix|>'],
		read: tagged('<\\|tools_suffix\\|>'),
	},
	{
		family: 'Kimi K2, DeepSeek V3/V3.1/R1, Step3',
		follows: 'vLLM kimi_k2_tool_parser.py, deepseekv3_tool_parser.py, deepseekv31_tool_parser.py, step3_tool_parser.py',
		opener: [dsk('tool calls section begin'), dsk('tool call section begin'), dsk('tool calls begin'), dsk('tool calls'), dsk('tool call begin'), dsk('tool call argument begin')].join('|'),
		literals: [
			'<|tool_calls_section_begin|>', '<|tool_call_section_begin|>', '<|tool_calls_begin|>', '<|tool_call_begin|>', '<|tool_call_argument_begin|>',
			'<｜tool▁calls▁begin｜>', '<｜tool▁call▁begin｜>', '<｜tool_calls_begin｜>', '<｜tool calls begin｜>', '<｜tool\\_calls\\_begin｜>', '<｜tool▁calls｜>',
		],
		read: (text, at, openEnd, specs) => {
			// A Kimi call whose begin token is missing: its id stands just before the argument token.
			const bare = /argument/i.test(text.slice(at, openEnd));
			const start = bare ? Math.max(text.lastIndexOf('\n', at) + 1, text.lastIndexOf('>', at - 1) + 1) : at;
			const block = { ...readSections(text, bare ? start : openEnd), ...(bare ? { start } : {}) };
			// Step3 writes its XML invoke after the separator.
			if (block.calls) block.calls = block.calls.flatMap((call) => (typeof call.arguments === 'string' && /<steptml:invoke/i.test(call.arguments) ? (readBody(call.arguments, specs) ?? [call]) : [call]));
			return block;
		},
	},
	{
		family: 'GPT-OSS (harmony)',
		follows: 'vLLM openai_tool_parser.py, llama.cpp common/chat.cpp (GPT-OSS)',
		opener: 'to=functions\\.',
		literals: ['to=functions.'],
		read: (text, at, openEnd) => readHarmony(text, at, openEnd),
	},
	{
		family: 'Functionary v3.1, Llama 3.1 (<function=…>), Hermes 2 Pro (<function name=…>), Qwen3-Coder without its tags',
		follows: 'llama.cpp common/chat.cpp (Functionary v3.1 Llama 3.1, Hermes 2 Pro), vLLM qwen3coder_tool_parser.py',
		opener: '<function(?:=|\\s+name=)',
		literals: ['<function=', '<function name='],
		read: (text, at, _openEnd, specs) => {
			const close = /<\/function>/i.exec(text.slice(at));
			const end = close ? at + close.index + close[0].length : text.length;
			return { end, calls: readBody(text.slice(at, end), specs) };
		},
	},
	{
		family: 'Functionary v3.2',
		follows: 'llama.cpp common/chat.cpp (Functionary v3.2), vLLM functionary template',
		opener: '>>>(?=[A-Za-z_][\\w.-]*\\s*\\{)',
		literals: ['>>>'],
		read: (text, _at, openEnd) => readFunctionary(text, openEnd),
	},
	{
		family: 'GigaChat 3',
		follows: 'llama.cpp common/chat.cpp (GigaChat3)',
		opener: '<\\|message_sep\\|>\\s*function call\\s*<\\|role_sep\\|>',
		literals: ['<|message_sep|>\n\nfunction call<|role_sep|>', '<|message_sep|>\nfunction call<|role_sep|>', '<|message_sep|>function call<|role_sep|>'],
		read: untilNext('<\\|message_sep\\|>'),
	},
	{
		family: 'GigaChat 3.1',
		follows: 'llama.cpp common/chat.cpp (GigaChat3.1)',
		opener: '<\\|function_call\\|>',
		literals: ['<|function_call|>'],
		read: untilNext('<\\|function_call\\|>'),
	},
	{
		family: 'DeepSeek V3.2 (DSML)',
		follows: 'vLLM deepseekv32_tool_parser.py',
		opener: '<[|｜]DSML[|｜]function_calls>',
		literals: ['<｜dsml｜function_calls>', '<|dsml|function_calls>'],
		read: tagged('</[|｜]DSML[|｜]function_calls>'),
	},
	{
		family: 'OLMo 3 (pythonic lines), and <function_calls><invoke name=…> XML',
		follows: 'vLLM olmo3_tool_parser.py',
		opener: '<function_calls>',
		literals: ['<function_calls>'],
		read: tagged('</function_calls>'),
	},
	{
		family: 'FunctionGemma',
		follows: 'vLLM functiongemma_tool_parser.py',
		opener: '<start_function_call>',
		literals: ['<start_function_call>'],
		read: tagged('<end_function_call>'),
	},
	{
		family: 'Gemma 4',
		follows: 'vLLM gemma4_tool_parser.py',
		opener: '<\\|tool_call>',
		literals: ['<|tool_call>'],
		read: tagged('<tool_call\\|>'),
	},
	{
		family: 'Qwen 1.5/2 through Qwen-Agent',
		follows: 'Qwen-Agent (its function-calling prompt)',
		opener: '✿FUNCTION✿\\s*:',
		literals: ['✿function✿:'],
		read: (text, _at, openEnd) => readQwenAgent(text, openEnd),
	},
	{
		family: 'Command R7B',
		follows: 'llama.cpp common/chat.cpp (Command R7B)',
		opener: '<\\|START_ACTION\\|>',
		literals: ['<|start_action|>'],
		read: tagged('<\\|END_ACTION\\|>'),
	},
];

/** One expression for every opener, so an answer is searched once, left to right. */
export const ANY_OPENER = new RegExp(MARKED_FORMATS.map((format) => `(${format.opener})`).join('|'), 'gi');

export const OPENER_LITERALS: string[] = [...new Set(MARKED_FORMATS.flatMap((format) => format.literals))];
