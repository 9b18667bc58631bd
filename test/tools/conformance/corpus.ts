/** The conformance corpus: real answers (cases/*.json) and the call markers none may show while streaming. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

export interface Call {
	name: string;
	arguments: Record<string, unknown>;
}
export interface Case {
	id: string;
	source: { repo: string; file: string; test: string; commit?: string };
	family: string;
	text: string;
	tools: Array<{ name: string; description?: string; parameters: Record<string, unknown> }>;
	toolsDerived?: string;
	/**
	 * `rewrite`: the answer carries a call marker but no readable call for an offered tool, so it must never
	 * be the final answer: readToolCalls asks for a rewrite (problems), or, where `orCalls` is given, reads
	 * those calls. Either way the chat shows no marker.
	 */
	expect: { calls: Call[]; prose?: string; rewrite?: boolean; orCalls?: Call[] };
	note?: string;
	/** The answer holds a thought: only markers are checked in the streamed text (its words may name tools). */
	thought?: boolean;
}

const DIR = join(__dirname, 'cases');
export const CASES: Case[] = readdirSync(DIR)
	.filter((file) => file.endsWith('.json'))
	.sort()
	.flatMap((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Case[]);

/** Openers and closers of every published call format: none may reach the chat. */
export const MARKERS = [
	'<tool_call>', '</tool_call>', '<tool_calls>', '<|python_tag|>', '<|python_start|>', '[TOOL_CALLS]', '[ARGS]',
	'<function=', '<parameter=', '</function>', '<arg_key>', '<arg_value>', '<|tool_call|>', '<function_call>',
	'functools[', '<|action_start|>', '<|plugin|>', '<TOOLCALL>', '<|tool_call_start|>', '<|tools_prefix|>',
	'<minimax:tool_call>', '<invoke name=', '<|tool_calls_section_begin|>', '<|tool_call_begin|>',
	'<｜tool▁calls▁begin｜>', '<｜tool▁call▁begin｜>', '<|tool▁calls▁begin|>', 'to=functions.', '<|START_ACTION|>',
	'<seed:tool_call>', '<|channel|>', '<|call|>', '>>>', '<tool_call_begin>', '<steptml:invoke', '<|tool_calls_begin|>',
	'<longcat_tool_call>', '<tool_calls_begin>', '<|tool_list_start|>', '[CALL_ID]', '<|message_sep|>', '<|function_call|>',
	'<|constrain|>', '<|message|>', '<|tool_call_argument_begin|>', '<｜tool▁sep｜>', '<|action_end|>', '<|tools_suffix|>',
	'</TOOLCALL>', '<|END_ACTION|>', '</minimax:tool_call>', '</seed:tool_call>', '<|tool_call_end|>',
];


/** A case written for this corpus rather than taken from a public test suite. */
export const written = (item: Case) => item.source.repo === 'n8n-nodes-slier';
