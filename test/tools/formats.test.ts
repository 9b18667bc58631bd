/**
 * Each format reader, on model output taken from the public tool-parser tests of inference
 * servers (the source of each text is named), through the seam the Slier Chat Model uses.
 * The full conformance corpus lives in test/tools/conformance; these pin one reader each.
 */
import { readToolCalls, type SeamTool } from '../../nodes/LmChatSlier/tools';

const LLAMA_CPP = 'ggml-org/llama.cpp tests/test-chat.cpp test_template_output_peg_parsers';
const VLLM = 'vllm-project/vllm tests/tool_parsers';
const SGLANG = 'sgl-project/sglang test/srt/test_function_call_parser.py';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });
const TOOLS: SeamTool[] = [
	{ name: 'special_function', description: 'test', parameters: object({ arg1: { type: 'integer' } }, ['arg1']) },
	{ name: 'get_weather', parameters: object({ city: { type: 'string' }, location: { type: 'string' }, unit: { type: 'string' } }) },
	{ name: 'get_time', parameters: object({ city: { type: 'string' } }) },
	{ name: 'search', parameters: object({ query: { type: 'string' } }) },
	{ name: 'code_interpreter', parameters: object({ code: { type: 'string' } }) },
];

const special = [{ name: 'special_function', arguments: { arg1: 1 } }];
const tokyo = [{ name: 'get_weather', arguments: { city: 'Tokyo' } }];

