import { CitationStripper, stripCitations } from '../../nodes/shared/completion/citations';

/**
 * Streamed text to a chat is stripped piece by piece: whatever the split, the pieces must join to
 * exactly what stripCitations gives for the whole answer (markers gone with their blanks, unit
 * powers kept even when the number and unit came in an earlier piece).
 */
const ANSWER =
	'The lake covers 25 km² and holds 3 m³ per second¹. Sources agree ²³, see ¹⁰ and the 9.8 m/s² figure⁴.\nEnd ⁵';

describe('CitationStripper', () => {
	it('joins to stripCitations of the whole answer, at every piece size', () => {
		const whole = stripCitations(ANSWER);
		expect(whole).toBe('The lake covers 25 km² and holds 3 m³ per second. Sources agree, see and the 9.8 m/s² figure.\nEnd');
		for (let size = 1; size <= ANSWER.length; size++) {
			const stripper = new CitationStripper();
			let out = '';
			for (let at = 0; at < ANSWER.length; at += size) out += stripper.push(ANSWER.slice(at, at + size));
			out += stripper.flush();
			expect({ size, out }).toEqual({ size, out: whole });
		}
	});

	it('lets text through at once, holding back only blanks and markers at the end', () => {
		const stripper = new CitationStripper();
		expect(stripper.push('Hello world')).toBe('Hello world');
		expect(stripper.push(' and ')).toBe(' and');
		expect(stripper.push('more¹')).toBe(' more');
		expect(stripper.push('.')).toBe('.');
	});
});
