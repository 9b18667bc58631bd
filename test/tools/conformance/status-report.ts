/** STATUS.md: pass/fail by family, each failure with what was expected, the sources and the notes. */
import { type Case, written } from './corpus';

export interface Outcome {
	item: Case;
	failures: string[];
}

/** The table the reader's author works from: counts by family, then each failure and what was expected. */
export function statusReport(outcomes: Outcome[]): string {
	const families = [...new Set(outcomes.map(({ item }) => item.family))].sort();
	const lines = ['# Conformance status', '', `Written by \`CONFORMANCE_STATUS=test/tools/conformance/STATUS.md npx jest test/tools/conformance\`.`, ''];
	const withCalls = outcomes.filter(({ item }) => item.expect.calls.length > 0).length;
	const rewrites = outcomes.filter(({ item }) => item.expect.rewrite).length;
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