describe('one reader per published format', () => {
	it.each([
		['Hermes <tool_call> JSON', 'NousResearch Hermes 2 Pro', '<tool_call>\n{"name": "special_function", "arguments": {"arg1": 1}}\n</tool_call>', special],
		['Hermes 2 Pro <function name=…>', `${LLAMA_CPP} [NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use]`, '<function name="special_function">\n{"arg1": 1}\n</function>', special],
		['Functionary v3.1 <function=…>', `${LLAMA_CPP} [meetkai-functionary-medium-v3.1]`, '<function=special_function>{"arg1": 1}</function>', special],
		['Functionary v3.2 >>>name', `${LLAMA_CPP} [meetkai-functionary-medium-v3.2] call`, '>>>special_function\n{"arg1": 1}', special],
		['Qwen3-Coder XML in <tool_call>', `${LLAMA_CPP} [NVIDIA-Nemotron-3-Nano-30B-A3B-BF16] call`, '<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n</tool_call>', special],
		['Seed-OSS <seed:tool_call>', `${LLAMA_CPP} [ByteDance-Seed-OSS] call`, '<seed:tool_call>\n<function=special_function>\n<parameter=arg1>1</parameter>\n</function>\n</seed:tool_call>', special],
		['GLM-4.6 arg_key/arg_value', `${LLAMA_CPP} [GLM-4.6] call`, '<tool_call>special_function\n<arg_key>arg1</arg_key>\n<arg_value>1</arg_value>\n</tool_call>', special],
		['Llama 3.1 builtin after <|python_tag|>', `${LLAMA_CPP} [meta-llama-Llama-3.1-8B-Instruct] builtin code_interpreter`, '<|python_tag|>code_interpreter.call(code="print(\'hey\')")', [{ name: 'code_interpreter', arguments: { code: "print('hey')" } }]],
		['Mistral [TOOL_CALLS]name[ARGS]{…}', `${LLAMA_CPP} [mistralai-Ministral-3-14B-Reasoning-2512] call`, '[TOOL_CALLS]special_function[ARGS]{"arg1":1}', special],
		['Mistral [TOOL_CALLS]name{…}', `${VLLM}/test_mistral_tool_parser.py (v11 form)`, '[TOOL_CALLS]special_function{"arg1": 1}', special],
		['Mistral [TOOL_CALLS] array', `${VLLM}/test_mistral_tool_parser.py (pre-v11 form)`, '[TOOL_CALLS] [{"name": "special_function", "arguments": {"arg1": 1}}]', special],
		['Granite 3.0 <|tool_call|>', `${VLLM}/test_granite_tool_parser.py test_single_tool_call_simple_args`, '<|tool_call|> [{"name": "get_weather", "arguments": {"city": "Tokyo"}}]', tokyo],
		['Granite 20B <function_call>', `${VLLM}/test_granite_20b_fc_tool_parser.py test_single_tool_call_simple_args`, '<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}}', tokyo],
		['FireFunction v2 functools[…]', `${LLAMA_CPP} [fireworks-ai-llama-3-firefunction-v2] call`, ' functools[{"name": "special_function", "arguments": {"arg1": 1}}]', special],
		['InternLM <|action_start|><|plugin|>', `${VLLM}/test_internlm2_tool_parser.py test_single_tool_call_simple_args`, '<|action_start|><|plugin|>{"name": "get_weather", "parameters": {"city": "Tokyo"}}<|action_end|>', tokyo],
		['Jamba <tool_calls>', `${LLAMA_CPP} [unsloth-Apriel-1.5] call`, '<tool_calls>[{"name": "special_function", "arguments": {"arg1": 1}}]</tool_calls>', special],
		['Nemotron <TOOLCALL>', `${LLAMA_CPP} [NVIDIA-Nemotron-Nano-v2] call`, '<TOOLCALL>[{"name": "special_function", "arguments": {"arg1": 1}}]</TOOLCALL><SPECIAL_12>', special],
		['LFM2 <|tool_call_start|> pythonic', `${LLAMA_CPP} [LFM2-8B-A1B] call`, '<|tool_call_start|>[special_function(arg1=1)]<|tool_call_end|>', special],
		['Apertus <|tools_prefix|>', `${LLAMA_CPP} [Apertus-8B-Instruct] call`, '<|tools_prefix|>[{"special_function": {"arg1": 1}}]<|tools_suffix|>', special],
		['MiniMax-M2 <invoke>', `${LLAMA_CPP} [MiniMax-M2] call`, '<minimax:tool_call>\n<invoke name="special_function">\n<parameter name="arg1">1</parameter>\n</invoke>\n</minimax:tool_call>', special],
		['Kimi K2 sections', `${LLAMA_CPP} [Kimi-K2-Thinking] call`, '<|tool_calls_section_begin|><|tool_call_begin|>functions.special_function:0<|tool_call_argument_begin|>{"arg1": 1}<|tool_call_end|><|tool_calls_section_end|>', special],
		['DeepSeek V3.1', `${LLAMA_CPP} [deepseek-ai-DeepSeek-V3.1] call`, '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{"city": "XYZCITY"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>', [{ name: 'get_time', arguments: { city: 'XYZCITY' } }]],
		['DeepSeek, the spellings llama.cpp accepts', 'ggml-org/llama.cpp common/chat.cpp (DeepSeek R1 grammar triggers)', '<｜tool\\_calls\\_begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{"city": "A"}<｜tool▁call▁end｜><｜tool\\_calls\\_end｜><｜tool calls begin｜><｜tool call begin｜>get_time<｜tool sep｜>{"city": "B"}<｜tool call end｜><｜tool calls end｜><｜tool▁calls｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{"city": "C"}<｜tool▁call▁end｜>', ['A', 'B', 'C'].map((city) => ({ name: 'get_time', arguments: { city } }))],
		['DeepSeek R1', `${LLAMA_CPP} [llama-cpp-deepseek-r1] call`, '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>special_function\n```json\n{"arg1": 1}```<｜tool▁call▁end｜><｜tool▁calls▁end｜>', special],
		['GPT-OSS harmony', `${LLAMA_CPP} [openai-gpt-oss-120b] with constrain`, ' to=functions.special_function<|channel|>analysis <|constrain|>json<|message|>{"arg1": 1}', special],
		['GPT-OSS after analysis', `${LLAMA_CPP} [openai-gpt-oss-120b] extra channel before the call`, '<|channel|>analysis<|message|>I\'m\nthinking<|end|><|start|>assistant<|channel|>commentary to=functions.special_function <|message|>{"arg1": 1}', special],
		['Command R7B <|START_ACTION|>', `${LLAMA_CPP} [CohereForAI-c4ai-command-r7b-12-2024-tool_use] call after thought`, '<|START_THINKING|>I\'m\nthinking<|END_THINKING|><|START_ACTION|>[\n    {"tool_call_id": "0", "tool_name": "special_function", "parameters": {"arg1": 1}}\n]<|END_ACTION|>', special],
		['GigaChat 3', `${LLAMA_CPP} [GigaChat3-10B-A1.8B] call`, '<|message_sep|>\n\nfunction call<|role_sep|>\n{"name": "special_function", "arguments": {"arg1": 1}}', special],
		['GigaChat 3.1', `${LLAMA_CPP} [GigaChat3.1-10B-A1.8B] call`, '<|function_call|>{"name": "special_function", "arguments": {"arg1": 1}}', special],
		['pythonic list', `${VLLM}/test_pythonic_tool_parser.py simple`, "[get_weather(city='San Francisco', unit='celsius')]", [{ name: 'get_weather', arguments: { city: 'San Francisco', unit: 'celsius' } }]],
		['xLAM JSON array', `${SGLANG} TestJsonArrayParser::test_three_tool_calls_separate_chunks_with_commas`, '[{"name": "get_weather", "parameters": {"location": "Tokyo"}},{"name": "search", "parameters": {"query": "restaurants"}}]', [{ name: 'get_weather', arguments: { location: 'Tokyo' } }, { name: 'search', arguments: { query: 'restaurants' } }]],
		['DeepSeek V3.2 DSML', `${VLLM.replace('tests/', 'vllm/')}/deepseekv32_tool_parser.py (its docstring example)`, '<｜DSML｜function_calls>\n<｜DSML｜invoke name="get_weather">\n<｜DSML｜parameter name="location" string="true">杭州</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>', [{ name: 'get_weather', arguments: { location: '杭州' } }]],
		['OLMo 3 pythonic lines', 'vllm-project/vllm vllm/tool_parsers/olmo3_tool_parser.py (its docstring form)', "<function_calls>\nget_weather(city='Tokyo')\nsearch(query=\"x\")\n</function_calls>", [{ name: 'get_weather', arguments: { city: 'Tokyo' } }, { name: 'search', arguments: { query: 'x' } }]],
		['OLMo 3, no newline after the tag', 'vllm-project/vllm tests/tool_parsers/test_olmo3_tool_parser.py parallel_calls', "<function_calls>get_weather(city='Tokyo')\nsearch(query='x')</function_calls>", [{ name: 'get_weather', arguments: { city: 'Tokyo' } }, { name: 'search', arguments: { query: 'x' } }]],
		['FunctionGemma', 'vllm-project/vllm vllm/tool_parsers/functiongemma_tool_parser.py (its wire form)', '<start_function_call>call:get_weather{city:<escape>Paris<escape>}<end_function_call>', [{ name: 'get_weather', arguments: { city: 'Paris' } }]],
		['Gemma 4', 'vllm-project/vllm vllm/tool_parsers/gemma4_tool_parser.py (its wire form)', '<|tool_call>call:special_function{arg1:1}<tool_call|><|tool_call>call:get_weather{city:<|"|>Paris, FR<|"|>}<tool_call|>', [...special, { name: 'get_weather', arguments: { city: 'Paris, FR' } }]],
		["Gemma's tool_code fence", "Google's Gemma function-calling guide (a tool_code fence)", "```tool_code\nprint(get_weather(city='Paris'))\n```", [{ name: 'get_weather', arguments: { city: 'Paris' } }]],
		['Qwen-Agent ✿FUNCTION✿', 'QwenLM/Qwen-Agent (its function-calling prompt)', '✿FUNCTION✿: get_weather\n✿ARGS✿: {"city": "Paris"}\n✿RESULT✿', [{ name: 'get_weather', arguments: { city: 'Paris' } }]],
		["OpenAI's tool_calls object", 'OpenAI chat completions message shape', '{"tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "special_function", "arguments": "{\\"arg1\\": 1}"}}]}', special],
	])('%s (%s)', (_, _source, text, calls) => {
		expect(readToolCalls(text, TOOLS)).toEqual({ prose: '', calls, problems: [] });
	});
});

