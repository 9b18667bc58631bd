import { CitationStripper, extractCitations, stripCitations } from '../../nodes/shared/completion/citations';

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

describe('unit powers are not citations', () => {
	it('only ² and ³ can be a unit power: "5 km¹" cites source 1', () => {
		expect(extractCitations('The track is 5 km¹ long.')).toEqual([1]);
	});

	it.each([
		['a no-break space', '\u00a0'],
		['a narrow no-break space', '\u202f'],
		['a plain space', ' '],
		['no space', ''],
	])('a power after %s between number and unit stays, and cites nothing', (_name, space) => {
		const text = `It covers 25${space}km² and 3${space}m³ of water¹.`;
		expect(extractCitations(text)).toEqual([1]);
		expect(stripCitations(text)).toBe(`It covers 25${space}km² and 3${space}m³ of water.`);
	});

	it('a marker with a blank before it is a citation even right after a unit ("25 km ²")', () => {
		expect(extractCitations('It covers 25 km ² today.')).toEqual([2]);
		expect(stripCitations('It covers 25 km ² today.')).toBe('It covers 25 km today.');
	});

	it('streamed piece by piece, a power after a no-break space stays too', () => {
		const stripper = new CitationStripper();
		const out = ['25\u00a0k', 'm', '²', ' wide¹'].map((piece) => stripper.push(piece)).join('') + stripper.flush();
		expect(out).toBe('25\u00a0km² wide');
	});
});

describe('the end of a stream', () => {
	it('flush gives back the blanks held at the end that no marker took', () => {
		const stripper = new CitationStripper();
		expect(stripper.push('Done  ')).toBe('Done');
		expect(stripper.flush()).toBe('  ');
	});

	it('flush keeps a power held at the very end, judged against the text before it', () => {
		const stripper = new CitationStripper();
		expect(stripper.push('area 25 km²')).toBe('area 25 km');
		expect(stripper.flush()).toBe('²');
	});
});
