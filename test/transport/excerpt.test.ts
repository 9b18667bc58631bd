import { excerpt } from '../../nodes/shared/transport/errors';

describe('excerpt of an error body', () => {
	it('reads tags out and keeps 200 characters on one line', () => {
		expect(excerpt('<html><style>p{}</style><h1>502 Bad   Gateway</h1>\n<p>nginx</p></html>')).toBe('502 Bad Gateway nginx');
		expect(excerpt('x'.repeat(500))).toBe(`${'x'.repeat(200)}…`);
	});

	it('runs its patterns over the first 8 KiB only, so a hostile page costs little', () => {
		// A page whose text starts only after 8 KiB of an unclosed script: nothing past it is scanned.
		const page = `<script>${' '.repeat(9000)}</script>late text`;
		expect(excerpt(page)).toBe('');
		// 64 KiB of unclosed tag openers: each match stops at the next '<', so this is linear.
		expect(excerpt('<p '.repeat(22_000)).length).toBeLessThanOrEqual(201);
	});
});