describe('every call of an answer runs', () => {
	const search = (query: string) => ({ name: 'search', arguments: { query } });
	it.each([
		['`;`-separated Llama JSON (vLLM test_llama3_json_tool_parser.py test_extract_tool_calls_multiple_json)', '{"name": "search", "parameters": {"query": "a"}}; {"name": "search", "parameters": {"query": "b"}}'],
		['`;`-separated after <|python_tag|>', '<|python_tag|>{"name": "search", "parameters": {"query": "a"}}; {"name": "search", "parameters": {"query": "b"}}'],
		['one JSON per line after <|python_tag|>', '<|python_tag|>{"name": "search", "parameters": {"query": "a"}}\n{"name": "search", "parameters": {"query": "b"}}'],
		['several <tool_call> blocks', '<tool_call>{"name": "search", "arguments": {"query": "a"}}</tool_call>\n<tool_call>{"name": "search", "arguments": {"query": "b"}}</tool_call>'],
		['several [TOOL_CALLS]', '[TOOL_CALLS]search{"query": "a"}[TOOL_CALLS]search{"query": "b"}'],
		['two pythonic lists (SGLang test_parse_streaming_multiple_tool_calls)', "[search(query='a')] and [search(query='b')]"],
		['a pythonic list of two', "[search(query='a'), search(query=\"b\")]"],
	])('%s', (_, text) => {
		expect(readToolCalls(text, TOOLS).calls).toEqual([search('a'), search('b')]);
	});

	it('reads a pythonic list inside a sentence (SGLang TestPythonicDetector::test_parse_streaming_complete_tool_call)', () => {
		expect(readToolCalls("Here's a tool call: [get_weather(location='New York', unit='celsius')]", TOOLS)).toEqual({
			prose: "Here's a tool call:",
			calls: [{ name: 'get_weather', arguments: { location: 'New York', unit: 'celsius' } }],
			problems: [],
		});
	});

	it('reads whole calls the answer did not close (SGLang TestJsonArrayParser::test_nested_objects_with_commas, vLLM test_apertus_tool_parser.py test_incomplete_tool_call)', () => {
		expect(readToolCalls('[{"name": "get_weather", "parameters": {"location": "Tokyo", "unit": "celsius"}}', TOOLS).calls).toEqual([{ name: 'get_weather', arguments: { location: 'Tokyo', unit: 'celsius' } }]);
		expect(readToolCalls('<|tools_prefix|>[{"get_weather": {"location": "London"}}', TOOLS).calls).toEqual([{ name: 'get_weather', arguments: { location: 'London' } }]);
	});

	it('reads a Llama JSON call whose arguments quote a marker', () => {
		expect(readToolCalls('{"name": "search", "parameters": {"query": "what does <tool_call> mean"}}', TOOLS)).toEqual({
			prose: '',
			calls: [{ name: 'search', arguments: { query: 'what does <tool_call> mean' } }],
			problems: [],
		});
	});

	it('reads a marked call a model put in a fence', () => {
		const json = 'Calling:\n```xml\n<tool_call>\n{"name": "search", "arguments": {"query": "a"}}\n</tool_call>\n```';
		expect(readToolCalls(json, TOOLS)).toEqual({ prose: 'Calling:', calls: [search('a')], problems: [] });
		const xml = 'Calling:\n```xml\n<tool_call>\n<function=search>\n<parameter=query>\na\n</parameter>\n</function>\n</tool_call>\n```';
		expect(readToolCalls(xml, TOOLS).calls).toEqual([search('a')]);
	});

	it('keeps the prose before the calls and drops what follows (the model invents results there)', () => {
		const text = 'Here is the result: {"name": "search", "parameters": {"query": "a"}} Would you like to know more?';
		expect(readToolCalls(text, TOOLS)).toEqual({ prose: 'Here is the result:', calls: [search('a')], problems: [] });
	});
});

