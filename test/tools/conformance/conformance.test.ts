/**
 * Conformance: real model answers from the public tool-parser test suites of inference servers
 * (vLLM, llama.cpp, SGLang), each naming its source, run through the seam the Slier Chat Model
 * uses. Calls must be read as the source expects (names, arguments, order), the prose kept, and
 * the streamed text must show the prose and nothing of a call at every chunk size.
 * Answers with no call must stay answers, shown whole while streaming.
 *
 * CONFORMANCE_STATUS=<file> writes the pass/fail table by family and every failure to that file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { guardStreamedText, readToolCalls } from '../../../nodes/LmChatSlier/tools/index';

interface Call {
	name: string;
	arguments: Record<string, unknown>;
}
interface Case {
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
const CASES: Case[] = readdirSync(DIR)
	.filter((file) => file.endsWith('.json'))
	.sort()
	.flatMap((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Case[]);

const CHUNK_SIZES = [1, 2, 3, 5, 8, 13, Number.POSITIVE_INFINITY];

/** Openers and closers of every published call format: none may reach the chat. */
const MARKERS = [
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

/** Chunks of `size` characters (code points: a stream never splits one, so an emoji stays whole). */
async function* chunked(text: string, size: number): AsyncGenerator<string, void, undefined> {
	const points = Array.from(text);
	for (let at = 0; at < points.length; at += size) yield points.slice(at, at + size).join('');
}

async function streamed(text: string, tools: Case['tools'], size: number): Promise<string> {
	let shown = '';
	for await (const part of guardStreamedText(chunked(text, size), tools)) shown += part;
	return shown;
}

const squeeze = (text: string) => text.replace(/\s+/g, '');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What of a call the shown text gives away: a marker of the answer, or a tool's name followed by its arguments. */
function leakIn(shown: string, item: Case): string | undefined {
	const prose = item.expect.prose ?? '';
	for (const marker of MARKERS) {
		if (item.text.includes(marker) && shown.includes(marker) && !prose.includes(marker)) return `marker ${marker}`;
	}
	if (item.thought) return undefined;
	for (const call of item.expect.calls) {
		if (prose.includes(call.name)) continue;
		const keys = Object.keys(call.arguments);
		const tail = keys.length ? `[\\s\\S]{0,300}?(${keys.map(escape).join('|')})` : `\\s*["'}\\]]?\\s*[({<:,]`;
		const found = new RegExp(`${escape(call.name)}${tail}`).exec(shown);
		if (found) return `call text ${JSON.stringify(found[0].slice(0, 80))}`;
	}
	return undefined;
}

interface Outcome {
	item: Case;
	failures: string[];
}
const outcomes: Outcome[] = [];

const short = (value: unknown) => {
	const text = JSON.stringify(value);
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/** Every check of one case, as sentences (empty: it passes). */
async function check(item: Case): Promise<string[]> {
	const failures: string[] = [];
	let read;
	try {
		read = readToolCalls(item.text, item.tools);
	} catch (error) {
		return [`readToolCalls threw ${(error as Error).message}`];
	}
	const got = read.calls.map((call) => ({ name: call.name, arguments: call.arguments }));
	if (item.expect.rewrite) {
		const rewritten = got.length === 0 && read.problems.length > 0;
		const readInstead = item.expect.orCalls !== undefined && read.problems.length === 0 && deepEqual(got, item.expect.orCalls);
		if (!rewritten && !readInstead) {
			failures.push(
				read.problems.length === 0 && got.length === 0
					? 'final answer: no calls and no problems, expected a rewrite' + (item.expect.orCalls ? ` or the calls ${short(item.expect.orCalls)}` : '')
					: `calls ${short(got)} and problems ${short(read.problems)}, expected a rewrite (no calls, problems)` + (item.expect.orCalls ? ` or the calls ${short(item.expect.orCalls)}` : ''),
			);
		}
		for (const size of CHUNK_SIZES) {
			const label = size === Number.POSITIVE_INFINITY ? 'whole' : `chunks of ${size}`;
			try {
				const shown = await streamed(item.text, item.tools, size);
				const marker = MARKERS.find((each) => item.text.includes(each) && shown.includes(each));
				if (marker) failures.push(`stream (${label}) leaked marker ${marker}`);
			} catch (error) {
				failures.push(`stream (${label}) threw ${(error as Error).message}`);
			}
		}
		return failures;
	}
	if (read.problems.length) failures.push(`problems ${short(read.problems)}`);
	if (JSON.stringify(got) !== JSON.stringify(item.expect.calls) && !deepEqual(got, item.expect.calls)) {
		failures.push(`calls ${short(got)}, expected ${short(item.expect.calls)}`);
	}
	if (item.expect.prose !== undefined && read.prose.trim() !== item.expect.prose.trim()) {
		failures.push(`prose ${short(read.prose)}, expected ${short(item.expect.prose)}`);
	}
	for (const size of CHUNK_SIZES) {
		const label = size === Number.POSITIVE_INFINITY ? 'whole' : `chunks of ${size}`;
		let shown: string;
		try {
			shown = await streamed(item.text, item.tools, size);
		} catch (error) {
			failures.push(`stream (${label}) threw ${(error as Error).message}`);
			continue;
		}
		if (item.expect.calls.length === 0) {
			if (shown !== item.text) failures.push(`stream (${label}) showed ${short(shown)}, expected the whole answer`);
			continue;
		}
		const leak = leakIn(shown, item);
		if (leak) failures.push(`stream (${label}) leaked ${leak}`);
		else if (item.expect.prose !== undefined && squeeze(shown) !== squeeze(item.expect.prose)) {
			failures.push(`stream (${label}) showed ${short(shown)}, expected the prose ${short(item.expect.prose)}`);
		}
	}
	return failures;
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const keysA = Object.keys(a);
	const keysB = Object.keys(b);
	if (keysA.length !== keysB.length) return false;
	return keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const families = [...new Set(CASES.map((item) => item.family))].sort();

describe('conformance corpus', () => {
	it('holds real answers from several sources, with calls and without', () => {
		expect(new Set(CASES.map((item) => item.id)).size).toBe(CASES.length);
		expect(CASES.filter((item) => item.expect.calls.length > 0).length).toBeGreaterThanOrEqual(150);
		expect(CASES.filter((item) => item.expect.calls.length === 0 && !item.expect.rewrite).length).toBeGreaterThanOrEqual(20);
		expect(CASES.filter((item) => item.expect.rewrite).length).toBeGreaterThanOrEqual(20);
		for (const item of CASES) {
			const offered = new Set(item.tools.map((tool) => tool.name));
			for (const call of [...item.expect.calls, ...(item.expect.orCalls ?? [])]) expect(offered.has(call.name)).toBe(true);
		}
	});
});

for (const family of families) {
	describe(family, () => {
		for (const item of CASES.filter((entry) => entry.family === family)) {
			it(item.id, async () => {
				const failures = await check(item);
				outcomes.push({ item, failures });
				expect(failures).toEqual([]);
			});
		}
	});
}

/** The table the reader's author works from: counts by family, then each failure and what was expected. */
function statusReport(): string {
	const lines = ['# Conformance status', '', `Written by \`CONFORMANCE_STATUS=test/tools/conformance/STATUS.md npx jest test/tools/conformance\`.`, ''];
	const withCalls = outcomes.filter(({ item }) => item.expect.calls.length > 0).length;
	const rewrites = outcomes.filter(({ item }) => item.expect.rewrite).length;
	const written = (item: Case) => item.source.repo === 'n8n-nodes-slier';
	const sources = [...new Set(outcomes.filter(({ item }) => !written(item)).map(({ item }) => `${item.source.repo} \`${item.source.file}\``))].sort();
	const passed = outcomes.filter(({ failures }) => failures.length === 0).length;
	const calls = outcomes.reduce((sum, { item }) => sum + item.expect.calls.length, 0);
	lines.push(
		`${outcomes.length} cases (${withCalls} answers with ${calls} calls, ${outcomes.length - withCalls - rewrites} answers without a call, ${rewrites} marked answers with no readable call that must be rewritten; ${outcomes.filter(({ item }) => written(item)).length} written for this corpus) from ${sources.length} public test files: **${passed} pass, ${outcomes.length - passed} fail**.`,
		'',
		'How to read it: each failure below names the case (its id is `<cases file>:<source test>`), shows the answer, then what the seam gave against what the source expects. "rewrite asked" means readToolCalls returned problems; "stream" lines say at which chunk sizes guardStreamedText showed a marker, a tool name followed by its argument keys, or text other than the expected prose. The data is in `cases/*.json`; a case with `note` departs from its source on purpose (listed at the end).',
		'',
	);
	// What kind of fix each family needs: calls not read as expected, rewrite asked, prose, streamed text.
	const kinds: Array<[string, RegExp]> = [['calls', /^(calls |final answer)/], ['problems', /^problems /], ['prose', /^prose /], ['stream', /^stream /], ['threw', /threw/]];
	lines.push('| family | cases | passed | failed | wrong calls | rewrite asked | wrong prose | stream shows call or wrong text | threw |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const family of families) {
		const mine = outcomes.filter(({ item }) => item.family === family);
		const ok = mine.filter(({ failures }) => failures.length === 0).length;
		const counts = kinds.map(([, pattern]) => mine.filter(({ failures }) => failures.some((failure) => pattern.test(failure))).length);
		lines.push(`| ${family} | ${mine.length} | ${ok} | ${mine.length - ok} | ${counts.join(' | ')} |`);
	}
	lines.push('', '## Failures', '', 'By family; each with its answer (cut at 600 characters), what the seam gave and what was expected.', '');
	const failing = outcomes.filter(({ failures }) => failures.length > 0).sort((a, b) => a.item.family.localeCompare(b.item.family) || a.item.id.localeCompare(b.item.id));
	for (const { item, failures } of failing) {
		lines.push(`### ${item.family}: ${item.id}`, '', `${item.source.repo} \`${item.source.file}\` ${item.source.test}`, '', '```text', item.text.length > 600 ? `${item.text.slice(0, 600)}…` : item.text, '```', '');
		if (item.note) lines.push(`Note: ${item.note}`, '');
		// Streamed failures at many chunk sizes often say the same thing: list each once.
		const seen = new Set<string>();
		for (const failure of failures) {
			const key = failure.replace(/^stream \([^)]*\)/, 'stream');
			if (seen.has(key)) continue;
			seen.add(key);
			const sizes = failures.filter((other) => other.replace(/^stream \([^)]*\)/, 'stream') === key).map((other) => /^stream \(([^)]*)\)/.exec(other)?.[1]).filter(Boolean);
			lines.push(`- ${sizes.length ? `stream (${sizes.join(', ')})${key.slice('stream'.length)}` : failure}`);
		}
		lines.push('');
	}
	lines.push('## Sources', '', ...sources.map((source) => `- ${source}: ${outcomes.filter(({ item }) => `${item.source.repo} \`${item.source.file}\`` === source).length} cases`), '');
	const notes = outcomes.filter(({ item }) => item.note);
	lines.push('## Notes on cases', '', 'Where a case departs from its source the issue\'s rules win, and the note says why; other notes explain the data.', '');
	for (const { item } of notes) lines.push(`- ${item.id}: ${item.note}`);
	lines.push('');
	return lines.join('\n');
}

afterAll(() => {
	const target = process.env.CONFORMANCE_STATUS;
	if (target && outcomes.length === CASES.length) writeFileSync(target, statusReport());
});
