import { excerpt, parseErrorBody } from '../../nodes/shared/transport/errors';

describe('excerpt of an error body', () => {
	it('reads tags out and keeps 200 characters on one line', () => {
		expect(excerpt('<html><style>p{}</style><h1>502 Bad   Gateway</h1>\n<p>nginx</p></html>')).toBe('502 Bad Gateway nginx');
		expect(excerpt('x'.repeat(500))).toBe(`${'x'.repeat(200)}…`);
	});

	it('ends with an ellipsis only where it cut: a text of exactly 200 characters is kept whole', () => {
		expect(excerpt('x'.repeat(200))).toBe('x'.repeat(200));
		expect(excerpt('x'.repeat(201))).toBe(`${'x'.repeat(200)}…`);
	});

	it('runs its patterns over the first 8 KiB only, so a hostile page costs little', () => {
		// A page whose text starts only after 8 KiB of an unclosed script: nothing past it is scanned.
		const page = `<script>${' '.repeat(9000)}</script>late text`;
		expect(excerpt(page)).toBe('');
		// 64 KiB of unclosed tag openers: each match stops at the next '<', so this is linear.
		expect(excerpt('<p '.repeat(22_000)).length).toBeLessThanOrEqual(201);
	});
});

describe('reading an error body', () => {
	it("takes the API's reason before its type, and the type before a code", () => {
		// A body with both: the reason says what happened (a content filter), the type only its class.
		const filtered = parseErrorBody('{"error":{"message":"Refused.","type":"invalid_request_error","reason":"content_filter","code":"E1"}}');
		expect(filtered).toMatchObject({ apiMessage: 'Refused.', reason: 'content_filter' });
		expect(parseErrorBody('{"error":{"message":"Slow down.","type":"requests","code":"rate_limit_exceeded"}}').reason).toBe('requests');
		expect(parseErrorBody('{"error":{"message":"No.","code":"model_not_found"}}').reason).toBe('model_not_found');
	});
});