describe('values written as text become the schema types', () => {
	const typed: SeamTool = {
		name: 'test_types',
		parameters: object({
			int_param: { type: 'integer' },
			float_param: { type: 'number' },
			bool_param: { type: 'boolean' },
			str_param: { type: 'string' },
			num_text: { type: 'string' },
			obj_param: { type: 'object' },
			list_param: { type: 'array' },
			none_param: { type: ['string', 'null'] },
			null_param: { type: ['integer', 'null'] },
		}),
	};
	const expected = { int_param: 42, float_param: 3.14, bool_param: true, str_param: 'hello world', num_text: '007', obj_param: { key: 'value' }, list_param: [1, 'a'], none_param: 'null', null_param: null };

	it('in Qwen3-Coder XML (vLLM test_qwen3coder_tool_parser.py test_extract_tool_calls_type_conversion, with more types)', () => {
		const params = { int_param: '42', float_param: '3.14', bool_param: 'true', str_param: 'hello world', num_text: '007', obj_param: '{"key": "value"}', list_param: '[1, "a"]', none_param: 'null', null_param: 'null' };
		const text = `<tool_call>\n<function=test_types>\n${Object.entries(params).map(([k, v]) => `<parameter=${k}>\n${v}\n</parameter>`).join('\n')}\n</function>\n</tool_call>`;
		expect(readToolCalls(text, [typed]).calls).toEqual([{ name: 'test_types', arguments: expected }]);
	});

	it('in GLM arg_key/arg_value and MiniMax invoke', () => {
		const glm = '<tool_call>test_types<arg_key>int_param</arg_key><arg_value>42</arg_value><arg_key>list_param</arg_key><arg_value>[1, "a"]</arg_value><arg_key>num_text</arg_key><arg_value>007</arg_value></tool_call>';
		expect(readToolCalls(glm, [typed]).calls[0].arguments).toEqual({ int_param: 42, list_param: [1, 'a'], num_text: '007' });
		const minimax = '<minimax:tool_call><invoke name="test_types"><parameter name="bool_param">false</parameter><parameter name="obj_param">{"key": "value"}</parameter></invoke></minimax:tool_call>';
		expect(readToolCalls(minimax, [typed]).calls[0].arguments).toEqual({ bool_param: false, obj_param: { key: 'value' } });
	});

	it('reads Python literals in pythonic calls: a set, unescaped inner quotes (vLLM test_lfm2_tool_parser.py set_arg, nested_quote)', () => {
		const label: SeamTool = { name: 'label', parameters: object({ tags: { type: 'array' } }) };
		expect(readToolCalls("<|tool_call_start|>[label(tags={'urgent', 'bug'})]<|tool_call_end|>", [label]).calls).toEqual([{ name: 'label', arguments: { tags: ['urgent', 'bug'] } }]);
		const text = "<|tool_call_start|>[code_interpreter(code='sed -n '360,450p' common.py')]<|tool_call_end|>";
		expect(readToolCalls(text, TOOLS).calls).toEqual([{ name: 'code_interpreter', arguments: { code: "sed -n '360,450p' common.py" } }]);
	});

	it('reads DSML values by the schema, string="true" ones as text where the schema is silent (vLLM test_deepseekv32_tool_parser.py)', () => {
		const text = '<｜DSML｜function_calls><｜DSML｜invoke name="test_types"><｜DSML｜parameter name="num_text" string="true">007</｜DSML｜parameter><｜DSML｜parameter name="int_param" string="true">7</｜DSML｜parameter><｜DSML｜parameter name="other" string="true">[1]</｜DSML｜parameter><｜DSML｜parameter name="more" string="false">[1]</｜DSML｜parameter></｜DSML｜invoke></｜DSML｜function_calls>';
		expect(readToolCalls(text, [typed]).calls[0].arguments).toEqual({ num_text: '007', int_param: 7, other: '[1]', more: [1] });
	});

	it('leaves text that does not convert as text, and the argument check says so', () => {
		const read = readToolCalls('<tool_call><function=test_types><parameter=int_param>many</parameter></function></tool_call>', [typed]);
		expect(read.problems).toEqual(['tool "test_types": "int_param" must be an integer, not a string']);
	});

	it('keeps the indentation of a multi-line value (code) and trims a one-line value', () => {
		const text = '<tool_call>\n<function=code_interpreter>\n<parameter=code>\ndef f():\n    return 1\n</parameter>\n</function>\n</tool_call>';
		expect(readToolCalls(text, TOOLS).calls[0].arguments).toEqual({ code: 'def f():\n    return 1' });
		expect(readToolCalls('<tool_call><function=get_time><parameter=city>\n   Paris   \n   </parameter></function></tool_call>', TOOLS).calls[0].arguments).toEqual({ city: 'Paris' });
	});
});

