/**
 * Conformance: real model answers from the public tool-parser test suites of inference servers
 * (vLLM, llama.cpp, SGLang), each naming its source, run through the seam the Slier Chat Model
 * uses. Calls must be read as the source expects (names, arguments, order), the prose kept, and
 * the streamed text must show the prose and nothing of a call at every chunk size.
 * Answers with no call must stay answers, shown whole while streaming.
 *
 * CONFORMANCE_STATUS=<file> writes the pass/fail table by family and every failure to that file.
 */
import { writeFileSync } from 'fs';
import { guardStreamedText, readToolCalls } from '../../../nodes/LmChatSlier/tools/index';
import { type Call, type Case, CASES, MARKERS } from './corpus';
import { type Outcome, statusReport } from './status-report';

const CHUNK_SIZES = [1, 2, 3, 5, 8, 13, Number.POSITIVE_INFINITY];

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
	if (!deepEqual(got, item.expect.calls)) {
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
		const unoffered = CASES.flatMap((item) =>
			[...item.expect.calls, ...(item.expect.orCalls ?? [])]
				.filter((call: Call) => !item.tools.some((tool) => tool.name === call.name))
				.map((call) => `${item.id}: ${call.name}`),
		);
		expect(unoffered).toEqual([]);
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

afterAll(() => {
	const target = process.env.CONFORMANCE_STATUS;
	if (target && outcomes.length === CASES.length) writeFileSync(target, statusReport(outcomes));
});