describe('no silent miss: an answer with a call marker is never the final answer', () => {
	it.each([
		'<tool_call>not a call</tool_call>',
		'<|python_tag|>print("hello")',
		'[TOOL_CALLS] sorry',
		'<tool_calls>oops</tool_calls>',
		'<|tool_call_start|>what(</|tool_call_end|>',
		'<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>garbage<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
		'<|START_ACTION|>nothing<|END_ACTION|>',
		'<TOOLCALL>[1, 2]</TOOLCALL>',
		// vLLM test_deepseekv3_tool_parser.py test_malformed_input: cut JSON arguments are not guessed at.
		'<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{"city": "Tokyo"\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
		// SGLang TestKimiK2Detector::test_invalid_tool_call: no begin token, an unknown tool.
		'invalid_tool:0<|tool_call_argument_begin|>{"city": "Paris"}<|tool_call_end|><|tool_calls_section_end|>',
	])('%s goes back to the model with a reason', (text) => {
		const read = readToolCalls(text, TOOLS);
		expect(read.calls).toEqual([]);
		expect(read.problems.length).toBeGreaterThan(0);
	});

	it('an unknown tool behind a marker is named to the model', () => {
		expect(readToolCalls('[TOOL_CALLS]deploy{"env": "prod"}', TOOLS).problems).toEqual(['there is no tool named "deploy"; the tools are: special_function, get_weather, get_time, search, code_interpreter']);
	});
});

describe('answers without a marker stay answers', () => {
	it.each([
		['a config example in a fence', 'Here is a config:\n```json\n{"name": "my-app", "version": "1.0.0"}\n```'],
		['JSON data', '{"users": [{"name": "Ann", "age": 3}], "total": 1}'],
		['a JSON array of records', '[{"name": "Ann"}, {"name": "Bob"}]'],
		['code with calls of functions nobody offered', '```python\nresult = [compute(x=1) for x in range(3)]\nprint(result)\n```'],
		['a Python session', '>>> print(1)\n1\n>>> [len(x) for x in y]'],
		['a markdown link and a citation', 'See [the docs](https://example.com) and [1].'],
		['a list of numbers', '[1, 2, 3]'],
		['prose mentioning functools', 'Use functools.partial or functools [sic] for that.'],
		['a pythonic call of an unknown function', "[deploy(env='prod')]"],
		['a tool named inside a sentence without arguments', 'The tool {"name": "search"} looks things up.'],
		['markers in inline code', 'Mistral writes `[TOOL_CALLS]`, Hermes `<tool_call>` and Llama `<|python_tag|>`.'],
	])('%s', (_, text) => {
		expect(readToolCalls(text, TOOLS)).toEqual({ prose: text, calls: [], problems: [] });
	});

	it('a call written inside a thought never runs (vLLM test_seed_oss_tool_parser.py: the thought writes a call)', () => {
		const text = '<seed:think>I could write <seed:tool_call><function=search><parameter=query>x</parameter></function></seed:tool_call> but no.</seed:think>The answer is 4.';
		expect(readToolCalls(text, TOOLS)).toEqual({ prose: 'The answer is 4.', calls: [], problems: [] });
	});
});
